package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app/gateway/internal/wirefault"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
	"github.com/trainpay/trainpay/app/money"
)

// Invoicing v2 on the sandbox: create, send, get, search, remind, cancel,
// record a payment or a refund made outside PayPal, and the refund of an
// invoice payment's capture (through Orders' POST /v2/payments/captures/
// {id}/refund), with the same OAuth token as Orders v2 (OrdersClientID,
// OrdersSecret). A POST that carries a PayPal-Request-Id is answered once:
// a resend gets the first answer again, with its status (Invoicing v2
// describes only 201 for a create, unlike Orders v2's 200 for a replay).
// Invoices are kept in the ledger (Invoices, and the file), their payments
// and refunds as entries of Protocol "invoicing".
//
// send answers the payer's link, <base>/invoice/p/#<id> as PayPal's
// /invoice/p/#INV2-…; the page there (invoicepage.go) shows the invoice in
// English or Polish and takes a payment with a test PayPal account or a
// test card.
//
// The amount rules apply to a create as to the other routes' calls: an
// invoice of V = 1097 is made but the answer to its create is lost (a resend
// under the same PayPal-Request-Id gets it), V = 1098 drops the connection
// before anything is made, on every resend. On the payer's page the rules
// decide the payment (invoicepage.go).
//
// Limits of the stand-in, each answered with PayPal's error shape: items
// need a whole quantity; taxes, discounts, shipping and custom amounts,
// attachments, templates and partial payments are not taken.

// ProtocolInvoicing marks ledger entries of invoice payments and refunds.
const ProtocolInvoicing = "invoicing"

// Invoice is an Invoicing v2 invoice of the sandbox. Amounts are minor
// units of Currency.
type Invoice struct {
	ID         string    `json:"id"`
	Number     string    `json:"number"`
	Status     string    `json:"status"`
	RequestID  string    `json:"request_id,omitempty"`
	Currency   string    `json:"currency"`
	Items      []InvItem `json:"items"`
	Total      int64     `json:"total"`
	Merchant   string    `json:"merchant,omitempty"`
	Email      string    `json:"email,omitempty"`
	Given      string    `json:"given,omitempty"`
	Surname    string    `json:"surname,omitempty"`
	Language   string    `json:"language,omitempty"`
	Note       string    `json:"note,omitempty"`
	Date       string    `json:"invoice_date"`
	DueDate    string    `json:"due_date,omitempty"`
	Created    time.Time `json:"created"`
	Sent       time.Time `json:"sent,omitzero"`
	Cancelled  time.Time `json:"cancelled,omitzero"`
	Reminders  int       `json:"reminders,omitempty"`
	Payments   []InvTxn  `json:"payments,omitempty"`
	Refunds    []InvTxn  `json:"refunds,omitempty"`
	PaidMinor  int64     `json:"paid,omitempty"`
	RefundedMn int64     `json:"refunded,omitempty"`
}

// InvItem is one line of an invoice.
type InvItem struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Desc     string `json:"description,omitempty"`
	Quantity int64  `json:"quantity"`
	Unit     int64  `json:"unit"`
	Date     string `json:"date,omitempty"`
	UoM      string `json:"unit_of_measure,omitempty"`
}

// InvTxn is a payment or refund on an invoice: through PayPal (the
// capture's id, a card's brand and last four digits only) or recorded by
// the merchant (External).
type InvTxn struct {
	ID       string `json:"id"`
	External bool   `json:"external,omitempty"`
	Method   string `json:"method"`
	Amount   int64  `json:"amount"`
	Date     string `json:"date"`
	Brand    string `json:"brand,omitempty"`
	Last4    string `json:"last4,omitempty"`
}

// InvoicingBase is the Invoicing v2 base URL, for ppinvoice.Config.BaseURL.
func (s *Sandbox) InvoicingBase() string { return s.base }

// InvoicingConfig is a ready ppinvoice.Config for the sandbox.
func (s *Sandbox) InvoicingConfig() ppinvoice.Config {
	return ppinvoice.Config{BaseURL: s.InvoicingBase(), ClientID: OrdersClientID, Secret: OrdersSecret, BrandName: "TrainPay sandbox"}
}

// Invoices returns copies of the sandbox's invoices.
func (s *Sandbox) Invoices() []Invoice {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Invoice, len(s.state.Invoices))
	for i, inv := range s.state.Invoices {
		out[i] = inv.clone()
	}
	return out
}

