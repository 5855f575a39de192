package ui

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/ui/uitest"
)

// signedIn is who a desktop's people store says is signed in.
type signedIn app.Person

func (p signedIn) Me(context.Context) (app.Person, error) { return app.Person(p), nil }

// newQueueDesktop is one TrainPay on its own handle on the organisation
// database at url, signed in as who: every service of pay-per-use and the
// queue, its change feed, and its main window, whose live refreshes the
// test runs (liveDesktop.pumpUntil).
func newQueueDesktop(t *testing.T, a fyne.App, url string, who app.Person) *liveDesktop {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	feed, err := postgres.WatchChanges(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(feed.Close)
	site := app.NewSiteService(db)
	site.Argon2 = cheapArgon2
	reg := &registry.Registry{Sites: db, Settings: db}
	t.Cleanup(func() { reg.Close() })
	pay := app.NewPaymentService(db, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc := app.NewSessionService(db, db, site, pay, nil)
	ppu := &app.PayPerUseService{Site: site, Sessions: db, Store: db, Budgets: db, Payments: pay}
	d := &liveDesktop{t: t, svc: svc, queue: make(chan func(), 256)}
	d.deps = Deps{
		Site: site, Payments: pay, Sessions: svc, Merchant: &app.MerchantService{Sites: db, Settings: db},
		Budgets: &app.BudgetService{Site: site, Store: db, Sessions: db, Journal: db}, PayPerUse: ppu,
		Queue: &app.QueueService{People: signedIn(who), PayPerUse: ppu, Store: db, Payments: pay},
		Go:    func(f func()) { f() }, Changes: feed, UI: func(f func()) { d.queue <- f },
	}
	d.m = NewMainWindow(a, d.deps)
	d.m.Window().Resize(fyne.NewSize(1100, 800))
	t.Cleanup(d.m.unwatchChanges)
	return d
}

// setUpPayPerUseSite sets up, as the administrator, a Test-mode site in
// PLN with pay-per-use at 0.12 and 0.08 zł a minute, card payments through
// the offline sandbox, and one department with 1 000,00 zł for the period
// of start; it returns the department.
func setUpPayPerUseSite(t *testing.T, url string, start time.Time) app.Department {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	site := app.NewSiteService(db)
	site.Argon2 = cheapArgon2
	if err := site.Setup(ctx, app.Site{
		Name: "Acme Training", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw",
		Language: "en",
	}, testPassphrase); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Provision(ctx, []app.Feature{app.FeaturePayPerUse}, false); err != nil {
		t.Fatal(err)
	}
	admin, err := site.Unlock(ctx, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if err := site.SetFeatureEnabled(ctx, admin, app.FeaturePayPerUse, true); err != nil {
		t.Fatal(err)
	}
	if err := site.SetRates(ctx, admin, 1200, 800); err != nil {
		t.Fatal(err)
	}
	if err := db.SavePaymentSettings(ctx, app.PaymentSettings{Processor: app.ProcessorPayflow, CreditCards: true}, nil); err != nil {
		t.Fatal(err)
	}
	budgets := &app.BudgetService{Site: site, Store: db, Sessions: db, Journal: db}
	dept := app.Department{Name: "Dział Sprzedaży", CostCentre: "CC-4100", OwnerName: "Ewa Kowalska", OwnerEmail: "ewa@example.com"}
	if err := budgets.SaveDepartment(ctx, admin, &dept); err != nil {
		t.Fatal(err)
	}
	settings, err := budgets.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Warsaw")
	if _, err := budgets.Allocate(ctx, admin, dept.ID, settings.PeriodOf(start, loc).Key(), plnAmount(t, "1000.00"), ""); err != nil {
		t.Fatal(err)
	}
	return dept
}

// Three desktops on one organisation database: the administrator's, the
// coordinator's and the budget owner's. The coordinator schedules a
// pay-per-use session on the real form; it reaches the budget owner's "To
// pay" list within two seconds, with the amount and the budget before and
// after; the owner pays it in the sandbox; the coordinator's estimate says
// "Paid" within two seconds and Start starts the session. A second session
// the owner declines reaches the coordinator with the reason, and Start
// stays disabled.
func TestToPayQueueAcrossThreeDesktopsOnPostgreSQL(t *testing.T) {
	SetLanguage("en")
	url := pgtest.DB(t)
	day := time.Now().AddDate(0, 0, 10)
	dept := setUpPayPerUseSite(t, url, time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, time.UTC))
	a := test.NewTempApp(t)
	admin := newQueueDesktop(t, a, url, app.Person{ID: 1, Login: "ala", Name: "Ala Admin", Roles: []app.Role{app.RoleAdministrator}})
	coord := newQueueDesktop(t, a, url, app.Person{ID: 2, Login: "jan", Name: "Jan Nowak", Roles: []app.Role{app.RoleCoordinator}})
	owner := newQueueDesktop(t, a, url, app.Person{
		ID: 3, Login: "ewa", Name: "Ewa Kowalska", Email: "ewa@example.com",
		Roles: []app.Role{app.RoleBudgetOwner}, Departments: []int64{dept.ID},
	})
	owner.m.Open(SectionToPay)
	admin.m.Open(SectionToPay)
	q := owner.m.queueScr
	if q == nil || len(q.items) != 0 || q.message.Text != T("queue.empty") {
		t.Fatalf("the owner's queue before: %v", screenTexts(owner.m.Window()))
	}

	// The coordinator schedules on the real form.
	coord.m.Open(SectionSessions)
	scr := coord.m.sessionsScr
	scr.onSchedule()
	f := scr.form
	fillPayPerUse(t, f, day)
	test.Tap(f.save)
	est := f.estimate
	if est == nil {
		t.Fatalf("no estimate after Schedule: %q", f.message.Text)
	}
	// The coordinator's clock is within the session's start window (from
	// 15 minutes before), so that the paid session may start.
	inWindow := func() time.Time { return f.existing.StartsAt.Add(-10 * time.Minute) }
	coord.svc.Now, coord.deps.PayPerUse.(*app.PayPerUseService).Now = inWindow, inWindow
	awaiting := T("queue.state_awaiting", map[string]any{"Department": dept.Name, "Amount": pln(t, "342.00")})
	if est.queue.Text != awaiting || !est.start.Disabled() {
		t.Fatalf("the coordinator's estimate: %q, start disabled %v", est.queue.Text, est.start.Disabled())
	}

	took := owner.pumpUntil(2*time.Second, "the session in the owner's To pay list", func() bool { return len(q.items) == 1 })
	t.Logf("the scheduled session reached the budget owner after %v", took)
	texts := screenTexts(owner.m.Window())
	for _, want := range []string{"Szkolenie produktowe", dept.Name, pln(t, "342.00")} {
		if !containsText(texts, want) {
			t.Fatalf("the owner's list lacks %q: %q", want, texts)
		}
	}
	admin.quiet()
	if len(admin.m.queueScr.items) != 0 {
		t.Fatalf("the administrator, who owns no budget, is asked to pay: %+v", admin.m.queueScr.items)
	}

	// The owner pays in the sandbox.
	q.open(0)
	d := q.pay
	if d == nil {
		t.Fatal("no pay dialog")
	}
	texts = screenTexts(owner.m.Window())
	budget := T("estimate.budget", map[string]any{
		"Department": dept.Name, "Period": d.item.Quote.Budget.Period,
		"Before": pln(t, "1000.00"), "After": pln(t, "658.00"),
	})
	if !containsText(texts, budget) || !containsText(texts, T("queue.amount", map[string]any{"Amount": pln(t, "342.00")})) {
		t.Fatalf("the pay dialog: %q", texts)
	}
	test.Tap(d.pay)
	if d.card == nil {
		t.Fatalf("no card dialog: %q", screenTexts(owner.m.Window()))
	}
	fillCard(owner.m.Window(), d.card, "4111111111111111", "123")
	test.Tap(d.card.Widgets().Pay)
	if !containsText(screenTexts(owner.m.Window()), firstWords(paid(t, "342.00", "pay.brand.visa", "1111"))) {
		t.Fatalf("not paid: %q", screenTexts(owner.m.Window()))
	}
	test.Tap(d.card.Widgets().Close)
	if len(q.items) != 0 {
		t.Fatalf("a paid session is still to pay: %+v", q.items)
	}

	took = coord.pumpUntil(2*time.Second, "Paid on the coordinator's estimate", func() bool {
		return est.queue.Text == T("queue.state_paid") && !est.start.Disabled()
	})
	t.Logf("the payment reached the coordinator after %v", took)
	test.Tap(est.start)
	if est.status.Text != T("estimate.started") {
		t.Fatalf("start: %q", est.status.Text)
	}
	closeOverlays(coord.m.Window())

	// A second session, which the owner declines.
	second, err := coord.svc.Schedule(context.Background(), app.Session{
		Topic:    "Warsztaty negocjacyjne",
		StartsAt: time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, time.UTC), TimeZone: "Europe/Warsaw",
		DurationMinutes: 60, Type: app.SessionPayPerUse, ExpectedComputers: 10, DepartmentID: dept.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	coord.pumpUntil(2*time.Second, "the second session in the coordinator's list", func() bool {
		_, _, ok := findRow(scr.list, func(r app.SessionSummary) bool { return r.ID == second.ID })
		return ok
	})
	i, _, _ := findRow(scr.list, func(r app.SessionSummary) bool { return r.ID == second.ID })
	scr.list.Select(i)
	scr.onEstimate()
	page := scr.estimatePage
	if page == nil || page.queue.Text != T("queue.state_awaiting", map[string]any{"Department": dept.Name, "Amount": pln(t, "72.00")}) {
		t.Fatalf("the second session's estimate: %v", screenTexts(coord.m.Window()))
	}
	owner.pumpUntil(2*time.Second, "the second session in the owner's list", func() bool { return len(q.items) == 1 })
	q.open(0)
	d = q.pay
	test.Tap(d.decline)
	test.Tap(d.send)
	if !d.reasonErr.Visible() || d.reasonErr.Text != T("error.queue.reason_required") {
		t.Fatalf("an empty reason: %q", d.reasonErr.Text)
	}
	test.Type(d.reason, "Not in this quarter's budget")
	d.reason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(q.items) != 0 {
		t.Fatalf("a declined session is still to pay: %+v", q.items)
	}
	declined := T("queue.state_declined", map[string]any{"Reason": "Not in this quarter's budget"})
	took = coord.pumpUntil(2*time.Second, "the decline on the coordinator's estimate", func() bool { return page.queue.Text == declined })
	t.Logf("the decline reached the coordinator after %v", took)
	if !page.start.Disabled() {
		t.Fatal("Start is enabled on a declined session")
	}
	coord.pumpUntil(2*time.Second, "the decline on the coordinator's session line", func() bool {
		return strings.HasPrefix(scr.startWhy.Text, declined)
	})
}

// Pay from my queue by keyboard alone: the section gives the list the
// keyboard, Down and Enter open the second session's pay dialog with Pay
// focused, Space opens the card dialog, the card is typed and Tab moves
// between its fields, Enter pays; the queue then holds the other session.
func TestPayFromMyQueueByKeyboardAlone(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	ctx := context.Background()
	first, second := pe.session(90), pe.session(60)
	pe.queue(first, second)
	m := NewMainWindow(pe.app, pe.deps)
	w := m.Window()
	w.Resize(fyne.NewSize(1100, 800))
	m.Open(SectionToPay)
	q := m.queueScr
	if len(q.items) != 2 || w.Canvas().Focused() != fyne.Focusable(q.list) {
		t.Fatalf("the queue: %d items, focused %T", len(q.items), w.Canvas().Focused())
	}
	kb := uitest.Keys{T: t, W: w, Most: 30}
	kb.Key(fyne.KeyDown)
	kb.Enter()
	d := q.pay
	if d == nil || d.item.Request.SessionID != second.ID || w.Canvas().Focused() != fyne.Focusable(d.pay) {
		t.Fatalf("Enter did not open the second session's pay dialog with Pay focused: %+v", d)
	}
	kb.Space()
	if d.card == nil || w.Canvas().Focused() == nil {
		t.Fatalf("Space did not open the card dialog: %q", screenTexts(w))
	}
	// Type into each of the card's fields, reaching it with Tab.
	for _, field := range []struct {
		entry fyne.Focusable
		name  string
		text  string
	}{
		{d.card.Widgets().Number, "the card number", "4111111111111111"},
		{d.card.Widgets().Expiry, "the expiry", futureExpiry()},
		{d.card.Widgets().CVV, "the CVV", "123"},
	} {
		kb.TabTo(field.entry, field.name)
		kb.Type(field.text)
	}
	kb.Enter()
	if !containsText(screenTexts(w), firstWords(paid(t, "228.00", "pay.brand.visa", "1111"))) {
		t.Fatalf("not paid: %q", screenTexts(w))
	}
	kb.TabTo(d.card.Widgets().Close, "Close")
	kb.Space()
	if w.Canvas().Focused() != fyne.Focusable(q.list) {
		t.Errorf("after the payment the keyboard is on %T, not the list", w.Canvas().Focused())
	}
	if len(q.items) != 1 || q.items[0].Request.SessionID != first.ID {
		t.Fatalf("the queue after paying: %+v", q.items)
	}
	if err := pe.svc.CanStart(ctx, second.ID); err != nil {
		t.Fatalf("the paid session cannot start: %v", err)
	}
}

// queue wires My queue's service into pe, as main does, and asks for each
// of sessions there.
func (pe *ppuEnv) queue(sessions ...app.Session) {
	pe.t.Helper()
	pe.deps.Queue = &app.QueueService{People: pe.db, PayPerUse: pe.svc, Store: pe.db, Payments: pe.deps.Payments.(*app.PaymentService)}
	for _, s := range sessions {
		if _, err := pe.deps.Queue.Request(context.Background(), s.ID); err != nil {
			pe.t.Fatal(err)
		}
	}
}
