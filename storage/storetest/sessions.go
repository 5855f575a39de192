package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// SessionStores is what the sessions and registrations suites drive: the
// two stores, and the journal whose settlements mark registrations paid.
type SessionStores interface {
	app.SessionStore
	app.RegistrationStore
	app.PaymentStore
}

// Clock is the suites' "now": sessions are scheduled around it.
var Clock = time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)

// FreeSession is a free session on topic starting at start, normalised.
func FreeSession(topic string, start time.Time, minutes int) app.Session {
	s := app.Session{
		Topic: topic, StartsAt: start, TimeZone: "Europe/Warsaw", DurationMinutes: minutes,
		Type: app.SessionFree, Status: app.SessionScheduled,
	}
	s.Normalize()
	return s
}

// PaidSession is a paid session in PLN starting two days after Clock.
func PaidSession(topic string, feeMinor int64, capacity int) app.Session {
	s := app.Session{
		Topic: topic, StartsAt: Clock.Add(48 * time.Hour), TimeZone: "Europe/Warsaw",
		DurationMinutes: 90, Type: app.SessionPaid, FeeMinor: feeMinor, Currency: "PLN", MaxRegistrations: capacity,
		AttendeesMayCancel: true, CancelHoursBefore: 24, RefundPercent: 100,
	}
	s.Normalize()
	return s
}

// AddSession stores x and returns it as stored.
func AddSession(t *testing.T, s app.SessionStore, x app.Session) app.Session {
	t.Helper()
	if err := x.Validate(); err != nil {
		t.Fatalf("session %q: %v", x.Topic, err)
	}
	if err := s.CreateSession(context.Background(), &x); err != nil {
		t.Fatalf("CreateSession(%q): %v", x.Topic, err)
	}
	return x
}

// Attendee is the i-th test attendee ("Zofia Łęcka <i>").
func Attendee(i int) app.Attendee {
	a := app.Attendee{
		FirstName: "Zofia", LastName: fmt.Sprintf("Łęcka %d", i),
		Email: fmt.Sprintf("zofia%d@example.pl", i), Company: "Acme", Country: "PL", Language: "pl",
	}
	a.Normalize()
	return a
}

// AddRegistration registers a for session id at Clock.
func AddRegistration(t *testing.T, s app.RegistrationStore, id int64, a app.Attendee) app.Registration {
	t.Helper()
	r := app.Registration{SessionID: id, Attendee: a}
	if err := s.Register(context.Background(), &r, Clock); err != nil {
		t.Fatalf("Register(%s): %v", a.Email, err)
	}
	return r
}

// RegistrationSale is the sale of registration r's total.
func RegistrationSale(r app.Registration) app.Payment {
	p := NewSale(r.TotalMinor)
	p.Reference, p.Currency = r.Reference(), r.Currency
	return p
}

// sameSession reports whether a and b are the same session, their times
// the same instants.
func sameSession(a, b app.Session) bool {
	for _, t := range []struct{ a, b *time.Time }{
		{&a.StartsAt, &b.StartsAt},
		{&a.RegistrationClosesAt, &b.RegistrationClosesAt},
		{&a.CreatedAt, &b.CreatedAt},
		{&a.UpdatedAt, &b.UpdatedAt},
	} {
		if !t.a.Equal(*t.b) {
			return false
		}
		*t.a, *t.b = time.Time{}, time.Time{}
	}
	return a == b
}

func topicsOf(rows []app.SessionSummary) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Topic)
	}
	return out
}

func listSessions(t *testing.T, s app.SessionStore, f app.SessionFilter) ([]app.SessionSummary, int) {
	t.Helper()
	rows, total, err := s.Sessions(context.Background(), f)
	if err != nil {
		t.Fatalf("Sessions(%+v): %v", f, err)
	}
	return rows, total
}

