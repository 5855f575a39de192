package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Button is Fyne's button that Enter and Return press as Space does (Fyne's
// takes only Space), and on which Escape cancels the top-most dialog (see
// DialogKey).
type Button struct {
	widget.Button
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
	case fyne.KeyEscape:
		DialogKey(b, ev, false)
	default:
		b.Button.TypedKey(ev)
	}
}
