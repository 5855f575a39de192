package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/zalando/go-keyring"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/ui"
)

// Without --db, TRAINPAY_DB names the database; --db wins over it.
func TestDatabaseFromFlagThenEnvironmentThenDefault(t *testing.T) {
	dir := t.TempDir()
	fromEnv, fromFlag := filepath.Join(dir, "env.db"), filepath.Join(dir, "flag.db")
	t.Setenv(envDB, fromEnv)
	if code, out, errOut := runCLI(t, "provision", "--features", "promo-codes"); code != 0 || !strings.Contains(out, fromEnv) {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "provision", "--features", "pay-per-use", "--db", fromFlag); code != 0 ||
		!strings.Contains(out, fromFlag) {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	for path, want := range map[string]app.Feature{fromEnv: app.FeaturePromoCodes, fromFlag: app.FeaturePayPerUse} {
		db, err := storage.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		states, err := db.Features(context.Background())
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range states {
			if st.Provisioned != (st.Feature == want) {
				t.Errorf("%s: %s provisioned %v", filepath.Base(path), st.Feature, st.Provisioned)
			}
		}
	}
	// The GUI reads the variable the same way: given, not from Preferences.
	t.Setenv(envDB, "")
	code, _, errOut := runCLI(t, "provision", "--features", "promo-codes")
	if code != 0 || strings.Contains(errOut, fromEnv) {
		t.Fatalf("an empty TRAINPAY_DB is not the default: exit %d %s", code, errOut)
	}
}

// A URL's password never reaches a message: parsed, unparsable, or given
// as a parameter.
func TestDatabaseURLPasswordIsRedacted(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://anna:s3cret@db.example.org:5432/trainpay?sslmode=require": "postgres://anna:xxxxx@db.example.org:5432/trainpay?sslmode=require",
		"postgresql://anna:s3cret@db.example.org:bad/trainpay":                "postgresql://anna:xxxxx@db.example.org:bad/trainpay",
		"postgres://db.example.org/trainpay?user=anna&password=s3cret":        "postgres://db.example.org/trainpay?password=xxxxx&user=anna",
		"postgres://anna:s3c:r@t%@db.example.org/x":                           "postgres://anna:xxxxx@db.example.org/x",
		"/home/anna/TrainPay/trainpay.db":                                     "/home/anna/TrainPay/trainpay.db",
	} {
		if got := redactDB(in); got != want || strings.Contains(got, "s3c") {
			t.Errorf("redactDB(%q) = %q, want %q", in, got, want)
		}
	}
}

// The command line never prints a URL's password, whatever goes wrong.
func TestCommandsNeverPrintTheDatabasePassword(t *testing.T) {
	for _, args := range [][]string{
		{"provision", "--features", "promo-codes", "--db", "postgres://anna:s3cretpw@127.0.0.1:1/trainpay?connect_timeout=1"},
		{"provision", "--features", "promo-codes", "--db", "postgres://anna:s3cretpw@127.0.0.1:x/trainpay"},
		{"estimate", "--duration", "90m", "--computers", "3", "--db", "postgresql://anna:s3cretpw@127.0.0.1:1/trainpay?connect_timeout=1"},
		{"demo-data", "--sessions", "1", "--db", "postgres://anna:s3cretpw@127.0.0.1:1/trainpay"},
	} {
		code, out, errOut := runCLI(t, args...)
		if code == 0 || strings.Contains(out+errOut, "s3cretpw") || errOut == "" {
			t.Errorf("%v: exit %d, printed %q %q", args, code, out, errOut)
		}
	}
}

// fakeStore is a file's store whose Site and CreatePayment answer as an
// unreachable organisation database while down is set.
type fakeStore struct {
	app.Store
	down     bool
	payments int
}

func unreachableErr() error {
	return &app.Error{Code: app.EUNAVAILABLE, Key: "error.orgdb.unreachable", Message: "cannot reach", Err: errors.New("dial")}
}

func (f *fakeStore) Site(ctx context.Context) (app.Site, error) {
	if f.down {
		return app.Site{}, unreachableErr()
	}
	return f.Store.Site(ctx)
}

func (f *fakeStore) CreatePayment(ctx context.Context, p *app.Payment) error {
	if f.down {
		return unreachableErr()
	}
	f.payments++
	return f.Store.CreatePayment(ctx, p)
}

