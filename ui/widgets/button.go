package widgets

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Button is Fyne's button that Enter and Return press as Space does (Fyne's
// takes only Space), and on which Escape cancels the top-most dialog (see
// DialogKey).
//
// A Button's Tooltip (say, its command's shortcut) shows below it while it
// has the focus or the pointer rests on it (see WithTooltips).
type Button struct {
	widget.Button
	Tooltip  string
	hasFocus bool   // for the focus ring
	leave    func() // ends the pointer's rest
}

// NewButton makes a button labelled label that runs tapped when pressed.
func NewButton(label string, tapped func()) *Button {
	b := &Button{}
	b.Text = label
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// NewButtonWithIcon is NewButton with an icon.
func NewButtonWithIcon(label string, icon fyne.Resource, tapped func()) *Button {
	b := NewButton(label, tapped)
	b.Icon = icon
	return b
}

// TypedKey presses the button on Enter, Return and Space, cancels the
// top-most dialog on Escape and leaves other keys to Fyne's button.
//
// Fyne's Tapped drops the focus (it is written for the mouse), so a
// keyboard press gives it back to the button afterwards when nothing else
// took it and the button is still there to hold it: the next Tab goes on
// from the button, not from the window's first field.
func (b *Button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		c := focusedCanvas(b)
		b.Tapped(nil)
		if c != nil && c.Focused() == nil && b.Visible() && !b.Disabled() {
			c.Focus(b)
		}
		if ev.Name == fyne.KeySpace && c != nil {
			spacePressed(c.Focused())
		}
	case fyne.KeyEscape:
		DialogKey(b, ev, false)
	default:
		b.Button.TypedKey(ev)
	}
}

// CreateRenderer is Fyne's renderer with the focus ring (see focusRing).
func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	return newFocusRing(b, b.Button.CreateRenderer(), func() bool { return b.hasFocus })
}

// FocusGained shows the focus ring and the tooltip.
func (b *Button) FocusGained() {
	b.hasFocus = true
	b.Button.FocusGained()
	b.Refresh()
	showTooltip(b, b.Tooltip)
}

// FocusLost hides the focus ring and the tooltip.
func (b *Button) FocusLost() {
	b.hasFocus = false
	b.Button.FocusLost()
	b.Refresh()
	hideTooltip(b)
}

// MouseIn shows the tooltip once the pointer rests on the button.
func (b *Button) MouseIn(ev *desktop.MouseEvent) {
	b.Button.MouseIn(ev)
	if b.Tooltip != "" {
		if b.leave != nil {
			b.leave()
		}
		b.leave = hover(b, func() string { return b.Tooltip })
	}
}

// MouseOut hides the tooltip (kept while the button has the focus).
func (b *Button) MouseOut() {
	b.Button.MouseOut()
	if b.leave != nil {
		b.leave()
		b.leave = nil
	}
	if b.hasFocus {
		showTooltip(b, b.Tooltip)
	}
}

// GLFW reports the space bar as a key and then as the character ' '. When
// Space presses a button that opens a dialog, the dialog has focused its
// first field by the time the character comes, and Fyne hands it that
// field: a space would start the text typed, or tick the first check box.
// So the character that follows a button's Space at once is dropped by the
// widget that has the focus after the press, if it is one of this
// package's (spaceConsumed). Only that widget, and only at once: a space
// typed later, or into another field, is kept.
var lastSpace struct {
	sync.Mutex
	at     time.Time
	target fyne.Focusable // what had the focus after the press
}

// spaceWindow is how soon after the key its character comes (at once, in
// the same round of events; a person cannot type a space that fast).
const spaceWindow = 50 * time.Millisecond

func spacePressed(target fyne.Focusable) {
	lastSpace.Lock()
	lastSpace.at, lastSpace.target = time.Now(), target
	lastSpace.Unlock()
}

// spaceConsumed says whether r, typed into w, is the character of a Space
// just pressed on a button, and forgets that press.
func spaceConsumed(w fyne.Focusable, r rune) bool {
	lastSpace.Lock()
	defer lastSpace.Unlock()
	just := r == ' ' && w == lastSpace.target && !lastSpace.at.IsZero() && time.Since(lastSpace.at) < spaceWindow
	lastSpace.at, lastSpace.target = time.Time{}, nil
	return just
}

// TypedRune drops the character of the Space that pressed the button.
func (b *Button) TypedRune(r rune) {
	if spaceConsumed(b, r) {
		return
	}
	b.Button.TypedRune(r)
}
