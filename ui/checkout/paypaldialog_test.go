package checkout

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/ui/uitest"
)

// paypalSite is a US site with Express Checkout on, in Test mode, whose
// buyer's browser is the returned SandboxBrowser.
func paypalSite(t *testing.T) (*payEnv, *uitest.SandboxBrowser) {
	t.Helper()
	pe := newPayEnvAt(t, "US", "USD", "America/New_York", app.ProcessorPayflow, nil)
	merchant := &app.MerchantService{Sites: pe.db, Admins: pe.site, Settings: pe.db}
	if err := merchant.SavePaymentSettings(context.Background(), testsite.Unlock(t, pe.site),
		app.PaymentSettings{ExpressCheckout: true}); err != nil {
		t.Fatal(err)
	}
	return pe, uitest.InstallBrowser(t, fyne.CurrentApp())
}

// TestPayPalCancelInTheAppWhileWaiting: the person gives up in TrainPay
// while PayPal waits; nothing is charged and the dialog closes.
func TestPayPalCancelInTheAppWhileWaiting(t *testing.T) {
	pe, b := paypalSite(t)
	w := pe.w
	var d *PayPalDialog
	var result error
	var cancelInApp func()
	closed := false
	var once sync.Once
	b.Then = func() { once.Do(cancelInApp) }
	cancelInApp = func() {
		// The wait is running: the dialog shows the time left.
		if !containsText(screenTexts(w), "Waiting for your approval in PayPal. Time left: 3 h 0 min.") {
			t.Errorf("waiting: %q", screenTexts(w))
		}
		test.Tap(d.openAgain)
		test.Tap(d.cancel)
	}
	d = ShowPayPalDialog(w, pe.svc, PayPalPayment{
		Amount: amountOf(t, "25.00", "USD"), Purpose: app.PurposeRegistration,
		Reference: "registration:1", Description: "Workshop: Go in practice",
	}, func(_ app.Payment, err error) { closed, result = true, err })
	test.Tap(d.start)
	if !closed || !errors.Is(result, context.Canceled) {
		t.Fatalf("closed %v, %v", closed, result)
	}
	if len(b.Opened()) != 2 {
		t.Errorf("PayPal opened %d times, want 2 (Open PayPal again)", len(b.Opened()))
	}
	rows, _, err := pe.pay.Service.Payments(context.Background(), app.PaymentFilter{})
	if err != nil || len(rows) != 1 || rows[0].State != app.StateDeclined || rows[0].ResultCode != app.CodeApprovalCancelledInApp {
		t.Fatalf("journal %+v %v", rows, err)
	}
}

// A Polish site in PLN never offers PayPal on Payment Information, even
// with Express Checkout stored as ticked.
func TestPaymentInformationPolishSiteHasNoPayPal(t *testing.T) {
	e := newSessionsEnvOn(t, newPayEnv(t, nil), nil)
	if err := e.db.SavePaymentSettings(context.Background(), app.PaymentSettings{
		Processor:   app.ProcessorPayflow,
		CreditCards: true, DebitCards: true, ExpressCheckout: true,
	}, nil); err != nil {
		t.Fatal(err)
	}
	s := e.schedulePaid("Excel w praktyce", 100_00, 10)
	p, _ := e.paymentInfo(s, "Jan", "Nowak", "jan@example.com")
	if want := []string{T("pay.method.credit"), T("pay.method.debit")}; !slices.Equal(p.methods.Options, want) {
		t.Fatalf("methods %q, want %q", p.methods.Options, want)
	}
	if slices.Contains(p.offered.Values(), app.MethodExpressCheckout) || hasText(screenTexts(e.w), "PayPal") {
		t.Fatalf("PayPal offered on a Polish site: %q", screenTexts(e.w))
	}
}

func amountOf(t *testing.T, v, code string) currency.Amount {
	t.Helper()
	a, err := currency.NewAmount(v, code)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
