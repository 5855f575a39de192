// Package demodata fills a TrainPay database with large, deterministic,
// realistic demo data: departments with budgets, sessions of every type,
// registrations with their payments in the journal, promotional codes and
// their uses, and the ledger entries of pay-per-use sessions. It backs
// `trainpay demo-data`, the benchmarks and the scale tests.
//
// It writes through the database's own write connection (foreign keys on,
// every CHECK and trigger active, synchronous=FULL), in large transactions
// with prepared statements. Rows get explicit ids, so that a payment can be
// written before the registration or session that refers to it, and no row
// is ever updated after its insert: the journal's append-and-settle
// triggers never fire, and nothing is disabled.
//
// The same seed and sizes give the same rows, relative to the anchor time
// (Options.Now, by default the first day of the current UTC month).
package demodata

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

// Passphrase is the site administrator's passphrase of a site the
// generator creates.
const Passphrase = "demo-passphrase"

// Options says how much to generate.
type Options struct {
	Sessions      int
	Registrations int
	Codes         int
	Departments   int
	Seed          uint64
	// Force writes into a database that holds real (non-demo) data, a
	// configured site, or demo data already.
	Force bool
	// Now anchors every time: sessions run from three years before it to
	// one year after. Zero means the first day of the current UTC month.
	Now time.Time
	// Progress receives progress lines; nil is quiet.
	Progress io.Writer
	// Batch is how many rows one transaction writes (default 50,000).
	Batch int

	// maxExtraPages, in tests, caps the database at this many pages more
	// than it has when the generator starts: the disk fills up midway.
	maxExtraPages int
}

// Report is what was written.
type Report struct {
	Departments, Ledger, Sessions, Registrations, Payments, Codes, Redemptions int
	SiteCreated                                                                bool
	Elapsed                                                                    time.Duration
}

const timeLayout = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

// Anchor is the default Options.Now: the first day of t's UTC month.
func Anchor(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// IsDemo reports whether the generator has written into db.
func IsDemo(ctx context.Context, db *storage.DB) (bool, error) {
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM demo_data`).Scan(&n); err != nil {
		return false, app.Internal(err, "read the demo marker")
	}
	return n > 0, nil
}

// hasData reports whether any table that a site's work fills has a row.
func hasData(ctx context.Context, db *storage.DB) (bool, error) {
	var n int
	err := db.Read().QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM session) OR EXISTS (SELECT 1 FROM registration) OR EXISTS (SELECT 1 FROM payment)
		OR EXISTS (SELECT 1 FROM promo_code) OR EXISTS (SELECT 1 FROM department)`).Scan(&n)
	if err != nil {
		return false, app.Internal(err, "look for existing data")
	}
	return n == 1, nil
}

// Size is one of Options' sizes with its bounds.
type Size struct {
	Name     string // as the command's flag: "sessions"
	Min, Max int
	Of       func(Options) int
}

// Upper bounds of the sizes: well above the benchmarks' 100,000 sessions
// and 1,000,000 registrations (about 30 s and 720 MB), while the largest
// run still fits a laptop (about ten times that: 7 GB, some minutes).
const (
	MaxSessions      = 1_000_000
	MaxRegistrations = 10_000_000
	MaxCodes         = 1_000_000
	MaxDepartments   = 10_000
)

// Sizes are the bounds Validate checks, in the order of the command's
// flags. A demo without sessions shows nothing, so it needs one.
var Sizes = []Size{
	{"sessions", 1, MaxSessions, func(o Options) int { return o.Sessions }},
	{"registrations", 0, MaxRegistrations, func(o Options) int { return o.Registrations }},
	{"codes", 0, MaxCodes, func(o Options) int { return o.Codes }},
	{"departments", 0, MaxDepartments, func(o Options) int { return o.Departments }},
}

// Validate refuses sizes out of their bounds with an EINVALID error whose
// data names the size (Size) and the bound (Min or Max).
func (o Options) Validate() error {
	for _, s := range Sizes {
		n := s.Of(o)
		switch {
		case n < 0:
			return app.Errorf(app.EINVALID, "error.demo.size_negative", "%s cannot be negative", s.Name).
				With(map[string]any{"Size": s.Name})
		case n < s.Min:
			return app.Errorf(app.EINVALID, "error.demo.size_min", "%s must be at least %d", s.Name, s.Min).
				With(map[string]any{"Size": s.Name, "Min": s.Min})
		case n > s.Max:
			return app.Errorf(app.EINVALID, "error.demo.size_max", "%s is at most %d", s.Name, s.Max).
				With(map[string]any{"Size": s.Name, "Max": s.Max})
		}
	}
	return nil
}

