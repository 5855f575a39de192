// Package nvptest is a strict, fault-injecting, in-process stand-in for
// PayPal's classic NVP API (api-3t…/nvp), for tests in any package.
//
// It speaks DoDirectPayment, RefundTransaction, DoVoid, TransactionSearch
// and GetBalance, keeps a ledger of what it processed, and fails the test
// (t.Errorf) on every deviation from the protocol a real PayPal would
// reject or silently misread: a missing USER/PWD/SIGNATURE/VERSION/METHOD,
// a wrong content type, a query string, EXPDATE not MMYYYY, IPADDRESS
// missing or longer than 15 characters, AMT with the wrong number of
// decimals for the currency, a CREDITCARDTYPE that does not match the
// number, Maestro without STARTDATE or ISSUENUMBER, a refund without
// MSGSUBID, and so on. Data a person could get wrong (a bad Luhn digit,
// an expired card, wrong credentials, a duplicate INVNUM) is not a test
// failure: it gets PayPal's error reply.
//
// Faults are queued per METHOD with Inject; scripted error and warning
// replies with Fail and Warn. Ledger and Requests let fault-matrix tests
// compare a journal with what "PayPal" actually did. Card numbers are
// stored masked (last four digits), CVVs and passwords as asterisks.
//
// A client talking to this server should turn its search-lag guard off
// (nvp.Config{SearchLag: nvp.NoSearchLag}) unless the test sets
// WithSearchLag, because the ledger is searchable at once.
package nvptest

import (
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/gateway/internal/nvpwire"
	"github.com/trainpay/trainpay/app/gateway/internal/wirefault"
)

// Default credentials the server accepts.
const (
	User      = "merchant_api1.example.co.uk"
	Password  = "TESTPASSWORD123"
	Signature = "A1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz.AbCdEfGhIjKlMnOp"
)

// minVersion is the lowest VERSION that has MSGSUBID on DoVoid.
const minVersion = 94

// Fault is a failure injected into one request.
type Fault int

const (
	// LostReplyAfterProcessing processes the request (the card is charged,
	// the refund made) and then closes the connection without answering.
	LostReplyAfterProcessing Fault = iota + 1
	// TimeoutBeforeProcessing holds the request, unprocessed, until the
	// client gives up (or the server closes).
	TimeoutBeforeProcessing
	// ResetBeforeProcessing reads the request and resets the connection
	// (TCP RST) without processing it.
	ResetBeforeProcessing
	// HTTP500AfterProcessing processes the request and answers 500 with
	// an HTML page.
	HTTP500AfterProcessing
	// HTTP503BeforeProcessing answers 503 with an HTML page without
	// processing the request.
	HTTP503BeforeProcessing
	// MalformedAfterProcessing processes the request and answers 200 with
	// a body that is not NVP.
	MalformedAfterProcessing
	// DeliveredTwice processes the request twice, as when something between
	// the app and PayPal resends a request whose answer it did not see, and
	// answers with the second processing's reply (for a DoDirectPayment,
	// the duplicate-invoice refusal). It is recorded as one request: the
	// app sent one.
	DeliveredTwice
)

