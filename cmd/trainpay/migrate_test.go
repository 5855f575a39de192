package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/internal/pgtest"
)

// migrateDemoSizes are the small demo site the command tests move.
var migrateDemoSizes = demodata.Options{Sessions: 300, Registrations: 3000, Codes: 300, Departments: 5, Seed: 7}

func migrateDemoFile(t *testing.T) string {
	t.Helper()
	cached, err := demodata.Cached(context.Background(), migrateDemoSizes)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "site.db")
	if err := demodata.CopyTo(cached, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func orgCount(t *testing.T, url, table string) int64 {
	t.Helper()
	ctx := context.Background()
	conn := pgtest.Conn(t, url)
	var n int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrateMovesASiteAndPrintsEachTablesCountsAndMoneySums(t *testing.T) {
	path := migrateDemoFile(t)
	url := pgtest.DB(t)
	code, out, errOut := runCLI(t, "migrate", "--from", path, "--to", url)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"registration", "3000", "total_minor", "amount_minor", "every count and money sum matches"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "payment") || !strings.Contains(errOut, "100.0%") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
	if n := orgCount(t, url, "registration"); n != 3000 {
		t.Errorf("%d registrations in the organisation database, want 3000", n)
	}

	// Once the organisation database holds the site, it takes no other.
	code, _, errOut = runCLI(t, "migrate", "--from", path, "--to", url)
	if code != 1 || !strings.Contains(errOut, "already holds data") {
		t.Errorf("a second migrate: exit %d, %q", code, errOut)
	}
}

func TestMigrateRefusesMissingFlagsAndSaysWhyItCannotConnect(t *testing.T) {
	path := migrateDemoFile(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate", "--to", "postgres://localhost/trainpay"}, 2, "--from"},
		{[]string{"migrate", "--from", path}, 2, "--to"},
		{[]string{"migrate", "--from", path, "--to", "/tmp/other.db"}, 2, "postgres://"},
		{[]string{"migrate", "--from", path, "--to", "postgres://trainpay@localhost:99999/trainpay"}, 1, "address is not valid"},
		{[]string{"migrate", "--from", path, "--to", "postgres://trainpay:secret-word@127.0.0.1:1/trainpay?connect_timeout=5"}, 1, "cannot reach the organisation database"},
		{[]string{"migrate", "--from", filepath.Join(t.TempDir(), "missing.db"), "--to", pgtest.DB(t)}, 1, "does not exist"},
	} {
		code, out, errOut := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d (want %d), stderr %q lacks %q", c.args, code, c.code, errOut, c.want)
		}
		if strings.Contains(out+errOut, "secret-word") {
			t.Errorf("%v: the password was printed", c.args)
		}
	}
}

func TestDemoDataFillsAnEmptyOrganisationDatabaseOnly(t *testing.T) {
	url := pgtest.DB(t)
	args := []string{
		"demo-data", "--db", url, "--sessions", "300", "--registrations", "3000", "--codes", "300",
		"--departments", "5", "--seed", "7",
	}
	code, out, errOut := runCLI(t, args...)
	if code != 0 || !strings.Contains(out, "3000 registrations") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if n := orgCount(t, url, "session"); n != 300 {
		t.Errorf("%d sessions, want 300", n)
	}
	if n := orgCount(t, url, "demo_data"); n != 1 {
		t.Errorf("%d demo markers, want 1", n)
	}
	code, _, errOut = runCLI(t, args...)
	if code != 1 || !strings.Contains(errOut, "already holds data") {
		t.Errorf("second run: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, append(args, "--force")...)
	if code != 2 || !strings.Contains(errOut, "--force") {
		t.Errorf("--force: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "demo-data", "--db", pgtest.DB(t), "--sessions", "0")
	if code != 2 || !strings.Contains(errOut, "--sessions must be at least 1") {
		t.Errorf("out of bounds: exit %d, %q", code, errOut)
	}
}

// Ctrl-C while the rows are being copied: exit 130, nothing copied, the
// file as it was.
func TestMigrateInterruptedCopiesNothing(t *testing.T) {
	// Large enough that the registrations take seconds to copy.
	cached, err := demodata.Cached(context.Background(),
		demodata.Options{Sessions: 20_000, Registrations: 100_000, Codes: 2_000, Departments: 50, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "site.db")
	if err := demodata.CopyTo(cached, path); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	url := pgtest.DB(t)
	cmd := exec.Command(os.Args[0], "migrate", "--from", path, "--to", url)
	cmd.Env = append(append(os.Environ(), "TRAINPAY_TEST_MAIN=1"), configHomeEnv(t.TempDir())...)
	interruptible(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the registrations are being copied: the sessions
	// and payments before them are in the transaction.
	var mu sync.Mutex
	var errOut bytes.Buffer
	seen := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		once := sync.OnceFunc(func() { close(seen) })
		for {
			n, err := stderr.Read(buf)
			mu.Lock()
			errOut.Write(buf[:n])
			if strings.Contains(errOut.String(), "registration ") {
				once()
			}
			mu.Unlock()
			if err != nil {
				once()
				return
			}
		}
	}()
	select {
	case <-seen:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the copy never reached the registrations")
	}
	if err := interrupt(cmd.Process); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("interrupt: %v", err)
	}
	err = cmd.Wait()
	mu.Lock()
	got := errOut.String()
	mu.Unlock()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 || !strings.Contains(got, "interrupted: nothing was copied") {
		t.Fatalf("wait: %v, stderr %q", err, got)
	}
	for _, table := range []string{"session", "payment", "registration", "audit_log"} {
		if n := orgCount(t, url, table); n != 0 {
			t.Errorf("%d rows of %s left after the interrupted copy", n, table)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(before) != sha256.Sum256(after) {
		t.Error("the file changed")
	}
}
