package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// peopleSite is an organisation database reached over TCP with passwords,
// migrated by its owner (the IT administrator's role, with CREATEROLE),
// holding a site, two departments with a pay-per-use session each, a
// registration's settled payment and an audit entry; and three people, one
// per role, each with a login of their own.
type peopleSite struct {
	db               *postgres.DB // the owner's
	url              string
	password         string // every person's here
	admin, coord, bo string // logins
	dep1, dep2       int64  // bo owns dep1
	sess1, sess2     int64  // pay-per-use sessions of dep1, dep2
	sess2b           int64  // another of dep2's, with no payment yet
	paidSale         int64  // a registration's approved sale
	pending2         int64  // dep2's pending pay-per-use sale
}

func newPeopleSite(t *testing.T) *peopleSite {
	t.Helper()
	ctx := context.Background()
	u, _, _ := pgtest.PasswordDB(t)
	db, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("Open as the owner: %v", err)
	}
	t.Cleanup(db.Close)
	s := &peopleSite{db: db, url: u, password: "correct horse battery staple"}
	pool := db.Pool()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	one := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, q, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	exec(`INSERT INTO site (id, name, country, currency, time_zone, language, mode, created_at)
		VALUES (1, 'Site', 'PL', 'PLN', 'Europe/Warsaw', 'pl', 'test', now())`)
	exec(`INSERT INTO admin_credential (id, hash) VALUES (1, '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA')`)
	exec(`INSERT INTO payment_settings (id, processor, credit_cards) VALUES (1, 'payflow', true)`)
	exec(`INSERT INTO smtp_settings (id, host, port, tls_mode, username, sender, sender_name)
		VALUES (1, 'smtp.example.org', 587, 'starttls', 'mailer', 'a@example.org', 'A')`)
	exec(`INSERT INTO feature (name, provisioned, enabled) VALUES ('paid-sessions', true, true)`)
	// The block policy: a pay-per-use sale locks its department's row
	// (FOR NO KEY UPDATE) in the payer's transaction.
	exec(`UPDATE budget_settings SET policy = 'block'`)
	dep := func(name string) int64 {
		return one(`INSERT INTO department (name, name_fold, cost_centre, owner_name, owner_email, created_at, updated_at)
			VALUES ($1, lower($1), $1, 'Owner', 'o@example.org', now(), now()) RETURNING id`, name)
	}
	s.dep1, s.dep2 = dep("Sales"), dep("Legal")
	sess := func(dep int64) int64 {
		return one(`INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone, duration_minutes, type,
			department_id, created_at, updated_at)
			VALUES ('Go', 'go', now() + interval '2 days', now() + interval '2 days 1 hour', 'Europe/Warsaw', 60,
			        'pay-per-use', $1, now(), now()) RETURNING id`, dep)
	}
	s.sess1, s.sess2, s.sess2b = sess(s.dep1), sess(s.dep2), sess(s.dep2)
	exec(`INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, at)
		VALUES ($1, 'FY2026', 'allocation', 100000, 'PLN', now()), ($2, 'FY2026', 'allocation', 100000, 'PLN', now())`,
		s.dep1, s.dep2)
	s.paidSale = one(`INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode,
		amount_minor, currency, created_at, updated_at)
		VALUES ('k-reg', 'inv-reg', 'sale', 'registration', 'registration:1', 'card', 'payflow', 'test', 5000, 'PLN', now(), now())
		RETURNING id`)
	exec(`UPDATE payment SET state = 'approved' WHERE id = $1`, s.paidSale)
	s.pending2 = one(`INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode,
		amount_minor, currency, created_at, updated_at)
		VALUES ('k-ppu2', 'inv-ppu2', 'sale', 'pay-per-use', $1, 'card', 'payflow', 'test', 3000, 'PLN', now(), now())
		RETURNING id`, app.SessionReference(s.sess2))
	exec(`INSERT INTO audit_log (at, actor, action) VALUES (now(), 'administrator', 'site.created')`)

	suffix := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	if len(suffix) > 30 {
		suffix = suffix[len(suffix)-30:]
	}
	s.admin, s.coord, s.bo = "a_"+suffix, "c_"+suffix, "b_"+suffix
	for _, p := range []app.Person{
		{Login: s.admin, Name: "Ada Admin", Roles: []app.Role{app.RoleAdministrator}},
		{Login: s.coord, Name: "Cezary Coordinator", Roles: []app.Role{app.RoleCoordinator}},
		{Login: s.bo, Name: "Barbara Budget", Roles: []app.Role{app.RoleBudgetOwner}, Departments: []int64{s.dep1}},
	} {
		if _, err := db.AddPerson(ctx, p, s.password); err != nil {
			t.Fatalf("AddPerson %s as the owner: %v", p.Login, err)
		}
		login := p.Login
		t.Cleanup(func() { dropLogin(t, u, login) })
	}
	return s
}

