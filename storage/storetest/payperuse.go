package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// PayPerUseStores is what the pay-per-use suite drives: the sessions,
// pay-per-use and payment stores.
type PayPerUseStores interface {
	app.SessionStore
	app.PayPerUseStore
	app.PaymentStore
}

// PayPerUseFixture is a fresh database for the pay-per-use suite, and the
// means to set up and read what it relies on that other stores keep (the
// site, departments, the ledger and the audit log).
type PayPerUseFixture struct {
	Store PayPerUseStores
	// SetUpSite creates the site.
	SetUpSite func(t *testing.T, s app.Site)
	// AddDepartment creates a department and returns its id.
	AddDepartment func(t *testing.T, d app.Department) int64
	// Ledger reads a department's ledger entries, oldest first.
	Ledger func(t *testing.T, departmentID int64) []app.LedgerEntry
	// Audit reads the audit log, newest first.
	Audit func(t *testing.T) []app.AuditEntry
}

// PayPerUseSite is the suite's site: USD, in New York, 0.0150 a
// person-minute and 0.0040 a teleconference minute.
var PayPerUseSite = app.Site{
	Name: "Acme Training", Country: "US", Currency: "USD", TimeZone: "America/New_York",
	Language: "en", Mode: app.ModeTest, RatePersonMinuteE4: 150, RateTeleconferenceMinuteE4: 40,
	CreatedAt: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC),
}

// PayPerUseSession is a pay-per-use session paid by department (0: none)
// starting at start.
func PayPerUseSession(topic string, start time.Time, department int64) app.Session {
	s := app.Session{
		Topic: topic, StartsAt: start, TimeZone: "America/New_York", DurationMinutes: 120,
		Type: app.SessionPayPerUse, Currency: "USD", ExpectedComputers: 10, ExpectedTeleconference: 4,
		DepartmentID: department, Status: app.SessionScheduled,
	}
	s.Normalize()
	return s
}

// PayPerUseSale is a pay-per-use (or true-up) sale for session id.
func PayPerUseSale(purpose app.Purpose, id, amount int64) app.Payment {
	p := NewSale(amount)
	p.Purpose, p.Reference, p.Currency, p.GatewayRef = purpose, app.SessionReference(id), "USD", ""
	return p
}

