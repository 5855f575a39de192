package storage_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// closedDatabase makes a TrainPay database and closes it: the folder then
// holds the file alone, without its -wal and -shm companions.
func closedDatabase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// SQLite must create the -wal and -shm files beside the database: in a
// read-only folder the person is told that, not "no such file or
// directory" about a file that is there.
func TestOpenInAReadOnlyFolderSaysSo(t *testing.T) {
	path := closedDatabase(t)
	makeReadOnly(t, filepath.Dir(path))
	_, err := storage.Open(path)
	e := wantError(t, err, app.EUNAVAILABLE, "error.db.read_only")
	if e.Data["Path"] != path {
		t.Errorf("Data %v, want Path %s", e.Data, path)
	}
	// A new database in that folder: the same.
	_, err = storage.Open(filepath.Join(filepath.Dir(path), "new.db"))
	wantError(t, err, app.EUNAVAILABLE, "error.db.read_only")
}

// A read-only database file would open (SQLite falls back to reading) and
// fail on the first payment; it is refused at once, with the reason.
func TestOpenOfAReadOnlyFileSaysSo(t *testing.T) {
	path := closedDatabase(t)
	makeReadOnly(t, path)
	_, err := storage.Open(path)
	wantError(t, err, app.EUNAVAILABLE, "error.db.read_only")
}

// Another program holding the file's lock for longer than the wait: the
// person is told the database is in use, at start-up and on a write.
func TestLockedDatabaseSaysSo(t *testing.T) {
	path := closedDatabase(t)
	other := rawOpen(t, path, "_journal_mode=WAL&_locking_mode=EXCLUSIVE")
	defer other.Close()
	mustExec(t, other, `UPDATE site SET name = name`) // takes the exclusive lock and keeps it
	start := time.Now()
	_, err := storage.Open(path)
	wantError(t, err, app.ECONFLICT, "error.db.locked")
	if waited := time.Since(start); waited < 4*time.Second || waited > 20*time.Second {
		t.Errorf("Open waited %v for the lock, want about 5s", waited)
	}
	other.Close()

	db, err := openPath(t, path)
	if err != nil {
		t.Fatal(err)
	}
	holder := rawOpen(t, path, "_txlock=immediate")
	defer holder.Close()
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	p := storetest.NewSale(1000)
	wantError(t, db.CreatePayment(context.Background(), &p), app.ECONFLICT, "error.db.locked")
}

// A full disk (SQLite's max_page_count stands in for it) is said plainly on
// a payment's write, and nothing half-written is kept.
func TestDiskFullSaysSo(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var pages int64
	if err := db.Write().QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The write pool is one connection for good: the limit stays on it.
	if _, err := db.Write().Exec(`PRAGMA max_page_count = ` + strconv.FormatInt(pages+2, 10)); err != nil {
		t.Fatal(err)
	}
	before := paymentCount(t, db)
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		p := storetest.NewSale(1000)
		p.Description = strings.Repeat("opis ", 200)
		err = db.CreatePayment(ctx, &p)
	}
	wantError(t, err, app.EUNAVAILABLE, "error.db.full")
	if n := paymentCount(t, db); n <= before {
		t.Fatalf("%d rows before and %d after: the limit left no room for the test", before, n)
	}
}

// Several TrainPay processes starting together on a new file all open it
// (one creates and migrates it, the others wait for it), as in-process
// openers do in TestOpenConcurrentlyOnNewFile. The processes are this test
// binary run again, started together when the parent closes their input.
func TestOpenConcurrentlyFromProcesses(t *testing.T) {
	const childEnv = "TRAINPAY_OPEN_CHILD"
	if path := os.Getenv(childEnv); path != "" {
		io.Copy(io.Discard, os.Stdin)
		db, err := storage.Open(path)
		if err != nil {
			t.Fatalf("child Open: %v", err)
		}
		if _, err := db.Features(context.Background()); err != nil {
			t.Fatalf("child Features: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatalf("child Close: %v", err)
		}
		return
	}
	for round := range 3 {
		path := filepath.Join(t.TempDir(), "trainpay.db")
		var cmds []*exec.Cmd
		var inputs []io.WriteCloser
		var outs []*strings.Builder
		for range 6 {
			cmd := exec.Command(os.Args[0], "-test.run=^TestOpenConcurrentlyFromProcesses$")
			cmd.Env = append(os.Environ(), childEnv+"="+path)
			out := &strings.Builder{}
			cmd.Stdout, cmd.Stderr = out, out
			in, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds, inputs, outs = append(cmds, cmd), append(inputs, in), append(outs, out)
		}
		time.Sleep(200 * time.Millisecond) // let them all load before they are let go
		for _, in := range inputs {
			in.Close()
		}
		for i, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				sc := bufio.NewScanner(strings.NewReader(outs[i].String()))
				for sc.Scan() {
					if strings.Contains(sc.Text(), "child") {
						t.Errorf("round %d, process %d: %s", round, i, strings.TrimSpace(sc.Text()))
					}
				}
				t.Errorf("round %d, process %d: %v", round, i, err)
			}
		}
	}
}
