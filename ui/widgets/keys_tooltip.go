package widgets

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// Tooltips: Fyne 2.8 has none. A button of this package with a Tooltip
// shows it below itself while the pointer rests on it and while it has the
// keyboard focus (so a keyboard user meets a command's shortcut where its
// button is); an Entry shows its Tooltip while the pointer rests on it.
//
// The tip is drawn in a layer above the window's content that WithTooltips
// adds, not in one of the canvas's overlays: in Fyne an overlay takes the
// keyboard focus scope, so a tip shown as an overlay would leave the
// focused button unfocused.

// tooltipDelay is how long the pointer rests before the tip shows.
const tooltipDelay = 600 * time.Millisecond

type tooltipLayer struct {
	layer *fyne.Container
	tip   *fyne.Container
	bg    *canvas.Rectangle
	text  *canvas.Text
	owner fyne.CanvasObject
}

var tooltipLayers = struct {
	sync.Mutex
	m map[fyne.Canvas]*tooltipLayer
}{m: map[fyne.Canvas]*tooltipLayer{}}

// WithTooltips is content with the layer where the tooltips of w's
// buttons and entries are drawn; set it as w's content.
func WithTooltips(w fyne.Window, content fyne.CanvasObject) fyne.CanvasObject {
	l := &tooltipLayer{layer: container.NewWithoutLayout()}
	l.bg = canvas.NewRectangle(nil)
	l.text = canvas.NewText("", nil)
	l.tip = container.NewStack(l.bg, container.NewPadded(l.text))
	tooltipLayers.Lock()
	tooltipLayers.m[w.Canvas()] = l
	tooltipLayers.Unlock()
	return container.NewStack(content, l.layer)
}

func layerFor(o fyne.CanvasObject) *tooltipLayer {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	c := app.Driver().CanvasForObject(o)
	if c == nil {
		return nil
	}
	tooltipLayers.Lock()
	defer tooltipLayers.Unlock()
	return tooltipLayers.m[c]
}

// showTooltip shows text below (or, without room, above) owner.
func showTooltip(owner fyne.CanvasObject, text string) {
	l := layerFor(owner)
	if l == nil || text == "" || !owner.Visible() {
		return
	}
	th := theme.CurrentForWidget(owner)
	v := fyne.CurrentApp().Settings().ThemeVariant()
	l.bg.FillColor = th.Color(theme.ColorNameOverlayBackground, v)
	l.bg.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	l.bg.StrokeWidth = 1
	l.bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
	l.text.Text = text
	l.text.Color = th.Color(theme.ColorNameForeground, v)
	l.text.TextSize = th.Size(theme.SizeNameCaptionText)
	l.text.Refresh()

	d := fyne.CurrentApp().Driver()
	at := d.AbsolutePositionForObject(owner).Subtract(d.AbsolutePositionForObject(l.layer))
	size := l.tip.MinSize()
	room := l.layer.Size()
	x := fyne.Min(at.X, room.Width-size.Width)
	y := at.Y + owner.Size().Height + theme.Padding()
	if y+size.Height > room.Height {
		y = at.Y - size.Height - theme.Padding()
	}
	l.tip.Move(fyne.NewPos(fyne.Max(0, x), fyne.Max(0, y)))
	l.tip.Resize(size)
	l.owner = owner
	l.layer.Objects = []fyne.CanvasObject{l.tip}
	l.layer.Refresh()
}

// hideTooltip hides owner's tip, if shown.
func hideTooltip(owner fyne.CanvasObject) {
	l := layerFor(owner)
	if l == nil || l.owner != owner {
		return
	}
	l.owner = nil
	l.layer.Objects = nil
	l.layer.Refresh()
}

// TooltipShown is the text of the tip shown in w, or "".
func TooltipShown(w fyne.Window) string {
	tooltipLayers.Lock()
	l := tooltipLayers.m[w.Canvas()]
	tooltipLayers.Unlock()
	if l == nil || l.owner == nil {
		return ""
	}
	return l.text.Text
}

// afterDelay runs f on the UI thread after d, unless the returned stop is
// called first (a variable, so that a test can run the pending rest on its
// own goroutine: Fyne's test driver runs fyne.Do on the caller's).
var afterDelay = func(d time.Duration, f func()) (stop func() bool) {
	return time.AfterFunc(d, func() { fyne.Do(f) }).Stop
}

// hover shows the tip once the pointer has rested on owner for
// tooltipDelay; the returned function, called when the pointer leaves,
// cancels it. Both run on the UI thread.
func hover(owner fyne.CanvasObject, text func() string) (leave func()) {
	left := false
	stop := afterDelay(tooltipDelay, func() {
		if !left {
			showTooltip(owner, text())
		}
	})
	return func() {
		left = true
		stop()
		hideTooltip(owner)
	}
}
