package checkouttest

import (
	"fmt"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Keys works a window as a person at the keyboard does, each key the way
// Fyne's desktop driver sends it (fyne.io/fyne/v2
// internal/driver/glfw/window.go, Fyne 2.8.1): processKeyPressed moves the
// focus on Tab and Shift+Tab unless the focused widget takes Tab itself,
// hands a key with Ctrl (or another modifier but Shift) to
// triggersShortcut (the main menu's items first, then the focused
// Shortcutable, else the canvas's shortcuts), and any other key to the
// focused widget's TypedKey, or to the canvas's OnTypedKey when nothing is
// focused; processCharInput hands a typed character to the focused
// widget's TypedRune (or the canvas's OnTypedRune). GLFW reports Space
// twice: as the key, then as the character.
type Keys struct {
	T testing.TB
	W fyne.Window
}

// Press presses name with the modifiers mods held.
func (k Keys) Press(name fyne.KeyName, mods fyne.KeyModifier) {
	k.T.Helper()
	c := k.W.Canvas()
	if name == fyne.KeyTab && mods&^fyne.KeyModifierShift == 0 {
		if t, ok := c.Focused().(fyne.Tabbable); !ok || !t.AcceptsTab() {
			if mods == fyne.KeyModifierShift {
				c.FocusPrevious()
			} else {
				c.FocusNext()
			}
			return
		}
	}
	if mods&^fyne.KeyModifierShift != 0 {
		s := &desktop.CustomShortcut{KeyName: name, Modifier: mods}
		if m := k.W.MainMenu(); m != nil {
			for _, menu := range m.Items {
				for _, it := range menu.Items {
					if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() && it.Action != nil {
						it.Action()
						return
					}
				}
			}
		}
		if f, ok := c.Focused().(fyne.Shortcutable); ok {
			f.TypedShortcut(s)
			return
		}
		shortcutable(c).TypedShortcut(s)
		return
	}
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// shortcutable is the part of c that dispatches the shortcuts added with
// AddShortcut. Fyne 2.8's test canvas wraps its software canvas in an
// interface that leaves TypedShortcut out, so it is reached through the
// exported embedded field.
func shortcutable(c fyne.Canvas) fyne.Shortcutable {
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

// Type types text as characters.
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

// Tab presses Tab.
func (k Keys) Tab() { k.T.Helper(); k.Press(fyne.KeyTab, 0) }

// ShiftTab presses Shift+Tab.
func (k Keys) ShiftTab() { k.T.Helper(); k.Press(fyne.KeyTab, fyne.KeyModifierShift) }

// Enter presses Return.
func (k Keys) Enter() { k.T.Helper(); k.Press(fyne.KeyReturn, 0) }

// Escape presses Escape.
func (k Keys) Escape() { k.T.Helper(); k.Press(fyne.KeyEscape, 0) }

// Space presses the space bar: the key, then the character.
func (k Keys) Space() {
	k.T.Helper()
	k.Press(fyne.KeySpace, 0)
	k.Type(" ")
}

// Focused is the focused widget.
func (k Keys) Focused() fyne.Focusable { return k.W.Canvas().Focused() }

// TabUntil presses Tab until ok holds for the focused widget; it fails the
// test after 60 presses.
func (k Keys) TabUntil(what string, ok func(fyne.Focusable) bool) {
	k.T.Helper()
	for range 60 {
		if f := k.Focused(); f != nil && ok(f) {
			return
		}
		k.Tab()
	}
	k.T.Fatalf("Tab never reached %s", what)
}

// TabTo presses Tab until target has the focus.
func (k Keys) TabTo(target fyne.Focusable, what string) {
	k.T.Helper()
	k.TabUntil(what, func(f fyne.Focusable) bool { return f == target })
}
