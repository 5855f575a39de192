package ui

// Scale: the list screens on a database of 20,000 sessions and
// 100,000 registrations (demo data generated once per machine, under
// $TMPDIR) stay paged, and their loads and searches run off the UI thread.

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
)

// goid is the current goroutine's id.
func goid() int64 {
	var buf [64]byte
	s := buf[:runtime.Stack(buf[:], false)]
	s = bytes.TrimPrefix(s, []byte("goroutine "))
	id, _ := strconv.ParseInt(string(s[:bytes.IndexByte(s, ' ')]), 10, 64)
	return id
}

// offThread is Deps.Go for these tests: it queues the work, and drain runs
// it on another goroutine while the test (the UI thread) waits. Work that
// is still queued when a UI call returns proves the UI did not wait for
// it; and the test driver runs fyne.Do inline, so running it while the
// test goroutine is busy would race with it.
type offThread struct {
	mu    sync.Mutex
	queue []func()
}

func (o *offThread) Go(f func()) {
	o.mu.Lock()
	o.queue = append(o.queue, f)
	o.mu.Unlock()
}

func (o *offThread) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue)
}

// drain runs the queued work, and what it queues in turn, until none is
// left.
func (o *offThread) drain() {
	for o.runQueued() > 0 {
	}
}

// gatedSessions records whether a List or Registrations call ran on the UI
// (test) goroutine, and the largest page read.
type gatedSessions struct {
	SessionService
	ui int64

	mu      sync.Mutex
	calls   int
	onUI    int
	biggest int
}

// record counts a call, and whether it ran on the UI goroutine, and keeps
// the largest page it returned.
func record[T any](g *gatedSessions, call func() ([]T, int, error)) ([]T, int, error) {
	g.mu.Lock()
	g.calls++
	if goid() == g.ui {
		g.onUI++
	}
	g.mu.Unlock()
	rows, total, err := call()
	g.mu.Lock()
	g.biggest = max(g.biggest, len(rows))
	g.mu.Unlock()
	return rows, total, err
}

func (g *gatedSessions) List(ctx context.Context, f app.SessionFilter) ([]app.SessionSummary, int, error) {
	return record(g, func() ([]app.SessionSummary, int, error) { return g.SessionService.List(ctx, f) })
}

func (g *gatedSessions) Registrations(ctx context.Context, f app.RegistrationFilter) ([]app.Registration, int, error) {
	return record(g, func() ([]app.Registration, int, error) { return g.SessionService.Registrations(ctx, f) })
}

// scrollThrough jumps around a list of n rows as a person scrolling would,
// letting each jump's page loads finish.
// checkPaged checks a virtualised, paged list l of what: its length is
// all total items (more than kept pages of size), it holds one page after
// opening and, once scrolled through, at most kept pages.
func checkPaged(t *testing.T, what string, l interface {
	ScrollTo(int)
	Refresh()
	Held() int
}, off *offThread, length, total, size, kept int,
) {
	t.Helper()
	if length != total || total <= size*kept {
		t.Fatalf("list length %d, want %d %s (more than %d)", length, total, what, size*kept)
	}
	if n := l.Held(); n == 0 || n > size {
		t.Errorf("after opening, %d %s are held; want one page", n, what)
	}
	scrollThrough(l, off, total)
	if n := l.Held(); n > size*kept {
		t.Errorf("after scrolling, %d %s are held; at most %d may be", n, what, size*kept)
	}
}

func scrollThrough(l interface {
	ScrollTo(int)
	Refresh()
}, off *offThread, n int,
) {
	for _, id := range []int{n / 4, n / 2, n - 1, 0, n / 3, n / 5, n / 7, 3 * n / 4, 5 * n / 6, n / 9} {
		l.ScrollTo(id)
		off.drain()
		l.Refresh()
		off.drain()
	}
}

