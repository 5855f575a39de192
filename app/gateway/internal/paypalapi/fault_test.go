package paypalapi

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app"
)

// The rules in which Orders v2 and Invoicing differ are each client's; the
// rest of the mapping is the same for both.
func TestClassifyAppliesTheCallersRulesAndTheSharedOnes(t *testing.T) {
	rules := Rules{
		Declined: map[string]bool{"REFUND_AMOUNT_EXCEEDED": true},
		NotFound: app.OutcomeNotFound,
		Refused:  "refused",
	}
	reply := func(status int, path, name, issue string) error {
		er := &paypal.ErrorResponse{
			Response: &http.Response{StatusCode: status, Request: &http.Request{URL: &url.URL{Path: path}}},
			Name:     name, DebugID: "dbg",
		}
		if issue != "" {
			er.Details = []paypal.ErrorResponseDetail{{Issue: issue}}
		}
		return er
	}
	for _, c := range []struct {
		name    string
		err     error
		outcome app.Outcome
		code    string
		msg     string
	}{
		{
			"declined issue", reply(422, "/v2/payments/captures/C/refund", "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED"),
			app.OutcomeDeclined, "PAYPAL=REFUND_AMOUNT_EXCEEDED", "",
		},
		{
			"other 422", reply(422, "/v2/invoicing/invoices", "UNPROCESSABLE_ENTITY", "DUPLICATE_INVOICE_NUMBER"),
			app.OutcomeNotProcessed, "PAYPAL=DUPLICATE_INVOICE_NUMBER", "",
		},
		{"404", reply(404, "/v2/invoicing/invoices/X", "RESOURCE_NOT_FOUND", ""), app.OutcomeNotFound, "PAYPAL=RESOURCE_NOT_FOUND", ""},
		{"403 without a message", reply(403, "/v2/invoicing/invoices", "", ""), app.OutcomeMerchantConfig, "HTTP=403", "refused"},
		{"429 without a message", reply(429, "/v2/checkout/orders", "", ""), app.OutcomeNotProcessed, "HTTP=429", "PayPal asked to slow down (429)"},
		{"5xx", reply(503, "/v2/checkout/orders", "SERVICE_UNAVAILABLE", ""), app.OutcomeUnknown, "HTTP=503", ""},
		{"token refused", reply(401, TokenPath, "", ""), app.OutcomeMerchantConfig, "OAUTH=401", ""},
		{"token 5xx", reply(500, TokenPath, "", ""), app.OutcomeNotProcessed, "HTTP=500", ""},
		{"no record, no answer", errors.New("read: connection reset"), app.OutcomeUnknown, "NO-REPLY", ""},
	} {
		f := Classify(c.err, nil, rules)
		if f.Outcome != c.outcome || f.Code != c.code || (c.msg != "" && f.Message != c.msg) {
			t.Errorf("%s: %+v, want %s %s %q", c.name, f, c.outcome, c.code, c.msg)
		}
	}
}

// What the transport recorded tells a request that never reached PayPal
// (nothing was sent: safe to send again) from one whose answer was lost.
func TestClassifyReadsTheRecordedExchange(t *testing.T) {
	cause := errors.New("transport failed")
	for _, c := range []struct {
		name    string
		ex      exchange
		outcome app.Outcome
		code    string
	}{
		{"not written", exchange{path: "/v2/checkout/orders"}, app.OutcomeNotProcessed, "CONNECT"},
		{"written, no answer", exchange{path: "/v2/checkout/orders", wrote: true}, app.OutcomeUnknown, "NO-REPLY"},
		{"HTML 502", exchange{path: "/v2/checkout/orders", wrote: true, status: 502}, app.OutcomeUnknown, "HTTP=502"},
		{"unreadable 201", exchange{path: "/v2/checkout/orders", wrote: true, status: 201}, app.OutcomeUnknown, "HTTP=201"},
		{"token 401", exchange{path: TokenPath, wrote: true, status: 401}, app.OutcomeMerchantConfig, "OAUTH=401"},
		{"token lost", exchange{path: TokenPath}, app.OutcomeNotProcessed, "OAUTH=FAILED"},
	} {
		cs := &Calls{all: []*exchange{{path: TokenPath, wrote: true, status: 200}, &c.ex}}
		if f := Classify(cause, cs, Rules{NotFound: app.OutcomeNotFound}); f.Outcome != c.outcome || f.Code != c.code {
			t.Errorf("%s: %+v, want %s %s", c.name, f, c.outcome, c.code)
		}
	}
}
