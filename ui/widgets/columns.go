package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// columnsLayout lays its objects out side by side in one row, each taking
// a share of the width in proportion to its weight (Fyne's grid gives
// every column the same width, which starved a list's topic column while
// the numbers had room to spare). A list's header and its rows use the
// same weights, so the columns line up.
type columnsLayout struct {
	weights []float32
	total   float32
}

func newColumnsLayout(weights ...float32) *columnsLayout {
	l := &columnsLayout{weights: weights}
	for _, w := range weights {
		l.total += w
	}
	return l
}

// NewColumns is a row of objects laid out by weights (one per object).
func NewColumns(weights []float32, objects ...fyne.CanvasObject) *fyne.Container {
	return container.New(newColumnsLayout(weights...), objects...)
}

func (l *columnsLayout) weight(i int) float32 {
	if i < len(l.weights) {
		return l.weights[i]
	}
	return 0
}

func (l *columnsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objects {
		w := size.Width * l.weight(i) / l.total
		if i == len(objects)-1 {
			w = size.Width - x // no rounding gap at the right edge
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

// MinSize is wide enough for every column at its weight, and as tall as
// the tallest object.
func (l *columnsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var width, height float32
	for i, o := range objects {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if w := l.weight(i); w > 0 {
			width = max(width, m.Width*l.total/w)
		}
		height = max(height, m.Height)
	}
	return fyne.NewSize(width, height)
}

// NewCellRow is a list row of one CellLabel a column, laid out by weights.
func NewCellRow(weights []float32) *fyne.Container {
	cells := make([]fyne.CanvasObject, len(weights))
	for i := range cells {
		cells[i] = NewCellLabel("")
	}
	return NewColumns(weights, cells...)
}

// SetCellRow shows texts in a row made by NewCellRow; a nil texts is a
// row whose page is still loading.
func SetCellRow(row fyne.CanvasObject, texts []string) {
	for i, c := range row.(*fyne.Container).Objects {
		t := ""
		switch {
		case texts == nil && i == 0:
			t = "…"
		case i < len(texts):
			t = texts[i]
		}
		c.(*CellLabel).SetText(t)
	}
}

// IsColumns says a container is a row of columns (NewColumns). A row's
// first column holds the row's own words (a topic, a person, a code) and
// may end in an ellipsis when they are long; every other column holds
// values from a known set (an amount, a date, a status) that must fit, as
// the UI's clipping test checks at the minimum window size.
func (l *columnsLayout) IsColumns() bool { return true }
