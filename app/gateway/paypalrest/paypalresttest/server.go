// Package paypalresttest is a strict, stateful Orders v2 server for tests
// of the paypalrest client: OAuth client credentials, create, get, capture
// and refund, with PayPal-Request-Id replays, the buyer's approval driven by
// the test, and faults injected per operation. It refuses what PayPal's
// spec does not allow: a missing PayPal-Request-Id on
// create, capture or refund, a bad bearer token, an amount with the wrong
// digits, a capture before approval, a null payment_source.
package paypalresttest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app/gateway/internal/paypalapi"
	"github.com/trainpay/trainpay/app/gateway/internal/wirefault"
)

// The credentials the server accepts.
const (
	ClientID = "test-client-id"
	Secret   = "test-secret"
	token    = "A21AAtest-access-token"
)

// Fault is a failure injected into the next call of an operation.
type Fault int

const (
	// FaultResetBefore closes the connection before processing.
	FaultResetBefore Fault = iota + 1
	// FaultTimeoutBefore holds the connection past the client's timeout,
	// then closes it, without processing.
	FaultTimeoutBefore
	// Fault5xxHTMLBefore answers 502 with an HTML page, unprocessed.
	Fault5xxHTMLBefore
	// FaultReplyLostAfter processes the call, then drops the connection.
	FaultReplyLostAfter
	// Fault5xxHTMLAfter processes the call, then answers 500 with HTML.
	Fault5xxHTMLAfter
	// FaultMalformedAfter processes the call, then answers 201 with a
	// body that is not JSON.
	FaultMalformedAfter
)

func (f Fault) String() string {
	return [...]string{"", "reset-before", "timeout-before", "5xx-html-before", "reply-lost-after", "5xx-html-after", "malformed-after"}[f]
}

// Processes reports whether the call is processed despite the fault.
func (f Fault) Processes() bool { return f >= FaultReplyLostAfter }

// Operations faults can be injected into.
const (
	OpToken   = "token"
	OpCreate  = "create"
	OpGet     = "get"
	OpCapture = "capture"
	OpRefund  = "refund"
)

// Request is one call the server received (the token call's secret is not
// kept).
type Request struct {
	Op        string
	Method    string
	Path      string
	RequestID string // PayPal-Request-Id
	Prefer    string
	Body      []byte
}

// Capture is one capture in the ledger.
type Capture struct {
	ID, OrderID, RequestID string
	Currency               string
	Minor                  int64
	RefundedMinor          int64
	Status                 string
}

// Order is an order's state.
type Order struct {
	ID, Status, RequestID string
	Currency, Value       string
	InvoiceID, CustomID   string
	ReturnURL, CancelURL  string
	Body                  []byte // the create body as received
	Capture               *Capture
}

// Server is the strict Orders v2 server.
type Server struct {
	*httptest.Server
	t      testing.TB
	hold   time.Duration // FaultTimeoutBefore's wait
	mu     sync.Mutex
	seq    int
	orders map[string]*Order
	byReq  map[string]replay // PayPal-Request-Id (per op) → first answer
	faults wirefault.Queue[Fault]
	reqs   []Request
	// declineNext makes the next capture of an approved order fail with
	// this issue (INSTRUMENT_DECLINED, PAYER_CANNOT_PAY).
	declineNext string
	captures    int // successful captures, all orders
	forget      map[string]bool
}

type replay struct {
	status int
	body   []byte
}

