package nvp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp/nvptest"
)

// TestNoCardDataInResultsOrLogs drives every path that produces text —
// approvals, declines, local refusals, faults, lookups — and checks that
// no test card number (nor its CVV field) appears in any Result, the log,
// or what the server recorded.
func TestNoCardDataInResultsOrLogs(t *testing.T) {
	fx := newFixture(t)
	fx.c = fx.client(func(c *Config) { c.Timeout = 300 * time.Millisecond })
	var results []app.Result
	sale := func(pan string, mod func(*app.Card)) app.SaleRequest {
		c := card(pan)
		if mod != nil {
			mod(c)
		}
		req := saleReq(newInvoice(), amount(t, "10", "GBP"), c)
		results = append(results, fx.c.Sale(fx.ctx, req))
		return req
	}
	for _, pan := range []string{panVisa, panVisa2, panMC, panMC2, panAmex, panDiscover} {
		sale(pan, nil)
	}
	sale(panMaestro, func(c *app.Card) { c.IssueNumber = "1" })
	sale(panMaestro, nil)                                                      // refused: no start/issue
	sale(panJCB, nil)                                                          // refused: type
	sale(panDiners, nil)                                                       // refused: type
	sale(panVisa, func(c *app.Card) { c.Number = []byte("4111111111111112") }) // refused: Luhn
	sale(panVisa, func(c *app.Card) { c.CVV = []byte("12x") })
	// PayPal echoing the number in an error text is scrubbed.
	fx.srv.Fail("DoDirectPayment", nvptest.Error{Code: "10527", Long: "Card 4111 1111 1111 1111 refused; acct=" + panMC})
	sale(panVisa, nil)
	for _, code := range []string{"10752", "10001", "10002", "10504"} {
		fx.srv.Fail("DoDirectPayment", nvptest.Error{Code: code})
		sale(panVisa, nil)
	}
	for _, f := range allFaults {
		fx.srv.Inject("DoDirectPayment", f)
		req := sale(panMC, nil)
		results = append(results, fx.c.Lookup(fx.ctx, lookupSale(req.InvoiceID, req.Amount)))
	}
	req := sale(panVisa, nil)
	results = append(results, fx.c.Sale(fx.ctx, req)) // duplicate invoice
	results = append(results, fx.c.Refund(fx.ctx, app.RefundRequest{Key: "leak-r", OriginalRef: results[0].Reference, Full: true}))
	results = append(results, fx.c.TestConnection(fx.ctx))

	var texts []string
	for _, r := range results {
		texts = append(texts, fmt.Sprintf("%#v", r))
	}
	for _, rq := range fx.srv.Requests() {
		texts = append(texts, fmt.Sprintf("%#v", rq))
	}
	texts = append(texts, fx.log.String())
	all := strings.Join(texts, "\n")
	if !strings.Contains(fx.log.String(), "paypal nvp") {
		t.Fatal("nothing was logged")
	}
	for _, pan := range append(allPANs, "4111111111111112") {
		if strings.Contains(all, pan) {
			t.Errorf("card number %s…%s leaked", pan[:4], pan[len(pan)-4:])
		}
		spaced := pan[:4] + " " + pan[4:8] + " " + pan[8:12]
		if strings.Contains(all, spaced) {
			t.Errorf("spaced card number %s… leaked", pan[:4])
		}
	}
	for _, s := range []string{"CVV2=1", "CVV2:1", "\"123\"", "\"1234\"", nvptest.Password, nvptest.Signature} {
		if strings.Contains(all, s) {
			t.Errorf("%q leaked", s)
		}
	}
}

// TestBodyWiped checks that the request buffer is zeroed, whole backing
// array, after every call — including failed ones — and that the caller's
// card is left alone (wiping it is the caller's job).
func TestBodyWiped(t *testing.T) {
	fx := newFixture(t)
	fx.c = fx.client(func(c *Config) { c.Timeout = 300 * time.Millisecond })
	var wiped [][]byte
	fx.c.onWipe = func(b []byte) { wiped = append(wiped, append([]byte(nil), b...)) }
	c := card(panVisa)
	fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "10", "GBP"), c))
	fx.srv.Inject("DoDirectPayment", nvptest.TimeoutBeforeProcessing)
	fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "10", "GBP"), c))
	fx.srv.Inject("DoDirectPayment", nvptest.ResetBeforeProcessing)
	fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "10", "GBP"), c))
	if len(wiped) != 3 {
		t.Fatalf("%d wipes, want 3", len(wiped))
	}
	for i, b := range wiped {
		if len(b) < 100 {
			t.Errorf("wipe %d: only %d bytes", i, len(b))
		}
		for _, x := range b {
			if x != 0 {
				t.Fatalf("wipe %d: buffer not zeroed", i)
			}
		}
	}
	if string(c.Number) != panVisa || string(c.CVV) != "123" {
		t.Error("the adapter modified the caller's card")
	}
}

func TestFormGrowthZeroesOldArray(t *testing.T) {
	f := &form{b: make([]byte, 0, 8)}
	old := f.b[:cap(f.b)]
	f.add("METHOD", "X")
	f.addDigits("ACCT", []byte(panVisa))
	if got := string(f.b); got != "METHOD=X&ACCT="+panVisa {
		t.Fatalf("body %q", got)
	}
	for _, x := range old {
		if x != 0 {
			t.Fatal("the outgrown array still holds data")
		}
	}
	s := f.seal()
	r := s.reader()
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	if n == 0 {
		t.Fatal("no body")
	}
	s.wipe()
	if _, err := r.Read(buf); err != errWiped {
		t.Errorf("read after wipe: %v", err)
	}
	for _, x := range s.b[:cap(s.b)] {
		if x != 0 {
			t.Fatal("not wiped")
		}
	}
}