// While the organisation database is away, the site's rates come from the
// last read (kept in the cache folder) and payments are refused with their
// own message before anything is written; when it answers again, both are
// the database's.
func TestOfflineEstimatesUseTheLastRatesAndPaymentsAreRefused(t *testing.T) {
	ctx := context.Background()
	file, err := storage.Open(filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	site := app.NewSiteService(file)
	if err := site.Setup(ctx, app.Site{
		Name: "Kraków", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw",
		Language: "pl",
	}, "a long enough passphrase"); err != nil {
		t.Fatal(err)
	}
	admin, err := site.Unlock(ctx, "a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if err := site.SetRates(ctx, admin, 1234, 560); err != nil {
		t.Fatal(err)
	}
	fake := &fakeStore{Store: file}
	reachable := true
	h := newHealthWatcher(func(context.Context) error {
		if !reachable {
			return errors.New("no route to host")
		}
		return nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	cache := filepath.Join(t.TempDir(), "cache", "rates.json")
	st := &offlineStore{Store: fake, health: h, rates: ratesCache{path: cache}, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

	// Down before any read: nothing to fall back on.
	fake.down = true
	if _, err := st.Site(ctx); app.AsError(err).Key != "error.orgdb.unreachable" {
		t.Fatalf("nothing cached: %v", err)
	}
	fake.down = false
	if _, err := st.Site(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cache); err != nil {
		t.Fatalf("the rates were not kept: %v", err)
	}

	fake.down, reachable = true, false
	h.check(ctx)
	got, err := st.Site(ctx)
	if err != nil || got.RatePersonMinuteE4 != 1234 || got.RateTeleconferenceMinuteE4 != 560 || got.Currency != "PLN" {
		t.Fatalf("offline site %+v, %v", got, err)
	}
	e, err := app.Estimate(app.Usage{DurationMinutes: 90, Computers: 10, Teleconference: 4}, app.RatesOf(got))
	if err != nil || e.Total.Number() == "0" {
		t.Fatalf("offline estimate %+v, %v", e, err)
	}
	err = st.CreatePayment(ctx, &app.Payment{})
	if e := app.AsError(err); e.Key != "error.orgdb.offline_payment" || e.Code != app.EUNAVAILABLE || fake.payments != 0 {
		t.Fatalf("payment while away: %v (%d written)", err, fake.payments)
	}

	// The watcher has not noticed yet, the store has: refused all the same,
	// and the watcher is asked to look now.
	reachable = true
	h.check(ctx)
	err = st.CreatePayment(ctx, &app.Payment{})
	if app.AsError(err).Key != "error.orgdb.offline_payment" {
		t.Fatalf("payment the store could not write: %v", err)
	}
	select {
	case <-h.kick:
	default:
		t.Error("the watcher was not asked to look again")
	}
	fake.down = false
	if s, err := st.Site(ctx); err != nil || s.Name != "Kraków" {
		t.Fatalf("back: %+v %v", s, err)
	}
}

// The keychain's password is added to a URL that has none, and never
// replaces one the URL gives; Remember false forgets it.
func TestRememberedPasswordFillsOnlyAURLWithout(t *testing.T) {
	keyring.MockInit()
	o := &orgConnector{logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c := ui.OrgConnection{
		Host: "db.example.org", Port: 5432, Database: "trainpay", User: "anna", Password: "kept-pw",
		TLS: ui.TLSVerifyFull, Remember: true,
	}
	if err := o.Remember(c); err != nil {
		t.Fatal(err)
	}
	if got := withRememberedPassword(c.URL(false)); got != c.URL(true) {
		t.Fatalf("filled %q", redactDB(got))
	}
	own := "postgres://anna:own-pw@db.example.org:5432/trainpay?sslmode=verify-full"
	if got := withRememberedPassword(own); got != own {
		t.Fatalf("the URL's own password was replaced: %q", redactDB(got))
	}
	c.Remember = false
	if err := o.Remember(c); err != nil {
		t.Fatal(err)
	}
	if got := withRememberedPassword(c.URL(false)); got != c.URL(false) {
		t.Fatal("a forgotten password is still filled in")
	}
}

// A lost connection is recognised under whatever a store wrapped it in;
// other failures are not taken for one.
func TestUnreachableRecognisesALostConnectionUnderAnyWrapping(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	for err, want := range map[error]bool{
		unreachableErr(): true,
		app.Internal(fmt.Errorf("read the payment settings: %w", dial), "cannot read payment settings"): true,
		app.Internal(&pgconn.PgError{Code: "57P01"}, "x"):                                               true,
		app.Internal(&pgconn.PgError{Code: "08006"}, "x"):                                               true,
		app.Internal(io.ErrUnexpectedEOF, "x"):                                                          true,
		app.Internal(&pgconn.PgError{Code: "23505"}, "x"):                                               false,
		app.Errorf(app.EINVALID, "error.site.name", "name"):                                             false,
		nil: false,
	} {
		if got := unreachable(err); got != want {
			t.Errorf("unreachable(%v) = %v, want %v", err, got, want)
		}
	}
}

// The payment settings, read before a payment's row is written, refuse
// the payment with its own message while the database is away.
func TestPaymentSettingsWhileAwayRefuseThePayment(t *testing.T) {
	file, err := storage.Open(filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	h := newHealthWatcher(func(context.Context) error { return nil }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	st := &offlineStore{Store: settingsGone{file}, health: h, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	_, err = st.PaymentSettings(context.Background())
	if app.AsError(err).Key != "error.orgdb.offline_payment" {
		t.Fatalf("%v", err)
	}
	select {
	case <-h.kick:
	default:
		t.Error("the watcher was not asked to look again")
	}
}

// settingsGone fails the payment settings as a PostgreSQL store reports a
// refused connection: an internal error around pgconn's.
type settingsGone struct{ app.Store }

func (settingsGone) PaymentSettings(context.Context) (app.PaymentSettings, error) {
	return app.PaymentSettings{}, app.Internal(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")},
		"cannot read payment settings")
}
