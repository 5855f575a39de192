package checkout

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/uitest"
)

// gatedGateway holds every sale until the test releases it.
type gatedGateway struct {
	app.Gateway
	entered chan struct{}
	release chan struct{}
}

func (g *gatedGateway) Sale(ctx context.Context, req app.SaleRequest) app.Result {
	g.entered <- struct{}{}
	<-g.release
	return g.Gateway.Sale(ctx, req)
}

func pln(t *testing.T, amount string) string { return uitest.PLN(t, amount) }

func paid(t *testing.T, amount, brandID, last4 string) string {
	return uitest.Paid(t, amount, brandID, last4)
}

// payButton finds the Pay button for amount.
func payButton(w fyne.Window, amount string) *widget.Button {
	a, _ := currency.NewAmount(amount, "PLN")
	return findButton(w, T("pay.pay", map[string]any{"Amount": money.Format(a, Language())}))
}

func firstWords(s string) string { return uitest.FirstWords(s) }

// outcome records done's call.
type outcome struct {
	calls int
	p     app.Payment
	err   error
}

func (pe *payEnv) open(amount string, methods ...app.Method) (*CardDialog, *outcome) {
	pe.t.Helper()
	a, err := currency.NewAmount(amount, "PLN")
	if err != nil {
		pe.t.Fatal(err)
	}
	if len(methods) == 0 {
		methods = []app.Method{app.MethodCreditCard}
	}
	return pe.openPayment(CardPayment{
		Amount: a, Purpose: app.PurposeRegistration, Reference: "registration:42",
		Description: "Registration: Go for beginners", Methods: methods,
		Payer: app.Payer{FirstName: "Anna", LastName: "Kowalska", Email: "anna@example.com", PostalCode: "00-001", Country: "PL"},
	})
}

// openMaestro opens the dialog for a credit-card payment whose rules need a
// Maestro card's start date or issue number when need is true.
func (pe *payEnv) openMaestro(amount string, need bool) (*CardDialog, *outcome) {
	pe.t.Helper()
	a, err := currency.NewAmount(amount, "PLN")
	if err != nil {
		pe.t.Fatal(err)
	}
	return pe.openPayment(CardPayment{
		Amount: a, Purpose: app.PurposeRegistration, Reference: "registration:42",
		Description: "Registration: Go for beginners", Methods: []app.Method{app.MethodCreditCard},
		Payer: app.Payer{FirstName: "Anna", LastName: "Kowalska", Email: "anna@example.com", PostalCode: "00-001", Country: "PL"},
		Rules: map[app.Method]app.CardRules{app.MethodCreditCard: maestroRules(need)},
	})
}

func maestroRules(need bool) app.CardRules {
	r := app.CardRules{Method: app.MethodCreditCard}
	if need {
		r.MaestroExtras = app.NeedRequired
	}
	return r
}

func (pe *payEnv) openPayment(req CardPayment) (*CardDialog, *outcome) {
	out := &outcome{}
	d := ShowCardDialog(pe.w, pe.svc, req, func(p app.Payment, err error) { out.calls++; out.p, out.err = p, err })
	return d, out
}

func (pe *payEnv) journal() []app.Payment { return uitest.Journal(pe.t, pe.db) }

func (pe *payEnv) charges() int { return uitest.Charges(pe.pay.Sandbox) }

// assertNoNumber fails if the number, whole or grouped, or its first
// twelve digits appear in any text on screen or in the log.
func (pe *payEnv) assertNoNumber(where, number string) {
	pe.t.Helper()
	bad := []string{number, number[:12]}
	for _, s := range screenTexts(pe.w) {
		flat := strings.NewReplacer(" ", "", "-", "").Replace(s)
		for _, b := range bad {
			if strings.Contains(flat, b) {
				pe.t.Errorf("%s: the card number is on screen: %q", where, s)
			}
		}
	}
	if strings.Contains(pe.log.String(), number[:12]) {
		pe.t.Errorf("%s: the card number is in the log", where)
	}
}

