package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/ui/widgets"
)

// keyboard works a window as a person at the keyboard does: every key goes
// the way Fyne's desktop driver sends a key press, so a test written with
// it passes only if the screens can be worked without the mouse.
//
// The path is fyne.io/fyne/v2 internal/driver/glfw/window.go as of Fyne
// 2.8.1: processKeyPressed (KeyDown to the focused desktop.Keyable; Tab and
// Shift+Tab without Ctrl, Alt or Super move the focus unless the focused
// widget captures Tab, see capturesTab; then triggersShortcut; otherwise
// TypedKey to the focused widget, or the canvas's OnTypedKey when nothing
// is focused; KeyUp on release), triggersShortcut (Ctrl with Z, Y, V, C,
// Insert, X or A are the standard shortcuts, Shift with Insert or Delete
// paste and cut, any other modified key a desktop.CustomShortcut; the main
// menu's items first, see triggerMainMenuShortcut, then the focused
// Shortcutable, else the canvas's shortcuts) and processCharInput (a typed
// character to the focused widget's TypedRune, or the canvas's
// OnTypedRune).
type keyboard struct {
	t *testing.T
	w fyne.Window
}

func newKeyboard(t *testing.T, w fyne.Window) *keyboard { return &keyboard{t: t, w: w} }

// press presses and releases name with the modifiers mods held.
func (k *keyboard) press(name fyne.KeyName, mods fyne.KeyModifier) {
	k.t.Helper()
	c := k.w.Canvas()
	ev := &fyne.KeyEvent{Name: name}
	if f, ok := c.Focused().(desktop.Keyable); ok {
		f.KeyDown(ev)
	}
	k.dispatch(c, ev, mods)
	if f, ok := c.Focused().(desktop.Keyable); ok {
		f.KeyUp(ev)
	}
}

func (k *keyboard) dispatch(c fyne.Canvas, ev *fyne.KeyEvent, mods fyne.KeyModifier) {
	other := mods & (fyne.KeyModifierControl | fyne.KeyModifierAlt | fyne.KeyModifierSuper)
	if ev.Name == fyne.KeyTab && other == 0 {
		if t, ok := c.Focused().(fyne.Tabbable); !ok || !t.AcceptsTab() {
			switch mods {
			case 0:
				c.FocusNext()
			case fyne.KeyModifierShift:
				c.FocusPrevious()
			}
			return
		}
	}
	if k.shortcut(c, ev.Name, mods) {
		return
	}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// shortcut is triggersShortcut.
func (k *keyboard) shortcut(c fyne.Canvas, name fyne.KeyName, mods fyne.KeyModifier) bool {
	clip := fyne.CurrentApp().Clipboard()
	var s fyne.Shortcut
	if mods == fyne.KeyModifierShortcutDefault {
		switch name {
		case fyne.KeyZ:
			s = &fyne.ShortcutUndo{}
		case fyne.KeyY:
			s = &fyne.ShortcutRedo{}
		case fyne.KeyV:
			s = &fyne.ShortcutPaste{Clipboard: clip}
		case fyne.KeyC:
			s = &fyne.ShortcutCopy{Clipboard: clip}
		case fyne.KeyInsert:
			s = &fyne.ShortcutCopy{Clipboard: clip, Secondary: true}
		case fyne.KeyX:
			s = &fyne.ShortcutCut{Clipboard: clip}
		case fyne.KeyA:
			s = &fyne.ShortcutSelectAll{}
		}
	}
	if mods == fyne.KeyModifierShift {
		switch name {
		case fyne.KeyInsert:
			s = &fyne.ShortcutPaste{Clipboard: clip, Secondary: true}
		case fyne.KeyDelete:
			s = &fyne.ShortcutCut{Clipboard: clip, Secondary: true}
		}
	}
	if s == nil && mods != 0 && mods != fyne.KeyModifierShift && !isModifierKey(name) {
		s = &desktop.CustomShortcut{KeyName: name, Modifier: mods}
	}
	if s == nil {
		return false
	}
	if m := k.w.MainMenu(); m != nil {
		for _, menu := range m.Items {
			if menuShortcut(s, menu) {
				return true
			}
		}
	}
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		type selectableText interface {
			fyne.Disableable
			SelectedText() string
		}
		run := true
		if st, ok := f.(selectableText); ok && st.Disabled() {
			run = s.ShortcutName() == "Copy"
		}
		if run {
			f.TypedShortcut(s)
		}
		return run
	}
	shortcutable(c).TypedShortcut(s)
	return true
}