// RunSessionStore runs the sessions store's contract against the stores
// open returns: each call must give a new, empty database.
func RunSessionStore(t *testing.T, open func(t *testing.T) SessionStores) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, SessionStores)
	}{
		{"CreateReadUpdateAndStatus", sessionRoundTrip},
		{"UpdateRefusesCapacityBelowSeatsTakenAndFeeOnceRegistered", sessionUpdateRules},
		{"ListInOrderOfStart", sessionsListInOrderOfStart},
		{"ListPagedByKeyMatchesOneRead", sessionsPagedByKeyMatchOneRead},
		{"ListCountsSeatsAndRevenueOfThePage", sessionsListSeatsAndRevenue},
		{"TopicSearchIgnoresCaseAccentsAndPolishLetters", topicSearchIgnoresCaseAccentsAndPolishLetters},
		{"SearchShorterThanThreeCharactersIsRefused", searchShorterThanThreeCharactersIsRefused},
		{"CancelledListReturnsTheContextError", cancelledListReturnsTheContextError},
		{"TopicSearchCountsUpToTheCap", topicSearchCountsUpToTheCap},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

func sessionRoundTrip(t *testing.T, s SessionStores) {
	ctx := context.Background()
	paid := PaidSession("Excel dla księgowych", 12_50, 20)
	paid.RegistrationClosesAt = paid.StartsAt.Add(-2 * time.Hour)
	paid.Description = "Dwa dni.\nZ\tprzerwą."
	x := AddSession(t, s, paid)
	if x.ID == 0 || x.CreatedAt.IsZero() || !x.UpdatedAt.Equal(x.CreatedAt) {
		t.Fatalf("after CreateSession: %+v", x)
	}
	got, err := s.Session(ctx, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSession(got, x) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, x)
	}
	// Pay-per-use columns travel through.
	ppu := FreeSession("Webinar", Clock.Add(time.Hour), 60)
	ppu.Type, ppu.ExpectedComputers, ppu.ExpectedTeleconference = app.SessionPayPerUse, 10, 4
	ppu = AddSession(t, s, ppu)
	if got, err := s.Session(ctx, ppu.ID); err != nil || !sameSession(got, ppu) {
		t.Errorf("pay-per-use read back %+v, %v", got, err)
	}

	x.Topic, x.MaxRegistrations, x.RegistrationClosesAt = "Excel dla księgowych II", 30, time.Time{}
	x.UpdatedAt = x.CreatedAt.Add(time.Minute)
	if err := s.UpdateSession(ctx, &x); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Session(ctx, x.ID); err != nil || !sameSession(got, x) || got.MaxRegistrations != 30 ||
		!got.RegistrationClosesAt.IsZero() || !got.UpdatedAt.Equal(x.CreatedAt.Add(time.Minute)) {
		t.Errorf("after UpdateSession: %+v, %v", got, err)
	}
	// The search follows the new topic.
	if rows, _ := listSessions(t, s, app.SessionFilter{When: app.SessionsAll, Topic: "KSIĘGOWYCH II"}); len(rows) != 1 || rows[0].ID != x.ID {
		t.Errorf("the renamed topic is not found: %q", topicsOf(rows))
	}
	x.Topic = "Power BI w Łodzi"
	if err := s.UpdateSession(ctx, &x); err != nil {
		t.Fatal(err)
	}
	if rows, _ := listSessions(t, s, app.SessionFilter{When: app.SessionsAll, Topic: "ksiegowych"}); len(rows) != 0 {
		t.Errorf("the old topic is still found: %q", topicsOf(rows))
	}
	if rows, _ := listSessions(t, s, app.SessionFilter{When: app.SessionsAll, Topic: "lodzi"}); len(rows) != 1 {
		t.Errorf("the new topic is not found: %q", topicsOf(rows))
	}
	if err := s.SetSessionStatus(ctx, x.ID, app.SessionCancelled); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, x.ID); got.Status != app.SessionCancelled {
		t.Errorf("status %s, want cancelled", got.Status)
	}

	_, err = s.Session(ctx, 9999)
	WantError(t, err, app.ENOTFOUND, "error.session.not_found")
	WantError(t, s.SetSessionStatus(ctx, 9999, app.SessionCancelled), app.ENOTFOUND, "error.session.not_found")
	missing := FreeSession("Missing", Clock, 60)
	missing.ID = 9999
	WantError(t, s.UpdateSession(ctx, &missing), app.ENOTFOUND, "error.session.not_found")
}

