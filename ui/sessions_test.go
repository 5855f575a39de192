package ui

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/receipt/receipttest"
	"github.com/trainpay/trainpay/ui/uitest"
)

// sessionsEnv is payEnv (Test-mode PL/PLN site, sandbox behind the card
// processor) with paid sessions enabled and the session service wired.
type sessionsEnv struct {
	*payEnv
	svc *app.SessionService
}

func newSessionsEnv(t *testing.T, language string, paidEnabled bool, promo app.PromoRedeemer) *sessionsEnv {
	t.Helper()
	return newSessionsEnvOn(t, newPayEnv(t, nil), language, paidEnabled, promo)
}

// newSessionsEnvOn is newSessionsEnv on the site and payments of pe.
func newSessionsEnvOn(t *testing.T, pe *payEnv, language string, paidEnabled bool, promo app.PromoRedeemer) *sessionsEnv {
	t.Helper()
	ctx := context.Background()
	pe.provision(app.FeaturePaidSessions)
	if paidEnabled {
		states, _ := pe.db.Features(ctx)
		for i := range states {
			if states[i].Feature == app.FeaturePaidSessions {
				states[i].Enabled = true
			}
		}
		if err := pe.db.SaveFeatures(ctx, states, nil); err != nil {
			t.Fatal(err)
		}
	}
	pay := pe.deps.Payments.(*app.PaymentService)
	svc := app.NewSessionService(pe.db, pe.db, pe.site, pay, promo)
	pe.deps.Sessions = svc
	pe.deps.Merchant = &app.MerchantService{Sites: pe.db, Settings: pe.db}
	SetLanguage(language)
	return &sessionsEnv{payEnv: pe, svc: svc}
}