func TestCardDialogPaysWithTestCard(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, out := pe.open("25.00", app.MethodCreditCard, app.MethodDebitCard)
	if d.method == nil || d.method.Selected != T("pay.method.credit") {
		t.Fatal("both methods offered: the dialog asks which, credit first")
	}
	if !containsText(screenTexts(pe.w), T("pay.amount_due", map[string]any{"Amount": pln(t, "25.00")})) || payButton(pe.w, "25.00") == nil {
		t.Fatalf("the amount is shown: %q", screenTexts(pe.w))
	}
	if d.holder.Text != "Anna Kowalska" || d.postcode.Text != "00-001" || d.country.Selected != "Poland" {
		t.Fatalf("pre-filled from the payer: %q %q %q", d.holder.Text, d.postcode.Text, d.country.Selected)
	}
	if !d.pay.Disabled() {
		t.Fatal("Pay is enabled on an empty card")
	}

	// Grouped as typed, with the brand beside it.
	pe.w.Canvas().Focus(d.number)
	for _, r := range "4111111111" {
		d.number.TypedRune(r)
	}
	if d.number.Text != "4111 1111 11" || d.brandLabel.Text != T("pay.brand.visa") {
		t.Fatalf("while typing: %q, brand %q", d.number.Text, d.brandLabel.Text)
	}
	if d.errs[fieldNumber].Visible() {
		t.Fatalf("an incomplete number is not an error yet: %q", d.errs[fieldNumber].Text)
	}
	for _, r := range "111111" {
		d.number.TypedRune(r)
	}
	if d.number.Text != "4111 1111 1111 1111" {
		t.Fatalf("grouped: %q", d.number.Text)
	}
	// Leaving the field masks it; the digits stay in the dialog's bytes.
	pe.w.Canvas().Unfocus()
	if d.number.Text != "•••• 1111" || !d.number.masked || string(d.number.digits) != "4111111111111111" {
		t.Fatalf("masked: %q %v", d.number.Text, d.number.masked)
	}
	pe.assertNoNumber("after leaving the number", "4111111111111111")
	// Coming back restores the digits for editing.
	pe.w.Canvas().Focus(d.number)
	if d.number.Text != "4111 1111 1111 1111" || d.number.masked || d.number.digits != nil {
		t.Fatalf("unmasked: %q", d.number.Text)
	}
	pe.w.Canvas().Unfocus()

	typeInto(pe.w, d.expiry, futureExpiry())
	typeInto(pe.w, d.cvv, "123")
	if d.pay.Disabled() {
		t.Fatalf("a valid card leaves Pay disabled: %q", screenTexts(pe.w))
	}
	test.Tap(d.pay)

	if !containsText(screenTexts(pe.w), paid(t, "25.00", "pay.brand.visa", "1111")) || !containsText(screenTexts(pe.w), "Visa •••• 1111") {
		t.Fatalf("result: %q", screenTexts(pe.w))
	}
	rows := pe.journal()
	if len(rows) != 1 {
		t.Fatalf("journal has %d rows", len(rows))
	}
	if !containsText(screenTexts(pe.w), T("pay.reference", map[string]any{"Reference": rows[0].GatewayRef})) || rows[0].GatewayRef == "" {
		t.Fatalf("the processor's reference is shown: %q", screenTexts(pe.w))
	}
	r := rows[0]
	if r.State != app.StateApproved || r.Brand != app.BrandVisa || r.Last4 != "1111" || r.Method != app.MethodCreditCard ||
		r.Funding != app.FundingCredit || r.AmountMinor != 2500 || r.Purpose != app.PurposeRegistration || r.Reference != "registration:42" {
		t.Fatalf("journal row: %+v", r)
	}
	if n := pe.charges(); n != 1 {
		t.Fatalf("sandbox ledger has %d charges", n)
	}
	if out.calls != 0 {
		t.Fatal("done is called when the person closes the dialog, not before")
	}
	test.Tap(findButton(pe.w, T("pay.close")))
	if out.calls != 1 || out.err != nil || out.p.ID != r.ID || out.p.State != app.StateApproved {
		t.Fatalf("done: %d calls, %+v, %v", out.calls, out.p, out.err)
	}
	if len(pe.w.Canvas().Overlays().List()) != 0 && pe.w.Canvas().Overlays().Top().Visible() {
		t.Fatal("the dialog stays open after Close")
	}
}

