package storetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// ExportStores is what the export suite drives: registrations written
// through the sessions, registrations and payment stores, read back by the
// export's cursor.
type ExportStores interface {
	SessionStores
	app.RegistrationExportStore
}

// exportRows is how many registrations the export suite writes: more than
// a cursor's read-ahead (SQLite's reader keeps three batches of 512), and
// a CSV of some 400 kB.
const exportRows = 2000

// exportFixture is a session with exportRows registrations, one every
// three hours from Clock: every 20th paid by card two days after it
// registered (every 3rd of those refunded in part, then in full, a week
// after), every 25th cancelled four days after; and a second session with
// a few registrations of its own.
type exportFixture struct {
	session, other app.Session
}

func newExportFixture(t *testing.T, s ExportStores) exportFixture {
	t.Helper()
	ctx := context.Background()
	x := PaidSession("Export", 50_00, exportRows)
	x.StartsAt = Clock.AddDate(1, 0, 0)
	x = AddSession(t, s, x)
	other := AddSession(t, s, PaidSession("Other", 20_00, 10))
	for i := range exportRows {
		at := Clock.Add(time.Duration(i) * 3 * time.Hour)
		a := Attendee(i)
		if i%97 == 5 {
			a.Company = "Acme, \"Quoted\" & Co"
		}
		r := app.Registration{SessionID: x.ID, Attendee: a}
		if err := s.Register(ctx, &r, at); err != nil {
			t.Fatalf("Register %d: %v", i, err)
		}
		switch {
		case i%20 == 0:
			p := RegistrationSale(r)
			if err := s.CreatePayment(ctx, &p); err != nil {
				t.Fatal(err)
			}
			paid := at.Add(48 * time.Hour)
			if err := s.SettlePayment(ctx, p.ID, app.PaymentUpdate{
				State: app.StateApproved, Brand: app.BrandVisa,
				Last4: "1111", GatewayRef: fmt.Sprintf("A%011d", i), At: paid,
			}); err != nil {
				t.Fatal(err)
			}
			if i%60 == 0 {
				sale, _ := s.Payment(ctx, p.ID)
				for _, amount := range []int64{10_00, 40_00} {
					refund := NewChild(app.KindRefund, sale, amount)
					if err := s.CreatePayment(ctx, &refund); err != nil {
						t.Fatal(err)
					}
					if err := s.SettlePayment(ctx, refund.ID, app.PaymentUpdate{
						State: app.StateApproved,
						At:    paid.Add(7 * 24 * time.Hour),
					}); err != nil {
						t.Fatal(err)
					}
				}
			}
		case i%25 == 0:
			if err := s.CancelRegistration(ctx, r.ID, at.Add(96*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range 3 {
		r := app.Registration{SessionID: other.ID, Attendee: Attendee(i)}
		if err := s.Register(ctx, &r, Clock.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	return exportFixture{session: x, other: other}
}

// exportCSV runs the accounting export of f on s and checks its progress
// calls: from 0 rows written to all of them, never backwards.
func exportCSV(t *testing.T, s ExportStores, f app.RegistrationExportFilter) ([]byte, int) {
	t.Helper()
	var b bytes.Buffer
	var last [2]int
	calls := 0
	n, err := app.RegistrationExporter{Store: s}.Export(context.Background(), f, &b, func(written, total int) {
		if written < last[0] || written > total {
			t.Errorf("progress %d of %d after %d of %d", written, total, last[0], last[1])
		}
		last = [2]int{written, total}
		calls++
	})
	if err != nil {
		t.Fatal(err)
	}
	if last != [2]int{n, n} || calls < 2 {
		t.Errorf("%d progress calls, the last %d of %d, for %d rows", calls, last[0], last[1], n)
	}
	return b.Bytes(), n
}

func readExportCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// RunRegistrationExportStore runs the accounting export's contract against
// the stores open returns: each call must give a new, empty database.
func RunRegistrationExportStore(t *testing.T, open func(t *testing.T) ExportStores) {
	s := open(t)
	f := newExportFixture(t, s)
	for _, c := range []struct {
		name string
		run  func(*testing.T, ExportStores, exportFixture)
	}{
		{"SessionExportIsWhatItsRegistrationsListWrites", exportOfASessionIsWhatItsListWrites},
		{"PeriodHoldsRegistrationsRegisteredPaidOrCancelledInIt", exportOfAPeriod},
		{"StreamsIntoTheWriterAndStopsWhenCancelled", exportStreamsAndStopsWhenCancelled},
		{"CancelledBeforeItBeginsWritesNothing", exportCancelledBeforeItBegins},
		{"CallbacksErrorStopsTheExport", exportStopsAtTheCallbacksError},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, s, f) })
	}
}

// A session's export is byte for byte what the registrations list's rows
// make through WriteRegistrationsCSV: the cursor reads the same columns,
// card details, refunds and times included.
func exportOfASessionIsWhatItsListWrites(t *testing.T, s ExportStores, f exportFixture) {
	ctx := context.Background()
	for _, x := range []app.Session{f.session, f.other} {
		regs, _, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID})
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := app.WriteRegistrationsCSV(&want, regs); err != nil {
			t.Fatal(err)
		}
		got, n := exportCSV(t, s, app.RegistrationExportFilter{SessionID: x.ID})
		if n != len(regs) || n < 3 || !bytes.Equal(got, want.Bytes()) {
			t.Errorf("session %d: %d rows exported, %d listed; export\n%.2000s\nlist\n%.2000s", x.ID, n, len(regs), got, want.Bytes())
		}
		if c, err := s.CountRegistrationExport(ctx, app.RegistrationExportFilter{SessionID: x.ID}); err != nil || c != n {
			t.Errorf("count %d, %v; exported %d", c, err, n)
		}
	}
}

// The site-wide export of a period holds every registration registered,
// paid or cancelled in it, and no other; without a period, all of them.
func exportOfAPeriod(t *testing.T, s ExportStores, f exportFixture) {
	ctx := context.Background()
	all, n := exportCSV(t, s, app.RegistrationExportFilter{})
	if n != exportRows+3 {
		t.Fatalf("exported %d of %d registrations", n, exportRows+3)
	}
	rows := readExportCSV(t, all)
	if len(rows) != n+1 {
		t.Fatalf("%d lines for %d rows", len(rows), n)
	}
	from := Clock.Add(1000*3*time.Hour + 30*time.Minute)
	to := from.AddDate(0, 1, 0)
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
	got, gn := exportCSV(t, s, app.RegistrationExportFilter{From: from, To: to})
	grows := readExportCSV(t, got)
	if gn != len(want) || len(grows) != gn+1 {
		t.Errorf("period export has %d rows (%d lines), want %d", gn, len(grows), len(want))
	}
	for _, r := range grows[1:] {
		if !want[r[0]] {
			t.Errorf("%s is not in the period: %v", r[0], r)
		}
	}
	if c, err := s.CountRegistrationExport(ctx, app.RegistrationExportFilter{From: from, To: to}); err != nil || c != len(want) {
		t.Errorf("count %d, %v; want %d", c, err, len(want))
	}
	// Open on one side, then the other.
	if _, n := exportCSV(t, s, app.RegistrationExportFilter{To: to}); n <= len(want) || n >= exportRows {
		t.Errorf("up to the period's end: %d rows", n)
	}
	if _, n := exportCSV(t, s, app.RegistrationExportFilter{From: from}); n <= len(want) || n >= exportRows {
		t.Errorf("from the period's start: %d rows", n)
	}
}

// exportBlockingWriter takes the first limit bytes, then says so on full
// and blocks every later write until release is closed.
type exportBlockingWriter struct {
	limit   int
	written int
	full    chan struct{}
	release chan struct{}
	once    sync.Once
}

func (w *exportBlockingWriter) Write(p []byte) (int, error) {
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
func exportStreamsAndStopsWhenCancelled(t *testing.T, s ExportStores, _ exportFixture) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &exportBlockingWriter{limit: 64 << 10, full: make(chan struct{}), release: make(chan struct{})}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	var calls []int
	go func() {
		n, err := app.RegistrationExporter{Store: s}.Export(ctx, app.RegistrationExportFilter{}, w,
			func(written, total int) {
				if total != exportRows+3 {
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
	cancel()
	close(w.release)
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the export went on after it was cancelled")
	}
	if !errors.Is(r.err, context.Canceled) || r.n >= exportRows || r.n == 0 {
		t.Errorf("cancelled export: %d rows, %v", r.n, r.err)
	}
	if len(calls) == 0 || calls[0] != 0 {
		t.Errorf("progress calls %v, want a first one with 0 rows written", calls)
	}
}

// A context cancelled before the export begins writes nothing.
func exportCancelledBeforeItBegins(t *testing.T, s ExportStores, _ exportFixture) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var b bytes.Buffer
	n, err := app.RegistrationExporter{Store: s}.Export(ctx, app.RegistrationExportFilter{}, &b, nil)
	if !errors.Is(err, context.Canceled) || n != 0 || b.Len() != 0 {
		t.Errorf("%d rows, %d bytes, %v", n, b.Len(), err)
	}
	if err := s.ExportRegistrations(ctx, app.RegistrationExportFilter{}, func(*app.RegistrationExportRow) error {
		t.Error("a row read with the context cancelled")
		return nil
	}); !errors.Is(err, context.Canceled) {
		t.Errorf("store: %v", err)
	}
}

// An error of the callback stops the reading and is returned as it is.
func exportStopsAtTheCallbacksError(t *testing.T, s ExportStores, _ exportFixture) {
	stop := errors.New("disk full")
	n := 0
	err := s.ExportRegistrations(context.Background(), app.RegistrationExportFilter{}, func(*app.RegistrationExportRow) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if err != stop || n != 10 {
		t.Errorf("%d rows, %v; want 10 and the callback's error", n, err)
	}
}
