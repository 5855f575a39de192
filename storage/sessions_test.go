package storage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/storage"
)

// sessionEnv is the session service on a real database with the offline
// sandbox behind the payment service, and a clock the test moves.
type sessionEnv struct {
	t   *testing.T
	db  *storage.DB
	svc *app.SessionService
	sb  *sandbox.Sandbox
	mu  sync.Mutex
	now time.Time
}

func (e *sessionEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *sessionEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func newSessionEnv(t *testing.T) *sessionEnv {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pcitest.Keep(t, path)
	site := app.NewSiteService(db)
	site.Argon2 = app.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	if err := site.Setup(ctx, app.Site{
		Name: "Acme Training", Country: "PL", Currency: "PLN",
		TimeZone: "Europe/Warsaw", Language: "pl",
	}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Provision(ctx, []app.Feature{app.FeaturePaidSessions}, false); err != nil {
		t.Fatal(err)
	}
	states, _ := db.Features(ctx)
	for i := range states {
		if states[i].Feature == app.FeaturePaidSessions {
			states[i].Enabled = true
		}
	}
	if err := db.SaveFeatures(ctx, states, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SavePaymentSettings(ctx, app.PaymentSettings{Processor: app.ProcessorPayflow, CreditCards: true}, nil); err != nil {
		t.Fatal(err)
	}
	reg := &registry.Registry{Sites: db, Settings: db}
	t.Cleanup(func() { reg.Close() })
	sb, err := reg.Sandbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := &sessionEnv{t: t, db: db, sb: sb, now: time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)}
	pay := app.NewPaymentService(db, reg, nil)
	pay.Now = e.clock
	site.Now = e.clock
	e.svc = app.NewSessionService(db, db, site, pay, nil)
	e.svc.Now = e.clock
	return e
}

// paidSession schedules a paid session starting in two days.
func (e *sessionEnv) paidSession(topic string, feeMinor int64, capacity int) app.Session {
	e.t.Helper()
	s, err := e.svc.Schedule(context.Background(), app.Session{
		Topic: topic, StartsAt: e.clock().Add(48 * time.Hour), DurationMinutes: 90,
		Type: app.SessionPaid, FeeMinor: feeMinor, MaxRegistrations: capacity,
		AttendeesMayCancel: true, CancelHoursBefore: 24, RefundPercent: 100,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func attendee(i int) app.Attendee {
	return app.Attendee{
		FirstName: "Zofia", LastName: fmt.Sprintf("Łęcka %d", i),
		Email: fmt.Sprintf("zofia%d@example.pl", i), Company: "Acme", Country: "PL", Language: "pl",
	}
}

func testCard() *app.Card {
	return &app.Card{Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: 2034, Holder: "Zofia Łęcka"}
}

func payer(a app.Attendee) app.Payer {
	return app.Payer{FirstName: a.FirstName, LastName: a.LastName, Email: a.Email, Country: "PL", PostalCode: "00-001"}
}

func code(err error) string { return app.ErrorCode(err) }

func key(err error) string {
	var e *app.Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

func TestSessionValidateAndStore(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Excel dla księgowych", 12_50, 20)
	if s.ID == 0 || s.Currency != "PLN" || !s.RegistrationRequired || s.TimeZone != "Europe/Warsaw" {
		t.Fatalf("scheduled %+v", s)
	}
	got, err := e.svc.Session(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic != s.Topic || !got.StartsAt.Equal(s.StartsAt) || got.FeeMinor != 1250 || got.MaxRegistrations != 20 {
		t.Errorf("read back %+v", got)
	}
	// Pay-per-use columns travel through.
	ppu := app.Session{
		Topic: "Webinar", StartsAt: e.clock().Add(time.Hour), DurationMinutes: 60,
		Type: app.SessionPayPerUse, ExpectedComputers: 10, ExpectedTeleconference: 4,
	}
	ppu, err = e.svc.Schedule(ctx, ppu)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Session(ctx, ppu.ID); got.ExpectedComputers != 10 || got.ExpectedTeleconference != 4 || got.Type != app.SessionPayPerUse {
		t.Errorf("pay-per-use read back %+v", got)
	}
	for name, bad := range map[string]app.Session{
		"no topic":          {StartsAt: e.clock().Add(time.Hour), DurationMinutes: 60, Type: app.SessionFree},
		"in the past":       {Topic: "x", StartsAt: e.clock().Add(-time.Hour), DurationMinutes: 60, Type: app.SessionFree},
		"paid without fee":  {Topic: "x", StartsAt: e.clock().Add(time.Hour), DurationMinutes: 60, Type: app.SessionPaid, MaxRegistrations: 3},
		"fee above maximum": {Topic: "x", StartsAt: e.clock().Add(time.Hour), DurationMinutes: 60, Type: app.SessionPaid, MaxRegistrations: 3, FeeMinor: app.MaxFeeMinor("PLN") + 1},
		"teleconference":    {Topic: "x", StartsAt: e.clock().Add(time.Hour), DurationMinutes: 60, Type: app.SessionPayPerUse, ExpectedComputers: 1, ExpectedTeleconference: 2},
	} {
		if _, err := e.svc.Schedule(ctx, bad); code(err) != app.EINVALID {
			t.Errorf("%s: got %v, want EINVALID", name, err)
		}
	}
}

func TestPaidSessionRefusedWhenFeatureDisabled(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	states, _ := e.db.Features(ctx)
	for i := range states {
		states[i].Enabled = false
	}
	if err := e.db.SaveFeatures(ctx, states, nil); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Schedule(ctx, app.Session{
		Topic: "x", StartsAt: e.clock().Add(time.Hour), DurationMinutes: 60,
		Type: app.SessionPaid, FeeMinor: 100, MaxRegistrations: 3,
	})
	if code(err) != app.EUNAVAILABLE || key(err) != "error.feature.contact_site_admin" {
		t.Fatalf("got %v", err)
	}
}

func TestSessionsListPagedSearchAndRevenue(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	// 250 sessions, one hour apart, half of them already over.
	start := e.clock().Add(-125 * time.Hour)
	for i := range 250 {
		topic := fmt.Sprintf("Topic %03d", i)
		if i%50 == 7 {
			topic = fmt.Sprintf("Łódź workshop %d", i)
		}
		s := app.Session{
			Topic: topic, StartsAt: start.Add(time.Duration(i) * time.Hour), TimeZone: "Europe/Warsaw",
			DurationMinutes: 30, Type: app.SessionFree, Status: app.SessionScheduled,
		}
		s.Normalize()
		if err := e.db.CreateSession(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	up, total, err := e.svc.List(ctx, app.SessionFilter{When: app.SessionsUpcoming, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 125 || len(up) != 10 || !up[0].StartsAt.After(e.clock().Add(-31*time.Minute)) || up[1].StartsAt.Before(up[0].StartsAt) {
		t.Fatalf("upcoming: total %d, %d rows, first %v", total, len(up), up[0].StartsAt)
	}
	past, total, err := e.svc.List(ctx, app.SessionFilter{When: app.SessionsPast, Offset: 120, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if total != 125 || len(past) != 5 || past[0].StartsAt.Before(past[1].StartsAt) {
		t.Fatalf("past page: total %d, %d rows", total, len(past))
	}
	found, total, err := e.svc.List(ctx, app.SessionFilter{When: app.SessionsAll, Topic: "łÓDŹ"})
	if err != nil {
		t.Fatal(err)
	}
	if total != 5 || len(found) != 5 {
		t.Fatalf("search found %d (%d)", total, len(found))
	}
	if _, total, _ := e.svc.List(ctx, app.SessionFilter{Topic: "100%_"}); total != 0 {
		t.Errorf("LIKE wildcards are not escaped: %d", total)
	}
	// Revenue and seats.
	s := e.paidSession("Paid", 100_00, 5)
	a := attendee(1)
	r, err := e.svc.Register(ctx, s.ID, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Register(ctx, s.ID, attendee(2)); err != nil {
		t.Fatal(err)
	}
	rows, _, err := e.svc.List(ctx, app.SessionFilter{Topic: "Paid"})
	if err != nil || len(rows) != 1 {
		t.Fatal(err, rows)
	}
	if rows[0].Registrations != 2 || rows[0].RevenueMinor != 100_00 {
		t.Errorf("seats %d, revenue %d; want 2 and 10000", rows[0].Registrations, rows[0].RevenueMinor)
	}
}

// Acceptance 3: 32 concurrent registrations for the last 5 seats.
func TestConcurrentRegistrationsLastFiveSeats(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Ostatnie miejsca", 250_00, 25)
	// 20 seats already taken and paid.
	for i := range 20 {
		a := attendee(1000 + i)
		r, err := e.svc.Register(ctx, s.ID, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a)); err != nil {
			t.Fatal(err)
		}
	}
	salesBefore := chargedSales(e.sb)

	const n = 32
	var wg sync.WaitGroup
	var ok, full, other atomic.Int32
	start := make(chan struct{})
	paidRegs := make(chan int64, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			a := attendee(i)
			r, err := e.svc.Register(ctx, s.ID, a)
			switch {
			case err == nil:
			case key(err) == "error.registration.full":
				full.Add(1)
				return
			default:
				other.Add(1)
				t.Errorf("register %d: %v", i, err)
				return
			}
			r, _, err = e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a))
			if err != nil {
				other.Add(1)
				t.Errorf("pay %d: %v", i, err)
				return
			}
			ok.Add(1)
			paidRegs <- r.ID
		}()
	}
	close(start)
	wg.Wait()
	close(paidRegs)
	if ok.Load() != 5 || full.Load() != n-5 || other.Load() != 0 {
		t.Fatalf("succeeded %d, full %d, other %d; want 5, %d, 0", ok.Load(), full.Load(), other.Load(), n-5)
	}
	regs, _, err := e.svc.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID})
	if err != nil {
		t.Fatal(err)
	}
	paid := 0
	for _, r := range regs {
		if r.Status == app.RegPaid {
			paid++
		}
	}
	if paid != 25 || len(regs) != 25 {
		t.Errorf("%d paid of %d registrations; want 25 of 25", paid, len(regs))
	}
	// Nobody is charged who is not registered: the sandbox took exactly 5
	// more sales, each for a paid registration.
	if got := chargedSales(e.sb) - salesBefore; got != 5 {
		t.Errorf("sandbox charged %d new sales, want 5", got)
	}
	for id := range paidRegs {
		r, _ := e.svc.Registration(ctx, id)
		if r.Status != app.RegPaid || r.GatewayRef == "" {
			t.Errorf("registration %d: %s, ref %q", id, r.Status, r.GatewayRef)
		}
	}
	// The message a person sees names the problem.
	_, err = e.svc.Register(ctx, s.ID, attendee(99))
	if key(err) != "error.registration.full" || !strings.Contains(err.Error(), "full") {
		t.Errorf("33rd: %v", err)
	}
}

func chargedSales(sb *sandbox.Sandbox) int {
	n := 0
	for _, en := range sb.Ledger() {
		if en.Type == "sale" && en.Charged() {
			n++
		}
	}
	return n
}

func TestSameEmailCannotRegisterTwice(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Jeden raz", 100_00, 10)
	a := attendee(1)
	r, err := e.svc.Register(ctx, s.ID, a)
	if err != nil {
		t.Fatal(err)
	}
	a2 := a
	a2.Email = "  ZOFIA1@Example.PL "
	if _, err := e.svc.Register(ctx, s.ID, a2); key(err) != "error.registration.duplicate_pending" {
		t.Fatalf("second while pending: %v", err)
	}
	if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Register(ctx, s.ID, a2); key(err) != "error.registration.duplicate" || code(err) != app.ECONFLICT {
		t.Fatalf("second after paying: %v", err)
	}
	// No second charge: paying again for the paid registration is refused.
	if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a)); key(err) != "error.registration.not_pending" {
		t.Fatalf("pay twice: %v", err)
	}
	if got := chargedSales(e.sb); got != 1 {
		t.Errorf("%d sales, want 1", got)
	}
}

func TestUnpaidSeatIsReleasedAfterHold(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Jedno miejsce", 100_00, 1)
	a := attendee(1)
	r, err := e.svc.Register(ctx, s.ID, a)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != app.RegPendingPayment || !r.HoldUntil.Equal(e.clock().Add(app.SeatHold)) {
		t.Fatalf("registered %+v", r)
	}
	if _, err := e.svc.Register(ctx, s.ID, attendee(2)); key(err) != "error.registration.full" {
		t.Fatalf("during the hold: %v", err)
	}
	e.advance(app.SeatHold + time.Second)
	r2, err := e.svc.Register(ctx, s.ID, attendee(2))
	if err != nil {
		t.Fatalf("after the hold: %v", err)
	}
	// The first attendee comes back too late: nothing is charged.
	_, _, err = e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a))
	if key(err) != "error.registration.full" {
		t.Fatalf("late payment: %v", err)
	}
	if got := chargedSales(e.sb); got != 0 {
		t.Errorf("%d sales, want 0", got)
	}
	if old, _ := e.svc.Registration(ctx, r.ID); old.Status != app.RegExpired {
		t.Errorf("first registration is %s", old.Status)
	}
	if _, _, err := e.svc.PayByCard(ctx, r2.ID, nil, app.MethodCreditCard, testCard(), payer(attendee(2))); err != nil {
		t.Fatal(err)
	}
}

func TestDeclineKeepsRegistrationPending(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Odmowa", 1012_00, 3) // the sandbox declines 1012.00
	a := attendee(1)
	r, _ := e.svc.Register(ctx, s.ID, a)
	_, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a))
	if code(err) != app.EDECLINED {
		t.Fatalf("got %v, want EDECLINED", err)
	}
	if got, _ := e.svc.Registration(ctx, r.ID); got.Status != app.RegPendingPayment || got.PaidMinor != 0 {
		t.Errorf("after a decline: %s, paid %d", got.Status, got.PaidMinor)
	}
}

// Acceptance 4 at the service level: cancel within the window refunds
// through the sandbox; outside it is refused with the reason.
func TestAttendeeCancelWithinWindowRefunds(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Zwrot", 300_00, 3) // attendees may cancel until 24 h before
	a := attendee(1)
	r, _ := e.svc.Register(ctx, s.ID, a)
	r, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a))
	if err != nil {
		t.Fatal(err)
	}
	r, err = e.svc.CancelByAttendee(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != app.RegRefunded || r.RefundedMinor != 300_00 {
		t.Errorf("after cancelling: %s, refunded %d", r.Status, r.RefundedMinor)
	}
	var refund *sandbox.Entry
	for _, en := range e.sb.Ledger() {
		if en.Type == "refund" {
			refund = &en
		}
	}
	if refund == nil || refund.OrigPNREF != r.GatewayRef || refund.Amount != "300.00" || refund.Result != 0 {
		t.Fatalf("sandbox ledger has no refund of the sale: %+v", refund)
	}
	// The seat is free again.
	if rows, _, _ := e.svc.List(ctx, app.SessionFilter{Topic: "Zwrot"}); rows[0].Registrations != 0 || rows[0].RevenueMinor != 0 {
		t.Errorf("after refund: seats %d, revenue %d", rows[0].Registrations, rows[0].RevenueMinor)
	}
}

func TestAttendeeCancelOutsideWindowRefused(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Za późno", 300_00, 3)
	a := attendee(1)
	r, _ := e.svc.Register(ctx, s.ID, a)
	if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a)); err != nil {
		t.Fatal(err)
	}
	e.advance(25 * time.Hour) // 23 hours before the start
	_, err := e.svc.CancelByAttendee(ctx, r.ID)
	var ae *app.Error
	if !errors.As(err, &ae) || ae.Key != "error.registration.cancel_window_closed" || ae.Data["Hours"] != 24 {
		t.Fatalf("got %v", err)
	}
	if got, _ := e.svc.Registration(ctx, r.ID); got.Status != app.RegPaid {
		t.Errorf("status %s", got.Status)
	}
	for _, en := range e.sb.Ledger() {
		if en.Type == "refund" {
			t.Errorf("refunded outside the window: %+v", en)
		}
	}
	// The host can still refund by hand.
	got, err := e.svc.RefundByHost(ctx, r.ID)
	if err != nil || got.Status != app.RegRefunded {
		t.Fatalf("host refund: %v, %s", err, got.Status)
	}
}

