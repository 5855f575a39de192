package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
)

// ppuEnv is payEnv with pay-per-use enabled at 0.12 and 0.08 PLN a minute,
// one department with 1 000,00 zł for the period, and the feature's
// services wired.
type ppuEnv struct {
	*payEnv
	admin *app.Admin
	dept  app.Department
	svc   *app.PayPerUseService
	clock *testClock // the services' clock: the real one until set
}

// testClock is a clock a test sets; until then it is the real one.
type testClock struct {
	mu  sync.Mutex
	set time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set.IsZero() {
		return time.Now()
	}
	return c.set
}

func (c *testClock) setTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set = t
}

func newPPUEnv(t *testing.T) *ppuEnv {
	t.Helper()
	pe := newPayEnv(t, nil)
	ctx := context.Background()
	pe.provision(app.FeaturePayPerUse, app.FeaturePaidSessions)
	a, err := pe.site.Unlock(ctx, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []app.Feature{app.FeaturePayPerUse, app.FeaturePaidSessions} {
		if err := pe.site.SetFeatureEnabled(ctx, a, f, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := pe.site.SetRates(ctx, a, 1200, 800); err != nil {
		t.Fatal(err)
	}
	budgets := &app.BudgetService{Site: pe.site, Store: pe.db, Sessions: pe.db, Journal: pe.db}
	clock := &testClock{}
	svc := &app.PayPerUseService{Site: pe.site, Sessions: pe.db, Store: pe.db, Budgets: pe.db, Payments: pe.deps.Payments, Now: clock.now}
	pe.deps.Budgets, pe.deps.PayPerUse = budgets, svc
	d := app.Department{Name: "Dział Sprzedaży", CostCentre: "CC-4100", OwnerName: "Ewa Kowalska", OwnerEmail: "ewa@example.com"}
	if err := budgets.SaveDepartment(ctx, a, &d); err != nil {
		t.Fatal(err)
	}
	return &ppuEnv{payEnv: pe, admin: a, dept: d, svc: svc, clock: clock}
}

func (pe *ppuEnv) session(minutes int) app.Session {
	pe.t.Helper()
	s := app.Session{
		Topic: "Szkolenie produktowe", StartsAt: time.Now().Add(72 * time.Hour).Truncate(time.Minute),
		TimeZone: "Europe/Warsaw", DurationMinutes: minutes, Type: app.SessionPayPerUse, Currency: "PLN",
		ExpectedComputers: 25, ExpectedTeleconference: 10, DepartmentID: pe.dept.ID,
	}
	s.Normalize()
	if err := pe.db.CreateSession(context.Background(), &s); err != nil {
		pe.t.Fatal(err)
	}
	q, err := pe.svc.Quote(context.Background(), s.ID)
	if err != nil {
		pe.t.Fatal(err)
	}
	if _, err := pe.deps.Budgets.Allocate(context.Background(), pe.admin, pe.dept.ID, q.Budget.Period, plnAmount(pe.t, "1000.00"), ""); err != nil {
		pe.t.Fatal(err)
	}
	return s
}

func plnAmount(t *testing.T, s string) currency.Amount {
	a, err := currency.NewAmount(s, "PLN")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestEstimatePageChangePayAndStart walks the Estimated Session Cost page:
// read the estimate, Change (the form alters the duration), the new
// estimate, Start refused while unpaid (in the UI and in the domain), pay
// through the sandbox, and Start.
func TestEstimatePageChangePayAndStart(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	s := pe.session(90)
	changed, started := 0, 0
	p := newEstimatePage(pe.deps, pe.w, s.ID, func() { changed++ }, func() { started++ })
	pe.w.SetContent(p.content)

	if p.total.Text != pln(t, "342.00") || !strings.Contains(p.person.Text, "2,250") || !strings.Contains(p.person.Text, pln(t, "270.00")) ||
		!strings.Contains(p.tele.Text, "900") || !strings.Contains(p.tele.Text, pln(t, "72.00")) {
		t.Fatalf("estimate: %q %q %q", p.person.Text, p.tele.Text, p.total.Text)
	}
	if !strings.Contains(p.budget.Text, pln(t, "1000.00")) || !strings.Contains(p.budget.Text, pln(t, "658.00")) {
		t.Fatalf("budget before and after: %q", p.budget.Text)
	}
	// Unpaid: Start is disabled and says why; the domain refuses it too.
	if !p.start.Disabled() || !strings.Contains(p.startWhy.Text, T("error.payperuse.unpaid")) {
		t.Fatalf("start: disabled %v, %q", p.start.Disabled(), p.startWhy.Text)
	}
	test.Tap(p.start)
	if started != 0 {
		t.Fatal("a disabled Start started the session")
	}
	if err := pe.deps.PayPerUse.Start(context.Background(), s.ID); app.AsError(err).Key != "error.payperuse.unpaid" {
		t.Fatalf("domain start: %v", err)
	}

	// Change: back to the form, which alters the duration and schedules again.
	test.Tap(p.change)
	if changed != 1 {
		t.Fatal("Change did not go back to the form")
	}
	s.DurationMinutes = 120
	if err := pe.db.UpdateSession(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	p = newEstimatePage(pe.deps, pe.w, s.ID, func() { changed++ }, func() { started++ })
	pe.w.SetContent(p.content)
	if p.total.Text != pln(t, "456.00") || !strings.Contains(p.person.Text, "3,000") {
		t.Fatalf("new estimate: %q %q", p.person.Text, p.total.Text)
	}

	// Pay through the sandbox.
	test.Tap(p.pay)
	if p.card == nil {
		t.Fatalf("no card dialog: %q", screenTexts(pe.w))
	}
	if !containsText(screenTexts(pe.w), T("pay.amount_due", map[string]any{"Amount": pln(t, "456.00")})) {
		t.Fatalf("card dialog: %q", screenTexts(pe.w))
	}
	fillCard(pe.w, p.card, "4111111111111111", "123")
	test.Tap(p.card.Widgets().Pay)
	if !containsText(screenTexts(pe.w), firstWords(T("pay.paid", map[string]any{"Amount": pln(t, "456.00"), "Brand": "Visa", "Card": "•••• 1111"}))) {
		t.Fatalf("not paid: %q", screenTexts(pe.w))
	}
	test.Tap(p.card.Widgets().Close)
	// Paid three days ahead: Start waits for its window, and says so
	// beside the button.
	if !p.start.Disabled() || p.pay.Visible() || !strings.Contains(p.startWhy.Text, "(15 minutes before it begins)") {
		t.Fatalf("after paying: start disabled %v (%q), pay visible %v", p.start.Disabled(), p.startWhy.Text, p.pay.Visible())
	}
	if err := pe.deps.PayPerUse.Start(context.Background(), s.ID); app.AsError(err).Key != "error.session.start_too_early" {
		t.Fatalf("domain start three days ahead: %v", err)
	}
	pe.clock.setTo(s.StartsAt.Add(-15 * time.Minute))
	p.load()
	if p.start.Disabled() || p.startWhy.Visible() || p.change.Disabled() {
		t.Fatalf("in the window: start disabled %v (%q), change disabled %v", p.start.Disabled(), p.startWhy.Text, p.change.Disabled())
	}
	test.Tap(p.start)
	if started != 1 || p.status.Text != T("estimate.started") || !p.change.Disabled() {
		t.Fatalf("start: %d %q, change disabled %v", started, p.status.Text, p.change.Disabled())
	}
	// The ledger charged the department; the session is paid.
	ses, _ := pe.db.Session(context.Background(), s.ID)
	if ses.PaidPaymentID == 0 {
		t.Fatal("the session is not marked paid")
	}
	q, _ := pe.svc.Quote(context.Background(), s.ID)
	if q.Budget.SpentMinor != 45600 || q.RemainingBeforeMinor != 100000-45600 {
		t.Fatalf("budget after the start: %+v", q.Budget)
	}
}

func TestDepartmentsScreenAndReport(t *testing.T) {
	pe := newPPUEnv(t)
	s := pe.session(90)
	c, err := pe.svc.PrepareCharge(context.Background(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pe.deps.Payments.Charge(context.Background(), app.ChargeRequest{
		Purpose: c.Purpose, Reference: c.Reference,
		Amount: c.Amount, Method: app.MethodCreditCard, Payer: c.Payer,
		Card: &app.Card{Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 2, Holder: "Ewa Kowalska"},
	}); err != nil {
		t.Fatal(err)
	}
	site, _ := pe.site.Site(context.Background())
	scr := newDepartmentsScreen(pe.deps, pe.w, site)
	pe.w.SetContent(scr.content)
	all := screenTexts(pe.w)
	for _, want := range []string{
		"Dział Sprzedaży (CC-4100)",
		T("budget.allocated", map[string]any{"Amount": pln(t, "1000.00")}),
		T("budget.committed", map[string]any{"Amount": pln(t, "342.00")}),
		T("budget.remaining", map[string]any{"Amount": pln(t, "658.00")}),
	} {
		if !containsText(all, want) {
			t.Errorf("missing %q in %q", want, all)
		}
	}
	v := showReimbursement(pe.deps, pe.w, site, pe.dept.ID, scr.selected, func() *app.Admin { return pe.admin },
		func(*app.Admin) {}, nil)
	if v.report.PaidMinor != 34200 || !containsText(screenTexts(pe.w), "Szkolenie produktowe") {
		t.Fatalf("report: %+v", v.report)
	}
	v.markReimbursed(pe.admin, plnAmount(t, "342.00"), "TRF-1")
	if v.report.OwedMinor() != 0 || !v.markBtn.Disabled() {
		t.Fatalf("after reimbursing: owed %d", v.report.OwedMinor())
	}
	var csvOut, pdfOut strings.Builder
	if err := reportCSV(v.report, &csvOut); err != nil || !strings.Contains(csvOut.String(), ",342.00,PLN,SBX000000001,test\r\n") ||
		!endsLinesWithCRLF([]byte(csvOut.String())) {
		t.Fatalf("csv: %v\n%s", err, csvOut.String())
	}
	if err := reportPDF(v.report, &pdfOut); err != nil || !strings.HasPrefix(pdfOut.String(), "%PDF-") {
		t.Fatalf("pdf: %v", err)
	}
}

func TestPlanScreenWhatIfAndBreakEven(t *testing.T) {
	pe := newPPUEnv(t)
	site, _ := pe.site.Site(context.Background())
	p := newPlanScreen(pe.deps, site)
	pe.w.SetContent(p.content)
	// Option 1: 90 min, 25 computers, 40 % on the teleconference (10).
	sc := p.scenarios[0]
	if sc.total.Text != pln(t, "342.00") {
		t.Fatalf("option 1: %q %q %q", sc.person.Text, sc.tele.Text, sc.total.Text)
	}
	// A fee of 25,00 with 10 % expected discounts nets 22,50: 16 attendees.
	p.fee.SetText(money.FormatNumber(plnAmount(t, "25.00"), Language()))
	p.discount.SetText("10")
	if sc.breakEven.Text != T("plan.attendees", map[string]any{"Count": 16, "Net": pln(t, "22.50")}) {
		t.Fatalf("break-even: %q", sc.breakEven.Text)
	}
	test.Type(p.scenarios[1].share, "0")
	p.scenarios[1].computers.SetText("10")
	p.scenarios[1].share.SetText("120")
	if p.scenarios[1].err.Text != T("error.payperuse.share") {
		t.Fatalf("bad share: %q", p.scenarios[1].err.Text)
	}
}

func TestPayPerUseScreensInPolish(t *testing.T) {
	pe := newPPUEnv(t)
	frags := englishFragments(t)
	SetLanguage("pl")
	s := pe.session(90)
	site, _ := pe.site.Site(context.Background())
	est := newEstimatePage(pe.deps, pe.w, s.ID, nil, nil)
	pe.w.SetContent(est.content)
	assertPolish(t, "estimate", pe.w, frags)
	if !strings.Contains(est.total.Text, "342,00") {
		t.Fatalf("Polish amount: %q", est.total.Text)
	}
	scr := newDepartmentsScreen(pe.deps, pe.w, site)
	pe.w.SetContent(scr.content)
	assertPolish(t, "departments", pe.w, frags)
	pe.w.SetContent(newPlanScreen(pe.deps, site).content)
	assertPolish(t, "plan", pe.w, frags)
}
