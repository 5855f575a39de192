package ppinvoice_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice/ppinvoicetest"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
)

// fixture is the client talking to the offline sandbox through the
// validating proxy.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	sb    *sandbox.Sandbox
	proxy *ppinvoicetest.Proxy
	c     *ppinvoice.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	sb, err := sandbox.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	fx := &fixture{t: t, ctx: ctx, sb: sb, proxy: ppinvoicetest.NewProxy(t, sb.InvoicingBase())}
	fx.proxy.Hold = 1500 * time.Millisecond
	fx.c = fx.client()
	return fx
}

// client is a new client, as after a restart.
func (fx *fixture) client() *ppinvoice.Client {
	fx.t.Helper()
	cfg := fx.sb.InvoicingConfig()
	cfg.BaseURL = fx.proxy.URL
	cfg.BrandName = "Acme Training"
	cfg.Timeout = time.Second
	cfg.RetryDelay = 5 * time.Millisecond
	c, err := ppinvoice.New(cfg)
	if err != nil {
		fx.t.Fatal(err)
	}
	return c
}

func amount(t testing.TB, v, code string) currency.Amount {
	t.Helper()
	a, err := currency.NewAmount(v, code)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func draft(t testing.TB, number, value, code string) ppinvoice.Draft {
	return ppinvoice.Draft{
		Number: number, Item: "Go for payments engineers", ItemDate: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC),
		Amount: amount(t, value, code), PayerEmail: "anna.nowak@example.com", PayerGiven: "Anna", PayerSurname: "Nowak",
		PayerLanguage: "pl-PL", Due: time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC), Note: "Registration " + number,
	}
}

// sent creates and sends an invoice.
func (fx *fixture) sent(number, value, code string) (ppinvoice.Invoice, string) {
	fx.t.Helper()
	inv, err := fx.c.Create(fx.ctx, draft(fx.t, number, value, code))
	if err != nil {
		fx.t.Fatalf("create: %v", err)
	}
	link, err := fx.c.Send(fx.ctx, inv.ID)
	if err != nil {
		fx.t.Fatalf("send: %v", err)
	}
	return inv, link
}

// payByCard is the payer paying on the sandbox's page with a test card,
// as a browser posts the form.
func (fx *fixture) payByCard(id, number string) *http.Response {
	fx.t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(fx.sb.InvoicingBase()+"/invoice/p/"+id+"/pay", url.Values{
		"method": {"card"},
		"number": {number}, "expiry": {"12/30"}, "cvv": {"123"}, "holder": {"Anna Nowak"},
	})
	if err != nil {
		fx.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func wantOutcome(t testing.TB, what string, err error, want app.Outcome) *ppinvoice.Error {
	t.Helper()
	if got := ppinvoice.OutcomeOf(err); got != want {
		t.Fatalf("%s: outcome %q (%v), want %q", what, got, err, want)
	}
	e, _ := err.(*ppinvoice.Error)
	return e
}

// api is a raw authenticated call through the proxy, for what the client
// does not do (recording a payment made outside PayPal).
func (fx *fixture) api(method, path string, body any) (int, map[string]any) {
	fx.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, fx.proxy.URL+"/v1/oauth2/token", strings.NewReader(form.Encode()))
	req.SetBasicAuth(sandbox.OrdersClientID, sandbox.OrdersSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fx.t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	data, _ := json.Marshal(body)
	req, _ = http.NewRequest(method, fx.proxy.URL+path, strings.NewReader(string(data)))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		fx.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
