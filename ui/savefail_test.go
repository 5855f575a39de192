package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
	"github.com/trainpay/trainpay/ui/widgets"
)

// goneErr is the store's answer while the organisation database cannot be
// reached.
func goneErr() error {
	return &app.Error{
		Code: app.EUNAVAILABLE, Key: "error.orgdb.unreachable", Message: "cannot reach",
		Data: map[string]any{"Database": "trainpay on db.example.org:5432 as anna"}, Err: errors.New("connection refused"),
	}
}

// failingSessions is a session service whose saves fail as a store that
// cannot be reached.
type failingSessions struct{ SessionService }

func (failingSessions) Schedule(context.Context, app.Session) (app.Session, error) {
	return app.Session{}, goneErr()
}

func (failingSessions) Update(context.Context, app.Session) (app.Session, error) {
	return app.Session{}, goneErr()
}

func (failingSessions) Register(context.Context, int64, app.Attendee) (app.Registration, error) {
	return app.Registration{}, goneErr()
}

// failingBudgets is a budget service whose department save fails so.
type failingBudgets struct{ BudgetService }

func (failingBudgets) SaveDepartment(context.Context, *app.Admin, *app.Department) error {
	return goneErr()
}

const goneText = "TrainPay cannot reach the organisation database trainpay on db.example.org:5432 as anna"

// A schedule that cannot be saved says why and keeps what was typed, ready
// to save again.
func TestScheduleFormKeepsWhatWasTypedWhenTheSaveFails(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	e.deps.Sessions = failingSessions{e.deps.Sessions}
	f := e.form(nil)
	fillValid(e.w, f)
	typeFee(f, "12.50")
	test.Tap(f.save)
	if !f.message.Visible() || !strings.Contains(f.message.Text, goneText) {
		t.Fatalf("message %q", f.message.Text)
	}
	if f.topic.Text != "Excel dla księgowych" || f.clock.Text != "10:00" || f.capacity.Text != "20" || f.fee.Text != "12.50" ||
		f.sessionType.Selected != T("schedule.type_paid") || f.date.Date == nil {
		t.Fatalf("values lost: %q %q %q %q %q", f.topic.Text, f.clock.Text, f.capacity.Text, f.fee.Text, f.sessionType.Selected)
	}
	if f.save.Disabled() {
		t.Fatal("Schedule cannot be pressed again")
	}
}

// A registration that cannot be saved says why and keeps the attendee's
// details on the page.
func TestRegistrationFormKeepsWhatWasTypedWhenTheSaveFails(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	s := e.schedulePaid("Kept values", 10_00, 10)
	deps := e.deps
	deps.Sessions = failingSessions{e.deps.Sessions}
	f := showRegisterDialog(deps, e.w, s, nil)
	registerAttendee(t, f, "Zofia", "Wójcik", "zofia@example.com")
	if f.payment != nil || !f.message.Visible() || !strings.Contains(f.message.Text, goneText) {
		t.Fatalf("message %q", f.message.Text)
	}
	if f.first.Text != "Zofia" || f.last.Text != "Wójcik" || f.email.Text != "zofia@example.com" || f.company.Text != "Acme" ||
		f.next.Disabled() {
		t.Fatalf("values lost: %q %q %q %q", f.first.Text, f.last.Text, f.email.Text, f.company.Text)
	}
}

// overlayEntries is every shown entry in w's overlays, top first.
func overlayEntries(w fyne.Window) []*widget.Entry {
	var out []*widget.Entry
	visit := func(o fyne.CanvasObject) uitest.Visit {
		switch en := o.(type) {
		case *widget.Entry:
			out = append(out, en)
			return uitest.Past
		case *widgets.Entry:
			out = append(out, &en.Entry)
			return uitest.Past
		}
		return uitest.Into
	}
	ov := w.Canvas().Overlays().List()
	for i := len(ov) - 1; i >= 0; i-- {
		uitest.Walk(ov[i], true, visit)
	}
	return out
}

// A department that cannot be saved says why, and its form comes back
// with what was typed.
func TestDepartmentFormKeepsWhatWasTypedWhenTheSaveFails(t *testing.T) {
	pe, entries := openDepartmentForm(t, "en", func(b BudgetService) BudgetService { return failingBudgets{b} })
	typed := []string{"Dział Szkoleń", "CC-7700", "Jan Nowak", "jan@example.com"}
	for i, v := range typed {
		test.Type(entries[i], v)
	}
	test.Tap(findButton(pe.w, T("departments.save")))
	// (The error dialog wraps the sentence.)
	if !containsText(screenTexts(pe.w), "TrainPay cannot reach the organisation database") {
		t.Fatalf("no reason shown: %q", screenTexts(pe.w))
	}
	// Under the error, the form again with every value typed.
	var form []string
	for _, en := range overlayEntries(pe.w) {
		form = append(form, en.Text)
	}
	if len(form) < 4 || strings.Join(form[:4], "|") != strings.Join(typed, "|") {
		t.Fatalf("the form after the failure holds %q, want %q", form, typed)
	}
}
