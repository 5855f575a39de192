package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
)

func TestDemoDataCreatesATestSiteAndIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	counts := func(path string) string {
		db, err := storage.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var out string
		if err := db.Read().QueryRow(`SELECT (SELECT count(*) FROM session) || '/' || (SELECT count(*) FROM registration)
			|| '/' || (SELECT count(*) FROM payment) || '/' || (SELECT count(*) FROM promo_redemption)
			|| '/' || (SELECT group_concat(confirmation || email || status || total_minor, ',') FROM (SELECT * FROM registration ORDER BY id LIMIT 50))`).
			Scan(&out); err != nil {
			t.Fatal(err)
		}
		site, err := db.Site(context.Background())
		if err != nil || site.Mode != app.ModeTest {
			t.Fatalf("site %+v, %v: want one in Test mode", site, err)
		}
		if demo, err := demodata.IsDemo(context.Background(), db); err != nil || !demo {
			t.Fatalf("not marked as demo data (%v)", err)
		}
		// A person trying the demo can pay: cards through Payflow and, on
		// this US site, Express Checkout (all against the sandbox).
		if ps, err := db.PaymentSettings(context.Background()); err != nil ||
			ps != (app.PaymentSettings{Processor: app.ProcessorPayflow, CreditCards: true, DebitCards: true, ExpressCheckout: true}) {
			t.Fatalf("payment settings %+v, %v", ps, err)
		}
		return out
	}
	var got []string
	for _, name := range []string{"a.db", "b.db"} {
		path := filepath.Join(dir, name)
		code, out, errOut := runCLI(t, "demo-data", "--db", path, "--sessions", "300", "--registrations", "3000",
			"--codes", "200", "--departments", "7", "--seed", "9")
		if code != 0 || !strings.Contains(out, "3000 registrations") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		got = append(got, counts(path))
	}
	if got[0] != got[1] {
		t.Errorf("the same seed gave different data:\n%.300s\n%.300s", got[0], got[1])
	}
	// Writing again into a demo database needs --force.
	code, _, errOut := runCLI(t, "demo-data", "--db", filepath.Join(dir, "a.db"), "--sessions", "10", "--registrations", "10")
	if code != 1 || !strings.Contains(errOut, "already holds demo data") {
		t.Errorf("second run: exit %d, %s", code, errOut)
	}
}

func TestDemoDataRefusesRealData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "real.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateDepartment(context.Background(), &app.Department{Name: "Finance", CostCentre: "CC-1",
		OwnerName: "Anna Nowak", OwnerEmail: "anna@example.com"}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, _, errOut := runCLI(t, "demo-data", "--db", path, "--sessions", "10", "--registrations", "10")
	if code != 1 || !strings.Contains(errOut, "holds real data") {
		t.Fatalf("exit %d, %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "demo-data", "--db", path, "--sessions", "10", "--registrations", "10",
		"--codes", "5", "--departments", "2", "--force")
	if code != 0 {
		t.Fatalf("--force: exit %d\n%s\n%s", code, out, errOut)
	}
}