func (inv Invoice) clone() Invoice {
	inv.Items = slices.Clone(inv.Items)
	inv.Payments = slices.Clone(inv.Payments)
	inv.Refunds = slices.Clone(inv.Refunds)
	return inv
}

func (st *state) invoice(id string) *Invoice {
	for i := range st.Invoices {
		if st.Invoices[i].ID == id {
			return &st.Invoices[i]
		}
	}
	return nil
}

func (s *Sandbox) invoicingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v2/invoicing/invoices", s.invAuth(s.invCreate))
	mux.HandleFunc("GET /v2/invoicing/invoices/{id}", s.invAuth(s.invGet))
	mux.HandleFunc("POST /v2/invoicing/invoices/{id}/send", s.invAuth(s.invSend))
	mux.HandleFunc("POST /v2/invoicing/invoices/{id}/remind", s.invAuth(s.invRemind))
	mux.HandleFunc("POST /v2/invoicing/invoices/{id}/cancel", s.invAuth(s.invCancel))
	mux.HandleFunc("POST /v2/invoicing/invoices/{id}/payments", s.invAuth(s.invRecordPayment))
	mux.HandleFunc("POST /v2/invoicing/invoices/{id}/refunds", s.invAuth(s.invRecordRefund))
	mux.HandleFunc("POST /v2/invoicing/search-invoices", s.invAuth(s.invSearch))
	s.invoicePageRoutes(mux)
}

// invIssueText are the descriptions Invoicing v2's description gives its
// issues (each issue's one allowed text); an issue it does not list keeps
// the sandbox's own words.
var invIssueText = map[string]string{
	"CANNOT_CANCEL_DRAFT_INVOICE":            "Draft invoice cannot be canceled.",
	"CANNOT_CANCEL_PAID_INVOICE":             "Cannot cancel a paid or partially paid invoice.",
	"CANNOT_CANCEL_REFUNDED_INVOICE":         "Cannot cancel a refunded or partially refunded invoice.",
	"INVOICE_CANCELED_ALREADY":               "Invoice is already cancelled.",
	"CANNOT_REMIND_INVOICE":                  "You cannot remind an invoice which is in DRAFT status. Only UNPAID, SENT and PARTIALLY_PAID invoices can be reminded.",
	"INVALID_REFUND_AMOUNT":                  "Recorded refunds cannot exceed recorded payments.",
	"CANNOT_PROCESS_REFUNDS":                 "Current invoice state does not support refunds.",
	"PAYMENT_AMOUNT_GREATER_THAN_AMOUNT_DUE": "Payment amount is greater than the amount due.",
	"CANNOT_PROCESS_PAYMENTS":                "Current invoice state does not support payment processing.",
}

// invError is PayPal's error body for status.
func invError(status int, issue, desc string) map[string]any {
	if t, ok := invIssueText[issue]; ok {
		desc = t
	}
	name, msg := "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."
	switch status {
	case 404:
		name, msg = "RESOURCE_NOT_FOUND", "The specified resource does not exist."
	case 422:
		name, msg = "UNPROCESSABLE_ENTITY", "The requested action could not be performed, semantically incorrect, or failed business validation."
	}
	return map[string]any{
		"name": name, "message": msg, "debug_id": "sandbox",
		"details": []map[string]string{{"issue": issue, "description": desc}},
	}
}

// invHandler decides a call on next; changed says whether next is to be
// kept (and saved). reply nil with a 2xx: no body (204).
type invHandler func(next *state, r *http.Request, body []byte) (status int, reply any, changed bool)