// scaleWindow is db's site and a window of a, 1000×700.
func scaleWindow(t *testing.T, db *storage.DB, a fyne.App) (app.Site, fyne.Window) {
	t.Helper()
	site, err := db.Site(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return site, newScaleWindow(a)
}

// newScaleWindow is a window of a, 1000×700.
func newScaleWindow(a fyne.App) fyne.Window {
	w := a.NewWindow("scale")
	w.Resize(fyne.NewSize(1000, 700))
	return w
}

func scaleEnv(t *testing.T) (*storage.DB, Deps, *offThread, fyne.App) {
	t.Helper()
	path, err := demodata.Cached(context.Background(),
		demodata.Options{Sessions: 20_000, Registrations: 100_000, Codes: 2_000, Departments: 50, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	copyPath := filepath.Join(dir, "scale.db")
	if err := demodata.CopyTo(path, copyPath); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	site := app.NewSiteService(db)
	off := &offThread{}
	deps := Deps{Site: site, Go: off.Go}
	deps.Sessions = app.NewSessionService(db, db, site, nil, nil)
	deps.Budgets = &app.BudgetService{Site: site, Store: db, Sessions: db, Journal: db}
	deps.Promo = &app.PromoService{Store: db, Site: site, Sessions: db}
	return db, deps, off, test.NewTempApp(t)
}

func TestScaleSessionsListStaysPagedAndSearchesOffTheUIThread(t *testing.T) {
	db, deps, off, a := scaleEnv(t)
	gated := &gatedSessions{SessionService: deps.Sessions, ui: goid()}
	deps.Sessions = gated
	site, w := scaleWindow(t, db, a)
	start := time.Now()
	s := newSessionsScreen(deps, w, site)
	w.SetContent(s.content)
	if d := time.Since(start); d > 2*time.Second || off.pending() == 0 {
		t.Errorf("building the screen took %v, %d loads left for the background", d, off.pending())
	}
	off.drain()

	var upcoming int
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	db.Read().QueryRow(`SELECT count(*) FROM session WHERE ends_at >= ?`, now).Scan(&upcoming)
	// Scroll through the list: pages come and go, never all of them.
	checkPaged(t, "upcoming sessions", s.list, off, s.length(), upcoming, sessionsPageSize, sessionsPagesKept)

	// Searching: typing returns with the queries still queued.
	begin := time.Now()
	test.Type(s.search, "excel")
	if d := time.Since(begin); d > 2*time.Second || off.pending() == 0 {
		t.Errorf("typing a search took %v with %d queries left for the background: the UI thread ran them", d, off.pending())
	}
	off.drain()
	var want int
	db.Read().QueryRow(`SELECT count(*) FROM session WHERE ends_at >= ? AND topic_fold LIKE '%excel%'`, now).Scan(&want)
	if s.length() != want || want == 0 {
		t.Errorf("search found %d, want %d", s.length(), want)
	}
	gated.mu.Lock()
	defer gated.mu.Unlock()
	if gated.onUI > 0 {
		t.Errorf("%d of %d list queries ran on the UI thread", gated.onUI, gated.calls)
	}
	if gated.biggest > sessionsPageSize {
		t.Errorf("a query returned %d rows; pages are %d", gated.biggest, sessionsPageSize)
	}
}

func TestScalePromoAndDepartmentsLoadOffTheUIThread(t *testing.T) {
	db, deps, off, a := scaleEnv(t)
	site, w := scaleWindow(t, db, a)

	p := newPromoScreen(deps, w, site)
	w.SetContent(p.root)
	if off.pending() == 0 {
		t.Error("the codes were read on the UI thread")
	}
	off.drain()
	if p.list == nil {
		t.Fatal("the codes list was not built")
	}
	// The list is virtualised and paged: it knows how many codes there
	// are, holds one page after opening, and at most a few pages after
	// scrolling through them.
	var codes int
	db.Read().QueryRow(`SELECT count(*) FROM promo_code`).Scan(&codes)
	checkPaged(t, "codes", p.list, off, p.length(), codes, promoPageSize, promoPagesKept)
	// Selecting a row reads that one code for the pane.
	p.list.ScrollTo(codes / 2)
	off.drain()
	row, _ := p.list.Row(codes / 2)
	p.list.Select(codes / 2)
	off.drain()
	if c, ok := p.current(); !ok || row.ID == 0 || c.ID != row.ID || !p.detail.Visible() {
		t.Errorf("selecting row %d (code %d): pane of %+v", codes/2, row.ID, c)
	}
	// Searching: typing returns with the queries still queued.
	var match string
	db.Read().QueryRow(`SELECT substr(code, 3, 3) FROM promo_code ORDER BY id LIMIT 1`).Scan(&match)
	begin := time.Now()
	test.Type(p.search, strings.ToLower(match))
	if d := time.Since(begin); d > 2*time.Second || off.pending() == 0 {
		t.Errorf("typing a code search took %v with %d queries left for the background", d, off.pending())
	}
	off.drain()
	var want int
	db.Read().QueryRow(`SELECT count(*) FROM promo_code WHERE code LIKE ?`, "%"+match+"%").Scan(&want)
	if p.length() != want || want == 0 || p.count.Text != T("promo.count", map[string]any{"Count": want}) {
		t.Errorf("code search %q found %d (%q), want %d", match, p.length(), p.count.Text, want)
	}

	d := newDepartmentsScreen(deps, w, site)
	w.SetContent(d.content)
	if off.pending() == 0 {
		t.Error("the budgets were read on the UI thread")
	}
	off.drain()
	if len(d.budgets) != 50 {
		t.Errorf("departments screen shows %d budgets, want 50", len(d.budgets))
	}
}

// A busy session's registrations (2,504 in the largest session of this
// data) are read a page at a time off the UI thread, and a row selected
// deep in the list is the one the actions work on.
func TestScaleRegistrationsPagedOffTheUIThread(t *testing.T) {
	db, deps, off, a := scaleEnv(t)
	gated := &gatedSessions{SessionService: deps.Sessions, ui: goid()}
	deps.Sessions = gated
	var sessionID int64
	var n int
	db.Read().QueryRow(`SELECT session_id, count(*) FROM registration GROUP BY session_id ORDER BY count(*) DESC LIMIT 1`).
		Scan(&sessionID, &n)
	if n <= registrationsPageSize*registrationsPagesKept {
		t.Fatalf("the busiest session has %d registrations; the test needs more than %d", n, registrationsPageSize*registrationsPagesKept)
	}
	s, err := db.Session(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	w := newScaleWindow(a)
	v := showRegistrations(deps, w, s, nil)
	if off.pending() == 0 {
		t.Error("the registrations were read on the UI thread")
	}
	off.drain()
	if v.list.Length() != n || v.count.Text != T("regs.count", map[string]any{"Count": n}) {
		t.Fatalf("list length %d (%q), want %d", v.list.Length(), v.count.Text, n)
	}
	if held := v.list.Held(); held == 0 || held > registrationsPageSize {
		t.Errorf("after opening, %d registrations are held; want one page", held)
	}
	scrollThrough(v.list, off, n)
	if held := v.list.Held(); held > registrationsPageSize*registrationsPagesKept {
		t.Errorf("after scrolling, %d registrations are held; at most %d may be", held, registrationsPageSize*registrationsPagesKept)
	}
	// The last row is the session's newest registration.
	var lastID int64
	db.Read().QueryRow(`SELECT max(id) FROM registration WHERE session_id = ?`, sessionID).Scan(&lastID)
	v.list.ScrollTo(n - 1)
	off.drain()
	v.list.Select(n - 1)
	off.drain()
	if r, ok := v.current(); !ok || r.ID != lastID || v.refund.Disabled() != (r.PaidMinor <= r.RefundedMinor) {
		t.Errorf("selecting the last row: %+v (%v), refund disabled %v; want registration %d", r, ok, v.refund.Disabled(), lastID)
	}
	// Searching by a last name narrows the list, off the UI thread.
	var last string
	var want int
	db.Read().QueryRow(`SELECT last_name FROM registration WHERE id = ?`, lastID).Scan(&last)
	db.Read().QueryRow(`SELECT count(*) FROM registration WHERE session_id = ?1 AND (last_name LIKE ?2 OR email LIKE ?2)`,
		sessionID, "%"+last+"%").Scan(&want)
	test.Type(v.search, strings.ToUpper(last))
	if off.pending() == 0 {
		t.Error("the search ran on the UI thread")
	}
	off.drain()
	if v.list.Length() != want || want == 0 || want == n {
		t.Errorf("search %q: %d rows, want %d", last, v.list.Length(), want)
	}
	if _, ok := v.current(); ok {
		t.Error("a new search keeps the old selection")
	}
	gated.mu.Lock()
	defer gated.mu.Unlock()
	if gated.onUI > 0 || gated.calls == 0 {
		t.Errorf("%d of %d registration queries ran on the UI thread", gated.onUI, gated.calls)
	}
	if gated.biggest > registrationsPageSize {
		t.Errorf("a query returned %d registrations; pages are %d", gated.biggest, registrationsPageSize)
	}
}

// runQueued runs the work queued now (not what it queues in turn) off the
// test goroutine, and waits for it; it returns how many it ran.
func (o *offThread) runQueued() int {
	o.mu.Lock()
	q := o.queue
	o.queue = nil
	o.mu.Unlock()
	if len(q) == 0 {
		return 0
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, f := range q {
			f()
		}
	}()
	<-done
	return len(q)
}

// The first count of a long list stops at 1,000: the list shows "over
// 1000" with its first page at once, then counts exactly in the
// background.
func TestScaleSessionsCountShowsOverAThousandThenTheExactCount(t *testing.T) {
	db, deps, off, a := scaleEnv(t)
	site, w := scaleWindow(t, db, a)
	s := newSessionsScreen(deps, w, site)
	w.SetContent(s.content)
	s.when.SetSelectedIndex(2) // all
	off.runQueued()
	if want := T("sessions.count_more", map[string]any{"Count": 1000}); s.count.Text != want || s.length() != 1001 {
		t.Errorf("after the first page: %q, length %d; want %q", s.count.Text, s.length(), want)
	}
	if off.pending() != 1 {
		t.Errorf("%d queries queued after the first page; want the exact count", off.pending())
	}
	off.drain()
	var all int
	db.Read().QueryRow(`SELECT count(*) FROM session`).Scan(&all)
	if s.length() != all || s.count.Text != T("sessions.count", map[string]any{"Count": all}) {
		t.Errorf("after counting: %q, length %d; want %d", s.count.Text, s.length(), all)
	}
}