func (f Fault) String() string {
	switch f {
	case LostReplyAfterProcessing:
		return "lost reply after processing"
	case TimeoutBeforeProcessing:
		return "timeout before processing"
	case ResetBeforeProcessing:
		return "reset before processing"
	case HTTP500AfterProcessing:
		return "HTTP 500 after processing"
	case HTTP503BeforeProcessing:
		return "HTTP 503 before processing"
	case MalformedAfterProcessing:
		return "malformed body after processing"
	case DeliveredTwice:
		return "delivered twice"
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// Processes reports whether the fault lets the request be processed.
func (f Fault) Processes() bool {
	switch f {
	case LostReplyAfterProcessing, HTTP500AfterProcessing, MalformedAfterProcessing, DeliveredTwice:
		return true
	}
	return false
}

// Error is one entry of an NVP error list.
type Error struct {
	Code     string
	Short    string // default "Simulated error"
	Long     string // default "Simulated error <code>."
	Severity string // default "Error"
}

// Entry is one ledger line: something that moved (or held) money.
type Entry struct {
	Kind          string // "sale", "authorization", "refund", "void"
	TransactionID string
	Parent        string // refunds and voids: the sale or authorisation
	InvNum        string
	Amount        string // as sent, e.g. "10.00"; refunds are positive
	Currency      string
	Status        string // Completed, Pending, Partially Refunded, Refunded, Voided
	MsgSubID      string
	CardType      string
	Last4         string
	Time          time.Time
}

// Request is what the server received, with secrets masked.
type Request struct {
	Method      string
	ContentType string
	Fields      map[string]string
	Time        time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithCredentials sets the API credentials the server accepts.
func WithCredentials(user, password, signature string) Option {
	return func(s *Server) { s.user, s.password, s.signature = user, password, signature }
}

// WithVersion makes any VERSION other than v a deviation.
func WithVersion(v string) Option { return func(s *Server) { s.version = v } }

// WithClock sets the server's clock (expiry checks, ledger times,
// TransactionSearch dates).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithDuplicateInvoiceCode sets the error code of the duplicate-INVNUM
// refusal: "10412" (default) or "10536" (the code PayPal's DirectPayment
// error table lists).
func WithDuplicateInvoiceCode(code string) Option { return func(s *Server) { s.dupCode = code } }

// WithoutDuplicateInvoiceCheck simulates an account whose profile allows
// several payments per invoice id.
func WithoutDuplicateInvoiceCheck() Option { return func(s *Server) { s.dupCheck = false } }

// WithSearchLag hides transactions from TransactionSearch for d after they
// were made, like PayPal's search index.
func WithSearchLag(d time.Duration) Option { return func(s *Server) { s.searchLag = d } }

// Server is a strict NVP server. Its methods are safe for concurrent use.
type Server struct {
	t   testing.TB
	ts  *httptest.Server
	now func() time.Time

	user, password, signature string
	version                   string
	dupCode                   string
	dupCheck                  bool
	searchLag                 time.Duration

	closing   chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	queue    map[string][]step
	ledger   []Entry
	requests []Request
	replies  map[string]map[string]string // METHOD+"\x00"+MSGSUBID → reply fields of a successful original
	msgSubTx map[string]string            // METHOD+"\x00"+MSGSUBID → TRANSACTIONID/AUTHORIZATIONID it was used with
	seq      int
}

type step struct {
	fault Fault
	fail  []Error
	warn  []Error
}

// NewServer starts a server and stops it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		t:         t,
		now:       time.Now,
		user:      User,
		password:  Password,
		signature: Signature,
		dupCode:   "10412",
		dupCheck:  true,
		closing:   make(chan struct{}),
		queue:     make(map[string][]step),
		replies:   make(map[string]map[string]string),
		msgSubTx:  make(map[string]string),
	}
	for _, o := range opts {
		o(s)
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// URL is the endpoint to configure a client with.
func (s *Server) URL() string { return s.ts.URL + "/nvp" }

// Close stops the server; blocked (timeout) requests are released.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Inject queues a fault for the next request with this METHOD.
func (s *Server) Inject(method string, f Fault) { s.enqueue(method, step{fault: f}) }

// Fail queues an ACK=Failure reply with these errors for the next request
// with this METHOD; the request is not processed.
func (s *Server) Fail(method string, errs ...Error) { s.enqueue(method, step{fail: errs}) }

// Warn makes the next request with this METHOD succeed with
// ACK=SuccessWithWarning and these warnings. Warning 11610 on a
// DoDirectPayment records the sale as Pending (held in Fraud Management
// Filters).
func (s *Server) Warn(method string, errs ...Error) { s.enqueue(method, step{warn: errs}) }

func (s *Server) enqueue(method string, st step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue[method] = append(s.queue[method], st)
}

// Ledger returns a copy of the ledger in the order things happened.
func (s *Server) Ledger() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Entry(nil), s.ledger...)
}

// Sales returns the ledger's sales (and authorisations) with this INVNUM.
func (s *Server) Sales(invnum string) []Entry {
	var out []Entry
	for _, e := range s.Ledger() {
		if (e.Kind == "sale" || e.Kind == "authorization") && e.InvNum == invnum {
			out = append(out, e)
		}
	}
	return out
}

// Refunds returns the ledger's refunds of a sale.
func (s *Server) Refunds(saleID string) []Entry {
	var out []Entry
	for _, e := range s.Ledger() {
		if e.Kind == "refund" && e.Parent == saleID {
			out = append(out, e)
		}
	}
	return out
}

// Requests returns what the server received, masked, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Fields = cloneMap(r.Fields)
		out[i] = r
	}
	return out
}

// LastRequest returns the last request with this METHOD.
func (s *Server) LastRequest(method string) (Request, bool) {
	rs := s.Requests()
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Method == method {
			return rs[i], true
		}
	}
	return Request{}, false
}

