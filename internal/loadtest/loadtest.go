// Package loadtest runs several TrainPay desktops against one database at
// once, as real OS processes, and checks that the money came out right.
//
// Run prepares a site (the small demo site: a Test mode site with paid
// sessions and promotional codes, copied into a new SQLite file or moved
// into an empty organisation database with storage/transfer), schedules
// paid sessions (some with few seats, so they fill up while the desktops
// race for them) and promotional codes (some with a use limit, and one
// free), and starts the offline payment sandbox (app/gateway/sandbox) whose
// ledger is the judge of what was charged. It then starts the desktops:
// each is a process of the running program (a test binary or
// cmd/trainpay-load) that opens the database itself, builds the app's own
// services on it (SessionService, PaymentService with a Payflow client
// pointed at the sandbox, PromoService), says READY, and when released
// registers attendees and pays for them by card, with a code every third
// time, until the time is up. A purchase that the site refuses by its
// rules (the session is full, the code is used up) is counted as refused;
// anything else that goes wrong is an error.
//
// Check then compares the journal with the sandbox's ledger: every charge
// the sandbox made has exactly one charged sale in the journal with its
// request id (none lost), no registration is charged twice (no doubles),
// no sale is left open, every registration the desktops paid for is paid
// in the database, no session has more registrations than seats, and no
// limited code was used more often than its limit.
package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/transfer"
)

// Backends.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// The environment of a desktop process.
const (
	envChild    = "TRAINPAY_LOAD_DESKTOP"
	envBackend  = "TRAINPAY_LOAD_BACKEND"
	envDB       = "TRAINPAY_LOAD_DB"
	envGateway  = "TRAINPAY_LOAD_GATEWAY"
	envDuration = "TRAINPAY_LOAD_DURATION"
	envSessions = "TRAINPAY_LOAD_SESSIONS"
	envCodes    = "TRAINPAY_LOAD_CODES"
)

// Config is one load run.
type Config struct {
	Backend  string // SQLite or Postgres
	DB       string // the SQLite file to create, or the empty organisation database's URL
	Desktops int
	Duration time.Duration
	// ChildArgs are the arguments that make the running program a desktop
	// (a test binary: -test.run=^TheTest$); the environment says which.
	ChildArgs []string
	// Log receives what the run is doing; nil is quiet.
	Log io.Writer
}

// The site's load: paid sessions and codes.
const (
	feeMinor     = 4900 // 49.00 USD: the sandbox approves it
	fullSessions = 4    // of 16: few seats, filled during the run
	fewSeats     = 3    // filled within seconds even on a slow, shared machine
	manySeats    = 100_000
	allSessions  = 16
	limitedUses  = 15
)

var demoSizes = demodata.Options{Sessions: 200, Registrations: 2000, Codes: 100, Departments: 5, Seed: 11}

// Report is a run's outcome.
type Report struct {
	Backend   string
	Desktops  int
	Duration  time.Duration
	Purchases int            // tries: a registration and its payment
	Paid      int            // charged by card
	Free      int            // a free code: confirmed with no payment
	Refused   map[string]int // by the site's rules, by message key
	Errors    []string       // anything else
	// Latencies of a purchase (register, code, pay) that was paid.
	P50, P99, Max time.Duration
	// Checks are the money checks that failed (none: all passed).
	Checks []string
	// Charges is what the sandbox charged; Journal the charged sales.
	Charges, Journal int
}

// Throughput is paid purchases per second.
func (r Report) Throughput() float64 { return float64(r.Paid) / r.Duration.Seconds() }

// OK reports whether the run had no errors and every check passed.
func (r Report) OK() bool { return len(r.Errors) == 0 && len(r.Checks) == 0 && r.Paid > 0 }

// Print writes the report.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "%s, %d desktops, %s: %d purchases, %d paid (%.1f/s), %d free, refused %v, %d errors\n",
		r.Backend, r.Desktops, r.Duration, r.Purchases, r.Paid, r.Throughput(), r.Free, r.Refused, len(r.Errors))
	fmt.Fprintf(w, "latency of a paid purchase: p50 %s, p99 %s, max %s\n",
		r.P50.Round(100*time.Microsecond), r.P99.Round(100*time.Microsecond), r.Max.Round(100*time.Microsecond))
	fmt.Fprintf(w, "sandbox charges %d, journal charged sales %d; doubles, lost and open sales: %s\n",
		r.Charges, r.Journal, map[bool]string{true: "none", false: "see below"}[len(r.Checks) == 0])
	for i, e := range r.Errors {
		if i == 10 {
			fmt.Fprintf(w, "  … %d more errors\n", len(r.Errors)-10)
			break
		}
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	for _, c := range r.Checks {
		fmt.Fprintf(w, "  check failed: %s\n", c)
	}
}