// invAuth checks the token, answers replays of a PayPal-Request-Id, and
// saves the ledger before answering.
func (s *Sandbox) invAuth(h invHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := readAuthorized(w, r)
		if !ok {
			return
		}
		reqID := r.Header.Get("PayPal-Request-Id")
		if len(reqID) > 108 {
			ordersJSON(w, http.StatusBadRequest, invError(400, "INVALID_STRING_MAX_LENGTH", "PayPal-Request-Id is too long"))
			return
		}
		replayable := r.Method == http.MethodPost && reqID != "" && r.URL.Path != "/v2/invoicing/search-invoices"
		s.mu.Lock()
		if replayable {
			for _, e := range s.state.Entries {
				if e.Protocol == ProtocolInvoicing && e.Type == "reply" && e.RequestID == reqID && e.Message == r.URL.Path {
					s.mu.Unlock()
					// The first answer again, its status too: Invoicing v2
					// describes no 200 for a create.
					writeReply(w, e.Result, []byte(e.Reply))
					return
				}
			}
		}
		next := s.state.clone()
		status, reply, changed := h(&next, r, body)
		if status == -1 { // the amount rules drop the connection unprocessed
			s.mu.Unlock()
			wirefault.HangUp(w, false)
			return
		}
		var out []byte
		if reply != nil {
			out, _ = json.Marshal(reply)
		}
		if changed {
			if replayable && status < 300 {
				// Message holds the path, Result the status.
				next.Entries = append(next.Entries, Entry{
					Protocol: ProtocolInvoicing, RequestID: reqID, Type: "reply",
					Message: r.URL.Path, Result: status, Time: s.now().UTC(), Reply: string(out),
				})
			}
			lost := next.lostReply
			next.lostReply = false
			if !s.commit(w, next) {
				s.mu.Unlock()
				return
			}
			if lost { // processed and kept, but the answer never arrives
				s.mu.Unlock()
				wirefault.HangUp(w, false)
				return
			}
		}
		s.mu.Unlock()
		writeReply(w, status, out)
	}
}