// menuShortcut is triggerMenuShortcut.
func menuShortcut(s fyne.Shortcut, m *fyne.Menu) bool {
	for _, it := range m.Items {
		if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() && it.Action != nil {
			it.Action()
			return true
		}
		if it.ChildMenu != nil && menuShortcut(s, it.ChildMenu) {
			return true
		}
	}
	return false
}

func isModifierKey(n fyne.KeyName) bool {
	switch n {
	case desktop.KeyShiftLeft, desktop.KeyShiftRight, desktop.KeyControlLeft, desktop.KeyControlRight,
		desktop.KeyAltLeft, desktop.KeyAltRight, desktop.KeySuperLeft, desktop.KeySuperRight:
		return true
	}
	return false
}

// key presses name alone.
func (k *keyboard) key(name fyne.KeyName) { k.t.Helper(); k.press(name, 0) }

// tab and shiftTab move the focus.
func (k *keyboard) tab()      { k.t.Helper(); k.press(fyne.KeyTab, 0) }
func (k *keyboard) shiftTab() { k.t.Helper(); k.press(fyne.KeyTab, fyne.KeyModifierShift) }

// enter and escape.
func (k *keyboard) enter()  { k.t.Helper(); k.press(fyne.KeyReturn, 0) }
func (k *keyboard) escape() { k.t.Helper(); k.press(fyne.KeyEscape, 0) }

// space presses the space bar, which GLFW reports twice: as the key (the
// key callback, processKeyPressed: a button presses itself) and as the
// character ' ' (the char callback, processCharInput: a check box or radio
// item toggles).
func (k *keyboard) space() {
	k.t.Helper()
	k.press(fyne.KeySpace, 0)
	k.typ(" ")
}

// ctrl presses the platform's shortcut modifier (Ctrl, ⌘ on macOS) with name.
func (k *keyboard) ctrl(name fyne.KeyName) {
	k.t.Helper()
	k.press(name, fyne.KeyModifierShortcutDefault)
}

// typ types text as characters (processCharInput).
func (k *keyboard) typ(text string) {
	k.t.Helper()
	c := k.w.Canvas()
	for _, r := range text {
		if f := c.Focused(); f != nil {
			f.TypedRune(r)
		} else if h := c.OnTypedRune(); h != nil {
			h(r)
		}
	}
}

// focused is the focused widget.
func (k *keyboard) focused() fyne.Focusable { return k.w.Canvas().Focused() }

// tabTo presses Tab until target has the focus, as a person tabs to a
// field; it fails after 60 presses.
func (k *keyboard) tabTo(target fyne.Focusable, what string) {
	k.t.Helper()
	k.tabUntil(what, func(f fyne.Focusable) bool { return f == target })
}

// tabToButton presses Tab until a button labelled text has the focus.
func (k *keyboard) tabToButton(text string) {
	k.t.Helper()
	k.tabUntil("the button "+text, func(f fyne.Focusable) bool { return buttonText(f) == text })
}

// shiftTabTo presses Shift+Tab until target has the focus.
func (k *keyboard) shiftTabTo(target fyne.Focusable, what string) {
	k.t.Helper()
	k.moveUntil(what, k.shiftTab, func(f fyne.Focusable) bool { return f == target })
}

func (k *keyboard) tabUntil(what string, ok func(fyne.Focusable) bool) {
	k.t.Helper()
	k.moveUntil(what, k.tab, ok)
}

func (k *keyboard) moveUntil(what string, move func(), ok func(fyne.Focusable) bool) {
	k.t.Helper()
	var seen []string
	for range 60 {
		if f := k.focused(); f != nil && ok(f) {
			return
		}
		move()
		seen = append(seen, describeFocus(k.focused()))
	}
	if len(seen) > 16 {
		seen = append(seen[:16], "…")
	}
	k.t.Fatalf("the keys never reached %s; the focus went %s", what, strings.Join(seen, " → "))
}

func buttonText(f fyne.Focusable) string {
	switch b := f.(type) {
	case *widgets.Button:
		return b.Text
	case *widget.Button:
		return b.Text
	}
	return ""
}

func describeFocus(f fyne.Focusable) string {
	if f == nil {
		return "nothing"
	}
	if t := buttonText(f); t != "" {
		return fmt.Sprintf("%T %q", f, t)
	}
	switch e := f.(type) {
	case *widgets.Entry:
		return fmt.Sprintf("%T %q", f, e.Text)
	case *widget.Entry:
		return fmt.Sprintf("%T %q", f, e.Text)
	}
	return fmt.Sprintf("%T", f)
}
