package sandbox

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice/ppinvoicetest"
	"github.com/trainpay/trainpay/internal/pcitest"
)

func invoiceClient(t *testing.T, sb *Sandbox) *ppinvoice.Client {
	t.Helper()
	proxy := ppinvoicetest.NewProxy(t, sb.InvoicingBase())
	cfg := sb.InvoicingConfig()
	cfg.BaseURL = proxy.URL
	cfg.RetryDelay = 5 * time.Millisecond
	c, err := ppinvoice.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sendTestInvoice(t *testing.T, c *ppinvoice.Client, number, value, code, lang string) ppinvoice.Invoice {
	t.Helper()
	a, _ := currency.NewAmount(value, code)
	inv, err := c.Create(context.Background(), ppinvoice.Draft{
		Number: number, Item: "Kubernetes day", Amount: a,
		PayerEmail: "p@example.com", PayerLanguage: lang, Due: time.Now().AddDate(0, 0, 7),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), inv.ID); err != nil {
		t.Fatal(err)
	}
	return inv
}

func getPage(t *testing.T, u, acceptLang string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestPayerPageLanguageIsTheBrowsersThenTheInvoices: Accept-Language
// first (English or Polish), else the payer's language on the invoice,
// else English.
func TestPayerPageLanguageIsTheBrowsersThenTheInvoices(t *testing.T) {
	sb, _ := start(t)
	c := invoiceClient(t, sb)
	plInv := sendTestInvoice(t, c, "TP-LANGPL01", "10", "USD", "pl-PL")
	enInv := sendTestInvoice(t, c, "TP-LANGEN01", "10", "USD", "en-GB")
	deInv := sendTestInvoice(t, c, "TP-LANGDE01", "10", "USD", "de-DE")
	for _, tc := range []struct {
		inv        ppinvoice.Invoice
		acceptLang string
		want       string
	}{
		{plInv, "", "Faktura TP-LANGPL01"},
		{plInv, "de-DE,de;q=0.9", "Faktura TP-LANGPL01"}, // neither language: the invoice's
		{plInv, "en-US,en;q=0.9", "Invoice TP-LANGPL01"},
		{enInv, "", "Invoice TP-LANGEN01"},
		{enInv, "pl,en;q=0.5", "Faktura TP-LANGEN01"},
		{deInv, "", "Invoice TP-LANGDE01"},
		{deInv, "fr-FR, pl;q=0.8", "Faktura TP-LANGDE01"},
	} {
		status, body := getPage(t, sb.InvoicingBase()+"/invoice/p/"+tc.inv.ID, tc.acceptLang)
		if status != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("%s with Accept-Language %q: %d, want %q in\n%.400s", tc.inv.Number, tc.acceptLang, status, tc.want, body)
		}
	}
	if status, body := getPage(t, sb.InvoicingBase()+"/invoice/p/INV2-NOPE", "pl"); status != 404 || !strings.Contains(body, "Nie ma takiej faktury") {
		t.Errorf("an unknown invoice: %d %.300s", status, body)
	}
}

// TestDraftHasNoPayerPage: PayPal shows the payer nothing before send.
func TestDraftHasNoPayerPage(t *testing.T) {
	sb, _ := start(t)
	c := invoiceClient(t, sb)
	a, _ := currency.NewAmount("10", "USD")
	inv, err := c.Create(context.Background(), ppinvoice.Draft{
		Number: "TP-DRAFTPG1", Item: "x", Amount: a, PayerEmail: "p@example.com",
		Due: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := getPage(t, sb.InvoicingBase()+"/invoice/p/"+inv.ID, ""); status != 404 {
		t.Errorf("a draft's page: %d", status)
	}
	resp, err := http.PostForm(sb.InvoicingBase()+"/invoice/p/"+inv.ID+"/pay", url.Values{
		"method": {"paypal"},
		"email":  {"b@example.com"}, "password": {"x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := sb.Invoices()[0]; resp.StatusCode != 404 || got.Status != "DRAFT" || len(got.Payments) != 0 {
		t.Errorf("paying a draft: %d, %+v", resp.StatusCode, got)
	}
}

// TestInvoicesSurviveARestartOfTheSandbox: invoices, their payments and
// the PayPal-Request-Id replays are in the ledger file; after a restart
// the same create gives the same invoice, and search finds it. The card
// is in the file as brand and last four digits only.
func TestInvoicesSurviveARestartOfTheSandbox(t *testing.T) {
	ledger := filepath.Join(t.TempDir(), "sandbox.json")
	pcitest.Keep(t, ledger)
	sb, _ := start(t, WithLedgerFile(ledger))
	c := invoiceClient(t, sb)
	inv := sendTestInvoice(t, c, "TP-RESTART1", "300", "CAD", "en-CA")
	resp, err := http.PostForm(sb.InvoicingBase()+"/invoice/p/"+inv.ID+"/pay", url.Values{
		"method": {"card"},
		"number": {"378282246310005"}, "expiry": {"01/" + time.Now().AddDate(3, 0, 0).Format("06")}, "cvv": {"1234"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sb.Close()

	sb2, _ := start(t, WithLedgerFile(ledger))
	c2 := invoiceClient(t, sb2)
	found, ok, err := c2.FindByNumber(context.Background(), "TP-RESTART1")
	if err != nil || !ok || found.ID != inv.ID || found.Status.State != ppinvoice.StatePaid || found.Paid != 30000 {
		t.Fatalf("after the restart: %+v, %v, %v", found, ok, err)
	}
	a, _ := currency.NewAmount("300", "CAD")
	again, err := c2.Create(context.Background(), ppinvoice.Draft{
		Number: "TP-RESTART1", Item: "Kubernetes day", Amount: a,
		PayerEmail: "p@example.com", PayerLanguage: "en-CA", Due: time.Now().AddDate(0, 0, 7),
	})
	if err != nil || again.ID != inv.ID || len(sb2.Invoices()) != 1 {
		t.Fatalf("the create again after the restart: %+v, %v, %d invoices", again, err, len(sb2.Invoices()))
	}
	data, err := os.ReadFile(ledger)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "378282246310005") || strings.Contains(string(data), `"1234"`) ||
		!strings.Contains(string(data), `"last4": "0005"`) {
		t.Errorf("the ledger file holds card data beyond the brand and last four digits, or not those:\n%s", data)
	}
}

// TestPayerPageRefusesBadCardDataWithoutCharging: an expired card and a
// security code of the wrong length are refused; the invoice stays unpaid.
func TestPayerPageRefusesBadCardDataWithoutCharging(t *testing.T) {
	sb, _ := start(t)
	c := invoiceClient(t, sb)
	inv := sendTestInvoice(t, c, "TP-BADCARD1", "20", "USD", "en-US")
	for what, form := range map[string]url.Values{
		"an expired card": {"method": {"card"}, "number": {"4111111111111111"}, "expiry": {"01/20"}, "cvv": {"123"}},
		"a short code":    {"method": {"card"}, "number": {"4111111111111111"}, "expiry": {"01/40"}, "cvv": {"12"}},
		"no such month":   {"method": {"card"}, "number": {"4111111111111111"}, "expiry": {"13/40"}, "cvv": {"123"}},
		"no password":     {"method": {"paypal"}, "email": {"b@example.com"}},
	} {
		resp, err := http.PostForm(sb.InvoicingBase()+"/invoice/p/"+inv.ID+"/pay", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `id="error"`) ||
			strings.Contains(string(body), "4111111111111111") {
			t.Errorf("%s: %d\n%.300s", what, resp.StatusCode, body)
		}
	}
	if got, _ := c.Get(context.Background(), inv.ID); got.Status.Raw != "SENT" || got.Paid != 0 {
		t.Errorf("after the refusals %+v", got)
	}
}

// TestInvoiceCreateFollowsTheAmountRules: V = 1097 makes the invoice and
// loses the answer, which the client's resend under the same
// PayPal-Request-Id gets; V = 1098 is dropped unprocessed every time, the
// create ends unknown and search finds nothing.
func TestInvoiceCreateFollowsTheAmountRules(t *testing.T) {
	sb, _ := start(t)
	c := invoiceClient(t, sb)
	ctx := context.Background()
	a, _ := currency.NewAmount("1097.00", "USD")
	inv, err := c.Create(ctx, ppinvoice.Draft{Number: "TP-RULE1097", Item: "x", Amount: a, PayerEmail: "p@example.com", Due: time.Now()})
	if err != nil || len(sb.Invoices()) != 1 || sb.Invoices()[0].ID != inv.ID {
		t.Fatalf("1097: %+v, %v; the sandbox has %d invoices", inv, err, len(sb.Invoices()))
	}
	a, _ = currency.NewAmount("1098.00", "USD")
	_, err = c.Create(ctx, ppinvoice.Draft{Number: "TP-RULE1098", Item: "x", Amount: a, PayerEmail: "p@example.com", Due: time.Now()})
	if ppinvoice.OutcomeOf(err) != app.OutcomeUnknown {
		t.Fatalf("1098: %v, want unknown", err)
	}
	if _, found, err := c.FindByNumber(ctx, "TP-RULE1098"); err != nil || found || len(sb.Invoices()) != 1 {
		t.Fatalf("1098 search: found %v, %v; %d invoices", found, err, len(sb.Invoices()))
	}
}