// Authorize puts an open authorisation into the ledger (the adapter only
// makes sales, but DoVoid needs something voidable) and returns its id.
func (s *Server) Authorize(invnum, amt, currencyCode string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID("AU")
	s.ledger = append(s.ledger, Entry{
		Kind: "authorization", TransactionID: id, InvNum: invnum, Amount: amt,
		Currency: currencyCode, Status: "Pending", Time: s.now().UTC(),
	})
	return id
}

func cloneMap(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// deviation fails the test. The message never contains card data.
func (s *Server) deviation(format string, args ...any) {
	s.t.Helper()
	s.t.Errorf("nvptest: protocol deviation: "+format, args...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Transport-level strictness. A deviation fails the test and the
	// request is answered 10004 unprocessed, as PayPal would refuse it or,
	// worse, misread it.
	var dev []string
	if r.Method != http.MethodPost {
		s.deviation("HTTP method %s, want POST", r.Method)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path != "/nvp" {
		dev = append(dev, fmt.Sprintf("path %q, want /nvp", r.URL.Path))
	}
	if r.URL.RawQuery != "" {
		dev = append(dev, "the request has a query string; NVP fields go in the body only")
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
		dev = append(dev, fmt.Sprintf("Content-Type %q, want application/x-www-form-urlencoded", ct))
	}
	if r.ContentLength < 0 || len(r.TransferEncoding) > 0 {
		dev = append(dev, "the body is not sent with a Content-Length")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		return // the client went away
	}
	fields, perr := parseForm(string(body))
	clear(body)
	if perr != "" {
		s.deviation("body: %s", perr)
		s.write(w, failure(s.errorsFor("10004", "Transaction refused because of an invalid argument. See additional error messages for details.", perr)))
		return
	}
	method := fields["METHOD"]
	s.record(method, ct, fields)

	for _, name := range []string{"METHOD", "VERSION", "USER", "PWD", "SIGNATURE"} {
		if fields[name] == "" {
			dev = append(dev, method+" "+name+" is missing")
		}
	}
	if v := fields["VERSION"]; v != "" {
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < minVersion {
			dev = append(dev, fmt.Sprintf("VERSION %q is not a number of at least %d (MSGSUBID needs it)", v, minVersion))
		}
		if s.version != "" && v != s.version {
			dev = append(dev, fmt.Sprintf("VERSION %q, want %q", v, s.version))
		}
	}
	for _, d := range dev {
		s.deviation("%s", d)
	}

	st := s.pop(method)
	switch st.fault {
	case TimeoutBeforeProcessing:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	case ResetBeforeProcessing:
		wirefault.HangUp(w, true)
		return
	case HTTP503BeforeProcessing:
		writeHTML(w, http.StatusServiceUnavailable)
		return
	}

	var reply map[string]string
	switch {
	case len(dev) > 0:
		reply = failure(s.errorsFor("10004", "Transaction refused because of an invalid argument. See additional error messages for details.", dev[0]))
	case fields["USER"] != s.user || fields["PWD"] != s.password || fields["SIGNATURE"] != s.signature:
		// Wrong credentials are merchant data, not a client bug.
		reply = failure(s.errorsFor("10002", "Security error", "Security header is not valid"))
	case st.fail != nil:
		reply = failure(s.fill(st.fail))
	default:
		reply = s.process(method, fields, st.warn)
		if st.fault == DeliveredTwice {
			reply = s.process(method, fields, st.warn)
		}
	}

	switch st.fault {
	case LostReplyAfterProcessing:
		wirefault.HangUp(w, false)
		return
	case HTTP500AfterProcessing:
		writeHTML(w, http.StatusInternalServerError)
		return
	case MalformedAfterProcessing:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "TIMESTAMP=2024%2d01%2d01T00%3a00%3a00Z&CORRELATIONID=abc&AC")
		return
	}
	s.write(w, reply)
}

func (s *Server) pop(method string) step {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue[method]
	if len(q) == 0 {
		return step{}
	}
	s.queue[method] = q[1:]
	return q[0]
}

func writeHTML(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%d %s</title></head><body><h1>%s</h1><p>Please try again later.</p></body></html>",
		status, http.StatusText(status), http.StatusText(status))
}

// record stores the request with ACCT, CVV2, PWD and SIGNATURE masked.
func (s *Server) record(method, ct string, fields map[string]string) {
	m := cloneMap(fields)
	if a, ok := m["ACCT"]; ok {
		last := ""
		if len(a) >= 4 {
			last = a[len(a)-4:]
		}
		m["ACCT"] = strings.Repeat("*", max(len(a)-4, 0)) + last
	}
	if c, ok := m["CVV2"]; ok {
		m["CVV2"] = strings.Repeat("*", len(c))
	}
	for _, k := range []string{"PWD", "SIGNATURE"} {
		if _, ok := m[k]; ok {
			m[k] = "***"
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: method, ContentType: ct, Fields: m, Time: s.now().UTC()})
}

// parseForm parses the body strictly: a repeated name or a broken escape
// is a deviation. The explanation never quotes values.
func parseForm(body string) (map[string]string, string) {
	fields := make(map[string]string)
	if body == "" {
		return nil, "empty body"
	}
	for part := range strings.SplitSeq(body, "&") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || k == "" {
			return nil, "a part of the body is not name=value"
		}
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, "invalid %-escape in field " + strconv.Quote(k)
		}
		if _, dup := fields[name]; dup {
			return nil, "field " + name + " appears twice"
		}
		fields[name] = value
	}
	return fields, ""
}

