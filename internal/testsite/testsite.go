// Package testsite is the tests' TrainPay site on a real SQLite file: a
// temporary database (closed at the end of the test and scanned for card
// data at rest), passphrase hashing cheap enough for -race, a site set up
// as the wizard would, and features provisioned and enabled as the
// licence and the administrator would.
package testsite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/storage"
)

// Passphrase is the administrator's passphrase of every test site.
const Passphrase = "correct horse battery"

// CheapArgon2 keeps passphrase hashing fast under -race; production uses
// app.DefaultArgon2.
var CheapArgon2 = app.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

// Open opens a new SQLite database, trainpay.db in a folder of its own,
// closed when the test ends; pcitest scans the file for card data at rest.
// It returns the database and the file's path.
func Open(t testing.TB) (*storage.DB, string) {
	t.Helper()
	return OpenIn(t, t.TempDir())
}

// OpenIn is Open in the folder dir (a test that keeps other files beside
// the database, such as the credentials file).
func OpenIn(t testing.TB, dir string) (*storage.DB, string) {
	t.Helper()
	path := filepath.Join(dir, "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pcitest.Keep(t, path)
	return db, path
}

// Service is the site service over store with CheapArgon2.
func Service(store app.SiteStore) *app.SiteService {
	s := app.NewSiteService(store)
	s.Argon2 = CheapArgon2
	return s
}

// Site is the site a test sets up: Acme Training, in English, in the given
// country, currency and time zone.
func Site(country, currency, timeZone string) app.Site {
	return app.Site{Name: "Acme Training", Country: country, Currency: currency, TimeZone: timeZone, Language: "en"}
}

// US is Site in the United States, in dollars, in New York.
func US() app.Site { return Site("US", "USD", "America/New_York") }

// SetUp sets the site up with Passphrase, as the wizard would.
func SetUp(t testing.TB, s *app.SiteService, site app.Site) {
	t.Helper()
	if err := s.Setup(context.Background(), site, Passphrase); err != nil {
		t.Fatal(err)
	}
}

// Unlock is the administrator's handle, unlocked with Passphrase.
func Unlock(t testing.TB, s *app.SiteService) *app.Admin {
	t.Helper()
	a, err := s.Unlock(context.Background(), Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Provision grants the features, as a licence would; they stay off until
// the administrator enables them.
func Provision(t testing.TB, s *app.SiteService, features ...app.Feature) {
	t.Helper()
	if _, err := s.Provision(context.Background(), features, false); err != nil {
		t.Fatal(err)
	}
}

// Enable provisions the features and has the administrator turn them on.
func Enable(t testing.TB, s *app.SiteService, admin *app.Admin, features ...app.Feature) {
	t.Helper()
	Provision(t, s, features...)
	for _, f := range features {
		if err := s.SetFeatureEnabled(context.Background(), admin, f, true); err != nil {
			t.Fatal(err)
		}
	}
}