func TestPartialRefundPolicy(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, app.Session{
		Topic: "Połowa", StartsAt: e.clock().Add(72 * time.Hour),
		DurationMinutes: 60, Type: app.SessionPaid, FeeMinor: 99_99, MaxRegistrations: 5,
		AttendeesMayCancel: true, CancelHoursBefore: 1, RefundPercent: 50,
	})
	if err != nil {
		t.Fatal(err)
	}
	a := attendee(1)
	r, _ := e.svc.Register(ctx, s.ID, a)
	if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a)); err != nil {
		t.Fatal(err)
	}
	r, err = e.svc.CancelByAttendee(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 50% of 99.99 rounded down: 49.99.
	if r.Status != app.RegPartiallyRefunded || r.RefundedMinor != 49_99 {
		t.Errorf("got %s, refunded %d", r.Status, r.RefundedMinor)
	}
}

func TestCancelSessionRefundsEveryone(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Odwołana", 120_00, 10)
	for i := range 3 {
		a := attendee(i)
		r, _ := e.svc.Register(ctx, s.ID, a)
		if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a)); err != nil {
			t.Fatal(err)
		}
	}
	pending, _ := e.svc.Register(ctx, s.ID, attendee(9))
	pre, err := e.svc.CancelSessionPreview(ctx, s.ID)
	if err != nil || pre.PaidRegistrations != 3 || pre.RefundMinor != 360_00 {
		t.Fatalf("preview %+v %v", pre, err)
	}
	res, err := e.svc.CancelSession(ctx, s.ID)
	if err != nil || res.Refunded != 3 || res.RefundMinor != 360_00 || res.Failed != 0 {
		t.Fatalf("cancel %+v %v", res, err)
	}
	if got, _ := e.svc.Registration(ctx, pending.ID); got.Status != app.RegCancelled {
		t.Errorf("pending registration is %s", got.Status)
	}
	if _, err := e.svc.Register(ctx, s.ID, attendee(10)); key(err) != "error.registration.session_cancelled" {
		t.Errorf("register after cancel: %v", err)
	}
}

