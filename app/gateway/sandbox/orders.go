package sandbox

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app/gateway/internal/paypalapi"
	"github.com/trainpay/trainpay/app/gateway/internal/wirefault"
	"github.com/trainpay/trainpay/app/gateway/paypalrest"
)

// Orders v2 (Express Checkout) on the sandbox: token, create, get, capture,
// refund, and the buyer's approval page.
//
// Credentials: any client ID and secret, except the secret "invalid", which
// gets OAuth's 401 invalid_client. The approve link opens ApprovalPage on
// 127.0.0.1: an HTML page with Approve and Cancel buttons that send the
// browser to the order's return or cancel URL, as PayPal does. Capture
// follows the amount rules with PayPal's issues: V = 1012 (and V > 2000)
// INSTRUMENT_DECLINED, V = 1050 PAYER_CANNOT_PAY, V = 1026 a PENDING
// capture (held), V = 1097 captured but the reply is lost, V = 1098 the
// connection dropped before processing; everything else is captured.
// PayPal-Request-Id replays answer the first reply with HTTP 200. Orders,
// captures and refunds are kept in the ledger (Protocol "orders"), so a
// payment left unknown by a crash is reconciled after a restart.

// OrdersClientID and OrdersSecret are the credentials OrdersConfig gives.
const (
	OrdersClientID = "sandbox-client"
	OrdersSecret   = "sandbox-secret"
	ProtocolOrders = "orders"
	ordersToken    = "A21AAsandbox-token"
)

// Order is an Orders v2 order of the sandbox.
type Order struct {
	ID         string    `json:"id"`
	Status     string    `json:"status"`
	RequestID  string    `json:"request_id"`
	Currency   string    `json:"currency"`
	Value      string    `json:"value"`
	InvoiceID  string    `json:"invoice_id,omitempty"`
	CustomID   string    `json:"custom_id,omitempty"`
	Brand      string    `json:"brand,omitempty"`
	ReturnURL  string    `json:"return_url"`
	CancelURL  string    `json:"cancel_url"`
	CaptureID  string    `json:"capture_id,omitempty"`
	CaptureReq string    `json:"capture_request_id,omitempty"`
	CaptureSt  string    `json:"capture_status,omitempty"`
	Time       time.Time `json:"time"`
}

// OrdersBase is the Orders v2 base URL, for paypalrest.Config.BaseURL.
func (s *Sandbox) OrdersBase() string { return s.base }

// OrdersConfig is a ready paypalrest.Config for the sandbox.
func (s *Sandbox) OrdersConfig() paypalrest.Config {
	return paypalrest.Config{
		BaseURL: s.OrdersBase(), ClientID: OrdersClientID, Secret: OrdersSecret,
		PollInterval: 2 * time.Second,
	}
}

// Orders returns a copy of the sandbox's orders.
func (s *Sandbox) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Order(nil), s.state.Orders...)
}

func (s *Sandbox) ordersRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/oauth2/token", s.ordersToken)
	mux.HandleFunc("POST /v2/checkout/orders", s.ordersAuth(s.ordersCreate))
	mux.HandleFunc("GET /v2/checkout/orders/{id}", s.ordersAuth(s.ordersGet))
	mux.HandleFunc("POST /v2/checkout/orders/{id}/capture", s.ordersAuth(s.ordersCapture))
	mux.HandleFunc("POST /v2/payments/captures/{id}/refund", s.ordersAuth(s.ordersRefund))
	mux.HandleFunc("GET /checkoutnow", s.approvalPage)
	mux.HandleFunc("POST /checkoutnow", s.approvalSubmit)
}

func ordersJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ordersError(name, issue, desc string) map[string]any {
	return map[string]any{
		"name": name, "message": desc, "debug_id": "sandbox",
		"details": []map[string]string{{"issue": issue, "description": desc}},
	}
}

func (s *Sandbox) ordersToken(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
	user, pass, ok := r.BasicAuth()
	if !ok || user == "" || pass == "" || pass == "invalid" {
		ordersJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client Authentication failed"})
		return
	}
	if string(body) != "grant_type=client_credentials" {
		ordersJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"})
		return
	}
	ordersJSON(w, http.StatusOK, map[string]any{
		"access_token": ordersToken, "token_type": "Bearer", "expires_in": 32400,
		"scope": "https://uri.paypal.com/services/payments/payment",
	})
}

