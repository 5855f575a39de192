package ui

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// withSessions wires the session service and the merchant into a ppuEnv,
// as main does.
func (pe *ppuEnv) withSessions() *app.SessionService {
	pe.t.Helper()
	svc := app.NewSessionService(pe.db, pe.db, pe.site, pe.deps.Payments.(*app.PaymentService), nil)
	svc.Now = pe.clock.now
	pe.deps.Sessions = svc
	pe.deps.Merchant = &app.MerchantService{Sites: pe.db, Settings: pe.db}
	return svc
}

// openScheduleForm gives the department its budget for a day ten days on,
// shows the sessions screen and opens its schedule form with Schedule; the
// screen, the form and the day are returned.
func (pe *ppuEnv) openScheduleForm() (*sessionsScreen, *scheduleForm, time.Time) {
	pe.t.Helper()
	day := time.Now().AddDate(0, 0, 10)
	pe.allocateFor(time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, time.UTC))
	site, _ := pe.site.Site(context.Background())
	scr := newSessionsScreen(pe.deps, pe.w, site)
	pe.w.SetContent(scr.content)
	test.Tap(findButton(pe.w, T("sessions.schedule")))
	if scr.form == nil {
		pe.t.Fatalf("Schedule opened no form: %q", screenTexts(pe.w))
	}
	return scr, scr.form, day
}