func (s *Server) errorsFor(code, short, long string) []Error {
	return []Error{{Code: code, Short: short, Long: long, Severity: "Error"}}
}

func (s *Server) fill(errs []Error) []Error {
	out := make([]Error, len(errs))
	for i, e := range errs {
		if e.Short == "" {
			e.Short = "Simulated error"
		}
		if e.Long == "" {
			e.Long = "Simulated error " + e.Code + "."
		}
		if e.Severity == "" {
			e.Severity = "Error"
		}
		out[i] = e
	}
	return out
}

func failure(errs []Error) map[string]string {
	m := map[string]string{"ACK": "Failure"}
	addErrors(m, errs)
	return m
}

func addErrors(m map[string]string, errs []Error) {
	for i, e := range errs {
		n := strconv.Itoa(i)
		m["L_ERRORCODE"+n] = e.Code
		m["L_SHORTMESSAGE"+n] = e.Short
		m["L_LONGMESSAGE"+n] = e.Long
		m["L_SEVERITYCODE"+n] = e.Severity
	}
}

// write sends an NVP reply with the fields every reply carries.
func (s *Server) write(w http.ResponseWriter, m map[string]string) {
	s.mu.Lock()
	s.seq++
	corr := fmt.Sprintf("c0rr%09x", s.seq)
	s.mu.Unlock()
	m["TIMESTAMP"] = s.now().UTC().Format("2006-01-02T15:04:05Z")
	m["CORRELATIONID"] = corr
	m["VERSION"] = "124"
	m["BUILD"] = "000000"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, nvpwire.Encode(m))
}

func (s *Server) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%015d", prefix, s.seq)
}

func (s *Server) process(method string, f map[string]string, warn []Error) map[string]string {
	switch method {
	case "DoDirectPayment":
		return s.doDirectPayment(f, warn)
	case "RefundTransaction":
		return s.refundTransaction(f, warn)
	case "DoVoid":
		return s.doVoid(f, warn)
	case "TransactionSearch":
		return s.transactionSearch(f)
	case "GetBalance":
		return s.getBalance(f)
	}
	s.deviation("METHOD %q is not one nvptest (or this adapter) uses", method)
	return failure(s.errorsFor("81002", "Unspecified Method", "Method Specified is not Supported"))
}

var (
	reMMYYYY  = regexp.MustCompile(`^(0[1-9]|1[0-2])[0-9]{4}$`)
	reDigits  = regexp.MustCompile(`^[0-9]+$`)
	reCountry = regexp.MustCompile(`^[A-Z]{2}$`)
)

// digitsFor is PayPal's decimals rule: ISO digits, except HUF and TWD,
// which PayPal takes without decimals.
func digitsFor(code string) (int, bool) {
	switch code {
	case "HUF", "TWD":
		return 0, true
	}
	d, ok := currency.GetDigits(code)
	return int(d), ok
}

// checkAmount reports why AMT is not a positive amount with exactly the
// currency's decimals ("" when it is).
func checkAmount(amt, code string) string {
	d, ok := digitsFor(code)
	if !ok {
		return "CURRENCYCODE " + strconv.Quote(code) + " is not an ISO 4217 code"
	}
	re := `^[0-9]+$`
	if d > 0 {
		re = `^[0-9]+\.[0-9]{` + strconv.Itoa(d) + `}$`
	}
	if !regexp.MustCompile(re).MatchString(amt) {
		return fmt.Sprintf("AMT %q does not have exactly %d decimals for %s", amt, d, code)
	}
	if strings.Trim(strings.ReplaceAll(amt, ".", ""), "0") == "" {
		return "AMT is zero"
	}
	return ""
}

