package widgets

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
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

// A focused button, entry or drop-down draws a ring of the primary colour
// around itself; it goes when the focus goes.
func TestFocusRingShowsWhileFocused(t *testing.T) {
	b := NewButton("Go", nil)
	e := NewEntry()
	s := NewSelect([]string{"a"}, nil)
	w := newWindow(t, container.NewVBox(b, e, s))
	for _, f := range []interface {
		fyne.Widget
		fyne.Focusable
	}{b, e, s} {
		ring := test.WidgetRenderer(f).(*focusRing).ring
		w.Canvas().Focus(f)
		primary := theme.CurrentForWidget(f).Color(theme.ColorNamePrimary, fyne.CurrentApp().Settings().ThemeVariant())
		if ring.StrokeColor != primary || ring.StrokeWidth < 2 {
			t.Errorf("%T focused: ring %v width %v, want %v", f, ring.StrokeColor, ring.StrokeWidth, primary)
		}
		w.Canvas().Unfocus()
		if _, _, _, a := ring.StrokeColor.RGBA(); a != 0 {
			t.Errorf("%T unfocused: ring %v", f, ring.StrokeColor)
		}
	}
}

// Escape in a date entry, a check box or a drop-down of a dialog cancels
// it; Enter there presses the default button.
func TestEscapeAndEnterFromOtherFields(t *testing.T) {
	w := newWindow(t, widget.NewLabel("main"))
	day := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	date := NewDateEntry()
	date.SetDate(&day)
	for _, f := range []interface {
		fyne.Focusable
		fyne.CanvasObject
	}{date, NewCheck("on", nil), NewSelect([]string{"a", "b"}, nil)} {
		var answers []bool
		d := NewForm("T", "Save", "Cancel", []*widget.FormItem{widget.NewFormItem("Field", f)},
			func(ok bool) { answers = append(answers, ok) }, w)
		d.Show()
		w.Canvas().Focus(f)
		key(w, fyne.KeyEscape)
		d.Show()
		w.Canvas().Focus(f)
		key(w, fyne.KeyReturn)
		if len(answers) != 2 || answers[0] || !answers[1] || d.Shown() {
			t.Errorf("%T: Escape then Enter answered %v, shown %v", f, answers, d.Shown())
		}
	}
}

// A tooltip shows once the pointer has rested on a button or an entry, and
// goes when it leaves; a focused button shows its tip at once.
func TestTooltipOnRestAndFocus(t *testing.T) {
	type wait struct {
		f       func()
		stopped bool
	}
	var pending []*wait
	defer func(orig func(time.Duration, func()) func() bool) { afterDelay = orig }(afterDelay)
	afterDelay = func(_ time.Duration, f func()) func() bool {
		w := &wait{f: f}
		pending = append(pending, w)
		return func() bool { w.stopped = true; return true }
	}
	rest := func() {
		for _, w := range pending {
			if !w.stopped {
				w.f()
			}
		}
		pending = nil
	}
	test.NewTempApp(t)
	b := NewButton("Go", nil)
	b.Tooltip = "Shortcut: Ctrl+G"
	e := NewEntry()
	e.Tooltip = "Shortcut: Ctrl+F"
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	w.SetContent(WithTooltips(w, container.NewVBox(b, e)))
	w.Resize(fyne.NewSize(400, 300))

	b.MouseIn(nil)
	if got := TooltipShown(w); got != "" {
		t.Fatalf("shown before the rest: %q", got)
	}
	rest()
	if got := TooltipShown(w); got != b.Tooltip {
		t.Fatalf("after the rest: %q", got)
	}
	b.MouseOut()
	if got := TooltipShown(w); got != "" {
		t.Fatalf("after the pointer left: %q", got)
	}
	e.MouseIn(nil)
	e.MouseOut()
	rest()
	if got := TooltipShown(w); got != "" {
		t.Fatalf("a rest cut short showed %q", got)
	}
	e.MouseIn(nil)
	rest()
	if got := TooltipShown(w); got != e.Tooltip {
		t.Fatalf("the entry after the rest: %q", got)
	}
	e.MouseOut()
	w.Canvas().Focus(b)
	if got := TooltipShown(w); got != b.Tooltip {
		t.Fatalf("the button focused: %q", got)
	}
}

// Space on a button that opens a form types no space into its first field
// (GLFW sends the key and then its character, which the field now has the
// focus for); a space typed afterwards is typed.
func TestSpaceOpeningADialogTypesNothingInIt(t *testing.T) {
	w := newWindow(t, widget.NewLabel("main"))
	name := NewEntry()
	open := NewButton("Open", func() {
		NewForm("T", "Save", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", name)}, nil, w).Show()
	})
	w.SetContent(open)
	w.Canvas().Focus(open)
	key(w, fyne.KeySpace)
	w.Canvas().Focused().TypedRune(' ')
	if w.Canvas().Focused() != name || name.Text != "" {
		t.Fatalf("after Space: focus %T, name %q", w.Canvas().Focused(), name.Text)
	}
	for _, r := range "a b" {
		w.Canvas().Focused().TypedRune(r)
	}
	if name.Text != "a b" {
		t.Fatalf("typed %q, want %q", name.Text, "a b")
	}
}
