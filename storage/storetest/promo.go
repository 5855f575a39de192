package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// PromoBackend is what the promotional-code suite needs of a store: the
// codes, reservations, recipients and reports (app.PromoCodeStore), the
// paid sessions they price (app.PromoSessions), the journal whose
// settlement makes a use final (app.PaymentStore), and the session and
// registration writes a redemption is made for. Both backends' DB
// implement it.
type PromoBackend interface {
	app.PromoCodeStore
	app.PromoSessions
	app.PaymentStore
	CreateSession(ctx context.Context, s *app.Session) error
	Register(ctx context.Context, r *app.Registration, now time.Time) error
	SetPrice(ctx context.Context, id int64, code string, discountMinor, totalMinor int64) error
	ConfirmFree(ctx context.Context, id int64, at time.Time) error
	CancelRegistration(ctx context.Context, id int64, at time.Time) error
}

// RunPromoStore is the promotional-code store's contract: codes made,
// listed, searched, edited and deleted; uses reserved, renewed, released,
// confirmed and made final by the registration's payment; the limits
// never exceeded, even by many redemptions at once; reports and
// recipients. open returns a fresh, empty store.
func RunPromoStore(t *testing.T, open func(*testing.T) PromoBackend) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, func(*testing.T) PromoBackend)
	}{
		{"ConcurrentRedemptionsNeverExceedTheLimit", promoConcurrentRedemptionsNeverExceedTheLimit},
		{"DeclinedPaymentKeepsTheUseUntilAbandoned", promoDeclinedPaymentKeepsTheUseUntilAbandoned},
		{"DeclineThenRetryCountsOneUse", promoDeclineThenRetryCountsOneUse},
		{"AbandonedReservationExpires", promoAbandonedReservationExpires},
		{"OpenPaymentHoldsTheReservationPastItsExpiry", promoOpenPaymentHoldsTheReservationPastItsExpiry},
		{"HundredPercentConfirmsWithoutPayment", promoHundredPercentConfirmsWithoutPayment},
		{"ConfirmAfterExpiryOnlyWhileAUseFits", promoConfirmAfterExpiryOnlyWhileAUseFits},
		{"ReserveRenewsTheSameCodeAndSwapsAnother", promoReserveRenewsTheSameCodeAndSwapsAnother},
		{"QuoteSaysWhyACodeDoesNotApply", promoQuoteSaysWhyACodeDoesNotApply},
		{"LimitNeverBelowUsesAndUsedCodeCannotBeDeleted", promoLimitNeverBelowUsesAndUsedCodeCannotBeDeleted},
		{"CodesAreUniqueIgnoringCase", promoCodesAreUniqueIgnoringCase},
		{"CodeSessionsMustExist", promoCodeSessionsMustExist},
		{"CodePageSearchesAndPages", promoCodePageSearchesAndPages},
		{"ReportAccountsForRefunds", promoReportAccountsForRefunds},
		{"ReportFreeRegistrationCancelled", promoReportFreeRegistrationCancelled},
		{"SessionTopics", promoSessionTopics},
		{"RecipientsAddedOnceListedAndMarked", promoRecipientsAddedOnceListedAndMarked},
		{"CodesForRecipientsStoredWholeOrNotAtAll", promoCodesForRecipientsStoredWholeOrNotAtAll},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open) })
	}
}

// promoFixture is a store with the real PromoService over it, on a clock
// the test moves.
type promoFixture struct {
	t     *testing.T
	s     PromoBackend
	promo *app.PromoService
	mu    sync.Mutex
	clock time.Time
}

// promoSite is the site as promotional codes see it: its currency, and
// the feature on. Whether the feature is on is the site store's (its own
// suite); here every operation is allowed.
type promoSite struct{ currency string }

func (s promoSite) Site(context.Context) (app.Site, error) {
	return app.Site{Name: "Acme", Currency: s.currency, TimeZone: "Europe/Warsaw", Language: "en"}, nil
}
func (promoSite) RequireFeature(context.Context, app.Feature) error { return nil }
func (promoSite) RequireAdmin(*app.Admin) error                     { return nil }

// promoStoreOf is b as the PromoService's store. The mail settings are the
// site store's (their own suite): no operation this suite runs reads them,
// and one that did would fail on the nil SMTPSettingsStore.
type promoStoreOf struct {
	PromoBackend
	app.SMTPSettingsStore
}

