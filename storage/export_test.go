package storage_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
)

// exportDatabase opens a copy of the demo database of 100,000
// registrations (the one ui's scale tests use), with its sessions' and
// registrations' dates spread over four years.
func exportDatabase(t *testing.T) *storage.DB {
	t.Helper()
	path, err := demodata.Cached(context.Background(),
		demodata.Options{Sessions: 20_000, Registrations: 100_000, Codes: 2_000, Departments: 50, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "export.db")
	if err := demodata.CopyTo(path, copyPath); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func export(t *testing.T, db *storage.DB, f app.RegistrationExportFilter) ([]byte, int) {
	t.Helper()
	var b bytes.Buffer
	var last [2]int
	calls := 0
	n, err := app.RegistrationExporter{Store: db}.Export(context.Background(), f, &b, func(written, total int) {
		if written < last[0] || written > total {
			t.Errorf("progress %d of %d after %d of %d", written, total, last[0], last[1])
		}
		last = [2]int{written, total}
		calls++
	})
	if err != nil {
		t.Fatal(err)
	}
	if last != [2]int{n, n} || calls < 2+n/5000 {
		t.Errorf("%d progress calls, the last %d of %d, for %d rows", calls, last[0], last[1], n)
	}
	return b.Bytes(), n
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// A session's export is byte for byte what the registrations list's rows
// make through WriteRegistrationsCSV: the cursor reads the same columns.
func TestExportOfASessionIsWhatItsRegistrationsListWrites(t *testing.T) {
	db := exportDatabase(t)
	ctx := context.Background()
	var id int64
	if err := db.Read().QueryRow(`SELECT session_id FROM registration WHERE payment_id IS NOT NULL
		GROUP BY session_id ORDER BY count(*) DESC LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	regs, _, err := db.Registrations(ctx, app.RegistrationFilter{SessionID: id})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := app.WriteRegistrationsCSV(&want, regs); err != nil {
		t.Fatal(err)
	}
	got, n := export(t, db, app.RegistrationExportFilter{SessionID: id})
	if n != len(regs) || n < 2 || !bytes.Equal(got, want.Bytes()) {
		t.Errorf("session %d: %d rows exported, %d listed; export\n%s\nlist\n%s", id, n, len(regs), got, want.Bytes())
	}
	if c, err := db.CountRegistrationExport(ctx, app.RegistrationExportFilter{SessionID: id}); err != nil || c != n {
		t.Errorf("count %d, %v; exported %d", c, err, n)
	}
}

// The site-wide export of a period holds every registration registered,
// paid or cancelled in it, and no other; without a period, all of them.
func TestExportOfAPeriodHoldsRegistrationsRegisteredPaidOrCancelledInIt(t *testing.T) {
	db := exportDatabase(t)
	ctx := context.Background()
	all, n := export(t, db, app.RegistrationExportFilter{})
	if n != 100_000 {
		t.Fatalf("exported %d of 100,000 registrations", n)
	}
	rows := readCSV(t, all)
	if len(rows) != n+1 {
		t.Fatalf("%d lines for %d rows", len(rows), n)
	}
	// A period in the middle of the data's years, in whole seconds (the
	// file's times are to the second).
	var mid string
	if err := db.Read().QueryRow(`SELECT created_at FROM registration ORDER BY created_at LIMIT 1 OFFSET 50000`).Scan(&mid); err != nil {
		t.Fatal(err)
	}
	m, err := time.Parse(time.RFC3339Nano, mid)
	if err != nil {
		t.Fatal(err)
	}
	from := m.Truncate(time.Second)
	to := from.AddDate(0, 2, 0)
	in := func(s string) bool {
		if s == "" {
			return false
		}
		t1, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("time %q: %v", s, err)
		}
		return !t1.Before(from) && t1.Before(to)
	}
	want := map[string]bool{}
	reasons := [3]int{}
	for _, r := range rows[1:] {
		for i, col := range []int{20, 21, 22} {
			if in(r[col]) {
				want[r[0]] = true
				reasons[i]++
			}
		}
	}
	if reasons[0] == 0 || reasons[1] == 0 || reasons[2] == 0 {
		t.Fatalf("the period should catch registrations by each of their times: %v", reasons)
	}
	got, gn := export(t, db, app.RegistrationExportFilter{From: from, To: to})
	grows := readCSV(t, got)
	if gn != len(want) || len(grows) != gn+1 {
		t.Errorf("period export has %d rows (%d lines), want %d", gn, len(grows), len(want))
	}
	for _, r := range grows[1:] {
		if !want[r[0]] {
			t.Errorf("%s is not in the period: %v", r[0], r)
		}
	}
	if c, err := db.CountRegistrationExport(ctx, app.RegistrationExportFilter{From: from, To: to}); err != nil || c != len(want) {
		t.Errorf("count %d, %v; want %d", c, err, len(want))
	}
	// Open on one side.
	if _, n := export(t, db, app.RegistrationExportFilter{To: to}); n <= len(want) || n >= 100_000 {
		t.Errorf("up to the period's end: %d rows", n)
	}
}

// blockingWriter takes the first limit bytes, then says so on full and
// blocks every later write until release is closed.
type blockingWriter struct {
	limit   int
	written int
	full    chan struct{}
	release chan struct{}
	once    sync.Once
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	if w.written >= w.limit {
		w.once.Do(func() { close(w.full) })
		<-w.release
	}
	w.written += len(p)
	return len(p), nil
}

// The export writes into its writer while it reads: the writer holds bytes
// while the export has not finished (here it cannot, the writer being
// blocked), and cancelling then stops the query with context.Canceled.
func TestExportStreamsIntoTheWriterAndStopsWhenCancelled(t *testing.T) {
	db := exportDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	w := &blockingWriter{limit: 128 << 10, full: make(chan struct{}), release: make(chan struct{})}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	var calls []int
	go func() {
		n, err := app.RegistrationExporter{Store: db}.Export(ctx, app.RegistrationExportFilter{}, w,
			func(written, total int) {
				if total != 100_000 {
					t.Errorf("progress total %d", total)
				}
				calls = append(calls, written)
			})
		done <- result{n, err}
	}()
	select {
	case <-w.full:
	case r := <-done:
		t.Fatalf("the export ended (%d rows, %v) before its writer had %d bytes: it was not streamed", r.n, r.err, w.limit)
	case <-time.After(time.Minute):
		t.Fatal("no bytes written in a minute")
	}
	select {
	case r := <-done:
		t.Fatalf("the export ended (%d rows, %v) with its writer blocked", r.n, r.err)
	default:
	}
	if w.written < w.limit {
		t.Fatalf("the writer has %d bytes", w.written)
	}
	cancel()
	close(w.release)
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the export went on after it was cancelled")
	}
	if !errors.Is(r.err, context.Canceled) || r.n >= 100_000 || r.n == 0 {
		t.Errorf("cancelled export: %d rows, %v", r.n, r.err)
	}
	if len(calls) == 0 || calls[0] != 0 {
		t.Errorf("progress calls %v, want a first one with 0 rows written", calls)
	}
}

// A context cancelled before the export begins writes nothing.
func TestExportCancelledBeforeItBeginsWritesNothing(t *testing.T) {
	db := exportDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var b bytes.Buffer
	n, err := app.RegistrationExporter{Store: db}.Export(ctx, app.RegistrationExportFilter{}, &b, nil)
	if !errors.Is(err, context.Canceled) || n != 0 || b.Len() != 0 {
		t.Errorf("%d rows, %d bytes, %v", n, b.Len(), err)
	}
}
