//go:build unix

package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
)

func signInURL(t *testing.T, u, login, password string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.User = url.UserPassword(login, password)
	return p.String()
}

// runPeopleCmd runs `trainpay people …` with stdin as standard input.
func runPeopleCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	old := peopleStdin
	peopleStdin = strings.NewReader(stdin)
	defer func() { peopleStdin = old }()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func dropLoginsAfter(t *testing.T, ownerURL string, logins ...string) {
	t.Cleanup(func() {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, ownerURL)
		if err != nil {
			t.Errorf("connect to drop logins: %v", err)
			return
		}
		defer c.Close(ctx)
		for _, l := range logins {
			if _, err := c.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{l}.Sanitize()); err != nil {
				t.Errorf("drop %s: %v", l, err)
			}
		}
	})
}

// The IT administrator (the database's owner) invites the first site
// administrator; that administrator, whose login has no CREATEROLE,
// invites a budget owner of a department by its cost centre, changes
// their roles and disables them; each invited login signs in with the
// password given on standard input; a coordinator is refused by the
// server; a database file has no people to manage.
func TestPeopleCommandsInviteChangeAndDisableOnTheOrganisationDatabase(t *testing.T) {
	ctx := context.Background()
	owner, _, _ := pgtest.PasswordDB(t)
	db, err := postgres.Open(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	dep := &app.Department{Name: "Sales", CostCentre: "CC-7", OwnerName: "O", OwnerEmail: "o@example.org"}
	if err := db.CreateDepartment(ctx, dep, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	suffix := strings.ToLower(filepath.Base(t.TempDir()))
	suffix = suffix[max(0, len(suffix)-12):]
	ada, ben, cez := "ada_"+suffix, "ben_"+suffix, "cez_"+suffix
	dropLoginsAfter(t, owner, ada, ben, cez)

	code, out, errOut := runPeopleCmd(t, "ada's first password\n", "people", "add", "--db", owner,
		"--login", ada, "--name", "Ada Admin", "--roles", "administrator")
	if code != 0 || !strings.Contains(out, ada) {
		t.Fatalf("people add as the owner: %d %q %q", code, out, errOut)
	}
	adaURL := signInURL(t, owner, ada, "ada's first password")
	code, out, errOut = runPeopleCmd(t, "ben's password here\n", "people", "add", "--db", adaURL,
		"--login", ben, "--name", "Ben Budget", "--email", "ben@example.org", "--roles", "budget-owner", "--owns", "cc-7")
	if code != 0 {
		t.Fatalf("people add as the administrator: %d %q %q", code, out, errOut)
	}
	if code, _, errOut = runPeopleCmd(t, "cez's password here\n", "people", "add", "--db", adaURL,
		"--login", cez, "--name", "Cez", "--roles", "coordinator"); code != 0 {
		t.Fatalf("people add a coordinator: %d %q", code, errOut)
	}
	benDB, err := postgres.Open(ctx, signInURL(t, owner, ben, "ben's password here"))
	if err != nil {
		t.Fatalf("the invited budget owner signs in: %v", err)
	}
	me, err := benDB.Me(ctx)
	benDB.Close()
	if err != nil || !me.Owns(dep.ID) || me.Email != "ben@example.org" {
		t.Errorf("Me as the budget owner = %+v, %v", me, err)
	}

	code, out, errOut = runPeopleCmd(t, "", "people", "list", "--db", adaURL)
	if code != 0 || !strings.Contains(out, "Ben Budget") || !strings.Contains(out, "CC-7") || !strings.Contains(out, "budget-owner") {
		t.Errorf("people list: %d %q %q", code, out, errOut)
	}
	if code, _, errOut = runPeopleCmd(t, "", "people", "roles", "--db", adaURL, "--login", ben, "--roles", "coordinator,budget-owner",
		"--owns", "CC-7"); code != 0 {
		t.Errorf("people roles: %d %q", code, errOut)
	}
	if code, _, errOut = runPeopleCmd(t, "", "people", "roles", "--db", adaURL, "--login", ben, "--roles", "budget-owner"); code != 2 ||
		!strings.Contains(errOut, "department") {
		t.Errorf("people roles of a budget owner with no department: %d %q, want refused (2)", code, errOut)
	}

	cezURL := signInURL(t, owner, cez, "cez's password here")
	code, _, errOut = runPeopleCmd(t, "x-password-long\n", "people", "add", "--db", cezURL,
		"--login", "x_"+suffix, "--name", "X", "--roles", "administrator")
	if code != 1 || !strings.Contains(errOut, "not a site administrator") {
		t.Errorf("people add as a coordinator: %d %q, want refused", code, errOut)
	}
	code, _, errOut = runPeopleCmd(t, "", "people", "disable", "--db", cezURL, "--login", ben)
	if code != 1 {
		t.Errorf("people disable as a coordinator: %d %q, want refused", code, errOut)
	}

	if code, _, errOut = runPeopleCmd(t, "", "people", "disable", "--db", adaURL, "--login", ben); code != 0 {
		t.Fatalf("people disable: %d %q", code, errOut)
	}
	if _, err := postgres.Open(ctx, signInURL(t, owner, ben, "ben's password here")); err == nil {
		t.Errorf("a disabled person still signs in")
	}
	code, out, _ = runPeopleCmd(t, "", "people", "list", "--db", adaURL)
	if code != 0 || !strings.Contains(out, "no (disabled)") {
		t.Errorf("people list after disable: %d %q", code, out)
	}

	file := filepath.Join(t.TempDir(), "site.db")
	if code, _, errOut = runPeopleCmd(t, "", "people", "list", "--db", file); code != 2 || !strings.Contains(errOut, "organisation database") {
		t.Errorf("people list on a file: %d %q", code, errOut)
	}
}

// Merchant credentials saved by the administrator on an organisation
// database's desktop go to that desktop's vault: a dump of every table of
// the database holds none of them, nor does any function's source.
func TestMerchantCredentialsAreNotInTheOrganisationDatabasesDump(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(t.TempDir(), "config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(t.TempDir(), "cache"))
	// The desktop's vault: the encrypted file here, or the keychain where
	// one answers (other tests of this binary install go-keyring's mock,
	// which is process-wide); either way not the database.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	ctx := context.Background()
	owner, _, _ := pgtest.PasswordDB(t)
	opened, err := openDatabase(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer opened.close()
	svc := newServices(opened, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer svc.registry.Close()
	defer svc.stopChanges()
	const passphrase = "the site's long passphrase"
	site := app.Site{Name: "Kraków", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw", Language: "pl"}
	if err := svc.deps.Site.Setup(ctx, site, passphrase); err != nil {
		t.Fatal(err)
	}
	a, err := svc.deps.Site.Unlock(ctx, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Pwd-9f3c1e77-merchant"
	if err := svc.deps.Merchant.SaveCredentials(ctx, a, app.ProcessorPayflow,
		app.PayflowCredentials{Partner: "PayPal", Vendor: "vendor9f3c", Password: secret}); err != nil {
		t.Fatalf("SaveCredentials: %v", err)
	}
	if ok, err := svc.deps.Merchant.HasCredentials(app.ProcessorPayflow); err != nil || !ok {
		t.Fatalf("HasCredentials after saving = %v, %v", ok, err)
	}

	conn := pgtest.Conn(t, owner)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 20 {
		t.Fatalf("tables %v, %v", tables, err)
	}
	var dump strings.Builder
	for _, table := range tables {
		rows, err := conn.Query(ctx, `SELECT t::text FROM `+pgx.Identifier{table}.Sanitize()+` t`)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		dump.WriteString(strings.Join(texts, "\n"))
	}
	var sources string
	if err := conn.QueryRow(ctx, `SELECT coalesce(string_agg(prosrc, E'\n'), '') FROM pg_proc p
		JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()`).Scan(&sources); err != nil {
		t.Fatal(err)
	}
	dump.WriteString(sources)
	if !strings.Contains(dump.String(), "Kraków") {
		t.Fatalf("the dump does not even hold the site: %.200q", dump.String())
	}
	for _, s := range []string{secret, "vendor9f3c"} {
		if strings.Contains(dump.String(), s) {
			t.Errorf("the organisation database's dump holds %q", s)
		}
	}
}

// Every login on one organisation database shares the desktop's merchant
// vault (the administrator enrols the desktop once); another database, or
// the same name on another server, has its own.
func TestMerchantVaultIsTheDesktopsAndTheDatabasesNotTheLogins(t *testing.T) {
	root := t.TempDir()
	ada := orgAddress{Host: "db.example.org", Port: 5432, Database: "trainpay", User: "ada"}
	cez := ada
	cez.User = "cez"
	s1, p1 := merchantVault(ada, root)
	s2, p2 := merchantVault(cez, root)
	if s1 != s2 || p1 != p2 {
		t.Errorf("two logins on one database: %s %s and %s %s, want one vault", s1, p1, s2, p2)
	}
	other := ada
	other.Database = "trainpay2"
	elsewhere := ada
	elsewhere.Host = "db2.example.org"
	for _, a := range []orgAddress{other, elsewhere} {
		if s, p := merchantVault(a, root); s == s1 || p == p1 {
			t.Errorf("%s shares %s's vault", a, ada)
		}
	}
}