func sessionUpdateRules(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Capacity", 50_00, 5))
	for i := range 3 {
		AddRegistration(t, s, x.ID, Attendee(i))
	}
	lower := x
	lower.MaxRegistrations = 2
	e := WantError(t, s.UpdateSession(ctx, &lower), app.ECONFLICT, "error.session.capacity_below_taken")
	if e.Data["Taken"] != 3 {
		t.Errorf("taken %v, want 3", e.Data["Taken"])
	}
	lower.MaxRegistrations = 3
	if err := s.UpdateSession(ctx, &lower); err != nil {
		t.Errorf("capacity down to the seats taken: %v", err)
	}
	fee := lower
	fee.FeeMinor = 60_00
	WantError(t, s.UpdateSession(ctx, &fee), app.ECONFLICT, "error.session.fee_locked")

	// With nobody registered to pay, the fee may change.
	y := AddSession(t, s, PaidSession("Free to change", 50_00, 5))
	y.FeeMinor = 70_00
	if err := s.UpdateSession(ctx, &y); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, y.ID); got.FeeMinor != 70_00 {
		t.Errorf("fee %d, want 7000", got.FeeMinor)
	}
}

// The list is in order of start, as its Starts column reads: a long
// session in progress that started first comes before a short one that
// starts later but ends sooner; past and all lists start with the latest.
func sessionsListInOrderOfStart(t *testing.T, s SessionStores) {
	now := Clock
	add := func(topic string, start time.Duration, minutes int) {
		AddSession(t, s, FreeSession(topic, now.Add(start), minutes))
	}
	add("day-long, in progress", -20*time.Hour, 24*60) // ends in 4 h
	add("short, later", time.Hour, 30)                 // ends in 1.5 h
	add("next week", 7*24*time.Hour, 60)
	add("yesterday, long", -30*time.Hour, 8*60) // ended 22 h ago
	add("yesterday, short", -26*time.Hour, 30)  // started later, ended sooner
	for when, want := range map[app.SessionWhen][]string{
		app.SessionsUpcoming: {"day-long, in progress", "short, later", "next week"},
		app.SessionsPast:     {"yesterday, short", "yesterday, long"},
		app.SessionsAll:      {"next week", "short, later", "day-long, in progress", "yesterday, short", "yesterday, long"},
	} {
		rows, total := listSessions(t, s, app.SessionFilter{When: when, Now: now, Limit: 10})
		if got := topicsOf(rows); !slices.Equal(got, want) || total != len(want) {
			t.Errorf("%s: %q (total %d), want %q", when, got, total, want)
		}
	}
	if rows, total := listSessions(t, s, app.SessionFilter{When: app.SessionsAll, Status: app.SessionCancelled}); len(rows) != 0 || total != 0 {
		t.Errorf("cancelled: %d rows, total %d", len(rows), total)
	}
}

