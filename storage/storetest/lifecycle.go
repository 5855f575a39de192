package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// LifecycleBackend is what the session lifecycle suite needs of a store:
// the site (its start lead time), sessions and the pay-per-use start
// record. Both backends' DB implement it.
type LifecycleBackend interface {
	app.SiteStore
	app.SessionStore
	MarkStarted(ctx context.Context, sessionID int64, at time.Time, costMinor int64) error
}

// RunSessionLifecycleStore is the contract of a session's start: the
// site's start lead time is stored (0 to 1440 minutes, the database
// refusing anything else), and a started session reads back with its
// start, alone and in the sessions list. open returns a fresh, empty store.
func RunSessionLifecycleStore(t *testing.T, open func(*testing.T) LifecycleBackend) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, LifecycleBackend)
	}{
		{"StartLeadStoredWithTheSiteWithinADay", lifecycleStartLeadStored},
		{"StartedSessionReadsBackItsStart", lifecycleStartedSessionReadsBack},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

func lifecycleStartLeadStored(t *testing.T, s LifecycleBackend) {
	ctx := context.Background()
	site := TestSite()
	site.StartLeadMinutes = app.DefaultStartLeadMinutes
	if err := s.CreateSite(ctx, site, app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Site(ctx); err != nil || got.StartLeadMinutes != 15 {
		t.Fatalf("created: %d %v", got.StartLeadMinutes, err)
	}
	for _, m := range []int{0, 1440, 45} {
		site.StartLeadMinutes = m
		if err := s.SaveSite(ctx, site, []app.AuditEntry{auditEntry("site.start_lead_minutes", "", "", "x")}); err != nil {
			t.Fatalf("save %d: %v", m, err)
		}
		if got, err := s.Site(ctx); err != nil || got.StartLeadMinutes != m {
			t.Fatalf("saved %d, read %d %v", m, got.StartLeadMinutes, err)
		}
	}
	before := AuditCount(t, s)
	for _, m := range []int{-1, 1441} {
		bad := site
		bad.StartLeadMinutes = m
		if err := s.SaveSite(ctx, bad, []app.AuditEntry{auditEntry("site.start_lead_minutes", "", "45", "x")}); app.ErrorCode(err) != app.EINTERNAL {
			t.Errorf("the database took a lead time of %d minutes: %v", m, err)
		}
	}
	if got, _ := s.Site(ctx); got.StartLeadMinutes != 45 || AuditCount(t, s) != before {
		t.Errorf("a refused lead time changed the site (%d) or the audit log", got.StartLeadMinutes)
	}
}

func lifecycleStartedSessionReadsBack(t *testing.T, s LifecycleBackend) {
	ctx := context.Background()
	site := TestSite()
	if err := s.CreateSite(ctx, site, app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	starts := time.Date(2026, 12, 18, 13, 30, 0, 0, time.UTC)
	x := app.Session{
		Topic: "Excel", StartsAt: starts, TimeZone: "Europe/Warsaw", DurationMinutes: 90,
		Type: app.SessionPayPerUse, Currency: "PLN", ExpectedComputers: 3, Status: app.SessionScheduled,
	}
	other := x
	other.Topic, other.StartsAt = "Word", starts.Add(time.Hour)
	for _, p := range []*app.Session{&x, &other} {
		if err := s.CreateSession(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Session(ctx, x.ID); err != nil || !got.StartedAt.IsZero() {
		t.Fatalf("before the start: %v %v", got.StartedAt, err)
	}
	at := starts.Add(-10*time.Minute + 123456789)
	if err := s.MarkStarted(ctx, x.ID, at, 0); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, x.ID)
	if err != nil || !got.StartedAt.Equal(at.Truncate(time.Microsecond)) && !got.StartedAt.Equal(at) {
		t.Fatalf("started at %v, read %v %v", at, got.StartedAt, err)
	}
	list, _, err := s.Sessions(ctx, app.SessionFilter{When: app.SessionsUpcoming, Now: starts})
	if err != nil || len(list) != 2 || list[0].ID != x.ID || list[0].StartedAt.IsZero() || !list[1].StartedAt.IsZero() {
		t.Fatalf("list %+v %v", list, err)
	}
	// It leaves the upcoming sessions once its scheduled end has passed,
	// for the past.
	end := x.EndsAt().Add(time.Second)
	if list, _, _ = s.Sessions(ctx, app.SessionFilter{When: app.SessionsUpcoming, Now: end}); len(list) != 1 || list[0].ID != other.ID {
		t.Fatalf("upcoming at the end %+v", list)
	}
	if list, _, _ = s.Sessions(ctx, app.SessionFilter{When: app.SessionsPast, Now: end}); len(list) != 1 || list[0].ID != x.ID ||
		list[0].StartedAt.IsZero() {
		t.Fatalf("past at the end %+v", list)
	}
}
