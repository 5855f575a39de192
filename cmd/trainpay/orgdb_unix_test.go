//go:build unix

// The organisation database's tests that reach the throwaway cluster by
// TCP with a password, or stop it: pgtest has a cluster of its own on Unix
// only (Windows tests name an existing server, which they cannot stop).

package main

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/ui"
)

// schemaOf is every table of the database at u with its column count, and
// goose's versions: what "nothing changed" is checked against.
func schemaOf(t *testing.T, u string) string {
	t.Helper()
	ctx := context.Background()
	conn := pgtest.Conn(t, u)
	var s string
	if err := conn.QueryRow(ctx, `SELECT coalesce(string_agg(table_name || ':' || n, ',' ORDER BY table_name), '')
		FROM (SELECT table_name, count(*) n FROM information_schema.columns
		      WHERE table_schema = current_schema() GROUP BY table_name) c`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	var goose bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&goose); err != nil {
		t.Fatal(err)
	}
	var versions string
	if goose {
		if err := conn.QueryRow(ctx, `SELECT coalesce(string_agg(version_id::text, ',' ORDER BY id), '') FROM goose_db_version`).
			Scan(&versions); err != nil {
			t.Fatal(err)
		}
	}
	return s + "|" + versions
}

func withPassword(t *testing.T, u, password string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.User = url.UserPassword(p.User.Username(), password)
	return p.String()
}

func withQuery(t *testing.T, u, key, value string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set(key, value)
	p.RawQuery = q.Encode()
	return p.String()
}

