package storage_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

const (
	crashChildEnv = "TRAINPAY_CRASH_CHILD" // the database path, in the child
	crashRoundEnv = "TRAINPAY_CRASH_ROUND"
	crashAction   = "test.durability"
)

// TestDurabilityKill9 kills a writer with SIGKILL in the middle of its
// commits, several times, and checks that every commit the writer saw
// return is in the database, with its state change, and that the file is
// intact. The writer is this test binary run again as a child process.
//
// SIGKILL tests the application dying, not the machine: the OS still
// writes what the process handed it. synchronous=FULL is what covers a
// power cut; this test covers the rest (WAL recovery, no torn
// transactions, the audit row and its change committing together).
func TestDurabilityKill9(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path, os.Getenv(crashRoundEnv))
		return
	}
	path := filepath.Join(t.TempDir(), "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	const rounds = 5
	for round := range rounds {
		reported := runCrashChild(t, path, strconv.Itoa(round))
		t.Logf("round %d: the child reported %d commits before SIGKILL", round, reported)

		db, err := storage.Open(path) // recovers the WAL the child left
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		var check string
		if err := db.Write().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		var stored []int
		rows, err := db.Read().Query(`SELECT new_value FROM audit_log WHERE action = ? AND target = ? ORDER BY id`,
			crashAction, strconv.Itoa(round))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			n, _ := strconv.Atoi(v)
			stored = append(stored, n)
		}
		rows.Close()
		// Commits are 0, 1, 2, ... in order. Every reported one must be
		// there; at most one more may be (committed, killed before it was
		// printed); none may be missing in between.
		if len(stored) < reported || len(stored) > reported+1 {
			t.Errorf("round %d: %d commits stored, %d reported", round, len(stored), reported)
		}
		for i, n := range stored {
			if n != i {
				t.Fatalf("round %d: commit %d stored as %d: %v", round, i, n, stored)
			}
		}
		// The feature row was written in the same transactions: it shows
		// the last stored commit.
		if len(stored) > 0 {
			states, err := db.Features(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if want := len(stored)%2 == 1; states[0].Provisioned != want {
				t.Errorf("round %d: paid-sessions provisioned = %v after %d commits", round, states[0].Provisioned, len(stored))
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// runCrashChild starts the writer, lets it commit for a random short while
// after its first commit, kills it with SIGKILL and returns how many
// commits it reported.
func runCrashChild(t *testing.T, path, round string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurabilityKill9$", "-test.count=1", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashRoundEnv+"="+round)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	lines := make(chan string)
	go func() {
		defer close(lines)
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return // a line cut short by the kill does not count
			}
			lines <- strings.TrimSuffix(line, "\n")
		}
	}()

	reported := 0
	count := func(line string) {
		if n, ok := strings.CutPrefix(line, "committed "); ok {
			if n != strconv.Itoa(reported) {
				t.Errorf("child reported %q after %d commits", line, reported)
			}
			reported++
		}
	}

	select {
	case line, ok := <-lines:
		if !ok {
			cmd.Wait()
			t.Fatalf("the child stopped before committing anything: %s", stderr.String())
		}
		count(line)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child committed nothing in 30 s: %s", stderr.String())
	}

	deadline := time.After(time.Duration(20+rand.IntN(180)) * time.Millisecond)
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("the child stopped on its own: %s", stderr.String())
			}
			count(line)
		case <-deadline:
			break wait
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
		t.Fatal(err)
	}
	for line := range lines { // what it printed before dying
		count(line)
	}
	cmd.Wait()
	return reported
}

// crashChild commits one audited feature change after another until it is
// killed, printing each commit's number once Commit has returned.
func crashChild(path, round string) {
	db, err := storage.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	stop := time.Now().Add(20 * time.Second) // in case the parent is gone
	for i := 0; time.Now().Before(stop); i++ {
		st := app.FeatureState{Feature: app.FeaturePaidSessions, Provisioned: i%2 == 0}
		audit := []app.AuditEntry{{
			At: time.Now(), Actor: app.ActorAccountManager, Action: crashAction,
			Target: round, New: strconv.Itoa(i),
		}}
		if err := db.SaveFeatures(ctx, []app.FeatureState{st}, audit); err != nil {
			fmt.Fprintln(os.Stderr, "child: save:", err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stdout, "committed %d\n", i)
	}
	os.Exit(3)
}