// Walking a list page by page by key gives exactly the rows of one read,
// in order, ties of start time included; a jump (key plus offset) lands on
// the same rows as the offset would.
func sessionsPagedByKeyMatchOneRead(t *testing.T, s SessionStores) {
	ctx := context.Background()
	for i := range 40 {
		// Ties: four sessions share each start, and some are in the past.
		AddSession(t, s, FreeSession(fmt.Sprintf("Topic %02d", i), Clock.Add(time.Duration(i/4-3)*time.Hour), 60))
	}
	for _, when := range []app.SessionWhen{app.SessionsUpcoming, app.SessionsPast, app.SessionsAll} {
		base := app.SessionFilter{When: when, Now: Clock}
		f := base
		f.Limit = 1000
		all, total := listSessions(t, s, f)
		if len(all) != total || total == 0 {
			t.Fatalf("%s: %d of %d", when, len(all), total)
		}
		var walked []int64
		var after *app.SessionKey
		for page := 0; ; page++ {
			f := base
			f.Limit, f.After, f.NoTotal = 7, after, page > 0
			rows, n := listSessions(t, s, f)
			if (page > 0) != (n == -1) || page == 0 && n != total {
				t.Errorf("%s page %d: total %d", when, page, n)
			}
			for _, r := range rows {
				walked = append(walked, r.ID)
			}
			if len(rows) < 7 {
				break
			}
			k := rows[len(rows)-1].ListKey()
			after = &k
		}
		var want []int64
		for _, r := range all {
			want = append(want, r.ID)
		}
		if !slices.Equal(walked, want) {
			t.Errorf("%s: by key %v, one read %v", when, walked, want)
		}
		f = base
		f.CountUpTo = 5
		if _, n, err := s.Sessions(ctx, f); err != nil || n != min(total, 6) {
			t.Errorf("%s: count up to 5 of %d: %d, %v", when, total, n, err)
		}
		if len(all) > 20 {
			k := all[5].ListKey()
			f := base
			f.After, f.Offset, f.Limit, f.NoTotal = &k, 7, 5, true
			rows, _, err := s.Sessions(ctx, f)
			if err != nil || len(rows) != 5 || rows[0].ID != all[13].ID || rows[4].ID != all[17].ID {
				t.Errorf("%s: jump: %d rows, %v", when, len(rows), err)
			}
		}
		f = base
		f.Offset = total
		if rows, n := listSessions(t, s, f); len(rows) != 0 || n != total {
			t.Errorf("%s: past the end: %d rows, total %d", when, len(rows), n)
		}
	}
}

// The list counts a paid session's seats (registered, paid, or pending
// and held) and its revenue (charged minus refunded).
func sessionsListSeatsAndRevenue(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Paid", 100_00, 5))
	AddSession(t, s, FreeSession("Other", Clock.Add(time.Hour), 60))
	paid := AddRegistration(t, s, x.ID, Attendee(1))
	sale := Create(t, s, RegistrationSale(paid), app.StateApproved)
	Create(t, s, NewChild(app.KindRefund, sale, 30_00), app.StateApproved)
	AddRegistration(t, s, x.ID, Attendee(2))
	cancelled := AddRegistration(t, s, x.ID, Attendee(3))
	if err := s.CancelRegistration(ctx, cancelled.ID, Clock); err != nil {
		t.Fatal(err)
	}
	rows, total := listSessions(t, s, app.SessionFilter{When: app.SessionsAll, Topic: "paid", Now: Clock})
	if total != 1 || len(rows) != 1 {
		t.Fatalf("search paid: %q", topicsOf(rows))
	}
	// The refund cancels the registration but keeps its money's record.
	if rows[0].Registrations != 1 || rows[0].RevenueMinor != 70_00 {
		t.Errorf("seats %d, revenue %d; want 1 and 7000", rows[0].Registrations, rows[0].RevenueMinor)
	}
}