func TestCardDialogDeclinedThenRetry(t *testing.T) {
	pe := newPayEnv(t, nil)
	// 2000.12 ends in .12 and is above 2000: declined under both the
	// sandbox's old rule (the last two digits) and its new one (PayPal's
	// pilot amounts).
	d, out := pe.open("2000.12")
	if d.method != nil {
		t.Fatal("one method offered: no choice shown")
	}
	fillCard(pe.w, d, "4111111111111111", "123")
	replace(pe.w, d.postcode, "02-222")
	test.Tap(d.pay)

	if app.ErrorCode(d.err) != app.EDECLINED || app.AsError(d.err).Key != "error.payment.declined" {
		t.Fatalf("error: %v", d.err)
	}
	if !d.message.Visible() || d.message.Text != ErrorText(d.err) || !containsText(screenTexts(pe.w), ErrorText(d.err)[:24]) {
		t.Fatalf("the decline is shown: %q", screenTexts(pe.w))
	}
	if d.cvv.Text != "" {
		t.Fatal("the CVV is kept after a decline")
	}
	if d.holder.Text != "Anna Kowalska" || d.number.Text != "•••• 1111" || string(d.number.digits) != "4111111111111111" ||
		d.expiry.Text != futureExpiry() || d.postcode.Text != "02-222" || d.country.Selected != "Poland" {
		t.Fatalf("the other fields are kept: %q %q %q %q %q", d.holder.Text, d.number.Text, d.expiry.Text, d.postcode.Text, d.country.Selected)
	}
	if !d.pay.Disabled() || d.cancel.Disabled() {
		t.Fatal("Pay waits for the CVV again; Cancel stays available")
	}
	if n := pe.charges(); n != 0 {
		t.Fatalf("a declined payment charged: %d", n)
	}

	// Another try with the same (declined) amount: a new attempt, a new key.
	typeInto(pe.w, d.cvv, "123")
	if d.pay.Disabled() {
		t.Fatalf("retyping the CVV enables Pay: %q", screenTexts(pe.w))
	}
	test.Tap(d.pay)
	rows := pe.journal()
	if len(rows) != 2 {
		t.Fatalf("journal has %d rows after two attempts", len(rows))
	}
	if rows[0].Key == rows[1].Key || rows[0].InvoiceID == rows[1].InvoiceID {
		t.Fatal("the retry reused the first attempt's key")
	}
	for _, r := range rows {
		if r.State != app.StateDeclined || r.Last4 != "1111" {
			t.Fatalf("row: %+v", r)
		}
	}
	if n := pe.charges(); n != 0 || len(pe.pay.Sandbox.Ledger()) != 2 {
		t.Fatalf("ledger: %d charges in %d entries", n, len(pe.pay.Sandbox.Ledger()))
	}
	pe.assertNoNumber("after a decline", "4111111111111111")

	test.Tap(d.cancel)
	if out.calls != 1 || !errors.Is(out.err, context.Canceled) || out.p.ID != 0 {
		t.Fatalf("cancel: %d calls, %+v, %v", out.calls, out.p, out.err)
	}
	if d.number.digits != nil || d.number.Text != "" {
		t.Fatal("cancelling keeps the number")
	}
}

func TestCardDialogCatchesBadNumberInline(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, out := pe.open("12.50")
	pe.w.Canvas().Focus(d.number)
	for _, r := range "4111111111111112" {
		d.number.TypedRune(r)
	}
	_, luhn := app.ValidateCardNumber([]byte("4111111111111112"))
	if !d.errs[fieldNumber].Visible() || d.errs[fieldNumber].Text != ErrorText(luhn) {
		t.Fatalf("a Luhn failure shows as soon as it is typed: %q", d.errs[fieldNumber].Text)
	}
	pe.w.Canvas().Unfocus()
	if d.number.masked || d.number.Text != "4111 1111 1111 1112" {
		t.Fatalf("an invalid number stays for correction: %q", d.number.Text)
	}
	typeInto(pe.w, d.expiry, futureExpiry())
	typeInto(pe.w, d.cvv, "123")
	if !d.pay.Disabled() {
		t.Fatal("Pay is enabled with an invalid number")
	}
	test.Tap(d.pay)
	d.onPay() // even if called, nothing goes out
	if rows := pe.journal(); len(rows) != 0 {
		t.Fatalf("journal: %+v", rows)
	}
	if n := len(pe.pay.Sandbox.Ledger()); n != 0 {
		t.Fatalf("ledger has %d entries", n)
	}
	if d.running || out.calls != 0 {
		t.Fatal("an invalid card started a payment")
	}
	// Fixing the last digit clears the error.
	pe.w.Canvas().Focus(d.number)
	d.number.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	d.number.TypedRune('1')
	pe.w.Canvas().Unfocus()
	if d.errs[fieldNumber].Visible() || d.pay.Disabled() {
		t.Fatalf("fixed number: %q", d.errs[fieldNumber].Text)
	}
}

func TestCardDialogAmexWantsFourDigitCVV(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, _ := pe.open("30.00", app.MethodCreditCard, app.MethodDebitCard)
	pe.w.Canvas().Focus(d.number)
	for _, r := range "378282246310005" {
		d.number.TypedRune(r)
	}
	if d.number.Text != "3782 822463 10005" || d.brandLabel.Text != T("pay.brand.amex") {
		t.Fatalf("Amex grouping: %q %q", d.number.Text, d.brandLabel.Text)
	}
	pe.w.Canvas().Unfocus()
	if d.cvv.PlaceHolder != T("pay.cvv_placeholder", map[string]any{"Length": 4}) {
		t.Fatalf("CVV placeholder: %q", d.cvv.PlaceHolder)
	}
	typeInto(pe.w, d.expiry, futureExpiry())
	typeInto(pe.w, d.cvv, "123")
	want := ErrorText(app.ValidateCVV(app.BrandAmex, []byte("123")))
	if !d.errs[fieldCVV].Visible() || d.errs[fieldCVV].Text != want || !strings.Contains(want, "4") {
		t.Fatalf("three digits for Amex: %q (want %q)", d.errs[fieldCVV].Text, want)
	}
	if !d.pay.Disabled() {
		t.Fatal("Pay is enabled with a 3-digit Amex code")
	}
	typeInto(pe.w, d.cvv, "4")
	if d.errs[fieldCVV].Visible() || d.pay.Disabled() {
		t.Fatalf("four digits: %q", d.errs[fieldCVV].Text)
	}
	d.method.SetSelected(T("pay.method.debit"))
	test.Tap(d.pay)
	rows := pe.journal()
	if len(rows) != 1 || rows[0].State != app.StateApproved || rows[0].Brand != app.BrandAmex || rows[0].Last4 != "0005" ||
		rows[0].Method != app.MethodDebitCard || rows[0].Funding != app.FundingDebit {
		t.Fatalf("journal: %+v", rows)
	}
	if !containsText(screenTexts(pe.w), paid(t, "30.00", "pay.brand.amex", "0005")) {
		t.Fatalf("result: %q", screenTexts(pe.w))
	}
}

