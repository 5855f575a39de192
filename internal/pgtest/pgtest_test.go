package pgtest_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Each test gets its own empty database, usable at once, and gone after.
func TestEachTestGetsItsOwnDatabaseDroppedAfterwards(t *testing.T) {
	ctx := context.Background()
	var first string
	t.Run("first", func(t *testing.T) {
		first = pgtest.DB(t)
		conn, err := pgx.Connect(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `CREATE TABLE mine (n int)`); err != nil {
			t.Fatal(err)
		}
		if cost := pgtest.StartupCost(); cost > 0 {
			t.Logf("cluster start-up (initdb + pg_ctl start): %v", cost.Round(time.Millisecond))
		}
	})
	second := pgtest.DB(t)
	if second == first {
		t.Fatalf("two tests got the same database %s", first)
	}
	conn, err := pgx.Connect(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var tables int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("a new database holds %d tables, want none", tables)
	}
	var left bool
	name := strings.TrimPrefix(mustPath(t, first), "/")
	if err := conn.QueryRow(ctx, `SELECT count(*) > 0 FROM pg_database WHERE datname = $1`, name).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left {
		t.Errorf("database %s outlived its test", name)
	}
}

func mustPath(t *testing.T, u string) string {
	t.Helper()
	c, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	return c.Database
}

const childEnv = "TRAINPAY_PGTEST_CHILD"

// A test binary that panics with its cluster running does not leave the
// cluster behind: the watchdog stops it and removes its folder.
func TestClusterDiesWithATestBinaryThatPanics(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		u := pgtest.DB(t)
		c, err := pgx.ParseConfig(u)
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("SOCKETDIR " + c.Host + "\n")
		panic("a test binary dying with its cluster running")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterDiesWithATestBinaryThatPanics$")
	// The child starts a cluster of its own even when the tests use a
	// server named by the environment.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, pgtest.EnvURL+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, childEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dir string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "SOCKETDIR "); ok {
			dir = d
		}
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the child test binary did not fail")
	}
	if dir == "" || !strings.HasPrefix(dir, "/tmp/trainpay-pg-") {
		t.Fatalf("the child reported no cluster folder (%q)", dir)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := os.Stat(dir)
		if os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still exists 30 s after its test binary died", dir)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if pids, _ := filepath.Glob("/proc/[0-9]*/cmdline"); len(pids) > 0 {
		for _, p := range pids {
			b, err := os.ReadFile(p)
			if err == nil && strings.Contains(string(b), filepath.Join(dir, "data")) {
				t.Errorf("a process of the dead cluster is still running: %s", strings.ReplaceAll(string(b), "\x00", " "))
			}
		}
	}
}
