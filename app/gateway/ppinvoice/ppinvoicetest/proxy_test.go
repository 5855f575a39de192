package ppinvoicetest

import (
	"net/http"
	"strings"
	"testing"
)

func jsonHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return h
}

const goodCreate = `{"detail":{"invoice_number":"TP-7KX2M9QA","currency_code":"PLN","payment_term":{"due_date":"2026-12-20"}},
"primary_recipients":[{"billing_info":{"email_address":"anna@example.com","language":"pl-PL","name":{"given_name":"Anna","surname":"Nowak"}}}],
"items":[{"name":"Go workshop","quantity":"1","unit_amount":{"currency_code":"PLN","value":"1234.50"},"unit_of_measure":"QUANTITY"}]}`

// TestValidatorAcceptsAGoodCreateAndRejectsBadOnes: a pass means something
// only if the validator really refuses what PayPal's description refuses
// (some of its patterns defeat some validators).
func TestValidatorAcceptsAGoodCreateAndRejectsBadOnes(t *testing.T) {
	sp, err := LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.ValidateRequest(http.MethodPost, "/v2/invoicing/invoices", "", jsonHeader(), []byte(goodCreate)); err != nil {
		t.Fatalf("a good create is refused: %v", err)
	}
	bad := map[string]string{
		"a comma in the amount":      strings.Replace(goodCreate, `"1234.50"`, `"1234,50"`, 1),
		"no currency in the detail":  strings.Replace(goodCreate, `"currency_code":"PLN","payment_term"`, `"payment_term"`, 1),
		"a due date that is no date": strings.Replace(goodCreate, `"2026-12-20"`, `"20.12.2026"`, 1),
		"a read-only id":             strings.Replace(goodCreate, `{"detail"`, `{"id":"INV2-AAAA-BBBB","detail"`, 1),
		"an item with no quantity":   strings.Replace(goodCreate, `"quantity":"1",`, ``, 1),
		"an email with no at":        strings.Replace(goodCreate, `anna@example.com`, `anna.example.com`, 1),
		"a language that is no tag":  strings.Replace(goodCreate, `"pl-PL"`, `"Polish"`, 1),
		"no detail at all":           `{"items":[]}`,
	}
	for what, body := range bad {
		if body == goodCreate {
			t.Fatalf("%s: the replacement did not apply", what)
		}
		if err := sp.ValidateRequest(http.MethodPost, "/v2/invoicing/invoices", "", jsonHeader(), []byte(body)); err == nil {
			t.Errorf("%s: the validator lets it through", what)
		}
	}
}

// TestValidatorRejectsAnswersPayPalNeverGives: responses are checked too.
func TestValidatorRejectsAnswersPayPalNeverGives(t *testing.T) {
	sp, err := LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	get := func(status int, body string) error {
		return sp.ValidateResponse(http.MethodGet, "/v2/invoicing/invoices/INV2-AAAA-BBBB", "", http.Header{}, nil,
			status, jsonHeader(), []byte(body))
	}
	good := `{"id":"INV2-AAAA-BBBB","status":"SENT","detail":{"invoice_number":"TP-1","currency_code":"USD"},
"amount":{"currency_code":"USD","value":"10.00"}}`
	if err := get(200, good); err != nil {
		t.Fatalf("a good invoice is refused: %v", err)
	}
	for what, body := range map[string]string{
		"a status PayPal does not have": strings.Replace(good, `"SENT"`, `"WAITING"`, 1),
		"an amount as a number":         strings.Replace(good, `"value":"10.00"`, `"value":10.00`, 1),
		"an invoice without its detail": `{"id":"INV2-AAAA-BBBB","status":"SENT"}`,
	} {
		if err := get(200, body); err == nil {
			t.Errorf("%s: the validator lets it through", what)
		}
	}
	if err := sp.ValidateResponse(http.MethodPost, "/v2/payments/captures/3C1/refund", "", jsonHeader(), []byte(`{}`),
		201, jsonHeader(), []byte(`{"id":"1R1","status":"DONE"}`)); err == nil {
		t.Error("a refund status Payments v2 does not have is let through")
	}
}

func TestOpOfNamesEveryCall(t *testing.T) {
	for _, c := range []struct{ method, path, want string }{
		{"POST", "/v1/oauth2/token", OpToken},
		{"POST", "/v2/invoicing/invoices", OpCreate},
		{"GET", "/v2/invoicing/invoices/INV2-1", OpGet},
		{"POST", "/v2/invoicing/invoices/INV2-1/send", OpSend},
		{"POST", "/v2/invoicing/invoices/INV2-1/remind", OpRemind},
		{"POST", "/v2/invoicing/invoices/INV2-1/cancel", OpCancel},
		{"POST", "/v2/invoicing/invoices/INV2-1/payments", OpRecordPayment},
		{"POST", "/v2/invoicing/invoices/INV2-1/refunds", OpRecordRefund},
		{"POST", "/v2/invoicing/search-invoices", OpSearch},
		{"POST", "/v2/payments/captures/SC1/refund", OpCaptureRefund},
		{"GET", "/invoice/p/INV2-1", OpPayerPage},
	} {
		if got := OpOf(c.method, c.path); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.method, c.path, got, c.want)
		}
	}
}
