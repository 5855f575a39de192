package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// List is Fyne's list on which Escape cancels the top-most dialog (see
// DialogKey) and Enter or Return acts as Space does: it selects the
// highlighted row, so a list whose rows open something (OnSelected) opens
// it. A list whose rows do nothing when selected (no OnSelected, say a list
// of check boxes) leaves Enter and Return to the dialog's default button.
// Fyne's list takes only Space and the arrows.
type List struct {
	widget.List
}

// NewList makes a list as widget.NewList does.
func NewList(length func() int, createItem func() fyne.CanvasObject, updateItem func(widget.ListItemID, fyne.CanvasObject)) *List {
	l := &List{}
	l.Length = length
	l.CreateItem = createItem
	l.UpdateItem = updateItem
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey takes Escape, Enter and Return (see List); other keys go to
// Fyne's list.
func (l *List) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if l.OnSelected != nil {
			l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
			return
		}
		DialogKey(l, ev, true)
		return
	case fyne.KeyEscape:
		DialogKey(l, ev, false)
		return
	}
	l.List.TypedKey(ev)
}
