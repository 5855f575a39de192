//go:build unix

package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/ui"
)

// oneGateway resolves every payment to one gateway.
type oneGateway struct{ gw app.Gateway }

func (o oneGateway) ForMethod(context.Context, app.Method) (app.Gateway, app.Processor, app.Mode, error) {
	return o.gw, app.ProcessorPayflow, app.ModeProduction, nil
}

func (o oneGateway) ForPayment(context.Context, app.Payment) (app.Gateway, error) { return o.gw, nil }

// afterSale is a gateway that runs then once the processor has answered a
// sale, before PaymentService can record the answer.
type afterSale struct {
	app.Gateway
	then func()
}

func (a afterSale) Sale(ctx context.Context, r app.SaleRequest) app.Result {
	res := a.Gateway.Sale(ctx, r)
	a.then()
	return res
}

func payflowGateway(t *testing.T, srv *payflowtest.Server) app.Gateway {
	t.Helper()
	gw, err := payflow.New(payflow.Config{
		Endpoint: srv.URL, User: payflowtest.User, Vendor: payflowtest.Vendor,
		Partner: payflowtest.Partner, Password: payflowtest.Password, Timeout: 5 * time.Second, InquiryLag: payflow.NoInquiryLag,
	})
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

// orgRegistration writes, by SQL (the session and registration stores of
// the organisation database are not merged yet), a 150.00 USD session and a
// registration pending payment; it returns the payment's reference.
func orgRegistration(t *testing.T, db *postgres.DB) string {
	t.Helper()
	ctx := context.Background()
	var session, reg int64
	if err := db.Pool().QueryRow(ctx, `INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone,
		duration_minutes, type, fee_minor, currency, registration_required, max_registrations, created_at, updated_at)
		VALUES ('Crash course', 'crash course', now() + interval '48 hours', now() + interval '49 hours 30 minutes',
		        'Europe/Warsaw', 90, 'paid', 15000, 'USD', true, 10, now(), now())
		RETURNING id`).Scan(&session); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `INSERT INTO registration (session_id, first_name, last_name, email, country,
		status, confirmation, fee_minor, total_minor, currency, hold_until, created_at, updated_at)
		VALUES ($1, 'Anna', 'Nowak', 'anna@example.com', 'PL', 'pending-payment', 'TP-CRASH-1', 15000, 15000, 'USD',
		        now() + interval '30 minutes', now(), now())
		RETURNING id`, session).Scan(&reg); err != nil {
		t.Fatal(err)
	}
	return "registration:" + strconv.FormatInt(reg, 10)
}

func chargeRequest(t *testing.T, ref string) app.ChargeRequest {
	t.Helper()
	amount, err := currency.NewAmount("150.00", "USD")
	if err != nil {
		t.Fatal(err)
	}
	return app.ChargeRequest{
		Purpose: app.PurposeRegistration, Reference: ref, Amount: amount, Method: app.MethodCreditCard,
		Card: &app.Card{
			Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 3,
			Holder: "Anna Nowak",
		},
		Payer: app.Payer{
			FirstName: "Anna", LastName: "Nowak", Country: "PL", Street: "ul. Długa 1",
			City: "Kraków", PostalCode: "31-001", Email: "anna@example.com",
		},
		Description: "Crash course",
	}
}

