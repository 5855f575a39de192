package ui

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/internal/demodata"
)

// TestScheduleDatePickerSpeaksPolish opens the scheduling form in Polish
// and its start date's calendar: the month and the weekdays are Polish.
func TestScheduleDatePickerSpeaksPolish(t *testing.T) {
	m := newDemoMainWindow(t, demoDatabase(t), "pl")
	w, err := m.ShowScreen("schedule", ScreenOptions{Passphrase: demodata.Passphrase})
	if err != nil {
		t.Fatal(err)
	}
	f := m.sessionsScr.form
	if f.date.Date != nil {
		t.Fatalf("a new session's form has a date: %v", f.date.Date)
	}
	test.WidgetRenderer(f.date) // the calendar button is made with the entry's renderer
	test.Tap(f.date.ActionItem.(*widget.Button))
	now := time.Now()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no calendar opened")
	}
	all := texts(top)
	if want := T("month."+strconv.Itoa(int(now.Month()))) + " " + strconv.Itoa(now.Year()); !containsText(all, want) {
		t.Errorf("the calendar does not name the month %q: %q", want, all)
	}
	if containsText(all, now.Month().String()) {
		t.Errorf("the Polish calendar names the month in English (%s): %q", now.Month(), all)
	}
	for _, day := range []string{"pn", "wt", "śr", "cz", "pt", "sb", "nd"} {
		if !slices.ContainsFunc(all, func(s string) bool { return strings.EqualFold(s, day) }) {
			t.Errorf("no weekday %q in the calendar: %q", day, all)
		}
	}
}
