package uitest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/ui/widgets"
)

// Keys works a window as a person at the keyboard does: every key goes the
// way Fyne's desktop driver sends a key press, so a test written with it
// passes only if the screens can be worked without the mouse.
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
// OnTypedRune). Fyne's test package has no such path (test.Type and
// friends hand keys to one widget), hence this copy of it.
//
// T may be nil for Type alone; the other keys fail the test through it.
type Keys struct {
	T testing.TB
	W fyne.Window
	// Most is how many keys TabTo and the other moves press before they
	// fail the test; 0 is 60.
	Most int
}

// NewKeys is the keyboard of w in the test t.
func NewKeys(t testing.TB, w fyne.Window) Keys { return Keys{T: t, W: w} }

// Press presses and releases name with the modifiers mods held.
func (k Keys) Press(name fyne.KeyName, mods fyne.KeyModifier) {
	k.T.Helper()
	c := k.W.Canvas()
	ev := &fyne.KeyEvent{Name: name}
	if f, ok := c.Focused().(desktop.Keyable); ok {
		f.KeyDown(ev)
	}
	k.dispatch(c, ev, mods)
	if f, ok := c.Focused().(desktop.Keyable); ok {
		f.KeyUp(ev)
	}
}

func (k Keys) dispatch(c fyne.Canvas, ev *fyne.KeyEvent, mods fyne.KeyModifier) {
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
func (k Keys) shortcut(c fyne.Canvas, name fyne.KeyName, mods fyne.KeyModifier) bool {
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
	if m := k.W.MainMenu(); m != nil {
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
	Shortcutable(c).TypedShortcut(s)
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

// Shortcutable is the part of c that dispatches the shortcuts added with
// AddShortcut, as the desktop driver's canvas does for a key press. Fyne
// 2.8's test canvas wraps its software canvas in an interface that leaves
// TypedShortcut out, so it is reached through the exported embedded field.
func Shortcutable(c fyne.Canvas) fyne.Shortcutable {
	if s, ok := c.(fyne.Shortcutable); ok {
		return s
	}
	v := reflect.Indirect(reflect.ValueOf(c))
	if f := v.FieldByName("WindowlessCanvas"); f.IsValid() && f.CanInterface() {
		if s, ok := f.Interface().(fyne.Shortcutable); ok {
			return s
		}
	}
	panic(fmt.Sprintf("the canvas %T takes no shortcuts", c))
}

// PressShortcut types the shortcut key on the window's canvas, past the
// menu and the focused widget: Ctrl+key on Windows and Linux, ⌘+key on
// macOS.
func PressShortcut(w fyne.Window, key fyne.KeyName) {
	Shortcutable(w.Canvas()).TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault})
}

// Key presses name alone.
func (k Keys) Key(name fyne.KeyName) { k.T.Helper(); k.Press(name, 0) }

// Tab and ShiftTab move the focus.
func (k Keys) Tab()      { k.T.Helper(); k.Press(fyne.KeyTab, 0) }
func (k Keys) ShiftTab() { k.T.Helper(); k.Press(fyne.KeyTab, fyne.KeyModifierShift) }

// Enter and Escape.
func (k Keys) Enter()  { k.T.Helper(); k.Press(fyne.KeyReturn, 0) }
func (k Keys) Escape() { k.T.Helper(); k.Press(fyne.KeyEscape, 0) }

// Space presses the space bar, which GLFW reports twice: as the key (the
// key callback, processKeyPressed: a button presses itself) and as the
// character ' ' (the char callback, processCharInput: a check box or radio
// item toggles).
func (k Keys) Space() {
	k.T.Helper()
	k.Press(fyne.KeySpace, 0)
	k.Type(" ")
}

// Ctrl presses the platform's shortcut modifier (Ctrl, ⌘ on macOS) with name.
func (k Keys) Ctrl(name fyne.KeyName) {
	k.T.Helper()
	k.Press(name, fyne.KeyModifierShortcutDefault)
}

// Type types text as characters (processCharInput).
func (k Keys) Type(text string) {
	c := k.W.Canvas()
	for _, r := range text {
		if f := c.Focused(); f != nil {
			f.TypedRune(r)
		} else if h := c.OnTypedRune(); h != nil {
			h(r)
		}
	}
}

// Focused is the focused widget.
func (k Keys) Focused() fyne.Focusable { return k.W.Canvas().Focused() }

// TabTo presses Tab until target has the focus, as a person tabs to a
// field.
func (k Keys) TabTo(target fyne.Focusable, what string) {
	k.T.Helper()
	k.TabUntil(what, func(f fyne.Focusable) bool { return f == target })
}

// TabToButton presses Tab until a button labelled text has the focus.
func (k Keys) TabToButton(text string) {
	k.T.Helper()
	k.TabUntil("the button "+text, func(f fyne.Focusable) bool { return ButtonText(f) == text })
}

// ShiftTabTo presses Shift+Tab until target has the focus.
func (k Keys) ShiftTabTo(target fyne.Focusable, what string) {
	k.T.Helper()
	k.MoveUntil(what, k.ShiftTab, func(f fyne.Focusable) bool { return f == target })
}

// TabUntil presses Tab until ok holds for the focused widget.
func (k Keys) TabUntil(what string, ok func(fyne.Focusable) bool) {
	k.T.Helper()
	k.MoveUntil(what, k.Tab, ok)
}

// MoveUntil presses move until ok holds for the focused widget; it fails
// the test after Most presses, naming where the focus went.
func (k Keys) MoveUntil(what string, move func(), ok func(fyne.Focusable) bool) {
	k.T.Helper()
	most := k.Most
	if most == 0 {
		most = 60
	}
	var seen []string
	for range most {
		if f := k.Focused(); f != nil && ok(f) {
			return
		}
		move()
		seen = append(seen, DescribeFocus(k.Focused()))
	}
	if len(seen) > 16 {
		seen = append(seen[:16], "…")
	}
	k.T.Fatalf("the keys never reached %s; the focus went %s", what, strings.Join(seen, " → "))
}

// ButtonText is the label of f when it is a button, else "".
func ButtonText(f fyne.Focusable) string {
	switch b := f.(type) {
	case *widgets.Button:
		return b.Text
	case *widget.Button:
		return b.Text
	}
	return ""
}

// DescribeFocus names the focused widget f for a failure message.
func DescribeFocus(f fyne.Focusable) string {
	if f == nil {
		return "nothing"
	}
	if t := ButtonText(f); t != "" {
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
