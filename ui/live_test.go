package ui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/ui/widgets"
)

// liveSite is what one desktop's site and payment settings come from.
type liveSite interface {
	app.SiteStore
	app.PaymentSettingsStore
}

// liveData is where one desktop's sessions, registrations and payments
// are: the database the desktops share.
type liveData interface {
	app.PaymentStore
	app.SessionStore
	app.RegistrationStore
}

// liveDesktop is one TrainPay: its own services over its own handle on
// the shared database, its change feed, its main window, and the refreshes
// its feed asked to run on the UI thread, which the test runs on its own
// goroutine (pump) as Fyne's event loop would.
type liveDesktop struct {
	t     *testing.T
	m     *MainWindow
	deps  Deps
	svc   *app.SessionService
	queue chan func()
}

func newLiveDesktop(t *testing.T, a fyne.App, sites liveSite, data liveData, feed app.Changes) *liveDesktop {
	t.Helper()
	site := app.NewSiteService(sites)
	site.Argon2 = cheapArgon2
	reg := &registry.Registry{Sites: sites, Settings: sites}
	t.Cleanup(func() { reg.Close() })
	pay := app.NewPaymentService(data, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc := app.NewSessionService(data, data, site, pay, nil)
	d := &liveDesktop{t: t, svc: svc, queue: make(chan func(), 256)}
	d.deps = Deps{
		Site: site, Payments: pay, Sessions: svc, Merchant: &app.MerchantService{Sites: sites, Settings: sites},
		Go: func(f func()) { f() }, Changes: feed, UI: func(f func()) { d.queue <- f },
	}
	d.m = NewMainWindow(a, d.deps)
	d.m.Window().Resize(fyne.NewSize(1100, 800))
	t.Cleanup(d.m.unwatchChanges)
	return d
}

// pumpUntil runs the desktop's queued refreshes until ok holds, and says
// how long that took; it fails the test after within.
func (d *liveDesktop) pumpUntil(within time.Duration, what string, ok func() bool) time.Duration {
	d.t.Helper()
	start := time.Now()
	deadline := time.After(within)
	for !ok() {
		select {
		case f := <-d.queue:
			f()
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			d.t.Fatalf("%s: not within %v", what, within)
		}
	}
	return time.Since(start)
}

// quiet runs the refreshes the desktop's feed asks for until none comes
// for a while: what earlier writes caused is shown.
func (d *liveDesktop) quiet() {
	for {
		select {
		case f := <-d.queue:
			f()
		case <-time.After(time.Second):
			return
		}
	}
}

// openRegistrations opens the Sessions section, selects the session on
// row 0 and opens its Registrations window.
func (d *liveDesktop) openRegistrations() *registrationsView {
	d.t.Helper()
	d.m.Open(SectionSessions)
	s := d.m.sessionsScr
	if s == nil || s.length() == 0 {
		d.t.Fatal("no sessions listed")
	}
	s.list.Select(0)
	s.onRegistrations()
	if s.regsView == nil {
		d.t.Fatal("the Registrations window did not open")
	}
	return s.regsView
}

// Two desktops on one SQLite file: a registration the second makes shows
// in the first's open Registrations window within two seconds, and so
// does a change to the selected registration, while the first keeps its
// scroll offset, its selection (found again by id) and its search box.
func TestRegistrationsWindowShowsAnotherDesktopsRegistration(t *testing.T) {
	e := newEnv(t, "en")
	e.setUp("PL", "PLN", "Europe/Warsaw")
	ctx := context.Background()
	other, err := storage.Open(e.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	feed := func(db *storage.DB) app.Changes {
		f, err := storage.WatchChanges(db, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	one := newLiveDesktop(t, e.app, e.db, e.db, feed(e.db))
	two := newLiveDesktop(t, e.app, other, other, feed(other))
	testRegistrationsWindowIsLive(t, ctx, one, two)
}

// Two desktops on one organisation database (PostgreSQL): the same as on
// a shared SQLite file, told by the database's notifications. (The site
// and its payment settings are not on the organisation database yet: each
// desktop reads its site from a file of its own, set up alike; sessions,
// registrations and payments, which the window shows, are PostgreSQL's.)
func TestRegistrationsWindowShowsAnotherDesktopsRegistrationOnPostgreSQL(t *testing.T) {
	e := newEnv(t, "en")
	e.setUp("PL", "PLN", "Europe/Warsaw")
	ctx := context.Background()
	url := pgtest.DB(t)
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	feed := func(db *postgres.DB) app.Changes {
		f, err := postgres.WatchChanges(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(f.Close)
		return f
	}
	secondSite, err := storage.Open(filepath.Join(t.TempDir(), "second.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { secondSite.Close() })
	if err := app.NewSiteService(secondSite).Setup(ctx, app.Site{
		Name: "Acme Training", Country: "PL", Currency: "PLN",
		TimeZone: "Europe/Warsaw", Language: "en",
	}, testPassphrase); err != nil {
		t.Fatal(err)
	}
	pgOne, pgTwo := open(), open()
	one := newLiveDesktop(t, e.app, e.db, pgOne, feed(pgOne))
	two := newLiveDesktop(t, e.app, secondSite, pgTwo, feed(pgTwo))
	testRegistrationsWindowIsLive(t, ctx, one, two)
}

// testRegistrationsWindowIsLive is the two-desktop check, whatever the
// database both desktops share.
func testRegistrationsWindowIsLive(t *testing.T, ctx context.Context, one, two *liveDesktop) {
	session, err := two.svc.Schedule(ctx, app.Session{
		Topic: "Negocjacje", StartsAt: time.Now().Add(240 * time.Hour),
		DurationMinutes: 90, Type: app.SessionFree, RegistrationRequired: true, AttendeesMayCancel: true, CancelHoursBefore: 24,
	})
	if err != nil {
		t.Fatal(err)
	}
	const attendees = 40
	var regs []app.Registration
	for i := range attendees {
		r, err := two.svc.Register(ctx, session.ID, app.Attendee{
			FirstName: "Anna", LastName: fmt.Sprintf("Nowak %02d", i),
			Email: fmt.Sprintf("anna%02d@example.pl", i), Language: "pl",
		})
		if err != nil {
			t.Fatal(err)
		}
		regs = append(regs, r)
	}
	one.quiet()

	v := one.openRegistrations()
	if got := v.list.Length(); got != attendees {
		t.Fatalf("%d registrations listed, want %d", got, attendees)
	}
	// Scrolled down, the 31st registration selected.
	v.list.ScrollTo(40)
	v.list.Select(30)
	offset := v.list.ScrollOffset()
	if offset < 100 {
		t.Fatalf("the list did not scroll: offset %v", offset)
	}
	selected := regs[30]
	if sel, _ := v.list.Selected(); sel.ID != selected.ID {
		t.Fatalf("selected %d, want %d", sel.ID, selected.ID)
	}

	// The other desktop registers someone.
	newcomer, err := two.svc.Register(ctx, session.ID, app.Attendee{
		FirstName: "Zofia", LastName: "Wójcik",
		Email: "zofia@example.pl", Language: "pl",
	})
	if err != nil {
		t.Fatal(err)
	}
	took := one.pumpUntil(2*time.Second, "the new registration in the other window", func() bool {
		return v.list.Length() == attendees+1
	})
	t.Logf("another desktop's registration shown after %v", took)
	if _, r, ok := findRow(v.list, func(r app.Registration) bool { return r.ID == newcomer.ID }); !ok || r.Email != "zofia@example.pl" {
		t.Errorf("the new registration is not among the rows: %v %+v", ok, r)
	}
	if want := T("regs.count", map[string]any{"Count": attendees + 1}); !containsText(screenTexts(one.m.Window()), want) {
		t.Errorf("the count reads %q, want %q", v.count.Text, want)
	}
	wantKept := func(when string) {
		t.Helper()
		sel, _ := v.list.Selected()
		at, _ := v.list.Row(30)
		if sel.ID != selected.ID || at.ID != selected.ID {
			t.Errorf("%s: selection %d (row 30 holds %d), want %d", when, sel.ID, at.ID, selected.ID)
		}
		if got := v.list.ScrollOffset(); got != offset {
			t.Errorf("%s: scroll offset %v, want %v", when, got, offset)
		}
	}
	wantKept("after a registration")

	// The other desktop cancels the selected registration: the window shows
	// it cancelled, still selected.
	if _, err := two.svc.CancelByAttendee(ctx, selected.ID); err != nil {
		t.Fatal(err)
	}
	took = one.pumpUntil(2*time.Second, "the cancellation in the other window", func() bool {
		sel, _ := v.list.Selected()
		return sel.Status == app.RegCancelled
	})
	t.Logf("another desktop's cancellation shown after %v", took)
	if want := T("regs.detail", map[string]any{
		"Number": selected.Confirmation, "Name": selected.Name(),
		"Status": registrationStatusText(app.RegCancelled),
	}); v.detail.Text != want {
		t.Errorf("detail %q, want %q", v.detail.Text, want)
	}
	if !v.cancel.Disabled() {
		t.Error("Cancel is enabled on a cancelled registration")
	}
	wantKept("after a cancellation")

	// What is typed in the search box is never touched; with a search, the
	// list shows what it finds of the other desktop's rows.
	test.Type(v.search, "zofia")
	one.pumpUntil(2*time.Second, "the search", func() bool { return v.list.Length() == 1 })
	if _, err := two.svc.Register(ctx, session.ID, app.Attendee{
		FirstName: "Zofia", LastName: "Lis",
		Email: "zofia.lis@example.pl", Language: "pl",
	}); err != nil {
		t.Fatal(err)
	}
	one.pumpUntil(2*time.Second, "a registration the search finds", func() bool { return v.list.Length() == 2 })
	if v.search.Text != "zofia" {
		t.Errorf("the search box reads %q", v.search.Text)
	}
}

// A burst of change sets is delivered once, as their union, after the
// burst's first set waited; the last burst is delivered when the feed
// closes.
func TestChangeBurstsAreDeliveredOnce(t *testing.T) {
	ch := make(chan app.ChangeSet)
	got := make(chan app.ChangeSet, 10)
	go debounceChanges(ch, 100*time.Millisecond, func(s app.ChangeSet) { got <- s })
	ch <- app.ChangedSessions
	ch <- app.ChangedPayments
	ch <- app.ChangedPayments
	if s := <-got; s != app.ChangedSessions|app.ChangedPayments {
		t.Errorf("first burst %s", s)
	}
	ch <- app.ChangedPromo
	close(ch)
	if s := <-got; s != app.ChangedPromo {
		t.Errorf("last burst %s", s)
	}
	select {
	case s := <-got:
		t.Errorf("a third delivery %s", s)
	case <-time.After(300 * time.Millisecond):
	}
}

// The sessions list, refreshed after another desktop scheduled a session
// that sorts before the selected one and registered someone for it, keeps
// the selected session (now one row down) and shows its seats as they are.
func TestSessionsListRefreshKeepsTheSelectedSessionByID(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	ctx := context.Background()
	schedule := func(topic string, days int) app.Session {
		t.Helper()
		s, err := e.svc.Schedule(ctx, app.Session{
			Topic: topic, StartsAt: time.Now().Add(time.Duration(days) * 24 * time.Hour),
			DurationMinutes: 60, Type: app.SessionFree, RegistrationRequired: true, MaxRegistrations: 10,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	schedule("Kurs Excela", 10)
	chosen := schedule("Kurs negocjacji", 11)
	schedule("Kurs prezentacji", 12)
	lists := &countingSessionLists{SessionService: e.deps.Sessions}
	deps := e.deps
	deps.Sessions = lists
	s := newSessionsScreen(deps, e.w, e.site())
	e.w.SetContent(s.content)
	test.Type(s.search, "kurs") // finds every session; the search box must stay as typed
	s.reload()
	s.list.Select(1)
	if s.selected == nil || s.selected.ID != chosen.ID {
		t.Fatalf("selected %+v", s.selected)
	}

	schedule("Kurs budżetowania", 5) // sorts first
	if _, err := e.svc.Register(ctx, chosen.ID, app.Attendee{FirstName: "Jan", LastName: "Zieliński", Email: "jan@example.pl"}); err != nil {
		t.Fatal(err)
	}
	s.changed(app.ChangedSessions | app.ChangedRegistrations)

	if s.length() != 4 {
		t.Fatalf("%d sessions listed, want 4", s.length())
	}
	if s.selected == nil || s.selected.ID != chosen.ID || s.selected.Registrations != 1 {
		t.Fatalf("selected %+v, want session %d with one registration", s.selected, chosen.ID)
	}
	if i, _, ok := findRow(s.list, func(r app.SessionSummary) bool { return r.ID == chosen.ID }); !ok || i != 2 {
		t.Errorf("the chosen session is on row %d (%v), want 2", i, ok)
	}
	if want := T("sessions.seats", map[string]any{"Taken": 1, "Max": 10}); !containsText([]string{s.detail.Text}, want) {
		t.Errorf("detail %q lacks %q", s.detail.Text, want)
	}
	if s.search.Text != "kurs" {
		t.Errorf("the search box reads %q", s.search.Text)
	}
	// A change of no area the list shows reads nothing.
	before := lists.calls.Load()
	s.changed(app.ChangedPromo | app.ChangedBudgets)
	if n := lists.calls.Load() - before; n != 0 {
		t.Errorf("a promo and budget change read the sessions list %d times", n)
	}
}

// The promotional codes list, refreshed after another desktop added a
// code, keeps the selected code and leaves the recipient being typed in
// its pane as it was.
func TestPromoListRefreshKeepsTheSelectionAndThePane(t *testing.T) {
	e, _ := newPromoEnv(t, "en", true)
	ctx := context.Background()
	create := func(code string) app.PromoCode {
		t.Helper()
		c, err := e.deps.Promo.CreateCode(ctx, app.PromoCode{
			Code: code, Kind: app.DiscountPercent, PercentBP: 1000,
			UseLimit: 5, PerAttendeeLimit: 1, ValidFrom: time.Now().Add(-time.Hour), ValidUntil: time.Now().Add(240 * time.Hour), AllSessions: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	create("WIOSNA-1")
	chosen := create("WIOSNA-2")
	s, _ := e.promoScreen()
	i, _, ok := findRow(s.list, func(c app.PromoCode) bool { return c.ID == chosen.ID })
	if !ok {
		t.Fatal("the code is not listed")
	}
	s.list.Select(i)
	test.Type(s.email, "kasia@exa")

	create("WIOSNA-3")
	s.changed(app.ChangedPromo)
	if s.length() != 3 || s.count.Text != T("promo.count", map[string]any{"Count": 3}) {
		t.Errorf("%d codes, count %q", s.length(), s.count.Text)
	}
	if s.selected != chosen.ID || s.code == nil || s.code.ID != chosen.ID {
		t.Errorf("selected %d, want %d", s.selected, chosen.ID)
	}
	if s.email.Text != "kasia@exa" {
		t.Errorf("the recipient being typed reads %q", s.email.Text)
	}
}

// Departments & budgets, refreshed after another desktop added a
// department, shows it in the period chosen.
func TestDepartmentsRefreshShowsAnotherDesktopsDepartment(t *testing.T) {
	pe := newPPUEnv(t)
	ctx := context.Background()
	site, err := pe.site.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	scr := newDepartmentsScreen(pe.deps, pe.w, site)
	pe.w.SetContent(scr.content)
	period := scr.selected
	d := app.Department{Name: "Dział Kadr", CostCentre: "CC-5200", OwnerName: "Olga Wrona", OwnerEmail: "olga@example.com"}
	if err := pe.db.CreateDepartment(ctx, &d, nil); err != nil {
		t.Fatal(err)
	}
	if containsText(texts(scr.content), "Dział Kadr") {
		t.Fatal("shown before the refresh")
	}
	scr.changed(app.ChangedPromo)
	if containsText(texts(scr.content), "Dział Kadr") {
		t.Fatal("a promo change refreshed the budgets")
	}
	scr.changed(app.ChangedBudgets)
	if !containsText(texts(scr.content), "Dział Kadr") {
		t.Errorf("the new department is not shown: %q", texts(scr.content))
	}
	if scr.selected != period {
		t.Errorf("period %q, want %q", scr.selected, period)
	}
}

// The payments tab, refreshed after another desktop's payment, lists it
// first and keeps the selected payment selected, now one row down.
func TestPaymentsTabRefreshKeepsTheSelectedPayment(t *testing.T) {
	a := newAdminEnv(t)
	a.tab(T("admin.tab.payments"))
	p := a.m.admin.payments
	ctx := context.Background()
	sale := func(amount int64) app.Payment {
		t.Helper()
		x := app.Payment{
			Key: fmt.Sprintf("%032x", time.Now().UnixNano()), InvoiceID: fmt.Sprintf("INV-%d", time.Now().UnixNano()),
			Kind: app.KindSale, Purpose: app.PurposeTestPayment, Reference: fmt.Sprintf("test:%d", time.Now().UnixNano()),
			Method: app.MethodCreditCard, Processor: app.ProcessorPayflow, Mode: app.ModeTest, AmountMinor: amount,
			Currency: "GBP", Description: "Test payment", PayerName: "Alex Smith", PayerEmail: "alex@example.com",
		}
		if err := a.db.CreatePayment(ctx, &x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	chosen := sale(10_00)
	p.load(0)
	p.list.Select(0)
	if p.selected != 0 || p.rows[0].ID != chosen.ID {
		t.Fatalf("selected row %d", p.selected)
	}
	sale(20_00)
	a.m.changed(app.ChangedPayments)
	if len(p.rows) != 2 || p.selected != 1 || p.rows[p.selected].ID != chosen.ID {
		t.Fatalf("%d rows, selected row %d", len(p.rows), p.selected)
	}
	if p.detail.Text == T("payments.select_one") {
		t.Error("the selected payment's detail is gone")
	}
}

// The Overview and the Test mode banner follow the site another desktop
// changed.
func TestOverviewShowsTheSiteAnotherDesktopChanged(t *testing.T) {
	e, m, _ := newDesktopWindow(t)
	ctx := context.Background()
	m.Open(SectionOverview)
	site, err := e.db.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	site.Name = "Acme Szkolenia Sp. z o.o."
	if err := e.db.SaveSite(ctx, site, nil); err != nil {
		t.Fatal(err)
	}
	m.changed(app.ChangedSessions)
	if containsText(screenTexts(m.Window()), site.Name) {
		t.Fatal("a sessions change read the site")
	}
	m.changed(app.ChangedSite)
	if !containsText(screenTexts(m.Window()), site.Name) {
		t.Errorf("the Overview does not show the new name: %q", screenTexts(m.Window()))
	}
}

// findRow is the first row in memory that match accepts, with its index.
func findRow[T any, K comparable](l *widgets.PagedList[T, K], match func(T) bool) (int, T, bool) {
	for i := range l.Length() {
		if r, ok := l.Row(i); ok && match(r) {
			return i, r, true
		}
	}
	var zero T
	return 0, zero, false
}

// countingSessionLists counts the sessions list's reads.
type countingSessionLists struct {
	SessionService
	calls atomic.Int64
}

func (c *countingSessionLists) List(ctx context.Context, f app.SessionFilter) ([]app.SessionSummary, int, error) {
	c.calls.Add(1)
	return c.SessionService.List(ctx, f)
}
