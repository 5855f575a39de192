package ui

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
)

// fakeExportStore hands out n rows; with pauseAt >= 0 it stops after that
// many, closes paused and waits for the export to be cancelled.
type fakeExportStore struct {
	n, pauseAt int
	paused     chan struct{}
	filter     app.RegistrationExportFilter
}

func (s *fakeExportStore) CountRegistrationExport(_ context.Context, f app.RegistrationExportFilter) (int, error) {
	return s.n, nil
}

func (s *fakeExportStore) ExportRegistrations(ctx context.Context, f app.RegistrationExportFilter, each func(*app.RegistrationExportRow) error) error {
	s.filter = f
	var buf []byte
	for i := range s.n {
		if i == s.pauseAt {
			close(s.paused)
			<-ctx.Done()
			return ctx.Err()
		}
		buf = strconv.AppendInt(append(buf[:0], "TP-"...), int64(i), 10)
		r := app.RegistrationExportRow{
			Confirmation: buf, SessionID: 1, FirstName: []byte("Anna"), LastName: []byte("Nowak"),
			Email: []byte("anna@example.com"), Status: []byte("paid"), Currency: []byte("PLN"), FeeMinor: 100_00,
			TotalMinor: 100_00, PaidMinor: 100_00, RegisteredAt: []byte("2026-11-02T10:00:00.000000000Z"),
		}
		if err := each(&r); err != nil {
			return err
		}
	}
	return nil
}

func exportEnv(t *testing.T, store *fakeExportStore, async bool) (*env, *exportWindow, string) {
	t.Helper()
	e := newEnv(t, "en")
	e.setUp("PL", "PLN", "Europe/Warsaw")
	e.deps.Export = app.RegistrationExporter{Store: store}
	if async {
		e.deps.Go = func(f func()) { go f() }
	}
	SetLanguage("en")
	w := newExportWindow(e.app, e.deps)
	return e, w, filepath.Join(t.TempDir(), "export.csv")
}

// The window's two days are a period in the site's time zone, both days
// included; the file gets every row, and the window says how many.
func TestExportWindowWritesThePeriodInTheSiteTimeZone(t *testing.T) {
	store := &fakeExportStore{n: 10_000, pauseAt: -1}
	_, w, path := exportEnv(t, store, false)
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	w.from.SetDate(&first)
	w.to.SetDate(&last)
	if got := w.fileName(); got != "registrations-2026-11-01-2026-11-30.csv" {
		t.Errorf("file name %q", got)
	}
	f, ok := w.filter()
	if !ok {
		t.Fatal("period refused")
	}
	wc, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	ended := false
	w.afterExport = func() { ended = true }
	w.exportTo(f, wc)
	if !ended {
		t.Fatal("the export did not end")
	}
	warsaw, _ := time.LoadLocation("Europe/Warsaw")
	if !store.filter.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, warsaw)) ||
		!store.filter.To.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, warsaw)) || store.filter.SessionID != 0 {
		t.Errorf("filter %+v", store.filter)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\r\n")
	if len(lines) != 10_002 || lines[10_001] != "" || !strings.HasPrefix(lines[1], "TP-0,1,Anna,Nowak,") {
		t.Errorf("%d lines, first row %q", len(lines), lines[1])
	}
	if w.status.Text != "Rows exported: 10000. File: "+path || w.status.Importance != widget.SuccessImportance {
		t.Errorf("status %q", w.status.Text)
	}
	if w.export.Disabled() {
		t.Error("the Export button stays disabled")
	}

	w.from.SetDate(&last)
	w.to.SetDate(&first)
	w.onExport()
	if w.status.Text != "The first day is after the last day." {
		t.Errorf("reversed period: %q", w.status.Text)
	}
}

// Cancel stops an export under way and deletes its file, which held the
// rows written so far: nothing that looks like a whole export is left.
func TestCancelledExportDeletesItsUnfinishedFile(t *testing.T) {
	store := &fakeExportStore{n: 100_000, pauseAt: 50_000, paused: make(chan struct{})}
	_, w, path := exportEnv(t, store, true)
	w.to.SetDate(nil)
	w.from.SetDate(nil)
	f, _ := w.filter()
	wc, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	w.afterExport = func() { close(ended) }
	w.exportTo(f, wc)
	select {
	case <-store.paused:
	case <-time.After(time.Minute):
		t.Fatal("the export did not reach its pause")
	}
	// Streamed: half the rows are in the file before the export ends.
	if st, err := os.Stat(path); err != nil || st.Size() < 1<<20 {
		t.Fatalf("file before the end: %v, %v", st, err)
	}
	if !strings.HasPrefix(w.job.rows.Text, "Rows written: ") || !strings.HasSuffix(w.job.rows.Text, " of 100000") ||
		w.job.bar.Value <= 0 || w.job.bar.Value >= 1 {
		t.Errorf("progress %q %.2f", w.job.rows.Text, w.job.bar.Value)
	}
	test.Tap(w.job.stop)
	select {
	case <-ended:
	case <-time.After(time.Minute):
		t.Fatal("the export did not stop")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the unfinished file is still there: %v", err)
	}
	if w.status.Text != "Export cancelled; the unfinished file was deleted." {
		t.Errorf("status %q", w.status.Text)
	}
}
