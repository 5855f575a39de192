package uikit

import (
	"fyne.io/fyne/v2"
)

// ShowIn makes a hidden container visible and has layout (the container
// itself, or the scroll that sizes it) lay it out again. Fyne's
// Container.Show only clears the hidden flag and re-lays out nothing, so a
// pane shown on its own stays blank in a real window, although headless
// tests see it "visible". A pane inside a scroll needs the scroll
// refreshed: the scroll sized it while it was hidden.
func ShowIn(c *fyne.Container, layout interface{ Refresh() }) {
	c.Show()
	layout.Refresh()
}

// SetEnabled enables or disables b.
func SetEnabled(b fyne.Disableable, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