// NewServer starts a server closed at the end of the test.
func NewServer(t testing.TB) *Server {
	s := &Server{t: t, hold: 1500 * time.Millisecond, orders: map[string]*Order{}, byReq: map[string]replay{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/oauth2/token", s.token)
	mux.HandleFunc("POST /v2/checkout/orders", s.auth(OpCreate, s.create))
	mux.HandleFunc("GET /v2/checkout/orders/{id}", s.auth(OpGet, s.get))
	mux.HandleFunc("POST /v2/checkout/orders/{id}/capture", s.auth(OpCapture, s.capture))
	mux.HandleFunc("POST /v2/payments/captures/{id}/refund", s.auth(OpRefund, s.refund))
	mux.HandleFunc("GET /checkoutnow", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body>PayPal test approval page</body></html>")
	})
	// The buyer's buttons, for tests whose buyer is in another process.
	mux.HandleFunc("POST /checkoutnow", func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("token")
		var target string
		var err error
		if r.FormValue("action") == "approve" {
			target, err = s.Approve(id)
		} else {
			target, err = s.Cancel(id)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// SetHold sets how long FaultTimeoutBefore holds the connection.
func (s *Server) SetHold(d time.Duration) { s.mu.Lock(); s.hold = d; s.mu.Unlock() }

// Inject queues faults for the next calls of op.
func (s *Server) Inject(op string, faults ...Fault) {
	s.faults.Push(op, faults...)
}

// DeclineNextCapture makes the next capture fail with a 422 issue.
func (s *Server) DeclineNextCapture(issue string) { s.mu.Lock(); s.declineNext = issue; s.mu.Unlock() }

// Requests returns every call received, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Order returns a copy of an order.
func (s *Server) Order(id string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	c := *o
	if o.Capture != nil {
		cp := *o.Capture
		c.Capture = &cp
	}
	return c, true
}

// Orders returns copies of every order.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	ids := make([]string, 0, len(s.orders))
	for id := range s.orders {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	out := make([]Order, 0, len(ids))
	for _, id := range ids {
		o, _ := s.Order(id)
		out = append(out, o)
	}
	return out
}

// CapturesFor counts the captures of the orders whose custom_id is key.
func (s *Server) CapturesFor(key string) int {
	n := 0
	for _, o := range s.Orders() {
		if o.CustomID == key && o.Capture != nil {
			n++
		}
	}
	return n
}

// Approve is the buyer approving in PayPal: the order becomes APPROVED
// and the URL the browser is sent to (return_url?token=…&PayerID=…) is
// returned.
func (s *Server) Approve(orderID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok || o.Status != "CREATED" {
		return "", fmt.Errorf("order %s cannot be approved", orderID)
	}
	o.Status = "APPROVED"
	return o.ReturnURL + "?token=" + o.ID + "&PayerID=TESTPAYER1", nil
}

// Cancel is the buyer cancelling in PayPal: the cancel URL is returned.
func (s *Server) Cancel(orderID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return "", fmt.Errorf("no order %s", orderID)
	}
	return o.CancelURL + "?token=" + o.ID, nil
}

// --- handlers ----------------------------------------------------------------

func (s *Server) nextFault(op string) Fault { return s.faults.Next(op) }

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, Request{Op: OpToken, Method: r.Method, Path: r.URL.Path})
	s.mu.Unlock()
	if f := s.nextFault(OpToken); f != 0 && s.before(w, f) {
		return
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(ClientID+":"+Secret))
	if r.Header.Get("Authorization") != want {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"invalid_client","error_description":"Client Authentication failed"}`)
		return
	}
	if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded") ||
		string(body) != "grant_type=client_credentials" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"unsupported_grant_type","error_description":"Grant Type is NULL"}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"scope":"https://uri.paypal.com/services/payments/payment","access_token":%q,"token_type":"Bearer","app_id":"APP-TEST","expires_in":32400,"nonce":"n"}`, token)
}

type handler func(w http.ResponseWriter, r *http.Request, body []byte) (int, any)

// auth checks the bearer token and the request id rules, applies faults
// and replays, then runs h.
func (s *Server) auth(op string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		reqID := r.Header.Get("PayPal-Request-Id")
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{
			Op: op, Method: r.Method, Path: r.URL.Path, RequestID: reqID,
			Prefer: r.Header.Get("Prefer"), Body: body,
		})
		s.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+token {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "error_description": "Token signature verification failed"})
			return
		}
		f := s.nextFault(op)
		if f != 0 && s.before(w, f) {
			return
		}
		if r.Method == http.MethodPost {
			if reqID == "" || len(reqID) > 108 {
				writeJSON(w, 400, restError("INVALID_REQUEST", "PAYPAL_REQUEST_ID_REQUIRED", "PayPal-Request-Id is required"))
				return
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				writeJSON(w, 415, restError("UNSUPPORTED_MEDIA_TYPE", "UNSUPPORTED_MEDIA_TYPE", ct))
				return
			}
		}
		s.mu.Lock()
		rk := op + "|" + r.URL.Path + "|" + reqID
		prev, seen := s.byReq[rk]
		s.mu.Unlock()
		var status int
		var out []byte
		if r.Method == http.MethodPost && seen {
			// A replay: the first answer again, 200 for a 201 (spec).
			status, out = prev.status, prev.body
			if status == http.StatusCreated {
				status = http.StatusOK
			}
		} else {
			st, v := h(w, r, body)
			status = st
			out, _ = json.Marshal(v)
			if r.Method == http.MethodPost && status < 300 {
				s.mu.Lock()
				if !s.forget[op] {
					s.byReq[rk] = replay{status: status, body: out}
				}
				s.mu.Unlock()
			}
		}
		s.after(w, f, status, out)
	}
}

