package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bojanz/currency"
	"github.com/zalando/go-keyring"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/secrets"
)

// promoFixture is a site in Test mode with promotional codes enabled, card
// payments on the offline sandbox, and the real PaymentService.
type promoFixture struct {
	t     *testing.T
	db    *storage.DB
	site  *app.SiteService
	promo *app.PromoService
	pay   *app.PaymentService
	reg   *registry.Registry
	clock time.Time
	mu    sync.Mutex
}

func newPromoFixture(t *testing.T, cur string) *promoFixture {
	t.Helper()
	keyring.MockInit()
	dir := t.TempDir()
	path := filepath.Join(dir, "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pcitest.Keep(t, path, filepath.Join(dir, "sandbox.json"))
	vault := secrets.New(secrets.Options{Service: "TrainPay:test-" + t.Name(), FallbackPath: filepath.Join(dir, "trainpay.secrets"),
		KDF: app.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	site := &app.SiteService{Store: db, Argon2: app.Argon2Params{Memory: 1024, Time: 1, Threads: 1}}
	ctx := context.Background()
	country := map[string]string{"USD": "US", "GBP": "GB", "PLN": "PL", "JPY": "JP"}[cur]
	if err := site.Setup(ctx, app.Site{Name: "Acme", Country: country, Currency: cur, TimeZone: "Europe/Warsaw", Language: "en"}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	admin, err := site.Unlock(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := site.Provision(ctx, []app.Feature{app.FeaturePaidSessions, app.FeaturePromoCodes}, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range []app.Feature{app.FeaturePaidSessions, app.FeaturePromoCodes} {
		if err := site.SetFeatureEnabled(ctx, admin, f, true); err != nil {
			t.Fatal(err)
		}
	}
	reg := &registry.Registry{Sites: db, Settings: db, Secrets: vault, SandboxLedger: filepath.Join(dir, "sandbox.json")}
	t.Cleanup(func() { reg.Close() })
	merchant := &app.MerchantService{Sites: db, Admins: site, Settings: db, Secrets: vault, Tester: reg}
	if err := merchant.SavePaymentSettings(ctx, admin, app.PaymentSettings{Processor: app.ProcessorPayflow, CreditCards: true}); err != nil {
		t.Fatal(err)
	}
	f := &promoFixture{t: t, db: db, site: site, reg: reg, pay: app.NewPaymentService(db, reg, nil),
		clock: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	f.promo = &app.PromoService{Store: db, Site: site, Sessions: db, Secrets: vault, Now: f.now}
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

// session inserts a paid session (the paid-sessions feature's table) with
// a fee in minor units.
func (f *promoFixture) session(topic string, feeMinor int64, cur string) int64 {
	f.t.Helper()
	now := "2026-01-01T00:00:00.000000000Z"
	res, err := f.db.Write().Exec(`INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone, duration_minutes,
		type, fee_minor, currency, registration_required, max_registrations, created_at, updated_at)
		VALUES (?, lower(?), '2026-06-01T09:00:00.000000000Z', '2026-06-01T10:00:00.000000000Z', 'UTC', 60,
		        'paid', ?, ?, 1, 1000, ?, ?)`, topic, topic, feeMinor, cur, now, now)
	if err != nil {
		f.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// registration inserts a pending registration for a session.
func (f *promoFixture) registration(sessionID int64, email string) int64 {
	f.t.Helper()
	now := "2026-01-01T00:00:00.000000000Z"
	res, err := f.db.Write().Exec(`INSERT INTO registration (session_id, first_name, last_name, email, status, confirmation,
		created_at, updated_at) VALUES (?, 'Jan', 'Kowalski', ?, 'pending-payment', ?, ?, ?)`,
		sessionID, email, fmt.Sprintf("C-%d-%s", sessionID, email), now, now)
	if err != nil {
		f.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

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

func promoTestCard() *app.Card {
	return &app.Card{Number: []byte("4111111111111111"), CVV: []byte("737"), ExpMonth: 3, ExpYear: time.Now().Year() + 2, Holder: "Jan Kowalski"}
}

// pay charges a quote's total for a registration, as the Payment
// Information page does.
func (f *promoFixture) pay1(q app.PromoQuote, regID int64) (app.Payment, error) {
	amount, err := currency.NewAmountFromInt64(q.TotalMinor, q.Currency)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.pay.Charge(context.Background(), app.ChargeRequest{Purpose: app.PurposeRegistration,
		Reference: fmt.Sprintf("registration:%d", regID), Amount: amount, Method: app.MethodCreditCard, Card: promoTestCard(),
		Payer: app.Payer{FirstName: "Jan", LastName: "Kowalski", Email: q.Email}})
}

func (f *promoFixture) uses(codeID int64) (used, reserved int) {
	f.t.Helper()
	c, err := f.promo.Code(context.Background(), codeID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c.Uses, c.Reserved
}

// Acceptance 1: 32 goroutines redeem a code with 3 uses left, each
// completing a sandbox payment: exactly 3 succeed, the others see "used
// up", and the sandbox ledger holds exactly 3 charges.
func TestPromoAcceptance1_ConcurrentRedemptionNeverExceedsTheLimit(t *testing.T) {
	f := newPromoFixture(t, "USD")
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
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			email := fmt.Sprintf("Attendee%02d@Example.com", i)
			q, err := f.promo.Quote(ctx, sess, email, "  three-left ")
			var res error
			if err == nil {
				var resID int64
				resID, err = f.promo.Reserve(ctx, q, regs[i])
				if err == nil {
					_, res = f.pay1(q, regs[i])
					_ = resID
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
				other = append(other, fmt.Errorf("goroutine %d: %v / %v", i, err, res))
			}
		}(i)
	}
	close(start)
	wg.Wait()
	if paid != 3 || usedUp != 29 || len(other) != 0 {
		t.Fatalf("paid %d, used up %d, other %v", paid, usedUp, other)
	}
	sb, err := f.reg.Sandbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sb.Ledger()); n != 3 {
		t.Fatalf("sandbox ledger holds %d entries, want 3 charges", n)
	}
	if used, reserved := f.uses(code.ID); used != 3 || reserved != 0 {
		t.Fatalf("uses %d, reserved %d", used, reserved)
	}
	// Each charge is the discounted total, 120.00 - 15% = 102.00.
	payments, _, _ := f.pay.Payments(ctx, app.PaymentFilter{})
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

func TestPromoDeclinedPaymentKeepsTheUseUntilAbandoned(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	sess := f.session("Declined", 5000, "USD")
	f.code(app.PromoCode{Code: "ONLY-ONCE", Kind: app.DiscountFixed, FixedMinor: 1, UseLimit: 1})
	reg := f.registration(sess, "a@example.com")
	// 1,012.00 after the discount: the sandbox declines it.
	sess2 := f.session("Declined exactly", 101201, "USD")
	reg2 := f.registration(sess2, "b@example.com")
	q, err := f.promo.Quote(ctx, sess2, "b@example.com", "ONLY-ONCE")
	if err != nil || q.TotalMinor != 101200 {
		t.Fatalf("quote %+v %v", q, err)
	}
	resID, err := f.promo.Reserve(ctx, q, reg2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.pay1(q, reg2); app.ErrorCode(err) != app.EDECLINED {
		t.Fatalf("want a decline: %v", err)
	}
	// The decline keeps the use for the attendee's next card.
	if _, err := f.promo.Quote(ctx, sess, "a@example.com", "only-once"); app.AsError(err).Key != "error.promo.used_up" {
		t.Fatalf("after the decline the use is still held: %v", err)
	}
	if err := f.promo.Renew(ctx, reg2); err != nil {
		t.Fatalf("renew for another attempt: %v", err)
	}
	// The attendee gives up: the use is freed and another attendee gets it.
	if err := f.promo.Release(ctx, resID); err != nil {
		t.Fatal(err)
	}
	if err := f.promo.Renew(ctx, reg2); app.AsError(err).Key != "error.promo.reservation_gone" {
		t.Fatalf("renew after release: %v", err)
	}
	q, err = f.promo.Quote(ctx, sess, "a@example.com", "only-once")
	if err != nil {
		t.Fatalf("after the release: %v", err)
	}
	if _, err := f.promo.Reserve(ctx, q, reg); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pay1(q, reg); err != nil {
		t.Fatal(err)
	}
	if used, reserved := f.uses(q.CodeID); used != 1 || reserved != 0 {
		t.Fatalf("uses %d reserved %d", used, reserved)
	}
}

// A declined card and then a good one on the same reservation count one use.
func TestPromoDeclineThenRetryCountsOneUse(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	sess := f.session("Retry", 5000, "USD")
	f.code(app.PromoCode{Code: "RETRY", Kind: app.DiscountFixed, FixedMinor: 1000, UseLimit: 1})
	reg := f.registration(sess, "a@example.com")
	other := f.registration(sess, "b@example.com")
	q, err := f.promo.Quote(ctx, sess, "a@example.com", "retry")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.promo.Reserve(ctx, q, reg); err != nil {
		t.Fatal(err)
	}
	amount, _ := currency.NewAmountFromInt64(q.TotalMinor, q.Currency)
	bad := promoTestCard()
	bad.CVV = []byte("000") // the sandbox's security-code failure
	if _, err := f.pay.Charge(ctx, app.ChargeRequest{Purpose: app.PurposeRegistration, Reference: fmt.Sprintf("registration:%d", reg),
		Amount: amount, Method: app.MethodCreditCard, Card: bad, Payer: app.Payer{FirstName: "Jan", LastName: "Kowalski"}}); app.ErrorCode(err) != app.EDECLINED {
		t.Fatalf("want a decline: %v", err)
	}
	if _, err := f.pay1(q, reg); err != nil {
		t.Fatal(err)
	}
	if used, reserved := f.uses(q.CodeID); used != 1 || reserved != 0 {
		t.Fatalf("uses %d reserved %d", used, reserved)
	}
	if _, err := f.promo.Quote(ctx, sess, "b@example.com", "retry"); app.AsError(err).Key != "error.promo.used_up" {
		t.Fatalf("the code is used up: %v (registration %d)", err, other)
	}
}

func TestPromoAbandonedReservationExpires(t *testing.T) {
	f := newPromoFixture(t, "PLN")
	ctx := context.Background()
	sess := f.session("Abandoned", 5000, "PLN")
	f.code(app.PromoCode{Code: "ABAND", UseLimit: 1})
	r1, r2 := f.registration(sess, "a@example.com"), f.registration(sess, "b@example.com")
	q, _ := f.promo.Quote(ctx, sess, "a@example.com", "aband")
	id, err := f.promo.Reserve(ctx, q, r1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.promo.Quote(ctx, sess, "b@example.com", "aband"); app.AsError(err).Key != "error.promo.used_up" {
		t.Fatalf("reserved: %v", err)
	}
	f.advance(app.PromoReservationTTL + time.Second)
	q2, err := f.promo.Quote(ctx, sess, "b@example.com", "aband")
	if err != nil {
		t.Fatalf("after the reservation expired: %v", err)
	}
	if _, err := f.promo.Reserve(ctx, q2, r2); err != nil {
		t.Fatal(err)
	}
	// Explicit release works and is idempotent.
	if err := f.promo.Release(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.promo.Release(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestPromoOpenPaymentHoldsTheReservationPastItsExpiry(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	sess := f.session("Open", 5000, "USD")
	f.code(app.PromoCode{Code: "HOLD1", UseLimit: 1})
	r1 := f.registration(sess, "a@example.com")
	q, _ := f.promo.Quote(ctx, sess, "a@example.com", "hold1")
	resID, err := f.promo.Reserve(ctx, q, r1)
	if err != nil {
		t.Fatal(err)
	}
	// The journal row is committed before the gateway is called: the
	// payment is open.
	p := app.Payment{Key: app.NewKey(), InvoiceID: "TPOPEN1", Kind: app.KindSale, Purpose: app.PurposeRegistration,
		Reference: fmt.Sprintf("registration:%d", r1), Method: app.MethodCreditCard, Processor: app.ProcessorPayflow,
		Mode: app.ModeTest, AmountMinor: q.TotalMinor, Currency: "USD"}
	if err := f.db.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	f.advance(3 * app.PromoReservationTTL)
	if _, err := f.promo.Quote(ctx, sess, "b@example.com", "hold1"); app.AsError(err).Key != "error.promo.used_up" {
		t.Fatalf("an open payment must keep the use: %v", err)
	}
	if err := f.promo.Release(ctx, resID); app.AsError(err).Key != "error.promo.payment_open" {
		t.Fatalf("release while paying: %v", err)
	}
	// Reconciliation finds it charged: the use is final.
	if err := f.db.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, At: f.now()}); err != nil {
		t.Fatal(err)
	}
	if used, reserved := f.uses(q.CodeID); used != 1 || reserved != 0 {
		t.Fatalf("uses %d reserved %d", used, reserved)
	}
	if err := f.promo.Release(ctx, resID); app.AsError(err).Key != "error.promo.already_final" {
		t.Fatalf("release after use: %v", err)
	}
}

func TestPromoHundredPercentConfirmsWithoutPayment(t *testing.T) {
	f := newPromoFixture(t, "GBP")
	ctx := context.Background()
	sess := f.session("Free", 2500, "GBP")
	f.code(app.PromoCode{Code: "FREE100", Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: 0})
	reg := f.registration(sess, "a@example.com")
	q, err := f.promo.Quote(ctx, sess, "a@example.com", "free100")
	if err != nil || q.TotalMinor != 0 || q.DiscountMinor != 2500 {
		t.Fatalf("quote %+v %v", q, err)
	}
	id, err := f.promo.Reserve(ctx, q, reg)
	if err != nil {
		t.Fatal(err)
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
	if ps, _, _ := f.pay.Payments(ctx, app.PaymentFilter{}); len(ps) != 0 {
		t.Fatalf("a free registration made %d payments", len(ps))
	}
	// A non-zero reservation is never confirmed without a payment.
	f.code(app.PromoCode{Code: "HALF50", Kind: app.DiscountPercent, PercentBP: 5000})
	reg2 := f.registration(sess, "b@example.com")
	q2, _ := f.promo.Quote(ctx, sess, "b@example.com", "half50")
	id2, _ := f.promo.Reserve(ctx, q2, reg2)
	if err := f.promo.ConfirmFree(ctx, id2); app.AsError(err).Key != "error.promo.not_free" {
		t.Fatalf("confirm a paid total: %v", err)
	}
}

func TestPromoQuoteSaysWhyACodeDoesNotApply(t *testing.T) {
	f := newPromoFixture(t, "USD")
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
	mine := f.code(app.PromoCode{Code: "MINE1", UseLimit: 10, PerAttendeeLimit: 1})
	reg := f.registration(s1, "a@example.com")
	q, _ := f.promo.Quote(ctx, s1, "a@example.com", "mine1")
	if _, err := f.promo.Reserve(ctx, q, reg); err != nil {
		t.Fatal(err)
	}
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
	_ = mine
}

func TestPromoLimitNeverBelowUsesAndUsedCodeCannotBeDeleted(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	sess := f.session("Limits", 1000, "USD")
	c := f.code(app.PromoCode{Code: "LIMIT", UseLimit: 5})
	for i := 0; i < 2; i++ {
		email := fmt.Sprintf("a%d@example.com", i)
		reg := f.registration(sess, email)
		q, err := f.promo.Quote(ctx, sess, email, "limit")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.promo.Reserve(ctx, q, reg); err != nil {
			t.Fatal(err)
		}
		if _, err := f.pay1(q, reg); err != nil {
			t.Fatal(err)
		}
	}
	upd := app.PromoCodeUpdate{UseLimit: 1, PerAttendeeLimit: 1, ValidUntil: c.ValidUntil, AllSessions: true}
	if err := f.promo.UpdateCode(ctx, c.ID, upd); app.AsError(err).Key != "error.promo.limit_below_uses" {
		t.Fatalf("limit below uses: %v", err)
	}
	// The trigger refuses it whatever code runs the SQL.
	if _, err := f.db.Write().Exec(`UPDATE promo_code SET use_limit = 1 WHERE id = ?`, c.ID); err == nil {
		t.Fatal("the database let the limit fall below the uses")
	}
	upd.UseLimit = 2
	if err := f.promo.UpdateCode(ctx, c.ID, upd); err != nil {
		t.Fatalf("limit equal to uses: %v", err)
	}
	if err := f.promo.DeleteCode(ctx, c.ID); app.AsError(err).Key != "error.promo.used_cannot_delete" {
		t.Fatalf("delete a used code: %v", err)
	}
	if _, err := f.db.Write().Exec(`DELETE FROM promo_code WHERE id = ?`, c.ID); err == nil {
		t.Fatal("the database deleted a used code")
	}
	if err := f.promo.ExtendExpiry(ctx, c.ID, c.ValidUntil.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A use can never be added above the limit, even by hand.
	reg := f.registration(sess, "z@example.com")
	if _, err := f.db.Write().Exec(`INSERT INTO promo_redemption (code_id, registration_id, session_id, email, state,
		fee_minor, discount_minor, total_minor, currency, created_at, expires_at, updated_at)
		VALUES (?, ?, ?, 'z@example.com', 'used', 1000, 150, 850, 'USD', 'x', 'x', 'x')`, c.ID, reg, sess); err == nil {
		t.Fatal("the database took a use above the limit")
	}
	unused := f.code(app.PromoCode{Code: "UNUSED"})
	if err := f.promo.AddRecipient(ctx, unused.ID, "a@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.promo.DeleteCode(ctx, unused.ID); err != nil {
		t.Fatalf("delete an unused code: %v", err)
	}
}

func TestPromoCodesAreUniqueIgnoringCase(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	f.code(app.PromoCode{Code: "SPRING-25"})
	if _, err := f.promo.CreateCode(ctx, app.PromoCode{Code: "spring-25", Kind: app.DiscountPercent, PercentBP: 100,
		AllSessions: true, ValidUntil: f.now().Add(time.Hour)}); app.AsError(err).Key != "error.promo.code_taken" {
		t.Fatalf("same code in lower case: %v", err)
	}
	if _, err := f.db.Write().Exec(`INSERT INTO promo_code (code, kind, percent_bp, valid_from, valid_until, created_at)
		VALUES ('spring-25', 'percent', 100, 'a', 'b', 'x')`); err == nil {
		t.Fatal("the database stored a lower-case code")
	}
	codes, err := f.promo.GenerateCodes(ctx, app.PromoCode{Kind: app.DiscountFixed, FixedMinor: 500, UseLimit: 1,
		AllSessions: true, ValidUntil: f.now().Add(time.Hour)}, 20, 8)
	if err != nil || len(codes) != 20 {
		t.Fatalf("generate: %d %v", len(codes), err)
	}
	all, _ := f.promo.Codes(ctx)
	if len(all) != 21 || all[0].Currency != "USD" || all[0].FixedMinor != 500 {
		t.Fatalf("codes %d %+v", len(all), all[0])
	}
}

func TestPromoFeatureMustBeEnabled(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	if _, err := f.site.Provision(ctx, []app.Feature{app.FeaturePromoCodes}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.promo.Codes(ctx); app.AsError(err).Key != "error.feature.contact_site_admin" {
		t.Fatalf("disabled feature: %v", err)
	}
	if _, err := f.promo.Quote(ctx, 1, "a@example.com", "ABCDE"); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Fatalf("quote with the feature off: %v", err)
	}
}

// The codes list reads pages newest first, searches a part of the code in
// any case, and gives each code of the page its chosen sessions.
func TestPromoCodePageSearchesAndPages(t *testing.T) {
	f := newPromoFixture(t, "PLN")
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
}
