package ui

import (
	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/ui/widgets"
)

// The list rows' cells and columns live in ui/widgets; these are the
// package's short names for them.

// searchDelay is widgets.SearchDelay: a search box's wait after a key.
const searchDelay = widgets.SearchDelay

type cellLabel = widgets.CellLabel

func newCellLabel(text string) *cellLabel { return widgets.NewCellLabel(text) }

func newColumns(weights []float32, objects ...fyne.CanvasObject) *fyne.Container {
	return widgets.NewColumns(weights, objects...)
}