// IsDesktop reports whether this process is a desktop of a run: its main
// (or TestMain) then calls Desktop and exits.
func IsDesktop() bool { return os.Getenv(envChild) != "" }

// Store is what the desktops' services use of a database: the site, the
// journal, sessions and registrations, and promotional codes. Both
// backends implement it.
type Store interface {
	app.SiteStore
	app.PaymentStore
	app.SessionStore
	app.RegistrationStore
	app.PromoStore
	app.PromoSessions
}

var (
	_ Store = (*storage.DB)(nil)
	_ Store = (*postgres.DB)(nil)
)

// Open opens the database of a backend.
func Open(ctx context.Context, backend, db string) (Store, func(), error) {
	switch backend {
	case SQLite:
		s, err := storage.Open(db)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case Postgres:
		s, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	}
	return nil, nil, fmt.Errorf("unknown backend %q", backend)
}

// Run prepares the site, runs the desktops and checks the outcome.
func Run(ctx context.Context, c Config) (Report, error) {
	logf := func(format string, args ...any) {
		if c.Log != nil {
			fmt.Fprintf(c.Log, format+"\n", args...)
		}
	}
	start := time.Now()
	if err := prepareDatabase(ctx, c); err != nil {
		return Report{}, err
	}
	store, closeStore, err := Open(ctx, c.Backend, c.DB)
	if err != nil {
		return Report{}, err
	}
	defer closeStore()
	sessions, codes, err := schedule(ctx, store)
	if err != nil {
		return Report{}, err
	}
	box, err := sandbox.Start(ctx)
	if err != nil {
		return Report{}, err
	}
	defer box.Close()
	logf("site ready in %s: %d sessions, %d codes; starting %d desktops", time.Since(start).Round(time.Millisecond),
		len(sessions), len(codes), c.Desktops)

	env := []string{
		envChild + "=1", envBackend + "=" + c.Backend, envDB + "=" + c.DB,
		envGateway + "=" + box.PayflowEndpoint(), envDuration + "=" + c.Duration.String(),
		envSessions + "=" + joinIDs(sessions), envCodes + "=" + strings.Join(codeNames(codes), ","),
	}
	results, err := runDesktops(c, env)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Backend: c.Backend, Desktops: c.Desktops, Duration: c.Duration, Refused: map[string]int{}}
	var lat []time.Duration
	var paidRegs []int64
	for _, r := range results {
		rep.Purchases += r.Purchases
		rep.Paid += len(r.PaidRegistrations)
		rep.Free += r.Free
		for k, n := range r.Refused {
			rep.Refused[k] += n
		}
		rep.Errors = append(rep.Errors, r.Errors...)
		for _, us := range r.LatencyMicros {
			lat = append(lat, time.Duration(us)*time.Microsecond)
		}
		paidRegs = append(paidRegs, r.PaidRegistrations...)
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		rep.P50, rep.P99, rep.Max = lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)], lat[len(lat)-1]
	}
	rep.Checks, rep.Charges, rep.Journal, err = check(ctx, store, box.Ledger(), start, sessions, codes, paidRegs)
	if err != nil {
		return rep, err
	}
	return rep, nil
}

// prepareDatabase puts the small demo site into c.DB.
func prepareDatabase(ctx context.Context, c Config) error {
	file, err := demodata.Cached(ctx, demoSizes)
	if err != nil {
		return err
	}
	switch c.Backend {
	case SQLite:
		if err := os.MkdirAll(filepath.Dir(c.DB), 0o700); err != nil {
			return err
		}
		return demodata.CopyTo(file, c.DB)
	case Postgres:
		_, err := transfer.Copy(ctx, file, c.DB, transfer.Options{})
		return err
	}
	return fmt.Errorf("unknown backend %q", c.Backend)
}