// dropLogin removes a person's login from the cluster (logins outlive the
// test's database), through the owner's CREATEROLE.
func dropLogin(t *testing.T, ownerURL, login string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Errorf("connect to drop %s: %v", login, err)
		return
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{login}.Sanitize()); err != nil {
		t.Errorf("drop %s: %v", login, err)
	}
}

// as is the URL that signs in as login with password.
func (s *peopleSite) as(t *testing.T, login, password string) string {
	t.Helper()
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(login, password)
	return u.String()
}

func (s *peopleSite) connect(t *testing.T, login string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.as(t, login, s.password))
	if err != nil {
		t.Fatalf("sign in as %s: %v", login, err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

// everything is a digest of every row of every table, read by the owner.
func (s *peopleSite) everything(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	rows, err := s.db.Pool().Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, table := range tables {
		var digest string
		q := `SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM ` + pgx.Identifier{table}.Sanitize() + ` t`
		if err := s.db.Pool().QueryRow(ctx, q).Scan(&digest); err != nil {
			t.Fatal(err)
		}
		b.WriteString(table + "=" + digest + "\n")
	}
	// The logins of this site (and the one the statements try to make),
	// with whether they sign in and their groups: not the whole cluster's
	// roles, which other tests' migrations add to meanwhile.
	var roles string
	if err := s.db.Pool().QueryRow(ctx, `
		SELECT coalesce(string_agg(r.rolname || ':' || r.rolcanlogin || ':' || coalesce((
			SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
			 WHERE m.member = r.oid), ''), ';' ORDER BY r.rolname), '')
		FROM pg_roles r WHERE r.rolname = ANY ($1)`, []string{s.admin, s.coord, s.bo, "intruder"}).Scan(&roles); err != nil {
		t.Fatal(err)
	}
	return b.String() + roles
}

// statement is one statement a role tries, and what the server must say.
type statement struct {
	what string // what it would do, for the report
	sql  string
	args []any
	// filtered: row-level security hides the rows (UPDATE 0), the RLS
	// equivalent of a refusal for an UPDATE; otherwise SQLSTATE 42501.
	filtered bool
}

// refused runs each statement as conn and wants it refused, with nothing
// changed in the database.
func (s *peopleSite) refused(t *testing.T, conn *pgx.Conn, role string, stmts []statement) {
	t.Helper()
	ctx := context.Background()
	before := s.everything(t)
	for _, st := range stmts {
		tag, err := conn.Exec(ctx, st.sql, st.args...)
		if st.filtered {
			if err != nil || tag.RowsAffected() != 0 {
				t.Errorf("%s may not %s: got %v, %d rows; want 0 rows (row-level security)", role, st.what, err, tag.RowsAffected())
			}
			continue
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("%s may not %s: got %v, want SQLSTATE 42501", role, st.what, err)
		}
	}
	if after := s.everything(t); after != before {
		t.Errorf("%s's refused statements changed the database:\nbefore\n%s\nafter\n%s", role, before, after)
	}
}

// allowed runs each statement as conn and wants it to work and touch at
// least one row.
func allowed(t *testing.T, conn *pgx.Conn, role string, stmts []statement) {
	t.Helper()
	for _, st := range stmts {
		tag, err := conn.Exec(context.Background(), st.sql, st.args...)
		if err != nil || (tag.Update() || tag.Delete() || tag.Insert()) && tag.RowsAffected() == 0 {
			t.Errorf("%s may %s: got %v, %d rows", role, st.what, err, tag.RowsAffected())
		}
	}
}

// The statements every person's login is refused whatever their role: the
// audit log and the settled journal are never rewritten, logins never made
// directly, people never written but through the administrator's
// functions.
func neverAllowed(s *peopleSite) []statement {
	return []statement{
		{what: "edit an audit entry", sql: `UPDATE audit_log SET action = 'forged'`},
		{what: "delete audit entries", sql: `DELETE FROM audit_log`},
		{what: "truncate the audit log", sql: `TRUNCATE audit_log`},
		{what: "change a settled payment's amount", sql: `UPDATE payment SET amount_minor = 1 WHERE id = $1`, args: []any{s.paidSale}},
		{what: "move a settled payment to another reference", sql: `UPDATE payment SET reference = 'registration:2' WHERE id = $1`, args: []any{s.paidSale}},
		{what: "delete a journal row", sql: `DELETE FROM payment WHERE id = $1`, args: []any{s.paidSale}},
		{what: "delete a ledger entry", sql: `DELETE FROM department_ledger`},
		{what: "create a login", sql: `CREATE ROLE intruder LOGIN PASSWORD 'intruder-password'`},
		{what: "write the people table directly", sql: `INSERT INTO people (login, name, created_at) VALUES ('intruder', 'I', now())`},
		{what: "give itself a role directly", sql: `INSERT INTO person_role (person_id, role) SELECT id, 'administrator' FROM people`},
		{what: "create a table beside TrainPay's", sql: `CREATE TABLE intruder (id int)`},
		{what: "create a function beside TrainPay's", sql: `CREATE FUNCTION trainpay_intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'`},
	}
}

func TestPeopleRolesCoordinatorIsRefusedAdministrationByTheServer(t *testing.T) {
	s := newPeopleSite(t)
	c := s.connect(t, s.coord)
	forbidden := append(neverAllowed(s),
		statement{what: "change the rates", sql: `UPDATE site SET rate_person_minute_e4 = 1`},
		statement{what: "switch to Production mode", sql: `UPDATE site SET mode = 'production'`},
		statement{what: "enable or provision a feature", sql: `UPDATE feature SET enabled = false`},
		statement{what: "provision a feature", sql: `INSERT INTO feature (name, provisioned, enabled) VALUES ('pay-per-use', true, true)`},
		statement{what: "change the payment methods", sql: `UPDATE payment_settings SET debit_cards = true`},
		statement{what: "change the mail server", sql: `UPDATE smtp_settings SET host = 'evil.example.org'`},
		statement{what: "read the administrator's credential", sql: `SELECT hash FROM admin_credential`},
		statement{what: "change the administrator's credential", sql: `UPDATE admin_credential SET failed_attempts = 0`},
		statement{what: "change the budget policy", sql: `UPDATE budget_settings SET policy = 'warn'`},
		statement{what: "create a department", sql: `INSERT INTO department (name, name_fold, cost_centre, owner_name, owner_email, created_at, updated_at) VALUES ('X', 'x', 'X', 'O', 'o@x', now(), now())`},
		statement{what: "allocate a budget", sql: `INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, at) VALUES ($1, 'FY2026', 'allocation', 1, 'PLN', now())`, args: []any{s.dep1}},
		statement{what: "pay a department's session", sql: `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode, amount_minor, currency, created_at, updated_at) VALUES ('k-c', 'inv-c', 'sale', 'pay-per-use', $1, 'card', 'payflow', 'test', 100, 'PLN', now(), now())`, args: []any{app.SessionReference(s.sess1)}},
		statement{what: "approve a department's payment", sql: `UPDATE payment SET state = 'approved' WHERE id = $1`, args: []any{s.pending2}, filtered: true},
		statement{what: "read the audit log", sql: `SELECT * FROM audit_log`},
		statement{what: "add a person", sql: `SELECT trainpay_person_add('intruder', 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5', 'I', '', '{administrator}', '{}')`},
		statement{what: "disable a person", sql: `SELECT trainpay_person_disable($1)`, args: []any{s.admin}},
	)
	s.refused(t, c, "a coordinator", forbidden)

	allowed(t, c, "a coordinator", []statement{
		{what: "read the site and sessions", sql: `SELECT s.*, t.name FROM session s, site t`},
		{what: "schedule a session", sql: `INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone, duration_minutes, type, created_at, updated_at) VALUES ('SQL', 'sql', now(), now() + interval '1 hour', 'UTC', 60, 'free', now(), now())`},
		{what: "register an attendee", sql: `INSERT INTO registration (session_id, first_name, last_name, email, status, confirmation, created_at, updated_at) VALUES ($1, 'Jan', 'Nowak', 'jan@example.org', 'registered', 'C-1', now(), now())`, args: []any{s.sess1}},
		{what: "record a registration's payment", sql: `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode, amount_minor, currency, created_at, updated_at) VALUES ('k-c2', 'inv-c2', 'sale', 'registration', 'registration:9', 'card', 'payflow', 'test', 100, 'PLN', now(), now())`},
		{what: "settle it", sql: `UPDATE payment SET state = 'approved', auth_code = 'A1', updated_at = now() WHERE key = 'k-c2'`},
		{what: "write an audit entry", sql: `INSERT INTO audit_log (at, actor, action, login) VALUES (now(), 'administrator', 'coordinator.wrote', 'somebody_else')`},
	})
	var login string
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT login FROM audit_log WHERE action = 'coordinator.wrote'`).Scan(&login); err != nil || login != s.coord {
		t.Errorf("the coordinator's audit entry names %q (%v), want the session's login %q, not the typed one", login, err, s.coord)
	}
}

func TestPeopleRolesBudgetOwnerPaysOnlyTheirOwnDepartments(t *testing.T) {
	s := newPeopleSite(t)
	c := s.connect(t, s.bo)
	forbidden := append(neverAllowed(s),
		statement{what: "pay another department's session", sql: `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode, amount_minor, currency, created_at, updated_at) VALUES ('k-b', 'inv-b', 'sale', 'pay-per-use', $1, 'card', 'payflow', 'test', 100, 'PLN', now(), now())`, args: []any{app.SessionReference(s.sess2b)}},
		statement{what: "approve another department's payment", sql: `UPDATE payment SET state = 'approved' WHERE id = $1`, args: []any{s.pending2}, filtered: true},
		statement{what: "charge another department's session to its budget", sql: `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode, amount_minor, currency, created_at, updated_at) VALUES ('k-b4', 'inv-b4', 'sale', 'pay-per-use', $1, 'budget', 'internal', 'test', 100, 'PLN', now(), now())`, args: []any{app.SessionReference(s.sess2b)}},
		statement{what: "charge another department's ledger", sql: `INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, session_id, payment_id, at) VALUES ($1, 'FY2026', 'charge', 3000, 'PLN', $2, $3, now())`, args: []any{s.dep2, s.sess2, s.pending2}},
		statement{what: "allocate its own budget", sql: `INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, at) VALUES ($1, 'FY2026', 'allocation', 1, 'PLN', now())`, args: []any{s.dep1}},
		statement{what: "take a registration's payment", sql: `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode, amount_minor, currency, created_at, updated_at) VALUES ('k-b2', 'inv-b2', 'sale', 'registration', 'registration:9', 'card', 'payflow', 'test', 100, 'PLN', now(), now())`},
		statement{what: "change the rates", sql: `UPDATE site SET rate_teleconference_minute_e4 = 1`},
		statement{what: "change the payment methods", sql: `UPDATE payment_settings SET credit_cards = false`},
		statement{what: "reschedule a session", sql: `UPDATE session SET topic = 'Moved' WHERE id = $1`, args: []any{s.sess1}},
		statement{what: "read the administrator's credential", sql: `SELECT hash FROM admin_credential`},
	)
	s.refused(t, c, "a budget owner", forbidden)

	allowed(t, c, "a budget owner", []statement{
		{what: "pay their department's session", sql: `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode, amount_minor, currency, created_at, updated_at) VALUES ('k-b3', 'inv-b3', 'sale', 'pay-per-use', $1, 'card', 'payflow', 'test', 2500, 'PLN', now(), now())`, args: []any{app.SessionReference(s.sess1)}},
		{what: "settle it", sql: `UPDATE payment SET state = 'approved', updated_at = now() WHERE key = 'k-b3'`},
		{what: "mark the session paid", sql: `UPDATE session SET paid_payment_id = (SELECT id FROM payment WHERE key = 'k-b3') WHERE id = $1`, args: []any{s.sess1}},
		{what: "charge their department's ledger", sql: `INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, session_id, payment_id, at) SELECT $1, 'FY2026', 'charge', 2500, 'PLN', $2, id, now() FROM payment WHERE key = 'k-b3'`, args: []any{s.dep1, s.sess1}},
		{what: "charge their department's session to its budget", sql: `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode, amount_minor, currency, created_at, updated_at) VALUES ('k-b5', 'inv-b5', 'sale', 'true-up', $1, 'budget', 'internal', 'test', 500, 'PLN', now(), now())`, args: []any{app.SessionReference(s.sess1)}},
	})
}

func TestPeopleRolesAdministratorConfiguresButNeverRewritesTheRecord(t *testing.T) {
	s := newPeopleSite(t)
	c := s.connect(t, s.admin)
	forbidden := append(neverAllowed(s),
		statement{what: "pay a department's session (not its budget owner)", sql: `INSERT INTO payment (key, invoice_id, kind, purpose, reference, method, processor, mode, amount_minor, currency, created_at, updated_at) VALUES ('k-a', 'inv-a', 'sale', 'pay-per-use', $1, 'card', 'payflow', 'test', 100, 'PLN', now(), now())`, args: []any{app.SessionReference(s.sess1)}},
		statement{what: "approve a department's payment", sql: `UPDATE payment SET state = 'approved' WHERE id = $1`, args: []any{s.pending2}, filtered: true},
	)
	s.refused(t, c, "an administrator", forbidden)
	allowed(t, c, "an administrator", []statement{
		{what: "change the rates", sql: `UPDATE site SET rate_person_minute_e4 = 25000`},
		{what: "provision a feature", sql: `INSERT INTO feature (name, provisioned, enabled) VALUES ('pay-per-use', true, true)`},
		{what: "change the payment methods", sql: `UPDATE payment_settings SET debit_cards = true`},
		{what: "allocate a budget", sql: `INSERT INTO department_ledger (department_id, period, kind, amount_minor, currency, at) VALUES ($1, 'FY2026', 'allocation', 5000, 'PLN', now())`, args: []any{s.dep2}},
		{what: "read the audit log", sql: `SELECT * FROM audit_log`},
	})
}

// An administrator's login has no CREATEROLE, yet invites people: the
// schema owner's SECURITY DEFINER function creates the login. The invited
// person signs in with the password given, and not with another; Me says
// who they are from the session; disabling them stops the sign-in.
func TestPeopleAdministratorInvitesThroughTheOwnersFunctionAndThePersonSignsIn(t *testing.T) {
	ctx := context.Background()
	s := newPeopleSite(t)
	var createrole bool
	if err := s.db.Pool().QueryRow(ctx, `SELECT rolcreaterole FROM pg_roles WHERE rolname = $1`, s.admin).Scan(&createrole); err != nil || createrole {
		t.Fatalf("the administrator's login has CREATEROLE %v (%v), want false", createrole, err)
	}
	adminDB, err := postgres.Open(ctx, s.as(t, s.admin, s.password))
	if err != nil {
		t.Fatalf("Open as the administrator: %v", err)
	}
	defer adminDB.Close()
	me, err := adminDB.Me(ctx)
	if err != nil || me.Login != s.admin || !me.Has(app.RoleAdministrator) || me.Has(app.RoleCoordinator) {
		t.Fatalf("Me as the administrator = %+v, %v", me, err)
	}
	newLogin := "n_" + s.admin
	t.Cleanup(func() { dropLogin(t, s.url, newLogin) })
	if _, err := adminDB.AddPerson(ctx, app.Person{
		Login: newLogin, Name: "Nina New", Roles: []app.Role{app.RoleBudgetOwner},
		Departments: []int64{s.dep2},
	}, "a password given once"); err != nil {
		t.Fatalf("AddPerson as the administrator: %v", err)
	}
	if _, err := postgres.Open(ctx, s.as(t, newLogin, "not the password")); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Errorf("sign in with a wrong password: %v, want refused", err)
	}
	nina, err := postgres.Open(ctx, s.as(t, newLogin, "a password given once"))
	if err != nil {
		t.Fatalf("the invited person signs in: %v", err)
	}
	me, err = nina.Me(ctx)
	if err != nil || me.Login != newLogin || me.Name != "Nina New" || !me.Owns(s.dep2) || me.Owns(s.dep1) || me.Has(app.RoleAdministrator) {
		t.Errorf("Me as the invited person = %+v, %v", me, err)
	}
	nina.Close()

	var who string
	if err := s.db.Pool().QueryRow(ctx, `SELECT login FROM audit_log WHERE action = 'person.added' AND target = $1`, newLogin).Scan(&who); err != nil || who != s.admin {
		t.Errorf("the invitation's audit entry names %q (%v), want %q", who, err, s.admin)
	}
	if err := adminDB.SetPersonRoles(ctx, newLogin, []app.Role{app.RoleCoordinator}, nil); err != nil {
		t.Fatalf("SetPersonRoles: %v", err)
	}
	if err := adminDB.DisablePerson(ctx, newLogin); err != nil {
		t.Fatalf("DisablePerson: %v", err)
	}
	if _, err := postgres.Open(ctx, s.as(t, newLogin, "a password given once")); err == nil {
		t.Errorf("a disabled person still signs in")
	}
	people, err := adminDB.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, p := range people {
		if p.Login == newLogin {
			found = true
			if !p.Disabled || !p.Has(app.RoleCoordinator) || p.Has(app.RoleBudgetOwner) {
				t.Errorf("People has %+v, want disabled coordinator", p)
			}
		}
	}
	if !found || len(people) != 4 {
		t.Errorf("People = %+v, want the three and the new person", people)
	}
	// A coordinator's Open works (migrations up to date need no rights)
	// but people management is refused by the server.
	coord, err := postgres.Open(ctx, s.as(t, s.coord, s.password))
	if err != nil {
		t.Fatalf("Open as a coordinator: %v", err)
	}
	defer coord.Close()
	_, err = coord.AddPerson(ctx, app.Person{Login: "x_" + s.coord, Name: "X", Roles: []app.Role{app.RoleAdministrator}}, "whatever password")
	if app.AsError(err) == nil || app.AsError(err).Key != "error.people.not_administrator" {
		t.Errorf("AddPerson as a coordinator: %v, want error.people.not_administrator", err)
	}
	if _, err := adminDB.AddPerson(ctx, app.Person{Login: s.coord, Name: "Again", Roles: []app.Role{app.RoleCoordinator}}, "some password here"); app.AsError(err) == nil || app.AsError(err).Key != "error.people.login_taken" {
		t.Errorf("AddPerson of a login the server has: %v, want error.people.login_taken", err)
	}
}

// openAsCoordinator is a new organisation database, migrated by its owner,
// opened with the login of a coordinator the owner invited: what a
// coordinator's desktop has.
func openAsCoordinator(t *testing.T) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	u, _, _ := pgtest.PasswordDB(t)
	owner, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	login := "c_" + strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))
	if len(login) > 60 {
		login = login[:60]
	}
	const password = "a coordinator's password"
	if _, err := owner.AddPerson(ctx, app.Person{Login: login, Name: "Cezary", Roles: []app.Role{app.RoleCoordinator}}, password); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropLogin(t, u, login) })
	s := &peopleSite{url: u}
	db, err := postgres.Open(ctx, s.as(t, login, password))
	if err != nil {
		t.Fatalf("Open as a coordinator: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// A coordinator's grants are enough for a coordinator's work: the sessions
// and registrations contracts (scheduling, seats, holds, registration
// payments and their refunds) pass under a coordinator's login.
func TestPeopleRolesCoordinatorsLoginPassesTheSessionAndRegistrationContracts(t *testing.T) {
	t.Run("Sessions", func(t *testing.T) {
		storetest.RunSessionStore(t, func(t *testing.T) storetest.SessionStores { return openAsCoordinator(t) })
	})
	t.Run("Registrations", func(t *testing.T) {
		storetest.RunRegistrationStore(t, func(t *testing.T) storetest.SessionStores { return openAsCoordinator(t) })
	})
}
