package payflow

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
)

// closedEndpoint returns a loopback URL where nothing listens.
func closedEndpoint(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

const faultTimeout = 300 * time.Millisecond

// TestSaleFaults: each fault gives the right outcome, Lookup settles it, and
// the ledger never holds a double charge.
func TestSaleFaults(t *testing.T) {
	for _, tc := range []struct {
		faults  []payflowtest.Fault // injected for the sale's request ID, one per attempt
		amount  string
		sale    app.Outcome
		saleDup bool
		lookup  app.Outcome
		lookDup bool
		charged int
		tries   int // requests the sale made
	}{
		// The reply is lost on both attempts: unknown, and the lookup finds the charge.
		{[]payflowtest.Fault{payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge}, "10", app.OutcomeUnknown, false, app.OutcomeApproved, true, 1, 2},
		// Lost once: the in-call retry (same ID) gets the original reply.
		{[]payflowtest.Fault{payflowtest.FaultReplyLostAfterCharge}, "10", app.OutcomeApproved, true, app.OutcomeApproved, true, 1, 2},
		// A declined sale whose reply was lost settles as declined.
		{[]payflowtest.Fault{payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge}, "1012", app.OutcomeUnknown, false, app.OutcomeDeclined, true, 0, 2},
		// A held sale whose reply was lost settles as held.
		{[]payflowtest.Fault{payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge}, "1126", app.OutcomeUnknown, false, app.OutcomeHeldForReview, true, 1, 2},
		// Timeout before processing: not retried in the call; nothing charged.
		{[]payflowtest.Fault{payflowtest.FaultTimeoutBeforeCharge}, "10", app.OutcomeUnknown, false, app.OutcomeNotFound, false, 0, 1},
		// Reset before processing on both attempts.
		{[]payflowtest.Fault{payflowtest.FaultReset, payflowtest.FaultReset}, "10", app.OutcomeUnknown, false, app.OutcomeNotFound, false, 0, 2},
		// Reset once: the retry is processed as the first delivery.
		{[]payflowtest.Fault{payflowtest.FaultReset}, "10", app.OutcomeApproved, false, app.OutcomeApproved, true, 1, 2},
		// 503 HTML before processing: not retried; nothing charged.
		{[]payflowtest.Fault{payflowtest.Fault5xxHTML}, "10", app.OutcomeUnknown, false, app.OutcomeNotFound, false, 0, 1},
		// 503 HTML after charging.
		{[]payflowtest.Fault{payflowtest.Fault5xxHTMLAfterCharge}, "10", app.OutcomeUnknown, false, app.OutcomeApproved, true, 1, 1},
		// Garbage after charging.
		{[]payflowtest.Fault{payflowtest.FaultMalformed}, "10", app.OutcomeUnknown, false, app.OutcomeApproved, true, 1, 1},
	} {
		name := fmt.Sprintf("%v/%s", tc.faults, tc.amount)
		t.Run(name, func(t *testing.T) {
			srv := payflowtest.NewServer(t)
			c := clientFor(t, srv, faultTimeout)
			key := newKey()
			inv := "INV-" + key[24:]
			srv.InjectFor(key, tc.faults...)
			res := sale(t, c, key, tc.amount, "USD", visa)
			wantOutcome(t, "sale", res, tc.sale)
			if res.Duplicate != tc.saleDup {
				t.Errorf("sale duplicate %v, want %v", res.Duplicate, tc.saleDup)
			}
			if n := len(srv.Requests()); n != tc.tries {
				t.Errorf("sale made %d requests, want %d", n, tc.tries)
			}
			for _, r := range srv.Requests() {
				if r.RequestID != key {
					t.Errorf("attempt used request id %q, want %q", r.RequestID, key)
				}
			}

			// Looked up once no send of the sale can still be in Payflow's hands.
			look := app.LookupRequest{
				Kind: app.LookupSale, Key: key, InvoiceID: inv, Amount: money(t, tc.amount, "USD"),
				AttemptedAt: time.Now().Add(-time.Hour),
			}
			lk := c.Lookup(context.Background(), look)
			wantOutcome(t, "lookup", lk, tc.lookup)
			if lk.Duplicate != tc.lookDup {
				t.Errorf("lookup duplicate %v, want %v", lk.Duplicate, tc.lookDup)
			}
			reqs := srv.Requests()
			inquiry := reqs[len(reqs)-1]
			if v, _ := inquiry.Field("TRXTYPE"); v != "I" || inquiry.RequestID == key {
				t.Errorf("lookup sent TRXTYPE=%s under request id %q, want an inquiry under a fresh one", v, inquiry.RequestID)
			}
			for _, f := range []string{"ACCT", "EXPDATE", "CVV2", "ORIGID"} {
				if _, ok := inquiry.Field(f); ok {
					t.Errorf("the lookup inquiry carries %s", f)
				}
			}
			if tc.lookup == app.OutcomeApproved && lk.Reference == "" {
				t.Error("settled sale has no reference")
			}

			// Looking up again gives the same answer.
			if lk2 := c.Lookup(context.Background(), look); lk2.Outcome != tc.lookup {
				t.Errorf("second lookup %q, want %q", lk2.Outcome, tc.lookup)
			}

			// A late copy of a sale Payflow processed cannot charge again:
			// its ID is used.
			if srv.Seen(key) {
				if late := sale(t, c, key, tc.amount, "USD", visa); !late.Duplicate {
					t.Errorf("late original: %+v, want a duplicate", late)
				}
			}
			if n := len(srv.Ledger()); n != tc.charged {
				t.Errorf("ledger has %d charges, want %d", n, tc.charged)
			}
			if d := srv.DoubleCharges(); len(d) != 0 {
				t.Errorf("double charges: %v", d)
			}
		})
	}
}

func TestDialError(t *testing.T) {
	c, err := New(Config{Endpoint: closedEndpoint(t), User: "u", Vendor: "v", Partner: "p", Password: "w", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.retryDelay = time.Millisecond
	res := c.Sale(context.Background(), app.SaleRequest{Key: newKey(), Amount: money(t, "10", "USD"), Card: testCard(visa)})
	wantOutcome(t, "dial error", res, app.OutcomeNotProcessed)
	wantOutcome(t, "lookup over dial error", c.Lookup(context.Background(), app.LookupRequest{Kind: app.LookupSale, Key: newKey()}), app.OutcomeUnknown)
}

func TestCancelledContext(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := c.Sale(ctx, app.SaleRequest{Key: newKey(), Amount: money(t, "10", "USD"), Card: testCard(visa)})
	wantOutcome(t, "cancelled before sending", res, app.OutcomeNotProcessed)

	key := newKey()
	srv.InjectFor(key, payflowtest.FaultTimeoutBeforeCharge)
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res = c.Sale(ctx, app.SaleRequest{Key: key, Amount: money(t, "10", "USD"), Card: testCard(visa)})
	wantOutcome(t, "cancelled after sending", res, app.OutcomeUnknown)
}

// TestRefundVoidFaults: a lost refund or void is settled by resending it
// under its ID, exactly once.
func TestRefundVoidFaults(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		faults []payflowtest.Fault
		dup    bool
	}{
		{[]payflowtest.Fault{payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge}, true},
		{[]payflowtest.Fault{payflowtest.FaultReset, payflowtest.FaultReset}, false},
		{[]payflowtest.Fault{payflowtest.FaultTimeoutBeforeCharge}, false},
		{[]payflowtest.Fault{payflowtest.Fault5xxHTMLAfterCharge}, true},
		{[]payflowtest.Fault{payflowtest.FaultMalformed}, true},
	} {
		t.Run(fmt.Sprint(tc.faults), func(t *testing.T) {
			srv := payflowtest.NewServer(t)
			c := clientFor(t, srv, faultTimeout)
			s := sale(t, c, newKey(), "50", "GBP", visa)

			rk := newKey()
			srv.InjectFor(rk, tc.faults...)
			rr := app.RefundRequest{Key: rk, OriginalRef: s.Reference, Amount: money(t, "20", "GBP"), Description: "refund"}
			wantOutcome(t, "refund", c.Refund(ctx, rr), app.OutcomeUnknown)
			lk := c.Lookup(ctx, app.LookupRequest{Kind: app.LookupRefund, Key: rk, OriginalRef: s.Reference, Amount: rr.Amount, Description: rr.Description})
			wantOutcome(t, "refund lookup", lk, app.OutcomeApproved)
			if lk.Duplicate != tc.dup {
				t.Errorf("refund lookup duplicate %v, want %v", lk.Duplicate, tc.dup)
			}
			// Looking up again changes nothing.
			again := c.Lookup(ctx, app.LookupRequest{Kind: app.LookupRefund, Key: rk, OriginalRef: s.Reference, Amount: rr.Amount, Description: rr.Description})
			if again.Outcome != app.OutcomeApproved || !again.Duplicate || again.Reference != lk.Reference {
				t.Errorf("second lookup %+v", again)
			}
			if led := srv.Ledger(); len(led[0].Refunds) != 1 || led[0].Refunded.Number() != "20.00" {
				t.Errorf("refunded %+v, want exactly one refund of 20.00", led[0])
			}

			s2 := sale(t, c, newKey(), "50", "GBP", visa)
			vk := newKey()
			srv.InjectFor(vk, tc.faults...)
			wantOutcome(t, "void", c.Void(ctx, app.VoidRequest{Key: vk, OriginalRef: s2.Reference}), app.OutcomeUnknown)
			lv := c.Lookup(ctx, app.LookupRequest{Kind: app.LookupVoid, Key: vk, OriginalRef: s2.Reference})
			wantOutcome(t, "void lookup", lv, app.OutcomeApproved)
			if led := srv.Ledger(); !led[1].Voided {
				t.Error("void not in the ledger")
			}
		})
	}
}

// TestLookupInconclusive: a lookup that cannot speak for the original stays
// unknown.
func TestLookupInconclusive(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, faultTimeout)
	ctx := context.Background()
	key := newKey()
	srv.InjectFor(key, payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge)
	wantOutcome(t, "sale", sale(t, c, key, "10", "USD", visa), app.OutcomeUnknown)
	lk := app.LookupRequest{Kind: app.LookupSale, Key: key, Amount: money(t, "10", "USD")}
	srv.InjectNext(payflowtest.FaultReset, payflowtest.FaultReset)
	wantOutcome(t, "lookup during an outage", c.Lookup(ctx, lk), app.OutcomeUnknown)
	wantOutcome(t, "lookup after", c.Lookup(ctx, lk), app.OutcomeApproved)

	// Credentials refused: no conclusion.
	u, v, p, _ := srv.Credentials()
	bad, _ := New(Config{Endpoint: srv.URL, User: u, Vendor: v, Partner: p, Password: "changed"})
	wantOutcome(t, "lookup with bad credentials", bad.Lookup(ctx, app.LookupRequest{Kind: app.LookupSale, Key: newKey()}), app.OutcomeUnknown)
	wantOutcome(t, "lookup without key", c.Lookup(ctx, app.LookupRequest{Kind: app.LookupSale}), app.OutcomeUnknown)
	wantOutcome(t, "lookup of an unknown kind", c.Lookup(ctx, app.LookupRequest{Kind: "x", Key: key}), app.OutcomeUnknown)
	if len(srv.Ledger()) != 1 {
		t.Errorf("ledger %+v", srv.Ledger())
	}
}

// TestNoCardNumberInResults: no test card number appears in any Result,
// message or recorded request, whatever happens, even when the server
// echoes the number back.
func TestNoCardNumberInResults(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, faultTimeout)
	faults := []payflowtest.Fault{
		payflowtest.FaultNone, payflowtest.FaultEchoAccount, payflowtest.FaultReplyLostAfterCharge,
		payflowtest.FaultReset, payflowtest.Fault5xxHTML, payflowtest.FaultMalformed,
	}
	var seen []string
	i := 0
	for number := range payflowtest.TestCards {
		for _, amt := range []string{"10", "1012", "1023", "1104"} {
			f := faults[i%len(faults)]
			i++
			key := newKey()
			srv.InjectFor(key, f, f)
			res := sale(t, c, key, amt, "USD", number)
			lk := c.Lookup(context.Background(), app.LookupRequest{Kind: app.LookupSale, Key: key})
			for _, s := range []string{fmt.Sprintf("%#v", res), fmt.Sprintf("%#v", lk)} {
				seen = append(seen, s)
				if strings.Contains(s, number) || strings.Contains(s, number[:12]) {
					t.Errorf("%v: card number in %s", f, s)
				}
			}
			if f == payflowtest.FaultEchoAccount && !strings.Contains(res.Message, "[redacted]") {
				t.Errorf("echoed number not redacted: %q", res.Message)
			}
		}
	}
	// Errors from the local checks.
	res := c.Sale(context.Background(), app.SaleRequest{Key: newKey(), Amount: money(t, "10", "USD"), Card: testCard("4111111111111112")})
	seen = append(seen, fmt.Sprintf("%#v", res))
	for _, r := range srv.Requests() {
		seen = append(seen, r.Body, fmt.Sprint(r.Header))
	}
	for _, s := range seen {
		for number := range payflowtest.TestCards {
			if strings.Contains(s, number) {
				t.Errorf("card number %s… in %q", number[:4], s)
			}
		}
		if strings.Contains(s, "4111111111111112") {
			t.Errorf("card number in %q", s)
		}
	}
	if d := srv.DoubleCharges(); len(d) != 0 {
		t.Errorf("double charges: %v", d)
	}
}

