package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice/ppinvoicetest"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/internal/webdrivertest"
)

// A real browser pays invoices on the sandbox's payer page: headless
// chromium driven through chromedriver. The client talks to the sandbox
// through the proxy that validates every exchange against PayPal's
// published description. TRAINPAY_INVOICE_SHOTS names a folder for
// screenshots of the pages, for a person to look at.

// invoiceWorld is a sandbox with a ledger file, the validating proxy and
// an Invoicing client.
type invoiceWorld struct {
	t      *testing.T
	ctx    context.Context
	sb     *Sandbox
	c      *ppinvoice.Client
	ledger string
}

func newInvoiceWorld(t *testing.T) *invoiceWorld {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ledger := filepath.Join(t.TempDir(), "sandbox.json")
	sb, err := Start(ctx, WithLedgerFile(ledger))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	pcitest.Keep(t, ledger)
	proxy := ppinvoicetest.NewProxy(t, sb.InvoicingBase())
	cfg := sb.InvoicingConfig()
	cfg.BaseURL = proxy.URL
	cfg.BrandName = "Akademia Testów"
	cfg.RetryDelay = 10 * time.Millisecond
	c, err := ppinvoice.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &invoiceWorld{t: t, ctx: ctx, sb: sb, c: c, ledger: ledger}
}

