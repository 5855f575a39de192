package app_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/app/receipt"
	"github.com/trainpay/trainpay/app/receipt/receipttest"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
)

// ppu is a Test-mode site in USD with pay-per-use enabled at 0.12 and 0.08
// a minute, card payments through the offline sandbox, and one department.
type ppu struct {
	t        *testing.T
	ctx      context.Context
	db       *storage.DB
	site     *app.SiteService
	admin    *app.Admin
	payments *app.PaymentService
	budgets  *app.BudgetService
	svc      *app.PayPerUseService
	dept     app.Department
	loc      *time.Location
}

func newPPU(t *testing.T) *ppu {
	t.Helper()
	ctx := context.Background()
	db, _ := testsite.Open(t)
	site := testsite.Service(db)
	testsite.SetUp(t, site, testsite.US())
	admin := testsite.Unlock(t, site)
	testsite.Enable(t, site, admin, app.FeaturePayPerUse, app.FeaturePaidSessions)
	if err := site.SetRates(ctx, admin, 1200, 800); err != nil {
		t.Fatal(err)
	}
	if err := db.SavePaymentSettings(ctx, app.PaymentSettings{Processor: app.ProcessorPayflow, CreditCards: true}, nil); err != nil {
		t.Fatal(err)
	}
	reg := &registry.Registry{Sites: db, Settings: db}
	t.Cleanup(func() { reg.Close() })
	payments := app.NewPaymentService(db, reg, testLogger(t))
	budgets := &app.BudgetService{Site: site, Store: db, Sessions: db, Journal: db}
	svc := &app.PayPerUseService{Site: site, Sessions: db, Store: db, Budgets: db, Payments: payments}
	p := &ppu{t: t, ctx: ctx, db: db, site: site, admin: admin, payments: payments, budgets: budgets, svc: svc}
	p.loc, _ = time.LoadLocation("America/New_York")
	p.dept = app.Department{Name: "Sales Enablement", CostCentre: "cc-4100", OwnerName: "Ewa Kowalska", OwnerEmail: "Ewa@Example.com"}
	if err := budgets.SaveDepartment(ctx, admin, &p.dept); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *ppu) usd(s string) currency.Amount {
	p.t.Helper()
	a, err := currency.NewAmount(s, "USD")
	if err != nil {
		p.t.Fatal(err)
	}
	return a
}

// session schedules a pay-per-use session for the department, a week ahead.
func (p *ppu) session(minutes, computers, tele int) app.Session {
	p.t.Helper()
	s := app.Session{
		Topic: "Quarterly product training", StartsAt: time.Now().Add(7 * 24 * time.Hour).Truncate(time.Minute),
		TimeZone: "America/New_York", DurationMinutes: minutes, Type: app.SessionPayPerUse, Currency: "USD",
		ExpectedComputers: computers, ExpectedTeleconference: tele, DepartmentID: p.dept.ID,
	}
	s.Normalize()
	if err := p.db.CreateSession(p.ctx, &s); err != nil {
		p.t.Fatal(err)
	}
	return s
}