// openOrg opens the organisation database at u as the app does, with its
// connect timeout, so that a stopped server is noticed in time.
func openOrg(t *testing.T, u string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), withConnectTimeout(u))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// With the organisation database's server down, a payment is refused
// before the processor is called: its journal row cannot be committed,
// and a payment is never sent without one.
func TestPaymentNotSentWhenItsJournalRowCannotBeCommitted(t *testing.T) {
	ctx := context.Background()
	u := pgtest.DB(t)
	db := openOrg(t, u)
	defer db.Close()
	ref := orgRegistration(t, db)
	srv := payflowtest.NewServer(t)
	svc := app.NewPaymentService(db, oneGateway{gw: payflowGateway(t, srv)}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	pgtest.Stop(t)
	stopped := true
	defer func() {
		if stopped {
			pgtest.Start(t)
		}
	}()
	if _, err := svc.Charge(ctx, chargeRequest(t, ref)); err == nil {
		t.Fatal("charged with the database down")
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("the processor got %d requests with no journal row committed", n)
	}
	pgtest.Start(t)
	stopped = false
	rows, _, err := db.Payments(ctx, app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Fatalf("journal after the restart: %+v", rows)
	}
}

// While the server is down, every store's refusal says the database is
// away (in the user's words, not "internal error"), and the same calls
// work again once it is back: a screen's read or save is told to retry,
// and the health watcher and the payment gate recognise it.
func TestStoreRefusalsWhileTheServerIsDownSayItIsAway(t *testing.T) {
	ctx := context.Background()
	u := pgtest.DB(t)
	db := openOrg(t, u)
	defer db.Close()
	orgRegistration(t, db)
	calls := map[string]func() error{
		"sessions":    func() error { _, _, err := db.Sessions(ctx, app.SessionFilter{}); return err },
		"departments": func() error { _, err := db.Departments(ctx); return err },
		"codes":       func() error { _, err := db.PromoCodes(ctx, time.Now()); return err },
		"site":        func() error { _, err := db.Site(ctx); return err },
		"settings":    func() error { _, err := db.PaymentSettings(ctx); return err },
	}
	pgtest.Stop(t)
	stopped := true
	defer func() {
		if stopped {
			pgtest.Start(t)
		}
	}()
	for name, call := range calls {
		err := call()
		if !unreachable(err) || app.ErrorCode(err) != app.EUNAVAILABLE {
			t.Errorf("%s with the server down: %v (code %q)", name, err, app.ErrorCode(err))
		}
	}
	pgtest.Start(t)
	stopped = false
	for name, call := range calls {
		// Answered again: a result, or the store's own refusal (no site
		// was set up here), never the server's absence.
		if !eventually(10*time.Second, func() bool { err := call(); return err == nil || app.ErrorCode(err) == app.ENOTFOUND }) {
			t.Errorf("%s after the restart: %v", name, call())
		}
	}
}

// The server dies after the processor charged and before the answer is
// recorded: after the restart, reconciliation (another run of the app)
// finds the payment and settles it as charged, once; the processor's
// ledger holds one charge, and a second reconciliation changes nothing.
func TestPaymentCutOffByAServerCrashIsReconciledExactlyOnce(t *testing.T) {
	ctx := context.Background()
	u := pgtest.DB(t)
	db := openOrg(t, u)
	ref := orgRegistration(t, db)
	srv := payflowtest.NewServer(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var stopped bool
	crash := afterSale{Gateway: payflowGateway(t, srv), then: func() { pgtest.Stop(t); stopped = true }}
	_, err := app.NewPaymentService(db, oneGateway{gw: crash}, quiet).Charge(ctx, chargeRequest(t, ref))
	db.Close()
	if !stopped {
		t.Fatal("the processor was never called")
	}
	pgtest.Start(t)
	if err == nil {
		t.Fatal("the answer was recorded with the server down")
	}
	if n := len(srv.Ledger()); n != 1 {
		t.Fatalf("the processor's ledger holds %d charges, want 1", n)
	}

	again := openOrg(t, u)
	defer again.Close()
	svc := app.NewPaymentService(again, oneGateway{gw: payflowGateway(t, srv)}, quiet)
	rep, err := svc.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 1 || rep.Charged != 1 {
		t.Fatalf("reconciliation: %+v, want the one payment found charged", rep)
	}
	rep, err = svc.Reconcile(ctx)
	if err != nil || rep.Checked != 0 {
		t.Fatalf("second reconciliation: %+v, %v", rep, err)
	}
	charges := srv.Ledger()
	rows, _, err := again.Payments(ctx, app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(charges) != 1 || len(rows) != 1 || rows[0].State != app.StateApproved || rows[0].Key != charges[0].RequestID {
		t.Fatalf("ledger %d charges, journal %+v; want one charge and its one approved row", len(charges), rows)
	}
}

// windowTexts is every text shown in w.
func windowTexts(w fyne.Window) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *canvas.Text:
			out = append(out, v.Text)
		case *widget.Label:
			out = append(out, v.Text)
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		}
		if wd, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(wd).Objects() {
				walk(c)
			}
		}
	}
	walk(w.Content())
	return out
}