func TestCardDialogCatchesExpiredCard(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, _ := pe.open("12.50")
	typeInto(pe.w, d.number, "4111111111111111")
	pe.w.Canvas().Focus(d.expiry)
	d.expiry.TypedRune('0')
	if d.errs[fieldExpiry].Visible() {
		t.Fatalf("a half-typed date is not an error before the field is left: %q", d.errs[fieldExpiry].Text)
	}
	// Expired shows while still typing: no more digits can make it valid.
	for _, r := range "1/20" {
		d.expiry.TypedRune(r)
	}
	want := ErrorText(app.ValidateExpiry(1, 2020, time.Now()))
	if !d.errs[fieldExpiry].Visible() || d.errs[fieldExpiry].Text != want {
		t.Fatalf("expired: %q (want %q)", d.errs[fieldExpiry].Text, want)
	}
	pe.w.Canvas().Unfocus()
	typeInto(pe.w, d.cvv, "123")
	if !d.pay.Disabled() {
		t.Fatal("Pay is enabled for an expired card")
	}
	d.onPay()
	if len(pe.journal()) != 0 || len(pe.pay.Sandbox.Ledger()) != 0 {
		t.Fatal("an expired card reached the service")
	}
	if !d.errs[fieldExpiry].Visible() {
		t.Fatal("the expiry error went away")
	}
}

func TestCardDialogPayDisabledWhilePaying(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	pe := newPayEnv(t, func(gw app.Gateway) app.Gateway {
		return &gatedGateway{Gateway: gw, entered: entered, release: release}
	})
	finished := make(chan struct{})
	pe.svc.Go = func(f func()) {
		go func() {
			defer close(finished)
			f()
		}()
	}
	d, out := pe.open("25.00")
	fillCard(pe.w, d, "4111111111111111", "123")
	test.Tap(d.pay)
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the gateway was not called")
	}
	// The gateway is holding the sale: the dialog is waiting.
	if !d.pay.Disabled() || !d.cancel.Disabled() || !d.running {
		t.Fatal("Pay and Cancel must be disabled while paying")
	}
	if !d.working.Visible() || !d.progress.Visible() {
		t.Fatal("no progress shown while paying")
	}
	if !d.number.Disabled() || !d.cvv.Disabled() {
		t.Fatal("the card can be edited while paying")
	}
	test.Tap(d.pay)
	test.Tap(d.cancel)
	if out.calls != 0 {
		t.Fatal("Cancel worked while paying")
	}
	close(release)
	select {
	case <-finished:
	case <-time.After(20 * time.Second):
		t.Fatal("the payment did not finish")
	}
	if d.running || d.working.Visible() {
		t.Fatal("still running after the answer")
	}
	if len(pe.journal()) != 1 || pe.charges() != 1 {
		t.Fatalf("one tap, one charge: %d rows, %d charges", len(pe.journal()), pe.charges())
	}
	if !containsText(screenTexts(pe.w), paid(t, "25.00", "pay.brand.visa", "1111")) {
		t.Fatalf("result: %q", screenTexts(pe.w))
	}
}

func TestCardDialogNeverShowsTheNumber(t *testing.T) {
	pe := newPayEnv(t, nil)
	const number = "5555555555554444"
	d, out := pe.open("25.00")
	fillCard(pe.w, d, number, "123")
	pe.assertNoNumber("before paying", number)
	test.Tap(d.pay)
	if !containsText(screenTexts(pe.w), paid(t, "25.00", "pay.brand.mastercard", "4444")) {
		t.Fatalf("result: %q", screenTexts(pe.w))
	}
	pe.assertNoNumber("after paying", number)
	// The entries are cleared after the call: no string of them is kept.
	if d.number.Text != "" || d.cvv.Text != "" || d.number.digits != nil {
		t.Fatalf("card data kept after paying: %q %q %v", d.number.Text, d.cvv.Text, d.number.digits)
	}
	test.Tap(findButton(pe.w, T("pay.close")))
	pe.assertNoNumber("after closing", number)
	if out.err != nil || out.p.Last4 != "4444" {
		t.Fatalf("done: %+v %v", out.p, out.err)
	}
}