// sendInvoice creates and sends an invoice; the payer's language is lang.
func (w *invoiceWorld) sendInvoice(number, value, code, lang string) (ppinvoice.Invoice, string) {
	w.t.Helper()
	a, err := currency.NewAmount(value, code)
	if err != nil {
		w.t.Fatal(err)
	}
	inv, err := w.c.Create(w.ctx, ppinvoice.Draft{
		Number: number, Item: "Warsztaty Go: płatności", Amount: a,
		PayerEmail: "ewa@example.com", PayerGiven: "Ewa", PayerSurname: "Kowalska", PayerLanguage: lang,
		Due: time.Now().AddDate(0, 0, 14),
	})
	if err != nil {
		w.t.Fatal(err)
	}
	link, err := w.c.Send(w.ctx, inv.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return inv, link
}

// waitState polls the client every 100 ms until the invoice reads state,
// for at most five seconds, and says how long it took.
func (w *invoiceWorld) waitState(inv ppinvoice.Invoice, state ppinvoice.State) (ppinvoice.Invoice, time.Duration) {
	w.t.Helper()
	start := time.Now()
	for {
		got, err := w.c.Refresh(w.ctx, inv)
		if err == nil && got.Status.State == state {
			return got, time.Since(start)
		}
		if time.Since(start) > 5*time.Second {
			w.t.Fatalf("the client reads %v (%v) after 5 s, want %s", got.Status, err, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func shot(t *testing.T, b *webdrivertest.Browser, name string) {
	dir := os.Getenv("TRAINPAY_INVOICE_SHOTS")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b.Screenshot(), 0o644); err != nil {
		t.Error(err)
	}
}

// TestBrowserPaysAnInvoiceWithATestCardInEnglishAndPolish: the payer opens
// the link PayPal would email, reads the invoice in their browser's
// language, pays with a test card as a guest, and the client reads PAID
// within seconds. The card number is in neither the page nor the ledger.
// (WebDriver's element text turns the no-break space of "1234,50 zł" into
// a plain one.)
func TestBrowserPaysAnInvoiceWithATestCardInEnglishAndPolish(t *testing.T) {
	d := webdrivertest.Start(t)
	for _, c := range []struct {
		lang, acceptLang, number, title, amount, paid, pay string
	}{
		{"en", "en-GB,en", "TP-BRWSREN1", "Invoice TP-BRWSREN1 from Akademia Testów", "PLN 1,234.50", "Paid. Thank you!", "Pay PLN 1,234.50"},
		{"pl", "pl-PL,pl", "TP-BRWSRPL1", "Faktura TP-BRWSRPL1 od Akademia Testów", "1234,50 zł", "Zapłacono. Dziękujemy!", "Zapłać 1234,50 zł"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			w := newInvoiceWorld(t)
			inv, link := w.sendInvoice(c.number, "1234.50", "PLN", "en-US")
			b := d.Session(c.acceptLang)
			b.Open(link)
			if got := b.Text("#title"); got != c.title {
				t.Errorf("title %q, want %q", got, c.title)
			}
			if !strings.HasSuffix(b.URL(), "/invoice/p/"+inv.ID) {
				t.Errorf("the link led to %s", b.URL())
			}
			for css, want := range map[string]string{
				"#amount": c.amount, "#merchant": "Akademia Testów",
				"#item": "Warsztaty Go: płatności", "#number": c.number, "#pay-card": c.pay,
			} {
				if got := b.Text(css); got != want {
					t.Errorf("%s shows %q, want %q", css, got, want)
				}
			}
			shot(t, b, "invoice-"+c.lang)
			b.TypeInto("#card-number", "4111 1111 1111 1111")
			b.TypeInto("#card-expiry", "12/"+time.Now().AddDate(2, 0, 0).Format("06"))
			b.TypeInto("#card-cvv", "123")
			b.TypeInto("#card-holder", "Ewa Kowalska")
			clicked := time.Now()
			b.Click("#pay-card")
			status := b.WaitText(w.ctx, "#status", c.paid)
			paid, took := w.waitState(inv, ppinvoice.StatePaid)
			t.Logf("%s: paid in the browser; the client read PAID %s after the click (%s of polling)", c.lang,
				time.Since(clicked).Round(time.Millisecond), took.Round(time.Millisecond))
			shot(t, b, "paid-"+c.lang)
			if paid.Paid != 123450 || paid.Capture() == "" || !strings.Contains(status, paid.Capture()) {
				t.Errorf("paid %+v; the page says %q", paid, status)
			}
			if p := paid.Payments[0]; p.Method != "CREDIT_CARD" || p.External {
				t.Errorf("payment %+v", p)
			}
			if strings.Contains(b.Source(), "4111") {
				t.Error("the page shows the card number")
			}
			data, err := os.ReadFile(w.ledger)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "4111111111111111") || !strings.Contains(string(data), `"last4": "1111"`) {
				t.Error("the ledger keeps the card number, or not its last four digits")
			}
		})
	}
}

// TestBrowserCardDeclinesLeaveTheInvoiceUnpaid: a number that is no test
// card, a security code of 000 and an amount the rules decline are each
// refused on the page, nothing is charged and the client still reads it
// awaiting payment; then a good card pays it.
func TestBrowserCardDeclinesLeaveTheInvoiceUnpaid(t *testing.T) {
	d := webdrivertest.Start(t)
	w := newInvoiceWorld(t)
	// V = 1012: the amount rules decline it.
	inv, link := w.sendInvoice("TP-DECLINE1", "1012.00", "USD", "pl-PL")
	b := d.Session("pl-PL,pl")
	expiry := "12/" + time.Now().AddDate(1, 0, 0).Format("06")
	pay := func(number, cvv string) string {
		b.Open(link)
		b.TypeInto("#card-number", number)
		b.TypeInto("#card-expiry", expiry)
		b.TypeInto("#card-cvv", cvv)
		b.Click("#pay-card")
		return b.Text("#error")
	}
	if got := pay("4000 0000 0000 0002", "123"); !strings.Contains(got, "tylko testowe numery kart") {
		t.Errorf("a card that is no test card: %q", got)
	}
	shot(t, b, "declined-pl")
	if strings.Contains(b.Source(), "4000 0000") || strings.Contains(b.Source(), "4000000000000002") {
		t.Error("the refused number is shown back")
	}
	if got := pay("5105105105105100", "000"); !strings.Contains(got, "Karta została odrzucona") {
		t.Errorf("security code 000: %q", got)
	}
	if got := pay("5105105105105100", "321"); !strings.Contains(got, "Karta została odrzucona") {
		t.Errorf("an amount the rules decline: %q", got)
	}
	got, err := w.c.Refresh(w.ctx, inv)
	if err != nil || got.Status.State != ppinvoice.StateAwaitingPayment || got.Paid != 0 {
		t.Fatalf("after three declines the client reads %+v, %v", got, err)
	}
	for _, e := range w.sb.Ledger() {
		if e.Protocol == ProtocolInvoicing && e.Type == "sale" {
			t.Errorf("a declined card left a payment in the ledger: %+v", e)
		}
	}

	// An amount the rules pass, in English this time: paid.
	inv2, link2 := w.sendInvoice("TP-DECLINE2", "99.00", "USD", "en-US")
	b2 := d.Session("en-US,en")
	b2.Open(link2)
	b2.TypeInto("#card-number", "5105105105105100")
	b2.TypeInto("#card-expiry", expiry)
	b2.TypeInto("#card-cvv", "321")
	b2.Click("#pay-card")
	b2.WaitText(w.ctx, "#status", "Paid. Thank you!")
	w.waitState(inv2, ppinvoice.StatePaid)
}

// TestBrowserPaysWithAPayPalAccount: the test login refuses the password
// "invalid", then pays; the payment is PayPal's.
func TestBrowserPaysWithAPayPalAccount(t *testing.T) {
	d := webdrivertest.Start(t)
	w := newInvoiceWorld(t)
	inv, link := w.sendInvoice("TP-ACCOUNT1", "45.00", "EUR", "en-GB")
	b := d.Session("en-GB,en")
	b.Open(link)
	if got := b.Text("#pay-paypal"); got != "Log in and pay €45.00" {
		t.Errorf("button %q", got)
	}
	b.TypeInto("#paypal-email", "buyer@example.com")
	b.TypeInto("#paypal-password", "invalid")
	b.Click("#pay-paypal")
	if got := b.Text("#error"); !strings.Contains(got, "email or password is not correct") {
		t.Errorf("a wrong password: %q", got)
	}
	b.TypeInto("#paypal-email", "buyer@example.com")
	b.TypeInto("#paypal-password", "sandbox")
	b.Click("#pay-paypal")
	b.WaitText(w.ctx, "#status", "Paid. Thank you!")
	paid, _ := w.waitState(inv, ppinvoice.StatePaid)
	if p := paid.Payments; len(p) != 1 || p[0].Method != "PAYPAL" || paid.Capture() == "" {
		t.Errorf("payments %+v", p)
	}
	// The page of a paid invoice takes no second payment.
	b.Open(link)
	if got := b.Text("#status"); got != "This invoice has been paid." {
		t.Errorf("a paid invoice's page says %q", got)
	}
	if strings.Contains(b.Source(), `id="pay-card"`) {
		t.Error("a paid invoice still offers to pay")
	}
}