// "lodz" finds "Łódź": the search folds case, accents and the letters that
// carry their accent in the letter itself (Ł), on both sides; LIKE's and
// FTS's special characters in a term are plain characters.
func topicSearchIgnoresCaseAccentsAndPolishLetters(t *testing.T, s SessionStores) {
	for i, topic := range []string{
		"Excel w Gdyni", "Łódź: Power BI", "Kraków GDPR", "Zürich: Agile", "Python",
		"Zażółć gęślą jaźń", "Ørsted & Straße", "100% free",
	} {
		AddSession(t, s, FreeSession(topic, Clock.Add(time.Duration(24+i)*time.Hour), 60))
	}
	for term, want := range map[string][]string{
		"lodz":      {"Łódź: Power BI"},
		"ŁÓDŹ":      {"Łódź: Power BI"},
		"LODZ: ":    {"Łódź: Power BI"},
		"gdyn":      {"Excel w Gdyni"},
		"krakow":    {"Kraków GDPR"},
		"zurich":    {"Zürich: Agile"},
		"xcel":      {"Excel w Gdyni"},
		"ódź":       {"Łódź: Power BI"},
		"zazolc":    {"Zażółć gęślą jaźń"},
		"GESLA JAZ": {"Zażółć gęślą jaźń"},
		"orsted":    {"Ørsted & Straße"},
		"straße":    {"Ørsted & Straße"},
		"100%":      {"100% free"},
		"100%_":     nil,
		"0%_f":      nil,
		`"pyt`:      nil,
		"pyt*":      nil,
		"P_thon":    nil,
	} {
		rows, total := listSessions(t, s, app.SessionFilter{When: app.SessionsAll, Topic: term})
		got := topicsOf(rows)
		slices.Sort(got)
		if !slices.Equal(got, append([]string{}, want...)) || total != len(want) {
			t.Errorf("search %q: %q (total %d), want %q", term, got, total, want)
		}
	}
}

// One or two characters have no trigram: the store refuses them instead of
// scanning every row, and says how many are needed.
func searchShorterThanThreeCharactersIsRefused(t *testing.T, s SessionStores) {
	x := AddSession(t, s, FreeSession("Excel", Clock.Add(time.Hour), 60))
	for _, term := range []string{"e", "ex", " Łó "} {
		_, _, err := s.Sessions(context.Background(), app.SessionFilter{When: app.SessionsAll, Topic: term})
		if ae := app.AsError(err); ae == nil || ae.Code != app.EINVALID || ae.Key != "error.search.too_short" || ae.Data["Min"] != 3 {
			t.Errorf("topic %q: %v", term, err)
		}
		_, _, err = s.Registrations(context.Background(), app.RegistrationFilter{SessionID: x.ID, Search: term})
		if ae := app.AsError(err); ae == nil || ae.Code != app.EINVALID || ae.Key != "error.search.too_short" {
			t.Errorf("registrations %q: %v", term, err)
		}
	}
}

// A caller that gave up (the search box changed) gets its context's error,
// which tells an abandoned query from a failure.
func cancelledListReturnsTheContextError(t *testing.T, s SessionStores) {
	x := AddSession(t, s, FreeSession("Excel", Clock.Add(time.Hour), 60))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ae *app.Error
	if _, _, err := s.Sessions(ctx, app.SessionFilter{When: app.SessionsAll, Topic: "excel"}); !errors.Is(err, context.Canceled) ||
		errors.As(err, &ae) {
		t.Errorf("sessions: %v", err)
	}
	if _, _, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID, Search: "abc"}); !errors.Is(err, context.Canceled) ||
		errors.As(err, &ae) {
		t.Errorf("registrations: %v", err)
	}
}

// A topic search counts up to the cap when asked to, exactly otherwise.
func topicSearchCountsUpToTheCap(t *testing.T, s SessionStores) {
	for i := range 12 {
		AddSession(t, s, FreeSession(fmt.Sprintf("Excel %d", i), Clock.Add(time.Duration(24+i)*time.Hour), 60))
	}
	AddSession(t, s, FreeSession("Python", Clock.Add(time.Hour), 60))
	for _, f := range []app.SessionFilter{
		{When: app.SessionsAll, Topic: "excel"},
		{When: app.SessionsUpcoming, Topic: "excel", Now: Clock},
		{When: app.SessionsAll, Topic: "excel", Status: app.SessionScheduled},
	} {
		if _, n, err := s.Sessions(context.Background(), f); err != nil || n != 12 {
			t.Errorf("%+v: %d, %v", f, n, err)
		}
		f.CountUpTo = 10
		if rows, n, err := s.Sessions(context.Background(), f); err != nil || n < 11 || len(rows) != 12 {
			t.Errorf("%+v: %d (%d rows), %v", f, n, len(rows), err)
		}
	}
}
