package ui

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
	"github.com/trainpay/trainpay/ui/widgets"
)

// The core tasks done with the keyboard alone, in English and Polish: each
// test reaches every field by Tab, types into it, presses buttons with
// Enter and closes dialogs with Escape, through keyboard (the path Fyne's
// desktop driver takes for a key press). Nothing is tapped and no callback
// is called directly; the fixtures only set up what the task works on.

// inLanguages runs f once in English and once in Polish.
func inLanguages(t *testing.T, f func(t *testing.T, lang string)) {
	for _, lang := range []string{"en", "pl"} {
		t.Run(lang, func(t *testing.T) { f(t, lang) })
	}
}

// mainWindowIn opens TrainPay's main window of deps in lang, 1280×800.
func mainWindowIn(t *testing.T, a fyne.App, deps Deps, lang string) (*MainWindow, *keyboard) {
	t.Helper()
	a.Preferences().SetString(prefLanguage, lang)
	m := NewMainWindow(a, deps)
	m.Window().Resize(fyne.NewSize(1280, 800))
	t.Cleanup(func() {
		if m.prefs != nil {
			m.prefs.win.Close()
		}
	})
	return m, newKeyboard(t, m.Window())
}

// dateText is how a date entry shows day (and so how it is typed), in the
// format of the system's locale, as Fyne's date entry reads it.
func dateText(day time.Time) string {
	e := widget.NewDateEntry()
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	e.SetDate(&d)
	return e.Text
}

// focusLabel is the label of a focused radio or check item (Fyne's radio
// items are of an unexported type: their label is read by reflection).
func focusLabel(f fyne.Focusable) string {
	v := reflect.ValueOf(f)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	for _, name := range []string{"Label", "Text"} {
		if fv := v.FieldByName(name); fv.IsValid() && fv.Kind() == reflect.String {
			return fv.String()
		}
	}
	return ""
}

// tabToLabel presses Tab until the radio or check item labelled label has
// the focus.
func (k *keyboard) tabToLabel(label string) {
	k.T.Helper()
	k.TabUntil("the choice "+label, func(f fyne.Focusable) bool { return focusLabel(f) == label })
}

// Schedule a paid session: Ctrl+N, the topic, the description (Tab leaves
// it), the date, the time, Paid, the fee and the places, then Schedule
// pressed with Enter.
func TestKeyboardSchedulesAPaidSession(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e := newSessionsEnv(t, lang, true, nil)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		ctx := context.Background()

		kb.Ctrl(fyne.KeyN)
		f := m.sessionsScr.form
		if f == nil {
			t.Fatal("Ctrl+N opened no schedule form")
		}
		if kb.Focused() != f.topic {
			t.Fatalf("the form opened with %s focused, want the topic", uitest.DescribeFocus(kb.Focused()))
		}
		kb.Type("Excel dla księgowych")
		kb.Tab()
		if kb.Focused() != f.description {
			t.Fatalf("Tab from the topic went to %s", uitest.DescribeFocus(kb.Focused()))
		}
		kb.Type("Formuły i tabele przestawne")
		kb.TabTo(f.date, "the date")
		if f.description.Text != "Formuły i tabele przestawne" {
			t.Fatalf("Tab changed the description to %q", f.description.Text)
		}
		// Shift+Tab goes back into the description (through the date's
		// calendar button: Fyne walks a widget's own parts first backwards).
		kb.ShiftTabTo(f.description, "the description")
		kb.TabTo(f.date, "the date")
		day := time.Now().AddDate(0, 0, 10)
		kb.Type(dateText(day))
		kb.TabTo(f.clock, "the time")
		kb.Type("10:00")
		kb.tabToLabel(T("schedule.type_paid"))
		kb.Space()
		kb.TabTo(f.fee, "the fee")
		fee := "249.99"
		if lang == "pl" {
			fee = "249,99"
		}
		kb.Type(fee)
		kb.TabTo(f.capacity, "the places")
		kb.Type("20")
		kb.TabToButton(T("schedule.schedule"))
		kb.Enter()

		if m.Window().Canvas().Overlays().Top() != nil {
			t.Fatalf("the form is still open: %q %q", f.message.Text, screenTexts(m.Window()))
		}
		got, n, err := e.svc.List(ctx, app.SessionFilter{When: app.SessionsAll})
		if err != nil || n != 1 {
			t.Fatalf("sessions: %d %v", n, err)
		}
		s := got[0]
		if s.Topic != "Excel dla księgowych" || s.Description != "Formuły i tabele przestawne" || s.Type != app.SessionPaid ||
			s.FeeMinor != 24999 || s.MaxRegistrations != 20 || s.StartsAt.In(s.Location()).Format("15:04") != "10:00" ||
			s.StartsAt.In(s.Location()).Day() != day.Day() {
			t.Fatalf("scheduled %+v", s)
		}
		if !strings.Contains(strings.Join(screenTexts(m.Window()), "\n"), "Excel dla księgowych") {
			t.Fatalf("the list does not show it: %q", screenTexts(m.Window()))
		}
	})
}

