package widgets

import "fyne.io/fyne/v2"

// KeepRoom is a layout that keeps room for its objects while they are
// hidden: each gets the size of the largest, shown or not. Controls that
// take turns in one place (Pay or Refund, Apply or Remove) or rows that
// come and go (the Maestro rows) then move nothing around them.
// (Hand-written: Fyne's layouts give a hidden object no room.)
type KeepRoom struct{}

// MinSize is the largest of the objects' minimum sizes, hidden or not.
func (KeepRoom) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

// Layout gives every object the whole room.
func (KeepRoom) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
