package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// A cell shows a text that fits whole and ends one that does not with an
// ellipsis, at every width it is given, as Fyne's ellipsis label does.
func TestCellLabelEllipsisOnlyWhenTooLong(t *testing.T) {
	test.NewTempApp(t)
	l := NewCellLabel("")
	w := test.NewWindow(l)
	defer w.Close()
	shown := func() string { return labelText(l) }

	long := "Advanced Go for payments engineers, with a very long topic that cannot fit"
	l.Resize(fyne.NewSize(400, 40))
	l.SetText("Go workshop")
	if got := shown(); got != "Go workshop" {
		t.Fatalf("short text at 400: %q", got)
	}
	if l.Truncation != fyne.TextTruncateClip {
		t.Errorf("a fitting text uses %v, want clip", l.Truncation)
	}
	l.SetText(long)
	if got := shown(); !strings.HasSuffix(got, "…") || len(got) >= len(long) || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Fatalf("long text at 400: %q", got)
	}
	// Wider: the whole text fits again, with no ellipsis.
	l.Resize(fyne.NewSize(2000, 40))
	if got := shown(); got != long {
		t.Fatalf("long text at 2000: %q", got)
	}
	// Narrower again: the ellipsis is back.
	l.Resize(fyne.NewSize(150, 40))
	if got := shown(); !strings.HasSuffix(got, "…") {
		t.Fatalf("long text at 150: %q", got)
	}
	// A short text in the same narrow cell shows whole.
	l.SetText("12,00 zł")
	if got := shown(); got != "12,00 zł" {
		t.Fatalf("short text at 150: %q", got)
	}
}