// The pay-per-use estimate: Ctrl+N, a pay-per-use session filled by Tab,
// Schedule with Enter, Change back to the form, Schedule again with Enter
// from a field, Enter payment information, the card typed and paid, and
// Start.
func TestKeyboardPayPerUseEstimateChangePayAndStart(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		pe := newPPUEnv(t)
		sessions := pe.withSessions()
		ctx := context.Background()
		day := time.Now().AddDate(0, 0, 10)
		pe.allocateFor(time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, time.UTC))
		m, kb := mainWindowIn(t, pe.app, pe.deps, lang)
		w := m.Window()

		kb.Ctrl(fyne.KeyN)
		f := m.sessionsScr.form
		if f == nil || kb.Focused() != f.topic {
			t.Fatalf("Ctrl+N: form %v, focus on %s", f != nil, uitest.DescribeFocus(kb.Focused()))
		}
		kb.Type("Szkolenie produktowe")
		kb.TabTo(f.date, "the date")
		kb.Type(dateText(day))
		kb.TabTo(f.clock, "the time")
		kb.Type("10:00")
		kb.TabTo(f.duration, "the duration")
		kb.Key(fyne.KeyRight) // 60 → 90 minutes
		kb.tabToLabel(T("schedule.type_ppu"))
		kb.Space()
		kb.TabTo(f.computers, "the computers")
		kb.Type("25")
		kb.TabTo(f.tele, "the teleconference")
		kb.Type("10")
		kb.TabTo(f.department, "the department")
		kb.Key(fyne.KeyRight) // none → the department
		if f.department.SelectedIndex() != 1 || f.duration.SelectedIndex() != durationIndex(t, 90) || !f.payPerUse() {
			t.Fatalf("the form: department %d, duration %d, pay-per-use %v", f.department.SelectedIndex(), f.duration.SelectedIndex(), f.payPerUse())
		}
		kb.TabTo(f.tele, "the teleconference")
		kb.Enter() // Schedule, the dialog's default button

		est := f.estimate
		if est == nil || est.total.Text != pln(t, "342.00") {
			t.Fatalf("no estimate of 342.00 after Enter: %q", screenTexts(w))
		}

		// Change: back to the form with every value; Enter in a field
		// schedules again.
		kb.TabToButton(T("estimate.change"))
		kb.Enter()
		if f.estimate != nil || f.topic.Text != "Szkolenie produktowe" || f.computers.Text != "25" || f.tele.Text != "10" {
			t.Fatalf("Change: estimate %v, values %q %q %q", f.estimate != nil, f.topic.Text, f.computers.Text, f.tele.Text)
		}
		kb.TabTo(f.duration, "the duration")
		kb.Key(fyne.KeyRight) // 90 → 120 minutes
		kb.TabTo(f.computers, "the computers")
		kb.Enter()
		est = f.estimate
		if est == nil || est.total.Text != pln(t, "456.00") {
			t.Fatalf("no estimate of 456.00 after the change: %q", screenTexts(w))
		}
		if _, n, _ := sessions.List(ctx, app.SessionFilter{When: app.SessionsAll}); n != 1 {
			t.Fatalf("scheduling again made %d sessions", n)
		}

		// Pay within the session's start window (from 15 minutes before),
		// so that Start follows: the card dialog, typed into by Tab; its
		// buttons are pressed with Space (Fyne's buttons there take no Enter).
		pe.clock.setTo(f.existing.StartsAt.Add(-15 * time.Minute))
		kb.TabToButton(T("estimate.pay"))
		kb.Enter()
		if est.card == nil {
			t.Fatalf("Enter on Pay opened no card dialog: %q", screenTexts(w))
		}
		kb.TabTo(est.card.Widgets().Number, "the card number")
		kb.Type("4111111111111111")
		kb.TabTo(est.card.Widgets().Expiry, "the expiry")
		kb.Type(futureExpiry())
		kb.TabTo(est.card.Widgets().CVV, "the CVV")
		kb.Type("123")
		kb.TabToButton(T("pay.pay", map[string]any{"Amount": pln(t, "456.00")}))
		kb.Space()
		kb.TabToButton(T("pay.close"))
		kb.Space()
		if est.start.Disabled() {
			t.Fatalf("after paying, Start is disabled: %q", est.startWhy.Text)
		}

		kb.TabToButton(T("estimate.start"))
		kb.Enter()
		if est.status.Text != T("estimate.started") {
			t.Fatalf("Start: %q", est.status.Text)
		}
		rows, _, _ := sessions.List(ctx, app.SessionFilter{When: app.SessionsAll})
		acc, _ := pe.db.PayPerUseAccount(ctx, rows[0].ID)
		if acc.StartedAt.IsZero() || acc.PaidMinor != 45600 {
			t.Fatalf("after the start: %+v", acc)
		}
		kb.Escape()
		if w.Canvas().Overlays().Top() != nil {
			t.Fatalf("Escape left the estimate open: %q", screenTexts(w))
		}
	})
}

