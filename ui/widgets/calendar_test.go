package widgets

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/ui/uikit"
)

// shownTexts are the texts of a calendar's labels and buttons.
func shownTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
			return
		case *widget.Button:
			out = append(out, v.Text)
			return
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

func inLanguage(t *testing.T, language string) {
	t.Helper()
	test.NewTempApp(t)
	uikit.SetLanguage(language)
	t.Cleanup(func() { uikit.SetLanguage("en") })
}

func TestCalendarNamesTheMonthAndWeekdaysInPolish(t *testing.T) {
	inLanguage(t, "pl")
	c := NewCalendar(time.Date(2026, time.December, 18, 15, 4, 0, 0, time.UTC))
	w := test.NewWindow(c)
	defer w.Close()
	texts := shownTexts(c)
	for _, want := range []string{"grudzień 2026", "pn", "wt", "śr", "cz", "pt", "sb", "nd", "1", "31"} {
		if !slices.Contains(texts, want) {
			t.Errorf("the calendar does not show %q: %q", want, texts)
		}
	}
	for _, english := range []string{"December", "Mon", "MON", "Fri"} {
		for _, s := range texts {
			if strings.Contains(s, english) {
				t.Errorf("English %q in the Polish calendar: %q", english, texts)
			}
		}
	}
	// Polish weeks start on Monday: 1 December 2026 is a Tuesday, so one
	// empty cell comes before it.
	if _, ok := c.grid.Objects[7].(*layout.Spacer); !ok {
		t.Fatalf("the first cell of the first week is %T, want an empty cell", c.grid.Objects[7])
	}
	if b, ok := c.grid.Objects[8].(*widget.Button); !ok || b.Text != "1" {
		t.Fatalf("Tuesday's cell of the first week is %T %v, want the 1st", c.grid.Objects[8], c.grid.Objects[8])
	}
}

func TestCalendarNamesTheMonthInEnglish(t *testing.T) {
	inLanguage(t, "en")
	c := NewCalendar(time.Date(2026, time.December, 18, 0, 0, 0, 0, time.UTC))
	w := test.NewWindow(c)
	defer w.Close()
	if texts := shownTexts(c); !slices.Contains(texts, "December 2026") || !slices.Contains(texts, "Fri") {
		t.Fatalf("the English calendar shows %q", texts)
	}
}

func TestCalendarKeysMoveTheDayEnterPicksEscapeCancels(t *testing.T) {
	inLanguage(t, "pl")
	c := NewCalendar(time.Date(2026, time.December, 30, 0, 0, 0, 0, time.UTC))
	w := test.NewWindow(c)
	defer w.Close()
	var picked []time.Time
	cancelled := 0
	c.OnPicked = func(d time.Time) { picked = append(picked, d) }
	c.OnCancelled = func() { cancelled++ }
	w.Canvas().Focus(c)
	press := func(k fyne.KeyName) { w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: k}) }

	press(fyne.KeyRight) // 31 December
	press(fyne.KeyRight) // 1 January 2027: the month follows
	if got := c.MonthTitle(); got != "styczeń 2027" {
		t.Fatalf("after moving past the month's end the calendar shows %q", got)
	}
	press(fyne.KeyDown)     // 8 January
	press(fyne.KeyUp)       // 1 January
	press(fyne.KeyUp)       // 25 December
	press(fyne.KeyLeft)     // 24 December
	press(fyne.KeyPageDown) // 24 January
	press(fyne.KeyPageUp)   // 24 December
	press(fyne.KeyReturn)
	want := time.Date(2026, time.December, 24, 0, 0, 0, 0, time.UTC)
	if len(picked) != 1 || !picked[0].Equal(want) {
		t.Fatalf("Enter picked %v, want %v", picked, want)
	}
	if cancelled != 0 {
		t.Fatal("cancelled without Escape")
	}
	press(fyne.KeyEscape)
	if cancelled != 1 || len(picked) != 1 {
		t.Fatalf("Escape: cancelled %d times, picked %v", cancelled, picked)
	}
}

func TestCalendarMonthMoveKeepsTheDayWithinTheMonth(t *testing.T) {
	inLanguage(t, "en")
	c := NewCalendar(time.Date(2027, time.January, 31, 0, 0, 0, 0, time.UTC))
	c.move(0, 1, 0)
	if want := time.Date(2027, time.February, 28, 0, 0, 0, 0, time.UTC); !c.Day().Equal(want) {
		t.Fatalf("a month after 31 January is %v, want %v", c.Day(), want)
	}
}

func TestDateEntryPicksFromOurCalendarByKeyboard(t *testing.T) {
	inLanguage(t, "pl")
	e := NewDateEntry()
	start := time.Date(2026, time.December, 7, 0, 0, 0, 0, time.UTC)
	e.SetDate(&start)
	w := test.NewWindow(container.NewVBox(e))
	defer w.Close()
	w.Resize(fyne.NewSize(400, 500))

	// Tab from the entry reaches the calendar button, Space presses it.
	open := e.ActionItem.(*widget.Button)
	w.Canvas().Focus(e)
	w.Canvas().FocusNext()
	if w.Canvas().Focused() != fyne.Focusable(open) {
		t.Fatalf("Tab from the entry goes to %T, not the calendar button", w.Canvas().Focused())
	}
	open.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	c := e.Calendar()
	if c == nil {
		t.Fatal("Space on the calendar button opened no calendar")
	}
	if w.Canvas().Focused() != c {
		t.Fatalf("the calendar does not have the keyboard: %T has", w.Canvas().Focused())
	}
	if texts := shownTexts(c); !slices.Contains(texts, "grudzień 2026") {
		t.Fatalf("the entry's calendar shows %q", texts)
	}
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if want := start.AddDate(0, 0, 7); e.Date == nil || !e.Date.Equal(want) {
		t.Fatalf("picked %v, want %v", e.Date, want)
	}
	if e.Calendar() != nil || e.Text == "" {
		t.Fatalf("after picking: calendar still open %v, text %q", e.Calendar() != nil, e.Text)
	}
	if w.Canvas().Focused() != fyne.Focusable(e) {
		t.Fatalf("the entry did not get the keyboard back: %T has", w.Canvas().Focused())
	}

	// Escape closes it without changing the date.
	open.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if e.Calendar() != nil || !e.Date.Equal(start.AddDate(0, 0, 7)) {
		t.Fatalf("Escape: calendar open %v, date %v", e.Calendar() != nil, e.Date)
	}
}
