package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// radioItems are the items r draws, by label.
func radioItems(t *testing.T, r *RadioGroup) map[string]*radioItem {
	t.Helper()
	test.WidgetRenderer(r)
	items := map[string]*radioItem{}
	for _, it := range r.items() {
		items[it.Label] = it
	}
	if len(items) != len(r.Options) {
		t.Fatalf("%d items for %d options", len(items), len(r.Options))
	}
	return items
}

// Tab reaches each item; Space picks the focused one and, unless the group
// is Required, clears it when picked already; the arrows move the choice
// and the focus, wrapping round; OnChanged hears each change once.
func TestRadioGroupKeys(t *testing.T) {
	var changes []string
	r := NewRadioGroup([]string{"Free", "Paid", "Pay per use"}, func(s string) { changes = append(changes, s) })
	before := NewEntry()
	w := newWindow(t, container.NewVBox(before, r))
	items := radioItems(t, r)
	c := w.Canvas()
	c.Focus(before)
	key(w, fyne.KeyTab)
	if c.Focused() != items["Free"] {
		t.Fatalf("Tab went to %T, want the first item", c.Focused())
	}
	key(w, fyne.KeyTab)
	if c.Focused() != items["Paid"] {
		t.Fatalf("Tab went to %T, want the second item", c.Focused())
	}
	c.Focused().TypedRune(' ')
	if r.Selected != "Paid" || !items["Paid"].Selected || items["Free"].Selected {
		t.Fatalf("Space picked %q", r.Selected)
	}
	c.Focused().TypedRune(' ')
	if r.Selected != "" {
		t.Fatalf("Space on the picked item of a group not Required left %q", r.Selected)
	}
	r.Required = true
	c.Focused().TypedRune(' ')
	c.Focused().TypedRune(' ')
	if r.Selected != "Paid" {
		t.Fatalf("Space on the picked item of a Required group left %q", r.Selected)
	}
	for _, step := range []struct {
		key  fyne.KeyName
		want string
	}{
		{fyne.KeyDown, "Pay per use"},
		{fyne.KeyRight, "Free"},
		{fyne.KeyLeft, "Pay per use"},
		{fyne.KeyUp, "Paid"},
	} {
		key(w, step.key)
		if r.Selected != step.want || c.Focused() != items[step.want] {
			t.Fatalf("%s: picked %q, focus on %v; want %q", step.key, r.Selected, c.Focused(), step.want)
		}
	}
	want := []string{"Paid", "", "Paid", "Pay per use", "Free", "Pay per use", "Paid"}
	if len(changes) != len(want) {
		t.Fatalf("OnChanged heard %q, want %q", changes, want)
	}
	for i := range want {
		if changes[i] != want[i] {
			t.Fatalf("OnChanged heard %q, want %q", changes, want)
		}
	}
}

// A disabled group picks nothing by key or tap.
func TestRadioGroupDisabledPicksNothing(t *testing.T) {
	r := NewRadioGroup([]string{"a", "b"}, nil)
	w := newWindow(t, r)
	items := radioItems(t, r)
	r.Disable()
	w.Canvas().Focus(items["a"])
	items["a"].TypedRune(' ')
	key(w, fyne.KeyDown)
	test.Tap(items["b"])
	if r.Selected != "" {
		t.Fatalf("a disabled group picked %q", r.Selected)
	}
}

// Escape on an item of a dialog's radio group cancels the dialog; Enter
// presses its default button.
func TestRadioGroupEscapeCancelsEnterConfirms(t *testing.T) {
	w := newWindow(t, widget.NewLabel("main"))
	r := NewRadioGroup([]string{"a", "b"}, nil)
	var answers []bool
	d := NewForm("T", "Save", "Cancel", []*widget.FormItem{widget.NewFormItem("Kind", r)},
		func(ok bool) { answers = append(answers, ok) }, w)
	d.Show()
	items := radioItems(t, r)
	w.Canvas().Focus(items["b"])
	key(w, fyne.KeyEscape)
	d.Show()
	w.Canvas().Focus(items["a"])
	key(w, fyne.KeyReturn)
	if len(answers) != 2 || answers[0] || !answers[1] || d.Shown() {
		t.Fatalf("Escape then Enter answered %v, shown %v", answers, d.Shown())
	}
}