// configured reports whether the database belongs to a site: set up (in
// any mode), or with any setting saved, the account manager's features
// included. Every administrative change leaves an audit entry, so the
// audit log catches what the other tables miss.
func configured(ctx context.Context, db *storage.DB) (bool, error) {
	var n int
	err := db.Read().QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM site) OR EXISTS (SELECT 1 FROM admin_credential) OR EXISTS (SELECT 1 FROM feature)
		OR EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM payment_settings)
		OR EXISTS (SELECT 1 FROM smtp_settings) OR EXISTS (SELECT 1 FROM promo_mail_template)
		OR EXISTS (SELECT 1 FROM promo_recipient)
		OR EXISTS (SELECT 1 FROM budget_settings WHERE period <> 'fiscal-year' OR fiscal_year_start <> 1 OR policy <> 'warn')`).Scan(&n)
	if err != nil {
		return false, app.Internal(err, "look for the site's settings")
	}
	return n == 1, nil
}

// refuse says why demo data may not go into db without Force: it holds
// demo data already, real data, or a configured site (an ECONFLICT error
// with the key error.demo.already, error.demo.real_data or
// error.demo.configured). Nil for a new file.
func refuse(ctx context.Context, db *storage.DB) error {
	demo, err := IsDemo(ctx, db)
	if err != nil {
		return err
	}
	if demo {
		return &app.Error{
			Code: app.ECONFLICT, Key: "error.demo.already",
			Message: "the database already holds demo data: use a new file, or --force to add more",
		}
	}
	real, err := hasData(ctx, db)
	if err != nil {
		return err
	}
	if real {
		return &app.Error{
			Code: app.ECONFLICT, Key: "error.demo.real_data",
			Message: "the database holds real data (sessions, registrations, payments, codes or departments): " +
				"demo data goes into a new file (use --force to write anyway)",
		}
	}
	site, err := configured(ctx, db)
	if err != nil {
		return err
	}
	if site {
		return &app.Error{
			Code: app.ECONFLICT, Key: "error.demo.configured",
			Message: "the database belongs to a site that is already set up (its settings, features or administrator " +
				"are saved): demo data goes into a new file (use --force to write anyway)",
		}
	}
	return nil
}

// Generate writes the demo data into db, creating the site (in Test mode,
// with Passphrase) when the database is new. It commits as it goes: a run
// that stops midway leaves what it wrote. GenerateFile is all or nothing.
func Generate(ctx context.Context, db *storage.DB, o Options) (Report, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return Report{}, err
	}
	if o.Batch <= 0 {
		o.Batch = 50_000
	}
	if o.Now.IsZero() {
		o.Now = Anchor(time.Now())
	}
	if !o.Force {
		if err := refuse(ctx, db); err != nil {
			return Report{}, err
		}
	}
	g := &generator{db: db, o: o, start: start, r: rand.New(rand.NewPCG(o.Seed, 0x747261696e706179))}
	if err := g.setUpSite(ctx); err != nil {
		return Report{}, err
	}
	// A big page cache for this connection only: the registrations'
	// indexes are written in random order.
	if _, err := db.Write().ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return Report{}, app.Internal(err, "size the page cache")
	}
	defer db.Write().ExecContext(context.Background(), `PRAGMA cache_size = -2000`)
	steps := []func(context.Context) error{g.mark, g.nextIDs, g.writeDepartments, g.planSessions, g.writeSessions, g.writeCodes, g.writeRegistrations}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return g.rep, err
		}
	}
	g.rep.Elapsed = time.Since(start)
	return g.rep, nil
}

type generator struct {
	db    *storage.DB
	o     Options
	r     *rand.Rand
	rep   Report
	start time.Time

	site      app.Site
	minor     int64 // 10^digits of the site currency
	next      map[string]int64
	deptIDs   []int64
	sessions  []plannedSession
	codeIDs   []int64
	codeText  []string
	codePct   []int64 // basis points, or 0 for a fixed code
	codeFixed []int64
	codeLimit []int32
	codeUsed  []int32
	codeOpen  []int // indexes of all-session codes with uses left
}

type plannedSession struct {
	id        int64
	topic     string
	start     time.Time
	minutes   int
	typ       app.SessionType
	fee       int64
	cancelled bool
	required  bool
	regs      int // registrations to write
	max       int
	dept      int64
	ppuCost   int64
}

func (g *generator) progress(what string, done, total int) {
	if g.o.Progress == nil {
		return
	}
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	end := "\r"
	if done >= total {
		end = "\n"
	}
	fmt.Fprintf(g.o.Progress, "%-14s %9d / %-9d %5.1f%%  %6.1fs%s", what, done, total, pct, time.Since(g.start).Seconds(), end)
}

// site creates the site when the database is new, and provisions and
// enables the three e-commerce features.
func (g *generator) setUpSite(ctx context.Context) error {
	svc := app.NewSiteService(g.db)
	ok, err := svc.IsSetUp(ctx)
	if err != nil {
		return err
	}
	if !ok {
		if err := svc.Setup(ctx, app.Site{
			Name: "TrainPay Demo", Country: "US", Currency: "USD",
			TimeZone: "America/New_York", Language: "en",
		}, Passphrase); err != nil {
			return err
		}
		g.rep.SiteCreated = true
	}
	if g.site, err = svc.Site(ctx); err != nil {
		return err
	}
	if g.site.RatePersonMinuteE4 == 0 && g.site.RateTeleconferenceMinuteE4 == 0 {
		g.site.RatePersonMinuteE4, g.site.RateTeleconferenceMinuteE4 = 500, 250
		if err := g.db.SaveSite(ctx, g.site, []app.AuditEntry{{
			At: time.Now(), Actor: app.ActorSetup,
			Action: "site.rates", Old: "0 / 0", New: "0.05 / 0.025 (demo data)",
		}}); err != nil {
			return err
		}
	}
	d, ok := currency.GetDigits(g.site.Currency)
	if !ok {
		d = 2
	}
	g.minor = int64(math.Pow10(int(d)))
	if d == 0 {
		g.minor = 100 // fees of 49 yen would look silly
	}
	var states []app.FeatureState
	var audit []app.AuditEntry
	for _, f := range []app.Feature{app.FeaturePaidSessions, app.FeaturePromoCodes, app.FeaturePayPerUse} {
		states = append(states, app.FeatureState{Feature: f, Provisioned: true, Enabled: true})
		audit = append(audit, app.AuditEntry{
			At: time.Now(), Actor: app.ActorAccountManager, Action: "feature.provisioned",
			Target: string(f), New: "true (demo data)",
		})
	}
	if err := g.db.SaveFeatures(ctx, states, audit); err != nil {
		return err
	}
	return g.setUpMethods(ctx)
}

// setUpMethods offers cards through Payflow, and Express Checkout where the
// site's country and currency allow it, when the site offers nothing yet:
// the demo site is in Test mode, so they run against the offline sandbox
// with no credentials, and a person trying the demo can pay.
func (g *generator) setUpMethods(ctx context.Context) error {
	old, err := g.db.PaymentSettings(ctx)
	if err != nil || old != (app.PaymentSettings{}) {
		return err
	}
	next := app.PaymentSettings{
		Processor: app.ProcessorPayflow, CreditCards: true, DebitCards: true,
		ExpressCheckout: app.ProcessorAllowed(g.site, app.ProcessorPayPalREST) == nil,
	}
	if err := next.Validate(g.site); err != nil {
		return err
	}
	at := time.Now()
	audit := []app.AuditEntry{
		{At: at, Actor: app.ActorSetup, Action: "methods.processor", New: string(next.Processor) + " (demo data)"},
		{At: at, Actor: app.ActorSetup, Action: "methods.credit_cards", Old: "false", New: "true (demo data)"},
		{At: at, Actor: app.ActorSetup, Action: "methods.debit_cards", Old: "false", New: "true (demo data)"},
	}
	if next.ExpressCheckout {
		audit = append(audit, app.AuditEntry{
			At: at, Actor: app.ActorSetup, Action: "methods.express_checkout",
			Old: "false", New: "true (demo data)",
		})
	}
	return g.db.SavePaymentSettings(ctx, next, audit)
}

func (g *generator) mark(ctx context.Context) error {
	tx, err := g.db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO demo_data (seed, sessions, registrations, codes, departments, forced, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, int64(g.o.Seed), g.o.Sessions, g.o.Registrations, g.o.Codes, g.o.Departments,
		boolInt(g.o.Force), ts(time.Now())); err != nil {
		return app.Internal(err, "mark the database as demo data")
	}
	return commitTx(tx)
}

func (g *generator) nextIDs(ctx context.Context) error {
	g.next = map[string]int64{}
	for _, t := range []string{"session", "registration", "payment", "promo_code", "promo_redemption", "department", "department_ledger"} {
		var id int64
		if err := g.db.Read().QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM `+t).Scan(&id); err != nil {
			return app.Internal(err, "read the next id of "+t)
		}
		g.next[t] = id
	}
	return nil
}