// RunPayPerUseStore runs the pay-per-use store's contract, and the
// journal's pay-per-use effects, against the fixtures open returns: each
// call must give a new, empty database.
func RunPayPerUseStore(t *testing.T, open func(t *testing.T) PayPerUseFixture) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, PayPerUseFixture)
	}{
		{"RatesFreezeOnceAndTheAccountSumsTheJournal", ratesFreezeOnce},
		{"ActualUsageNeedsFrozenRatesAndIsAudited", actualUsageRecorded},
		{"StartNeedsThePaymentWhenThereIsACost", startNeedsPayment},
		{"SettledPaymentsMarkTheSessionPaidAndWriteTheLedger", settledPaymentsWriteTheLedger},
		{"RefundAfterTheActualUsageIsATrueUp", refundAfterActualIsATrueUp},
		{"SessionWithoutADepartmentWritesNoLedger", noDepartmentNoLedger},
		{"UpdateSessionKeepsThePaidMarker", updateSessionKeepsThePaidMarker},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

func ratesFreezeOnce(t *testing.T, f PayPerUseFixture) {
	ctx := context.Background()
	s := f.Store
	x := AddSession(t, s, PayPerUseSession("Webinar", Clock.Add(48*time.Hour), 0))
	acc, err := s.PayPerUseAccount(ctx, x.ID)
	if err != nil || acc.Frozen || acc.SessionID != x.ID || acc.PaidMinor != 0 || acc.Actual != nil || !acc.StartedAt.IsZero() {
		t.Fatalf("before anything: %+v, %v", acc, err)
	}
	rates := app.Rates{PersonMinuteE4: 150, TeleconferenceMinuteE4: 40, Currency: "USD"}
	if err := s.FreezeRates(ctx, x.ID, rates); err != nil {
		t.Fatal(err)
	}
	if err := s.FreezeRates(ctx, x.ID, app.Rates{PersonMinuteE4: 999, TeleconferenceMinuteE4: 999, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	WantError(t, s.FreezeRates(ctx, 9999, rates), app.ENOTFOUND, "error.session.not_found")

	first := Create(t, s, PayPerUseSale(app.PurposePayPerUse, x.ID, 30_00), app.StateApproved)
	Create(t, s, NewChild(app.KindRefund, first, 5_00), app.StateApproved)
	Create(t, s, PayPerUseSale(app.PurposeTrueUp, x.ID, 7_00), app.StateDeclined)
	Create(t, s, PayPerUseSale(app.PurposeTrueUp, x.ID, 2_00), app.StatePending)
	acc, err = s.PayPerUseAccount(ctx, x.ID)
	if err != nil || !acc.Frozen || acc.Rates != rates || acc.PaidMinor != 25_00 || acc.OpenMinor != 2_00 ||
		len(acc.Sales) != 1 || acc.Sales[0].ID != first.ID || acc.Sales[0].RefundedMinor != 5_00 {
		t.Errorf("account %+v, %v", acc, err)
	}
}

func actualUsageRecorded(t *testing.T, f PayPerUseFixture) {
	ctx := context.Background()
	s := f.Store
	f.SetUpSite(t, PayPerUseSite)
	x := AddSession(t, s, PayPerUseSession("Webinar", Clock.Add(48*time.Hour), 0))
	at := Clock.Add(50 * time.Hour)
	u := app.ActualUsage{PersonMinutes: 1200, TeleconferenceMinutes: 300, RecordedAt: at, Source: "entered"}
	audit := []app.AuditEntry{{At: at, Actor: app.ActorAdministrator, Action: "payperuse.actual", Target: x.Topic, New: "1200/300"}}
	WantError(t, s.RecordActual(ctx, x.ID, u, audit), app.ECONFLICT, "error.payperuse.unpaid")
	if err := s.FreezeRates(ctx, x.ID, app.RatesOf(PayPerUseSite)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordActual(ctx, x.ID, u, audit); err != nil {
		t.Fatal(err)
	}
	u.PersonMinutes, u.Source = 1100, "import"
	if err := s.RecordActual(ctx, x.ID, u, nil); err != nil {
		t.Fatal(err)
	}
	acc, err := s.PayPerUseAccount(ctx, x.ID)
	if err != nil || acc.Actual == nil || *acc.Actual != (app.ActualUsage{
		PersonMinutes: 1100, TeleconferenceMinutes: 300,
		RecordedAt: at, Source: "import",
	}) {
		t.Errorf("actual %+v, %v", acc.Actual, err)
	}
	entries := f.Audit(t)
	if len(entries) != 1 || entries[0].Action != "payperuse.actual" || entries[0].New != "1200/300" || !entries[0].At.Equal(at) {
		t.Errorf("audit %+v", entries)
	}
}

func startNeedsPayment(t *testing.T, f PayPerUseFixture) {
	ctx := context.Background()
	s := f.Store
	f.SetUpSite(t, PayPerUseSite)
	x := AddSession(t, s, PayPerUseSession("Webinar", Clock.Add(48*time.Hour), 0))
	at := Clock.Add(48 * time.Hour)
	WantError(t, s.MarkStarted(ctx, x.ID, at, 42_00), app.ECONFLICT, "error.payperuse.unpaid")
	if acc, _ := s.PayPerUseAccount(ctx, x.ID); acc.Frozen || !acc.StartedAt.IsZero() {
		t.Errorf("a refused start left %+v", acc)
	}
	// With nothing to pay it starts, priced at the site's rates.
	free := AddSession(t, s, PayPerUseSession("Free to start", Clock.Add(48*time.Hour), 0))
	if err := s.MarkStarted(ctx, free.ID, at, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkStarted(ctx, free.ID, at.Add(time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	acc, err := s.PayPerUseAccount(ctx, free.ID)
	if err != nil || !acc.Frozen || acc.Rates != app.RatesOf(PayPerUseSite) || !acc.StartedAt.Equal(at) {
		t.Errorf("free start: %+v, %v", acc, err)
	}
	// Paid, it starts.
	if err := s.FreezeRates(ctx, x.ID, app.RatesOf(PayPerUseSite)); err != nil {
		t.Fatal(err)
	}
	Create(t, s, PayPerUseSale(app.PurposePayPerUse, x.ID, 42_00), app.StateApproved)
	if err := s.MarkStarted(ctx, x.ID, at, 42_00); err != nil {
		t.Fatal(err)
	}
	if acc, _ := s.PayPerUseAccount(ctx, x.ID); !acc.StartedAt.Equal(at) || acc.PaidMinor != 42_00 {
		t.Errorf("paid start: %+v", acc)
	}
	WantError(t, s.MarkStarted(ctx, 9999, at, 0), app.ENOTFOUND, "error.session.not_found")
}

// wantLedger checks a department's ledger: kind, amount and payment of each
// entry, with the period, session, currency, invoice and time every
// settlement writes.
func wantLedger(t *testing.T, f PayPerUseFixture, department int64, period string, x app.Session, want ...app.LedgerEntry) {
	t.Helper()
	got := f.Ledger(t, department)
	if len(got) != len(want) {
		t.Fatalf("ledger of department %d: %+v, want %d entries", department, got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.Kind || g.AmountMinor != w.AmountMinor || g.PaymentID != w.PaymentID || g.Period != period ||
			g.SessionID != x.ID || g.DepartmentID != department || g.Currency != "USD" || g.Reference != w.Reference ||
			g.Note != w.Note || !g.At.Equal(w.At) {
			t.Errorf("ledger entry %d: %+v, want %+v in %s", i, g, w, period)
		}
	}
}

// settle creates p and settles it in state at at, with a gateway reference.
func settle(t *testing.T, s app.PaymentStore, p app.Payment, at time.Time, states ...app.PaymentState) app.Payment {
	t.Helper()
	ctx := context.Background()
	if err := s.CreatePayment(ctx, &p); err != nil {
		t.Fatalf("CreatePayment(%s %s %d): %v", p.Purpose, p.Kind, p.AmountMinor, err)
	}
	for _, st := range states {
		if err := s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: st, GatewayRef: "REF" + p.InvoiceID[len(p.InvoiceID)-4:], At: at}); err != nil {
			t.Fatalf("SettlePayment(%d, %s): %v", p.ID, st, err)
		}
	}
	got, err := s.Payment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A pay-per-use sale, once charged (held, then approved: once), marks the
// session paid and charges its department in the period of the session's
// start, in the site's time zone; a refund goes back to that department
// and period; a true-up sale is a true-up.
func settledPaymentsWriteTheLedger(t *testing.T, f PayPerUseFixture) {
	ctx := context.Background()
	s := f.Store
	f.SetUpSite(t, PayPerUseSite)
	dept := f.AddDepartment(t, app.Department{Name: "Sales", CostCentre: "CC-4100", OwnerName: "Ann Lee", OwnerEmail: "ann@example.com"})
	other := f.AddDepartment(t, app.Department{Name: "Support", CostCentre: "CC-4200", OwnerName: "Bo Kim", OwnerEmail: "bo@example.com"})
	// 1 January 2031, 02:00 UTC is still 31 December 2030 in New York.
	x := AddSession(t, s, PayPerUseSession("New Year's Eve", time.Date(2031, 1, 1, 2, 0, 0, 0, time.UTC), dept))
	if err := s.FreezeRates(ctx, x.ID, app.RatesOf(PayPerUseSite)); err != nil {
		t.Fatal(err)
	}
	at := Clock.Add(time.Hour)
	sale := settle(t, s, PayPerUseSale(app.PurposePayPerUse, x.ID, 42_00), at, app.StateHeld, app.StateApproved)
	if got, _ := s.Session(ctx, x.ID); got.PaidPaymentID != sale.ID {
		t.Errorf("paid marker %d, want %d", got.PaidPaymentID, sale.ID)
	}
	wantLedger(t, f, dept, "FY2030", x, app.LedgerEntry{
		Kind: app.LedgerCharge, AmountMinor: 42_00, PaymentID: sale.ID,
		Reference: sale.InvoiceID, Note: sale.GatewayRef, At: at,
	})

	// The session moves to another department and year: the refund still
	// goes back where the sale was charged; a true-up goes where it is now.
	moved := x
	moved.DepartmentID, moved.StartsAt = other, time.Date(2031, 2, 1, 15, 0, 0, 0, time.UTC)
	if err := s.UpdateSession(ctx, &moved); err != nil {
		t.Fatal(err)
	}
	refund := settle(t, s, NewChild(app.KindRefund, sale, 12_00), at.Add(time.Hour), app.StateApproved)
	trueUp := settle(t, s, PayPerUseSale(app.PurposeTrueUp, x.ID, 3_00), at.Add(2*time.Hour), app.StateApproved)
	wantLedger(t, f, dept, "FY2030", x,
		app.LedgerEntry{Kind: app.LedgerCharge, AmountMinor: 42_00, PaymentID: sale.ID, Reference: sale.InvoiceID, Note: sale.GatewayRef, At: at},
		app.LedgerEntry{
			Kind: app.LedgerRefund, AmountMinor: 12_00, PaymentID: refund.ID, Reference: refund.InvoiceID,
			Note: refund.GatewayRef, At: at.Add(time.Hour),
		})
	wantLedger(t, f, other, "FY2031", x, app.LedgerEntry{
		Kind: app.LedgerTrueUp, AmountMinor: 3_00, PaymentID: trueUp.ID,
		Reference: trueUp.InvoiceID, Note: trueUp.GatewayRef, At: at.Add(2 * time.Hour),
	})
	// A second pay-per-use sale keeps the first as the paid marker.
	second := settle(t, s, PayPerUseSale(app.PurposePayPerUse, x.ID, 1_00), at.Add(3*time.Hour), app.StateApproved)
	if got, _ := s.Session(ctx, x.ID); got.PaidPaymentID != sale.ID || second.ID == sale.ID {
		t.Errorf("paid marker %d after a second sale, want %d", got.PaidPaymentID, sale.ID)
	}
	acc, err := s.PayPerUseAccount(ctx, x.ID)
	if err != nil || acc.PaidMinor != 42_00-12_00+3_00+1_00 || len(acc.Sales) != 3 {
		t.Errorf("account %+v, %v", acc, err)
	}
}

// Once the actual usage is recorded, a refund of the estimate's sale is the
// true-up's: a negative true-up entry.
func refundAfterActualIsATrueUp(t *testing.T, f PayPerUseFixture) {
	ctx := context.Background()
	s := f.Store
	f.SetUpSite(t, PayPerUseSite)
	dept := f.AddDepartment(t, app.Department{Name: "Sales", CostCentre: "CC-4100", OwnerName: "Ann Lee", OwnerEmail: "ann@example.com"})
	x := AddSession(t, s, PayPerUseSession("Webinar", time.Date(2030, 6, 1, 15, 0, 0, 0, time.UTC), dept))
	if err := s.FreezeRates(ctx, x.ID, app.RatesOf(PayPerUseSite)); err != nil {
		t.Fatal(err)
	}
	at := Clock.Add(time.Hour)
	sale := settle(t, s, PayPerUseSale(app.PurposePayPerUse, x.ID, 42_00), at, app.StateApproved)
	if err := s.RecordActual(ctx, x.ID, app.ActualUsage{PersonMinutes: 600, TeleconferenceMinutes: 0, RecordedAt: at, Source: "entered"}, nil); err != nil {
		t.Fatal(err)
	}
	refund := settle(t, s, NewChild(app.KindRefund, sale, 20_00), at.Add(time.Hour), app.StateHeld, app.StateApproved)
	wantLedger(t, f, dept, "FY2030", x,
		app.LedgerEntry{Kind: app.LedgerCharge, AmountMinor: 42_00, PaymentID: sale.ID, Reference: sale.InvoiceID, Note: sale.GatewayRef, At: at},
		app.LedgerEntry{
			Kind: app.LedgerTrueUp, AmountMinor: -20_00, PaymentID: refund.ID, Reference: refund.InvoiceID,
			Note: refund.GatewayRef, At: at.Add(time.Hour),
		})
}

// A session paid by its host (no department) is marked paid and charges
// no ledger; its refund neither.
func noDepartmentNoLedger(t *testing.T, f PayPerUseFixture) {
	ctx := context.Background()
	s := f.Store
	f.SetUpSite(t, PayPerUseSite)
	dept := f.AddDepartment(t, app.Department{Name: "Sales", CostCentre: "CC-4100", OwnerName: "Ann Lee", OwnerEmail: "ann@example.com"})
	x := AddSession(t, s, PayPerUseSession("Webinar", Clock.Add(48*time.Hour), 0))
	sale := settle(t, s, PayPerUseSale(app.PurposePayPerUse, x.ID, 42_00), Clock, app.StateApproved)
	settle(t, s, NewChild(app.KindRefund, sale, 2_00), Clock, app.StateApproved)
	if got, _ := s.Session(ctx, x.ID); got.PaidPaymentID != sale.ID {
		t.Errorf("paid marker %d, want %d", got.PaidPaymentID, sale.ID)
	}
	if entries := f.Ledger(t, dept); len(entries) != 0 {
		t.Errorf("ledger %+v, want none", entries)
	}
	// A free session's "session:" sale has no pay-per-use effect.
	free := AddSession(t, s, FreeSession("Free", Clock.Add(time.Hour), 60))
	settle(t, s, PayPerUseSale(app.PurposePayPerUse, free.ID, 1_00), Clock, app.StateApproved)
	if got, _ := s.Session(ctx, free.ID); got.PaidPaymentID != 0 {
		t.Errorf("free session marked paid by %d", got.PaidPaymentID)
	}
}

// The paid marker of a pay-per-use session belongs to the journal's
// settlement: saving an edit from a copy read before the payment keeps it.
func updateSessionKeepsThePaidMarker(t *testing.T, f PayPerUseFixture) {
	ctx := context.Background()
	s := f.Store
	f.SetUpSite(t, PayPerUseSite)
	x := AddSession(t, s, PayPerUseSession("Paid ahead", Clock.Add(48*time.Hour), 0))
	stale := x
	sale := settle(t, s, PayPerUseSale(app.PurposePayPerUse, x.ID, 10_00), Clock, app.StateApproved)
	stale.Topic = "Paid ahead (renamed)"
	if err := s.UpdateSession(ctx, &stale); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PaidPaymentID != sale.ID || got.Topic != "Paid ahead (renamed)" || stale.PaidPaymentID != sale.ID {
		t.Fatalf("after the edit: paid %d (want %d), topic %q", got.PaidPaymentID, sale.ID, got.Topic)
	}
}