// period is the budget period of a session.
func (p *ppu) period(s app.Session) string {
	settings, err := p.budgets.Settings(p.ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	return settings.PeriodOf(s.StartsAt, p.loc).Key()
}

func (p *ppu) allocate(period, amount string) {
	p.t.Helper()
	if _, err := p.budgets.Allocate(p.ctx, p.admin, p.dept.ID, period, p.usd(amount), "annual budget"); err != nil {
		p.t.Fatal(err)
	}
}

func (p *ppu) setPolicy(policy app.BudgetPolicy) {
	p.t.Helper()
	s, _ := p.budgets.Settings(p.ctx)
	s.Policy = policy
	if err := p.budgets.SaveSettings(p.ctx, p.admin, s); err != nil {
		p.t.Fatal(err)
	}
}

// pay charges what PrepareCharge (or PrepareTrueUp) asks for, by card.
func (p *ppu) pay(c app.PayPerUseCharge) app.Payment {
	p.t.Helper()
	pay, err := p.payments.Charge(p.ctx, app.ChargeRequest{
		Purpose: c.Purpose, Reference: c.Reference, Amount: c.Amount,
		Method: app.MethodCreditCard, Card: testCard(), Payer: c.Payer, Description: "Pay-per-use session",
		PaidSoFarMinor: &c.PaidSoFarMinor,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return pay
}

// TestTwoDesktopsPayingOneSessionChargeItOnce: two desktops open the
// payment of one session, each worked out 342.00 due; the first pays. The
// second's charge is refused by the journal before the gateway is called,
// even though no payment is open any more; worked out again, nothing is due.
func TestTwoDesktopsPayingOneSessionChargeItOnce(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10) // 342.00
	first, err := p.svc.PrepareCharge(p.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.svc.PrepareCharge(p.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if paid := p.pay(first); paid.State != app.StateApproved {
		t.Fatalf("first payment %s", paid.State)
	}
	_, err = p.payments.Charge(p.ctx, app.ChargeRequest{
		Purpose: second.Purpose, Reference: second.Reference,
		Amount: second.Amount, Method: app.MethodCreditCard, Card: testCard(), Payer: second.Payer,
		Description: "Pay-per-use session", PaidSoFarMinor: &second.PaidSoFarMinor,
	})
	wantKey(t, err, "error.payperuse.paid_changed")
	rows, _, err := p.payments.Payments(p.ctx, app.PaymentFilter{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("journal: %d rows (%v), want the one sale", len(rows), err)
	}
	_, err = p.svc.PrepareCharge(p.ctx, s.ID)
	wantKey(t, err, "error.payperuse.nothing_due")
}

func (p *ppu) budget(period string) app.DepartmentBudget {
	p.t.Helper()
	bs, err := p.budgets.Budgets(p.ctx, period)
	if err != nil || len(bs) != 1 {
		p.t.Fatalf("budgets: %v %v", bs, err)
	}
	return bs[0]
}

func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	if e := app.AsError(err); err == nil || e.Key != key {
		t.Fatalf("error %v (%+v), want %s", err, e, key)
	}
}

func TestBudgetBlockPolicyRefusesAboveRemaining(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10) // 342.00
	p.allocate(p.period(s), "300.00")
	p.setPolicy(app.PolicyBlock)

	q, err := p.svc.Quote(p.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if q.DueMinor != 34200 || q.RemainingBeforeMinor != 30000 || q.RemainingAfterMinor != -4200 || !q.OverBudget {
		t.Fatalf("quote: due %d, before %d, after %d, over %v", q.DueMinor, q.RemainingBeforeMinor, q.RemainingAfterMinor, q.OverBudget)
	}
	_, err = p.svc.PrepareCharge(p.ctx, s.ID)
	wantKey(t, err, "error.budget.exceeded")
	if msg := app.AsError(err).Message; msg != "the estimate of 342.00 USD is above the 300.00 USD left in Sales Enablement's budget for "+p.period(s) {
		t.Fatalf("message %q", msg)
	}
	if rows, _, _ := p.payments.Payments(p.ctx, app.PaymentFilter{}); len(rows) != 0 {
		t.Fatalf("the block policy let a payment through: %v", rows)
	}
	// Within the budget the same policy lets it through.
	p.allocate(p.period(s), "42.00")
	if _, err := p.svc.PrepareCharge(p.ctx, s.ID); err != nil {
		t.Fatal(err)
	}
}

func TestBudgetWarnPolicyLetsItThroughWithTheWarning(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10)
	period := p.period(s)
	p.allocate(period, "300.00")
	c, err := p.svc.PrepareCharge(p.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Quote.OverBudget || c.Quote.Policy != app.PolicyWarn || c.Amount.String() != "342.00 USD" ||
		c.Payer.Email != "ewa@example.com" || c.Reference != "session:"+itoa(s.ID) {
		t.Fatalf("charge: %+v", c)
	}
	pay := p.pay(c)
	b := p.budget(period)
	if b.AllocatedMinor != 30000 || b.CommittedMinor != 34200 || b.SpentMinor != 0 || b.RemainingMinor() != -4200 {
		t.Fatalf("budget after paying: %+v remaining %d", b, b.RemainingMinor())
	}
	ses, _ := p.db.Session(p.ctx, s.ID)
	if ses.PaidPaymentID != pay.ID {
		t.Fatalf("session paid by %d, want %d", ses.PaidPaymentID, pay.ID)
	}
	// Nothing more is due: paying again is refused.
	_, err = p.svc.PrepareCharge(p.ctx, s.ID)
	wantKey(t, err, "error.payperuse.nothing_due")
}

func TestStartingAnUnpaidSessionIsRefused(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10)
	wantKey(t, p.svc.Start(p.ctx, s.ID), "error.payperuse.unpaid")
	// Whatever the caller: the store refuses a start with a cost and no payment.
	if err := p.db.FreezeRates(p.ctx, s.ID, app.Rates{PersonMinuteE4: 1200, TeleconferenceMinuteE4: 800, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	wantKey(t, p.db.MarkStarted(p.ctx, s.ID, time.Now(), 34200), "error.payperuse.unpaid")

	c, err := p.svc.PrepareCharge(p.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.pay(c)
	// The host edits the paid session: 120 minutes costs 456.00, so the
	// difference (114.00) is due before the start.
	s.DurationMinutes = 120
	if err := p.db.UpdateSession(p.ctx, &s); err != nil {
		t.Fatal(err)
	}
	err = p.svc.Start(p.ctx, s.ID)
	wantKey(t, err, "error.payperuse.difference_due")
	c, err = p.svc.PrepareCharge(p.ctx, s.ID)
	if err != nil || c.Amount.String() != "114.00 USD" {
		t.Fatalf("difference: %v %v", c.Amount, err)
	}
	p.pay(c)
	// Started within its start window (the site's 15 minutes before).
	p.svc.Now = func() time.Time { return s.StartsAt.Add(-10 * time.Minute) }
	if err := p.svc.Start(p.ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	acc, _ := p.db.PayPerUseAccount(p.ctx, s.ID)
	if acc.StartedAt.IsZero() || acc.PaidMinor != 45600 || len(acc.Sales) != 2 {
		t.Fatalf("account: %+v", acc)
	}
	// Started: the money is now spent, not committed.
	b := p.budget(p.period(s))
	if b.SpentMinor != 45600 || b.CommittedMinor != 0 {
		t.Fatalf("budget: %+v", b)
	}
}

func TestAFallRefundsTheDifference(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10)
	c, _ := p.svc.PrepareCharge(p.ctx, s.ID)
	p.pay(c)
	s.ExpectedComputers, s.ExpectedTeleconference = 20, 10 // 1,800 × 0.12 + 900 × 0.08 = 288.00
	if err := p.db.UpdateSession(p.ctx, &s); err != nil {
		t.Fatal(err)
	}
	q, _ := p.svc.Quote(p.ctx, s.ID)
	if q.DueMinor != -5400 || !q.Paid() {
		t.Fatalf("due %d paid %v", q.DueMinor, q.Paid())
	}
	n, err := p.svc.RefundExcess(p.ctx, s.ID, "Estimate fell")
	if err != nil || n != 5400 {
		t.Fatalf("refunded %d, %v", n, err)
	}
	entries, _ := p.budgets.Ledger(p.ctx, p.dept.ID, p.period(s))
	if len(entries) != 2 || entries[0].Kind != app.LedgerCharge || entries[1].Kind != app.LedgerRefund || entries[1].AmountMinor != 5400 {
		t.Fatalf("ledger: %+v", entries)
	}
	_, err = p.svc.RefundExcess(p.ctx, s.ID, "again")
	wantKey(t, err, "error.payperuse.nothing_to_refund")
}

func TestReimbursementReportTotalsEqualTheLedger(t *testing.T) {
	p := newPPU(t)
	a := p.session(90, 25, 10) // 342.00
	b := p.session(60, 10, 0)  // 72.00
	period := p.period(a)
	p.allocate(period, "1000.00")
	for _, s := range []app.Session{a, b} {
		c, err := p.svc.PrepareCharge(p.ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		p.pay(c)
	}
	b.DurationMinutes = 30 // 36.00: 36.00 refunded
	if err := p.db.UpdateSession(p.ctx, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.RefundExcess(p.ctx, b.ID, "Estimate fell"); err != nil {
		t.Fatal(err)
	}
	entries, _ := p.budgets.Ledger(p.ctx, p.dept.ID, period)
	var charges, refunds int64
	for _, e := range entries {
		switch e.Kind {
		case app.LedgerCharge:
			charges += e.AmountMinor
		case app.LedgerRefund:
			refunds += e.AmountMinor
		}
	}
	r, err := p.budgets.Report(p.ctx, p.dept.ID, period)
	if err != nil {
		t.Fatal(err)
	}
	if r.PaidMinor != charges-refunds || r.PaidMinor != 37800 || len(r.Lines) != 2 || r.OwedMinor() != 37800 {
		t.Fatalf("report paid %d, ledger %d − %d; lines %+v", r.PaidMinor, charges, refunds, r.Lines)
	}
	// Each line names its payments by the processor's reference (what the
	// payer saw), in the site's time zone, marked Test as they were made.
	processorRefs := map[string]bool{}
	for _, e := range entries {
		if e.PaymentID == 0 {
			continue
		}
		pay, err := p.db.Payment(p.ctx, e.PaymentID)
		if err != nil {
			t.Fatal(err)
		}
		if pay.GatewayRef == "" || pay.GatewayRef == pay.InvoiceID {
			t.Fatalf("payment %d has no processor reference of its own: %+v", pay.ID, pay)
		}
		processorRefs[pay.GatewayRef] = true
	}
	var sum int64
	for _, l := range r.Lines {
		sum += l.PaidMinor
		if len(l.References) == 0 || l.Topic == "" || !l.Test || l.StartsAt.Location().String() != "America/New_York" {
			t.Fatalf("line: %+v", l)
		}
		for _, ref := range l.References {
			if !processorRefs[ref] {
				t.Fatalf("line reference %q is not a processor reference of the session's payments %v", ref, processorRefs)
			}
		}
	}
	if !r.Test() || r.TimeZone != "America/New_York" {
		t.Fatalf("report test %t, zone %q", r.Test(), r.TimeZone)
	}
	if sum != r.PaidMinor {
		t.Fatalf("lines sum to %d, total %d", sum, r.PaidMinor)
	}

	_, err = p.budgets.MarkReimbursed(p.ctx, p.admin, p.dept.ID, period, p.usd("400.00"), "TRF-1")
	wantKey(t, err, "error.reimbursement.above_owed")
	_, err = p.budgets.MarkReimbursed(p.ctx, p.admin, p.dept.ID, period, p.usd("300.00"), " ")
	wantKey(t, err, "error.reimbursement.reference_required")
	if _, err := p.budgets.MarkReimbursed(p.ctx, p.admin, p.dept.ID, period, p.usd("300.00"), "TRF-2026-0042"); err != nil {
		t.Fatal(err)
	}
	r, _ = p.budgets.Report(p.ctx, p.dept.ID, period)
	if r.ReimbursedMinor != 30000 || r.OwedMinor() != 7800 || len(r.Reimbursements) != 1 {
		t.Fatalf("after reimbursing: %+v owed %d", r, r.OwedMinor())
	}
	if bud := p.budget(period); bud.ReimbursedMinor != 30000 || bud.OwedMinor() != 7800 {
		t.Fatalf("budget: %+v", bud)
	}

	labels := app.ReportLabels{
		Title: "Reimbursement report", Department: "Department", CostCentre: "Cost centre",
		Owner: "Budget owner", Period: "Period", Session: "Session", Topic: "Topic", Date: "Date", Paid: "Paid",
		References: "Payment references", TotalPaid: "Total paid", Reimbursed: "Reimbursed", Owed: "Still owed",
		Reimbursement: "Reimbursements", NoSessions: "No sessions",
		TimeZone: "Times in", TestMode: "TEST", TestNote: "TEST MODE: no money moved for payments marked TEST.",
		Money: func(a currency.Amount) string { return a.String() }, DateTime: func(t time.Time) string { return t.Format("2006-01-02") },
	}
	var csvOut bytes.Buffer
	if err := r.WriteCSV(&csvOut, labels); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Department,Cost centre,Period,Session,Topic,Date,Paid,currency,Payment references",
		"Sales Enablement,CC-4100," + period + "," + itoa(a.ID) + ",Quarterly product training,",
		",342.00,USD,SBX", ",36.00,USD,SBX", "-05:00,", ",test\r\n", ",,Total paid,,378.00,USD,", ",,Reimbursed,,300.00,USD,", ",,Still owed,,78.00,USD,",
	} {
		if !strings.Contains(csvOut.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, csvOut.String())
		}
	}
	var pdfOut bytes.Buffer
	if err := receipt.Reimbursement(&pdfOut, r, labels); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdfOut.Bytes(), []byte("%PDF-")) || pdfOut.Len() < 1000 {
		t.Fatalf("PDF: %d bytes %q", pdfOut.Len(), pdfOut.Bytes()[:min(20, pdfOut.Len())])
	}
	// The PDF matches the screen: the site's time zone named, the
	// processor's references, and the Test-mode marker.
	if dump := os.Getenv("TRAINPAY_DUMP_REPORT"); dump != "" {
		_ = os.WriteFile(dump, pdfOut.Bytes(), 0o600)
	}
	pdfText := receipttest.Pdftotext(t, pdfOut.Bytes())
	for _, want := range []string{"Times in", "America/New_York", "TEST SBX000000001", "TEST SBX000000002", "TEST SBX000000003", "TEST MODE"} {
		if !strings.Contains(pdfText, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, pdfText)
		}
	}
}

func TestTrueUpInEachDirection(t *testing.T) {
	p := newPPU(t)
	up := p.session(90, 25, 10)   // 342.00 paid
	down := p.session(90, 25, 10) // 342.00 paid
	period := p.period(up)
	for _, s := range []app.Session{up, down} {
		c, _ := p.svc.PrepareCharge(p.ctx, s.ID)
		p.pay(c)
	}
	// The rates change after payment: the true-up still uses the paid rates.
	if err := p.site.SetRates(p.ctx, p.admin, 5000, 5000); err != nil {
		t.Fatal(err)
	}

	// Longer than planned: 3,000 person-minutes (360.00) and 1,000 on the
	// teleconference (80.00) = 440.00; 98.00 is charged to the budget owner.
	tu, err := p.svc.RecordActual(p.ctx, up.ID, 3000, 1000, "entered")
	if err != nil || tu.DiffMinor != 9800 || tu.Actual.TotalMinor != 44000 {
		t.Fatalf("true-up up: %+v %v", tu, err)
	}
	c, err := p.svc.PrepareTrueUp(p.ctx, up.ID)
	if err != nil || c.Purpose != app.PurposeTrueUp || c.Amount.String() != "98.00 USD" {
		t.Fatalf("true-up charge: %+v %v", c, err)
	}
	p.pay(c)

	// Shorter: 1,500 person-minutes (180.00), 600 teleconference (48.00) =
	// 228.00; 114.00 is refunded.
	tu, err = p.svc.RecordActual(p.ctx, down.ID, 1500, 600, "import")
	if err != nil || tu.DiffMinor != -11400 {
		t.Fatalf("true-up down: %+v %v", tu, err)
	}
	if n, err := p.svc.RefundExcess(p.ctx, down.ID, "True-up"); err != nil || n != 11400 {
		t.Fatalf("refund %d %v", n, err)
	}
	entries, _ := p.budgets.Ledger(p.ctx, p.dept.ID, period)
	var trueUps []int64
	for _, e := range entries {
		if e.Kind == app.LedgerTrueUp {
			trueUps = append(trueUps, e.AmountMinor)
		}
	}
	if len(trueUps) != 2 || trueUps[0] != 9800 || trueUps[1] != -11400 {
		t.Fatalf("true-ups %v in %+v", trueUps, entries)
	}
	for _, s := range []app.Session{up, down} {
		tu, _ := p.svc.TrueUp(p.ctx, s.ID)
		if tu.DiffMinor != 0 {
			t.Fatalf("session %d still differs by %d", s.ID, tu.DiffMinor)
		}
	}
	r, _ := p.budgets.Report(p.ctx, p.dept.ID, period)
	if r.PaidMinor != 44000+22800 {
		t.Fatalf("report paid %d", r.PaidMinor)
	}
}

func TestBudgetPeriods(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Warsaw")
	april := app.BudgetSettings{Period: app.PeriodQuarter, FiscalYearStart: time.April, Policy: app.PolicyWarn}
	for _, tc := range []struct {
		s    app.BudgetSettings
		at   time.Time
		want string
	}{
		{app.DefaultBudgetSettings, time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "FY2027"}, // already 1 January in Warsaw
		{app.DefaultBudgetSettings, time.Date(2026, 6, 1, 0, 0, 0, 0, loc), "FY2026"},
		{april, time.Date(2026, 3, 31, 12, 0, 0, 0, loc), "FY2025-Q4"},
		{april, time.Date(2026, 4, 1, 0, 0, 0, 0, loc), "FY2026-Q1"},
		{april, time.Date(2027, 1, 15, 0, 0, 0, 0, loc), "FY2026-Q4"},
	} {
		if got := tc.s.PeriodOf(tc.at, loc).Key(); got != tc.want {
			t.Errorf("PeriodOf(%v) = %s, want %s", tc.at, got, tc.want)
		}
		p, err := app.ParsePeriod(tc.want)
		if err != nil || p.Key() != tc.want {
			t.Errorf("ParsePeriod(%s) = %v, %v", tc.want, p, err)
		}
		from, to := tc.s.Bounds(p, loc)
		if tc.at.Before(from) || !tc.at.Before(to) {
			t.Errorf("%s: %v not in [%v, %v)", tc.want, tc.at, from, to)
		}
	}
	for _, bad := range []string{"", "2026", "FY26", "FY2026-Q5", "FY2026Q1", "FY2026-Q"} {
		if _, err := app.ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
}

func TestBudgetPeriodsLockOnceTheLedgerHasEntries(t *testing.T) {
	p := newPPU(t)
	s, _ := p.budgets.Settings(p.ctx)
	s.Period, s.FiscalYearStart = app.PeriodQuarter, time.July
	if err := p.budgets.SaveSettings(p.ctx, p.admin, s); err != nil {
		t.Fatal(err)
	}
	_, cur, _ := p.budgets.CurrentPeriods(p.ctx)
	p.allocate(cur.Key(), "10.00")
	s.Period = app.PeriodFiscalYear
	wantKey(t, p.budgets.SaveSettings(p.ctx, p.admin, s), "error.budget.period_locked")
	// A year is not a period of a quarterly site.
	_, err := p.budgets.Allocate(p.ctx, p.admin, p.dept.ID, "FY2026", p.usd("1.00"), "")
	wantKey(t, err, "error.budget.period")
	// Without the administrator nothing changes.
	_, err = p.budgets.Allocate(p.ctx, nil, p.dept.ID, cur.Key(), p.usd("1.00"), "")
	wantKey(t, err, "error.admin.required")
	dup := app.Department{Name: "sales enablement", CostCentre: "CC-9", OwnerName: "X", OwnerEmail: "x@example.com"}
	wantKey(t, p.budgets.SaveDepartment(p.ctx, p.admin, &dup), "error.department.exists")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
