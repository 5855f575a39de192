package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// Columns share the width by weight, fill it to the right edge, and ask
// for enough width to give each object its minimum at its share.
func TestColumnsLayoutWeights(t *testing.T) {
	a := canvas.NewRectangle(nil)
	a.SetMinSize(fyne.NewSize(30, 10))
	b := canvas.NewRectangle(nil)
	b.SetMinSize(fyne.NewSize(40, 20))
	c := NewColumns([]float32{3, 1}, a, b)
	c.Resize(fyne.NewSize(401, 50))
	if a.Size().Width != 300.75 || a.Position().X != 0 || b.Position().X != 300.75 || b.Size().Width != 100.25 {
		t.Errorf("a %v at %v, b %v at %v", a.Size(), a.Position(), b.Size(), b.Position())
	}
	if a.Size().Height != 50 || b.Size().Height != 50 {
		t.Errorf("heights %v %v", a.Size(), b.Size())
	}
	// b needs 40 at a quarter of the width: 160 in all.
	if got := c.MinSize(); got != fyne.NewSize(160, 20) {
		t.Errorf("MinSize %v, want 160×20", got)
	}
}