// A settlement applied twice (held, then approved; or a replayed answer)
// changes nothing the second time.
func TestRegistrationEffectIdempotent(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("Dwa razy", 50_00, 3)
	a := attendee(1)
	r, _ := e.svc.Register(ctx, s.ID, a)
	r, p, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, At: e.clock().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	again, _ := e.svc.Registration(ctx, r.ID)
	if again.Status != app.RegPaid || again.PaidMinor != 50_00 || !again.PaidAt.Equal(r.PaidAt) {
		t.Errorf("after a second settlement: %+v", again)
	}
}

func TestRegistrationsCSV(t *testing.T) {
	e := newSessionEnv(t)
	ctx := context.Background()
	s := e.paidSession("CSV", 12_50, 3)
	a := attendee(1)
	a.Company = "=HYPERLINK(\"x\")"
	r, _ := e.svc.Register(ctx, s.ID, a)
	if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, testCard(), payer(a)); err != nil {
		t.Fatal(err)
	}
	regs, _, _ := e.svc.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID})
	var b strings.Builder
	if err := app.WriteRegistrationsCSV(&b, regs); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"confirmation,session_id", ",paid,PLN,12.50,0.00,,12.50,12.50,0.00,credit-card,visa,1111,", "'=HYPERLINK"} {
		if !strings.Contains(out, want) {
			t.Errorf("CSV lacks %q:\n%s", want, out)
		}
	}
}