// The focused item draws the focus ring; it goes with the focus.
func TestRadioGroupFocusRing(t *testing.T) {
	r := NewRadioGroup([]string{"a", "b"}, nil)
	w := newWindow(t, r)
	items := radioItems(t, r)
	w.Canvas().Focus(items["b"])
	if !RingShown(test.WidgetRenderer(items["b"])) || RingShown(test.WidgetRenderer(items["a"])) {
		t.Fatal("the focused item shows no ring, or the other one does")
	}
	key(w, fyne.KeyUp)
	if !RingShown(test.WidgetRenderer(items["a"])) || RingShown(test.WidgetRenderer(items["b"])) {
		t.Fatal("the ring did not follow the arrow")
	}
	// The ring goes round the circle and the label, not the whole row the
	// item is stretched to.
	w.Resize(fyne.NewSize(600, 200))
	ring := test.WidgetRenderer(items["a"]).(*focusRing).ring
	if items["a"].Size().Width < 400 || ring.Size().Width > items["a"].MinSize().Width+2*ringGap+1 {
		t.Fatalf("item %v, ring %v, item's minimum %v", items["a"].Size(), ring.Size(), items["a"].MinSize())
	}
}

// Options and Selected set directly and refreshed, as screens do when a
// choice's labels change, redraw the items.
func TestRadioGroupFollowsOptionsSetDirectly(t *testing.T) {
	r := NewRadioGroup([]string{"a", "b"}, nil)
	newWindow(t, r)
	radioItems(t, r)
	r.Options = []string{"x", "y", "z"}
	r.Selected = "z"
	r.Refresh()
	items := radioItems(t, r)
	if !items["z"].Selected || items["x"].Selected {
		t.Fatal("the items do not show the choice set directly")
	}
	if r.MinSize().Height <= 2*items["x"].MinSize().Height {
		t.Fatalf("three items in %v", r.MinSize())
	}
}

// Escape in a list of a dialog cancels it; Enter on a list whose rows open
// something selects the highlighted row, on one whose rows do not it
// presses the dialog's default button.
func TestListEscapeAndEnter(t *testing.T) {
	w := newWindow(t, widget.NewLabel("main"))
	rows := []string{"one", "two"}
	l := NewList(func() int { return len(rows) }, func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(rows[id]) })
	var answers []bool
	d := NewForm("T", "Save", "Cancel", []*widget.FormItem{widget.NewFormItem("Rows", l)},
		func(ok bool) { answers = append(answers, ok) }, w)
	d.Show()
	w.Canvas().Focus(l)
	key(w, fyne.KeyEscape)
	if len(answers) != 1 || answers[0] || d.Shown() {
		t.Fatalf("Escape: %v, shown %v", answers, d.Shown())
	}
	d.Show()
	w.Canvas().Focus(l)
	key(w, fyne.KeyReturn)
	if len(answers) != 2 || !answers[1] {
		t.Fatalf("Enter on a list of plain rows: %v", answers)
	}
	opened := -1
	l.OnSelected = func(id widget.ListItemID) { opened = id }
	d.Show()
	w.Canvas().Focus(l)
	key(w, fyne.KeyDown)
	key(w, fyne.KeyReturn)
	if opened != 1 || len(answers) != 2 || !d.Shown() {
		t.Fatalf("Enter on a list of rows that open: row %d, answers %v, shown %v", opened, answers, d.Shown())
	}
}

// Escape in a dialog's time-zone field cancels the dialog; Enter presses
// its default button; the field shows the focus ring while focused.
func TestSelectEntryEscapeEnterAndRing(t *testing.T) {
	w := newWindow(t, widget.NewLabel("main"))
	s := NewSelectEntry([]string{"Europe/Warsaw", "UTC"})
	var answers []bool
	d := NewForm("T", "Save", "Cancel", []*widget.FormItem{widget.NewFormItem("Zone", s)},
		func(ok bool) { answers = append(answers, ok) }, w)
	d.Show()
	w.Canvas().Focus(s)
	if !RingShown(test.WidgetRenderer(s)) {
		t.Fatal("the focused field shows no ring")
	}
	key(w, fyne.KeyEscape)
	d.Show()
	w.Canvas().Focus(s)
	s.TypedRune('U')
	key(w, fyne.KeyReturn)
	if len(answers) != 2 || answers[0] || !answers[1] || d.Shown() || s.Text != "U" {
		t.Fatalf("Escape then Enter answered %v, shown %v, text %q", answers, d.Shown(), s.Text)
	}
}