// openSection opens the section id from the window's section list: Tab to
// the list, the arrow keys to the section, Space.
func (k *keyboard) openSection(m *MainWindow, id string) {
	k.T.Helper()
	k.TabTo(m.nav, "the sections")
	for range m.sections {
		k.Key(fyne.KeyUp)
	}
	for i, s := range m.sections {
		if s.id == id {
			break
		}
		if i == len(m.sections)-1 {
			k.T.Fatalf("no section %q", id)
		}
		k.Key(fyne.KeyDown)
	}
	k.Space()
	if m.current != id {
		k.T.Fatalf("the keys opened %q, want %q", m.current, id)
	}
}

// Send promotional codes: a custom code made in its form (Enter submits
// it), its recipients on file, the code chosen in the list with Space and
// Send pressed with Enter.
func TestKeyboardSendsPromoCodes(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e, box := newPromoEnv(t, lang, true)
		ctx := context.Background()
		if err := e.db.SaveSMTPSettings(ctx, app.SMTPSettings{Host: "localhost", Port: 25, TLS: app.SMTPTLSNone, Sender: "a@example.com"}, nil); err != nil {
			t.Fatal(err)
		}
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		kb.openSection(m, SectionPromo)
		s := m.promoScr

		kb.TabToButton(T("promo.custom"))
		kb.Enter()
		f := s.form
		if f == nil {
			t.Fatalf("Enter on %q opened no form: %q", T("promo.custom"), screenTexts(m.Window()))
		}
		kb.TabTo(f.code, "the code")
		kb.Type("SEND-ME")
		kb.TabTo(f.value, "the value")
		kb.Type("10")
		kb.Enter() // the form's default button
		codes, err := e.deps.Promo.Codes(ctx)
		if err != nil || len(codes) != 1 || codes[0].Code != "SEND-ME" {
			t.Fatalf("codes after Enter: %+v %v (%q)", codes, err, f.msg.Text)
		}
		if m.Window().Canvas().Overlays().Top() != nil {
			t.Fatalf("the form is still open: %q", screenTexts(m.Window()))
		}
		if _, err := e.deps.Promo.ImportRecipients(ctx, codes[0].ID, app.RecipientImport{Recipients: []app.PromoRecipient{
			{Email: "a@example.com", Name: "Anna"}, {Email: "b@example.com"},
		}}); err != nil {
			t.Fatal(err)
		}

		kb.TabUntil("the codes", func(f fyne.Focusable) bool {
			l, ok := f.(*widget.List)
			return ok && l != &m.nav.List
		})
		kb.Space()
		if c, ok := s.current(); !ok || c.Code != "SEND-ME" {
			t.Fatalf("Space chose %+v %v", c, ok)
		}
		kb.TabToButton(T("promo.send"))
		kb.Enter()
		if len(box.sent) != 2 || s.sendStatus.Text != T("promo.send_done", map[string]any{"Sent": 2, "Failed": 0}) {
			t.Fatalf("sent %d: %q", len(box.sent), s.sendStatus.Text)
		}
	})
}

