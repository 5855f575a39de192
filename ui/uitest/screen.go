package uitest

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/ui/widgets"
)

// Visit is what Walk does after visiting an object.
type Visit int

const (
	Into Visit = iota // go on into what the object holds
	Past              // go on past it, leaving what it holds
	Stop              // end the walk
)

// Walk calls visit on o and then, as visit asks, on what o holds, depth
// first: a container's objects, or a widget's renderer's objects. It
// passes over nil objects and, when visible, hidden ones with all they
// hold. It reports whether visit stopped it.
func Walk(o fyne.CanvasObject, visible bool, visit func(fyne.CanvasObject) Visit) (stopped bool) {
	if o == nil || visible && !o.Visible() {
		return false
	}
	switch visit(o) {
	case Stop:
		return true
	case Past:
		return false
	}
	var children []fyne.CanvasObject
	switch v := o.(type) {
	case *fyne.Container:
		children = v.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(v).Objects()
	}
	for _, c := range children {
		if Walk(c, visible, visit) {
			return true
		}
	}
	return false
}

// Texts returns every string drawn in o (and its renderers' children).
func Texts(o fyne.CanvasObject) []string {
	var out []string
	Walk(o, true, func(o fyne.CanvasObject) Visit {
		if t, ok := o.(*canvas.Text); ok && strings.TrimSpace(t.Text) != "" {
			out = append(out, t.Text)
		}
		return Into
	})
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
	visit := func(o fyne.CanvasObject) Visit {
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == text {
				found = v
				return Stop
			}
		case *widgets.Button:
			if v.Text == text {
				found = &v.Button
				return Stop
			}
		}
		return Into
	}
	for _, o := range w.Canvas().Overlays().List() {
		if Walk(o, true, visit) {
			return found
		}
	}
	Walk(w.Content(), true, visit)
	return found
}