func writeReply(w http.ResponseWriter, status int, body []byte) {
	if len(body) == 0 {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// wire amounts: PayPal's digits (ppinvoice.WireValue, ParseMinor).
func wireMoney(minor int64, code string) map[string]string {
	v, err := ppinvoice.WireValue(minor, code)
	if err != nil { // an amount the sandbox took is always writable
		v = strconv.FormatInt(minor, 10)
	}
	return map[string]string{"currency_code": code, "value": v}
}

// parseWire reads a money value the payer's side sent, with PayPal's
// digits for the currency (whole units of HUF and TWD).
func parseWire(value, code string) (int64, bool) {
	n, err := ppinvoice.ParseMinor(value, code)
	if err != nil {
		return 0, false
	}
	if _, err := ppinvoice.WireValue(n, code); err != nil { // fillér of HUF, cents of TWD
		return 0, false
	}
	return n, true
}

func (s *Sandbox) invoiceJSON(inv *Invoice) map[string]any {
	meta := map[string]any{
		"create_time": inv.Created.UTC().Format(time.RFC3339), "created_by_flow": "REGULAR_SINGLE",
		"invoicer_view_url": s.base + "/invoice/s/details/" + inv.ID,
	}
	if !inv.Sent.IsZero() {
		meta["first_sent_time"] = inv.Sent.UTC().Format(time.RFC3339)
		meta["last_sent_time"] = inv.Sent.UTC().Format(time.RFC3339)
		meta["recipient_view_url"] = s.payerLink(inv.ID)
	}
	if !inv.Cancelled.IsZero() {
		meta["cancel_time"] = inv.Cancelled.UTC().Format(time.RFC3339)
	}
	detail := map[string]any{
		"invoice_number": inv.Number, "currency_code": inv.Currency, "invoice_date": inv.Date,
		"metadata": meta,
	}
	if inv.DueDate != "" {
		detail["payment_term"] = map[string]any{"due_date": inv.DueDate}
	}
	if inv.Note != "" {
		detail["note"] = inv.Note
	}
	billing := map[string]any{"email_address": inv.Email}
	if inv.Given != "" || inv.Surname != "" {
		name := map[string]string{}
		if inv.Given != "" {
			name["given_name"] = inv.Given
		}
		if inv.Surname != "" {
			name["surname"] = inv.Surname
		}
		billing["name"] = name
	}
	if inv.Language != "" {
		billing["language"] = inv.Language
	}
	items := make([]map[string]any, 0, len(inv.Items))
	for _, it := range inv.Items {
		m := map[string]any{
			"id": it.ID, "name": it.Name, "quantity": strconv.FormatInt(it.Quantity, 10),
			"unit_amount": wireMoney(it.Unit, inv.Currency),
		}
		if it.Desc != "" {
			m["description"] = it.Desc
		}
		if it.Date != "" {
			m["item_date"] = it.Date
		}
		if it.UoM != "" {
			m["unit_of_measure"] = it.UoM
		}
		items = append(items, m)
	}
	out := map[string]any{
		"id": inv.ID, "status": inv.Status, "detail": detail,
		"primary_recipients": []any{map[string]any{"billing_info": billing}},
		"items":              items,
		"amount": map[string]any{
			"currency_code": inv.Currency, "value": wireMoney(inv.Total, inv.Currency)["value"],
			"breakdown": map[string]any{"item_total": wireMoney(inv.Total, inv.Currency)},
		},
		"due_amount": wireMoney(max(inv.Total-inv.PaidMinor, 0), inv.Currency),
		"links": []map[string]string{
			{"href": s.base + "/v2/invoicing/invoices/" + inv.ID, "rel": "self", "method": "GET"},
		},
	}
	if inv.Merchant != "" {
		out["invoicer"] = map[string]any{"business_name": inv.Merchant}
	}
	if len(inv.Payments) > 0 {
		out["payments"] = map[string]any{
			"paid_amount": wireMoney(inv.PaidMinor, inv.Currency), "transactions": wireTxns(inv.Payments, "payment", inv.Currency),
		}
	}
	if len(inv.Refunds) > 0 {
		out["refunds"] = map[string]any{
			"refund_amount": wireMoney(inv.RefundedMn, inv.Currency), "transactions": wireTxns(inv.Refunds, "refund", inv.Currency),
		}
	}
	return out
}

// wireTxns writes an invoice's payments (kind "payment") or refunds
// ("refund") as Invoicing's transactions.
func wireTxns(txns []InvTxn, kind, currency string) []map[string]any {
	out := make([]map[string]any, 0, len(txns))
	for _, p := range txns {
		t := map[string]any{
			"type": "PAYPAL", kind + "_id": p.ID, kind + "_date": p.Date, "method": p.Method,
			"amount": wireMoney(p.Amount, currency),
		}
		if p.External {
			t["type"] = "EXTERNAL"
		}
		out = append(out, t)
	}
	return out
}

// payerLink is the page where the payer pays, shaped as PayPal's.
func (s *Sandbox) payerLink(id string) string { return s.base + "/invoice/p/#" + id }

type invCreateBody struct {
	Detail *struct {
		Number      string `json:"invoice_number"`
		Currency    string `json:"currency_code"`
		Note        string `json:"note"`
		InvoiceDate string `json:"invoice_date"`
		PaymentTerm *struct {
			TermType string `json:"term_type"`
			DueDate  string `json:"due_date"`
		} `json:"payment_term"`
	} `json:"detail"`
	Invoicer *struct {
		BusinessName string `json:"business_name"`
	} `json:"invoicer"`
	Recipients []struct {
		Billing *struct {
			Name *struct {
				Given   string `json:"given_name"`
				Surname string `json:"surname"`
			} `json:"name"`
			Email    string `json:"email_address"`
			Language string `json:"language"`
		} `json:"billing_info"`
	} `json:"primary_recipients"`
	Items []struct {
		Name     string `json:"name"`
		Desc     string `json:"description"`
		Quantity string `json:"quantity"`
		Unit     *struct {
			Currency string `json:"currency_code"`
			Value    string `json:"value"`
		} `json:"unit_amount"`
		Date string          `json:"item_date"`
		UoM  string          `json:"unit_of_measure"`
		Tax  json.RawMessage `json:"tax"`
		Disc json.RawMessage `json:"discount"`
	} `json:"items"`
	Amount json.RawMessage `json:"amount"`
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func (s *Sandbox) invCreate(next *state, r *http.Request, body []byte) (int, any, bool) {
	var b invCreateBody
	if err := json.Unmarshal(body, &b); err != nil {
		return 400, invError(400, "INVALID_PARAMETER_SYNTAX", err.Error()), false
	}
	if b.Detail == nil || !money.IsValidCode(b.Detail.Currency) {
		return 400, invError(400, "MISSING_REQUIRED_PARAMETER", "detail.currency_code is required"), false
	}
	d := b.Detail
	code := d.Currency
	if len(d.Number) > 25 {
		// search_data.invoice_number takes 25: the sandbox keeps numbers findable.
		return 400, invError(400, "INVALID_STRING_MAX_LENGTH", "the sandbox takes invoice numbers of up to 25 characters"), false
	}
	if d.Number == "" {
		d.Number = fmt.Sprintf("%04d", next.Seq+1)
	}
	for _, inv := range next.Invoices {
		if inv.Number == d.Number {
			return 422, invError(422, "DUPLICATE_INVOICE_NUMBER", "Invoice number "+d.Number+" is already used by another invoice."), false
		}
	}
	if len(b.Recipients) != 1 || b.Recipients[0].Billing == nil || !strings.Contains(b.Recipients[0].Billing.Email, "@") {
		return 400, invError(400, "MISSING_REQUIRED_PARAMETER", "one primary recipient with an email address"), false
	}
	if len(b.Items) == 0 {
		return 400, invError(400, "MISSING_REQUIRED_PARAMETER", "the sandbox needs at least one item"), false
	}
	if len(b.Amount) > 0 && string(b.Amount) != "null" {
		return 422, invError(422, "NOT_SUPPORTED", "the sandbox computes the amount from the items; custom amounts and shipping are not taken"), false
	}
	if d.InvoiceDate == "" {
		d.InvoiceDate = s.now().UTC().Format(time.DateOnly)
	}
	due := ""
	if d.PaymentTerm != nil {
		due = d.PaymentTerm.DueDate
		if due != "" && (!validDate(due) || due < d.InvoiceDate) {
			return 400, invError(400, "INVALID_PARAMETER_SYNTAX", "payment_term.due_date must be a date on or after the invoice date"), false
		}
	}
	if !validDate(d.InvoiceDate) {
		return 400, invError(400, "INVALID_PARAMETER_SYNTAX", "detail.invoice_date must be YYYY-MM-DD"), false
	}
	next.Seq++
	id := fmt.Sprintf("INV2-SBX%012d", next.Seq)
	inv := Invoice{
		ID: id, Number: d.Number, Status: "DRAFT", RequestID: r.Header.Get("PayPal-Request-Id"), Currency: code,
		Note: d.Note, Date: d.InvoiceDate, DueDate: due, Created: s.now().UTC(),
	}
	if b.Invoicer != nil {
		inv.Merchant = b.Invoicer.BusinessName
	}
	bi := b.Recipients[0].Billing
	inv.Email, inv.Language = bi.Email, bi.Language
	if bi.Name != nil {
		inv.Given, inv.Surname = bi.Name.Given, bi.Name.Surname
	}
	for i, it := range b.Items {
		if it.Name == "" || it.Unit == nil {
			return 400, invError(400, "MISSING_REQUIRED_PARAMETER", "an item needs a name, a quantity and a unit amount"), false
		}
		if len(it.Tax) > 0 || len(it.Disc) > 0 {
			return 422, invError(422, "NOT_SUPPORTED", "the sandbox takes no taxes or discounts"), false
		}
		q, err := strconv.ParseInt(it.Quantity, 10, 64)
		if err != nil || q < 1 || q > 10000 {
			return 422, invError(422, "NOT_SUPPORTED", "the sandbox takes whole quantities from 1 to 10000"), false
		}
		if it.Unit.Currency != code {
			return 422, invError(422, "CURRENCY_MISMATCH", "an item's amount must be in the invoice's currency"), false
		}
		unit, ok := parseWire(it.Unit.Value, code)
		if !ok || unit <= 0 {
			return 400, invError(400, "INVALID_DECIMAL_VALUE", "the unit amount "+it.Unit.Value+" is not a positive amount with PayPal's digits for "+code), false
		}
		if it.Date != "" && !validDate(it.Date) {
			return 400, invError(400, "INVALID_PARAMETER_SYNTAX", "item_date must be YYYY-MM-DD"), false
		}
		inv.Items = append(inv.Items, InvItem{
			ID: fmt.Sprintf("ITEM-%012d-%d", next.Seq, i+1), Name: it.Name, Desc: it.Desc, Quantity: q,
			Unit: unit, Date: it.Date, UoM: it.UoM,
		})
		inv.Total += q * unit
	}
	switch amountRule(wireValue(inv.Total, code), ppinvoice.Digits(code)) {
	case ruleDropped:
		return -1, nil, false
	case ruleReplyLost:
		next.lostReply = true
	}
	next.Invoices = append(next.Invoices, inv)
	return http.StatusCreated, s.invoiceJSON(&inv), true
}

func (s *Sandbox) invGet(next *state, r *http.Request, _ []byte) (int, any, bool) {
	inv := next.invoice(r.PathValue("id"))
	if inv == nil {
		return 404, invError(404, "INVALID_RESOURCE_ID", "no such invoice"), false
	}
	return 200, s.invoiceJSON(inv), false
}

// notification reads send's, remind's and cancel's optional body.
func notification(body []byte) (map[string]any, bool) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, true
	}
	var n map[string]any
	return n, json.Unmarshal(body, &n) == nil
}

func (s *Sandbox) invSend(next *state, r *http.Request, body []byte) (int, any, bool) {
	if _, ok := notification(body); !ok {
		return 400, invError(400, "INVALID_PARAMETER_SYNTAX", "the notification must be a JSON object"), false
	}
	inv := next.invoice(r.PathValue("id"))
	switch {
	case inv == nil:
		return 404, invError(404, "INVALID_RESOURCE_ID", "no such invoice"), false
	case inv.Status != "DRAFT":
		return 422, invError(422, "CANNOT_SEND_INVOICE", "only a draft invoice can be sent; this one is "+inv.Status), false
	}
	inv.Status = "SENT"
	inv.Sent = s.now().UTC()
	return 200, map[string]string{"href": s.payerLink(inv.ID), "rel": "payer-view", "method": "GET"}, true
}

func (s *Sandbox) invRemind(next *state, r *http.Request, body []byte) (int, any, bool) {
	if _, ok := notification(body); !ok {
		return 400, invError(400, "INVALID_PARAMETER_SYNTAX", "the notification must be a JSON object"), false
	}
	inv := next.invoice(r.PathValue("id"))
	switch {
	case inv == nil:
		return 404, invError(404, "INVALID_RESOURCE_ID", "no such invoice"), false
	case inv.Status != "SENT" && inv.Status != "UNPAID" && inv.Status != "PARTIALLY_PAID":
		return 422, invError(422, "CANNOT_REMIND_INVOICE", "an invoice that is "+inv.Status+" cannot be reminded"), false
	}
	inv.Reminders++
	return http.StatusNoContent, nil, true
}

func (s *Sandbox) invCancel(next *state, r *http.Request, body []byte) (int, any, bool) {
	if _, ok := notification(body); !ok {
		return 400, invError(400, "INVALID_PARAMETER_SYNTAX", "the notification must be a JSON object"), false
	}
	inv := next.invoice(r.PathValue("id"))
	if inv == nil {
		return 404, invError(404, "INVALID_RESOURCE_ID", "no such invoice"), false
	}
	switch inv.Status {
	case "SENT", "UNPAID":
	case "DRAFT":
		return 422, invError(422, "CANNOT_CANCEL_DRAFT_INVOICE", "a draft cannot be cancelled: delete it"), false
	case "CANCELLED":
		return 422, invError(422, "INVOICE_CANCELED_ALREADY", "the invoice is cancelled already"), false
	case "REFUNDED", "PARTIALLY_REFUNDED", "MARKED_AS_REFUNDED":
		return 422, invError(422, "CANNOT_CANCEL_REFUNDED_INVOICE", "a refunded invoice cannot be cancelled"), false
	default:
		return 422, invError(422, "CANNOT_CANCEL_PAID_INVOICE", "a paid invoice cannot be cancelled: refund it"), false
	}
	inv.Status = "CANCELLED"
	inv.Cancelled = s.now().UTC()
	return http.StatusNoContent, nil, true
}

var externalMethods = map[string]bool{
	"BANK_TRANSFER": true, "CASH": true, "CHECK": true, "CREDIT_CARD": true,
	"DEBIT_CARD": true, "PAYPAL": true, "WIRE_TRANSFER": true, "OTHER": true,
}

type invTxnBody struct {
	Method string        `json:"method"`
	Date   string        `json:"payment_date"`
	RDate  string        `json:"refund_date"`
	Amount *paypal.Money `json:"amount"`
}

// readInvTxn reads a payment or refund recorded as made outside PayPal and
// the invoice it is for; a refusal (with its status) when the body is not
// one, names no method PayPal takes (methodIssue), or the invoice is not
// there.
func readInvTxn(next *state, r *http.Request, body []byte, methodIssue string) (invTxnBody, *Invoice, int, any) {
	var b invTxnBody
	if err := json.Unmarshal(body, &b); err != nil {
		return b, nil, 400, invError(400, "INVALID_PARAMETER_SYNTAX", err.Error())
	}
	if !externalMethods[b.Method] {
		return b, nil, 400, invError(400, methodIssue, "method is required")
	}
	inv := next.invoice(r.PathValue("id"))
	if inv == nil {
		return b, nil, 404, invError(404, "INVALID_RESOURCE_ID", "no such invoice")
	}
	return b, inv, 0, nil
}

// amountOr is the body's amount in minor units of currency, or def when
// the body names none; false when it is not above zero in that currency.
func (b invTxnBody) amountOr(def int64, currency string) (int64, bool) {
	if b.Amount == nil {
		return def, true
	}
	v, ok := parseWire(b.Amount.Value, currency)
	return v, ok && b.Amount.Currency == currency && v > 0
}

// externalTxn is the next payment or refund recorded as made outside
// PayPal, dated today unless date is given.
func (s *Sandbox) externalTxn(next *state, method string, amount int64, date string) InvTxn {
	if date == "" {
		date = s.now().UTC().Format(time.DateOnly)
	}
	next.Seq++
	return InvTxn{ID: fmt.Sprintf("EXTR-SBX%012d", next.Seq), External: true, Method: method, Amount: amount, Date: date}
}

// invRecordPayment records a payment made outside PayPal (MARKED_AS_PAID).
func (s *Sandbox) invRecordPayment(next *state, r *http.Request, body []byte) (int, any, bool) {
	b, inv, status, refusal := readInvTxn(next, r, body, "INVALID_PAYMENT_METHOD")
	if refusal != nil {
		return status, refusal, false
	}
	if inv.Status != "SENT" && inv.Status != "UNPAID" && inv.Status != "PARTIALLY_PAID" {
		return 422, invError(422, "CANNOT_PROCESS_PAYMENTS", "an invoice that is "+inv.Status+" takes no payment"), false
	}
	amt, ok := b.amountOr(inv.Total-inv.PaidMinor, inv.Currency)
	if !ok {
		return 400, invError(400, "INVALID_DECIMAL_VALUE", "the amount must be above zero in the invoice's currency"), false
	}
	if amt > inv.Total-inv.PaidMinor {
		return 422, invError(422, "PAYMENT_AMOUNT_GREATER_THAN_AMOUNT_DUE", "the payment exceeds the amount due"), false
	}
	txn := s.externalTxn(next, b.Method, amt, b.Date)
	inv.Payments = append(inv.Payments, txn)
	inv.PaidMinor += amt
	inv.Status = "PARTIALLY_PAID"
	if inv.PaidMinor == inv.Total {
		inv.Status = "MARKED_AS_PAID"
	}
	return 200, map[string]string{"payment_id": txn.ID}, true
}

// invRecordRefund records a refund made outside PayPal, of a payment
// recorded the same way; a payment through PayPal is refunded through its
// capture instead, as PayPal requires.
func (s *Sandbox) invRecordRefund(next *state, r *http.Request, body []byte) (int, any, bool) {
	b, inv, status, refusal := readInvTxn(next, r, body, "INVALID_REFUND_METHOD")
	if refusal != nil {
		return status, refusal, false
	}
	var external int64
	for _, p := range inv.Payments {
		if !p.External {
			return 422, invError(422, "CANNOT_PROCESS_REFUNDS", "a payment made through PayPal is refunded through its capture"), false
		}
		external += p.Amount
	}
	left := external - inv.RefundedMn
	if left <= 0 {
		return 422, invError(422, "CANNOT_PROCESS_REFUNDS", "nothing recorded is left to refund"), false
	}
	amt, ok := b.amountOr(left, inv.Currency)
	if !ok {
		return 400, invError(400, "INVALID_DECIMAL_VALUE", "the amount must be above zero in the invoice's currency"), false
	}
	if amt > left {
		return 422, invError(422, "INVALID_REFUND_AMOUNT", "the refund exceeds what was paid and not refunded"), false
	}
	txn := s.externalTxn(next, b.Method, amt, b.RDate)
	inv.Refunds = append(inv.Refunds, txn)
	inv.RefundedMn += amt
	inv.Status = "PARTIALLY_REFUNDED"
	if inv.RefundedMn == inv.PaidMinor {
		inv.Status = "MARKED_AS_REFUNDED"
	}
	return 200, map[string]string{"refund_id": txn.ID}, true
}

// paymentsError is Payments v2's error body, with the message its
// description allows for the status.
func paymentsError(status int, issue, desc string) map[string]any {
	name, msg := "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."
	if status == 422 {
		name, msg = "UNPROCESSABLE_ENTITY", "The requested action could not be performed, semantically incorrect, or failed business validation."
	}
	return map[string]any{
		"name": name, "message": msg, "debug_id": "sandbox",
		"details": []map[string]string{{"issue": issue, "description": desc}},
	}
}

// invoiceCaptureRefund refunds an invoice payment's capture, for Orders'
// capture refund route; handled is false when the capture is not an
// invoice's.
func (s *Sandbox) invoiceCaptureRefund(next *state, r *http.Request, body []byte) (status int, reply any, changed, handled bool) {
	id := r.PathValue("id")
	var inv *Invoice
	var pay *InvTxn
	for i := range next.Invoices {
		for j := range next.Invoices[i].Payments {
			if p := &next.Invoices[i].Payments[j]; !p.External && p.ID == id {
				inv, pay = &next.Invoices[i], p
			}
		}
	}
	if inv == nil {
		return 0, nil, false, false
	}
	var b paypal.RefundCaptureRequest
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &b); err != nil {
			return 400, paymentsError(400, "MALFORMED_REQUEST_JSON", err.Error()), false, true
		}
	}
	var refunded int64
	for _, rf := range inv.Refunds {
		if !rf.External {
			refunded += rf.Amount
		}
	}
	left := pay.Amount - refunded
	if left <= 0 {
		return 422, paymentsError(422, "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded"), false, true
	}
	amt := left
	if b.Amount != nil {
		v, ok := parseWire(b.Amount.Value, inv.Currency)
		if !ok || b.Amount.Currency != inv.Currency {
			return 422, paymentsError(422, "REFUND_CAPTURE_CURRENCY_MISMATCH", "Refund must be in the same currency as the capture"), false, true
		}
		amt = v
	}
	if amt <= 0 || amt > left {
		return 422, paymentsError(422, "REFUND_AMOUNT_EXCEEDED",
			"The refund amount must be less than or equal to the capture amount that has not yet been refunded."), false, true
	}
	next.Seq++
	rid := fmt.Sprintf("SR%015d", next.Seq)
	now := s.now().UTC()
	inv.Refunds = append(inv.Refunds, InvTxn{ID: rid, Method: pay.Method, Amount: amt, Date: now.Format(time.DateOnly)})
	inv.RefundedMn += amt
	inv.Status = "PARTIALLY_REFUNDED"
	if inv.RefundedMn >= inv.PaidMinor {
		inv.Status = "REFUNDED"
	}
	value := wireMoney(amt, inv.Currency)
	next.Entries = append(next.Entries, Entry{
		Protocol: ProtocolInvoicing, RequestID: r.Header.Get("PayPal-Request-Id"), Type: "refund",
		PNREF: rid, OrigPNREF: pay.ID, Amount: value["value"], Currency: inv.Currency, InvoiceID: inv.Number, Time: now,
	})
	return http.StatusCreated, map[string]any{
		"id": rid, "status": "COMPLETED", "amount": value, "invoice_id": inv.Number,
		"create_time": now.Format(time.RFC3339), "update_time": now.Format(time.RFC3339),
		"links": []map[string]string{{"href": s.base + "/v2/payments/refunds/" + rid, "rel": "self", "method": "GET"}},
	}, true, true
}

