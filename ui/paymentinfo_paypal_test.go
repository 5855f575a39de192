package ui

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/receipt/receipttest"
	"github.com/trainpay/trainpay/ui/checkout"
	"github.com/trainpay/trainpay/ui/uitest"
)

// paypalSessionsEnv is a US site in USD, in Test mode, that offers cards
// and PayPal Express Checkout, with paid sessions and promotional codes
// enabled behind the real session and promo services, the offline sandbox
// and the buyer's browser replaced by uitest.SandboxBrowser.
type paypalSessionsEnv struct {
	*adminEnv
	b     *uitest.SandboxBrowser
	svc   *app.SessionService
	promo *app.PromoService
	w     fyne.Window
}

func newPayPalSessionsEnv(t *testing.T, language string) *paypalSessionsEnv {
	t.Helper()
	ctx := context.Background()
	a := newSiteAdminEnv(t, language, "US", "USD", "America/New_York")
	if err := a.deps.Merchant.SavePaymentSettings(ctx, a.m.admin.admin, app.PaymentSettings{
		Processor: app.ProcessorPayflow, CreditCards: true, DebitCards: true, ExpressCheckout: true,
	}); err != nil {
		t.Fatal(err)
	}
	b := uitest.InstallBrowser(t, a.app)
	a.provision(app.FeaturePaidSessions, app.FeaturePromoCodes)
	states, _ := a.db.Features(ctx)
	for i := range states {
		states[i].Enabled = states[i].Feature == app.FeaturePaidSessions || states[i].Feature == app.FeaturePromoCodes
	}
	if err := a.db.SaveFeatures(ctx, states, nil); err != nil {
		t.Fatal(err)
	}
	promo := &app.PromoService{
		Store: a.db, Site: a.site, Sessions: a.db,
		Secrets: &promoSecrets{m: map[string]string{}}, Mailer: &outbox{},
	}
	svc := app.NewSessionService(a.db, a.db, a.site, a.deps.Payments.(*app.PaymentService), promo)
	a.deps.Sessions, a.deps.Promo = svc, promo
	if language != "" {
		SetLanguage(language)
	}
	return &paypalSessionsEnv{adminEnv: a, b: b, svc: svc, promo: promo, w: a.m.Window()}
}

func (e *paypalSessionsEnv) schedulePaid(topic string, feeMinor int64) app.Session {
	return uitest.SchedulePaid(e.t, e.svc, topic, feeMinor, 10)
}

// code makes a 20 % code for every session.
func (e *paypalSessionsEnv) code(code string) { uitest.PercentCode(e.t, e.promo, code) }

