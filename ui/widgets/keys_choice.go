package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Check is Fyne's check box on which Escape cancels the top-most dialog and
// Enter or Return runs the dialog's default button (Space still toggles it).
type Check struct {
	widget.Check
}

// NewCheck makes a check box labelled label.
func NewCheck(label string, changed func(bool)) *Check {
	c := &Check{}
	c.Text = label
	c.OnChanged = changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey takes Escape, Enter and Return (see Check); other keys go to
// Fyne's check box.
func (c *Check) TypedKey(ev *fyne.KeyEvent) {
	if DialogKey(c, ev, true) {
		return
	}
	c.Check.TypedKey(ev)
}

// TypedRune toggles on Space, but not on the space of a Space that
// pressed a button (see spaceConsumed).
func (c *Check) TypedRune(r rune) {
	if spaceConsumed(c, r) {
		return
	}
	c.Check.TypedRune(r)
}

// Select is Fyne's drop-down on which Escape cancels the top-most dialog
// and Enter or Return runs the dialog's default button (Space and the arrow
// keys still open it).
type Select struct {
	widget.Select
	hasFocus bool // for the focus ring
}

// NewSelect makes a drop-down of options.
func NewSelect(options []string, changed func(string)) *Select {
	s := &Select{}
	s.Options = options
	s.OnChanged = changed
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey takes Escape, Enter and Return (see Select); other keys go to
// Fyne's drop-down.
func (s *Select) TypedKey(ev *fyne.KeyEvent) {
	if DialogKey(s, ev, true) {
		return
	}
	s.Select.TypedKey(ev)
}

// CreateRenderer is Fyne's renderer with the focus ring (see focusRing).
func (s *Select) CreateRenderer() fyne.WidgetRenderer {
	return newFocusRing(s, s.Select.CreateRenderer(), func() bool { return s.hasFocus })
}

// FocusGained shows the focus ring.
func (s *Select) FocusGained() {
	s.hasFocus = true
	s.Select.FocusGained()
	s.Refresh()
}

// FocusLost hides the focus ring.
func (s *Select) FocusLost() {
	s.hasFocus = false
	s.Select.FocusLost()
	s.Refresh()
}

// SelectEntry is Fyne's entry with a drop-down of suggestions (a time
// zone typed or picked) on which Escape cancels the top-most dialog and
// Enter or Return, without its own OnSubmitted, runs the dialog's default
// button, as on Entry; it has the focus ring.
type SelectEntry struct {
	widget.SelectEntry
	hasFocus bool // for the focus ring
}

// NewSelectEntry makes an entry suggesting options.
func NewSelectEntry(options []string) *SelectEntry {
	s := &SelectEntry{}
	s.ExtendBaseWidget(s)
	s.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	s.SetOptions(options)
	return s
}

// AcceptsTab is false: Tab moves the focus.
func (s *SelectEntry) AcceptsTab() bool { return false }

// TypedKey takes Escape and, without OnSubmitted, Enter and Return (see
// SelectEntry); other keys go to Fyne's entry.
func (s *SelectEntry) TypedKey(ev *fyne.KeyEvent) {
	if DialogKey(s, ev, s.OnSubmitted == nil) {
		return
	}
	s.SelectEntry.TypedKey(ev)
}

// TypedRune types r, but for the space of a Space that pressed a button
// (see spaceConsumed).
func (s *SelectEntry) TypedRune(r rune) {
	if spaceConsumed(s, r) {
		return
	}
	s.SelectEntry.TypedRune(r)
}

// CreateRenderer is Fyne's renderer with the focus ring (see focusRing).
func (s *SelectEntry) CreateRenderer() fyne.WidgetRenderer {
	return newFocusRing(s, s.SelectEntry.CreateRenderer(), func() bool { return s.hasFocus })
}

// FocusGained shows the focus ring.
func (s *SelectEntry) FocusGained() {
	s.hasFocus = true
	s.SelectEntry.FocusGained()
	s.Refresh()
}

// FocusLost hides the focus ring.
func (s *SelectEntry) FocusLost() {
	s.hasFocus = false
	s.SelectEntry.FocusLost()
	s.Refresh()
}
