package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
)

// browserApp is the test app with the system browser replaced: OpenURL
// hands the address to the test's buyer.
type browserApp struct {
	fyne.App
	open func(*url.URL) error
}

func (b browserApp) OpenURL(u *url.URL) error { return b.open(u) }

// sandboxBrowser is the buyer's browser on the sandbox's approval page:
// it presses action ("approve" or "cancel"), or calls then() instead.
type sandboxBrowser struct {
	t      *testing.T
	mu     sync.Mutex
	opened []string
	action string
	then   func()
	done   chan struct{}
}

func (b *sandboxBrowser) install(a fyne.App) {
	b.done = make(chan struct{}, 8)
	fyne.SetCurrentApp(browserApp{App: a, open: func(u *url.URL) error {
		b.mu.Lock()
		b.opened = append(b.opened, u.String())
		action, then := b.action, b.then
		b.mu.Unlock()
		go func() {
			defer func() { b.done <- struct{}{} }()
			if then != nil {
				then()
				return
			}
			if action == "" {
				return
			}
			resp, err := http.Get(u.String())
			if err != nil {
				b.t.Errorf("approval page: %v", err)
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindSubmatch(page)
			if m == nil {
				b.t.Errorf("no approval form: %s", page)
				return
			}
			resp, err = http.PostForm(u.Scheme+"://"+u.Host+"/checkoutnow", url.Values{"token": {string(m[1])}, "action": {action}})
			if err != nil {
				b.t.Errorf("pressing %s: %v", action, err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}})
	b.t.Cleanup(func() { fyne.SetCurrentApp(a) })
}

// paypalSite is a US site with Express Checkout on, in Test mode.
func paypalSite(t *testing.T, language string) (*adminEnv, *sandboxBrowser) {
	a := newSiteAdminEnv(t, language, "US", "USD", "America/New_York")
	if err := a.deps.Merchant.SavePaymentSettings(context.Background(), a.m.admin.admin,
		app.PaymentSettings{ExpressCheckout: true}); err != nil {
		t.Fatal(err)
	}
	b := &sandboxBrowser{t: t}
	b.install(a.app)
	return a, b
}

func TestPayPalTestPaymentThroughTheSandbox(t *testing.T) {
	a, b := paypalSite(t, "en")
	b.action = "approve"
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
	if len(b.opened) != 1 || !strings.Contains(b.opened[0], "/checkoutnow?token=") {
		t.Fatalf("opened %q", b.opened)
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
	b.action = "cancel"
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

// TestPayPalCancelInTheAppWhileWaiting: the person gives up in TrainPay
// while PayPal waits; nothing is charged and the dialog closes.
func TestPayPalCancelInTheAppWhileWaiting(t *testing.T) {
	a, b := paypalSite(t, "en")
	w := a.m.Window()
	var d *PayPalDialog
	var result error
	var cancelInApp func()
	closed := false
	var once sync.Once
	b.then = func() { once.Do(cancelInApp) }
	cancelInApp = func() {
		// The wait is running: the dialog shows the time left.
		if !containsText(screenTexts(w), "Waiting for your approval in PayPal. Time left: 3 h 0 min.") {
			t.Errorf("waiting: %q", screenTexts(w))
		}
		test.Tap(d.openAgain)
		test.Tap(d.cancel)
	}
	d = ShowPayPalDialog(w, a.deps, PayPalPayment{
		Amount: amountOf(t, "25.00", "USD"), Purpose: app.PurposeRegistration,
		Reference: "registration:1", Description: "Workshop: Go in practice",
	}, func(_ app.Payment, err error) { closed, result = true, err })
	test.Tap(d.start)
	if !closed || !errors.Is(result, context.Canceled) {
		t.Fatalf("closed %v, %v", closed, result)
	}
	if len(b.opened) != 2 {
		t.Errorf("PayPal opened %d times, want 2 (Open PayPal again)", len(b.opened))
	}
	rows, _, err := a.deps.Payments.Payments(context.Background(), app.PaymentFilter{})
	if err != nil || len(rows) != 1 || rows[0].State != app.StateDeclined || rows[0].ResultCode != app.CodeApprovalCancelledInApp {
		t.Fatalf("journal %+v %v", rows, err)
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
	b.then = func() { once.Do(cancelInPayPal) }
	cancelInPayPal = func() {
		assertPolish(t, "PayPal dialog, waiting", w, frags)
		if !containsText(screenTexts(w), "Pozostało: 3 godz. 0 min") {
			t.Errorf("time left in Polish: %q", screenTexts(w))
		}
		resp, err := http.PostForm(strings.Split(b.opened[0], "/checkoutnow")[0]+"/checkoutnow",
			url.Values{"token": {strings.Split(b.opened[0], "token=")[1]}, "action": {"cancel"}})
		if err == nil {
			resp.Body.Close()
		}
	}
	test.Tap(d.start)
	assertPolish(t, "PayPal dialog, cancelled", w, frags)
	if !containsText(screenTexts(w), "Płatność została anulowana w PayPal. Nic nie pobrano.") {
		t.Fatalf("cancelled in Polish: %q", screenTexts(w))
	}
	b.then = nil
	b.action = "approve"
	test.Tap(d.start)
	assertPolish(t, "PayPal dialog, paid", w, frags)
	if !containsText(screenTexts(w), "Zapłacono 1,00\u00a0USD przez PayPal.") && !containsText(screenTexts(w), "przez PayPal.") {
		rows, _, _ := a.deps.Payments.Payments(context.Background(), app.PaymentFilter{})
		t.Fatalf("paid in Polish: %q %+v", screenTexts(w), rows)
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
