package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Entry is Fyne's entry for TrainPay's forms:
//
//   - Tab and Shift+Tab move the focus on and back in a multi-line entry
//     too (Fyne's multi-line entry types a tab character, so the fields
//     after it cannot be reached without the mouse); Ctrl+Tab types the tab
//     character instead.
//   - Enter or Return in a single-line entry without its own OnSubmitted
//     runs the default button of the dialog it is in.
//   - Escape cancels the top-most dialog (see DialogKey).
//
// Its Tooltip shows while the pointer rests on it (see WithTooltips).
type Entry struct {
	widget.Entry
	Tooltip  string
	hasFocus bool   // for the focus ring
	leave    func() // ends the pointer's rest
}

// MouseIn shows the tooltip once the pointer rests on the entry.
func (e *Entry) MouseIn(*desktop.MouseEvent) {
	if e.Tooltip != "" {
		if e.leave != nil {
			e.leave()
		}
		e.leave = hover(e, func() string { return e.Tooltip })
	}
}

// MouseOut hides the tooltip.
func (e *Entry) MouseOut() {
	if e.leave != nil {
		e.leave()
		e.leave = nil
	}
}

// MouseMoved does nothing (the tip stays where it was shown).
func (e *Entry) MouseMoved(*desktop.MouseEvent) {}

// NewEntry makes a single-line entry.
func NewEntry() *Entry {
	e := &Entry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// NewMultiLineEntry makes a multi-line entry; Enter starts a new line, Tab
// moves the focus on and Ctrl+Tab types a tab character.
func NewMultiLineEntry() *Entry {
	e := &Entry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// NewPasswordEntry makes an entry that hides what is typed, with Fyne's
// button that shows it (set up by Fyne's renderer for a Password entry).
func NewPasswordEntry() *Entry {
	e := NewEntry()
	e.Password = true
	return e
}

// AcceptsTab is false: Tab moves the focus even in a multi-line entry.
func (e *Entry) AcceptsTab() bool { return false }

// TypedKey takes Escape and, in a single-line entry without OnSubmitted,
// Enter and Return (see Entry); other keys go to Fyne's entry.
func (e *Entry) TypedKey(ev *fyne.KeyEvent) {
	submit := !e.MultiLine && e.OnSubmitted == nil
	if DialogKey(e, ev, submit) {
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedRune types r, but for the space of a Space that pressed a button
// (see spaceConsumed).
func (e *Entry) TypedRune(r rune) {
	if spaceConsumed(e, r) {
		return
	}
	e.Entry.TypedRune(r)
}

// TypedShortcut types a tab character on Ctrl+Tab in a multi-line entry;
// other shortcuts go to Fyne's entry.
func (e *Entry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && cs.KeyName == fyne.KeyTab && cs.Modifier == fyne.KeyModifierControl {
		if e.MultiLine && !e.Disabled() {
			e.Entry.TypedRune('\t')
		}
		return
	}
	e.Entry.TypedShortcut(s)
}

// CreateRenderer is Fyne's renderer with the focus ring (see focusRing).
func (e *Entry) CreateRenderer() fyne.WidgetRenderer {
	return newFocusRing(e, e.Entry.CreateRenderer(), func() bool { return e.hasFocus })
}

// FocusGained shows the focus ring.
func (e *Entry) FocusGained() {
	e.hasFocus = true
	e.Entry.FocusGained()
	e.Refresh()
}

// FocusLost hides the focus ring.
func (e *Entry) FocusLost() {
	e.hasFocus = false
	e.Entry.FocusLost()
	e.Refresh()
}