// The list stays fast with tens of thousands of sessions: one page is read
// in SQL, never all rows.
func TestSessionsListLargeTable(t *testing.T) {
	if testing.Short() {
		t.Skip("large table")
	}
	e := newSessionEnv(t)
	ctx := context.Background()
	tx, err := e.db.Write().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone,
		duration_minutes, type, created_at, updated_at) VALUES (?, ?, ?, ?, 'Europe/Warsaw', 60, 'free', ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	base := e.clock().Add(-25000 * time.Hour)
	for i := range 50000 {
		st := base.Add(time.Duration(i) * time.Hour)
		topic := fmt.Sprintf("Session %05d", i)
		ts := st.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
		te := st.Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
		if _, err := stmt.ExecContext(ctx, topic, strings.ToLower(topic), ts, te, ts, ts); err != nil {
			t.Fatal(err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []app.SessionFilter{
		{When: app.SessionsUpcoming, Offset: 20000, Limit: 100},
		{When: app.SessionsPast, Limit: 100},
		{When: app.SessionsAll, Topic: "49999", Limit: 100},
	} {
		t0 := time.Now()
		rows, total, err := e.svc.List(ctx, f)
		d := time.Since(t0)
		if err != nil || len(rows) == 0 {
			t.Fatalf("%+v: %v, %d rows", f, err, len(rows))
		}
		t.Logf("%s topic=%q offset=%d: %d of %d in %v", f.When, f.Topic, f.Offset, len(rows), total, d)
		if d > 2*time.Second {
			t.Errorf("page took %v", d)
		}
	}
}

// The paid marker of a pay-per-use session belongs to the journal's
// settlement: saving an edit from a copy read before the payment keeps it.
func TestUpdateSessionKeepsThePaidMarker(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	s := app.Session{
		Topic: "Paid ahead", StartsAt: time.Now().Add(48 * time.Hour).UTC(), TimeZone: "UTC",
		DurationMinutes: 60, Type: app.SessionPayPerUse, Currency: "USD", ExpectedComputers: 5, Status: app.SessionScheduled,
	}
	if err := db.CreateSession(ctx, &s); err != nil {
		t.Fatal(err)
	}
	stale := s
	p := app.Payment{
		Key: app.NewKey(), InvoiceID: "TPpaidmarker1", Kind: app.KindSale, Purpose: app.PurposePayPerUse,
		Reference: fmt.Sprintf("session:%d", s.ID), Method: app.MethodCreditCard, Processor: app.ProcessorPayflow,
		Mode: app.ModeTest, AmountMinor: 1000, Currency: "USD",
	}
	if err := db.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write().ExecContext(ctx, `UPDATE session SET paid_payment_id = ? WHERE id = ?`, p.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	stale.Topic = "Paid ahead (renamed)"
	if err := db.UpdateSession(ctx, &stale); err != nil {
		t.Fatal(err)
	}
	got, err := db.Session(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PaidPaymentID != p.ID || got.Topic != "Paid ahead (renamed)" {
		t.Fatalf("after the edit: paid %d (want %d), topic %q", got.PaidPaymentID, p.ID, got.Topic)
	}
}

// Every variant of the sessions list walks session_starts_at without
// sorting the table (the order itself is in storetest.RunSessionStore).
func TestSessionsListWalksTheStartIndex(t *testing.T) {
	db, _ := openTemp(t)
	for _, q := range []string{
		`SELECT id FROM session s WHERE s.ends_at >= '2026' AND s.starts_at >= '2025' ORDER BY s.starts_at, s.ends_at, s.id LIMIT 100`,
		`SELECT id FROM session s WHERE s.ends_at < '2026' AND s.starts_at < '2026' ORDER BY s.starts_at DESC, s.ends_at DESC, s.id DESC LIMIT 100`,
		`SELECT id FROM session s ORDER BY s.starts_at DESC, s.ends_at DESC, s.id DESC LIMIT 100`,
	} {
		if plan := queryPlan(t, db, q); !strings.Contains(plan, "session_starts_at") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: %s", q, plan)
		}
	}
}