func TestCardDialogProcessorRefusesTheNumber(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, _ := pe.open("25.00")
	// Valid for the domain, but not one of the sandbox's test cards.
	fillCard(pe.w, d, "4242424242424242", "123")
	test.Tap(d.pay)
	if app.AsError(d.err).Key != "error.payment.invalid_number" {
		t.Fatalf("error: %v", d.err)
	}
	if !d.errs[fieldNumber].Visible() || d.errs[fieldNumber].Text != ErrorText(d.err) || d.message.Text != ErrorText(d.err) {
		t.Fatalf("the refusal is shown by the number: %q / %q", d.errs[fieldNumber].Text, d.message.Text)
	}
	if rows := pe.journal(); len(rows) != 1 || rows[0].State != app.StateFailed || rows[0].Field != "number" {
		t.Fatalf("journal: %+v", rows)
	}
	// Changing the number clears the processor's complaint.
	replace(pe.w, d.number, "4111111111111111")
	if d.errs[fieldNumber].Visible() {
		t.Fatalf("stale error: %q", d.errs[fieldNumber].Text)
	}
	typeInto(pe.w, d.cvv, "123")
	test.Tap(d.pay)
	if d.err != nil || pe.charges() != 1 {
		t.Fatalf("second try: %v", d.err)
	}
}

// lostReply charges through the sandbox, then loses the answer, as a
// dropped connection would.
type lostReply struct{ app.Gateway }

func (g lostReply) Sale(ctx context.Context, req app.SaleRequest) app.Result {
	g.Gateway.Sale(ctx, req)
	return app.Result{Outcome: app.OutcomeUnknown, Message: "connection reset before the reply"}
}

func TestCardDialogUnknownOutcome(t *testing.T) {
	pe := newPayEnv(t, func(gw app.Gateway) app.Gateway { return lostReply{gw} })
	d, out := pe.open("12.97")
	fillCard(pe.w, d, "4111111111111111", "123")
	test.Tap(d.pay)
	if app.ErrorCode(d.err) != app.EUNKNOWN {
		t.Fatalf("error: %v", d.err)
	}
	all := screenTexts(pe.w)
	if !containsText(all, T("pay.unknown_title")) || !containsText(all, firstWords(T("pay.unknown", map[string]any{"Amount": pln(t, "12.97")}))) {
		t.Fatalf("the person is told not to pay again: %q", all)
	}
	if payButton(pe.w, "12.97") != nil {
		t.Fatal("Pay is offered again after an unknown outcome")
	}
	if d.number.digits != nil || d.number.Text != "" || d.cvv.Text != "" {
		t.Fatal("card data kept after an unknown outcome")
	}
	test.Tap(findButton(pe.w, T("pay.close")))
	if out.calls != 1 || app.ErrorCode(out.err) != app.EUNKNOWN || out.p.State != app.StateUnknown || out.p.ID == 0 {
		t.Fatalf("done: %+v %v", out.p, out.err)
	}
}

// TestCardDialogScreenshots renders the dialog to PNGs in
// TRAINPAY_SCREENSHOTS (a folder) for a look at the layout; skipped
// without it.
func TestCardDialogScreenshots(t *testing.T) {
	dir := os.Getenv("TRAINPAY_SCREENSHOTS")
	if dir == "" {
		t.Skip("set TRAINPAY_SCREENSHOTS to a folder to render the card dialog")
	}
	pe := newPayEnv(t, nil)
	pe.w.Resize(fyne.NewSize(1280, 800))
	save := func(name string) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, pe.w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := pe.open("2000.12", app.MethodCreditCard, app.MethodDebitCard)
	save("carddialog-empty.png")
	pe.w.Canvas().Focus(d.number)
	for _, r := range "3782822463" {
		d.number.TypedRune(r)
	}
	typeInto(pe.w, d.expiry, "01/20")
	typeInto(pe.w, d.cvv, "12")
	pe.w.Canvas().Focus(d.number)
	save("carddialog-errors.png")
	replace(pe.w, d.number, "4111111111111111")
	replace(pe.w, d.expiry, futureExpiry())
	replace(pe.w, d.cvv, "123")
	save("carddialog.png")
	test.Tap(d.pay)
	save("carddialog-declined.png")
	d.finish(app.Payment{}, context.Canceled)
	d, _ = pe.open("25.00")
	fillCard(pe.w, d, "4111111111111111", "123")
	test.Tap(d.pay)
	save("carddialog-paid.png")
	test.Tap(findButton(pe.w, T("pay.close")))
	d, _ = pe.openMaestro("25.00", true)
	fillCard(pe.w, d, maestroTestCard, "123")
	typeInto(pe.w, d.start, monthFromNow(1, 0))
	save("carddialog-maestro.png")
	d.finish(app.Payment{}, context.Canceled)

	// In Polish.
	SetLanguage("pl")
	t.Cleanup(func() { SetLanguage("en") })
	d, _ = pe.open("2000.12", app.MethodCreditCard, app.MethodDebitCard)
	fillCard(pe.w, d, "4111111111111111", "123")
	test.Tap(d.pay)
	save("carddialog-pl.png")
}

