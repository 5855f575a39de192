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
type Entry struct {
	widget.Entry
}

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