func (e *paypalSessionsEnv) codeState(code string) app.PromoCode {
	e.t.Helper()
	codes, err := e.promo.Codes(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range codes {
		if c.Code == code {
			return c
		}
	}
	e.t.Fatalf("no code %s", code)
	return app.PromoCode{}
}

// captures are the sandbox's charged sales.
func (e *paypalSessionsEnv) captures() int {
	sb, err := e.reg.Sandbox(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, x := range sb.Ledger() {
		if x.Type == "sale" {
			n++
		}
	}
	return n
}

// choosePayPal registers an attendee, optionally applies code, chooses
// PayPal on Payment Information and presses Pay: the PayPal dialog opens.
func (e *paypalSessionsEnv) choosePayPal(s app.Session, email, code string) (*registerFlow, *checkout.PaymentInfo) {
	e.t.Helper()
	f := showRegisterDialog(e.deps, e.w, s, nil)
	registerAttendee(e.t, f, "Mary", "Smith", email)
	p := f.payment
	if p == nil {
		e.t.Fatalf("no Payment Information page: %q", f.message.Text)
	}
	paypal := T("payinfo.method_paypal")
	if want := []string{T("pay.method.credit"), T("pay.method.debit"), paypal}; !slices.Equal(p.Widgets().Methods.Options, want) {
		e.t.Fatalf("methods %q, want %q", p.Widgets().Methods.Options, want)
	}
	if code != "" {
		test.Type(p.Widgets().Code, code)
		test.Tap(p.Widgets().Apply)
		if p.Quote() == nil {
			e.t.Fatalf("code not applied: %q", p.Widgets().PromoMessage.Text)
		}
	}
	p.Widgets().Methods.SetSelected(paypal)
	test.Tap(p.PayButton())
	if p.PayPal() == nil || p.Card() != nil {
		e.t.Fatalf("no PayPal dialog: %q", p.Widgets().Message.Text)
	}
	return f, p
}

func (e *paypalSessionsEnv) payments() []app.Payment {
	e.t.Helper()
	rows, _, err := e.deps.Payments.Payments(context.Background(), app.PaymentFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return rows
}

// Issue 4, acceptance 4: a US site in USD registers an attendee who pays
// with PayPal through the offline sandbox; the registration is paid and its
// receipt names PayPal, the amount and PayPal's capture id.
func TestRegisterPayWithPayPalAndReceipt(t *testing.T) {
	e := newPayPalSessionsEnv(t, "en")
	ctx := context.Background()
	e.code("SPRING20")
	s := e.schedulePaid("Negotiation basics", 249_99)
	e.b.Action = "approve"
	f, p := e.choosePayPal(s, "mary@example.com", "SPRING20")
	if !containsText(screenTexts(e.w), "Continue to PayPal ($199.99)") {
		t.Fatalf("PayPal dialog: %q", screenTexts(e.w))
	}
	test.Tap(p.PayPal().Widgets().Start)
	if !containsText(screenTexts(e.w), "Paid $199.99 with PayPal.") {
		t.Fatalf("result: %q", screenTexts(e.w))
	}
	test.Tap(findButton(e.w, T("pay.close")))

	reg := f.reg
	if reg.Status != app.RegPaid || reg.PaidMinor != 199_99 || reg.Method != app.MethodExpressCheckout || reg.Last4 != "" {
		t.Fatalf("registration after paying: %+v", reg)
	}
	if !hasText(screenTexts(e.w), "Confirmation number: "+reg.Confirmation) || findButton(e.w, T("receipt.save")) == nil {
		t.Fatalf("confirmation page: %q", screenTexts(e.w))
	}
	sb, _ := e.reg.Sandbox(ctx)
	orders := sb.Orders()
	if len(orders) != 1 || orders[0].CaptureID == "" || orders[0].CaptureID != reg.GatewayRef || orders[0].Value != "199.99" {
		t.Fatalf("sandbox orders %+v, registration ref %q", orders, reg.GatewayRef)
	}
	if e.captures() != 1 {
		t.Errorf("sandbox captures: %d", e.captures())
	}
	rows := e.payments()
	if len(rows) != 1 || rows[0].State != app.StateApproved || rows[0].Purpose != app.PurposeRegistration ||
		rows[0].Reference != reg.Reference() {
		t.Fatalf("journal %+v", rows)
	}
	if c := e.codeState("SPRING20"); c.Uses != 1 || c.Reserved != 0 {
		t.Errorf("code after paying: uses %d, reserved %d", c.Uses, c.Reserved)
	}

	var pdf bytes.Buffer
	if err := writeReceipt(ctx, e.deps, reg.ID, &pdf); err != nil {
		t.Fatal(err)
	}
	text := receipttest.Text(pdf.Bytes())
	for _, want := range []string{"Method\nPayPal\n", "$199.99", "$249.99", "SPRING20", reg.Confirmation, reg.GatewayRef, "TEST MODE"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	if row := registrationRowTexts(reg); row[2] != "PayPal" {
		t.Errorf("registrations list method %q", row[2])
	}
}

// Cancelling in PayPal charges nothing: the registration stays pending,
// the code's reservation is released, and the attendee may pay again.
func TestRegisterPayPalCancelledInPayPal(t *testing.T) {
	e := newPayPalSessionsEnv(t, "en")
	e.code("SPRING20")
	s := e.schedulePaid("Cancelled in PayPal", 100_00)
	e.b.Action = "cancel"
	f, p := e.choosePayPal(s, "mary@example.com", "SPRING20")
	if c := e.codeState("SPRING20"); c.Reserved != 1 {
		t.Fatalf("the code is not reserved during checkout: %+v", c)
	}
	d := p.PayPal()
	test.Tap(d.Widgets().Start)
	if !containsText(screenTexts(e.w), "You cancelled the payment in PayPal. Nothing was charged.") {
		t.Fatalf("result: %q", screenTexts(e.w))
	}
	test.Tap(d.Widgets().Cancel)
	if p.PayPal() != nil || !strings.Contains(plain(p.Widgets().Message.Text), "Nothing was charged. Your seat is held until") {
		t.Errorf("Payment Information: %q", p.Widgets().Message.Text)
	}
	if p.PayButton().Disabled() {
		t.Error("the attendee cannot try again")
	}
	e.nothingCharged(t, f.reg.ID, "SPRING20", app.CodeApprovalCancelled)
}

// Closing the registration while PayPal waits for the buyer cancels the
// wait in the app: nothing is charged and the reservation is released.
func TestRegisterPayPalCancelledInTheApp(t *testing.T) {
	e := newPayPalSessionsEnv(t, "en")
	e.code("SPRING20")
	s := e.schedulePaid("Cancelled in the app", 100_00)
	f, p := e.choosePayPal(s, "mary@example.com", "SPRING20")
	var once sync.Once
	e.b.Then = func() {
		once.Do(func() {
			if !containsText(screenTexts(e.w), "Waiting for your approval in PayPal. Time left: 3 h 0 min.") {
				t.Errorf("waiting: %q", screenTexts(e.w))
			}
			f.dlg.Hide()
		})
	}
	d := p.PayPal()
	test.Tap(d.Widgets().Start)
	if !d.Finished() || p.PayPal() != nil || p.CheckingOut() {
		t.Fatalf("PayPal dialog still open: finished %v", d.Finished())
	}
	e.nothingCharged(t, f.reg.ID, "SPRING20", app.CodeApprovalCancelledInApp)
}

// The Polish walk of paying a registration with PayPal on a US site: the
// Payment Information page, the PayPal dialog, the confirmation and the
// attendee's Polish receipt.
func TestRegisterPayWithPayPalPolishWalk(t *testing.T) {
	e := newPayPalSessionsEnv(t, "pl")
	frags := englishFragments(t)
	s := e.schedulePaid("Zarządzanie czasem", 200_00)
	e.b.Action = "approve"
	f, p := e.choosePayPal(s, "zofia@example.pl", "")
	// The Payment Information page (with PayPal chosen) under the PayPal
	// dialog.
	assertPolish(t, "Payment Information with the PayPal dialog", e.w, frags)
	d := p.PayPal()
	test.Tap(d.Widgets().Start)
	assertPolish(t, "PayPal dialog, paid", e.w, frags)
	test.Tap(findButton(e.w, T("pay.close")))
	assertPolish(t, "confirmed", e.w, frags)
	if f.reg.Status != app.RegPaid || f.reg.Language != "pl" {
		t.Fatalf("registration %+v", f.reg)
	}
	v := showRegistrations(e.deps, e.w, s, nil)
	v.list.Select(0)
	assertPolish(t, "registrations", e.w, frags)
	v.dlg.Hide()
	var pdf bytes.Buffer
	if err := writeReceipt(context.Background(), e.deps, f.reg.ID, &pdf); err != nil {
		t.Fatal(err)
	}
	text := receipttest.Text(pdf.Bytes())
	for _, want := range []string{"Potwierdzenie płatności", "Metoda\nPayPal\n", f.reg.GatewayRef, "200,00"} {
		if !strings.Contains(text, want) {
			t.Errorf("Polish receipt lacks %q:\n%s", want, text)
		}
	}
}

// nothingCharged checks what a cancelled PayPal payment leaves: the
// registration regID pending and unpaid, code neither used nor reserved,
// no capture on the sandbox, and one journal row, not charged, that ends
// in result.
func (e *paypalSessionsEnv) nothingCharged(t *testing.T, regID int64, code, result string) {
	t.Helper()
	if r, _ := e.svc.Registration(context.Background(), regID); r.Status != app.RegPendingPayment || r.PaidMinor != 0 {
		t.Errorf("registration %+v", r)
	}
	if c := e.codeState(code); c.Reserved != 0 || c.Uses != 0 {
		t.Errorf("code after cancelling: uses %d, reserved %d", c.Uses, c.Reserved)
	}
	if e.captures() != 0 {
		t.Errorf("sandbox captures: %d", e.captures())
	}
	if rows := e.payments(); len(rows) != 1 || rows[0].State.Charged() || rows[0].ResultCode != result {
		t.Errorf("journal %+v", rows)
	}
}