// cardType is an independent oracle of the brand a number belongs to.
func cardType(n string) string {
	if len(n) < 6 {
		return ""
	}
	p := func(k int) int { v, _ := strconv.Atoi(n[:k]); return v }
	in := func(v, lo, hi int) bool { return lo <= v && v <= hi }
	switch {
	case p(2) == 34 || p(2) == 37:
		return "Amex"
	case n[0] == '4':
		return "Visa"
	case in(p(2), 51, 55) || in(p(4), 2221, 2720):
		return "MasterCard"
	case p(4) == 6011 || in(p(6), 622126, 622925) || in(p(3), 644, 649) || p(2) == 65:
		return "Discover"
	case in(p(4), 3528, 3589) || in(p(3), 300, 305) || p(2) == 36 || p(2) == 38 || p(2) == 39:
		return "" // JCB, Diners: not taken by DoDirectPayment
	case p(2) == 50 || in(p(2), 56, 58) || n[0] == '6':
		return "Maestro"
	}
	return ""
}

func luhn(n string) bool {
	sum, dbl := 0, false
	for i := len(n) - 1; i >= 0; i-- {
		d := int(n[i] - '0')
		if dbl {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		dbl = !dbl
	}
	return sum%10 == 0
}

func maxLen(f map[string]string, name string, n int) string {
	if len(f[name]) > n {
		return fmt.Sprintf("%s is %d bytes, PayPal allows %d", name, len(f[name]), n)
	}
	return ""
}

func (s *Server) doDirectPayment(f map[string]string, warn []Error) map[string]string {
	var dev []string
	bad := func(msg string) {
		if msg != "" {
			dev = append(dev, msg)
		}
	}
	if a := f["PAYMENTACTION"]; a != "Sale" && a != "Authorization" {
		bad("PAYMENTACTION " + strconv.Quote(a) + ", want Sale or Authorization")
	}
	ip := f["IPADDRESS"]
	if ip == "" {
		bad("IPADDRESS is missing (required)")
	} else if len(ip) > 15 {
		bad(fmt.Sprintf("IPADDRESS is %d characters, PayPal allows 15", len(ip)))
	} else if p := net.ParseIP(ip); p == nil || p.To4() == nil {
		bad("IPADDRESS " + strconv.Quote(ip) + " is not an IPv4 address")
	}
	cur := f["CURRENCYCODE"]
	if cur == "" {
		bad("CURRENCYCODE is missing")
	}
	bad(checkAmount(f["AMT"], cur))
	acct := f["ACCT"]
	acctOK := reDigits.MatchString(acct) && len(acct) >= 12 && len(acct) <= 19
	if !acctOK {
		bad("ACCT is not 12 to 19 digits")
	}
	typ := f["CREDITCARDTYPE"]
	switch typ {
	case "Visa", "MasterCard", "Discover", "Amex", "Maestro":
	default:
		bad("CREDITCARDTYPE " + strconv.Quote(typ) + " is not Visa, MasterCard, Discover, Amex or Maestro")
	}
	if acctOK && cardType(acct) != typ {
		bad("CREDITCARDTYPE " + strconv.Quote(typ) + " does not match the card number's prefix")
	}
	exp := f["EXPDATE"]
	if !reMMYYYY.MatchString(exp) {
		bad("EXPDATE " + strconv.Quote(exp) + " is not MMYYYY")
	}
	if c, ok := f["CVV2"]; ok {
		want := 3
		if typ == "Amex" {
			want = 4
		}
		if !reDigits.MatchString(c) || len(c) != want {
			bad(fmt.Sprintf("CVV2 is not %d digits", want))
		}
	}
	sd, hasSD := f["STARTDATE"]
	in, hasIN := f["ISSUENUMBER"]
	if typ == "Maestro" {
		if !hasSD && !hasIN {
			bad("Maestro without STARTDATE or ISSUENUMBER")
		}
		if cur != "GBP" {
			bad("Maestro with CURRENCYCODE " + cur + ", PayPal takes Maestro in GBP only")
		}
	} else if hasSD || hasIN {
		bad("STARTDATE/ISSUENUMBER sent for a " + typ + " card")
	}
	if hasSD && !reMMYYYY.MatchString(sd) {
		bad("STARTDATE " + strconv.Quote(sd) + " is not MMYYYY")
	}
	if hasIN && (!reDigits.MatchString(in) || len(in) > 2) {
		bad("ISSUENUMBER " + strconv.Quote(in) + " is not one or two digits")
	}
	if f["FIRSTNAME"] == "" || f["LASTNAME"] == "" {
		bad("FIRSTNAME and LASTNAME are required")
	}
	inv := f["INVNUM"]
	if inv == "" {
		bad("INVNUM is missing: without it a lost reply cannot be recovered")
	}
	if c, ok := f["COUNTRYCODE"]; ok && !reCountry.MatchString(c) {
		bad("COUNTRYCODE " + strconv.Quote(c) + " is not two capital letters")
	}
	for name, n := range map[string]int{"FIRSTNAME": 25, "LASTNAME": 25, "STREET": 100, "CITY": 40, "ZIP": 20, "EMAIL": 127, "INVNUM": 127, "DESC": 127} {
		bad(maxLen(f, name, n))
	}
	for k, v := range f {
		if v == "" {
			bad("field " + k + " is sent empty")
		}
	}
	if len(dev) > 0 {
		sort.Strings(dev)
		for _, d := range dev {
			s.deviation("DoDirectPayment: %s", d)
		}
		return failure(s.errorsFor("10004", "Transaction refused because of an invalid argument. See additional error messages for details.", dev[0]))
	}

	// Data a person can get wrong: PayPal's own answers.
	if !luhn(acct) {
		return failure(s.errorsFor("10527", "Invalid Data", "This transaction cannot be processed. Please enter a valid credit card number and type."))
	}
	now := s.now().UTC()
	mm, _ := strconv.Atoi(exp[:2])
	yy, _ := strconv.Atoi(exp[2:])
	if yy < now.Year() || yy == now.Year() && mm < int(now.Month()) {
		return failure(s.errorsFor("10502", "Invalid Data", "This transaction cannot be processed. Please use a valid credit card."))
	}
	if f["STREET"] == "" || f["CITY"] == "" || f["ZIP"] == "" || f["COUNTRYCODE"] == "" {
		return failure(s.errorsFor("10561", "Invalid Data", "There's an error with this transaction. Please enter complete billing address."))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dupCheck {
		for _, e := range s.ledger {
			if (e.Kind == "sale" || e.Kind == "authorization") && e.InvNum == inv {
				return failure(s.errorsFor(s.dupCode, "Duplicate invoice", "Payment has already been made for this InvoiceID."))
			}
		}
	}
	kind, status := "sale", "Completed"
	if f["PAYMENTACTION"] == "Authorization" {
		kind, status = "authorization", "Pending"
	}
	warn = s.fill(warn)
	for _, w := range warn {
		if w.Code == "11610" {
			status = "Pending"
		}
	}
	id := s.newID("SA")
	s.ledger = append(s.ledger, Entry{
		Kind: kind, TransactionID: id, InvNum: inv, Amount: f["AMT"], Currency: cur,
		Status: status, CardType: typ, Last4: acct[len(acct)-4:], Time: now,
	})
	reply := map[string]string{
		"ACK": "Success", "TRANSACTIONID": id, "AMT": f["AMT"], "CURRENCYCODE": cur,
		"AVSCODE": "X", "CVV2MATCH": "M",
	}
	if len(warn) > 0 {
		reply["ACK"] = "SuccessWithWarning"
		addErrors(reply, warn)
	}
	return reply
}

// replay answers a resend of a successful MSGSUBID: the original's fields
// with warning 11607, as PayPal documents. Must hold s.mu.
func (s *Server) replay(method, msgsub, target string) (map[string]string, bool) {
	key := method + "\x00" + msgsub
	if prev, ok := s.msgSubTx[key]; ok && prev != target {
		s.deviation("%s MSGSUBID reused for another transaction", method)
	}
	orig, ok := s.replies[key]
	if !ok {
		return nil, false
	}
	m := cloneMap(orig)
	m["ACK"] = "SuccessWithWarning"
	addErrors(m, []Error{{Code: "11607", Short: "Duplicate Request", Long: "Duplicate request for specified Message Submission ID.", Severity: "Warning"}})
	return m, true
}

func (s *Server) checkMsgSubID(method string, f map[string]string) bool {
	m, ok := f["MSGSUBID"]
	switch {
	case !ok || m == "":
		s.deviation("%s without MSGSUBID: a lost reply could not be recovered idempotently", method)
		return false
	case len(m) > 38:
		s.deviation("%s MSGSUBID is %d characters, PayPal allows 38", method, len(m))
		return false
	}
	return true
}

func (s *Server) find(id string) int {
	for i, e := range s.ledger {
		if e.TransactionID == id {
			return i
		}
	}
	return -1
}

func (s *Server) refundTransaction(f map[string]string, warn []Error) map[string]string {
	const refused = "Transaction refused because of an invalid argument. See additional error messages for details."
	if !s.checkMsgSubID("RefundTransaction", f) {
		return failure(s.errorsFor("10004", refused, "MSGSUBID is missing or invalid"))
	}
	typ := f["REFUNDTYPE"]
	amt, hasAmt := f["AMT"]
	switch {
	case typ != "Full" && typ != "Partial":
		s.deviation("RefundTransaction REFUNDTYPE %q, want Full or Partial", typ)
		return failure(s.errorsFor("81243", "Invalid Parameter", "RefundType : Invalid parameter"))
	case typ == "Full" && (hasAmt || f["CURRENCYCODE"] != ""):
		s.deviation("RefundTransaction REFUNDTYPE=Full with AMT/CURRENCYCODE")
		return failure(s.errorsFor("10004", refused, "You can not specify a partial amount with a full refund"))
	case typ == "Partial" && (!hasAmt || f["CURRENCYCODE"] == ""):
		s.deviation("RefundTransaction REFUNDTYPE=Partial without AMT and CURRENCYCODE")
		return failure(s.errorsFor("10004", refused, "The partial refund amount must be a positive amount"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	txn, msgsub := f["TRANSACTIONID"], f["MSGSUBID"]
	if m, ok := s.replay("RefundTransaction", msgsub, txn); ok {
		return m
	}
	s.msgSubTx["RefundTransaction\x00"+msgsub] = txn
	i := s.find(txn)
	if txn == "" || i < 0 || s.ledger[i].Kind != "sale" {
		return failure(s.errorsFor("10004", refused, "The transaction id is not valid"))
	}
	sale := &s.ledger[i]
	saleMinor := minor(sale.Amount)
	refunded := int64(0)
	for _, e := range s.ledger {
		if e.Kind == "refund" && e.Parent == txn {
			refunded += minor(e.Amount)
		}
	}
	var refundMinor int64
	if typ == "Full" {
		if refunded > 0 {
			if refunded >= saleMinor {
				return failure(s.errorsFor("10009", "Transaction refused", "This transaction has already been fully refunded"))
			}
			return failure(s.errorsFor("10009", "Transaction refused", "Can not do a full refund after a partial refund"))
		}
		refundMinor, amt = saleMinor, sale.Amount
	} else {
		if f["CURRENCYCODE"] != sale.Currency {
			s.deviation("RefundTransaction CURRENCYCODE %s for a %s sale", f["CURRENCYCODE"], sale.Currency)
			return failure(s.errorsFor("10009", "Transaction refused", "The partial refund must be the same currency as the original transaction"))
		}
		if msg := checkAmount(amt, sale.Currency); msg != "" {
			s.deviation("RefundTransaction: %s", msg)
			return failure(s.errorsFor("10004", refused, "The partial refund amount is not valid"))
		}
		refundMinor = minor(amt)
		if refunded >= saleMinor {
			return failure(s.errorsFor("10009", "Transaction refused", "This transaction has already been fully refunded"))
		}
		if refunded+refundMinor > saleMinor {
			return failure(s.errorsFor("10009", "Transaction refused", "The partial refund amount must be less than or equal to the remaining amount"))
		}
	}
	refunded += refundMinor
	if refunded >= saleMinor {
		sale.Status = "Refunded"
	} else {
		sale.Status = "Partially Refunded"
	}
	id := s.newID("RF")
	s.ledger = append(s.ledger, Entry{
		Kind: "refund", TransactionID: id, Parent: txn, InvNum: sale.InvNum, Amount: amt,
		Currency: sale.Currency, Status: "Completed", MsgSubID: msgsub, Time: s.now().UTC(),
	})
	reply := map[string]string{
		"ACK": "Success", "REFUNDTRANSACTIONID": id, "GROSSREFUNDAMT": amt, "FEEREFUNDAMT": zero(sale.Currency),
		"NETREFUNDAMT": amt, "CURRENCYCODE": sale.Currency, "TOTALREFUNDEDAMOUNT": fromMinor(refunded, sale.Currency),
		"MSGSUBID": msgsub, "REFUNDSTATUS": "Instant", "PENDINGREASON": "None",
	}
	s.replies["RefundTransaction\x00"+msgsub] = cloneMap(reply)
	if warn = s.fill(warn); len(warn) > 0 {
		reply["ACK"] = "SuccessWithWarning"
		addErrors(reply, warn)
	}
	return reply
}

// minor converts a checked amount string to minor units.
func minor(a string) int64 {
	n, _ := strconv.ParseInt(strings.ReplaceAll(a, ".", ""), 10, 64)
	return n
}

func fromMinor(n int64, code string) string {
	d, _ := digitsFor(code)
	if d == 0 {
		return strconv.FormatInt(n, 10)
	}
	s := fmt.Sprintf("%0*d", d+1, n)
	return s[:len(s)-d] + "." + s[len(s)-d:]
}

func zero(code string) string { return fromMinor(0, code) }

func (s *Server) doVoid(f map[string]string, warn []Error) map[string]string {
	if !s.checkMsgSubID("DoVoid", f) {
		return failure(s.errorsFor("10004", "Invalid argument", "MSGSUBID is missing or invalid"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, msgsub := f["AUTHORIZATIONID"], f["MSGSUBID"]
	if m, ok := s.replay("DoVoid", msgsub, id); ok {
		return m
	}
	s.msgSubTx["DoVoid\x00"+msgsub] = id
	i := s.find(id)
	switch {
	case id == "" || i < 0 || s.ledger[i].Kind != "authorization":
		return failure(s.errorsFor("10609", "Transaction id is invalid.", "Transaction id is invalid."))
	case s.ledger[i].Status == "Voided":
		return failure(s.errorsFor("10600", "Authorization is voided.", "Authorization is voided."))
	}
	s.ledger[i].Status = "Voided"
	s.ledger = append(s.ledger, Entry{
		Kind: "void", TransactionID: id, Parent: id, InvNum: s.ledger[i].InvNum,
		Status: "Completed", MsgSubID: msgsub, Time: s.now().UTC(),
	})
	reply := map[string]string{"ACK": "Success", "AUTHORIZATIONID": id, "MSGSUBID": msgsub}
	s.replies["DoVoid\x00"+msgsub] = cloneMap(reply)
	if warn = s.fill(warn); len(warn) > 0 {
		reply["ACK"] = "SuccessWithWarning"
		addErrors(reply, warn)
	}
	return reply
}

const searchTime = "2006-01-02T15:04:05Z"

func (s *Server) transactionSearch(f map[string]string) map[string]string {
	start, err := time.Parse(searchTime, f["STARTDATE"])
	if err != nil {
		s.deviation("TransactionSearch STARTDATE %q is not UTC yyyy-mm-ddThh:mm:ssZ (required)", f["STARTDATE"])
		return failure(s.errorsFor("81244", "Invalid Parameter", "StartDate : Invalid parameter"))
	}
	end := time.Time{}
	if e, ok := f["ENDDATE"]; ok {
		if end, err = time.Parse(searchTime, e); err != nil {
			s.deviation("TransactionSearch ENDDATE %q is not UTC yyyy-mm-ddThh:mm:ssZ", e)
		}
	}
	if f["INVNUM"] == "" && f["TRANSACTIONID"] == "" {
		s.deviation("TransactionSearch without INVNUM or TRANSACTIONID: it would list every transaction")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	var rows []Entry
	for _, e := range s.ledger {
		if e.Kind == "void" || e.Time.Before(start) || (!end.IsZero() && e.Time.After(end)) {
			continue
		}
		if now.Sub(e.Time) < s.searchLag {
			continue // not indexed yet
		}
		if inv := f["INVNUM"]; inv != "" && e.InvNum != inv {
			continue
		}
		if id := f["TRANSACTIONID"]; id != "" && e.TransactionID != id {
			continue
		}
		rows = append(rows, e)
	}
	// Newest first, as PayPal lists them.
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Time.After(rows[j].Time) })
	reply := map[string]string{"ACK": "Success"}
	for i, e := range rows {
		n := strconv.Itoa(i)
		typ, amt := "Payment", e.Amount
		if e.Kind == "refund" {
			typ, amt = "Refund", "-"+e.Amount
		}
		if e.Kind == "authorization" {
			typ = "Authorization"
		}
		reply["L_TIMESTAMP"+n] = e.Time.Format(searchTime)
		reply["L_TIMEZONE"+n] = "GMT"
		reply["L_TYPE"+n] = typ
		reply["L_NAME"+n] = "Test Payer"
		reply["L_TRANSACTIONID"+n] = e.TransactionID
		reply["L_STATUS"+n] = e.Status
		reply["L_AMT"+n] = amt
		reply["L_CURRENCYCODE"+n] = e.Currency
		reply["L_FEEAMT"+n] = zero(e.Currency)
		reply["L_NETAMT"+n] = amt
	}
	return reply
}

func (s *Server) getBalance(map[string]string) map[string]string {
	return map[string]string{"ACK": "Success", "L_AMT0": "0.00", "L_CURRENCYCODE0": "GBP"}
}