// schedule adds the run's paid sessions and codes through the app's
// services.
func schedule(ctx context.Context, store Store) ([]app.Session, []app.PromoCode, error) {
	site := app.NewSiteService(store)
	sessions := app.NewSessionService(store, store, site, nil, nil)
	promo := &app.PromoService{Store: store, Site: site, Sessions: store}
	var out []app.Session
	for i := range allSessions {
		seats := manySeats
		if i < fullSessions {
			seats = fewSeats
		}
		x, err := sessions.Schedule(ctx, app.Session{
			Topic:    fmt.Sprintf("Load test %d", i+1),
			StartsAt: time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour), TimeZone: "America/New_York",
			DurationMinutes: 60, Type: app.SessionPaid, FeeMinor: feeMinor, RegistrationRequired: true,
			MaxRegistrations: seats,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("schedule a session: %w", err)
		}
		out = append(out, x)
	}
	suffix := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36)
	var codes []app.PromoCode
	for _, c := range []app.PromoCode{
		{Code: "LOAD-LIMITED-A-" + suffix, Kind: app.DiscountPercent, PercentBP: 2000, UseLimit: limitedUses},
		{Code: "LOAD-LIMITED-B-" + suffix, Kind: app.DiscountPercent, PercentBP: 1000, UseLimit: limitedUses},
		{Code: "LOAD-OPEN-" + suffix, Kind: app.DiscountFixed, FixedMinor: 500, UseLimit: 0},
		{Code: "LOAD-FREE-" + suffix, Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: limitedUses},
	} {
		c.PerAttendeeLimit = 1
		c.AllSessions = true
		c.ValidUntil = time.Now().Add(365 * 24 * time.Hour)
		made, err := promo.CreateCode(ctx, c)
		if err != nil {
			return nil, nil, fmt.Errorf("create a code: %w", err)
		}
		codes = append(codes, made)
	}
	return out, codes, nil
}

func joinIDs(sessions []app.Session) string {
	ids := make([]string, len(sessions))
	for i, s := range sessions {
		ids[i] = strconv.FormatInt(s.ID, 10)
	}
	return strings.Join(ids, ",")
}

func codeNames(codes []app.PromoCode) []string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = c.Code
	}
	return names
}

// desktopResult is what one desktop reports.
type desktopResult struct {
	Purchases         int            `json:"purchases"`
	PaidRegistrations []int64        `json:"paid"`
	Free              int            `json:"free"`
	Refused           map[string]int `json:"refused"`
	Errors            []string       `json:"errors"`
	LatencyMicros     []int64        `json:"latency_us"`
}

// runDesktops starts the desktops, releases them together once every one
// is ready, and collects their results.
func runDesktops(c Config, env []string) ([]desktopResult, error) {
	type child struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		lines  chan string
		stderr *strings.Builder
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	children := make([]*child, c.Desktops)
	defer func() {
		for _, ch := range children {
			if ch != nil && ch.cmd.ProcessState == nil {
				ch.cmd.Process.Kill()
				ch.cmd.Wait()
			}
		}
	}()
	for i := range children {
		cmd := exec.Command(exe, c.ChildArgs...)
		cmd.Env = append(append(os.Environ(), env...), envChild+"="+strconv.Itoa(i+1))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		errOut := &strings.Builder{}
		cmd.Stderr = &limitedWriter{b: errOut, n: 8 << 10}
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		ch := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 16), stderr: errOut}
		go func() {
			defer close(ch.lines)
			sc := bufio.NewScanner(stdout)
			sc.Buffer(make([]byte, 1<<20), 64<<20)
			for sc.Scan() {
				if line := sc.Text(); line == "READY" || strings.HasPrefix(line, "RESULT ") {
					ch.lines <- line
				}
			}
		}()
		children[i] = ch
	}
	for i, ch := range children {
		select {
		case line := <-ch.lines:
			if line != "READY" {
				return nil, fmt.Errorf("desktop %d said %.200q before READY", i+1, line)
			}
		case <-time.After(2 * time.Minute):
			return nil, fmt.Errorf("desktop %d never got ready: %s", i+1, ch.stderr.String())
		}
	}
	for _, ch := range children {
		ch.stdin.Close()
	}
	var out []desktopResult
	for i, ch := range children {
		var result string
		for line := range ch.lines {
			result = line
		}
		if err := ch.cmd.Wait(); err != nil {
			return nil, fmt.Errorf("desktop %d: %v: %s", i+1, err, ch.stderr.String())
		}
		var r desktopResult
		if err := json.Unmarshal([]byte(strings.TrimPrefix(result, "RESULT ")), &r); err != nil {
			return nil, fmt.Errorf("desktop %d: result %.200q: %v: %s", i+1, result, err, ch.stderr.String())
		}
		out = append(out, r)
	}
	return out, nil
}