func TestNon200(t *testing.T) {
	// Any non-200 answer leaves the outcome unknown (it does not say whether
	// the request reached Payflow), and a redirect is never followed.
	for _, status := range []int{301, 404, 500, 502} {
		srv := newStatusServer(t, status)
		c, _ := New(Config{Endpoint: srv, User: "u", Vendor: "v", Partner: "p", Password: "w"})
		wantOutcome(t, fmt.Sprint(status), c.Sale(context.Background(), app.SaleRequest{Key: newKey(), Amount: money(t, "1", "USD"), Card: testCard(visa)}), app.OutcomeUnknown)
	}
}

func newStatusServer(t testing.TB, status int) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status/100 == 3 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><body>RESULT=0</body></html>"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestTLS: a certificate the client does not trust fails before anything is
// sent (not processed); WithTransport can trust a test server's certificate.
func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("RESULT=0&PNREF=TLS000000001&RESPMSG=Approved"))
	}))
	defer srv.Close()
	cfg := Config{Endpoint: srv.URL, User: "u", Vendor: "v", Partner: "p", Password: "w"}
	req := func() app.SaleRequest {
		return app.SaleRequest{Key: newKey(), Amount: money(t, "1", "USD"), Card: testCard(visa)}
	}
	untrusting, _ := New(cfg)
	wantOutcome(t, "untrusted certificate", untrusting.Sale(context.Background(), req()), app.OutcomeNotProcessed)
	trusting, _ := New(cfg, WithTransport(srv.Client().Transport.(*http.Transport)))
	wantOutcome(t, "trusted certificate", trusting.Sale(context.Background(), req()), app.OutcomeApproved)
}