func TestCardDialogNumberEditing(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, _ := pe.open("25.00")
	pe.w.Canvas().Focus(d.number)
	for _, r := range "41111" {
		d.number.TypedRune(r)
	}
	if d.number.Text != "4111 1" || d.number.CursorColumn != 6 {
		t.Fatalf("typed: %q at %d", d.number.Text, d.number.CursorColumn)
	}
	// Backspace right after a group's space removes the digit before it.
	d.number.CursorColumn = 5
	d.number.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if d.number.Text != "4111" || d.number.CursorColumn != 3 {
		t.Fatalf("after backspace over the space: %q at %d", d.number.Text, d.number.CursorColumn)
	}
	// A digit typed in the middle keeps the cursor after it.
	d.number.CursorColumn = 1
	d.number.TypedRune('9')
	if d.number.Text != "4911 1" || d.number.CursorColumn != 2 {
		t.Fatalf("typed in the middle: %q at %d", d.number.Text, d.number.CursorColumn)
	}
	// Pasted with separators: regrouped.
	d.number.SetText("")
	d.number.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clipboardWith("4111-1111-1111-1111")})
	if d.number.Text != "4111 1111 1111 1111" {
		t.Fatalf("pasted: %q", d.number.Text)
	}
	// Letters are refused at once.
	replace(pe.w, d.number, "4111x")
	if !d.errs[fieldNumber].Visible() || !d.pay.Disabled() {
		t.Fatalf("letters: %q", d.errs[fieldNumber].Text)
	}
}

func clipboardWith(s string) fyne.Clipboard {
	c := fyne.CurrentApp().Clipboard()
	c.SetContent(s)
	return c
}

// maestroTestCard is PayPal's Maestro test number (not one of the offline
// sandbox's Payflow test cards, so these tests do not pay with it).
const maestroTestCard = "6304000000000000"

// monthFromNow is "MM/YY" for the month years and months from now.
func monthFromNow(years, months int) string {
	now := time.Now()
	f := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.Local).AddDate(years, months, 0)
	return fmt.Sprintf("%02d/%02d", int(f.Month()), f.Year()%100)
}

// extrasOnScreen reports whether the Maestro rows are in the form: their
// labels drawn and their entries visible.
func extrasOnScreen(w fyne.Window, d *CardDialog) bool {
	all := screenTexts(w)
	labels := containsText(all, T("pay.start_date")) && containsText(all, T("pay.issue_number"))
	return labels && d.start.Visible() && d.issue.Visible()
}

// wipedCard builds the dialog's card for a look at it, and wipes it.
func wipedCard(t *testing.T, d *CardDialog) app.Card {
	t.Helper()
	c, err := d.card()
	defer c.Wipe()
	if err != nil {
		t.Fatalf("card: %v", err)
	}
	return app.Card{StartMonth: c.StartMonth, StartYear: c.StartYear, IssueNumber: c.IssueNumber}
}

