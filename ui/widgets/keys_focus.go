package widgets

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// focusRing draws a ring of the theme's primary colour around a focused
// widget, just outside it, on top of Fyne's own renderer: Fyne marks a
// focused button only by tinting it with the focus colour (barely seen on
// a coloured button) and a focused entry by a one-pixel border, so a
// keyboard user loses sight of where the keys go. Outside the widget, the
// ring shows on a button of any colour; Fyne has no focus-ring option, so
// it is drawn here.
type focusRing struct {
	fyne.WidgetRenderer
	w       fyne.Widget
	focused func() bool
	ring    *canvas.Rectangle
	// around, when set, is the size of what the ring goes round, within
	// the widget's size (a radio item rings its circle and label, not the
	// whole row it is stretched to).
	around func(fyne.Size) fyne.Size
}

// ringGap is how far outside the widget the ring is drawn; ringWidth its
// thickness. Both fit in the theme's padding between widgets.
const (
	ringGap   = 3
	ringWidth = 2
)

func newFocusRing(w fyne.Widget, r fyne.WidgetRenderer, focused func() bool) *focusRing {
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeWidth = ringWidth
	ring.StrokeColor = color.Transparent
	f := &focusRing{WidgetRenderer: r, w: w, focused: focused, ring: ring}
	f.paint()
	return f
}

func (f *focusRing) Layout(size fyne.Size) {
	f.WidgetRenderer.Layout(size)
	if f.around != nil {
		size = f.around(size)
	}
	f.ring.Move(fyne.NewPos(-ringGap, -ringGap))
	f.ring.Resize(size.AddWidthHeight(2*ringGap, 2*ringGap))
}

func (f *focusRing) Objects() []fyne.CanvasObject {
	return append(slices.Clip(f.WidgetRenderer.Objects()), f.ring)
}

func (f *focusRing) Refresh() {
	f.WidgetRenderer.Refresh()
	f.paint()
}

func (f *focusRing) paint() {
	th := theme.CurrentForWidget(f.w)
	v := fyne.CurrentApp().Settings().ThemeVariant()
	f.ring.CornerRadius = th.Size(theme.SizeNameInputRadius) + ringGap
	if f.focused() {
		f.ring.StrokeColor = th.Color(theme.ColorNamePrimary, v)
	} else {
		f.ring.StrokeColor = color.Transparent
	}
	f.ring.Refresh()
}

// RingShown says whether r, a widget's renderer, draws the focus ring now
// (for tests of screens that check where the focus shows).
func RingShown(r fyne.WidgetRenderer) bool {
	f, ok := r.(*focusRing)
	if !ok {
		return false
	}
	_, _, _, a := f.ring.StrokeColor.RGBA()
	return a != 0 && f.ring.StrokeWidth > 0
}