type limitedWriter struct {
	b *strings.Builder
	n int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if room := w.n - w.b.Len(); room > 0 {
		w.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Desktop is one desktop process: it opens the database and the gateway,
// says READY on stdout, waits for stdin to close, buys until its time is
// up, prints RESULT and its JSON, and returns the exit code.
func Desktop() int {
	ctx := context.Background()
	desk, _ := strconv.Atoi(os.Getenv(envChild))
	duration, err := time.ParseDuration(os.Getenv(envDuration))
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop:", err)
		return 2
	}
	var sessions []int64
	for _, s := range strings.Split(os.Getenv(envSessions), ",") {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "desktop: sessions:", err)
			return 2
		}
		sessions = append(sessions, id)
	}
	codes := strings.Split(os.Getenv(envCodes), ",")
	store, closeStore, err := Open(ctx, os.Getenv(envBackend), os.Getenv(envDB))
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop: open:", err)
		return 1
	}
	defer closeStore()
	gw, err := payflow.New(payflow.Config{
		Endpoint: os.Getenv(envGateway), User: "load", Vendor: "load",
		Partner: "PayPal", Password: "load", Timeout: 30 * time.Second, InquiryLag: payflow.NoInquiryLag,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop: gateway:", err)
		return 1
	}
	site := app.NewSiteService(store)
	payments := app.NewPaymentService(store, oneGateway{gw: gw}, nil)
	promo := &app.PromoService{Store: store, Site: site, Sessions: store}
	svc := app.NewSessionService(store, store, site, payments, promo)

	fmt.Println("READY")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "desktop:", err)
		return 1
	}
	r := buy(ctx, svc, desk, sessions, codes, time.Now().Add(duration))
	b, err := json.Marshal(r)
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop:", err)
		return 1
	}
	fmt.Printf("RESULT %s\n", b)
	return 0
}

// refusals are the site's rules saying no: not errors.
var refusals = []string{
	"error.registration.full", "error.promo.used_up", "error.sessions.promo_stale",
	"error.promo.quote_changed",
}

// buy registers and pays until the deadline.
func buy(ctx context.Context, svc *app.SessionService, desk int, sessions []int64, codes []string, until time.Time) desktopResult {
	r := desktopResult{Refused: map[string]int{}}
	rnd := rand.New(rand.NewPCG(uint64(desk), uint64(time.Now().UnixNano())))
	fail := func(what string, err error) bool {
		e := app.AsError(err)
		if slices.Contains(refusals, e.Key) {
			r.Refused[e.Key]++
			return true
		}
		r.Errors = append(r.Errors, fmt.Sprintf("desktop %d: %s: %v", desk, what, err))
		return false
	}
	for n := 1; time.Now().Before(until); n++ {
		r.Purchases++
		start := time.Now()
		// A quarter of the purchases go to the sessions with few seats,
		// so they fill up while the desktops race for the last seats.
		session := sessions[rnd.IntN(len(sessions))]
		if n%4 == 0 {
			session = sessions[rnd.IntN(fullSessions)]
		}
		reg, err := svc.Register(ctx, session, app.Attendee{
			FirstName: "Desk" + strconv.Itoa(desk),
			LastName:  "Buyer" + strconv.Itoa(n), Email: fmt.Sprintf("desk%d-%d@load.example", desk, n),
			Country: "US", Language: "en",
		})
		if err != nil {
			fail("register", err)
			continue
		}
		var quote *app.PromoQuote
		if n%3 == 0 {
			q, err := svc.QuotePromo(ctx, reg, codes[rnd.IntN(len(codes))])
			if err == nil {
				quote = &q
			} else if !fail("quote a code", err) {
				continue
			}
		}
		card := &app.Card{
			Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12,
			ExpYear: time.Now().Year() + 3, Holder: "Load Buyer",
		}
		payer := app.Payer{
			FirstName: "Load", LastName: "Buyer", Country: "US", Street: "1 Main St",
			City: "Boston", State: "MA", PostalCode: "02101", Email: reg.Email,
		}
		paidReg, p, err := svc.PayByCard(ctx, reg.ID, quote, app.MethodCreditCard, card, payer)
		switch {
		case err != nil:
			fail("pay", err)
		case p.ID == 0 && paidReg.TotalMinor == 0:
			r.Free++
		case p.State.Charged():
			r.PaidRegistrations = append(r.PaidRegistrations, reg.ID)
			r.LatencyMicros = append(r.LatencyMicros, time.Since(start).Microseconds())
		default:
			r.Errors = append(r.Errors, fmt.Sprintf("desktop %d: payment %d ended %s", desk, p.ID, p.State))
		}
	}
	return r
}