func TestCardDialogMaestroExtrasOnlyForMaestro(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, _ := pe.openMaestro("25.00", false)
	if extrasOnScreen(pe.w, d) {
		t.Fatal("the Maestro fields show before any number")
	}
	fillCard(pe.w, d, "4111111111111111", "123")
	if extrasOnScreen(pe.w, d) || d.pay.Disabled() {
		t.Fatalf("Visa: no Maestro fields, Pay enabled: %q", screenTexts(pe.w))
	}

	// They come as soon as the number is known to be Maestro's, and the
	// number keeps the focus while the form changes.
	replace(pe.w, d.number, "")
	pe.w.Canvas().Focus(d.number)
	for _, r := range "630" {
		d.number.TypedRune(r)
	}
	if extrasOnScreen(pe.w, d) {
		t.Fatal("shown before the brand is known")
	}
	d.number.TypedRune('4')
	if !extrasOnScreen(pe.w, d) || d.brandLabel.Text != T("pay.brand.maestro") {
		t.Fatalf("Maestro: fields shown: %q", screenTexts(pe.w))
	}
	if pe.w.Canvas().Focused() != d.number {
		t.Fatal("the number lost the focus when the Maestro fields came")
	}
	for _, r := range maestroTestCard[4:] {
		d.number.TypedRune(r)
	}
	pe.w.Canvas().Unfocus()
	if d.number.Text != "•••• 0000" || !extrasOnScreen(pe.w, d) {
		t.Fatalf("masked Maestro: %q", d.number.Text)
	}
	if !containsText(screenTexts(pe.w), firstWords(T("pay.maestro_optional"))) {
		t.Fatalf("the note says they are optional: %q", screenTexts(pe.w))
	}

	// Not needed: Pay is enabled without them, and the card has none.
	if d.pay.Disabled() {
		t.Fatalf("optional Maestro fields keep Pay disabled: %q", screenTexts(pe.w))
	}
	if c := wipedCard(t, d); c.StartMonth != 0 || c.StartYear != 0 || c.IssueNumber != "" {
		t.Fatalf("extras without typing: %+v", c)
	}
	// Typed, they are checked and sent.
	past := time.Now().AddDate(-2, 0, 0)
	typeInto(pe.w, d.start, monthFromNow(-2, 0))
	typeInto(pe.w, d.issue, "1")
	if d.pay.Disabled() || d.errs[fieldStart].Visible() || d.errs[fieldIssue].Visible() {
		t.Fatalf("valid extras: %q / %q", d.errs[fieldStart].Text, d.errs[fieldIssue].Text)
	}
	if c := wipedCard(t, d); c.StartMonth != int(past.Month()) || c.StartYear != past.Year() || c.IssueNumber != "1" {
		t.Fatalf("extras: %+v", c)
	}
	// Optional, but a wrong one still blocks Pay: the gateway would send it.
	replace(pe.w, d.issue, "123")
	if !d.errs[fieldIssue].Visible() || d.errs[fieldIssue].Text != T("error.card.maestro_issue") || !d.pay.Disabled() {
		t.Fatalf("three-digit issue number: %q", d.errs[fieldIssue].Text)
	}
	replace(pe.w, d.issue, "")
	if d.pay.Disabled() {
		t.Fatal("clearing the issue number leaves Pay disabled")
	}

	// Another brand: the fields go and nothing of them is sent.
	replace(pe.w, d.number, "5555555555554444")
	if extrasOnScreen(pe.w, d) || d.pay.Disabled() {
		t.Fatalf("Mastercard: %q", screenTexts(pe.w))
	}
	if c := wipedCard(t, d); c.StartMonth != 0 || c.StartYear != 0 || c.IssueNumber != "" {
		t.Fatalf("a Mastercard carries Maestro extras: %+v", c)
	}
	// An invalid start date left behind does not matter for another brand.
	replace(pe.w, d.number, maestroTestCard)
	replace(pe.w, d.start, "xx")
	replace(pe.w, d.number, "4111111111111111")
	if d.pay.Disabled() {
		t.Fatalf("a hidden start date blocks a Visa: %q", screenTexts(pe.w))
	}
}

