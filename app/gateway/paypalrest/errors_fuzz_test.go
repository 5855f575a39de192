package paypalrest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app"
)

// FuzzClassifyErrorJSON feeds PayPal error bodies, as plutov decodes them
// into an ErrorResponse, to classify: it never panics, never calls an
// error approved, and a 5xx stays unknown (the money may have moved).
// Seeds are under testdata/fuzz/FuzzClassifyErrorJSON.
func FuzzClassifyErrorJSON(f *testing.F) {
	f.Add([]byte(`{"name":"UNPROCESSABLE_ENTITY","details":[{"issue":"INSTRUMENT_DECLINED","description":"The instrument presented was either declined by the processor or bank, or it can't be used for this payment."}],"message":"The requested action could not be performed, semantically incorrect, or failed business validation.","debug_id":"90957fca61718"}`), 422, "/v2/checkout/orders/5O190127TN364715T/capture")
	f.Add([]byte(`{"error":"invalid_client","error_description":"Client Authentication failed"}`), 401, tokenPath)
	f.Add([]byte(`{"name":"INTERNAL_SERVER_ERROR","message":"An internal server error occurred.","debug_id":"abc"}`), 500, "/v2/checkout/orders")
	f.Add([]byte(`{"name":"RESOURCE_NOT_FOUND","details":[]}`), 404, "/v2/payments/captures/X/refund")
	f.Add([]byte(`{"details":[{"issue":""}]}`), 429, "/v2/checkout/orders")
	f.Add([]byte(`not json`), 502, "/v2/checkout/orders")
	f.Fuzz(func(t *testing.T, body []byte, status int, path string) {
		if status < 400 || status > 599 {
			return // plutov returns an ErrorResponse only for these
		}
		req := &http.Request{URL: &url.URL{Path: path}}
		er := &paypal.ErrorResponse{Response: &http.Response{StatusCode: status, Request: req}}
		_ = json.Unmarshal(body, er) // as plutov does; a bad body leaves the fields empty
		f := classify(er, nil)
		res := f.result()
		switch {
		case res.Outcome == "" || res.Outcome == app.OutcomeApproved:
			t.Fatalf("status %d body %q: outcome %q", status, body, res.Outcome)
		case status >= 500 && path != tokenPath && res.Outcome != app.OutcomeUnknown:
			t.Fatalf("status %d: outcome %q, want unknown", status, res.Outcome)
		case path == tokenPath && res.Outcome != app.OutcomeMerchantConfig && res.Outcome != app.OutcomeNotProcessed:
			t.Fatalf("token call %d: outcome %q", status, res.Outcome)
		}
	})
}
