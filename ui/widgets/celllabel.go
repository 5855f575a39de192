package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// CellLabel is the one-line label of list rows: a text too long for its
// cell ends with an ellipsis, as with widget.Label's TextTruncateEllipsis.
//
// Fyne's ellipsis (v2.7, unchanged in v2.8) shapes the whole text with a newly built
// HarfBuzz font on every refresh and resize of the label, even when the
// text fits. A list binds its visible rows on every scroll step, so at a
// screen of rows times five cells this was the largest cost of opening
// the sessions list and of scrolling it (BENCHMARKS.md, start-up). A cell
// whose text fits is drawn with TextTruncateClip instead, which measures
// through Fyne's text-size cache and cuts nothing from a text that fits;
// only a text wider than its cell pays for the ellipsis.
type CellLabel struct {
	widget.Label
}

func NewCellLabel(text string) *CellLabel {
	l := &CellLabel{}
	l.Text = text
	l.Truncation = fyne.TextTruncateClip
	l.ExtendBaseWidget(l)
	return l
}

// SetText changes the text, refreshing only when it differs.
func (l *CellLabel) SetText(text string) {
	if text == l.Text {
		return
	}
	l.Text = text
	l.fit(l.Size().Width)
	l.Refresh()
}

// Resize chooses clip or ellipsis for the new width.
func (l *CellLabel) Resize(size fyne.Size) {
	changed := l.fit(size.Width)
	l.Label.Resize(size)
	if changed {
		l.Refresh()
	}
}

// fit sets the truncation a text needs at a width, and says whether it
// changed. Before the label has a width nothing is decided.
func (l *CellLabel) fit(width float32) bool {
	if width <= 0 {
		return false
	}
	want := fyne.TextTruncateClip
	if l.Text != "" {
		th := l.Theme()
		room := width - 2*th.Size(theme.SizeNameInnerPadding)
		if fyne.MeasureText(l.Text, th.Size(theme.SizeNameText), l.TextStyle).Width > room {
			want = fyne.TextTruncateEllipsis
		}
	}
	if want == l.Truncation {
		return false
	}
	l.Truncation = want
	return true
}
