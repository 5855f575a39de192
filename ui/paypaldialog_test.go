package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
)

// paypalSite is a US site with Express Checkout on, in Test mode.
func paypalSite(t *testing.T, language string) (*adminEnv, *uitest.SandboxBrowser) {
	a := newSiteAdminEnv(t, language, "US", "USD", "America/New_York")
	if err := a.deps.Merchant.SavePaymentSettings(context.Background(), a.m.admin.admin,
		app.PaymentSettings{ExpressCheckout: true}); err != nil {
		t.Fatal(err)
	}
	return a, uitest.InstallBrowser(t, a.app)
}

func TestPayPalTestPaymentThroughTheSandbox(t *testing.T) {
	a, b := paypalSite(t, "en")
	b.Action = "approve"
	a.tab("Payments")
	p := a.m.admin.payments
	test.Tap(p.testPay)
	w := a.m.Window()
	d := p.paypal
	if d == nil {
		t.Fatalf("no PayPal dialog: %q", a.m.admin.statusMsg.Text)
	}
	if !containsText(screenTexts(w), "What happens next: PayPal opens in your web browser.") {
		t.Fatalf("dialog: %q", screenTexts(w))
	}
	test.Tap(findButton(w, "Continue to PayPal ($1.00)"))
	if len(b.Opened()) != 1 || !strings.Contains(b.Opened()[0], "/checkoutnow?token=") {
		t.Fatalf("opened %q", b.Opened())
	}
	if !containsText(screenTexts(w), "Paid $1.00 with PayPal.") {
		t.Fatalf("result: %q", screenTexts(w))
	}
	test.Tap(findButton(w, "Close"))
	if len(p.rows) != 1 || p.rows[0].State != app.StateApproved || p.rows[0].Method != app.MethodExpressCheckout {
		t.Fatalf("journal: %+v", p.rows)
	}
	sb, _ := a.reg.Sandbox(context.Background())
	if o := sb.Orders(); len(o) != 1 || o[0].CaptureID != p.rows[0].GatewayRef {
		t.Fatalf("sandbox orders %+v", o)
	}
}

func TestPayPalCancelledInPayPalChargesNothing(t *testing.T) {
	a, b := paypalSite(t, "en")
	b.Action = "cancel"
	a.tab("Payments")
	p := a.m.admin.payments
	test.Tap(p.testPay)
	w := a.m.Window()
	test.Tap(findButton(w, "Continue to PayPal ($1.00)"))
	if !containsText(screenTexts(w), "You cancelled the payment in PayPal. Nothing was charged.") {
		t.Fatalf("result: %q", screenTexts(w))
	}
	if findButton(w, "Try PayPal again") == nil {
		t.Fatal("no way to try again")
	}
	test.Tap(findButton(w, "Cancel"))
	if len(p.rows) != 1 || p.rows[0].State != app.StateDeclined || p.rows[0].State.Charged() {
		t.Fatalf("journal: %+v", p.rows)
	}
	sb, _ := a.reg.Sandbox(context.Background())
	for _, e := range sb.Ledger() {
		if e.Type == "sale" {
			t.Fatalf("captured: %+v", e)
		}
	}
}

// TestExpressCheckoutNotOfferedInTheUKOrPoland: neither the box nor a
// warning about it is shown, and it cannot be ticked.
func TestExpressCheckoutNotOfferedInTheUKOrPoland(t *testing.T) {
	for _, site := range [][3]string{{"GB", "GBP", "Europe/London"}, {"PL", "PLN", "Europe/Warsaw"}} {
		a := newSiteAdminEnv(t, "en", site[0], site[1], site[2])
		a.tab("Payment methods")
		mt := a.m.admin.methods
		if !mt.express.Disabled() || mt.express.Visible() || mt.expNote.Visible() {
			t.Errorf("%s: express disabled %v visible %v, note %q", site[0], mt.express.Disabled(), mt.express.Visible(), mt.expNote.Text)
		}
		if mt.paypal.box.Visible() {
			t.Errorf("%s: PayPal credentials shown", site[0])
		}
	}
}

func TestPayPalCredentialsShowWithExpressCheckout(t *testing.T) {
	a := newSiteAdminEnv(t, "en", "CA", "CAD", "America/Toronto")
	a.tab("Payment methods")
	mt := a.m.admin.methods
	if mt.express.Disabled() || mt.paypal.box.Visible() {
		t.Fatal("a Canadian site may tick Express Checkout; the PayPal fields wait for it")
	}
	test.Tap(mt.express)
	if !mt.paypal.box.Visible() || mt.paypal.status.Text != "No credentials are stored." && mt.paypal.status.Text == "" {
		t.Fatalf("PayPal section: visible %v, %q", mt.paypal.box.Visible(), mt.paypal.status.Text)
	}
	test.Tap(mt.save)
	mt.paypal.clientID.SetText("AbC-client")
	mt.paypal.secret.SetText("s3cret-value")
	test.Tap(mt.paypal.save)
	if mt.paypal.secret.Text != "" {
		t.Error("the secret stays on screen")
	}
	if has, _ := a.deps.Merchant.HasCredentials(app.ProcessorPayPalREST); !has {
		t.Fatal("credentials not stored")
	}
	test.Tap(mt.paypal.test)
	if mt.paypal.result.Text != "Connection works: the processor accepted the credentials." {
		t.Errorf("test connection: %q", mt.paypal.result.Text)
	}
}

// TestPolishPayPalDialog walks the PayPal dialog in Polish.
func TestPolishPayPalDialog(t *testing.T) {
	frags := englishFragments(t)
	a, b := paypalSite(t, "pl")
	if Language() != "pl" {
		t.Fatalf("language %q", Language())
	}
	w := a.m.Window()
	a.tab("Metody płatności")
	assertPolish(t, "payment methods with Express Checkout", w, frags)
	a.tab("Płatności")
	p := a.m.admin.payments
	test.Tap(p.testPay)
	assertPolish(t, "PayPal dialog", w, frags)
	d := p.paypal
	var cancelInPayPal func()
	var once sync.Once
	b.Then = func() { once.Do(cancelInPayPal) }
	cancelInPayPal = func() {
		assertPolish(t, "PayPal dialog, waiting", w, frags)
		if !containsText(screenTexts(w), "Pozostało: 3 godz. 0 min") {
			t.Errorf("time left in Polish: %q", screenTexts(w))
		}
		resp, err := http.PostForm(strings.Split(b.Opened()[0], "/checkoutnow")[0]+"/checkoutnow",
			url.Values{"token": {strings.Split(b.Opened()[0], "token=")[1]}, "action": {"cancel"}})
		if err == nil {
			resp.Body.Close()
		}
	}
	test.Tap(d.Widgets().Start)
	assertPolish(t, "PayPal dialog, cancelled", w, frags)
	if !containsText(screenTexts(w), "Płatność została anulowana w PayPal. Nic nie pobrano.") {
		t.Fatalf("cancelled in Polish: %q", screenTexts(w))
	}
	b.Then = nil
	b.Action = "approve"
	test.Tap(d.Widgets().Start)
	assertPolish(t, "PayPal dialog, paid", w, frags)
	if !containsText(screenTexts(w), "Zapłacono 1,00\u00a0USD przez PayPal.") && !containsText(screenTexts(w), "przez PayPal.") {
		rows, _, _ := a.deps.Payments.Payments(context.Background(), app.PaymentFilter{})
		t.Fatalf("paid in Polish: %q %+v", screenTexts(w), rows)
	}
}
