package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
)

// estimateSite makes a set-up site with pay-per-use rates 0.12 and 0.08.
func estimateSite(t *testing.T, cur string, personE4, teleE4 int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "site.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := testsite.Service(db)
	testsite.SetUp(t, svc, testsite.Site("US", cur, "America/New_York"))
	admin := testsite.Unlock(t, svc)
	testsite.Enable(t, svc, admin, app.FeaturePayPerUse)
	if err := svc.SetRates(context.Background(), admin, personE4, teleE4); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEstimatePrintsTheExample(t *testing.T) {
	db := estimateSite(t, "USD", 1200, 800)
	code, out, errOut := runCLI(t, "estimate", "--duration", "90m", "--computers", "25", "--teleconference", "10", "--db", db)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Estimated session cost for Acme Training (USD)",
		"duration:               90 minutes",
		"person-minutes:         2,250 × 0.12 = 270.00",
		"teleconference minutes: 900 × 0.08 = 72.00",
		"total:                  342.00 USD",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	// The same with 1h30m, and as CSV for a spreadsheet, lines ending in
	// CRLF (RFC 4180).
	code, out, _ = runCLI(t, "estimate", "--duration", "1h30m", "--computers", "25", "--teleconference", "10", "--csv", "--db", db)
	wantCSV := "duration_minutes,computers,teleconference,person_minutes,person_rate,person_cost,teleconference_minutes,teleconference_rate,teleconference_cost,total,currency\r\n" +
		"90,25,10,2250,0.12,270.00,900,0.08,72.00,342.00,USD\r\n"
	if code != 0 || out != wantCSV {
		t.Fatalf("csv: exit %d\n%q", code, out)
	}
}

func TestEstimateRefusesBadInput(t *testing.T) {
	db := estimateSite(t, "USD", 1200, 800)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--computers", "25"}, 2, "--duration: required"},
		{[]string{"--duration", "90s", "--computers", "25"}, 2, "not a whole number of minutes"},
		{[]string{"--duration", "soon", "--computers", "25"}, 2, "not a duration"},
		{[]string{"--duration", "0m", "--computers", "25"}, 2, "the duration must be at least one minute"},
		{
			[]string{"--duration", "90m", "--computers", "10", "--teleconference", "11"},
			2,
			"11 computers on the teleconference is more than the 10 computers connected",
		},
		{[]string{"--duration", "90m", "--computers", "10", "--bogus"}, 2, "unknown flag: --bogus"},
	} {
		code, _, errOut := runCLI(t, append(append([]string{"estimate"}, tc.args...), "--db", db)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want %d, %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	code, _, errOut := runCLI(t, "estimate", "--duration", "90m", "--computers", "2", "--db", missing)
	if code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("missing db: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatal("estimate created a database")
	}
}

func TestEstimateInJPYAndWithoutTheFeature(t *testing.T) {
	db := estimateSite(t, "JPY", 12345, 5000)
	code, out, _ := runCLI(t, "estimate", "--duration", "90", "--computers", "25", "--teleconference", "10", "--db", db)
	if code != 0 || !strings.Contains(out, "2,250 × 1.2345 = 2778") || !strings.Contains(out, "total:                  3228 JPY") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "provision", "--features", "pay-per-use", "--revoke", "--db", db); code != 0 {
		t.Fatal("revoke")
	}
	code, out, errOut := runCLI(t, "estimate", "--duration", "90m", "--computers", "25", "--db", db)
	if code != 0 || !strings.Contains(out, "total:") || !strings.Contains(errOut, "contact your account manager") {
		t.Fatalf("without the feature: exit %d, %q, %q", code, out, errOut)
	}
}