// Each bad address or database is refused with its own reason, in English
// and in Polish, with no password in any message, within the connect
// timeout, and with the database as it was.
func TestOrganisationDatabaseRefusalsSayWhyAndChangeNothing(t *testing.T) {
	setConfigHome(t, t.TempDir())
	ctx := context.Background()
	good, role, password := pgtest.PasswordDB(t)
	host := "127.0.0.1"

	// A database holding someone else's tables.
	foreign, _, foreignPW := pgtest.PasswordDB(t)
	execAs(t, foreign, `CREATE TABLE invoices (id int PRIMARY KEY, total numeric)`)
	// A database migrated by a newer TrainPay.
	newer, _, newerPW := pgtest.PasswordDB(t)
	pg, err := postgres.Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	pg.Close()
	execAs(t, newer, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (`+
		strconv.FormatInt(postgres.SchemaVersion()+1, 10)+`, true)`)

	closed := freeTCPPort(t)
	cases := []struct {
		name, url, key, code string
		secret               string // must appear in no message
		before               string // the database whose schema must not change
		en, pl               string
	}{
		{
			name: "malformed URL", url: "postgres://" + role + ":" + password + "@" + host + ":notaport/x",
			key: "error.orgdb.url", code: app.EINVALID, secret: password,
			en: "address is not valid", pl: "Adres bazy danych organizacji jest nieprawidłowy",
		},
		{
			name: "wrong password", url: withPassword(t, good, "not-"+password), key: "error.orgdb.login",
			code: app.EUNAUTHORIZED, secret: "not-" + password, before: good,
			en: "refused the user name " + role + " or its password", pl: "odrzuciła nazwę użytkownika " + role,
		},
		{
			name: "no such database", url: strings.Replace(good, "/trainpay_test_", "/nothing_", 1), key: "error.orgdb.no_database",
			code: app.ENOTFOUND, secret: password, en: "There is no database of that name on 127.0.0.1",
			pl: "Na serwerze 127.0.0.1 nie ma bazy danych",
		},
		{
			name: "unreachable host", url: "postgres://" + role + ":" + password + "@127.0.0.1:" + closed + "/trainpay",
			key: "error.orgdb.unreachable", code: app.EUNAVAILABLE, secret: password,
			en: "cannot reach the organisation database trainpay on 127.0.0.1:" + closed,
			pl: "nie może połączyć się z bazą danych organizacji trainpay",
		},
		{
			name: "not TrainPay's", url: foreign, key: "error.orgdb.not_trainpay", code: app.EINVALID, secret: foreignPW,
			before: foreign, en: "holds tables that are not TrainPay's", pl: "zawiera tabele, które nie należą do TrainPay",
		},
		{
			name: "newer TrainPay", url: newer, key: "error.orgdb.too_new", code: app.ECONFLICT, secret: newerPW,
			before: newer, en: "was set up by a newer TrainPay", pl: "przygotowała nowsza wersja TrainPay",
		},
		{
			name: "TLS required, not offered", url: withQuery(t, good, "sslmode", "require"), key: "error.orgdb.tls_not_offered",
			code: app.EUNAVAILABLE, secret: password, before: good,
			en: "TLS is required, but the server 127.0.0.1 does not offer it", pl: "Wymagane jest TLS, ale serwer 127.0.0.1",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before string
			if c.before != "" {
				before = schemaOf(t, c.before)
			}
			t0 := time.Now()
			db, err := openDatabase(ctx, c.url)
			took := time.Since(t0)
			if err == nil {
				db.close()
				t.Fatal("opened")
			}
			if took > orgConnectTimeout+3*time.Second {
				t.Errorf("refused after %v, want within the %v connect timeout", took, orgConnectTimeout)
			}
			e := app.AsError(err)
			if e.Key != c.key || e.Code != c.code {
				t.Fatalf("%s %s (%v), want %s %s", e.Code, e.Key, err, c.code, c.key)
			}
			ui.SetLanguage("en")
			en := ui.ErrorText(err)
			ui.SetLanguage("pl")
			pl := ui.ErrorText(err)
			ui.SetLanguage("en")
			if !strings.Contains(en, c.en) || !strings.Contains(pl, c.pl) {
				t.Errorf("messages:\n en %q\n pl %q", en, pl)
			}
			for _, msg := range []string{err.Error(), en, pl, redactDB(c.url)} {
				if strings.Contains(msg, c.secret) {
					t.Errorf("the password is shown: %q", msg)
				}
			}
			if c.before != "" {
				if after := schemaOf(t, c.before); after != before {
					t.Errorf("the database changed:\n before %s\n after  %s", before, after)
				}
			}
		})
	}
}

// A host that never answers (a dropped packet, not a refusal) is given up
// after the connect timeout, not after the system's TCP time-out.
func TestUnansweringHostIsGivenUpAfterTheConnectTimeout(t *testing.T) {
	setConfigHome(t, t.TempDir())
	// A listener that accepts and never speaks: PostgreSQL's start-up
	// reply never comes.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	t0 := time.Now()
	_, err = openDatabase(context.Background(), "postgres://anna:secret@"+l.Addr().String()+"/trainpay?sslmode=disable")
	took := time.Since(t0)
	if app.AsError(err).Key != "error.orgdb.unreachable" {
		t.Fatalf("%v", err)
	}
	if took < orgConnectTimeout-time.Second || took > orgConnectTimeout+3*time.Second {
		t.Fatalf("gave up after %v, want about %v", took, orgConnectTimeout)
	}
}

// A good organisation database is opened (migrated) and named without its
// password.
func TestGoodOrganisationDatabaseIsMigratedThenNamedWithoutItsPassword(t *testing.T) {
	setConfigHome(t, t.TempDir())
	good, role, password := pgtest.PasswordDB(t)
	db, err := openDatabase(context.Background(), good)
	if err != nil {
		t.Fatalf("%v", err)
	}
	defer db.close()
	if strings.Contains(db.display, password) || !strings.Contains(db.display, role) {
		t.Fatalf("named %q", db.display)
	}
	if s := schemaOf(t, good); !strings.Contains(s, postgres.MetaTable) {
		t.Fatalf("not migrated: %s", s)
	}
}

func freeTCPPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	return port
}

func execAs(t *testing.T, u, sql string) {
	t.Helper()
	ctx := context.Background()
	conn := pgtest.Conn(t, u)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}