// allocateFor gives the department 1 000,00 zł in the period of start.
func (pe *ppuEnv) allocateFor(start time.Time) {
	pe.t.Helper()
	ctx := context.Background()
	settings, err := pe.deps.Budgets.Settings(ctx)
	if err != nil {
		pe.t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Warsaw")
	if _, err := pe.deps.Budgets.Allocate(ctx, pe.admin, pe.dept.ID, settings.PeriodOf(start, loc).Key(),
		plnAmount(pe.t, "1000.00"), ""); err != nil {
		pe.t.Fatal(err)
	}
}

func durationIndex(t *testing.T, minutes int) int {
	for i, d := range durations {
		if d == minutes {
			return i
		}
	}
	t.Fatalf("no duration of %d minutes", minutes)
	return -1
}

// fillPayPerUse fills the real schedule form for a pay-per-use session in
// ten days: 90 minutes, 25 computers, 10 on the teleconference, paid by
// the department.
func fillPayPerUse(t *testing.T, f *scheduleForm, day time.Time) {
	t.Helper()
	test.Type(f.topic, "Szkolenie produktowe")
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	f.date.SetDate(&d)
	test.Type(f.clock, "10:00")
	f.duration.SetSelectedIndex(durationIndex(t, 90))
	f.sessionType.SetSelected(T("schedule.type_ppu"))
	if !f.ppuForm.Visible() || !f.startNow.Visible() {
		t.Fatal("the pay-per-use fields are hidden")
	}
	test.Type(f.computers, "25")
	test.Type(f.tele, "10")
	f.department.SetSelectedIndex(1)
}

// Pay-per-use estimate, from the real schedule form: fill the form,
// Schedule, read the estimate, Change, alter the duration, Schedule again,
// read the new estimate, pay through the sandbox, and Start.
func TestPayPerUseScheduleEstimateChangePayAndStart(t *testing.T) {
	pe := newPPUEnv(t)
	sessions := pe.withSessions()
	ctx := context.Background()
	_, f, day := pe.openScheduleForm()
	if !containsText(screenTexts(pe.w), T("schedule.type_ppu")) {
		t.Fatalf("no pay-per-use on the form: %q", screenTexts(pe.w))
	}
	fillPayPerUse(t, f, day)

	// More on the teleconference than connected: refused inline.
	f.tele.SetText("")
	test.Type(f.tele, "30")
	want := T("error.payperuse.teleconference_above_computers", map[string]any{"Teleconference": 30, "Computers": 25})
	if !f.save.Disabled() || !f.errs[sfTele].Visible() || f.errs[sfTele].Text != want {
		t.Fatalf("teleconference above computers: save disabled %v, %q", f.save.Disabled(), f.errs[sfTele].Text)
	}
	f.tele.SetText("10")
	if f.save.Disabled() {
		t.Fatalf("Schedule disabled: %q", screenTexts(pe.w))
	}

	// Schedule: the estimate of the example.
	test.Tap(f.save)
	est := f.estimate
	if est == nil {
		t.Fatalf("no estimate after Schedule: %q", f.message.Text)
	}
	if est.total.Text != pln(t, "342.00") || !strings.Contains(est.person.Text, "2,250") || !strings.Contains(est.person.Text, pln(t, "270.00")) ||
		!strings.Contains(est.tele.Text, "900") || !strings.Contains(est.tele.Text, pln(t, "72.00")) {
		t.Fatalf("estimate: %q %q %q", est.person.Text, est.tele.Text, est.total.Text)
	}
	if !strings.Contains(est.budget.Text, "Dział Sprzedaży") || !strings.Contains(est.budget.Text, pln(t, "1000.00")) ||
		!strings.Contains(est.budget.Text, pln(t, "658.00")) {
		t.Fatalf("budget: %q", est.budget.Text)
	}
	if !containsText(screenTexts(pe.w), T("estimate.title_for", map[string]any{"Topic": "Szkolenie produktowe"})) {
		t.Fatalf("the estimate is not on screen: %q", screenTexts(pe.w))
	}
	if !est.start.Disabled() || !strings.Contains(est.startWhy.Text, T("error.payperuse.unpaid")) {
		t.Fatalf("unpaid start: disabled %v, %q", est.start.Disabled(), est.startWhy.Text)
	}

	// Change: back to the form, every value kept.
	test.Tap(est.change)
	if f.estimate != nil || !containsText(screenTexts(pe.w), T("schedule.computers")) {
		t.Fatalf("Change did not go back to the form: %q", screenTexts(pe.w))
	}
	if f.topic.Text != "Szkolenie produktowe" || f.clock.Text != "10:00" || f.computers.Text != "25" || f.tele.Text != "10" ||
		f.duration.SelectedIndex() != durationIndex(t, 90) || f.department.SelectedIndex() != 1 || !f.payPerUse() {
		t.Fatalf("values lost: %q %q %q %q %d %d", f.topic.Text, f.clock.Text, f.computers.Text, f.tele.Text,
			f.duration.SelectedIndex(), f.department.SelectedIndex())
	}

	// Alter the duration, Schedule again: the new figures.
	f.duration.SetSelectedIndex(durationIndex(t, 120))
	test.Tap(f.save)
	est = f.estimate
	if est == nil || est.total.Text != pln(t, "456.00") || !strings.Contains(est.person.Text, "3,000") ||
		!strings.Contains(est.tele.Text, "1,200") || !strings.Contains(est.budget.Text, pln(t, "544.00")) {
		t.Fatalf("new estimate: %+v", est)
	}
	if _, n, _ := sessions.List(ctx, app.SessionFilter{When: app.SessionsAll}); n != 1 {
		t.Fatalf("Schedule again made %d sessions", n)
	}

	// Pay through the sandbox, then Start, within the session's start
	// window (from 15 minutes before).
	pe.clock.setTo(f.existing.StartsAt.Add(-15 * time.Minute))
	test.Tap(est.pay)
	if est.card == nil {
		t.Fatalf("no card dialog: %q", screenTexts(pe.w))
	}
	if !containsText(screenTexts(pe.w), T("pay.amount_due", map[string]any{"Amount": pln(t, "456.00")})) {
		t.Fatalf("card dialog: %q", screenTexts(pe.w))
	}
	fillCard(pe.w, est.card, "4111111111111111", "123")
	test.Tap(est.card.Widgets().Pay)
	test.Tap(est.card.Widgets().Close)
	if est.start.Disabled() || est.pay.Visible() {
		t.Fatalf("after paying: start disabled %v (%q)", est.start.Disabled(), est.startWhy.Text)
	}
	test.Tap(est.start)
	if est.status.Text != T("estimate.started") {
		t.Fatalf("start: %q", est.status.Text)
	}
	rows, _, _ := sessions.List(ctx, app.SessionFilter{When: app.SessionsAll})
	acc, _ := pe.db.PayPerUseAccount(ctx, rows[0].ID)
	if acc.StartedAt.IsZero() || acc.PaidMinor != 45600 || rows[0].PaidPaymentID == 0 {
		t.Fatalf("after the start: %+v", acc)
	}
	// The list shows it paid.
	test.Tap(f.closeBtn)
	if !containsText(screenTexts(pe.w), T("sessions.pay_per_use_paid")) {
		t.Fatalf("list: %q", screenTexts(pe.w))
	}
}

// The sessions list gates Start as the estimate does: disabled with the
// reason until paid, and Start Session on the form saves a session that
// starts now.
func TestSessionsListStartGatedAndStartSession(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	ctx := context.Background()
	pe.allocateFor(time.Now())
	site, _ := pe.site.Site(ctx)
	scr := newSessionsScreen(pe.deps, pe.w, site)
	pe.w.SetContent(scr.content)
	test.Tap(findButton(pe.w, T("sessions.schedule")))
	f := scr.form
	fillPayPerUse(t, f, time.Now().AddDate(0, 0, 3))
	f.date.SetDate(nil)
	f.clock.SetText("")
	if !f.save.Disabled() || f.startNow.Disabled() {
		t.Fatalf("without a start: Schedule disabled %v, Start Session disabled %v", f.save.Disabled(), f.startNow.Disabled())
	}
	test.Tap(f.startNow)
	if f.estimate == nil || f.existing == nil || time.Until(f.existing.StartsAt) > 2*time.Minute {
		t.Fatalf("Start Session: %+v %q", f.existing, f.message.Text)
	}
	test.Tap(f.closeBtn)
	scr.list.Select(0)
	if !scr.start.Disabled() || !strings.Contains(scr.startWhy.Text, T("error.payperuse.unpaid")) ||
		!containsText(screenTexts(pe.w), T("sessions.pay_per_use_unpaid")) {
		t.Fatalf("unpaid in the list: start disabled %v, %q", scr.start.Disabled(), scr.startWhy.Text)
	}
	if !scr.usage.Disabled() {
		t.Fatal("actual usage offered before paying")
	}
	c, err := pe.svc.PrepareCharge(ctx, f.existing.ID)
	if err != nil {
		t.Fatal(err)
	}
	chargeByCard(t, pe, c)
	scr.reload()
	scr.list.Select(0)
	if scr.start.Disabled() || scr.usage.Disabled() {
		t.Fatalf("paid: start disabled %v (%q)", scr.start.Disabled(), scr.startWhy.Text)
	}
	test.Tap(scr.start)
	if acc, _ := pe.db.PayPerUseAccount(ctx, f.existing.ID); acc.StartedAt.IsZero() {
		t.Fatal("not started")
	}
}

// Pay-per-use switched off: the option tells the host to contact the
// site administrator (who switches it back on) and nothing can be
// scheduled with it.
func TestPayPerUseOptionWhenTheFeatureIsOff(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	if err := pe.site.SetFeatureEnabled(context.Background(), pe.admin, app.FeaturePayPerUse, false); err != nil {
		t.Fatal(err)
	}
	site, _ := pe.site.Site(context.Background())
	f := newScheduleForm(pe.deps, pe.w, site, nil, nil, nil)
	f.show()
	f.sessionType.SetSelected(T("schedule.type_ppu_unavailable"))
	test.Type(f.topic, "Szkolenie")
	if !f.payPerUse() || !f.ppuNote.Visible() || !strings.Contains(f.ppuNote.Text, "Contact your site administrator") ||
		!f.computers.Disabled() || !f.save.Disabled() || !f.startNow.Disabled() {
		t.Fatalf("feature off: note %q, save disabled %v", f.ppuNote.Text, f.save.Disabled())
	}
}

func chargeByCard(t *testing.T, pe *ppuEnv, c app.PayPerUseCharge) {
	t.Helper()
	if _, err := pe.deps.Payments.Charge(context.Background(), app.ChargeRequest{
		Purpose: c.Purpose, Reference: c.Reference,
		Amount: c.Amount, Method: app.MethodCreditCard, Payer: c.Payer,
		Card: &app.Card{
			Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 2,
			Holder: "Ewa Kowalska",
		},
	}); err != nil {
		t.Fatal(err)
	}
}

// paidSession is pe.session(90) paid by card (342,00 zł).
func paidSession(t *testing.T, pe *ppuEnv) app.Session {
	s := pe.session(90)
	c, err := pe.svc.PrepareCharge(context.Background(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	chargeByCard(t, pe, c)
	return s
}

// After the session: the actual usage entered, the rise charged to the
// budget owner through the card dialog (a true-up payment), then a lower
// figure refunded; the ledger records both as true-ups.
func TestActualUsageChargesThenRefundsTheDifference(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	ctx := context.Background()
	s := paidSession(t, pe)
	v := showActualUsage(pe.deps, pe.w, s, nil)
	if v.result.Visible() || v.duration.Text != "90" || v.computers.Text != "25" || v.tele.Text != "10" {
		t.Fatalf("before: %q %q %q", v.duration.Text, v.computers.Text, v.tele.Text)
	}
	v.tele.SetText("26")
	if !v.record.Disabled() || !v.fieldErr.Visible() {
		t.Fatal("teleconference above computers accepted")
	}
	v.tele.SetText("10")
	v.duration.SetText("120") // 3 000 × 0,12 + 1 200 × 0,08 = 456,00: 114,00 more
	test.Tap(v.record)
	if v.total.Text != pln(t, "456.00") || v.status.Text != T("usage.diff_charge", map[string]any{"Amount": pln(t, "114.00")}) ||
		!v.charge.Visible() {
		t.Fatalf("true-up: %q %q", v.total.Text, v.status.Text)
	}
	test.Tap(v.charge)
	card := v.payment.card
	if card == nil || card.Request().Purpose != app.PurposeTrueUp || card.Request().Payer.Email != "ewa@example.com" {
		t.Fatalf("true-up payment: %+v", v.payment)
	}
	fillCard(pe.w, card, "4111111111111111", "123")
	test.Tap(card.Widgets().Pay)
	test.Tap(card.Widgets().Close)
	if v.status.Text != T("usage.diff_none") || v.charge.Visible() {
		t.Fatalf("after the charge: %q", v.status.Text)
	}

	// A corrected, lower figure: 60 minutes is 228,00, so 228,00 back.
	v.duration.SetText("60")
	test.Tap(v.record)
	if v.status.Text != T("usage.diff_refund", map[string]any{"Amount": pln(t, "228.00")}) || !v.refund.Visible() {
		t.Fatalf("lower: %q", v.status.Text)
	}
	test.Tap(v.refund)
	if v.status.Text != T("usage.diff_none") {
		t.Fatalf("after the refund: %q", v.status.Text)
	}
	q, _ := pe.svc.Quote(ctx, s.ID)
	ledger, err := pe.db.Ledger(ctx, pe.dept.ID, q.Budget.Period)
	if err != nil {
		t.Fatal(err)
	}
	var trueUps []int64
	for _, e := range ledger {
		if e.Kind == app.LedgerTrueUp {
			trueUps = append(trueUps, e.AmountMinor)
		}
	}
	var sum int64
	for _, a := range trueUps {
		sum += a
	}
	if len(trueUps) < 2 || sum != 11400-22800 {
		t.Fatalf("ledger true-ups: %v", trueUps)
	}
	// The session is still ahead: what it costs is committed.
	if q.Budget.SpentMinor+q.Budget.CommittedMinor != 22800 {
		t.Fatalf("spent and committed after the true-up: %+v", q.Budget)
	}
}

// The usage CSV: bad lines reported with their numbers, a preview before
// anything is recorded, then Apply.
func TestUsageImportPreviewAndApply(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	ctx := context.Background()
	s := paidSession(t, pe)
	unpaid := pe.session(60)
	csv := "session,person_minutes,teleconference_minutes\n" +
		strconv.FormatInt(s.ID, 10) + ",2000,1000\n" + // 240,00 + 80,00 = 320,00: 22,00 back
		strconv.FormatInt(unpaid.ID, 10) + ",100,0\n" +
		"abc,1,1\n" +
		"5,10,20\n"
	v := showUsageImport(pe.deps, pe.w, nil)
	v.read("usage.csv", io.NopCloser(strings.NewReader(csv)))
	if v.summary.Text != T("usage.preview_summary", map[string]any{"Good": 1, "Bad": 3}) || v.apply.Disabled() {
		t.Fatalf("summary: %q", v.summary.Text)
	}
	for i, want := range []string{
		"Line 2: session " + strconv.FormatInt(s.ID, 10),
		"Line 3: " + T("error.usage.unpaid", map[string]any{"ID": unpaid.ID, "Topic": unpaid.Topic}),
		"Line 4: " + T("error.usage.session", map[string]any{"Value": "abc"}),
		"Line 5: " + T("error.usage.tele_above_person", map[string]any{"Teleconference": 20, "Person": 10}),
	} {
		if !strings.HasPrefix(v.rows[i], want) {
			t.Errorf("row %d: %q, want %q", i, v.rows[i], want)
		}
	}
	if !strings.Contains(v.rows[0], T("usage.diff_refund", map[string]any{"Amount": pln(t, "22.00")})) {
		t.Errorf("preview: %q", v.rows[0])
	}
	if acc, _ := pe.db.PayPerUseAccount(ctx, s.ID); acc.Actual != nil {
		t.Fatal("the preview recorded the usage")
	}
	test.Tap(v.apply)
	if v.summary.Text != T("usage.applied", map[string]any{"Count": 1, "Bad": 0}) {
		t.Fatalf("applied: %q", v.summary.Text)
	}
	acc, _ := pe.db.PayPerUseAccount(ctx, s.ID)
	if acc.Actual == nil || acc.Actual.Source != app.UsageSourceImport || acc.Actual.PersonMinutes != 2000 {
		t.Fatalf("recorded: %+v", acc.Actual)
	}
	v.read("empty.csv", io.NopCloser(strings.NewReader("")))
	if v.summary.Text != T("error.usage.empty") || !v.apply.Disabled() {
		t.Fatalf("empty file: %q", v.summary.Text)
	}
}

// The new pay-per-use screens in Polish: the schedule form with its
// pay-per-use fields (and an inline error), the estimate reached from it,
// the sessions list with its paid state and Start, the Actual usage dialog
// and the usage import with its bad lines.
func TestPayPerUseScheduleAndUsageInPolish(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	frags := englishFragments(t)
	SetLanguage("pl")
	ctx := context.Background()
	scr, f, day := pe.openScheduleForm()
	fillPayPerUse(t, f, day)
	test.Type(f.tele, "0") // 100 on the teleconference, of 25
	assertPolish(t, "schedule form, pay-per-use, teleconference above computers", pe.w, frags)
	f.tele.SetText("10")
	assertPolish(t, "schedule form, pay-per-use", pe.w, frags)
	test.Tap(f.save)
	if f.estimate == nil || !strings.Contains(f.estimate.total.Text, "342,00") {
		t.Fatalf("estimate from the form: %+v", f.estimate)
	}
	assertPolish(t, "estimate from the form", pe.w, frags)
	test.Tap(f.estimate.change)
	assertPolish(t, "form after Change", pe.w, frags)
	test.Tap(f.save)
	test.Tap(f.closeBtn)
	scr.list.Select(0)
	assertPolish(t, "sessions list, pay-per-use unpaid", pe.w, frags)
	if !containsText(screenTexts(pe.w), T("sessions.pay_per_use_unpaid")) {
		t.Fatalf("list: %q", screenTexts(pe.w))
	}

	c, err := pe.svc.PrepareCharge(ctx, f.existing.ID)
	if err != nil {
		t.Fatal(err)
	}
	chargeByCard(t, pe, c)
	v := showActualUsage(pe.deps, pe.w, *f.existing, nil)
	assertPolish(t, "actual usage", pe.w, frags)
	v.duration.SetText("120")
	test.Tap(v.record)
	assertPolish(t, "actual usage, difference to charge", pe.w, frags)
	if !strings.Contains(v.status.Text, "114,00") {
		t.Fatalf("Polish true-up: %q", v.status.Text)
	}
	v.dlg.Hide()

	u := showUsageImport(pe.deps, pe.w, nil)
	assertPolish(t, "usage import", pe.w, frags)
	u.read("uzycie.csv", io.NopCloser(strings.NewReader("sesja;osobominuty;minuty\n"+
		strconv.FormatInt(f.existing.ID, 10)+";2000;1000\nabc;1;1\n7;1\n")))
	assertPolish(t, "usage import, preview with bad lines", pe.w, frags)
	if !strings.HasPrefix(u.rows[1], "Wiersz 3: ") {
		t.Fatalf("Polish rows: %q", u.rows)
	}
	test.Tap(u.apply)
	assertPolish(t, "usage import, applied", pe.w, frags)
}
