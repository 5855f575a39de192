package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// The cancel confirmation says what the attendee gets back: the session's
// policy (here 60% of 80.00), or nothing for a registration nobody paid.
func TestCancelRegistrationConfirmationStatesTheRefund(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, app.Session{
		Topic: "Partly refunded", StartsAt: time.Now().Add(240 * time.Hour),
		DurationMinutes: 60, Type: app.SessionPaid, FeeMinor: 80_00, MaxRegistrations: 10,
		AttendeesMayCancel: true, CancelHoursBefore: 48, RefundPercent: 60,
	})
	if err != nil {
		t.Fatal(err)
	}
	paid, err := e.svc.Register(ctx, s.ID, app.Attendee{FirstName: "Piotr", LastName: "Wiśniewski", Email: "piotr@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	card := &app.Card{Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 3, Holder: "Piotr W"}
	if _, _, err := e.svc.PayByCard(ctx, paid.ID, nil, app.MethodCreditCard, card, app.Payer{FirstName: "Piotr", LastName: "W", Country: "PL", PostalCode: "00-001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Register(ctx, s.ID, app.Attendee{FirstName: "Anna", LastName: "Nowak", Email: "anna@example.com"}); err != nil {
		t.Fatal(err)
	}

	v := showRegistrations(e.deps, e.w, s, nil)
	v.list.Select(0)
	if r, _ := v.current(); r.ID != paid.ID {
		t.Fatalf("selected %d, want the paid registration", r.ID)
	}
	test.Tap(v.cancel)
	if !hasText(screenTexts(e.w), "PLN 48.00 will be refunded") {
		t.Fatalf("the paid registration's confirmation: %q", screenTexts(e.w))
	}
	test.Tap(findButton(e.w, "No"))

	v.list.Select(1)
	test.Tap(v.cancel)
	if !hasText(screenTexts(e.w), "Nothing will be refunded") {
		t.Fatalf("the unpaid registration's confirmation: %q", screenTexts(e.w))
	}
	test.Tap(findButton(e.w, "Yes"))
	if got, _ := e.svc.Registration(ctx, paid.ID); got.Status != app.RegPaid {
		t.Errorf("the paid registration is %s", got.Status)
	}
	if !strings.Contains(v.message.Text, "Anna") {
		t.Errorf("after cancelling the unpaid one: %q", v.message.Text)
	}
}

// pumpUI runs the refreshes queued for the UI thread (Deps.UI) until ok
// holds; it fails the test after within.
func pumpUI(t *testing.T, queue chan func(), within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.After(within)
	for !ok() {
		select {
		case f := <-queue:
			f()
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatalf("%s: not within %v", what, within)
		}
	}
}

// A paid session three days ahead: the estimate page's Start is refused
// beside the button with the window's opening, in the session's time zone,
// until the services' clock reaches it; then the page clears the refusal
// by itself, with no one touching it.
func TestEstimateStartRefusalClearsWhenTheWindowOpens(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	queue := make(chan func(), 64)
	pe.deps.UI = func(f func()) { queue <- f }
	s := paidSession(t, pe)
	opens := s.StartsAt.Add(-15 * time.Minute)
	pe.clock.setTo(opens.Add(-300 * time.Millisecond))
	p := newEstimatePage(pe.deps, pe.w, s.ID, nil, nil)
	pe.w.SetContent(p.content)
	defer p.stop()
	want := "This session can be started from " + opens.In(s.Location()).Format("15:04") + " (15 minutes before it begins)."
	if !p.start.Disabled() || !p.startWhy.Visible() || !strings.Contains(p.startWhy.Text, want) {
		t.Fatalf("before the window: start disabled %v, %q", p.start.Disabled(), p.startWhy.Text)
	}
	pe.clock.setTo(opens)
	pumpUI(t, queue, 5*time.Second, "the refusal cleared when the window opened", func() bool {
		return !p.start.Disabled() && !p.startWhy.Visible()
	})
	test.Tap(p.start)
	if p.status.Text != T("estimate.started") {
		t.Fatalf("start: %q", p.status.Text)
	}

	SetLanguage("pl")
	defer SetLanguage("en")
	err := app.Session{StartsAt: s.StartsAt, TimeZone: s.TimeZone, DurationMinutes: 60, Status: app.SessionScheduled}.
		CheckStart(opens.Add(-time.Minute), 15)
	if got := ErrorText(err); !strings.Contains(got, "Tę sesję można rozpocząć od "+opens.In(s.Location()).Format("15:04")+" (15 min przed jej początkiem).") {
		t.Fatalf("in Polish: %q", got)
	}
}

// A started session is in progress in the upcoming sessions and its
// detail, and cannot be changed; when its scheduled end passes by the
// services' clock the list reloads by itself and it moves to the past.
func TestSessionsListShowsInProgressAndMovesItToPastWhenItEnds(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	queue := make(chan func(), 64)
	pe.deps.UI = func(f func()) { queue <- f }
	ctx := context.Background()
	s := paidSession(t, pe)
	pe.clock.setTo(s.StartsAt.Add(-5 * time.Minute))
	if err := pe.svc.Start(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	end := s.EndsAt()
	pe.clock.setTo(end.Add(-300 * time.Millisecond))
	site, _ := pe.site.Site(ctx)
	scr := newSessionsScreen(pe.deps, pe.w, site)
	pe.w.SetContent(scr.content)
	defer func() {
		if scr.boundary != nil {
			scr.boundary.Stop()
		}
	}()
	if scr.length() != 1 || scr.rowTexts(scr.list.Shown()[0])[0] != "In progress · "+s.Topic ||
		!containsText(screenTexts(pe.w), "In progress · Szkolenie pr…") {
		t.Fatalf("upcoming: %d rows, %q", scr.length(), screenTexts(pe.w))
	}
	scr.list.Select(0)
	if !strings.Contains(scr.detail.Text, "In progress since "+formatWhen(s.StartsAt.Add(-5*time.Minute), s.Location())) {
		t.Fatalf("detail: %q", scr.detail.Text)
	}
	if !scr.edit.Disabled() || !scr.start.Disabled() {
		t.Fatalf("started: edit disabled %v, start disabled %v", scr.edit.Disabled(), scr.start.Disabled())
	}

	pe.clock.setTo(end.Add(time.Second))
	pumpUI(t, queue, 5*time.Second, "the ended session left the upcoming ones", func() bool { return scr.length() == 0 })
	if scr.selected != nil || !scr.edit.Disabled() {
		t.Fatalf("the ended session is still selected: %+v", scr.selected)
	}
	scr.when.SetSelectedIndex(1) // Past
	if scr.length() != 1 || scr.rowTexts(scr.list.Shown()[0])[0] != s.Topic {
		t.Fatalf("past: %d rows, %q", scr.length(), screenTexts(pe.w))
	}
}

// The site administrator sets how long before its start a session can be
// started: 15 minutes on a new site, 0 to 1440 taken, anything else
// refused in the form and by the domain, and the change audited.
func TestAdministratorSetsTheStartLeadTime(t *testing.T) {
	e := newEnv(t, "en")
	ctx := context.Background()
	e.setUp("PL", "PLN", "Europe/Warsaw")
	m := NewMainWindow(e.app, e.deps)
	m.Open(SectionAdmin)
	adm := m.admin
	test.Type(adm.pass, testPassphrase)
	test.Tap(adm.unlockBtn)
	if adm.admin == nil {
		t.Fatalf("not unlocked: %q", adm.unlockMsg.Text)
	}
	adm.tabs.SelectIndex(1)
	c := adm.commerce
	if c.lead.Text != "15" {
		t.Fatalf("a new site's lead time: %q", c.lead.Text)
	}
	for _, bad := range []string{"1441", "-1", "ten", "1.5"} {
		c.lead.SetText(bad)
		if c.lead.Validate() == nil {
			t.Errorf("the form takes %q", bad)
		}
		test.Tap(c.saveLead)
		if !strings.Contains(adm.statusMsg.Text, "from 0 to 1440") {
			t.Errorf("saving %q: %q", bad, adm.statusMsg.Text)
		}
	}
	if s, _ := e.site.Site(ctx); s.StartLeadMinutes != 15 {
		t.Fatalf("a refused lead time was saved: %d", s.StartLeadMinutes)
	}
	c.lead.SetText("30")
	test.Tap(c.saveLead)
	if s, _ := e.site.Site(ctx); s.StartLeadMinutes != 30 || adm.statusMsg.Text != "Sessions can now be started 30 minutes before they begin." {
		t.Fatalf("saved %d, %q", s.StartLeadMinutes, adm.statusMsg.Text)
	}
	entries, _, err := e.site.AuditLog(ctx, adm.admin, 0, 1)
	if err != nil || len(entries) != 1 || AuditText(entries[0]) != "Site administrator · Minutes before the start a session can be started: 15 ⟶ 30" {
		t.Fatalf("audit %+v %v", entries, err)
	}
}
