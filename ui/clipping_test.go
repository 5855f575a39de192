package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/secrets"
	"github.com/trainpay/trainpay/ui/widgets"
)

// clippingScreens are the screens and dialogs the clipping test opens:
// every one of ShowScreen's but Fyne's own file dialog (its text is
// Fyne's, not ours).
func clippingScreens() []string {
	var out []string
	for _, n := range ScreenNames() {
		if n != "file-save" {
			out = append(out, n)
		}
	}
	return out
}

// TestNoClippedTextAtMinimumWindowSize opens every screen and dialog at the
// minimum window size, in English and Polish, over demo data, and reports
// each button, label, column cell, tab title and text that does not get the
// width its text needs, or that runs past the visible part of the scroll
// (or window) it is in. A list row's first column (a topic, a person, a
// code: the row's own words) may end in an ellipsis; every other column's
// value, and every header, must fit.
func TestNoClippedTextAtMinimumWindowSize(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			demo := demoDatabase(t)
			for _, name := range clippingScreens() {
				t.Run(name, func(t *testing.T) {
					m := newDemoMainWindow(t, demo, language)
					w, err := m.ShowScreen(name, ScreenOptions{Passphrase: demodata.Passphrase})
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range clippedTexts(w) {
						t.Errorf("%s/%s at %v: %s", language, name, w.Canvas().Size(), c)
					}
				})
			}
		})
	}
}

