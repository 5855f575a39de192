package ppinvoice_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice/ppinvoicetest"
)

// TestCreateSendGetOnTheWire: the draft carries the confirmation number,
// one item (the session), the amount after the promotional code, the
// payer's email, name and language, the due date and the currency, under a
// PayPal-Request-Id; send answers the payer's link; every exchange has
// PayPal's shapes.
func TestCreateSendGetOnTheWire(t *testing.T) {
	fx := newFixture(t)
	inv, err := fx.c.Create(fx.ctx, draft(t, "TP-7KX2M9QA", "1234.5", "PLN"))
	if err != nil {
		t.Fatal(err)
	}
	if inv.ID == "" || inv.Number != "TP-7KX2M9QA" || inv.Status.State != ppinvoice.StateDraft || inv.Status.Raw != "DRAFT" ||
		inv.Total != 123450 || inv.Currency != "PLN" || inv.DueDate != "2026-12-20" || inv.Due != 123450 {
		t.Fatalf("created %+v", inv)
	}
	creates := fx.proxy.RequestsOf(ppinvoicetest.OpCreate)
	if len(creates) != 1 || creates[0].RequestID != "trainpay-invoice-TP-7KX2M9QA" || creates[0].Prefer != "return=representation" {
		t.Fatalf("create calls %+v", creates)
	}
	var raw map[string]any
	if err := json.Unmarshal(creates[0].Body, &raw); err != nil {
		t.Fatal(err)
	}
	d := raw["detail"].(map[string]any)
	bi := raw["primary_recipients"].([]any)[0].(map[string]any)["billing_info"].(map[string]any)
	name := bi["name"].(map[string]any)
	items := raw["items"].([]any)
	it := items[0].(map[string]any)
	unit := it["unit_amount"].(map[string]any)
	for what, c := range map[string][2]any{
		"number":   {d["invoice_number"], "TP-7KX2M9QA"},
		"currency": {d["currency_code"], "PLN"},
		"due date": {d["payment_term"].(map[string]any)["due_date"], "2026-12-20"},
		"email":    {bi["email_address"], "anna.nowak@example.com"},
		"language": {bi["language"], "pl-PL"},
		"given":    {name["given_name"], "Anna"},
		"surname":  {name["surname"], "Nowak"},
		"merchant": {raw["invoicer"].(map[string]any)["business_name"], "Acme Training"},
		"items":    {len(items), 1},
		"item":     {it["name"], "Go for payments engineers"},
		"quantity": {it["quantity"], "1"},
		"value":    {unit["value"], "1234.50"},
		"unit cur": {unit["currency_code"], "PLN"},
	} {
		if c[0] != c[1] {
			t.Errorf("create %s = %v, want %v", what, c[0], c[1])
		}
	}

	link, err := fx.c.Send(fx.ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(link, "/invoice/p/#"+inv.ID) {
		t.Errorf("payer link %q", link)
	}
	sends := fx.proxy.RequestsOf(ppinvoicetest.OpSend)
	if len(sends) != 1 || sends[0].RequestID != inv.ID+"-send" || !strings.Contains(string(sends[0].Body), `"send_to_recipient":true`) {
		t.Errorf("send calls %+v", sends)
	}
	got, err := fx.c.Get(fx.ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.State != ppinvoice.StateAwaitingPayment || got.Status.Raw != "SENT" || got.PayerLink != link || got.Total != 123450 {
		t.Errorf("read %+v", got)
	}
	if fx.proxy.Validated() < 3 {
		t.Errorf("%d exchanges validated against PayPal's description, want every one", fx.proxy.Validated())
	}
}

// TestCreateIsIdempotentOnItsRequestID: the same draft created twice, as a
// restarted app does, is one invoice.
func TestCreateIsIdempotentOnItsRequestID(t *testing.T) {
	fx := newFixture(t)
	a, err := fx.c.Create(fx.ctx, draft(t, "TP-AAAA0001", "50", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := fx.client().Create(fx.ctx, draft(t, "TP-AAAA0001", "50", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || len(fx.sb.Invoices()) != 1 {
		t.Fatalf("two creates made %s and %s, %d invoices", a.ID, b.ID, len(fx.sb.Invoices()))
	}
}

// TestPaidInvoiceReadsPaidWithItsCapture: the payer pays on the page; the
// client reads PAID, the amounts and the capture.
func TestPaidInvoiceReadsPaidWithItsCapture(t *testing.T) {
	fx := newFixture(t)
	inv, _ := fx.sent("TP-PAID0001", "99.5", "EUR")
	if resp := fx.payByCard(inv.ID, "4111 1111 1111 1111"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("paying answered %d", resp.StatusCode)
	}
	got, err := fx.c.Refresh(fx.ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.State != ppinvoice.StatePaid || got.Status.Raw != "PAID" || got.Status.External() || got.Paid != 9950 || got.Due != 0 ||
		got.Capture() == "" || len(got.Payments) != 1 || got.Payments[0].Amount != 9950 {
		t.Fatalf("read %+v", got)
	}
}

// TestRefundOfAPaidInvoiceGoesThroughItsCapture: part, then the rest, then
// nothing is left (Declined).
func TestRefundOfAPaidInvoiceGoesThroughItsCapture(t *testing.T) {
	fx := newFixture(t)
	inv, _ := fx.sent("TP-REFUND01", "120", "USD")
	fx.payByCard(inv.ID, "5555555555554444")
	paid, err := fx.c.Get(fx.ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := fx.c.Refund(fx.ctx, ppinvoice.RefundRequest{Invoice: paid, Key: "refund-1", Minor: 2000, Note: "Cancelled seat"})
	if err != nil || r.ID == "" || r.External || r.Status != "COMPLETED" {
		t.Fatalf("partial refund %+v, %v", r, err)
	}
	reqs := fx.proxy.RequestsOf(ppinvoicetest.OpCaptureRefund)
	if len(reqs) != 1 || reqs[0].RequestID != "refund-1" || !strings.Contains(reqs[0].Path, paid.Capture()) ||
		!strings.Contains(string(reqs[0].Body), `"value":"20.00"`) {
		t.Fatalf("refund calls %+v", reqs)
	}
	got, _ := fx.c.Get(fx.ctx, inv.ID)
	if got.Status.State != ppinvoice.StatePartiallyRefunded || got.Refunded != 2000 {
		t.Fatalf("after a partial refund %+v", got)
	}
	if _, err := fx.c.Refund(fx.ctx, ppinvoice.RefundRequest{Invoice: got, Key: "refund-2"}); err != nil {
		t.Fatal(err)
	}
	got, _ = fx.c.Get(fx.ctx, inv.ID)
	if got.Status.State != ppinvoice.StateRefunded || got.Refunded != 12000 {
		t.Fatalf("after the rest %+v", got)
	}
	_, err = fx.c.Refund(fx.ctx, ppinvoice.RefundRequest{Invoice: got, Key: "refund-3"})
	if e := wantOutcome(t, "a third refund", err, app.OutcomeDeclined); e.Issue != "CAPTURE_FULLY_REFUNDED" {
		t.Errorf("issue %q", e.Issue)
	}
}

// TestRefundOfAPaymentMadeOutsidePayPalIsRecorded: MARKED_AS_PAID has no
// capture; the refund is recorded on the invoice.
func TestRefundOfAPaymentMadeOutsidePayPalIsRecorded(t *testing.T) {
	fx := newFixture(t)
	inv, _ := fx.sent("TP-CASH0001", "80", "GBP")
	status, out := fx.api(http.MethodPost, "/v2/invoicing/invoices/"+inv.ID+"/payments",
		map[string]any{"method": "CASH", "payment_date": "2026-12-10", "amount": map[string]string{"currency_code": "GBP", "value": "80.00"}})
	if status != 200 || out["payment_id"] == nil {
		t.Fatalf("recording the cash payment: %d %v", status, out)
	}
	got, err := fx.c.Get(fx.ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.State != ppinvoice.StatePaid || !got.Status.External() || got.Capture() != "" {
		t.Fatalf("marked as paid reads %+v", got)
	}
	r, err := fx.c.Refund(fx.ctx, ppinvoice.RefundRequest{Invoice: got, Key: "cash-refund-1"})
	if err != nil || !r.External || r.ID == "" {
		t.Fatalf("refund %+v, %v", r, err)
	}
	if n := len(fx.proxy.RequestsOf(ppinvoicetest.OpCaptureRefund)); n != 0 {
		t.Errorf("%d capture refunds for a cash payment", n)
	}
	got, _ = fx.c.Get(fx.ctx, inv.ID)
	if got.Status.Raw != "MARKED_AS_REFUNDED" || got.Status.State != ppinvoice.StateRefunded || got.Refunded != 8000 {
		t.Fatalf("after the recorded refund %+v", got)
	}
}

// TestRemindAndCancel: a sent invoice is reminded and cancelled; PayPal's
// refusals come back with their issue; a cancel done already is success.
func TestRemindAndCancel(t *testing.T) {
	fx := newFixture(t)
	draftOnly, err := fx.c.Create(fx.ctx, draft(t, "TP-DRAFT001", "10", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	err = fx.c.Cancel(fx.ctx, draftOnly.ID, "")
	if e := wantOutcome(t, "cancel a draft", err, app.OutcomeNotProcessed); e.Issue != "CANNOT_CANCEL_DRAFT_INVOICE" {
		t.Errorf("issue %q", e.Issue)
	}
	inv, _ := fx.sent("TP-REMIND01", "10", "USD")
	if err := fx.c.Remind(fx.ctx, inv.ID, "reminder-1", "Your seat is held until Friday."); err != nil {
		t.Fatal(err)
	}
	if err := fx.c.Cancel(fx.ctx, inv.ID, "The session was moved."); err != nil {
		t.Fatal(err)
	}
	got, _ := fx.c.Get(fx.ctx, inv.ID)
	if got.Status.State != ppinvoice.StateCancelled {
		t.Fatalf("after cancel %+v", got)
	}
	if err := fx.client().Cancel(fx.ctx, inv.ID, ""); err != nil {
		t.Errorf("cancelling again: %v", err)
	}
	err = fx.c.Remind(fx.ctx, inv.ID, "reminder-2", "")
	if e := wantOutcome(t, "remind a cancelled invoice", err, app.OutcomeNotProcessed); e.Issue != "CANNOT_REMIND_INVOICE" {
		t.Errorf("issue %q", e.Issue)
	}
	paid, _ := fx.sent("TP-PAIDCANC", "10", "USD")
	fx.payByCard(paid.ID, "4111111111111111")
	err = fx.c.Cancel(fx.ctx, paid.ID, "")
	if e := wantOutcome(t, "cancel a paid invoice", err, app.OutcomeNotProcessed); e.Issue != "CANNOT_CANCEL_PAID_INVOICE" {
		t.Errorf("issue %q", e.Issue)
	}
	_, err = fx.c.Get(fx.ctx, "INV2-NONE-NONE-NONE")
	wantOutcome(t, "an invoice that is not there", err, app.OutcomeNotFound)
}

// TestBadCredentialsAreTheMerchantsConfiguration.
func TestBadCredentialsAreTheMerchantsConfiguration(t *testing.T) {
	fx := newFixture(t)
	cfg := fx.sb.InvoicingConfig()
	cfg.BaseURL, cfg.Secret = fx.proxy.URL, "invalid"
	c, err := ppinvoice.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Create(fx.ctx, draft(t, "TP-CRED0001", "10", "USD"))
	wantOutcome(t, "create with a wrong secret", err, app.OutcomeMerchantConfig)
	if len(fx.sb.Invoices()) != 0 {
		t.Error("an invoice was made")
	}
}

// TestDraftsPayPalWouldRefuseAreNotSent.
func TestDraftsPayPalWouldRefuseAreNotSent(t *testing.T) {
	fx := newFixture(t)
	for what, d := range map[string]ppinvoice.Draft{
		"no number":             func() ppinvoice.Draft { d := draft(t, "", "10", "USD"); return d }(),
		"a number search loses": draft(t, strings.Repeat("9", 26), "10", "USD"),
		"a zero amount":         draft(t, "TP-ZERO", "0", "USD"),
		"cents of a yen":        draft(t, "TP-YEN", "10.5", "JPY"),
		"fillér":                draft(t, "TP-HUF", "1000.50", "HUF"),
		"no email":              func() ppinvoice.Draft { d := draft(t, "TP-MAIL", "10", "USD"); d.PayerEmail = "anna"; return d }(),
		"a language PayPal refuses": func() ppinvoice.Draft {
			d := draft(t, "TP-LANG", "10", "USD")
			d.PayerLanguage = "Polish"
			return d
		}(),
	} {
		if _, err := fx.c.Create(fx.ctx, d); err == nil || app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v", what, err)
		}
	}
	if n := len(fx.proxy.Requests()); n != 0 {
		t.Errorf("%d calls reached PayPal", n)
	}
	// A HUF amount in whole forints is sent without decimals.
	inv, err := fx.c.Create(fx.ctx, draft(t, "TP-HUF2", "15000", "HUF"))
	if err != nil || inv.Total != 1500000 {
		t.Fatalf("HUF invoice %+v, %v", inv, err)
	}
	if body := string(fx.proxy.RequestsOf(ppinvoicetest.OpCreate)[0].Body); !strings.Contains(body, `"value":"15000"`) {
		t.Errorf("HUF sent as %s", body)
	}
}
