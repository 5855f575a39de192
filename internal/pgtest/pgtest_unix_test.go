//go:build unix

package pgtest_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/internal/pgtest"
)

// The harness starts a cluster of its own (initdb, pg_ctl and a shell
// watchdog) on Unix only; on Windows the tests name a server with
// TRAINPAY_TEST_POSTGRES, so there is no cluster of the test binary's to
// outlive it.

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