// demoDatabase is a demo database (internal/demodata) of a few hundred
// sessions, made once per test binary and cached.
func demoDatabase(t *testing.T) string {
	t.Helper()
	path, err := demodata.Cached(context.Background(),
		demodata.Options{Sessions: 400, Registrations: 4000, Codes: 60, Departments: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// newDemoMainWindow is the main window over a copy of the demo database,
// wired as main wires it, at the minimum window size.
func newDemoMainWindow(t *testing.T, demo, language string) *MainWindow {
	t.Helper()
	keyring.MockInitWithError(errors.New("no Secret Service on this machine"))
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	path := filepath.Join(dir, "trainpay.db")
	if err := demodata.CopyTo(demo, path); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := test.NewTempApp(t)
	t.Cleanup(func() { SetLanguage("en") })
	s := NewSettings(a.Preferences())
	s.SetLanguageOverride(language)
	s.SetWindowSize(MinWindowSize)
	s.SetLastSection(SectionOverview)

	vault := secrets.New(secrets.Options{
		Service: "TrainPay:ui-test", FallbackPath: filepath.Join(dir, "trainpay.secrets"),
		KDF: app.Argon2Params{Memory: 64, Time: 1, Threads: 1},
	})
	site := app.NewSiteService(db)
	site.AfterUnlock = vault.Unlock
	reg := &registry.Registry{Sites: db, Settings: db, Secrets: vault, SandboxLedger: filepath.Join(dir, "sandbox.json")}
	t.Cleanup(func() { reg.Close() })
	payments := app.NewPaymentService(db, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	promo := &app.PromoService{Store: db, Site: site, Sessions: db, Secrets: vault}
	ppu := &app.PayPerUseService{Site: site, Sessions: db, Store: db, Budgets: db, Payments: payments}
	deps := Deps{
		Site: site, Payments: payments, Database: path,
		Merchant: &app.MerchantService{Sites: db, Admins: site, Settings: db, Secrets: vault, Tester: reg},
		Promo:    promo, Sessions: app.NewSessionService(db, db, site, payments, promo),
		Export:    app.RegistrationExporter{Store: db},
		Budgets:   &app.BudgetService{Site: site, Store: db, Sessions: db, Journal: db},
		PayPerUse: ppu,
		Queue:     &app.QueueService{People: db, PayPerUse: ppu, Store: db, Payments: payments},
		Invoices:  &app.InvoiceService{Store: db, Gateways: reg, Settings: db},
		Go:        func(f func()) { f() },
	}
	return NewMainWindow(a, deps)
}

// clippedTexts walks a window's content and overlays and describes every
// text that does not get the width it needs.
func clippedTexts(w fyne.Window) []string {
	c := w.Canvas()
	all := fyne.NewSize(c.Size().Width, c.Size().Height)
	var out []string
	walk := &clipWalk{report: func(s string) { out = append(out, s) }}
	// A dialog covers the window: what it covers is checked on its own
	// screen.
	if top := c.Overlays().Top(); top != nil {
		walk.object(top, fyne.NewPos(0, 0), 0, all.Width)
	} else {
		walk.object(w.Content(), fyne.NewPos(0, 0), 0, all.Width)
	}
	return out
}

// clipWalk visits a tree of canvas objects with their absolute positions
// and the horizontal span [left, right) that shows (the window, narrowed
// by each scroll the object is in).
type clipWalk struct {
	report func(string)
	// first says the object is a list row's first cell (see
	// TestNoClippedTextAtMinimumWindowSize).
	first map[fyne.CanvasObject]bool
}

// tolerance absorbs the float rounding of layouts.
const tolerance = 0.5

func (cw *clipWalk) object(o fyne.CanvasObject, parent fyne.Position, left, right float32) {
	if o == nil || !o.Visible() {
		return
	}
	pos := parent.Add(o.Position())
	size := o.Size()
	outside := func(text string) {
		if pos.X < left-tolerance || pos.X+size.Width > right+tolerance {
			cw.report(fmt.Sprintf("%q runs past the visible part (x %.0f to %.0f, visible %.0f to %.0f)",
				text, pos.X, pos.X+size.Width, left, right))
		}
	}
	switch v := o.(type) {
	case *widgets.CellLabel:
		if need := labelNeeds(&v.Label); need > size.Width+tolerance && !cw.first[o] {
			cw.report(fmt.Sprintf("list cell %q needs %.0f px, has %.0f", v.Text, need, size.Width))
		}
		outside(v.Text)
		return
	case *widget.Label:
		// A label no layout has sized (a dialog's title) is drawn whole.
		if need := labelNeeds(v); need > size.Width+tolerance && size.Width > 0 {
			cw.report(fmt.Sprintf("label %q needs %.0f px, has %.0f", v.Text, need, size.Width))
		}
		outside(v.Text)
		return
	case *widget.Button:
		if need := v.MinSize().Width; need > size.Width+tolerance {
			cw.report(fmt.Sprintf("button %q needs %.0f px, has %.0f", v.Text, need, size.Width))
		}
		outside(v.Text)
		return
	case *widget.Check:
		if need := v.MinSize().Width; need > size.Width+tolerance {
			cw.report(fmt.Sprintf("check %q needs %.0f px, has %.0f", v.Text, need, size.Width))
		}
		outside(v.Text)
		return
	case *widget.Hyperlink:
		outside(v.Text)
		return
	case *canvas.Text:
		if strings.TrimSpace(v.Text) != "" {
			if need := fyne.MeasureText(v.Text, v.TextSize, v.TextStyle).Width; need > size.Width+tolerance &&
				size.Width > 0 {
				cw.report(fmt.Sprintf("text %q needs %.0f px, has %.0f", v.Text, need, size.Width))
			}
			outside(v.Text)
		}
		return
	case *widget.Entry, *widget.Select, *widget.SelectEntry, *widget.DateEntry, *widget.ProgressBar,
		*widget.ProgressBarInfinite:
		return // the person's text scrolls inside an entry; a choice shows as much as fits
	case *container.Scroll:
		left, right = max(left, pos.X), min(right, pos.X+size.Width)
	case *fyne.Container:
		if v.Layout != nil {
			v.Layout.Layout(v.Objects, size) // as drawing the window would
		}
		if row, ok := v.Layout.(interface{ IsColumns() bool }); ok && row.IsColumns() && len(v.Objects) > 0 {
			if cw.first == nil {
				cw.first = map[fyne.CanvasObject]bool{}
			}
			cw.first[v.Objects[0]] = true
		}
		for _, c := range v.Objects {
			cw.object(c, pos, left, right)
		}
		return
	}
	if wd, ok := o.(fyne.Widget); ok {
		r := test.WidgetRenderer(wd)
		r.Layout(size) // as drawing the window would
		for _, c := range r.Objects() {
			cw.object(c, pos, left, right)
		}
	}
}

// labelNeeds is the width a label needs to show its text whole: its
// longest line and the padding on both sides; 0 for a label that wraps.
func labelNeeds(l *widget.Label) float32 {
	if l.Wrapping != fyne.TextWrapOff || l.Text == "" {
		return 0
	}
	th := l.Theme()
	size := th.Size(theme.SizeNameText)
	if l.SizeName != "" {
		size = th.Size(l.SizeName)
	}
	var widest float32
	for _, line := range strings.Split(l.Text, "\n") {
		widest = max(widest, fyne.MeasureText(line, size, l.TextStyle).Width)
	}
	return widest + 2*th.Size(theme.SizeNameInnerPadding)
}

// TestNoTextUsesTheArrowFyneDrawsBroken: Fyne 2.8 draws "→" followed by a
// space as the arrow, a replacement character and a gap ("no →� true" in
// the audit log); "⟶" is drawn right. No message and no audit line may
// use the broken one.
func TestNoTextUsesTheArrowFyneDrawsBroken(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		messages, err := Messages(language)
		if err != nil {
			t.Fatal(err)
		}
		for id, text := range messages {
			if s, ok := text.(string); ok && strings.Contains(s, "→") {
				t.Errorf("%s %s: %q", language, id, s)
			}
		}
	}
	if line := AuditText(app.AuditEntry{Actor: app.ActorSetup, Action: "methods.credit_cards", Old: "false", New: "true"}); strings.Contains(line, "→") {
		t.Errorf("audit line %q", line)
	}
}