// oneGateway resolves every payment to the sandbox's Payflow route.
type oneGateway struct{ gw app.Gateway }

func (o oneGateway) ForMethod(context.Context, app.Method) (app.Gateway, app.Processor, app.Mode, error) {
	return o.gw, app.ProcessorPayflow, app.ModeTest, nil
}

func (o oneGateway) ForPayment(context.Context, app.Payment) (app.Gateway, error) { return o.gw, nil }

// check compares the journal with the sandbox's ledger and the rules of
// seats and codes; it returns the failed checks.
func check(ctx context.Context, store Store, ledger []sandbox.Entry, since time.Time, sessions []app.Session,
	codes []app.PromoCode, paidRegs []int64,
) (failed []string, charges, journal int, err error) {
	failf := func(format string, args ...any) { failed = append(failed, fmt.Sprintf(format, args...)) }

	// The sandbox's charges by request id (the journal row's key).
	charged := map[string]sandbox.Entry{}
	for _, e := range ledger {
		if !e.Charged() {
			continue
		}
		charges++
		if _, dup := charged[e.RequestID]; dup {
			failf("the sandbox charged request %s twice", e.RequestID)
		}
		charged[e.RequestID] = e
	}
	// The journal's sales since the run began (newest first, by id).
	var sales []app.Payment
	for offset := 0; ; offset += 1000 {
		page, _, err := store.Payments(ctx, app.PaymentFilter{Offset: offset, Limit: 1000})
		if err != nil {
			return nil, 0, 0, err
		}
		older := false
		for _, p := range page {
			if p.CreatedAt.Before(since) {
				older = true
				continue
			}
			if p.Kind == app.KindSale {
				sales = append(sales, p)
			}
		}
		if older || len(page) < 1000 {
			break
		}
	}
	perReference := map[string]int{}
	for _, p := range sales {
		switch {
		case p.State.Charged():
			journal++
			perReference[p.Reference]++
			if _, ok := charged[p.Key]; !ok {
				failf("journal sale %d (%s) is charged but the sandbox has no charge %s", p.ID, p.Reference, p.Key)
			}
		case p.State.Unsettled():
			failf("journal sale %d (%s) is left %s", p.ID, p.Reference, p.State)
		}
	}
	inJournal := map[string]bool{}
	for _, p := range sales {
		if p.State.Charged() {
			inJournal[p.Key] = true
		}
	}
	for key, e := range charged {
		if !inJournal[key] {
			failf("lost: the sandbox charged %s %s (%s) and the journal has no charged sale for it", e.Amount, e.Currency, key)
		}
	}
	var refs []string
	for ref, n := range perReference {
		if n > 1 {
			refs = append(refs, ref)
		}
	}
	sort.Strings(refs)
	for _, ref := range refs {
		failf("double: %s has %d charged sales", ref, perReference[ref])
	}
	if journal != len(paidRegs) {
		failf("the desktops were told %d payments succeeded, the journal has %d charged sales", len(paidRegs), journal)
	}
	for _, id := range paidRegs {
		reg, err := store.Registration(ctx, id)
		if err != nil {
			return nil, 0, 0, err
		}
		if reg.Status != app.RegPaid || reg.PaidMinor != reg.TotalMinor || reg.PaymentID == 0 {
			failf("registration %d was paid but is %s with %d of %d paid", id, reg.Status, reg.PaidMinor, reg.TotalMinor)
		}
	}
	for _, s := range sessions {
		regs, _, err := store.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID})
		if err != nil {
			return nil, 0, 0, err
		}
		taken := 0
		for _, r := range regs {
			if r.Status == app.RegPaid || r.Status == app.RegPendingPayment || r.Status == app.RegRegistered {
				taken++
			}
		}
		if taken > s.MaxRegistrations {
			failf("session %d has %d registrations holding seats, %d seats", s.ID, taken, s.MaxRegistrations)
		}
	}
	for _, c := range codes {
		if c.UseLimit == 0 {
			continue
		}
		got, err := store.PromoCode(ctx, c.ID, time.Now())
		if err != nil {
			return nil, 0, 0, err
		}
		if got.Uses > got.UseLimit {
			failf("code %s was used %d times, its limit is %d", c.Code, got.Uses, got.UseLimit)
		}
	}
	return failed, charges, journal, nil
}
