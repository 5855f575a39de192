package app_test

import (
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// The start window runs from the site's lead time before the scheduled
// start to the scheduled end; outside it the refusal says from when, in
// the session's time zone.
func TestSessionStartWindowOpensLeadMinutesBeforeTheStartAndClosesAtTheEnd(t *testing.T) {
	warsaw, _ := time.LoadLocation("Europe/Warsaw")
	x := app.Session{
		Topic: "Excel", StartsAt: time.Date(2026, 12, 18, 14, 30, 0, 0, warsaw).UTC(), TimeZone: "Europe/Warsaw",
		DurationMinutes: 90, Type: app.SessionPayPerUse, Status: app.SessionScheduled,
	}
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, warsaw) }
	for _, c := range []struct {
		name string
		now  time.Time
		lead int
		key  string
		from string
	}{
		{"twelve days early", at(6, 9, 0), 15, "error.session.start_too_early", "2026-12-18 14:15"},
		{"the same day, early", at(18, 14, 14), 15, "error.session.start_too_early", "14:15"},
		{"as the window opens", at(18, 14, 15), 15, "", ""},
		{"at the start", at(18, 14, 30), 15, "", ""},
		{"a minute before the end", at(18, 15, 59), 15, "", ""},
		{"at the end", at(18, 16, 0), 15, "error.session.start_over", ""},
		{"no lead time, a minute early", at(18, 14, 29), 0, "error.session.start_at_start", "14:30"},
		{"no lead time, at the start", at(18, 14, 30), 0, "", ""},
		{"a day's lead", at(17, 14, 30), 1440, "", ""},
	} {
		err := x.CheckStart(c.now.UTC(), c.lead)
		if c.key == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		e := app.AsError(err)
		if err == nil || e.Code != app.ECONFLICT || e.Key != c.key {
			t.Errorf("%s: got %v, want %s", c.name, err, c.key)
			continue
		}
		if c.from == "" {
			continue
		}
		if e.Data["From"] != c.from || e.Data["Minutes"] != c.lead {
			t.Errorf("%s: data %v, want From %s", c.name, e.Data, c.from)
		}
		if opens, ok := app.StartWindowOpens(err); !ok || !opens.Equal(x.StartsAt.Add(-time.Duration(c.lead)*time.Minute)) {
			t.Errorf("%s: the window opens at %v (%v)", c.name, opens, ok)
		}
	}
	if _, ok := app.StartWindowOpens(app.Errorf(app.ECONFLICT, "error.session.cancelled", "")); ok {
		t.Error("another error has no opening")
	}
	cancelled := x
	cancelled.Status = app.SessionCancelled
	wantKey(t, cancelled.CheckStart(at(18, 14, 20), 15), "error.session.cancelled")
	started := x
	started.StartedAt = at(18, 14, 20)
	wantKey(t, started.CheckStart(at(18, 14, 25), 15), "error.session.already_started")
	if !started.InProgress(at(18, 15, 0)) || started.InProgress(at(18, 16, 1)) || x.InProgress(at(18, 15, 0)) {
		t.Error("in progress is started and before the scheduled end")
	}
}

// A paid pay-per-use session cannot be started days ahead: Start refuses
// it with the window's message until the service's clock reaches the
// site's lead time before the start. Once started, the session shows as
// started and can no longer be changed.
func TestPayPerUseStartIsRefusedOutsideTheStartWindowAndLocksTheSession(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10) // a week ahead
	c, err := p.svc.PrepareCharge(p.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.pay(c)
	sessions := app.NewSessionService(p.db, p.db, p.site, p.payments, nil)
	if err := p.svc.CanStart(p.ctx, s.ID); err != nil {
		t.Fatalf("paid: %v", err)
	}
	wantKey(t, p.svc.Start(p.ctx, s.ID), "error.session.start_too_early")
	wantKey(t, sessions.CanStart(p.ctx, s.ID), "error.session.start_too_early")

	// The administrator's lead time: 30 minutes.
	if err := p.site.SetStartLead(p.ctx, p.admin, 30); err != nil {
		t.Fatal(err)
	}
	wantCode(t, p.site.SetStartLead(p.ctx, p.admin, 1441), app.EINVALID, "error.site.start_lead")
	wantCode(t, p.site.SetStartLead(p.ctx, p.admin, -1), app.EINVALID, "error.site.start_lead")
	clock := s.StartsAt.Add(-31 * time.Minute)
	p.svc.Now = func() time.Time { return clock }
	sessions.Now = p.svc.Now
	err = p.svc.Start(p.ctx, s.ID)
	wantKey(t, err, "error.session.start_too_early")
	if e := app.AsError(err); e.Data["Minutes"] != 30 {
		t.Fatalf("refusal %+v", e.Data)
	}
	clock = s.StartsAt.Add(-30 * time.Minute)
	if err := sessions.CanStart(p.ctx, s.ID); err != nil {
		t.Fatalf("in the window: %v", err)
	}
	if err := sessions.CanEdit(p.ctx, s.ID); err != nil {
		t.Fatalf("before the start: %v", err)
	}
	if err := p.svc.Start(p.ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	got, err := sessions.Session(p.ctx, s.ID)
	if err != nil || !got.StartedAt.Equal(clock) || !got.InProgress(clock) {
		t.Fatalf("started %v (%v)", got.StartedAt, err)
	}
	wantKey(t, sessions.CanStart(p.ctx, s.ID), "error.session.already_started")
	wantKey(t, sessions.CanEdit(p.ctx, s.ID), "error.session.started_locked")
	got.Topic = "Renamed after the start"
	_, err = sessions.Update(p.ctx, got)
	wantKey(t, err, "error.session.started_locked")
}
