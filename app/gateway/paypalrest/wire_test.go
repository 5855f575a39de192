package paypalrest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/paypalrest/paypalresttest"
)

const key1 = "0123456789abcdef0123456789abcdef"

// TestWireSaleTokenCreateApproveCapture walks one sale on the wire: the
// token call, the create body and headers, the journal hearing of the
// order before the buyer sees the link, no capture before approval, and
// the capture with its own PayPal-Request-Id.
func TestWireSaleTokenCreateApproveCapture(t *testing.T) {
	fx := newFixture(t)
	b := newBuyer()
	var journalled string
	b.journal = func(ref string) error {
		if len(b.links) != 0 {
			t.Error("the approve link was shown before the order id was journalled")
		}
		journalled = ref
		return nil
	}
	done := fx.saleAsync(fx.ctx, saleReq(key1, "TP0011223344556677", amount(t, "25", "USD"), b))
	l := fx.link(b)
	if journalled == "" || l.Reference != journalled {
		t.Fatalf("journalled %q, link %+v", journalled, l)
	}
	if !strings.Contains(l.URL, "token="+l.Reference) {
		t.Errorf("approve link %q", l.URL)
	}
	if left := time.Until(l.Expires); left < 2*time.Hour+59*time.Minute || left > 3*time.Hour {
		t.Errorf("approval window ends in %s, want 3h", left)
	}
	if n := len(requestsOf(fx.srv, paypalresttest.OpCapture)); n != 0 {
		t.Fatalf("%d captures before approval", n)
	}
	redirect, err := fx.srv.Approve(l.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if resp := follow(t, redirect); resp.StatusCode != 200 {
		t.Errorf("return page: %d", resp.StatusCode)
	}
	r := fx.wait(done)
	wantOutcome(t, "sale", r, app.OutcomeApproved)
	o, _ := fx.srv.Order(l.Reference)
	if o.Capture == nil || r.Reference != o.Capture.ID || r.Code != "CAPTURE=COMPLETED" {
		t.Fatalf("result %+v, order %+v", r, o)
	}

	reqs := fx.srv.Requests()
	if reqs[0].Op != paypalresttest.OpToken {
		t.Errorf("first call %s, want the token", reqs[0].Op)
	}
	creates := requestsOf(fx.srv, paypalresttest.OpCreate)
	if len(creates) != 1 || creates[0].RequestID != key1 || creates[0].Prefer != "" {
		t.Fatalf("create calls %+v", creates)
	}
	var body map[string]any
	if err := json.Unmarshal(creates[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	pu := body["purchase_units"].([]any)[0].(map[string]any)
	ac := body["application_context"].(map[string]any)
	amt := pu["amount"].(map[string]any)
	for what, got := range map[string]any{
		"intent": body["intent"], "value": amt["value"], "currency": amt["currency_code"],
		"invoice_id": pu["invoice_id"], "custom_id": pu["custom_id"], "brand": ac["brand_name"],
		"user_action": ac["user_action"], "shipping": ac["shipping_preference"],
	} {
		want := map[string]any{
			"intent": "CAPTURE", "value": "25.00", "currency": "USD", "invoice_id": "TP0011223344556677",
			"custom_id": key1, "brand": "Acme Training", "user_action": "PAY_NOW", "shipping": "NO_SHIPPING",
		}[what]
		if got != want {
			t.Errorf("create %s = %v, want %v", what, got, want)
		}
	}
	if ru, _ := ac["return_url"].(string); !strings.HasPrefix(ru, "http://127.0.0.1:") {
		t.Errorf("return_url %q", ru)
	}
	captures := requestsOf(fx.srv, paypalresttest.OpCapture)
	if len(captures) != 1 || captures[0].RequestID != key1+"-capture" || captures[0].Prefer != "return=representation" ||
		string(captures[0].Body) != "{}" {
		t.Fatalf("capture calls %+v", captures)
	}
	// The sticky Prefer flag of plutov's own capture call never leaks.
	for _, r := range requestsOf(fx.srv, paypalresttest.OpGet) {
		if r.Prefer != "" {
			t.Errorf("GET carries Prefer %q", r.Prefer)
		}
	}
}

// TestCreateBodyMatchesTheSpec validates the create request the client
// sends against PayPal's Orders v2 OpenAPI description.
func TestCreateBodyMatchesTheSpec(t *testing.T) {
	spec := filepath.Join("..", "..", "..", "..", "shared", "reference", "paypal-openapi", "checkout_orders_v2.json")
	if _, err := os.Stat(spec); err != nil {
		t.Skipf("PayPal's Orders v2 spec is not at %s (the shared reference folder is absent): %v", spec, err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t)
	for _, cur := range []string{"USD", "CAD"} {
		b := newBuyer()
		ctx, cancel := context.WithCancel(fx.ctx)
		done := fx.saleAsync(ctx, saleReq(app.NewKey(), "TP00aabbccddeeff", amount(t, "1234.5", cur), b))
		fx.link(b)
		cancel()
		wantOutcome(t, "cancelled sale", fx.wait(done), app.OutcomeDeclined)
	}
	bad := []byte(`{"intent":"SELL","purchase_units":[{"amount":{"currency_code":"USD","value":"1.001"}}]}`)
	creates := append(requestsOf(fx.srv, paypalresttest.OpCreate), paypalresttest.Request{Body: bad, RequestID: "x"})
	for i, c := range creates {
		last := i == len(creates)-1
		req, _ := http.NewRequest(http.MethodPost, paypalrestSandbox+"/v2/checkout/orders", bytes.NewReader(c.Body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("PayPal-Request-Id", c.RequestID)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatal(err)
		}
		in := &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
		}
		err = openapi3filter.ValidateRequest(context.Background(), in)
		if last {
			if err == nil {
				t.Error("the validator took a body the spec forbids: it validates nothing")
			}
			continue
		}
		if err != nil {
			t.Errorf("create body %s does not match the spec: %v", c.Body, err)
		}
		if !strings.Contains(string(c.Body), `"value":"1234.50"`) {
			t.Errorf("amount digits: %s", c.Body)
		}
	}
}

const paypalrestSandbox = SandboxBase

// TestApprovalByLoopbackRedirect: polling is off (an hour); only the
// browser's return to 127.0.0.1 can start the capture.
func TestApprovalByLoopbackRedirect(t *testing.T) {
	fx := newFixture(t)
	b := newBuyer()
	done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP01", amount(t, "10", "CAD"), b))
	l := fx.link(b)
	redirect, _ := fx.srv.Approve(l.Reference)
	// A stranger's request naming another order is refused and ignored.
	if resp := follow(t, strings.Replace(redirect, "token="+l.Reference, "token=5OFORGED", 1)); resp.StatusCode != 400 {
		t.Errorf("forged return: %d", resp.StatusCode)
	}
	follow(t, redirect)
	wantOutcome(t, "sale", fx.wait(done), app.OutcomeApproved)
	if n := len(requestsOf(fx.srv, paypalresttest.OpGet)); n != 0 {
		t.Errorf("%d polls with polling off", n)
	}
	// The listener is gone once the payment ended.
	if _, err := http.Get(redirect); err == nil {
		t.Error("the return listener still answers after the payment")
	}
}

// TestApprovalByPollingWithoutRedirect: the browser never comes back
// (another machine, or PayPal refusing a loopback return URL); polling
// the order finds it approved.
func TestApprovalByPollingWithoutRedirect(t *testing.T) {
	fx := newFixture(t, func(c *Config) { c.PollInterval = 20 * time.Millisecond })
	b := newBuyer()
	done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP02", amount(t, "10", "USD"), b))
	l := fx.link(b)
	time.Sleep(100 * time.Millisecond) // a few polls see CREATED
	if n := len(requestsOf(fx.srv, paypalresttest.OpCapture)); n != 0 {
		t.Fatalf("%d captures before approval", n)
	}
	if _, err := fx.srv.Approve(l.Reference); err != nil {
		t.Fatal(err)
	}
	r := fx.wait(done)
	wantOutcome(t, "sale", r, app.OutcomeApproved)
	if n := len(requestsOf(fx.srv, paypalresttest.OpGet)); n < 2 {
		t.Errorf("%d polls", n)
	}
	if fx.srv.Captures() != 1 {
		t.Errorf("%d captures", fx.srv.Captures())
	}
}

// TestCancelledInPayPalOrInTheAppChargesNothing covers the buyer's cancel
// link, the app's Cancel, and the end of the approval window.
func TestCancelledInPayPalOrInTheAppChargesNothing(t *testing.T) {
	fx := newFixture(t)
	b := newBuyer()
	done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP03", amount(t, "10", "USD"), b))
	l := fx.link(b)
	u, _ := fx.srv.Cancel(l.Reference)
	follow(t, u)
	r := fx.wait(done)
	wantOutcome(t, "cancelled in PayPal", r, app.OutcomeDeclined)
	if r.Code != CodeCancelled || r.Reference != l.Reference {
		t.Errorf("result %+v", r)
	}

	ctx, cancel := context.WithCancel(fx.ctx)
	done = fx.saleAsync(ctx, saleReq(app.NewKey(), "TP04", amount(t, "10", "USD"), b))
	fx.link(b)
	cancel()
	if r := fx.wait(done); r.Outcome != app.OutcomeDeclined || r.Code != CodeCancelledInApp {
		t.Errorf("cancelled in the app: %+v", r)
	}

	short := newFixture(t, func(c *Config) { c.ApprovalWindow = 50 * time.Millisecond })
	done = short.saleAsync(short.ctx, saleReq(app.NewKey(), "TP05", amount(t, "10", "USD"), b))
	short.link(b)
	if r := short.wait(done); r.Code != CodeExpired {
		t.Errorf("window over: %+v", r)
	}
	if fx.srv.Captures()+short.srv.Captures() != 0 {
		t.Error("something was captured")
	}
}

// TestDeclinedFundingSource: INSTRUMENT_DECLINED and PAYER_CANNOT_PAY are
// declines the buyer answers by paying another way.
func TestDeclinedFundingSource(t *testing.T) {
	for _, issue := range []string{"INSTRUMENT_DECLINED", "PAYER_CANNOT_PAY"} {
		fx := newFixture(t)
		fx.srv.DeclineNextCapture(issue)
		b := newBuyer()
		done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP06", amount(t, "10", "USD"), b))
		l := fx.link(b)
		u, _ := fx.srv.Approve(l.Reference)
		follow(t, u)
		r := fx.wait(done)
		wantOutcome(t, issue, r, app.OutcomeDeclined)
		if r.Code != "PAYPAL="+issue || !strings.Contains(r.Message, "choose another way to pay") {
			t.Errorf("%s: %+v", issue, r)
		}
	}
}

// TestNotApprovedYetKeepsWaiting: a return that comes before PayPal has
// the approval (ORDER_NOT_APPROVED) sends the client back to waiting.
func TestNotApprovedYetKeepsWaiting(t *testing.T) {
	fx := newFixture(t, func(c *Config) { c.PollInterval = 20 * time.Millisecond })
	b := newBuyer()
	done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP07", amount(t, "10", "USD"), b))
	l := fx.link(b)
	u, _ := fx.srv.Cancel(l.Reference)
	follow(t, strings.Replace(u, "/cancel?", "/return?", 1)) // back too early
	time.Sleep(100 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("Sale ended before approval: %+v", r)
	default:
	}
	fx.srv.Approve(l.Reference)
	wantOutcome(t, "sale", fx.wait(done), app.OutcomeApproved)
	var notApproved int
	for _, r := range requestsOf(fx.srv, paypalresttest.OpCapture) {
		if r.RequestID != requestsOf(fx.srv, paypalresttest.OpCapture)[0].RequestID {
			t.Error("capture request ids differ between sends")
		}
		notApproved++
	}
	if notApproved != 2 || fx.srv.Captures() != 1 {
		t.Errorf("%d capture calls, %d captures", notApproved, fx.srv.Captures())
	}
}

func TestInvalidClientIsMerchantConfig(t *testing.T) {
	fx := newFixture(t, func(c *Config) { c.Secret = "wrong" })
	b := newBuyer()
	r := fx.c.Sale(fx.ctx, saleReq(app.NewKey(), "TP08", amount(t, "10", "USD"), b))
	wantOutcome(t, "sale", r, app.OutcomeMerchantConfig)
	if r.Code != "OAUTH=401" || len(b.links) != 0 {
		t.Errorf("%+v", r)
	}
	wantOutcome(t, "test connection", fx.c.TestConnection(fx.ctx), app.OutcomeMerchantConfig)
	good := newFixture(t)
	wantOutcome(t, "test connection", good.c.TestConnection(good.ctx), app.OutcomeApproved)
}

func TestRefundsFullAndPartialWithTheirOwnRequestID(t *testing.T) {
	fx := newFixture(t)
	capture := fx.paid(t, "40.00")
	k1, k2, k3 := app.NewKey(), app.NewKey(), app.NewKey()
	r := fx.c.Refund(fx.ctx, app.RefundRequest{Key: k1, OriginalRef: capture, Amount: amount(t, "15", "USD")})
	wantOutcome(t, "partial refund", r, app.OutcomeApproved)
	// A resend under the same key refunds nothing more.
	again := fx.c.Refund(fx.ctx, app.RefundRequest{Key: k1, OriginalRef: capture, Amount: amount(t, "15", "USD")})
	if again.Reference != r.Reference {
		t.Errorf("replay %+v vs %+v", again, r)
	}
	wantOutcome(t, "too much", fx.c.Refund(fx.ctx, app.RefundRequest{Key: k2, OriginalRef: capture, Amount: amount(t, "30", "USD")}), app.OutcomeDeclined)
	wantOutcome(t, "the rest", fx.c.Refund(fx.ctx, app.RefundRequest{Key: k3, OriginalRef: capture, Amount: amount(t, "25", "USD"), Full: true}), app.OutcomeApproved)
	refunds := requestsOf(fx.srv, paypalresttest.OpRefund)
	if refunds[0].RequestID != k1 || refunds[3].RequestID != k3 || !strings.Contains(string(refunds[0].Body), `"value":"15.00"`) ||
		strings.Contains(string(refunds[3].Body), "amount") {
		t.Errorf("refund calls %+v", refunds)
	}
	for _, o := range fx.srv.Orders() {
		if o.Capture.RefundedMinor != 4000 || o.Capture.Status != "REFUNDED" {
			t.Errorf("capture %+v", o.Capture)
		}
	}
	wantOutcome(t, "void", fx.c.Void(fx.ctx, app.VoidRequest{Key: app.NewKey(), OriginalRef: capture}), app.OutcomeDeclined)
}

// paid makes one approved sale and returns its capture id.
func (fx *fixture) paid(t *testing.T, v string) string {
	b := newBuyer()
	done := fx.saleAsync(fx.ctx, saleReq(app.NewKey(), "TP"+v, amount(t, v, "USD"), b))
	l := fx.link(b)
	u, _ := fx.srv.Approve(l.Reference)
	follow(t, u)
	r := fx.wait(done)
	wantOutcome(t, "sale", r, app.OutcomeApproved)
	return r.Reference
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: "http://api-m.paypal.com", ClientID: "a", Secret: "b"},
		{BaseURL: LiveBase + "/v2", ClientID: "a", Secret: "b"},
		{BaseURL: LiveBase, ClientID: "a"},
		{BaseURL: "::", ClientID: "a", Secret: "b"},
	} {
		if _, err := New(cfg); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
	if BaseFor(true) != "https://api-m.sandbox.paypal.com" || BaseFor(false) != "https://api-m.paypal.com" {
		t.Error("hosts")
	}
}