func (s *Sandbox) invSearch(next *state, r *http.Request, body []byte) (int, any, bool) {
	var b struct {
		Number   string   `json:"invoice_number"`
		Email    string   `json:"recipient_email"`
		Status   []string `json:"status"`
		Currency string   `json:"currency_code"`
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &b); err != nil {
			return 400, invError(400, "INVALID_PARAMETER_SYNTAX", err.Error()), false
		}
	}
	q := r.URL.Query()
	page, size := 1, 20
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return 400, invError(400, "INVALID_INTEGER_MIN_VALUE", "page must be 1 to 1000"), false
		}
		page = n
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return 400, invError(400, "INVALID_INTEGER_MAX_VALUE", "page_size must be 1 to 100"), false
		}
		size = n
	}
	var match []*Invoice
	for i := range next.Invoices {
		inv := &next.Invoices[i]
		if (b.Number == "" || inv.Number == b.Number) && (b.Email == "" || strings.EqualFold(inv.Email, b.Email)) &&
			(len(b.Status) == 0 || slices.Contains(b.Status, inv.Status)) && (b.Currency == "" || inv.Currency == b.Currency) {
			match = append(match, inv)
		}
	}
	items := []any{}
	for i := (page - 1) * size; i < len(match) && i < page*size; i++ {
		items = append(items, s.invoiceJSON(match[i]))
	}
	out := map[string]any{"items": items, "links": []map[string]string{
		{"href": s.base + "/v2/invoicing/search-invoices?page=" + strconv.Itoa(page) + "&page_size=" + strconv.Itoa(size), "rel": "self", "method": "POST"},
	}}
	if q.Get("total_required") == "true" {
		out["total_items"] = len(match)
		out["total_pages"] = (len(match) + size - 1) / size
	}
	return 200, out, false
}

// invoiceCopy is a copy of invoice id, for the payer's page.
func (s *Sandbox) invoiceCopy(id string) (Invoice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.state.invoice(id)
	if inv == nil {
		return Invoice{}, false
	}
	return inv.clone(), true
}