type ordersHandler func(next *state, r *http.Request, body []byte) (status int, reply any, stored bool)

// readAuthorized reads r's body when it carries the sandbox's bearer
// token; otherwise it answers 401 as PayPal does and returns false.
func readAuthorized(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if r.Header.Get("Authorization") != "Bearer "+ordersToken {
		ordersJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "Token signature verification failed"})
		return nil, false
	}
	return body, true
}

// ordersAuth checks the token and the PayPal-Request-Id, answers replays,
// and saves the ledger before answering, as the other routes do.
func (s *Sandbox) ordersAuth(h ordersHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ok := readAuthorized(w, r)
		if !ok {
			return
		}
		reqID := r.Header.Get("PayPal-Request-Id")
		if r.Method == http.MethodPost && (reqID == "" || len(reqID) > 108) {
			ordersJSON(w, http.StatusBadRequest, ordersError("INVALID_REQUEST", "PAYPAL_REQUEST_ID_REQUIRED", "PayPal-Request-Id is required"))
			return
		}
		s.mu.Lock()
		if r.Method == http.MethodPost {
			for _, e := range s.state.Entries {
				if e.Protocol == ProtocolOrders && e.RequestID == reqID && e.Message == r.URL.Path {
					s.mu.Unlock()
					status := http.StatusOK // Orders v2 describes 200 for a replay
					if strings.HasPrefix(r.URL.Path, "/v2/payments/") {
						status = http.StatusCreated // Payments v2 describes only 201 for a refund
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					_, _ = io.WriteString(w, e.Reply)
					return
				}
			}
		}
		next := s.state.clone()
		status, reply, stored := h(&next, r, body)
		out, _ := json.Marshal(reply)
		lost := false
		if stored {
			if status < 300 && r.Method == http.MethodPost {
				// The replay of this request id. Message holds the path.
				next.Entries = append(next.Entries, Entry{
					Protocol: ProtocolOrders, RequestID: reqID, Type: "reply",
					Message: r.URL.Path, Time: s.now().UTC(), Reply: string(out),
				})
			}
			lost = next.lostReply
			next.lostReply = false
			if !s.commit(w, next) {
				s.mu.Unlock()
				return
			}
		}
		s.mu.Unlock()
		if lost {
			wirefault.HangUp(w, false)
			return
		}
		if status == -1 {
			wirefault.HangUp(w, false)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(out)
	}
}

func (st *state) order(id string) *Order {
	for i := range st.Orders {
		if st.Orders[i].ID == id {
			return &st.Orders[i]
		}
	}
	return nil
}

func (s *Sandbox) orderJSON(o *Order) map[string]any {
	pu := map[string]any{
		"reference_id": "default", "amount": map[string]string{"currency_code": o.Currency, "value": o.Value},
		"invoice_id": o.InvoiceID, "custom_id": o.CustomID,
	}
	if o.CaptureID != "" {
		pu["payments"] = map[string]any{"captures": []map[string]any{{
			"id": o.CaptureID, "status": o.CaptureSt,
			"amount": map[string]string{"currency_code": o.Currency, "value": o.Value},
		}}}
	}
	return map[string]any{
		"id": o.ID, "intent": "CAPTURE", "status": o.Status, "purchase_units": []any{pu},
		"create_time": o.Time.UTC().Format(time.RFC3339),
		"links": []map[string]string{
			{"href": s.base + "/v2/checkout/orders/" + o.ID, "rel": "self", "method": "GET"},
			{"href": s.base + "/checkoutnow?token=" + o.ID, "rel": "approve", "method": "GET"},
			{"href": s.base + "/v2/checkout/orders/" + o.ID + "/capture", "rel": "capture", "method": "POST"},
		},
	}
}

func validReturn(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func (s *Sandbox) ordersCreate(next *state, r *http.Request, body []byte) (int, any, bool) {
	var b paypalapi.OrderRequest
	if err := json.Unmarshal(body, &b); err != nil {
		return 400, ordersError("INVALID_REQUEST", "MALFORMED_REQUEST_JSON", err.Error()), false
	}
	if b.Intent != "CAPTURE" || len(b.PurchaseUnits) != 1 || b.PurchaseUnits[0].Amount == nil {
		return 400, ordersError("INVALID_REQUEST", "INVALID_PARAMETER_VALUE", "intent CAPTURE with one purchase unit and its amount"), false
	}
	a := b.PurchaseUnits[0].Amount
	if a.Currency != "USD" && a.Currency != "CAD" {
		return 422, ordersError("UNPROCESSABLE_ENTITY", "CURRENCY_NOT_SUPPORTED", "the sandbox takes USD and CAD, as Express Checkout in TrainPay"), false
	}
	if whole, frac, ok := strings.Cut(a.Value, "."); !ok || len(frac) != 2 || whole == "" || !allDigits(whole) || !allDigits(frac) {
		return 422, ordersError("UNPROCESSABLE_ENTITY", "DECIMAL_PRECISION", "the value must have two decimals"), false
	}
	if b.ApplicationContext == nil || !validReturn(b.ApplicationContext.ReturnURL) || !validReturn(b.ApplicationContext.CancelURL) {
		return 400, ordersError("INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER", "return_url and cancel_url are required"), false
	}
	next.Seq++
	o := Order{
		ID: fmt.Sprintf("SB%015d", next.Seq), Status: "CREATED", RequestID: r.Header.Get("PayPal-Request-Id"),
		Currency: a.Currency, Value: a.Value, InvoiceID: b.PurchaseUnits[0].InvoiceID, CustomID: b.PurchaseUnits[0].CustomID,
		Brand: b.ApplicationContext.BrandName, ReturnURL: b.ApplicationContext.ReturnURL, CancelURL: b.ApplicationContext.CancelURL, Time: s.now().UTC(),
	}
	next.Orders = append(next.Orders, o)
	return http.StatusCreated, s.orderJSON(&o), true
}

func (s *Sandbox) ordersGet(next *state, r *http.Request, _ []byte) (int, any, bool) {
	o := next.order(r.PathValue("id"))
	if o == nil {
		return 404, ordersError("RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "no such order"), false
	}
	return 200, s.orderJSON(o), false
}

func (s *Sandbox) ordersCapture(next *state, r *http.Request, body []byte) (int, any, bool) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return 400, ordersError("INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "the body must be a JSON object"), false
	}
	o := next.order(r.PathValue("id"))
	switch {
	case o == nil:
		return 404, ordersError("RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "no such order"), false
	case o.Status == "COMPLETED":
		return 422, ordersError("UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED", "Order already captured."), false
	case o.Status != "APPROVED":
		return 422, ordersError("UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment."), false
	}
	switch amountRule(o.Value, 2) {
	case ruleDeclined, ruleReferral, ruleCVV:
		return 422, ordersError("UNPROCESSABLE_ENTITY", "INSTRUMENT_DECLINED", "The instrument presented was declined."), false
	case ruleInsufficient, ruleOverLimit:
		return 422, ordersError("UNPROCESSABLE_ENTITY", "PAYER_CANNOT_PAY", "The payer cannot pay for this transaction."), false
	case ruleDropped:
		return -1, nil, false
	case ruleReplyLost:
		next.lostReply = true
	case ruleHeld:
		o.CaptureSt = "PENDING"
	}
	next.Seq++
	o.Status, o.CaptureID, o.CaptureReq = "COMPLETED", fmt.Sprintf("SC%015d", next.Seq), r.Header.Get("PayPal-Request-Id")
	if o.CaptureSt == "" {
		o.CaptureSt = "COMPLETED"
	}
	next.Entries = append(next.Entries, Entry{
		Protocol: ProtocolOrders, RequestID: o.CaptureReq, Type: "sale", PNREF: o.CaptureID,
		OrigPNREF: o.ID, Amount: o.Value, Currency: o.Currency, InvoiceID: o.InvoiceID, Time: s.now().UTC(), Message: "capture " + o.CaptureSt,
	})
	return http.StatusCreated, s.orderJSON(o), true
}

func minorOf(v string) int64 {
	n, _ := strconv.ParseInt(strings.Replace(v, ".", "", 1), 10, 64)
	return n
}

func (s *Sandbox) ordersRefund(next *state, r *http.Request, body []byte) (int, any, bool) {
	if status, reply, changed, ok := s.invoiceCaptureRefund(next, r, body); ok {
		return status, reply, changed // an invoice payment's capture (invoicing.go)
	}
	var b paypal.RefundCaptureRequest
	if err := json.Unmarshal(body, &b); err != nil {
		return 400, ordersError("INVALID_REQUEST", "MALFORMED_REQUEST_JSON", err.Error()), false
	}
	var sale *Entry
	for i := range next.Entries {
		if e := &next.Entries[i]; e.Protocol == ProtocolOrders && e.Type == "sale" && e.PNREF == r.PathValue("id") {
			sale = e
		}
	}
	if sale == nil {
		return 404, ordersError("RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "no such capture"), false
	}
	left := minorOf(sale.Amount) - minorOf(sale.Refunded)
	amt := left
	if b.Amount != nil {
		if b.Amount.Currency != sale.Currency {
			return 422, ordersError("UNPROCESSABLE_ENTITY", "CURRENCY_MISMATCH", "the refund must be in the capture's currency"), false
		}
		amt = minorOf(b.Amount.Value)
	}
	if left == 0 {
		return 422, ordersError("UNPROCESSABLE_ENTITY", "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded"), false
	}
	if amt <= 0 || amt > left {
		return 422, ordersError("UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED", "The refund amount exceeds what is left of the capture."), false
	}
	refunded := minorOf(sale.Refunded) + amt
	sale.Refunded = fmt.Sprintf("%d.%02d", refunded/100, refunded%100)
	next.Seq++
	id := fmt.Sprintf("SR%015d", next.Seq)
	value := fmt.Sprintf("%d.%02d", amt/100, amt%100)
	next.Entries = append(next.Entries, Entry{
		Protocol: ProtocolOrders, RequestID: r.Header.Get("PayPal-Request-Id"), Type: "refund",
		PNREF: id, OrigPNREF: sale.PNREF, Amount: value, Currency: sale.Currency, Time: s.now().UTC(),
	})
	return http.StatusCreated, map[string]any{
		"id": id, "status": "COMPLETED",
		"amount": map[string]string{"currency_code": sale.Currency, "value": value},
	}, true
}

// approvalPage is the sandbox's stand-in for PayPal's checkout page.
func (s *Sandbox) approvalPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("token")
	s.mu.Lock()
	o := s.state.order(id)
	var c Order
	if o != nil {
		c = *o
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if o == nil || c.Status != "CREATED" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "<!doctype html><html><body><h1>PayPal sandbox</h1><p>This order cannot be approved.</p></body></html>")
		return
	}
	e := html.EscapeString
	_, _ = fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>PayPal sandbox</title></head>
<body style="font-family:sans-serif;margin:3em">
<p><b>TEST MODE: TrainPay's offline PayPal sandbox.</b> No money moves.</p>
<h1>%s</h1><p>%s %s</p>
<form method="post" action="/checkoutnow"><input type="hidden" name="token" value="%s">
<button name="action" value="approve">Approve</button> <button name="action" value="cancel">Cancel</button></form>
</body></html>`, e(c.Brand), e(c.Value), e(c.Currency), e(c.ID))
}

// approvalSubmit records the buyer's choice and redirects the browser to
// the order's return or cancel URL, with ?token=<order id> as PayPal does.
func (s *Sandbox) approvalSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id, action := r.PostForm.Get("token"), r.PostForm.Get("action")
	s.mu.Lock()
	next := s.state.clone()
	o := next.order(id)
	if o == nil || o.Status != "CREATED" || (action != "approve" && action != "cancel") {
		s.mu.Unlock()
		http.Error(w, "this order cannot be approved", http.StatusNotFound)
		return
	}
	target := o.CancelURL
	if action == "approve" {
		o.Status = "APPROVED"
		target = o.ReturnURL
		if !s.commit(w, next) {
			s.mu.Unlock()
			return
		}
	}
	s.mu.Unlock()
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	target += sep + "token=" + url.QueryEscape(id)
	if action == "approve" {
		target += "&PayerID=SANDBOXPAYER"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