// uiMu stands for the UI thread, which Fyne's test driver does not have
// (its fyne.Do runs the function on the caller's goroutine): what the
// watcher does to the window and what the test reads of it take turns.
var uiMu sync.Mutex

func shows(w fyne.Window, text string) bool {
	uiMu.Lock()
	defer uiMu.Unlock()
	for _, s := range windowTexts(w) {
		if strings.Contains(s, text) {
			return true
		}
	}
	return false
}

// eventually waits up to d for ok.
func eventually(d time.Duration, ok func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return true
		}
	}
	return ok()
}

// The main window, headless, with the health watcher on a real
// organisation database's server: the banner comes when the server is
// stopped and goes when it is back, with no one touching the window.
func TestBannerShowsWhileTheOrganisationDatabaseIsDownAndClearsAfter(t *testing.T) {
	setConfigHome(t, t.TempDir())
	ctx := context.Background()
	pg, err := postgres.Open(ctx, withConnectTimeout(pgtest.DB(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()

	// The window's services on a file, the watcher on the organisation
	// server: the banner is the watcher's to drive. The file's change feed
	// is stopped, so that only this test's goroutine and the watcher's
	// touch the window (Fyne's test driver runs fyne.Do inline).
	file, err := openDatabase(ctx, filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := newServices(file, quiet)
	defer svc.registry.Close()
	svc.stopChanges()
	svc.deps.Changes = nil
	svc.deps.Go = func(f func()) { f() }
	site := app.Site{Name: "Kraków", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw", Language: "pl"}
	if err := svc.deps.Site.Setup(ctx, site, "a long enough passphrase"); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	ui.NewSettings(a.Preferences()).SetLanguageOverride("en")
	w := ui.NewMainWindow(a, svc.deps)
	w.Window().Show()
	defer w.Window().Close()

	h := newHealthWatcher(func(ctx context.Context) error { return pg.Pool().Ping(ctx) }, quiet)
	h.every, h.minBackoff, h.maxBackoff = 100*time.Millisecond, 100*time.Millisecond, 400*time.Millisecond
	var mu sync.Mutex
	var changes []bool
	h.onChange = func(reachable bool) {
		mu.Lock()
		changes = append(changes, reachable)
		mu.Unlock()
		fyne.Do(func() {
			uiMu.Lock()
			defer uiMu.Unlock()
			w.SetDatabaseReachable(reachable)
		})
	}
	watch, stop := context.WithCancel(ctx)
	watching := make(chan struct{})
	defer func() { stop(); <-watching }()
	go func() { defer close(watching); h.run(watch) }()

	const banner = "The organisation database cannot be reached"
	if shows(w.Window(), banner) {
		t.Fatal("the banner is shown while the database answers")
	}
	pgtest.Stop(t)
	down := eventually(10*time.Second, func() bool { return shows(w.Window(), banner) })
	pgtest.Start(t)
	if !down {
		t.Fatal("no banner while the server was down")
	}
	if !eventually(10*time.Second, func() bool { return !shows(w.Window(), banner) }) {
		t.Fatal("the banner stayed after the server came back")
	}
	if !shows(w.Window(), "TEST MODE") {
		t.Error("the Test mode banner went with it")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 2 || changes[0] || !changes[1] {
		t.Fatalf("changes told: %v, want down then up", changes)
	}
}
