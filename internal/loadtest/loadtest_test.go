package loadtest_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/internal/loadtest"
	"github.com/trainpay/trainpay/internal/pgtest"
)

// Run as a desktop of a load run, the test binary is that desktop.
func TestMain(m *testing.M) {
	if loadtest.IsDesktop() {
		os.Exit(loadtest.Desktop())
	}
	pgtest.Main(m)
}

// loadDuration is how long the desktops buy: 5 s in `go test` (CI runs
// it), a minute under `make load` (-load.duration=60s).
var loadDuration = flag.Duration("load.duration", 5*time.Second, "how long the desktops buy")

func runLoad(t *testing.T, backend, db string) {
	t.Helper()
	var log strings.Builder
	rep, err := loadtest.Run(context.Background(), loadtest.Config{
		Backend: backend, DB: db, Desktops: 8,
		Duration: *loadDuration, ChildArgs: []string{"-test.run=^$"}, Log: &log,
	})
	if err != nil {
		t.Fatalf("load run: %v\n%s", err, log.String())
	}
	var out strings.Builder
	rep.Print(&out)
	t.Log("\n" + out.String())
	if !rep.OK() {
		t.Fatalf("the load run failed:\n%s", out.String())
	}
	// The sessions with few seats filled up: the desktops raced for seats.
	if rep.Refused["error.registration.full"] == 0 {
		t.Errorf("no purchase was refused for a full session: the run raced for nothing")
	}
	if rep.Charges != rep.Journal || rep.Journal != rep.Paid {
		t.Errorf("sandbox %d charges, journal %d, desktops %d paid", rep.Charges, rep.Journal, rep.Paid)
	}
}

func TestEightDesktopProcessesBuyOnOneSQLiteFileWithoutErrorsDoublesOrLosses(t *testing.T) {
	runLoad(t, loadtest.SQLite, filepath.Join(t.TempDir(), "site.db"))
}

func TestEightDesktopProcessesBuyOnOneOrganisationDatabaseWithoutErrorsDoublesOrLosses(t *testing.T) {
	runLoad(t, loadtest.Postgres, pgtest.DB(t))
}