func (g *generator) id(table string) int64 {
	id := g.next[table]
	g.next[table]++
	return id
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func commitTx(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return app.Internal(err, "commit the demo data")
	}
	return nil
}

// batch is one write transaction with its prepared statements; flush
// commits it and starts the next.
type batch struct {
	g     *generator
	ctx   context.Context
	tx    *sql.Tx
	sqls  map[string]string
	stmts map[string]*sql.Stmt
	rows  int
}

func (g *generator) newBatch(ctx context.Context, sqls map[string]string) (*batch, error) {
	b := &batch{g: g, ctx: ctx, sqls: sqls}
	return b, b.begin()
}

func (b *batch) begin() error {
	tx, err := b.g.db.BeginWrite(b.ctx)
	if err != nil {
		return err
	}
	b.tx, b.stmts, b.rows = tx, map[string]*sql.Stmt{}, 0
	for name, q := range b.sqls {
		st, err := tx.PrepareContext(b.ctx, q)
		if err != nil {
			tx.Rollback()
			return app.Internal(err, "prepare "+name)
		}
		b.stmts[name] = st
	}
	return nil
}

func (b *batch) exec(name string, args ...any) error {
	if _, err := b.stmts[name].ExecContext(b.ctx, args...); err != nil {
		return app.Internal(err, "write "+name).With(map[string]any{"Args": fmt.Sprint(args...)})
	}
	b.rows++
	return nil
}