// before applies a fault that stops the call before processing; true when
// it answered.
func (s *Server) before(w http.ResponseWriter, f Fault) bool {
	switch f {
	case FaultResetBefore:
		wirefault.HangUp(w, false)
	case FaultTimeoutBefore:
		s.mu.Lock()
		d := s.hold
		s.mu.Unlock()
		time.Sleep(d)
		wirefault.HangUp(w, false)
	case Fault5xxHTMLBefore:
		wirefault.BadGateway(w)
	default:
		return false
	}
	return true
}

func (s *Server) after(w http.ResponseWriter, f Fault, status int, body []byte) {
	switch f {
	case FaultReplyLostAfter:
		wirefault.HangUp(w, false)
	case Fault5xxHTMLAfter:
		wirefault.ServerError(w)
	case FaultMalformedAfter:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, `{"id":"`)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func restError(name, issue, desc string) map[string]any {
	status := map[string]string{
		"INVALID_REQUEST":      "Request is not well-formed, syntactically incorrect, or violates schema.",
		"UNPROCESSABLE_ENTITY": "The requested action could not be performed, semantically incorrect, or failed business validation.",
		"RESOURCE_NOT_FOUND":   "The specified resource does not exist.",
	}[name]
	return map[string]any{
		"name": name, "message": status, "debug_id": "dbg" + strconv.Itoa(len(issue)),
		"details": []map[string]string{{"issue": issue, "description": desc}},
		"links":   []map[string]string{{"href": "https://developer.paypal.com/docs/api/orders/v2/#error-" + issue, "rel": "information_link", "method": "GET"}},
	}
}

var (
	twoDigits  = regexp.MustCompile(`^(0|[1-9][0-9]{0,9})\.[0-9]{2}$`)
	noDigits   = regexp.MustCompile(`^(0|[1-9][0-9]{0,9})$`)
	zeroDigits = map[string]bool{"HUF": true, "JPY": true, "TWD": true}
)

// ValidValue reports whether value has exactly the currency's digits for
// PayPal.
func ValidValue(currency, value string) bool {
	if zeroDigits[currency] {
		return noDigits.MatchString(value)
	}
	return twoDigits.MatchString(value)
}

func minor(value string) int64 {
	n, _ := strconv.ParseInt(strings.Replace(value, ".", "", 1), 10, 64)
	return n
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, body []byte) (int, any) {
	var b paypalapi.OrderRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&b); err != nil {
		return 400, restError("INVALID_REQUEST", "MALFORMED_REQUEST_JSON", err.Error())
	}
	switch {
	case b.Intent != "CAPTURE":
		return 400, restError("INVALID_REQUEST", "INVALID_PARAMETER_VALUE", "intent must be CAPTURE here")
	case len(b.PurchaseUnits) != 1 || b.PurchaseUnits[0].Amount == nil:
		return 400, restError("INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER", "one purchase unit with an amount")
	case !ValidValue(b.PurchaseUnits[0].Amount.Currency, b.PurchaseUnits[0].Amount.Value):
		return 422, restError("UNPROCESSABLE_ENTITY", "DECIMAL_PRECISION", "the value has the wrong digits for its currency")
	case b.ApplicationContext == nil || b.ApplicationContext.ReturnURL == "" || b.ApplicationContext.CancelURL == "":
		return 400, restError("INVALID_REQUEST", "MISSING_REQUIRED_PARAMETER", "return_url and cancel_url are required without the JS SDK")
	}
	pu := b.PurchaseUnits[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("5O%015d", s.seq)
	o := &Order{
		ID: id, Status: "CREATED", RequestID: r.Header.Get("PayPal-Request-Id"),
		Currency: pu.Amount.Currency, Value: pu.Amount.Value, InvoiceID: pu.InvoiceID, CustomID: pu.CustomID,
		ReturnURL: b.ApplicationContext.ReturnURL, CancelURL: b.ApplicationContext.CancelURL, Body: body,
	}
	s.orders[id] = o
	return http.StatusCreated, s.orderJSON(o)
}

func (s *Server) orderJSON(o *Order) map[string]any {
	pu := map[string]any{
		"reference_id": "default", "amount": map[string]string{"currency_code": o.Currency, "value": o.Value},
		"invoice_id": o.InvoiceID, "custom_id": o.CustomID,
	}
	if c := o.Capture; c != nil {
		pu["payments"] = map[string]any{"captures": []map[string]any{{
			"id": c.ID, "status": c.Status, "custom_id": o.CustomID,
			"amount": map[string]string{"currency_code": o.Currency, "value": o.Value},
		}}}
	}
	return map[string]any{
		"id": o.ID, "intent": "CAPTURE", "status": o.Status, "purchase_units": []any{pu},
		"links": []map[string]string{
			{"href": s.URL + "/v2/checkout/orders/" + o.ID, "rel": "self", "method": "GET"},
			{"href": s.URL + "/checkoutnow?token=" + o.ID, "rel": "approve", "method": "GET"},
			{"href": s.URL + "/v2/checkout/orders/" + o.ID + "/capture", "rel": "capture", "method": "POST"},
		},
	}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, _ []byte) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[r.PathValue("id")]
	if !ok {
		return 404, restError("RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "order not found")
	}
	return 200, s.orderJSON(o)
}

func (s *Server) capture(w http.ResponseWriter, r *http.Request, body []byte) (int, any) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return 400, restError("INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "the body must be a JSON object")
	}
	if ps, ok := raw["payment_source"]; ok && string(ps) == "null" {
		return 400, restError("INVALID_REQUEST", "INVALID_PARAMETER_SYNTAX", "payment_source must be an object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[r.PathValue("id")]
	switch {
	case !ok:
		return 404, restError("RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "order not found")
	case o.Status == "COMPLETED":
		return 422, restError("UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED", "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.")
	case o.Status != "APPROVED":
		return 422, restError("UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment.")
	case s.declineNext != "":
		issue := s.declineNext
		s.declineNext = ""
		return 422, restError("UNPROCESSABLE_ENTITY", issue, "The instrument presented was either declined by the processor or bank, or it can't be used for this payment.")
	}
	s.seq++
	o.Status = "COMPLETED"
	o.Capture = &Capture{
		ID: fmt.Sprintf("3C%015d", s.seq), OrderID: o.ID, RequestID: r.Header.Get("PayPal-Request-Id"),
		Currency: o.Currency, Minor: minor(o.Value), Status: "COMPLETED",
	}
	s.captures++
	return http.StatusCreated, s.orderJSON(o)
}

func (s *Server) refund(w http.ResponseWriter, r *http.Request, body []byte) (int, any) {
	var b paypal.RefundCaptureRequest
	if err := json.Unmarshal(body, &b); err != nil {
		return 400, restError("INVALID_REQUEST", "MALFORMED_REQUEST_JSON", err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var c *Capture
	for _, o := range s.orders {
		if o.Capture != nil && o.Capture.ID == r.PathValue("id") {
			c = o.Capture
		}
	}
	if c == nil {
		return 404, restError("RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "capture not found")
	}
	left := c.Minor - c.RefundedMinor
	amt := left
	if b.Amount != nil {
		if b.Amount.Currency != c.Currency || !ValidValue(b.Amount.Currency, b.Amount.Value) {
			return 422, restError("UNPROCESSABLE_ENTITY", "CURRENCY_MISMATCH", "the refund must be in the capture's currency")
		}
		amt = minor(b.Amount.Value)
	}
	if left == 0 {
		return 422, restError("UNPROCESSABLE_ENTITY", "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded")
	}
	if amt <= 0 || amt > left {
		return 422, restError("UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.")
	}
	c.RefundedMinor += amt
	c.Status = "PARTIALLY_REFUNDED"
	if c.RefundedMinor == c.Minor {
		c.Status = "REFUNDED"
	}
	s.seq++
	return http.StatusCreated, map[string]any{
		"id": fmt.Sprintf("1R%015d", s.seq), "status": "COMPLETED",
		"amount": map[string]string{"currency_code": c.Currency, "value": fmt.Sprintf("%d.%02d", amt/100, amt%100)},
	}
}

// ForgetRequestIDs drops every stored PayPal-Request-Id, as PayPal does
// after their lifetime (6 hours).
func (s *Server) ForgetRequestIDs() { s.mu.Lock(); s.byReq = map[string]replay{}; s.mu.Unlock() }

// ForgetRequestIDsOf stops keeping op's request ids, as if each call came
// after PayPal's 6 hours.
func (s *Server) ForgetRequestIDsOf(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forget == nil {
		s.forget = map[string]bool{}
	}
	s.forget[op] = true
}

// Captures returns how many captures succeeded, all orders together.
func (s *Server) Captures() int { s.mu.Lock(); defer s.mu.Unlock(); return s.captures }

// Press is the buyer pressing Approve ("approve") or Cancel on the page of
// an approve link of this server, with a browser that follows the redirect
// back to the app.
func Press(link, action string) error {
	u, err := url.Parse(link)
	if err != nil {
		return err
	}
	resp, err := http.PostForm(u.Scheme+"://"+u.Host+"/checkoutnow", url.Values{"token": {u.Query().Get("token")}, "action": {action}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the browser ended on HTTP %d", resp.StatusCode)
	}
	return nil
}