// Pay a queued session from the department's budget: the queue opens on
// its list, Enter opens the request, Tab reaches "Charge to the budget",
// Enter charges it and Enter closes the note that follows.
func TestKeyboardPaysAQueuedSessionFromTheBudget(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		pe := newPPUEnv(t)
		pe.withSessions()
		ctx := context.Background()
		s := pe.session(90) // 342,00 zł
		pe.queue(s)
		m, kb := mainWindowIn(t, pe.app, pe.deps, lang)
		w := m.Window()
		kb.openSection(m, SectionToPay)
		q := m.queueScr
		kb.TabTo(q.list, "the queue")
		kb.Enter()
		d := q.pay
		if d == nil {
			t.Fatalf("Enter on the queue opened nothing: %q", screenTexts(w))
		}
		kb.TabToButton(T("queue.charge_budget"))
		kb.Enter()
		if d.card != nil || d.paypal != nil {
			t.Fatal("a charge to the budget opened a card or PayPal dialog")
		}
		done := T("queue.charged_budget", map[string]any{
			"Amount": pln(t, "342.00"), "Department": pe.dept.Name,
			"Left": formatMinor(d.item.Quote.RemainingAfterMinor, "PLN"),
		})
		if !containsText(screenTexts(w), done) {
			t.Fatalf("after Enter on %q: %q", T("queue.charge_budget"), screenTexts(w))
		}
		kb.Enter()
		if w.Canvas().Overlays().Top() != nil {
			t.Fatalf("Enter left the note open: %q", screenTexts(w))
		}
		rows, _, err := pe.deps.Payments.(*app.PaymentService).Payments(ctx, app.PaymentFilter{})
		if err != nil || len(rows) != 1 || rows[0].Method != app.MethodBudget || rows[0].State != app.StateApproved {
			t.Fatalf("journal: %+v %v", rows, err)
		}
		if len(q.items) != 0 {
			t.Fatalf("still to pay: %+v", q.items)
		}
	})
}