func TestCardDialogMaestroExtrasRequired(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, out := pe.openMaestro("25.00", true)
	fillCard(pe.w, d, maestroTestCard, "123")
	if !extrasOnScreen(pe.w, d) || !containsText(screenTexts(pe.w), firstWords(T("pay.maestro_needed"))) {
		t.Fatalf("the fields and what they need: %q", screenTexts(pe.w))
	}
	if !d.pay.Disabled() {
		t.Fatal("Pay is enabled without a start date or an issue number")
	}
	if d.errs[fieldStart].Visible() || d.errs[fieldIssue].Visible() {
		t.Fatalf("no error before the fields are visited: %q", d.errs[fieldStart].Text)
	}
	// Leaving the start date empty for the issue number: no error yet.
	pe.w.Canvas().Focus(d.start)
	pe.w.Canvas().Focus(d.issue)
	if d.errs[fieldStart].Visible() {
		t.Fatalf("error while moving on to the issue number: %q", d.errs[fieldStart].Text)
	}
	// Leaving both empty: the start date says what is missing.
	pe.w.Canvas().Unfocus()
	want := ErrorText(app.ValidateMaestroExtras(&app.Card{Number: []byte(maestroTestCard)}, time.Now(), true))
	if !d.errs[fieldStart].Visible() || d.errs[fieldStart].Text != want || !d.pay.Disabled() {
		t.Fatalf("both left empty: %q (want %q)", d.errs[fieldStart].Text, want)
	}

	// An issue number is enough.
	typeInto(pe.w, d.issue, "1")
	if d.pay.Disabled() || d.errs[fieldStart].Visible() || d.errs[fieldIssue].Visible() {
		t.Fatalf("issue number 1: %q / %q", d.errs[fieldStart].Text, d.errs[fieldIssue].Text)
	}
	if c := wipedCard(t, d); c.IssueNumber != "1" || c.StartMonth != 0 {
		t.Fatalf("card: %+v", c)
	}
	replace(pe.w, d.issue, "")
	if !d.pay.Disabled() {
		t.Fatal("Pay stays enabled once the issue number is gone")
	}

	// A start date in the future is refused as soon as it is typed.
	pe.w.Canvas().Focus(d.start)
	for _, r := range monthFromNow(1, 0) {
		d.start.TypedRune(r)
	}
	future := time.Now().AddDate(1, 0, 0)
	want = ErrorText(app.ValidateMaestroExtras(&app.Card{
		Number:     []byte(maestroTestCard),
		StartMonth: int(future.Month()), StartYear: future.Year(),
	}, time.Now(), true))
	if !d.errs[fieldStart].Visible() || d.errs[fieldStart].Text != want || !d.pay.Disabled() {
		t.Fatalf("future start date: %q (want %q)", d.errs[fieldStart].Text, want)
	}
	pe.w.Canvas().Unfocus()
	// Next month is the future too; this month is not.
	replace(pe.w, d.start, monthFromNow(0, 1))
	if !d.errs[fieldStart].Visible() || !d.pay.Disabled() {
		t.Fatal("next month's start date is accepted")
	}
	replace(pe.w, d.start, monthFromNow(0, 0))
	if d.errs[fieldStart].Visible() || d.pay.Disabled() {
		t.Fatalf("this month's start date: %q", d.errs[fieldStart].Text)
	}
	// Not a date.
	replace(pe.w, d.start, "13/20")
	if !d.errs[fieldStart].Visible() || d.errs[fieldStart].Text != T("error.card.start_format") || !d.pay.Disabled() {
		t.Fatalf("13/20: %q", d.errs[fieldStart].Text)
	}
	// A past start date is enough, in any of the expiry's forms.
	past := time.Now().AddDate(-3, 0, 0)
	replace(pe.w, d.start, fmt.Sprintf("%02d%02d", int(past.Month()), past.Year()%100))
	if d.errs[fieldStart].Visible() || d.pay.Disabled() {
		t.Fatalf("past start date: %q", d.errs[fieldStart].Text)
	}
	if c := wipedCard(t, d); c.StartMonth != int(past.Month()) || c.StartYear != past.Year() || c.IssueNumber != "" {
		t.Fatalf("card: %+v", c)
	}

	// Without either, Pay (or Enter) sends nothing and shows why.
	replace(pe.w, d.start, "")
	d.touched = map[string]bool{} // as if never visited
	d.revalidate()
	d.onPay()
	if d.running || out.calls != 0 || len(pe.journal()) != 0 || len(pe.pay.Sandbox.Ledger()) != 0 {
		t.Fatal("a Maestro card without its extras reached the service")
	}
	if !d.errs[fieldStart].Visible() {
		t.Fatal("Pay does not say what is missing")
	}
}

// procGateways reports every card payment as going to proc, through the
// registry's (sandbox) gateway.
type procGateways struct {
	*registry.Registry
	proc app.Processor
}

func (r procGateways) ForMethod(ctx context.Context, m app.Method) (app.Gateway, app.Processor, app.Mode, error) {
	gw, _, mode, err := r.Registry.ForMethod(ctx, m)
	return gw, r.proc, mode, err
}

// A caller that passes no card rules for the UK NVP processor: Charge
// still refuses the card before any journal row, and the dialog shows its
// answer under the start date.
func TestCardDialogChargeWantsMaestroExtrasForUKNVP(t *testing.T) {
	pe := newPayEnv(t, nil)
	reg := &registry.Registry{Sites: pe.db, Settings: pe.db}
	t.Cleanup(func() { reg.Close() })
	pe.svc.Payments = app.NewPaymentService(pe.db, procGateways{reg, app.ProcessorWPPUKNVP}, slog.New(slog.NewTextHandler(pe.log, nil)))
	d, out := pe.openMaestro("25.00", false)
	fillCard(pe.w, d, maestroTestCard, "123")
	if d.pay.Disabled() {
		t.Fatal("not needed by the dialog: Pay is enabled")
	}
	test.Tap(d.pay)
	if e := app.AsError(d.err); e.Key != "error.card.maestro_start" || e.Data["Field"] != "start" {
		t.Fatalf("error: %v", d.err)
	}
	if !d.errs[fieldStart].Visible() || d.errs[fieldStart].Text != ErrorText(d.err) {
		t.Fatalf("shown under the start date: %q", d.errs[fieldStart].Text)
	}
	if len(pe.journal()) != 0 || len(pe.pay.Sandbox.Ledger()) != 0 || out.calls != 0 {
		t.Fatal("the card reached the journal or the gateway")
	}
	pe.assertNoNumber("after the refusal", maestroTestCard)
	// Typing the issue number clears the processor's complaint.
	typeInto(pe.w, d.issue, "1")
	if d.errs[fieldStart].Visible() {
		t.Fatalf("stale error: %q", d.errs[fieldStart].Text)
	}
}
