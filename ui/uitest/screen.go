package uitest

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/ui/widgets"
)

// Texts returns every string drawn in o (and its renderers' children).
func Texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *canvas.Text:
			if strings.TrimSpace(v.Text) != "" {
				out = append(out, v.Text)
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// ScreenTexts returns the strings of a window's content and its overlays.
func ScreenTexts(w fyne.Window) []string {
	out := Texts(w.Content())
	for _, o := range w.Canvas().Overlays().List() {
		out = append(out, Texts(o)...)
	}
	return out
}

// ContainsText says whether one of all contains want.
func ContainsText(all []string, want string) bool {
	for _, s := range all {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

// FindButton finds a visible button by its text in the window or its
// overlays (the keyboard's buttons, widgets.Button, by the Fyne button
// they embed); nil when there is none.
func FindButton(w fyne.Window, text string) *widget.Button {
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == text {
				found = v
				return
			}
		case *widgets.Button:
			if v.Text == text {
				found = &v.Button
				return
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		}
		if wd, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(wd).Objects() {
				walk(c)
			}
		}
	}
	for _, o := range w.Canvas().Overlays().List() {
		walk(o)
	}
	walk(w.Content())
	return found
}
