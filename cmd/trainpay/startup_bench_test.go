package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/internal/benchcmp"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/ui"
)

var (
	startupOnce sync.Once
	startupPath string
	startupErr  error
)

// startup opens the database, wires the services and builds the main
// window on the sessions section, with its first page loaded (background
// work runs inline, so the window is complete when it returns).
func startup(b *testing.B, path string) {
	db, err := openDatabase(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	svc := newServices(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.deps.Go = func(f func()) { f() }
	a := test.NewTempApp(b)
	ui.NewSettings(a.Preferences()).SetLastSection(ui.SectionSessions)
	w := ui.NewMainWindow(a, svc.deps)
	w.Window().Show()
	w.Window().Close()
	svc.registry.Close()
	db.close()
}

// BenchmarkScaleStartup: open the 100,000-session demo database and build
// the main window headless, against an empty Fyne window with the same
// test driver; and against the same start-up on a database with 200
// sessions, which shows what the data's size adds.
func BenchmarkScaleStartup(b *testing.B) {
	startupOnce.Do(func() {
		startupPath, startupErr = demodata.Cached(context.Background(),
			demodata.Options{Sessions: 100_000, Registrations: 1_000_000, Codes: 100_000, Departments: 50, Seed: 1})
	})
	if startupErr != nil {
		b.Fatal(startupErr)
	}
	small, err := demodata.Cached(context.Background(), demodata.Options{Sessions: 200, Registrations: 2_000, Codes: 200, Departments: 50, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Setenv("HOME", b.TempDir())
	b.Run("vs-empty-window", func(b *testing.B) {
		benchcmp.Pair(b, 1.25, func(b *testing.B) {
			for b.Loop() {
				startup(b, startupPath)
			}
		}, func(b *testing.B) {
			for b.Loop() {
				a := test.NewTempApp(b)
				w := a.NewWindow("TrainPay")
				w.SetContent(widget.NewLabel(""))
				w.Show()
				w.Close()
			}
		})
	})
	b.Run("vs-small-database", func(b *testing.B) {
		benchcmp.Pair(b, 1.25, func(b *testing.B) {
			for b.Loop() {
				startup(b, startupPath)
			}
		}, func(b *testing.B) {
			for b.Loop() {
				startup(b, small)
			}
		})
	})
}
