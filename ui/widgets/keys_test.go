package widgets

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// key presses name on w as Fyne's desktop driver does for a key without
// modifiers (internal/driver/glfw/window.go, processKeyPressed): Tab moves
// the focus unless the focused widget accepts Tab; any other key goes to
// the focused widget's TypedKey, or to the canvas's OnTypedKey when
// nothing is focused.
func key(w fyne.Window, name fyne.KeyName) {
	c := w.Canvas()
	f := c.Focused()
	if name == fyne.KeyTab {
		if t, ok := f.(fyne.Tabbable); !ok || !t.AcceptsTab() {
			c.FocusNext()
			return
		}
	}
	ev := &fyne.KeyEvent{Name: name}
	if f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

func newWindow(t *testing.T, content fyne.CanvasObject) fyne.Window {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewWindow(content)
	w.Resize(fyne.NewSize(800, 600))
	t.Cleanup(w.Close)
	return w
}

// Tab leaves a multi-line entry for the next field; Ctrl+Tab types a tab
// character into it.
func TestMultiLineEntryTabMovesFocusCtrlTabTypes(t *testing.T) {
	desc := NewMultiLineEntry()
	next := NewEntry()
	w := newWindow(t, container.NewVBox(desc, next))
	w.Canvas().Focus(desc)
	key(w, fyne.KeyTab)
	if w.Canvas().Focused() != next {
		t.Fatalf("after Tab the focus is on %T, want the next entry", w.Canvas().Focused())
	}
	if desc.Text != "" {
		t.Fatalf("Tab typed %q", desc.Text)
	}
	w.Canvas().Focus(desc)
	desc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierControl})
	if desc.Text != "\t" {
		t.Fatalf("Ctrl+Tab typed %q, want a tab", desc.Text)
	}
}

// Enter and Return press a focused button as Space does.
func TestButtonEnterPresses(t *testing.T) {
	n := 0
	b := NewButton("Go", func() { n++ })
	w := newWindow(t, b)
	w.Canvas().Focus(b)
	key(w, fyne.KeyReturn)
	key(w, fyne.KeyEnter)
	key(w, fyne.KeySpace)
	if n != 3 {
		t.Fatalf("pressed %d times, want 3", n)
	}
}

// A form dialog focuses its first field; Enter there confirms it once it is
// valid, Escape cancels it from a field or with nothing focused.
func TestFormDialogEnterConfirmsEscapeCancels(t *testing.T) {
	w := newWindow(t, widget.NewLabel("main"))
	name := NewEntry()
	name.Validator = func(s string) error {
		if s == "" {
			return errors.New("empty")
		}
		return nil
	}
	var answers []bool
	d := NewForm("T", "Save", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", name)},
		func(ok bool) { answers = append(answers, ok) }, w)
	d.Show()
	if w.Canvas().Focused() != name {
		t.Fatalf("shown with %T focused, want the first field", w.Canvas().Focused())
	}
	key(w, fyne.KeyReturn) // invalid: stays
	if len(answers) != 0 || !d.Shown() {
		t.Fatalf("Enter on an invalid form: %v, shown %v", answers, d.Shown())
	}
	test.Type(name, "Ann")
	key(w, fyne.KeyReturn)
	if len(answers) != 1 || !answers[0] || d.Shown() {
		t.Fatalf("Enter on a valid form: %v, shown %v", answers, d.Shown())
	}

	d.Show()
	key(w, fyne.KeyEscape)
	if len(answers) != 2 || answers[1] || d.Shown() {
		t.Fatalf("Escape: %v, shown %v", answers, d.Shown())
	}

	d.Show()
	w.Canvas().Unfocus()
	key(w, fyne.KeyEscape)
	if len(answers) != 3 || answers[2] || d.Shown() {
		t.Fatalf("Escape with nothing focused: %v, shown %v", answers, d.Shown())
	}
}

// Escape closes only the top-most of two dialogs; a confirm dialog without
// fields focuses its default button.
func TestEscapeClosesTopDialogOnly(t *testing.T) {
	w := newWindow(t, widget.NewLabel("main"))
	outer := NewCustom("Outer", "Close", widget.NewLabel("x"), w)
	outer.Show()
	var answer *bool
	inner := NewConfirm("Sure?", "Really?", func(ok bool) { answer = &ok }, w)
	inner.Show()
	if w.Canvas().Focused() != inner.Default() {
		t.Fatalf("confirm shown with %T focused, want its default button", w.Canvas().Focused())
	}
	key(w, fyne.KeyEscape)
	if answer == nil || *answer || inner.Shown() || !outer.Shown() {
		t.Fatalf("after Escape: answer %v, inner shown %v, outer shown %v", answer, inner.Shown(), outer.Shown())
	}
	w.Canvas().Focus(outer.Default())
	key(w, fyne.KeyEscape)
	if outer.Shown() {
		t.Fatal("Escape left the outer dialog shown")
	}
}