// maybeFlush commits once the transaction holds a batch's worth of rows.
func (b *batch) maybeFlush() error {
	if b.rows < b.g.o.Batch {
		return nil
	}
	if err := commitTx(b.tx); err != nil {
		return err
	}
	return b.begin()
}

func (b *batch) close() error {
	defer b.tx.Rollback()
	return commitTx(b.tx)
}

func (b *batch) abort() { b.tx.Rollback() }

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func fiscalYear(t time.Time) string { return fmt.Sprintf("FY%04d", t.Year()) }

// departments writes the departments and their yearly allocations.
func (g *generator) writeDepartments(ctx context.Context) error {
	b, err := g.newBatch(ctx, map[string]string{
		"department": `INSERT INTO department (id, name, name_fold, cost_centre, owner_name, owner_email, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		"allocation": `INSERT INTO department_ledger (id, department_id, period, kind, amount_minor, currency, reference, note, at)
			VALUES (?, ?, ?, 'allocation', ?, ?, '', ?, ?)`,
	})
	if err != nil {
		return err
	}
	defer b.abort()
	created := g.o.Now.AddDate(-3, 0, -7)
	for i := 0; i < g.o.Departments; i++ {
		id := g.id("department")
		name := departmentNames[i%len(departmentNames)]
		if i >= len(departmentNames) {
			name += " " + strconv.Itoa(i/len(departmentNames)+1)
		}
		if g.o.Force {
			name += fmt.Sprintf(" (demo %d)", id)
		}
		first, last := g.pick(firstNames), g.pick(lastNames)
		if err := b.exec("department", id, name, strings.ToLower(name), fmt.Sprintf("CC-%d-%04d", g.o.Seed%1000, id),
			first+" "+last, ascii(first)+"."+ascii(last)+"@"+g.pick(emailDomains), ts(created), ts(created)); err != nil {
			return err
		}
		g.deptIDs = append(g.deptIDs, id)
		g.rep.Departments++
		for y := g.o.Now.Year() - 3; y <= g.o.Now.Year()+1; y++ {
			amount := int64(5_000+g.r.IntN(46)*1_000) * g.minor
			at := time.Date(y, 1, 2, 9, 0, 0, 0, time.UTC)
			if err := b.exec("allocation", g.id("department_ledger"), id, fmt.Sprintf("FY%04d", y), amount,
				g.site.Currency, "demo allocation", ts(at)); err != nil {
				return err
			}
			g.rep.Ledger++
		}
	}
	g.progress("departments", g.o.Departments, g.o.Departments)
	return b.close()
}

var (
	feesMajor = []int64{49, 79, 99, 129, 149, 199, 249, 299, 349, 499, 799, 1200}
	durations = []int{60, 90, 120, 120, 180, 240, 240, 360, 480}
)

// planSessions decides every session and how many registrations it gets.
func (g *generator) planSessions(ctx context.Context) error {
	from := g.o.Now.AddDate(-3, 0, 0)
	span := g.o.Now.AddDate(1, 0, 0).Sub(from)
	g.sessions = make([]plannedSession, g.o.Sessions)
	weights := make([]float64, g.o.Sessions)
	var sum float64
	for i := range g.sessions {
		s := &g.sessions[i]
		s.id = g.id("session")
		s.topic = g.pick(levels) + " " + g.pick(subjects) + ": " + g.pick(focuses)
		day := from.Add(time.Duration(g.r.Int64N(int64(span)))).Truncate(24 * time.Hour)
		s.start = day.Add(time.Duration(8+g.r.IntN(9))*time.Hour + time.Duration(g.r.IntN(4)*15)*time.Minute)
		s.minutes = durations[g.r.IntN(len(durations))]
		s.cancelled = g.r.IntN(100) < 3
		switch k := g.r.IntN(100); {
		case k < 55:
			s.typ, s.required = app.SessionPaid, true
			s.fee = feesMajor[g.r.IntN(len(feesMajor))] * g.minor
		case k < 90:
			s.typ, s.required = app.SessionFree, g.r.IntN(100) < 60
		default:
			s.typ = app.SessionPayPerUse
		}
		if len(g.deptIDs) > 0 && (s.typ == app.SessionPayPerUse || g.r.IntN(4) == 0) {
			s.dept = g.deptIDs[g.r.IntN(len(g.deptIDs))]
		}
		if s.required {
			// Exponential sizes with a few flagship sessions, so that
			// some sessions have thousands of registrations.
			w := -math.Log(1 - g.r.Float64())
			if g.r.IntN(1000) == 0 {
				w *= 150
			}
			weights[i] = w
			sum += w
		}
	}
	if sum == 0 && g.o.Registrations > 0 {
		// No session takes registrations: make the first one paid.
		s := &g.sessions[0]
		s.typ, s.required, s.fee, s.dept = app.SessionPaid, true, 99*g.minor, 0
		weights[0], sum = 1, 1
	}
	left := g.o.Registrations
	for i := range g.sessions {
		if weights[i] == 0 {
			continue
		}
		n := int(float64(g.o.Registrations) * weights[i] / sum)
		n = min(n, left)
		g.sessions[i].regs = n
		left -= n
	}
	for i := 0; left > 0; i = (i + 1) % len(g.sessions) {
		if weights[i] > 0 {
			g.sessions[i].regs++
			left--
		}
	}
	return ctx.Err()
}

// sessions writes the sessions, and for pay-per-use ones the host's
// payment, the frozen rates, the start and the department's charge.
func (g *generator) writeSessions(ctx context.Context) error {
	b, err := g.newBatch(ctx, map[string]string{
		"payment": paymentSQL,
		"session": `INSERT INTO session (id, topic, topic_fold, description, starts_at, ends_at, time_zone, duration_minutes,
			type, fee_minor, currency, registration_required, max_registrations, registration_closes_at,
			attendees_may_cancel, cancel_hours_before, refund_percent, expected_computers, expected_teleconference,
			department_id, paid_payment_id, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"payperuse": `INSERT INTO payperuse_session (session_id, currency, person_rate_e4, teleconference_rate_e4,
			actual_person_minutes, actual_tele_minutes, actual_source, actual_at, started_at, start_cost_minor)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"charge": `INSERT INTO department_ledger (id, department_id, period, kind, amount_minor, currency, session_id,
			payment_id, reference, note, at) VALUES (?, ?, ?, 'charge', ?, ?, ?, ?, ?, '', ?)`,
	})
	if err != nil {
		return err
	}
	defer b.abort()
	for i := range g.sessions {
		s := &g.sessions[i]
		seats := 0
		if s.regs > 0 {
			seats = s.regs
		}
		switch {
		case s.typ == app.SessionPaid:
			s.max = max(seats+g.r.IntN(max(3, seats/5)), 10+g.r.IntN(30))
		case s.required && g.r.IntN(2) == 0:
			s.max = max(seats+g.r.IntN(max(3, seats/5)), 10+g.r.IntN(30))
		}
		end := s.start.Add(time.Duration(s.minutes) * time.Minute)
		created := s.start.AddDate(0, 0, -(14 + g.r.IntN(120)))
		if created.After(g.o.Now) {
			created = g.o.Now.Add(-time.Duration(g.r.IntN(240)) * time.Hour)
		}
		cur := ""
		if s.typ == app.SessionPaid {
			cur = g.site.Currency
		}
		var computers, tele int
		var paidPayment sql.NullInt64
		if s.typ == app.SessionPayPerUse {
			computers = 5 + g.r.IntN(36)
			tele = g.r.IntN(computers/2 + 1)
			s.ppuCost = (int64(s.minutes)*(int64(computers)*g.site.RatePersonMinuteE4+int64(tele)*g.site.RateTeleconferenceMinuteE4)*g.minor + 5000) / 10000
			past := end.Before(g.o.Now)
			if !s.cancelled && s.ppuCost > 0 && (past && g.r.IntN(10) < 9 || !past && g.r.IntN(2) == 0) {
				pid := g.id("payment")
				paidAt := s.start.AddDate(0, 0, -(1 + g.r.IntN(7)))
				if paidAt.Before(created) {
					paidAt = created.Add(time.Hour)
				}
				if err := g.payment(b, pid, "sale", app.PurposePayPerUse, app.SessionReference(s.id), nil, s.ppuCost,
					"Pay-per-use: "+s.topic, "approved", paidAt, "", ""); err != nil {
					return err
				}
				paidPayment = sql.NullInt64{Int64: pid, Valid: true}
			}
		}
		status := "scheduled"
		if s.cancelled {
			status = "cancelled"
		}
		desc := ""
		if g.r.IntN(3) == 0 {
			desc = "A " + strconv.Itoa(s.minutes) + "-minute session on " + strings.ToLower(s.topic) + "."
		}
		var dept sql.NullInt64
		if s.dept != 0 {
			dept = sql.NullInt64{Int64: s.dept, Valid: true}
		}
		if err := b.exec("session", s.id, s.topic, strings.ToLower(s.topic), desc, ts(s.start), ts(end), g.site.TimeZone,
			s.minutes, string(s.typ), s.fee, cur, boolInt(s.required), s.max,
			boolInt(s.typ == app.SessionPaid), 24*boolInt(s.typ == app.SessionPaid), 100, computers, tele, dept, paidPayment,
			status, ts(created), ts(created)); err != nil {
			return err
		}
		g.rep.Sessions++
		if paidPayment.Valid {
			past := end.Before(g.o.Now)
			var person, teleMin sql.NullInt64
			started, actualAt, source := "", "", ""
			var startCost int64
			if past {
				started, startCost = ts(s.start), s.ppuCost
				person = sql.NullInt64{Int64: int64(s.minutes * computers * (80 + g.r.IntN(21)) / 100), Valid: true}
				teleMin = sql.NullInt64{Int64: min(person.Int64, int64(s.minutes*tele)), Valid: true}
				actualAt, source = ts(end.Add(time.Hour)), "demo"
			}
			if err := b.exec("payperuse", s.id, g.site.Currency, g.site.RatePersonMinuteE4, g.site.RateTeleconferenceMinuteE4,
				person, teleMin, source, actualAt, started, startCost); err != nil {
				return err
			}
			if s.dept != 0 {
				if err := b.exec("charge", g.id("department_ledger"), s.dept, fiscalYear(s.start), s.ppuCost, g.site.Currency,
					s.id, paidPayment.Int64, app.SessionReference(s.id), ts(s.start.AddDate(0, 0, -1))); err != nil {
					return err
				}
				g.rep.Ledger++
			}
		}
		if err := b.maybeFlush(); err != nil {
			return err
		}
		if i%5000 == 0 && i > 0 {
			g.progress("sessions", i, len(g.sessions))
		}
	}
	g.progress("sessions", len(g.sessions), len(g.sessions))
	return b.close()
}

const paymentSQL = `INSERT INTO payment (id, key, invoice_id, kind, purpose, reference, parent_id, method, processor, mode,
	amount_minor, currency, description, payer_name, payer_email, state, gateway_ref, auth_code, brand, last4, funding,
	result_code, message, attempts, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'payflow', 'test', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`

var cards = []struct{ brand, last4, funding string }{
	{"visa", "1111", "credit"},
	{"visa", "1111", "debit"},
	{"mastercard", "4444", "credit"},
	{"mastercard", "4444", "debit"},
	{"amex", "0005", "credit"},
	{"discover", "1117", "credit"},
}

// payment writes one settled journal row.
func (g *generator) payment(b *batch, id int64, kind string, purpose app.Purpose, ref string, parent *int64,
	amount int64, desc, state string, at time.Time, payer, email string,
) error {
	c := cards[g.r.IntN(len(cards))]
	method := app.MethodCreditCard
	if c.funding == "debit" {
		method = app.MethodDebitCard
	}
	var parentID sql.NullInt64
	if parent != nil {
		parentID = sql.NullInt64{Int64: *parent, Valid: true}
	}
	code, msg, gref, auth := "0", "Approved", fmt.Sprintf("D%011X", g.r.Uint64()&0xFFFFFFFFFFF), strconv.Itoa(100000+g.r.IntN(900000))
	if state == "declined" {
		code, msg, auth = "12", "Declined", ""
	}
	key := fmt.Sprintf("d%07x%024x", id&0xFFFFFFF, g.r.Uint64())
	if err := b.exec("payment", id, key, "DEMO-"+strconv.FormatInt(id, 10), kind, string(purpose), ref, parentID,
		string(method), amount, g.site.Currency, desc, payer, email, state, gref, auth, c.brand, c.last4, c.funding,
		code, msg, ts(at), ts(at.Add(2*time.Second))); err != nil {
		return err
	}
	g.rep.Payments++
	return nil
}

var (
	percents   = []int64{500, 1000, 1500, 2000, 2500, 5000}
	fixedMajor = []int64{5, 10, 20, 25, 50}
	limits     = []int32{1, 1, 1, 1, 10, 25, 100, 0, 0, 0}
)

// codes writes the promotional codes (a tenth limited to a few paid
// sessions).
func (g *generator) writeCodes(ctx context.Context) error {
	b, err := g.newBatch(ctx, map[string]string{
		"code": `INSERT INTO promo_code (id, code, kind, percent_bp, fixed_minor, currency, use_limit, per_attendee_limit,
			valid_from, valid_until, disabled, all_sessions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)`,
		"code_session": `INSERT OR IGNORE INTO promo_code_session (code_id, session_id) VALUES (?, ?)`,
	})
	if err != nil {
		return err
	}
	defer b.abort()
	var paid []int64
	for _, s := range g.sessions {
		if s.typ == app.SessionPaid {
			paid = append(paid, s.id)
		}
	}
	prefixes := []string{"SPRING", "SUMMER", "AUTUMN", "WINTER", "WELCOME", "TEAM", "EARLY", "VIP", "PARTNER", "ALUMNI"}
	for i := 0; i < g.o.Codes; i++ {
		id := g.id("promo_code")
		text := fmt.Sprintf("%s-%s", prefixes[g.r.IntN(len(prefixes))], confirmation(uint64(id), g.o.Seed^0x5eed)[3:])
		pct, fixed, cur, kind := int64(0), int64(0), "", "percent"
		if g.r.IntN(10) < 7 {
			pct = percents[g.r.IntN(len(percents))]
		} else {
			kind, fixed, cur = "fixed", fixedMajor[g.r.IntN(len(fixedMajor))]*g.minor, g.site.Currency
		}
		limit := limits[g.r.IntN(len(limits))]
		from := g.o.Now.AddDate(-3, 0, g.r.IntN(3*365))
		until := from.AddDate(0, 0, 30+g.r.IntN(335))
		all := len(paid) == 0 || g.r.IntN(10) != 0
		disabled := g.r.IntN(50) == 0
		if err := b.exec("code", id, text, kind, pct, fixed, cur, limit, ts(from), ts(until), boolInt(disabled),
			boolInt(all), ts(from.Add(-24*time.Hour))); err != nil {
			return err
		}
		if !all {
			for n := 1 + g.r.IntN(3); n > 0; n-- {
				if err := b.exec("code_session", id, paid[g.r.IntN(len(paid))]); err != nil {
					return err
				}
			}
		}
		g.codeIDs, g.codeText = append(g.codeIDs, id), append(g.codeText, text)
		g.codePct, g.codeFixed = append(g.codePct, pct), append(g.codeFixed, fixed)
		g.codeLimit, g.codeUsed = append(g.codeLimit, limit), append(g.codeUsed, 0)
		if all && !disabled {
			g.codeOpen = append(g.codeOpen, i)
		}
		g.rep.Codes++
		if err := b.maybeFlush(); err != nil {
			return err
		}
		if i%10000 == 0 && i > 0 {
			g.progress("codes", i, g.o.Codes)
		}
	}
	g.progress("codes", g.o.Codes, g.o.Codes)
	return b.close()
}

// confirmation is a registration's confirmation number, "TP-" and eight
// characters of the app's alphabet: a bijection of id (mod 31^8), so ids
// never share one.
func confirmation(id, seed uint64) string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	const mod = 31 * 31 * 31 * 31 * 31 * 31 * 31 * 31
	x := (id*0x9E3779B1 + seed%mod) % mod
	out := []byte("TP-........")
	for i := len(out) - 1; i >= 3; i-- {
		out[i] = alphabet[x%31]
		x /= 31
	}
	return string(out)
}

// usePromo picks a code with uses left and counts one use, or returns -1.
func (g *generator) usePromo() int {
	for len(g.codeOpen) > 0 {
		k := g.r.IntN(len(g.codeOpen))
		i := g.codeOpen[k]
		if g.codeLimit[i] == 0 || g.codeUsed[i] < g.codeLimit[i] {
			g.codeUsed[i]++
			return i
		}
		g.codeOpen[k] = g.codeOpen[len(g.codeOpen)-1]
		g.codeOpen = g.codeOpen[:len(g.codeOpen)-1]
	}
	return -1
}

// registrations writes every session's registrations with their sales,
// refunds and declined attempts, and the promotional codes they used.
func (g *generator) writeRegistrations(ctx context.Context) error {
	b, err := g.newBatch(ctx, map[string]string{
		"payment": paymentSQL,
		"registration": `INSERT INTO registration (id, session_id, first_name, last_name, email, company, country, language,
			status, confirmation, fee_minor, discount_minor, total_minor, currency, promo_code, hold_until, payment_id,
			paid_minor, refunded_minor, paid_at, cancelled_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)`,
		"redemption": `INSERT INTO promo_redemption (id, code_id, registration_id, session_id, email, state, fee_minor,
			discount_minor, total_minor, currency, payment_id, created_at, expires_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'used', ?, ?, ?, ?, ?, ?, ?, ?)`,
	})
	if err != nil {
		return err
	}
	defer b.abort()
	done := 0
	for _, s := range g.sessions {
		for k := 0; k < s.regs; k++ {
			if err := g.registration(b, s); err != nil {
				return err
			}
			done++
			if err := b.maybeFlush(); err != nil {
				return err
			}
			if done%10000 == 0 && done < g.o.Registrations {
				g.progress("registrations", done, g.o.Registrations)
			}
		}
	}
	g.progress("registrations", done, g.o.Registrations)
	return b.close()
}

func (g *generator) registration(b *batch, s plannedSession) error {
	id := g.id("registration")
	first, last := g.pick(firstNames), g.pick(lastNames)
	email := ascii(first) + "." + ascii(last) + "." + strconv.FormatInt(id, 36) + "@" + g.pick(emailDomains)
	lang := "en"
	if strings.ContainsAny(first+last, "ąćęłńóśźżŁŚŻŹ") || g.r.IntN(10) == 0 {
		lang = "pl"
	}
	created := s.start.Add(-time.Duration(1+g.r.IntN(60*24)) * time.Hour)
	if created.After(g.o.Now) {
		created = g.o.Now.Add(-time.Duration(1+g.r.IntN(240)) * time.Hour)
	}
	at := created.Add(time.Duration(1+g.r.IntN(600)) * time.Second)
	payer := first + " " + last
	var (
		status                   string
		fee, discount, total     int64
		paid, refunded           int64
		paidAt, cancelledAt, cur string
		paymentID                sql.NullInt64
		promo                    = -1
		promoText                string
	)
	if s.typ != app.SessionPaid {
		status = "registered"
		if s.cancelled || g.r.IntN(100) < 8 {
			status, cancelledAt = "cancelled", ts(at.Add(48*time.Hour))
		}
	} else {
		fee, cur = s.fee, g.site.Currency
		k := g.r.IntN(100)
		if k < 11 {
			promo = g.usePromo()
		}
		if promo >= 0 {
			promoText = g.codeText[promo]
			if g.codePct[promo] > 0 {
				discount = fee * g.codePct[promo] / 10000
			} else {
				discount = min(g.codeFixed[promo], fee/2)
			}
		}
		total = fee - discount
		ref := "registration:" + strconv.FormatInt(id, 10)
		desc := s.topic
		switch {
		case k < 86 || promo >= 0 || s.cancelled:
			sale := g.id("payment")
			if err := g.payment(b, sale, "sale", app.PurposeRegistration, ref, nil, total, desc, "approved", at, payer, email); err != nil {
				return err
			}
			paymentID, paid, paidAt, status = sql.NullInt64{Int64: sale, Valid: true}, total, ts(at), "paid"
			refund := int64(0)
			switch r := g.r.IntN(100); {
			case s.cancelled || r < 6:
				refund, status = total, "refunded"
			case r < 9 && total > 1:
				refund, status = total/2, "partially-refunded"
			}
			if refund > 0 {
				rat := at.Add(time.Duration(24+g.r.IntN(24*20)) * time.Hour)
				if err := g.payment(b, g.id("payment"), "refund", app.PurposeRegistration, ref, &sale, refund,
					"Refund: "+desc, "approved", rat, payer, email); err != nil {
					return err
				}
				refunded, cancelledAt = refund, ts(rat)
			}
		case k < 91:
			status, cancelledAt = "cancelled", ts(at.Add(time.Hour))
		default:
			// A declined card, then the hold ran out.
			if g.r.IntN(2) == 0 {
				if err := g.payment(b, g.id("payment"), "sale", app.PurposeRegistration, ref, nil, total, desc,
					"declined", at, payer, email); err != nil {
					return err
				}
			}
			status = "expired"
		}
	}
	updated := at
	if cancelledAt != "" {
		updated, _ = time.Parse(timeLayout, cancelledAt)
	}
	if err := b.exec("registration", id, s.id, first, last, email, g.pick(companies), g.pick(countries), lang, status,
		confirmation(uint64(id), g.o.Seed), fee, discount, total, cur, promoText, paymentID, paid, refunded,
		paidAt, cancelledAt, ts(created), ts(updated)); err != nil {
		return err
	}
	g.rep.Registrations++
	if promo >= 0 {
		if err := b.exec("redemption", g.id("promo_redemption"), g.codeIDs[promo], id, s.id, email, fee, discount, total,
			cur, paymentID, ts(created), ts(created.Add(30*time.Minute)), paidAt); err != nil {
			return err
		}
		g.rep.Redemptions++
	}
	return nil
}
