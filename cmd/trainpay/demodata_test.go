package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/internal/testsite"
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
	if err := db.CreateDepartment(context.Background(), &app.Department{
		Name: "Finance", CostCentre: "CC-1",
		OwnerName: "Anna Nowak", OwnerEmail: "anna@example.com",
	}, nil); err != nil {
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

// A database whose site is set up, in any mode, or that the account
// manager has prepared, is a real site's even before it has sessions:
// demo data goes there only with --force, and a refusal changes nothing.
func TestDemoDataRefusesAnyConfiguredSite(t *testing.T) {
	ctx := context.Background()
	setUp := func(t *testing.T, path string, mode app.Mode) {
		db, err := storage.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		testsite.SetUp(t, testsite.Service(db), testsite.US())
		if mode == app.ModeProduction {
			site, err := db.Site(ctx)
			if err != nil {
				t.Fatal(err)
			}
			site.Mode = mode
			if err := db.SaveSite(ctx, site, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, path string)
	}{
		{"set up in Test mode", func(t *testing.T, path string) { setUp(t, path, app.ModeTest) }},
		{"in Production mode without sessions", func(t *testing.T, path string) { setUp(t, path, app.ModeProduction) }},
		{"features provisioned before the first run", func(t *testing.T, path string) {
			if code, _, errOut := runCLI(t, "provision", "--features", "paid-sessions", "--db", path); code != 0 {
				t.Fatal(errOut)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "site.db")
			tc.prepare(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			code, _, errOut := runCLI(t, "demo-data", "--db", path, "--sessions", "10", "--registrations", "10",
				"--codes", "2", "--departments", "1")
			if code != 1 || !strings.Contains(errOut, "already set up") || !strings.Contains(errOut, "--force") {
				t.Fatalf("exit %d, %s", code, errOut)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Fatal("the refused run changed the file")
			}
			code, out, errOut := runCLI(t, "demo-data", "--db", path, "--sessions", "10", "--registrations", "10",
				"--codes", "2", "--departments", "1", "--force")
			if code != 0 || !strings.Contains(out, "10 registrations") {
				t.Fatalf("--force: exit %d\n%s\n%s", code, out, errOut)
			}
		})
	}
}

// Sizes have bounds, shown in the help: a size above its bound, a negative
// one, or no sessions at all is refused before anything is written.
func TestDemoDataRefusesSizesOutOfBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"registrations above the bound", []string{"--registrations", "9999999999"}, "--registrations is at most 10,000,000"},
		{"sessions above the bound", []string{"--sessions", "1000001"}, "--sessions is at most 1,000,000"},
		{"codes above the bound", []string{"--sessions", "10", "--registrations", "0", "--codes", "1000001"}, "--codes is at most 1,000,000"},
		{"departments above the bound", []string{"--sessions", "1", "--registrations", "0", "--codes", "0", "--departments", "10001"}, "--departments is at most 10,000"},
		{"no sessions", []string{"--sessions", "0", "--registrations", "0", "--codes", "0", "--departments", "0"}, "--sessions must be at least 1"},
		{"negative codes", []string{"--sessions", "1", "--registrations", "0", "--codes", "-1", "--departments", "0"}, "--codes cannot be negative"},
		{"negative registrations", []string{"--sessions", "1", "--registrations", "-5", "--codes", "0", "--departments", "0"}, "--registrations cannot be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "demo.db")
			code, _, errOut := runCLI(t, append([]string{"demo-data", "--db", path}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "registrations 0 to 10,000,000") {
				t.Fatalf("exit %d, %q", code, errOut)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("the refused run created the database (%v)", err)
			}
		})
	}
	code, out, _ := runCLI(t, "demo-data", "--help")
	for _, want := range []string{
		"sessions 1 to 1,000,000", "registrations 0 to 10,000,000", "codes 0 to 1,000,000",
		"departments 0 to 10,000",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("help: exit %d, lacks %q\n%s", code, want, out)
		}
	}
}

// Ctrl-C stops the command with nothing written: no file where there was
// none, and exit code 130.
func TestDemoDataInterruptedLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "demo-data", "--db", filepath.Join(dir, "demo.db"), "--sessions", "5000",
		"--registrations", "500000", "--codes", "100", "--departments", "3")
	cmd.Env = append(append(os.Environ(), "TRAINPAY_TEST_MAIN=1"), configHomeEnv(t.TempDir())...)
	interruptible(cmd)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the sessions are written, with the rest to come.
	r := bufio.NewReader(stdout)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("the command ended before writing the sessions: %v\n%s", err, errOut.String())
		}
		if strings.HasPrefix(line, "sessions") || strings.Contains(line, "\rsessions") {
			break
		}
	}
	if err := interrupt(cmd.Process); err != nil {
		cmd.Process.Kill() // not left writing after the test
		cmd.Wait()
		t.Fatalf("interrupt: %v", err)
	}
	go io.Copy(io.Discard, r)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("wait: %v, stderr %q", err, errOut.String())
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}