func (e *sessionsEnv) site() app.Site {
	s, err := e.svc.SiteInfo(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// form opens the schedule form in the window.
func (e *sessionsEnv) form(paidErr error) *scheduleForm {
	f := newScheduleForm(e.deps, e.w, e.site(), nil, paidErr, nil)
	f.show()
	return f
}

// fillValid fills everything but the fee with valid values.
func fillValid(w fyne.Window, f *scheduleForm) {
	test.Type(f.topic, "Excel dla księgowych")
	day := time.Now().AddDate(0, 0, 10)
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	f.date.SetDate(&d)
	test.Type(f.clock, "10:00")
	test.Type(f.capacity, "20")
	f.sessionType.SetSelected(T("schedule.type_paid"))
}

func typeFee(f *scheduleForm, text string) {
	f.fee.SetText("")
	test.Type(f.fee, text)
}

// Acceptance 1: the Fee typed in Polish and English format, invalid input
// explained inline with Schedule disabled, and a paid session scheduled and
// found in the list.
func TestScheduleFeePolishFormatAndRejections(t *testing.T) {
	e := newSessionsEnv(t, "pl", true, nil)
	f := e.form(nil)
	fillValid(e.w, f)
	if !f.register.Checked || !f.register.Disabled() {
		t.Fatal("a paid session turns registration on and locks it on")
	}
	typeFee(f, "12,50")
	if f.save.Disabled() || f.errs[sfFee].Visible() {
		t.Fatalf("12,50 refused: %q", f.errs[sfFee].Text)
	}
	if !strings.Contains(plain(f.feeFormatted.Text), "12,50 zł") {
		t.Errorf("formatted fee: %q", f.feeFormatted.Text)
	}
	for input, want := range map[string]string{
		"abc":    "To nie jest kwota",
		"0":      "Kwota musi być większa od zera",
		"-5":     "Kwota nie może być ujemna",
		"12,345": "Za dużo miejsc po przecinku: najwyżej 2",
		"12.50":  "Przed groszami wpisz przecinek",
		"100001": "Opłata jest za duża",
	} {
		typeFee(f, input)
		if !f.save.Disabled() {
			t.Errorf("%q: Schedule is enabled", input)
		}
		if !f.errs[sfFee].Visible() || !strings.Contains(f.errs[sfFee].Text, want) {
			t.Errorf("%q: message %q (visible %v), want %q", input, f.errs[sfFee].Text, f.errs[sfFee].Visible(), want)
		}
		if !hasText(screenTexts(e.w), want) {
			t.Errorf("%q: %q is not on screen", input, want)
		}
	}
	typeFee(f, "1 234,56")
	if f.save.Disabled() {
		t.Fatalf("1 234,56 refused: %q", f.errs[sfFee].Text)
	}
	test.Tap(f.save)
	page, total, err := e.svc.List(context.Background(), app.SessionFilter{Topic: "księgowych"})
	if err != nil || total != 1 || page[0].FeeMinor != 123456 || page[0].Type != app.SessionPaid || page[0].Currency != "PLN" {
		t.Fatalf("scheduled: %+v %v", page, err)
	}
	// The list shows it.
	s := newSessionsScreen(e.deps, e.w, e.site())
	e.w.SetContent(s.content)
	test.Type(s.search, "księgowych")
	if s.length() != 1 {
		t.Fatalf("the list finds %d", s.length())
	}
	texts := screenTexts(e.w)
	for _, want := range []string{"Excel dla księgowych", "1234,56 zł", "0 z 20"} {
		if !hasText(texts, want) {
			t.Errorf("list lacks %q: %q", want, texts)
		}
	}
}

func TestScheduleFeeEnglishFormat(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	f := e.form(nil)
	fillValid(e.w, f)
	typeFee(f, "12.50")
	if f.save.Disabled() {
		t.Fatalf("12.50 refused: %q", f.errs[sfFee].Text)
	}
	if !strings.Contains(plain(f.feeFormatted.Text), "PLN") || !strings.Contains(plain(f.feeFormatted.Text), "12.50") {
		t.Errorf("formatted fee: %q", f.feeFormatted.Text)
	}
	for input, want := range map[string]string{
		"abc":    T("money.err.syntax"),
		"0":      T("money.err.zero"),
		"-5":     T("money.err.negative"),
		"12.345": T("money.err.too_many_digits", map[string]any{"Digits": 2}),
	} {
		typeFee(f, input)
		if !f.save.Disabled() || !f.errs[sfFee].Visible() || f.errs[sfFee].Text != want {
			t.Errorf("%q: message %q, want %q", input, f.errs[sfFee].Text, want)
		}
	}
	typeFee(f, "1,234.56")
	if f.save.Disabled() {
		t.Fatalf("1,234.56 refused: %q", f.errs[sfFee].Text)
	}
	test.Tap(f.save)
	rows, _, _ := e.svc.List(context.Background(), app.SessionFilter{})
	if len(rows) != 1 || rows[0].FeeMinor != 123456 {
		t.Fatalf("scheduled %+v", rows)
	}
}

// Acceptance 5: with paid sessions disabled, the Fee field is disabled and
// shows the administrator message.
func TestFeeDisabledWhenPaidSessionsOff(t *testing.T) {
	e := newSessionsEnv(t, "en", false, nil)
	paidErr := e.svc.PaidSessionsAvailable(context.Background())
	if app.ErrorCode(paidErr) != app.EUNAVAILABLE {
		t.Fatalf("paid sessions: %v", paidErr)
	}
	f := e.form(paidErr)
	if !f.fee.Disabled() {
		t.Fatal("the Fee field is enabled")
	}
	if !f.feeNote.Visible() || f.feeNote.Text != "To charge a fee, contact your site administrator." {
		t.Fatalf("note %q", f.feeNote.Text)
	}
	if !hasText(screenTexts(e.w), "To charge a fee, contact your site administrator.") {
		t.Fatal("the administrator message is not on screen")
	}
	// A free session can still be scheduled.
	test.Type(f.topic, "Open day")
	day := time.Now().AddDate(0, 0, 3)
	f.date.SetDate(&day)
	test.Type(f.clock, "09:30")
	if f.save.Disabled() {
		t.Fatal("a free session cannot be scheduled")
	}
	test.Tap(f.save)
	// Through the sessions section, the same.
	s := newSessionsScreen(e.deps, e.w, e.site())
	e.w.SetContent(s.content)
	test.Tap(findButton(e.w, T("sessions.schedule")))
	if !hasText(screenTexts(e.w), "To charge a fee, contact your site administrator.") {
		t.Error("the section's form lacks the message")
	}
}

// schedulePaid stores a paid session starting in ten days.
func (e *sessionsEnv) schedulePaid(topic string, feeMinor int64, capacity int) app.Session {
	return uitest.SchedulePaid(e.t, e.svc, topic, feeMinor, capacity)
}

// registerAttendee fills the registration page and continues.
func registerAttendee(t *testing.T, f *registerFlow, first, last, email string) {
	t.Helper()
	test.Type(f.first, first)
	test.Type(f.last, last)
	test.Type(f.email, email)
	test.Type(f.company, "Acme")
	if f.next.Disabled() {
		t.Fatalf("Continue is disabled: %q", f.message.Text)
	}
	test.Tap(f.next)
}

// Acceptance 2: register, no code, pay by card through the offline sandbox,
// and a receipt PDF whose text shows the amount.
func TestRegisterPayByCardAndReceipt(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	s := e.schedulePaid("Negotiation basics", 249_99, 10)
	f := showRegisterDialog(e.deps, e.w, s, nil)
	registerAttendee(t, f, "Anna", "Kowalska", "anna@example.com")
	p := f.payment
	if p == nil {
		t.Fatalf("no Payment Information page: %q", f.message.Text)
	}
	texts := screenTexts(e.w)
	for _, want := range []string{
		"Payment Information", "Fee: PLN 249.99", "Total to pay: PLN 249.99",
		"Promotional codes are not enabled on this site",
	} {
		if !hasText(texts, want) {
			t.Errorf("Payment Information lacks %q: %q", want, texts)
		}
	}
	if p.PayButton().Disabled() {
		t.Fatal("Pay is disabled")
	}
	test.Tap(p.PayButton())
	d := payByCard(t, e.w, p)
	if _, err := d.Outcome(); err != nil {
		t.Fatalf("payment: %v", err)
	}
	test.Tap(findButton(e.w, T("pay.close")))
	reg := f.reg
	if reg.Status != app.RegPaid || reg.PaidMinor != 249_99 || reg.Brand != app.BrandVisa || reg.Last4 != "1111" {
		t.Fatalf("registration after paying: %+v", reg)
	}
	if !hasText(screenTexts(e.w), "Confirmation number: "+reg.Confirmation) {
		t.Errorf("no confirmation number on screen: %q", screenTexts(e.w))
	}
	if e.charges() != 1 {
		t.Errorf("sandbox charges: %d", e.charges())
	}
	var pdf bytes.Buffer
	if err := writeReceipt(context.Background(), e.deps, reg.ID, &pdf); err != nil {
		t.Fatal(err)
	}
	text := receipttest.Text(pdf.Bytes())
	for _, want := range []string{"PLN 249.99", "TEST MODE", reg.Confirmation, "Anna Kowalska", "Visa •••• 1111", reg.GatewayRef} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
}

// Registering the same email again is refused with a clear message, with
// no second charge.
func TestRegisterSameEmailTwiceUI(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	s := e.schedulePaid("Twice", 10_00, 10)
	if _, err := e.svc.Register(context.Background(), s.ID, app.Attendee{FirstName: "A", LastName: "B", Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	f := showRegisterDialog(e.deps, e.w, s, nil)
	registerAttendee(t, f, "A", "B", "A@Example.com")
	if f.payment != nil || !f.message.Visible() || !strings.Contains(f.message.Text, "a@example.com is already registered for this session") {
		t.Fatalf("message %q", f.message.Text)
	}
}

// A declined card keeps the registration pending; closing the dialog says
// the seat is held.
func TestRegisterDeclineKeepsPending(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	s := e.schedulePaid("Declined", 1012_00, 10)
	f := showRegisterDialog(e.deps, e.w, s, nil)
	registerAttendee(t, f, "Jan", "Nowak", "jan@example.com")
	test.Tap(f.payment.PayButton())
	d := payByCard(t, e.w, f.payment)
	if _, err := d.Outcome(); app.ErrorCode(err) != app.EDECLINED || !d.Widgets().Message.Visible() {
		t.Fatalf("decline: %v", err)
	}
	test.Tap(d.Widgets().Cancel)
	if !strings.Contains(plain(f.payment.Widgets().Message.Text), "Nothing was charged. Your seat is held until") {
		t.Errorf("message %q", f.payment.Widgets().Message.Text)
	}
	if r, _ := e.svc.Registration(context.Background(), f.reg.ID); r.Status != app.RegPendingPayment {
		t.Errorf("status %s", r.Status)
	}
	if f.payment.PayButton().Disabled() {
		t.Error("the attendee cannot try again")
	}
}

// fakePromo is a PromoRedeemer with one code per discount percentage.
type fakePromo struct {
	reserved, released, confirmed int
}

func (p *fakePromo) Quote(_ context.Context, sessionID int64, email, code string) (app.PromoQuote, error) {
	var pct int64
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "HALF":
		pct = 50
	case "FREE":
		pct = 100
	default:
		return app.PromoQuote{}, app.Errorf(app.ENOTFOUND, "error.sessions.promo_stale", "unknown code")
	}
	return app.PromoQuote{
		CodeID: 1, Code: strings.ToUpper(code), SessionID: sessionID, Email: email,
		FeeMinor: 200_00, DiscountMinor: 200_00 * pct / 100, TotalMinor: 200_00 - 200_00*pct/100, Currency: "PLN",
	}, nil
}

func (p *fakePromo) Reserve(context.Context, app.PromoQuote, int64) (int64, error) {
	p.reserved++
	return int64(p.reserved), nil
}
func (p *fakePromo) Renew(context.Context, int64) error       { return nil }
func (p *fakePromo) Release(context.Context, int64) error     { p.released++; return nil }
func (p *fakePromo) ConfirmFree(context.Context, int64) error { p.confirmed++; return nil }

// A 100% code confirms without calling any gateway; a 50% code shows the
// discount and the new total before paying.
func TestPromoCodeOnPaymentInformation(t *testing.T) {
	promo := &fakePromo{}
	e := newSessionsEnv(t, "en", true, promo)
	s := e.schedulePaid("Discounts", 200_00, 10)

	f := showRegisterDialog(e.deps, e.w, s, nil)
	registerAttendee(t, f, "Ewa", "Lis", "ewa@example.com")
	p := f.payment
	test.Type(p.Widgets().Code, "half")
	test.Tap(p.Widgets().Apply)
	texts := screenTexts(e.w)
	for _, want := range []string{"Discount (HALF): −PLN 100.00", "Total to pay: PLN 100.00"} {
		if !hasText(texts, want) {
			t.Errorf("lacks %q: %q", want, texts)
		}
	}
	if plain(p.PayButton().Text) != "Pay PLN 100.00" {
		t.Errorf("pay button %q", p.PayButton().Text)
	}
	f.dlg.Hide()

	f = showRegisterDialog(e.deps, e.w, s, nil)
	registerAttendee(t, f, "Olga", "Lis", "olga@example.com")
	p = f.payment
	test.Type(p.Widgets().Code, "FREE")
	test.Tap(p.Widgets().Apply)
	if p.PayButton().Text != "Confirm registration" {
		t.Fatalf("pay button %q", p.PayButton().Text)
	}
	test.Tap(p.PayButton())
	if p.Card() != nil {
		t.Fatal("a zero total opened the card dialog")
	}
	if f.reg.Status != app.RegPaid || f.reg.TotalMinor != 0 || f.reg.PromoCode != "FREE" || promo.confirmed != 1 {
		t.Fatalf("free registration %+v, confirmed %d", f.reg, promo.confirmed)
	}
	if e.charges() != 0 || len(e.journal()) != 0 {
		t.Errorf("a gateway was called: %d charges, %d journal rows", e.charges(), len(e.journal()))
	}
	if !hasText(screenTexts(e.w), "You are registered.") {
		t.Errorf("no confirmation: %q", screenTexts(e.w))
	}
}

// Acceptance 4 through the registrations view: cancelling within the
// window refunds through the sandbox; outside it the reason is shown.
func TestRegistrationsCancelWindowUI(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	ctx := context.Background()
	inWindow := e.schedulePaid("Far away", 80_00, 10)
	late, err := e.svc.Schedule(ctx, app.Session{
		Topic: "Tomorrow", StartsAt: time.Now().Add(20 * time.Hour),
		DurationMinutes: 60, Type: app.SessionPaid, FeeMinor: 80_00, MaxRegistrations: 10,
		AttendeesMayCancel: true, CancelHoursBefore: 48, RefundPercent: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	pay := func(s app.Session) app.Registration {
		a := app.Attendee{FirstName: "Piotr", LastName: "Wiśniewski", Email: "piotr@example.com"}
		r, err := e.svc.Register(ctx, s.ID, a)
		if err != nil {
			t.Fatal(err)
		}
		card := &app.Card{Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 3, Holder: "Piotr W"}
		r, _, err = e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, card, app.Payer{FirstName: "Piotr", LastName: "W", Country: "PL", PostalCode: "00-001"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r1, r2 := pay(inWindow), pay(late)

	v := showRegistrations(e.deps, e.w, inWindow, nil)
	v.list.Select(0)
	test.Tap(v.cancel)
	test.Tap(findButton(e.w, "Yes"))
	got, _ := e.svc.Registration(ctx, r1.ID)
	if got.Status != app.RegRefunded || !strings.Contains(v.message.Text, "Refunded") {
		t.Fatalf("in window: %s, %q", got.Status, v.message.Text)
	}
	refunds := 0
	for _, en := range e.sb.Ledger() {
		if en.Type == "refund" && en.OrigPNREF == r1.GatewayRef && en.Amount == "80.00" {
			refunds++
		}
	}
	if refunds != 1 {
		t.Errorf("sandbox refunds of the sale: %d", refunds)
	}
	if !hasText(screenTexts(e.w), "Refunded") {
		t.Errorf("the list does not read refunded: %q", screenTexts(e.w))
	}
	v.dlg.Hide()

	v = showRegistrations(e.deps, e.w, late, nil)
	v.list.Select(0)
	test.Tap(v.cancel) // refused before any confirmation
	if findButton(e.w, "Yes") != nil {
		t.Fatalf("a confirmation for a cancellation the session refuses: %q", screenTexts(e.w))
	}
	if !strings.Contains(v.message.Text, "Too late to cancel: attendees may cancel until 48 hours before the start") {
		t.Fatalf("outside the window: %q", v.message.Text)
	}
	if got, _ := e.svc.Registration(ctx, r2.ID); got.Status != app.RegPaid {
		t.Errorf("status %s", got.Status)
	}
	// CSV export for accounting.
	data := sessionCSV(t, e.deps, late.ID)
	if !strings.Contains(string(data), r2.Confirmation+","+strconv.FormatInt(late.ID, 10)+",Piotr,Wiśniewski") {
		t.Errorf("CSV:\n%s", data)
	}
}

// Cancelling a session says how many paid registrations are refunded and
// how much, then refunds them.
func TestCancelSessionConfirmation(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	ctx := context.Background()
	s := e.schedulePaid("To cancel", 150_00, 10)
	for _, email := range []string{"a@example.com", "b@example.com"} {
		r, _ := e.svc.Register(ctx, s.ID, app.Attendee{FirstName: "A", LastName: "B", Email: email})
		card := &app.Card{Number: []byte("5555555555554444"), CVV: []byte("123"), ExpMonth: 1, ExpYear: time.Now().Year() + 2, Holder: "A B"}
		if _, _, err := e.svc.PayByCard(ctx, r.ID, nil, app.MethodCreditCard, card, app.Payer{FirstName: "A", LastName: "B", Country: "PL", PostalCode: "00-001"}); err != nil {
			t.Fatal(err)
		}
	}
	scr := newSessionsScreen(e.deps, e.w, e.site())
	e.w.SetContent(scr.content)
	scr.list.Select(0)
	test.Tap(scr.cancel)
	if !hasText(screenTexts(e.w), "Paid registrations to refund in full: 2, PLN 300.00 in all") {
		t.Fatalf("confirmation: %q", screenTexts(e.w))
	}
	test.Tap(findButton(e.w, "Yes"))
	if !hasText(screenTexts(e.w), "Refunded registrations: 2 (PLN 300.00)") {
		t.Errorf("result: %q", screenTexts(e.w))
	}
	if got, _ := e.svc.Session(ctx, s.ID); got.Status != app.SessionCancelled {
		t.Errorf("status %s", got.Status)
	}
}

// The Polish walk: every string on the sessions screens is Polish.
func TestSessionsPolishWalk(t *testing.T) {
	promo := &fakePromo{}
	e := newSessionsEnv(t, "pl", true, promo)
	frags := englishFragments(t)
	ctx := context.Background()
	s := e.schedulePaid("Zarządzanie czasem", 200_00, 10)

	scr := newSessionsScreen(e.deps, e.w, e.site())
	e.w.SetContent(scr.content)
	assertPolish(t, "sessions list", e.w, frags)
	scr.list.Select(0)
	assertPolish(t, "session selected", e.w, frags)
	test.Tap(findButton(e.w, T("sessions.schedule")))
	assertPolish(t, "schedule form", e.w, frags)
	for _, o := range e.w.Canvas().Overlays().List() {
		e.w.Canvas().Overlays().Remove(o)
	}

	f := newScheduleForm(e.deps, e.w, e.site(), nil, app.Errorf(app.EUNAVAILABLE, "error.feature.contact_site_admin", "x").
		With(map[string]any{"Feature": "paid-sessions"}), nil)
	f.show()
	test.Type(f.fee, "x")
	assertPolish(t, "schedule form, paid sessions off", e.w, frags)
	f.dlg.Hide()

	fl := showRegisterDialog(e.deps, e.w, s, nil)
	assertPolish(t, "registration", e.w, frags)
	registerAttendee(t, fl, "Zofia", "Łęcka", "zofia@example.pl")
	assertPolish(t, "Payment Information", e.w, frags)
	test.Type(fl.payment.Widgets().Code, "FREE")
	test.Tap(fl.payment.Widgets().Apply)
	assertPolish(t, "code applied", e.w, frags)
	test.Tap(fl.payment.PayButton())
	assertPolish(t, "confirmed", e.w, frags)
	fl.dlg.Hide()

	v := showRegistrations(e.deps, e.w, s, nil)
	v.list.Select(0)
	assertPolish(t, "registrations", e.w, frags)
	v.dlg.Hide()

	// The receipt in Polish.
	var pdf bytes.Buffer
	if err := writeReceipt(ctx, e.deps, fl.reg.ID, &pdf); err != nil {
		t.Fatal(err)
	}
	text := receipttest.Text(pdf.Bytes())
	for _, want := range []string{"Potwierdzenie płatności", "TRYB TESTOWY", "0,00 zł", "Rabat (kod FREE)"} {
		if !strings.Contains(text, want) {
			t.Errorf("Polish receipt lacks %q:\n%s", want, text)
		}
	}
}

// plain replaces the no-break spaces CLDR puts in amounts with spaces.
func plain(s string) string                  { return uitest.Plain(s) }
func hasText(all []string, want string) bool { return uitest.HasText(all, want) }
