package checkout

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uikit"
)

// The card form holds still while a person types: a field's message line
// and the Maestro rows take their room from the start. Fyne's layouts give
// a hidden object no room and a wrapped label the height of what it shows
// now, so these two layouts keep the room themselves.

// messageRoom is the room under a field for its message: as high as the
// longest message the field can show while it is typed into, wrapped at
// the width the form gives it, whether a message shows or not.
type messageRoom struct {
	label *widget.Label
	texts []string // the field's messages, in the UI language

	width  float32 // the width last laid out at
	height float32 // the room at that width
}

// newMessageRoom is the room of label, whose text is one of texts or
// nothing; the label keeps its own visibility.
func newMessageRoom(label *widget.Label, texts []string) *fyne.Container {
	return &fyne.Container{Layout: &messageRoom{label: label, texts: texts}, Objects: []fyne.CanvasObject{label}}
}

// MinSize is the room at the width last laid out at: one line until the
// form has been laid out once (the dialog lays itself out until it
// settles when shown, for that). The label's own padding above and below
// its text is left out but for a little: the line sits close under its
// field.
func (r *messageRoom) MinSize([]fyne.CanvasObject) fyne.Size {
	if r.height == 0 {
		r.height = r.measure(0)
	}
	return fyne.NewSize(0, r.height-2*r.trim())
}

// Layout gives the label the whole room (its padding reaching past it),
// and measures the room again when the width changed.
func (r *messageRoom) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	if size.Width > 0 && size.Width != r.width {
		r.width = size.Width
		r.height = r.measure(size.Width)
	}
	t := r.trim()
	for _, o := range objects {
		o.Move(fyne.NewPos(0, -t))
		o.Resize(fyne.NewSize(size.Width, size.Height+2*t))
	}
}

// trim is how much of the label's padding, above and below, the room
// leaves out.
func (r *messageRoom) trim() float32 { return theme.InnerPadding() - theme.Padding()/2 }

// measure is the height of the longest of the texts wrapped at width, as
// the label draws it; at width 0, one line.
func (r *messageRoom) measure(width float32) float32 {
	probe := func(text string) float32 {
		l := widget.NewLabel(text)
		l.Wrapping = r.label.Wrapping
		l.SizeName = r.label.SizeName
		l.TextStyle = r.label.TextStyle
		if width > 0 {
			l.Resize(fyne.NewSize(width, 0))
		}
		return l.MinSize().Height
	}
	h := probe("X")
	if width == 0 {
		return h
	}
	for _, t := range r.texts {
		h = max(h, probe(t))
	}
	return h
}

// fieldMessages are the messages a card field can show while it is typed
// into, in the UI language: what its room is measured by. The processor's
// own refusal (after Pay) and the text rule's refusal of a pasted control
// character in the name are not among them: rare, and the dialog makes
// room for them when they come.
func fieldMessages(field string) []string {
	keys := map[string][]string{
		fieldHolder: {"error.card.holder_required"},
		fieldNumber: {
			"error.card.number_required", "error.card.number_chars", "error.card.number_length",
			"error.card.brand_unsupported", "error.card.number_luhn",
		},
		fieldExpiry:   {"error.card.expiry_format", "error.card.expired", "error.card.expiry_far"},
		fieldCVV:      {"error.card.cvv_length"},
		fieldStart:    {"error.card.maestro_start", "error.card.start_format"},
		fieldIssue:    {"error.card.maestro_issue", "error.card.maestro_start"},
		fieldPostcode: {"error.card.postcode_invalid"},
		fieldCountry:  {"error.card.country_required"},
	}[field]
	// The longest values their templates take.
	data := map[string]any{"Max": app.MaxPostcodeLen, "Years": 20, "Length": 4}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = uikit.T(k, data)
	}
	return out
}