// Export the reimbursement report: the Departments section, Report on the
// department pressed with Enter, Export CSV pressed with Enter; the save
// dialog (the system's on Windows and macOS) is answered by the test, and
// the report's dialog is closed with Escape.
func TestKeyboardExportsTheReimbursementReport(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		pe := newPPUEnv(t)
		s := pe.session(90)
		ctx := context.Background()
		c, err := pe.svc.PrepareCharge(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pe.deps.Payments.Charge(ctx, app.ChargeRequest{
			Purpose: c.Purpose, Reference: c.Reference, Amount: c.Amount, Method: app.MethodCreditCard, Payer: c.Payer,
			Card: &app.Card{Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 2, Holder: "Ewa Kowalska"},
		}); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		NewSettings(pe.app.Preferences()).SetLastFolder(dir)
		m, kb := mainWindowIn(t, pe.app, pe.deps, lang)
		w := m.Window()
		kb.openSection(m, SectionDepartments)

		kb.TabToButton(T("departments.report"))
		kb.Enter()
		if !containsText(screenTexts(w), "Szkolenie produktowe") {
			t.Fatalf("Enter on %q showed no report: %q", T("departments.report"), screenTexts(w))
		}
		kb.TabToButton(T("report.export_csv"))
		kb.Enter()
		save := findButton(w, fileDialogSave())
		if save == nil {
			t.Fatalf("Enter on %q opened no save dialog: %q", T("report.export_csv"), screenTexts(w))
		}
		test.Tap(save) // the save dialog, answered by the test
		data, err := os.ReadFile(filepath.Join(dir, "reimbursement-CC-4100-"+m.departments.selected+".csv"))
		if err != nil || !strings.Contains(string(data), ",342.00,PLN,") {
			t.Fatalf("the report: %v\n%s", err, data)
		}
		kb.Escape()
		if w.Canvas().Overlays().Top() != nil {
			t.Fatalf("Escape left the report open: %q", screenTexts(w))
		}
	})
}

// fileDialogSave is the label of the save button of Fyne's file dialog.
func fileDialogSave() string { return lang.L("Save") }

// The focus colour is plainly stronger than the hover colour in both
// variants, whichever theme is chosen.
func TestFocusColourIsPlainlyVisible(t *testing.T) {
	for _, th := range []appTheme{{}, {variant: theme.VariantLight, fixed: true}, {variant: theme.VariantDark, fixed: true}} {
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			_, _, _, focus := th.Color(theme.ColorNameFocus, v).RGBA()
			_, _, _, hover := th.Color(theme.ColorNameHover, v).RGBA()
			if focus < 0x6000 || focus < 2*hover {
				t.Errorf("theme %+v, variant %v: focus alpha %#x, hover %#x", th, v, focus, hover)
			}
		}
	}
}

// Each frequent command's shortcut is shown where its button is: the
// button's tip while it has the focus (or the pointer rests on it, see
// ui/widgets), the search box's while the pointer rests on it; the menu
// shows them too.
func TestShortcutsShownWhereTheirButtonsAre(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e := newSessionsEnv(t, lang, true, nil)
		e.schedulePaid("Negotiation basics", 249_99, 10)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		w := m.Window()
		kb.Ctrl(fyne.KeyF)
		s := m.sessionsScr
		tip := func(key fyne.KeyName) string {
			return T("shortcut.tooltip", map[string]any{"Keys": shortcutKeys(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault})})
		}
		kb.TabToButton(T("sessions.schedule"))
		if got := widgets.TooltipShown(w); got != tip(fyne.KeyN) {
			t.Errorf("Schedule focused: tip %q, want %q", got, tip(fyne.KeyN))
		}
		kb.Tab()
		if got := widgets.TooltipShown(w); got != "" {
			t.Errorf("the tip %q stayed after the focus left", got)
		}
		s.list.Select(0)
		kb.TabToButton(T("sessions.register"))
		if got := widgets.TooltipShown(w); got != tip(fyne.KeyR) {
			t.Errorf("Register focused: tip %q, want %q", got, tip(fyne.KeyR))
		}
		if s.search.Tooltip != tip(fyne.KeyF) {
			t.Errorf("the search box's tip %q, want %q", s.search.Tooltip, tip(fyne.KeyF))
		}
	})
}