func newPromoFixture(t *testing.T, open func(*testing.T) PromoBackend, cur string) *promoFixture {
	t.Helper()
	f := &promoFixture{t: t, s: open(t), clock: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	f.promo = &app.PromoService{
		Store: promoStoreOf{PromoBackend: f.s}, Site: promoSite{currency: cur},
		Sessions: f.s, Now: f.now,
	}
	return f
}

func (f *promoFixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

func (f *promoFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = f.clock.Add(d)
}

// session schedules a paid session with a fee in minor units.
func (f *promoFixture) session(topic string, feeMinor int64, cur string) int64 {
	f.t.Helper()
	s := app.Session{
		Topic: topic, StartsAt: f.now().AddDate(0, 3, 0), TimeZone: "UTC",
		DurationMinutes: 60, Type: app.SessionPaid, FeeMinor: feeMinor, Currency: cur,
		RegistrationRequired: true, MaxRegistrations: 1000, Status: app.SessionScheduled,
	}
	if err := f.s.CreateSession(context.Background(), &s); err != nil {
		f.t.Fatal(err)
	}
	return s.ID
}

// registration registers an attendee for a session, pending payment.
func (f *promoFixture) registration(sessionID int64, email string) int64 {
	f.t.Helper()
	r := app.Registration{SessionID: sessionID, Attendee: app.Attendee{FirstName: "Jan", LastName: "Kowalski", Email: email}}
	if err := f.s.Register(context.Background(), &r, f.now()); err != nil {
		f.t.Fatal(err)
	}
	return r.ID
}

// code makes a code through the service, valid for a month from an hour
// ago, 15% off all sessions unless c says otherwise.
func (f *promoFixture) code(c app.PromoCode) app.PromoCode {
	f.t.Helper()
	if c.ValidUntil.IsZero() {
		c.ValidFrom = f.now().Add(-time.Hour)
		c.ValidUntil = f.now().Add(30 * 24 * time.Hour)
	}
	if c.Kind == "" {
		c.Kind, c.PercentBP = app.DiscountPercent, 1500
	}
	if !c.AllSessions && len(c.SessionIDs) == 0 {
		c.AllSessions = true
	}
	out, err := f.promo.CreateCode(context.Background(), c)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// reserve quotes code for a registration and reserves its use.
func (f *promoFixture) reserve(sessionID, regID int64, email, code string) (app.PromoQuote, int64) {
	f.t.Helper()
	ctx := context.Background()
	q, err := f.promo.Quote(ctx, sessionID, email, code)
	if err != nil {
		f.t.Fatalf("quote %s for %s: %v", code, email, err)
	}
	id, err := f.promo.Reserve(ctx, q, regID)
	if err != nil {
		f.t.Fatalf("reserve %s for %s: %v", code, email, err)
	}
	return q, id
}

// pay records the registration's sale of amount in the journal and
// settles it in state, as the payment service does around the gateway.
func (f *promoFixture) pay(regID, amount int64, cur string, state app.PaymentState) (app.Payment, error) {
	ctx := context.Background()
	p := NewSale(amount)
	p.Reference, p.Currency = app.RegistrationReference(regID), cur
	if err := f.s.CreatePayment(ctx, &p); err != nil {
		return p, err
	}
	if err := f.s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: state, At: f.now()}); err != nil {
		return p, err
	}
	return f.s.Payment(ctx, p.ID)
}

// refund records an approved refund of amount of sale.
func (f *promoFixture) refund(sale app.Payment, amount int64) {
	f.t.Helper()
	ctx := context.Background()
	r := NewChild(app.KindRefund, sale, amount)
	if err := f.s.CreatePayment(ctx, &r); err != nil {
		f.t.Fatal(err)
	}
	if err := f.s.SettlePayment(ctx, r.ID, app.PaymentUpdate{State: app.StateApproved, At: f.now()}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *promoFixture) uses(codeID int64) (used, reserved int) {
	f.t.Helper()
	c, err := f.promo.Code(context.Background(), codeID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.Uses, c.Reserved
}

func wantKey(t *testing.T, err error, key, what string) {
	t.Helper()
	if app.AsError(err).Key != key {
		t.Fatalf("%s: %v, want %s", what, err, key)
	}
}

// 32 redemptions at once of a code with 3 uses left, each paying once
// reserved: exactly 3 are paid, the others are told the code is used up,
// and the journal holds exactly 3 charges of the discounted total.
func promoConcurrentRedemptionsNeverExceedTheLimit(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	sess := f.session("Go concurrency", 12000, "USD")
	code := f.code(app.PromoCode{Code: "THREE-LEFT", UseLimit: 3, PerAttendeeLimit: 1})
	regs := make([]int64, 32)
	for i := range regs {
		regs[i] = f.registration(sess, fmt.Sprintf("attendee%02d@example.com", i))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	paid, usedUp, other := 0, 0, []error{}
	start := make(chan struct{})
	for i := range regs {
		wg.Go(func() {
			<-start
			email := fmt.Sprintf("Attendee%02d@Example.com", i)
			q, err := f.promo.Quote(ctx, sess, email, "  three-left ")
			var res error
			if err == nil {
				if _, err = f.promo.Reserve(ctx, q, regs[i]); err == nil {
					_, res = f.pay(regs[i], q.TotalMinor, q.Currency, app.StateApproved)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && res == nil:
				paid++
			case err != nil && app.AsError(err).Key == "error.promo.used_up":
				usedUp++
			default:
				other = append(other, fmt.Errorf("redemption %d: %v / %v", i, err, res))
			}
		})
	}
	close(start)
	wg.Wait()
	if paid != 3 || usedUp != 29 || len(other) != 0 {
		t.Fatalf("paid %d, used up %d, other %v", paid, usedUp, other)
	}
	if used, reserved := f.uses(code.ID); used != 3 || reserved != 0 {
		t.Fatalf("uses %d, reserved %d", used, reserved)
	}
	// Each charge is the discounted total, 120.00 - 15% = 102.00.
	payments, total, err := f.s.Payments(ctx, app.PaymentFilter{})
	if err != nil || total != 3 {
		t.Fatalf("%d payments, %v", total, err)
	}
	for _, p := range payments {
		if p.AmountMinor != 10200 || !p.State.Charged() {
			t.Fatalf("payment %+v", p)
		}
	}
	rep, err := f.promo.Reports(ctx, code.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep[0]; r.Uses != 3 || r.Attendees != 3 || r.RevenueMinor != 30600 || r.DiscountMinor != 5400 || r.Currency != "USD" {
		t.Fatalf("report %+v", r)
	}
}

func promoDeclinedPaymentKeepsTheUseUntilAbandoned(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	sess := f.session("Declined", 5000, "USD")
	f.code(app.PromoCode{Code: "ONLY-ONCE", Kind: app.DiscountFixed, FixedMinor: 1, UseLimit: 1})
	reg := f.registration(sess, "a@example.com")
	sess2 := f.session("Declined exactly", 101201, "USD")
	reg2 := f.registration(sess2, "b@example.com")
	q, resID := f.reserve(sess2, reg2, "b@example.com", "ONLY-ONCE")
	if q.TotalMinor != 101200 {
		t.Fatalf("quote %+v", q)
	}
	if _, err := f.pay(reg2, q.TotalMinor, q.Currency, app.StateDeclined); err != nil {
		t.Fatal(err)
	}
	// The decline keeps the use for the attendee's next card.
	_, err := f.promo.Quote(ctx, sess, "a@example.com", "only-once")
	wantKey(t, err, "error.promo.used_up", "after the decline the use is still held")
	if err := f.promo.Renew(ctx, reg2); err != nil {
		t.Fatalf("renew for another attempt: %v", err)
	}
	// The attendee gives up: the use is freed and another attendee gets it.
	if err := f.promo.Release(ctx, resID); err != nil {
		t.Fatal(err)
	}
	wantKey(t, f.promo.Renew(ctx, reg2), "error.promo.reservation_gone", "renew after release")
	q, _ = f.reserve(sess, reg, "a@example.com", "only-once")
	if _, err := f.pay(reg, q.TotalMinor, q.Currency, app.StateApproved); err != nil {
		t.Fatal(err)
	}
	if used, reserved := f.uses(q.CodeID); used != 1 || reserved != 0 {
		t.Fatalf("uses %d reserved %d", used, reserved)
	}
}

// A declined card and then a good one on the same reservation count one use.
func promoDeclineThenRetryCountsOneUse(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	sess := f.session("Retry", 5000, "USD")
	f.code(app.PromoCode{Code: "RETRY", Kind: app.DiscountFixed, FixedMinor: 1000, UseLimit: 1})
	reg := f.registration(sess, "a@example.com")
	f.registration(sess, "b@example.com")
	q, _ := f.reserve(sess, reg, "a@example.com", "retry")
	if _, err := f.pay(reg, q.TotalMinor, q.Currency, app.StateDeclined); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pay(reg, q.TotalMinor, q.Currency, app.StateApproved); err != nil {
		t.Fatal(err)
	}
	if used, reserved := f.uses(q.CodeID); used != 1 || reserved != 0 {
		t.Fatalf("uses %d reserved %d", used, reserved)
	}
	_, err := f.promo.Quote(ctx, sess, "b@example.com", "retry")
	wantKey(t, err, "error.promo.used_up", "the code is used up")
}

func promoAbandonedReservationExpires(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	sess := f.session("Abandoned", 5000, "PLN")
	f.code(app.PromoCode{Code: "ABAND", UseLimit: 1})
	r1, r2 := f.registration(sess, "a@example.com"), f.registration(sess, "b@example.com")
	_, id := f.reserve(sess, r1, "a@example.com", "aband")
	_, err := f.promo.Quote(ctx, sess, "b@example.com", "aband")
	wantKey(t, err, "error.promo.used_up", "reserved")
	f.advance(app.PromoReservationTTL + time.Second)
	wantKey(t, f.promo.Renew(ctx, r1), "error.promo.reservation_gone", "renew after the expiry")
	f.reserve(sess, r2, "b@example.com", "aband")
	// Explicit release works and is idempotent.
	if err := f.promo.Release(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.promo.Release(ctx, id); err != nil {
		t.Fatal(err)
	}
	if r, err := f.s.PromoReservation(ctx, id); err != nil || r.State != app.ReservationReleased || r.RegistrationID != r1 {
		t.Fatalf("released reservation %+v %v", r, err)
	}
	_, err = f.s.PromoReservation(ctx, id+1000)
	wantKey(t, err, "error.promo.reservation_not_found", "an unknown reservation")
}

func promoOpenPaymentHoldsTheReservationPastItsExpiry(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	sess := f.session("Open", 5000, "USD")
	f.code(app.PromoCode{Code: "HOLD1", UseLimit: 1})
	r1 := f.registration(sess, "a@example.com")
	q, resID := f.reserve(sess, r1, "a@example.com", "hold1")
	// The journal row is committed before the gateway is called: the
	// payment is open.
	p := NewSale(q.TotalMinor)
	p.Reference, p.Currency = app.RegistrationReference(r1), "USD"
	if err := f.s.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	f.advance(3 * app.PromoReservationTTL)
	_, err := f.promo.Quote(ctx, sess, "b@example.com", "hold1")
	wantKey(t, err, "error.promo.used_up", "an open payment must keep the use")
	wantKey(t, f.promo.Release(ctx, resID), "error.promo.payment_open", "release while paying")
	if err := f.promo.Renew(ctx, r1); err != nil {
		t.Fatalf("renew while paying: %v", err)
	}
	// Reconciliation finds it charged: the use is final.
	if err := f.s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, At: f.now()}); err != nil {
		t.Fatal(err)
	}
	if used, reserved := f.uses(q.CodeID); used != 1 || reserved != 0 {
		t.Fatalf("uses %d reserved %d", used, reserved)
	}
	if r, err := f.s.PromoReservation(ctx, resID); err != nil || r.State != app.ReservationUsed || r.PaymentID != p.ID {
		t.Fatalf("the use is tied to its payment: %+v %v", r, err)
	}
	wantKey(t, f.promo.Release(ctx, resID), "error.promo.already_final", "release after use")
	// The registration has used a code: it cannot reserve another.
	f.code(app.PromoCode{Code: "HOLD2", UseLimit: 1})
	q2, err := f.promo.Quote(ctx, sess, "a@example.com", "hold2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.promo.Reserve(ctx, q2, r1)
	wantKey(t, err, "error.promo.registration_done", "a second code for a paid registration")
}

func promoHundredPercentConfirmsWithoutPayment(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "GBP")
	ctx := context.Background()
	sess := f.session("Free", 2500, "GBP")
	f.code(app.PromoCode{Code: "FREE100", Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: 0})
	reg := f.registration(sess, "a@example.com")
	q, id := f.reserve(sess, reg, "a@example.com", "free100")
	if q.TotalMinor != 0 || q.DiscountMinor != 2500 {
		t.Fatalf("quote %+v", q)
	}
	if err := f.promo.ConfirmFree(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.promo.ConfirmFree(ctx, id); err != nil {
		t.Fatalf("idempotent: %v", err)
	}
	if used, _ := f.uses(q.CodeID); used != 1 {
		t.Fatalf("uses %d", used)
	}
	if _, total, _ := f.s.Payments(ctx, app.PaymentFilter{}); total != 0 {
		t.Fatalf("a free registration made %d payments", total)
	}
	// A non-zero reservation is never confirmed without a payment.
	f.code(app.PromoCode{Code: "HALF50", Kind: app.DiscountPercent, PercentBP: 5000})
	reg2 := f.registration(sess, "b@example.com")
	_, id2 := f.reserve(sess, reg2, "b@example.com", "half50")
	wantKey(t, f.promo.ConfirmFree(ctx, id2), "error.promo.not_free", "confirm a paid total")
	// A released reservation is not confirmed.
	reg3 := f.registration(sess, "c@example.com")
	_, id3 := f.reserve(sess, reg3, "c@example.com", "free100")
	if err := f.promo.Release(ctx, id3); err != nil {
		t.Fatal(err)
	}
	wantKey(t, f.promo.ConfirmFree(ctx, id3), "error.promo.reservation_expired", "confirm a released reservation")
}

// A zero-total reservation confirmed after it ran out is confirmed only if
// a use still fits; the database refuses a use above the limit even when
// the reservation was counted when it was made.
func promoConfirmAfterExpiryOnlyWhileAUseFits(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	sess := f.session("Late", 4000, "PLN")
	code := f.code(app.PromoCode{Code: "LATE-FREE", Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: 1})
	r1, r2 := f.registration(sess, "a@example.com"), f.registration(sess, "b@example.com")
	_, late := f.reserve(sess, r1, "a@example.com", code.Code)
	f.advance(app.PromoReservationTTL + time.Minute)
	_, second := f.reserve(sess, r2, "b@example.com", code.Code)
	if err := f.promo.ConfirmFree(ctx, second); err != nil {
		t.Fatal(err)
	}
	err := f.promo.ConfirmFree(ctx, late)
	wantKey(t, err, "error.promo.used_up", "confirm a run-out reservation of a used-up code")
	if e := app.AsError(err); e.Data["Code"] != code.Code {
		t.Fatalf("the error names the code: %+v", e.Data)
	}
	if used, reserved := f.uses(code.ID); used != 1 || reserved != 0 {
		t.Fatalf("uses %d reserved %d", used, reserved)
	}
	// With room, a run-out reservation is still confirmed.
	more := f.code(app.PromoCode{Code: "ROOMY", Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: 2})
	r3 := f.registration(sess, "c@example.com")
	_, id := f.reserve(sess, r3, "c@example.com", more.Code)
	f.advance(app.PromoReservationTTL + time.Minute)
	if err := f.promo.ConfirmFree(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// Reserving the same code again renews the registration's hold; another
// code frees the old hold; a registration of another attendee is counted
// against the per-attendee limit by email.
func promoReserveRenewsTheSameCodeAndSwapsAnother(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	sess := f.session("Swap", 10000, "PLN")
	a := f.code(app.PromoCode{Code: "FIRST", UseLimit: 1})
	b := f.code(app.PromoCode{Code: "SECOND", UseLimit: 1})
	reg := f.registration(sess, "a@example.com")
	q, id := f.reserve(sess, reg, "a@example.com", "first")
	// The page reloaded: the store is asked for the same code again (the
	// service's quote would count the attendee's own hold).
	f.advance(time.Minute)
	again := app.PromoReservation{
		CodeID: a.ID, RegistrationID: reg, SessionID: sess, Email: q.Email,
		FeeMinor: q.FeeMinor, DiscountMinor: q.DiscountMinor, TotalMinor: q.TotalMinor, Currency: q.Currency,
		ExpiresAt: f.now().Add(app.PromoReservationTTL),
	}
	if err := f.s.ReservePromo(ctx, &again, f.now()); err != nil || again.ID != id || again.State != app.ReservationReserved {
		t.Fatalf("the same code again made reservation %d (%v), want %d renewed", again.ID, err, id)
	}
	if r, _ := f.s.PromoReservation(ctx, id); !r.ExpiresAt.Equal(f.now().Add(app.PromoReservationTTL)) {
		t.Fatalf("renewed until %v, want %v", r.ExpiresAt, f.now().Add(app.PromoReservationTTL))
	}
	_, swapped := f.reserve(sess, reg, "a@example.com", "second")
	if swapped == id {
		t.Fatal("another code reused the old reservation")
	}
	if used, reserved := f.uses(a.ID); used != 0 || reserved != 0 {
		t.Fatalf("the first code still holds %d uses, %d reserved", used, reserved)
	}
	if used, reserved := f.uses(b.ID); used != 0 || reserved != 1 {
		t.Fatalf("the second code holds %d uses, %d reserved", used, reserved)
	}
	if r, _ := f.s.PromoReservation(ctx, id); r.State != app.ReservationReleased {
		t.Fatalf("old reservation %+v", r)
	}
	// One attendee, two registrations: the per-attendee limit counts both.
	many := f.code(app.PromoCode{Code: "PER-ONE", UseLimit: 10, PerAttendeeLimit: 1})
	other := f.session("Other", 10000, "PLN")
	reg2 := f.registration(other, "z@example.com")
	reg3 := f.registration(sess, "z@example.com")
	f.reserve(other, reg2, "z@example.com", many.Code)
	taken, mine, err := f.s.PromoTaken(ctx, many.ID, "Z@example.com", f.now())
	if err != nil || taken != 1 || mine != 1 {
		t.Fatalf("taken %d, by the attendee %d, %v", taken, mine, err)
	}
	err = f.s.ReservePromo(ctx, &app.PromoReservation{
		CodeID: many.ID, RegistrationID: reg3, SessionID: sess,
		Email: "z@example.com", FeeMinor: 10000, DiscountMinor: 1500, TotalMinor: 8500, Currency: "PLN",
		ExpiresAt: f.now().Add(time.Hour),
	}, f.now())
	wantKey(t, err, "error.promo.already_used", "a second use by one attendee")
	// A reservation needs a registration.
	err = f.s.ReservePromo(ctx, &app.PromoReservation{
		CodeID: many.ID, RegistrationID: reg3 + 1000, SessionID: sess,
		Email: "y@example.com", FeeMinor: 10000, DiscountMinor: 1500, TotalMinor: 8500, Currency: "PLN",
		ExpiresAt: f.now().Add(time.Hour),
	}, f.now())
	wantKey(t, err, "error.promo.registration", "a reservation for no registration")
	err = f.s.ReservePromo(ctx, &app.PromoReservation{
		CodeID: many.ID + 1000, RegistrationID: reg3, SessionID: sess,
		Email: "z@example.com", FeeMinor: 10000, DiscountMinor: 1500, TotalMinor: 8500, Currency: "PLN",
		ExpiresAt: f.now().Add(time.Hour),
	}, f.now())
	wantKey(t, err, "error.promo.not_found", "a reservation of no code")
}

func promoQuoteSaysWhyACodeDoesNotApply(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	s1, s2 := f.session("One", 1000, "USD"), f.session("Two", 1000, "USD")
	now := f.now()
	f.code(app.PromoCode{Code: "LATER", ValidFrom: now.Add(24 * time.Hour), ValidUntil: now.Add(48 * time.Hour)})
	f.code(app.PromoCode{Code: "GONE1", ValidFrom: now.Add(-48 * time.Hour), ValidUntil: now.Add(-time.Hour)})
	f.code(app.PromoCode{Code: "ONLY-ONE", SessionIDs: []int64{s1}})
	off := f.code(app.PromoCode{Code: "OFF11"})
	if err := f.promo.SetDisabled(ctx, off.ID, true); err != nil {
		t.Fatal(err)
	}
	f.code(app.PromoCode{Code: "MINE1", UseLimit: 10, PerAttendeeLimit: 1})
	reg := f.registration(s1, "a@example.com")
	f.reserve(s1, reg, "a@example.com", "mine1")
	for _, tc := range []struct {
		session     int64
		email, code string
		key         string
	}{
		{s1, "a@example.com", "nope1", "error.promo.unknown"},
		{s1, "a@example.com", "later", "error.promo.not_yet_valid"},
		{s1, "a@example.com", "gone1", "error.promo.expired"},
		{s2, "a@example.com", "only-one", "error.promo.not_for_session"},
		{s1, "a@example.com", "off11", "error.promo.disabled"},
		{s1, "A@Example.com ", " Mine1", "error.promo.already_used"},
		{s1, "a@example.com", "   ", "error.promo.code_required"},
	} {
		if _, err := f.promo.Quote(ctx, tc.session, tc.email, tc.code); app.AsError(err).Key != tc.key {
			t.Errorf("%s: %v, want %s", tc.code, err, tc.key)
		}
	}
	if _, err := f.promo.Quote(ctx, s1, "b@example.com", " only-one "); err != nil {
		t.Errorf("trimmed, any case: %v", err)
	}
	// The store looks a code up ignoring case, even one stored otherwise.
	if c, err := f.s.PromoCodeByText(ctx, "only-one", now); err != nil || c.Code != "ONLY-ONE" ||
		c.AllSessions || !slices.Equal(c.SessionIDs, []int64{s1}) {
		t.Fatalf("by text: %+v %v", c, err)
	}
}

func promoLimitNeverBelowUsesAndUsedCodeCannotBeDeleted(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	sess := f.session("Limits", 1000, "USD")
	c := f.code(app.PromoCode{Code: "LIMIT", UseLimit: 5})
	for i := range 2 {
		email := fmt.Sprintf("a%d@example.com", i)
		reg := f.registration(sess, email)
		q, _ := f.reserve(sess, reg, email, "limit")
		if _, err := f.pay(reg, q.TotalMinor, q.Currency, app.StateApproved); err != nil {
			t.Fatal(err)
		}
	}
	// A live reservation counts too.
	f.reserve(sess, f.registration(sess, "held@example.com"), "held@example.com", "limit")
	upd := app.PromoCodeUpdate{UseLimit: 2, PerAttendeeLimit: 1, ValidUntil: c.ValidUntil, AllSessions: true}
	wantKey(t, f.promo.UpdateCode(ctx, c.ID, upd), "error.promo.limit_below_uses", "limit below uses and reservations")
	// The store checks it too, whatever the caller checked.
	err := f.s.UpdatePromoCode(ctx, c.ID, upd, f.now())
	if e := app.AsError(err); e.Key != "error.promo.limit_below_uses" || e.Data["Uses"] != 3 {
		t.Fatalf("the store's check: %v %+v", err, e.Data)
	}
	upd.UseLimit = 3
	if err := f.promo.UpdateCode(ctx, c.ID, upd); err != nil {
		t.Fatalf("limit equal to uses: %v", err)
	}
	wantKey(t, f.promo.DeleteCode(ctx, c.ID), "error.promo.used_cannot_delete", "delete a used code")
	if err := f.promo.ExtendExpiry(ctx, c.ID, c.ValidUntil.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.promo.Code(ctx, c.ID); !got.ValidUntil.Equal(c.ValidUntil.Add(30*24*time.Hour)) || got.UseLimit != 3 {
		t.Fatalf("after the edits %+v", got)
	}
	// A reserved, never used code cannot be deleted either while its
	// reservation lives; once it has run out it can.
	held := f.code(app.PromoCode{Code: "HELD-ONLY"})
	f.reserve(sess, f.registration(sess, "h@example.com"), "h@example.com", held.Code)
	wantKey(t, f.promo.DeleteCode(ctx, held.ID), "error.promo.used_cannot_delete", "delete a reserved code")
	unused := f.code(app.PromoCode{Code: "UNUSED"})
	if err := f.promo.AddRecipient(ctx, unused.ID, "a@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.promo.DeleteCode(ctx, unused.ID); err != nil {
		t.Fatalf("delete an unused code: %v", err)
	}
	if rs, err := f.s.PromoRecipients(ctx, unused.ID); err != nil || len(rs) != 0 {
		t.Fatalf("the deleted code's recipients %+v %v", rs, err)
	}
	_, err = f.promo.Code(ctx, unused.ID)
	wantKey(t, err, "error.promo.not_found", "a deleted code")
	wantKey(t, f.promo.DeleteCode(ctx, unused.ID), "error.promo.not_found", "delete a deleted code")
	wantKey(t, f.s.UpdatePromoCode(ctx, unused.ID, upd, f.now()), "error.promo.not_found", "update a deleted code")
	f.advance(app.PromoReservationTTL + time.Second)
	if err := f.promo.DeleteCode(ctx, held.ID); err != nil {
		t.Fatalf("delete a code whose reservation ran out: %v", err)
	}
}

func promoCodesAreUniqueIgnoringCase(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	f.code(app.PromoCode{Code: "SPRING-25"})
	_, err := f.promo.CreateCode(ctx, app.PromoCode{
		Code: "spring-25", Kind: app.DiscountPercent, PercentBP: 100,
		AllSessions: true, ValidUntil: f.now().Add(time.Hour),
	})
	wantKey(t, err, "error.promo.code_taken", "same code in lower case")
	if e := app.AsError(err); e.Code != app.ECONFLICT || e.Data["Code"] != "SPRING-25" {
		t.Fatalf("code taken: %+v", e)
	}
	// A batch with a taken code stores none of it.
	batch := []app.PromoCode{{Code: "FRESH-1"}, {Code: "SPRING-25"}}
	for i := range batch {
		batch[i].Kind, batch[i].PercentBP, batch[i].AllSessions = app.DiscountPercent, 500, true
		batch[i].PerAttendeeLimit, batch[i].UseLimit = 1, 1
		batch[i].ValidFrom, batch[i].ValidUntil, batch[i].CreatedAt = f.now(), f.now().Add(time.Hour), f.now()
	}
	wantKey(t, f.s.CreatePromoCodes(ctx, batch), "error.promo.code_taken", "a batch with a taken code")
	if _, err := f.s.PromoCodeByText(ctx, "FRESH-1", f.now()); app.AsError(err).Key != "error.promo.unknown" {
		t.Fatalf("half a batch stored: %v", err)
	}
	codes, err := f.promo.GenerateCodes(ctx, app.PromoCode{
		Kind: app.DiscountFixed, FixedMinor: 500, UseLimit: 1,
		AllSessions: true, ValidUntil: f.now().Add(time.Hour),
	}, 20, 8)
	if err != nil || len(codes) != 20 {
		t.Fatalf("generate: %d %v", len(codes), err)
	}
	all, _ := f.promo.Codes(ctx)
	if len(all) != 21 || all[0].Currency != "USD" || all[0].FixedMinor != 500 || all[0].ID != codes[19].ID {
		t.Fatalf("codes %d %+v", len(all), all[0])
	}
	// What was stored is what is read: every field, times to the microsecond.
	got, err := f.promo.Code(ctx, codes[3].ID)
	want := codes[3]
	want.SessionIDs = nil
	if err != nil || !samePromoCode(got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v (%v)", got, want, err)
	}
}

// samePromoCode compares codes, times by instant to the microsecond (the
// organisation database keeps microseconds).
func samePromoCode(a, b app.PromoCode) bool {
	same := func(x, y time.Time) bool { return x.Truncate(time.Microsecond).Equal(y.Truncate(time.Microsecond)) }
	if !same(a.ValidFrom, b.ValidFrom) || !same(a.ValidUntil, b.ValidUntil) || !same(a.CreatedAt, b.CreatedAt) {
		return false
	}
	a.ValidFrom, a.ValidUntil, a.CreatedAt = b.ValidFrom, b.ValidUntil, b.CreatedAt
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b)
}

// A code limited to sessions that do not exist is refused, with nothing
// stored; the sessions of a code change with an update.
func promoCodeSessionsMustExist(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	s1, s2 := f.session("Excel", 10000, "PLN"), f.session("Word", 10000, "PLN")
	_, err := f.promo.CreateCode(ctx, app.PromoCode{
		Code: "NOWHERE", Kind: app.DiscountPercent, PercentBP: 100,
		SessionIDs: []int64{s1, s2 + 1000}, ValidUntil: f.now().Add(time.Hour),
	})
	if e := app.AsError(err); e.Key != "error.promo.session_unknown" || e.Code != app.EINVALID {
		t.Fatalf("an unknown session: %v", err)
	}
	if codes, _ := f.promo.Codes(ctx); len(codes) != 0 {
		t.Fatalf("stored %+v", codes)
	}
	c := f.code(app.PromoCode{Code: "TWO-OF", SessionIDs: []int64{s2, s1, s2}})
	if got, _ := f.promo.Code(ctx, c.ID); got.AllSessions || !slices.Equal(got.SessionIDs, []int64{s1, s2}) {
		t.Fatalf("sessions %+v", got)
	}
	u := app.PromoCodeUpdate{UseLimit: c.UseLimit, PerAttendeeLimit: 1, ValidUntil: c.ValidUntil, SessionIDs: []int64{s2}}
	if err := f.promo.UpdateCode(ctx, c.ID, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.promo.Code(ctx, c.ID); got.AllSessions || !slices.Equal(got.SessionIDs, []int64{s2}) {
		t.Fatalf("sessions after the update %+v", got)
	}
	u.AllSessions, u.SessionIDs = true, nil
	if err := f.promo.UpdateCode(ctx, c.ID, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.promo.Code(ctx, c.ID); !got.AllSessions || len(got.SessionIDs) != 0 {
		t.Fatalf("all sessions after the update %+v", got)
	}
	u.AllSessions, u.SessionIDs = false, []int64{s2 + 1000}
	wantKey(t, f.promo.UpdateCode(ctx, c.ID, u), "error.promo.session_unknown", "update to an unknown session")
	if got, _ := f.promo.Code(ctx, c.ID); !got.AllSessions {
		t.Fatalf("a refused update changed the code: %+v", got)
	}
}

// The codes list reads pages newest first, searches a part of the code in
// any case, and gives each code of the page its chosen sessions.
func promoCodePageSearchesAndPages(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	s1 := f.session("Excel", 100_00, "PLN")
	for i := range 25 {
		c := app.PromoCode{Code: fmt.Sprintf("SPRING-%02d", i)}
		if i%5 == 0 {
			c.SessionIDs = []int64{s1}
		}
		f.code(c)
	}
	f.code(app.PromoCode{Code: "AUTUMN-01"})
	page, total, err := f.promo.CodePage(ctx, app.PromoCodeFilter{Limit: 10})
	if err != nil || total != 26 || len(page) != 10 || page[0].Code != "AUTUMN-01" || page[1].Code != "SPRING-24" {
		t.Fatalf("first page: %d of %d, %v", len(page), total, err)
	}
	next, total, err := f.promo.CodePage(ctx, app.PromoCodeFilter{AfterID: page[9].ID, Limit: 10, NoTotal: true})
	if err != nil || total != -1 || len(next) != 10 || next[0].Code != "SPRING-15" {
		t.Fatalf("keyset page: %d, total %d, %v", len(next), total, err)
	}
	page, total, err = f.promo.CodePage(ctx, app.PromoCodeFilter{Search: " ring-2 ", Offset: 2, Limit: 10})
	if err != nil || total != 5 || len(page) != 3 || page[0].Code != "SPRING-22" || page[2].Code != "SPRING-20" {
		t.Fatalf("search: %+v of %d, %v", page, total, err)
	}
	if page[2].AllSessions || len(page[2].SessionIDs) != 1 || page[2].SessionIDs[0] != s1 || !page[0].AllSessions {
		t.Fatalf("sessions: %+v", page)
	}
	if page, total, err = f.promo.CodePage(ctx, app.PromoCodeFilter{Search: "100%_"}); err != nil || total != 0 || len(page) != 0 {
		t.Fatalf("wildcards are text: %d, %d, %v", len(page), total, err)
	}
	if page, total, err = f.promo.CodePage(ctx, app.PromoCodeFilter{Search: `G-0\`}); err != nil || total != 0 || len(page) != 0 {
		t.Fatalf("the escape character is text: %d, %d, %v", len(page), total, err)
	}
	if page, total, err = f.promo.CodePage(ctx, app.PromoCodeFilter{Offset: 30}); err != nil || total != 26 || len(page) != 0 {
		t.Fatalf("past the end: %d, %d, %v", len(page), total, err)
	}
	if page, _, err = f.promo.CodePage(ctx, app.PromoCodeFilter{Limit: 5000}); err != nil || len(page) != 26 {
		t.Fatalf("a large limit: %d, %v", len(page), err)
	}
}

// The per-code report counts refunds: a refunded registration's payment is
// no longer revenue, and its discount no longer counts once nothing of it
// was kept; a partial refund lowers the revenue by what was refunded.
func promoReportAccountsForRefunds(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "USD")
	ctx := context.Background()
	sess := f.session("Refunds", 10000, "USD")
	code := f.code(app.PromoCode{Code: "REFUND-ME", UseLimit: 0, PerAttendeeLimit: 1}) // 15% off: 85.00 to pay
	var sales []app.Payment
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		reg := f.registration(sess, email)
		q, _ := f.reserve(sess, reg, email, code.Code)
		p, err := f.pay(reg, q.TotalMinor, q.Currency, app.StateApproved)
		if err != nil {
			t.Fatal(err)
		}
		sales = append(sales, p)
	}
	if err := f.promo.AddRecipient(ctx, code.ID, "a@example.com", "Ann"); err != nil {
		t.Fatal(err)
	}
	if err := f.promo.AddRecipient(ctx, code.ID, "d@example.com", "Dan"); err != nil {
		t.Fatal(err)
	}
	rs, _ := f.s.PromoRecipients(ctx, code.ID)
	if err := f.s.MarkRecipientSent(ctx, rs[0].ID, f.now()); err != nil {
		t.Fatal(err)
	}
	report := func() app.PromoReport {
		t.Helper()
		rep, err := f.promo.Reports(ctx, code.ID)
		if err != nil || len(rep) != 1 {
			t.Fatalf("%+v %v", rep, err)
		}
		return rep[0]
	}
	if r := report(); r.Uses != 3 || r.RevenueMinor != 25500 || r.ChargedMinor != 25500 || r.DiscountMinor != 4500 ||
		r.RefundedUses != 0 || r.Recipients != 2 || r.Sent != 1 || r.Code != "REFUND-ME" {
		t.Fatalf("before refunds %+v", r)
	}
	f.refund(sales[0], 8500)
	f.refund(sales[1], 4250)
	r := report()
	// The use refunded in full is given back; the partly refunded one
	// stays. Revenue is what was kept: 85 + 42.50.
	if r.Uses != 2 || r.Attendees != 2 || r.RefundedUses != 2 {
		t.Fatalf("uses after refunds %+v", r)
	}
	if r.ChargedMinor != 25500 || r.RefundedMinor != 12750 || r.RevenueMinor != 12750 {
		t.Fatalf("revenue after refunds %+v", r)
	}
	// The fully refunded registration's 15.00 is no longer a discount given.
	if r.DiscountMinor != 3000 {
		t.Fatalf("discount after refunds %+v", r)
	}
	// Every code's report, newest first; an unused code's currency is the
	// site's.
	f.code(app.PromoCode{Code: "NEVER-USED", Kind: app.DiscountFixed, FixedMinor: 300})
	all, err := f.promo.Reports(ctx, 0)
	if err != nil || len(all) != 2 || all[0].Code != "NEVER-USED" || all[0].Uses != 0 || all[0].Currency != "USD" ||
		all[1] != r {
		t.Fatalf("all reports %+v %v", all, err)
	}
	_, err = f.promo.Reports(ctx, code.ID+1000)
	wantKey(t, err, "error.promo.not_found", "the report of no code")
}

// A zero-total use (a 100% code) is a discount while the registration
// stands, and none once it is cancelled.
func promoReportFreeRegistrationCancelled(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	sess := f.session("Darmowa", 20000, "PLN")
	code := f.code(app.PromoCode{Code: "FREE-100", Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: 5})
	reg := f.registration(sess, "ola@example.pl")
	q, id := f.reserve(sess, reg, "ola@example.pl", code.Code)
	if err := f.promo.ConfirmFree(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetPrice(ctx, reg, q.Code, q.DiscountMinor, q.TotalMinor); err != nil {
		t.Fatal(err)
	}
	if err := f.s.ConfirmFree(ctx, reg, f.now()); err != nil {
		t.Fatal(err)
	}
	if rep, _ := f.promo.Reports(ctx, code.ID); rep[0].DiscountMinor != 20000 || rep[0].RevenueMinor != 0 || rep[0].Currency != "PLN" {
		t.Fatalf("standing %+v", rep[0])
	}
	if err := f.s.CancelRegistration(ctx, reg, f.now()); err != nil {
		t.Fatal(err)
	}
	if rep, _ := f.promo.Reports(ctx, code.ID); rep[0].DiscountMinor != 0 || rep[0].Uses != 1 {
		t.Fatalf("cancelled %+v", rep[0])
	}
}

func promoSessionTopics(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	a := f.session("Excel", 10000, "PLN")
	b := f.session("Word", 10000, "PLN")
	free := app.Session{
		Topic: "Free", StartsAt: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), TimeZone: "UTC",
		DurationMinutes: 60, Type: app.SessionFree, Status: app.SessionScheduled,
	}
	if err := f.s.CreateSession(ctx, &free); err != nil {
		t.Fatal(err)
	}
	got, err := f.promo.SessionTopics(ctx, []int64{b, a, 9999, free.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0].Topic != "Word" || got[1].Topic != "Excel" || got[2].ID != 9999 || got[2].Topic != "" ||
		got[3].ID != free.ID || got[3].Topic != "" {
		t.Fatalf("%+v", got)
	}
	s, err := f.s.PromoSession(ctx, a)
	if err != nil || s != (app.PromoSession{ID: a, Topic: "Excel", FeeMinor: 10000, Currency: "PLN"}) {
		t.Fatalf("session %+v %v", s, err)
	}
	_, err = f.s.PromoSession(ctx, 9999)
	wantKey(t, err, "error.promo.session_unknown", "no session")
	_, err = f.s.PromoSession(ctx, free.ID)
	wantKey(t, err, "error.promo.session_free", "a free session")
}

// Recipients: an email already a recipient keeps its row; the list is in
// the order they were added, one code's or all; sent and failed are
// recorded, and a failure never overwrites a sent message.
func promoRecipientsAddedOnceListedAndMarked(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	a, b := f.code(app.PromoCode{Code: "RCPT-A"}), f.code(app.PromoCode{Code: "RCPT-B"})
	n, err := f.s.AddPromoRecipients(ctx, a.ID, []app.PromoRecipient{
		{Email: "ola@example.pl", Name: "Ola"},
		{Email: "jan@example.pl", Name: "Jan"},
	})
	if err != nil || n != 2 {
		t.Fatalf("added %d, %v", n, err)
	}
	n, err = f.s.AddPromoRecipients(ctx, a.ID, []app.PromoRecipient{
		{Email: "ola@example.pl", Name: "Ola Nowak"},
		{Email: "ewa@example.pl", Name: "Ewa"},
	})
	if err != nil || n != 1 {
		t.Fatalf("added again %d, %v", n, err)
	}
	if n, err := f.s.AddPromoRecipients(ctx, b.ID, []app.PromoRecipient{{Email: "ola@example.pl", Name: "Ola"}}); err != nil || n != 1 {
		t.Fatalf("another code's recipient %d, %v", n, err)
	}
	_, err = f.s.AddPromoRecipients(ctx, b.ID+1000, []app.PromoRecipient{{Email: "x@example.pl", Name: "X"}})
	wantKey(t, err, "error.promo.not_found", "recipients of no code")
	rs, err := f.s.PromoRecipients(ctx, a.ID)
	if err != nil || len(rs) != 3 || rs[0].Email != "ola@example.pl" || rs[0].Name != "Ola" || rs[2].Email != "ewa@example.pl" ||
		rs[0].CodeID != a.ID || !rs[0].SentAt.IsZero() {
		t.Fatalf("recipients %+v %v", rs, err)
	}
	if all, _ := f.s.PromoRecipients(ctx, 0); len(all) != 4 || all[3].CodeID != b.ID {
		t.Fatalf("every code's recipients %+v", all)
	}
	at := f.now()
	if err := f.s.MarkRecipientSent(ctx, rs[0].ID, at); err != nil {
		t.Fatal(err)
	}
	// A failure after the message was accepted changes nothing: the row
	// waiting to be sent is not there.
	wantKey(t, f.s.MarkRecipientFailed(ctx, rs[0].ID, "mailbox full", at.Add(time.Minute)),
		"error.recipient.not_found", "a failure after the message was sent")
	if err := f.s.MarkRecipientFailed(ctx, rs[1].ID, "", at); err != nil {
		t.Fatal(err)
	}
	rs, _ = f.s.PromoRecipients(ctx, a.ID)
	if !rs[0].SentAt.Equal(at) || rs[0].FailedReason != "" || rs[1].FailedReason != "failed" || !rs[1].SentAt.IsZero() {
		t.Fatalf("marked %+v", rs)
	}
	if err := f.s.MarkRecipientSent(ctx, rs[1].ID, at); err != nil {
		t.Fatal(err)
	}
	if rs, _ = f.s.PromoRecipients(ctx, a.ID); rs[1].FailedReason != "" || !rs[1].SentAt.Equal(at) {
		t.Fatalf("sent after a failure %+v", rs[1])
	}
	if err := f.s.DeletePromoRecipient(ctx, rs[2].ID); err != nil {
		t.Fatal(err)
	}
	wantKey(t, f.s.DeletePromoRecipient(ctx, rs[2].ID), "error.recipient.not_found", "remove a removed recipient")
	wantKey(t, f.s.MarkRecipientSent(ctx, rs[2].ID, at), "error.recipient.not_found", "mark a removed recipient")
	if rs, _ = f.s.PromoRecipients(ctx, a.ID); len(rs) != 2 {
		t.Fatalf("after the removal %+v", rs)
	}
}

// One code per recipient is stored whole or not at all.
func promoCodesForRecipientsStoredWholeOrNotAtAll(t *testing.T, open func(*testing.T) PromoBackend) {
	f := newPromoFixture(t, open, "PLN")
	ctx := context.Background()
	rs := []app.PromoRecipient{{Email: "ola@example.pl", Name: "Ola"}, {Email: "jan@example.pl", Name: "Jan"}}
	codes, err := f.promo.GenerateForRecipients(ctx, app.PromoCode{
		Kind: app.DiscountPercent, PercentBP: 1000,
		AllSessions: true, ValidUntil: f.now().Add(time.Hour),
	}, 8, rs)
	if err != nil || len(codes) != 2 {
		t.Fatalf("generate %d %v", len(codes), err)
	}
	for i, c := range codes {
		got, err := f.s.PromoRecipients(ctx, c.ID)
		if err != nil || len(got) != 1 || got[0].Email != rs[i].Email {
			t.Fatalf("code %s's recipients %+v %v", c.Code, got, err)
		}
	}
	bad := []app.PromoCode{codes[0], codes[0]}
	bad[0].Code, bad[1].Code = "WHOLE-1", codes[1].Code
	wantKey(t, f.s.CreatePromoCodesFor(ctx, bad, []app.PromoRecipient{
		{Email: "x@example.pl", Name: "X"},
		{Email: "y@example.pl", Name: "Y"},
	}), "error.promo.code_taken", "a batch with a taken code")
	if all, _ := f.s.PromoRecipients(ctx, 0); len(all) != 2 {
		t.Fatalf("half a batch's recipients stored: %+v", all)
	}
	if err := f.s.CreatePromoCodesFor(ctx, bad[:1], rs); app.ErrorCode(err) != app.EINTERNAL {
		t.Fatalf("one recipient per code: %v", err)
	}
}
