// Package payflowtest is a strict, fault-injecting Payflow Pro server for
// tests, in this package's and other packages' (fault-matrix tests of the
// payment service compare their journal with Server.Ledger).
//
// The server checks every request against the protocol as PayPal documents
// it and fails the test (t.Errorf) on any deviation: a wrong Content-Type, a
// missing or overlong X-VPS-REQUEST-ID, a missing X-VPS-CLIENT-TIMEOUT or
// Connection: close, a chunked or mis-sized body, a URL-encoded body, a
// field without a length tag or with a wrong one, a non-ASCII or control
// character, a bad EXPDATE or CVV2, an AMT without exactly the currency's
// minor digits, an unknown TRXTYPE. Business errors (unknown card, expired
// card, over-refund) are not deviations; they get the RESULT Payflow gives.
//
// Like Payflow it remembers every processed request ID and answers a resend
// of the identical request with the original reply plus DUPLICATE=1. Payflow
// documents that replay for retries of the same request only: a request that
// reuses a processed ID with different data is a deviation, answered with
// RESULT 133 (data mismatch in HTTP retry request) and not stored. A sale
// (TRXTYPE=S) without ACCT is a deviation too (nothing to charge; RESULT 7).
//
// Inquiries (TRXTYPE=I) name the original by ORIGID (its PNREF) or by
// CUSTREF, never both, and carry no card data. The answer is RESULT 0 with
// the original's ORIGRESULT and ORIGPNREF, or RESULT 19 (no such PNREF) or
// 20 (no such CUSTREF); by CUSTREF it is the latest sale that carried it.
// CUSTREF must be 1 to 12 letters or digits, and a sale whose CUSTREF an
// earlier sale under another request ID carried is a deviation: an inquiry
// could no longer tell the two apart. Sales are
// decided by PayPal's published pilot rules: only the
// published test card numbers are accepted (others: RESULT 23), an expired
// EXPDATE gives 24, and the amount decides the rest (whole units):
//
//	AMT ≤ 1000                   RESULT 0 (approved)
//	1001–2000, no fraction       RESULT AMT−1000 (1012 → 12, 1126 → 126, 1104 → 104 …)
//	≥ 2001                       RESULT 12 (declined)
//	otherwise                    RESULT 0
//
// RESULT 0 and 126 are charges and enter the ledger. It never keeps a full
// card number: recorded requests have ACCT and CVV2 masked, the ledger
// keeps the brand and last four digits.
//
// Faults are injected per request with InjectNext (the next requests,
// whatever their ID) or InjectFor (the next requests carrying one ID).
package payflowtest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/internal/wirefault"
)

// The credentials the server accepts unless WithCredentials says otherwise.
const (
	User     = "trainpay"
	Vendor   = "trainpay"
	Partner  = "PayPal"
	Password = "pilot-Pass1"
)

// Fault is a failure injected into one request's handling.
type Fault int

const (
	FaultNone Fault = iota
	// FaultReplyLostAfterCharge processes the request (the card is
	// charged) and then closes the connection without replying.
	FaultReplyLostAfterCharge
	// FaultTimeoutBeforeCharge holds the request without processing it
	// until the client gives up (or the client timeout plus five seconds),
	// then closes the connection. Nothing is charged and the ID stays unused.
	FaultTimeoutBeforeCharge
	// FaultReset resets the connection before processing. Nothing is charged.
	FaultReset
	// Fault5xxHTML answers 503 with an HTML page before processing.
	Fault5xxHTML
	// Fault5xxHTMLAfterCharge processes the request, then answers 503 HTML.
	Fault5xxHTMLAfterCharge
	// FaultMalformed processes the request, then answers 200 with garbage.
	FaultMalformed
	// FaultEchoAccount processes the request normally but writes the full
	// card number into RESPMSG, as a careless gateway might, to prove the
	// client redacts it.
	FaultEchoAccount
)

func (f Fault) String() string {
	switch f {
	case FaultNone:
		return "none"
	case FaultReplyLostAfterCharge:
		return "reply-lost-after-charge"
	case FaultTimeoutBeforeCharge:
		return "timeout-before-charge"
	case FaultReset:
		return "reset"
	case Fault5xxHTML:
		return "5xx-html"
	case Fault5xxHTMLAfterCharge:
		return "5xx-html-after-charge"
	case FaultMalformed:
		return "malformed"
	case FaultEchoAccount:
		return "echo-account"
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// Charge is a sale that moved money (RESULT 0 or 126).
type Charge struct {
	RequestID string
	PNREF     string
	InvoiceID string
	Amount    currency.Amount
	Refunded  currency.Amount // zero in the sale's currency when nothing was refunded
	Refunds   []Refund
	Voided    bool
	Held      bool // RESULT 126: authorised, held for review
	Brand     app.Brand
	Last4     string
}

// Refund is an approved credit against a charge.
type Refund struct {
	RequestID string
	PNREF     string
	Amount    currency.Amount
}

// Request is a request as the server saw it, with the card number and CVV
// masked (same lengths, so the length tags still add up).
type Request struct {
	RequestID string
	Header    http.Header
	Body      string
	Fault     Fault
	Duplicate bool // answered from the replay store
	Mismatch  bool // reused a processed request ID with different data
}

// Field returns a field's (masked) value from the recorded body.
func (r Request) Field(name string) (string, bool) {
	pairs, _ := parseStrict([]byte(r.Body))
	for _, p := range pairs {
		if p.name == name {
			return r.Body[p.start:p.end], true
		}
	}
	return "", false
}

// Option configures a Server.
type Option func(*Server)

// WithCredentials sets the credentials the server accepts.
func WithCredentials(user, vendor, partner, password string) Option {
	return func(s *Server) { s.creds = [4]string{user, vendor, partner, password} }
}

// WithTaggedReplies length-tags every reply field (as Payflow does with
// PAYPAL-NVP: Y), to exercise the client's parser. By default only values
// containing '&' or '=' are tagged.
func WithTaggedReplies() Option { return func(s *Server) { s.tagAll = true } }

// WithClock sets the time used to decide whether a card has expired.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// Server is the fake Payflow endpoint. Its URL is the client's Endpoint.
type Server struct {
	URL string

	t       testing.TB
	srv     *httptest.Server
	closing chan struct{} // closed by Close: held requests give up
	once    sync.Once
	creds   [4]string
	tagAll  bool
	now     func() time.Time

	mu       sync.Mutex
	replies  map[string][]byte   // request ID → original reply
	bodies   map[string][32]byte // request ID → SHA-256 of the original body
	byPNREF  map[string]*txn
	byCUST   map[string]*txn // CUSTREF → the latest sale that carried it
	sales    []*txn          // charges, in order
	seq      int
	requests []Request
	next     []Fault
	forID    map[string][]Fault
}

type txn struct {
	kind      string // "S", "C", "V", "I"
	requestID string
	pnref     string
	custref   string
	result    int
	invoice   string
	amount    currency.Amount
	refunded  currency.Amount
	refunds   []Refund
	voided    bool
	brand     app.Brand
	last4     string
}

// NewServer starts a server on loopback; it is closed when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	s := &Server{
		t:       t,
		creds:   [4]string{User, Vendor, Partner, Password},
		now:     time.Now,
		replies: map[string][]byte{},
		bodies:  map[string][32]byte{},
		byPNREF: map[string]*txn{},
		byCUST:  map[string]*txn{},
		forID:   map[string][]Fault{},
		closing: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the server (it is safe to call more than once).
func (s *Server) Close() {
	s.once.Do(func() { close(s.closing) })
	s.srv.Close()
}

// Credentials returns USER, VENDOR, PARTNER and PWD as the server expects them.
func (s *Server) Credentials() (user, vendor, partner, password string) {
	return s.creds[0], s.creds[1], s.creds[2], s.creds[3]
}

// InjectNext queues faults for the next requests, one each, whatever their
// request ID. FaultNone lets a request through.
func (s *Server) InjectNext(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, faults...)
}

// InjectFor queues faults for the next requests carrying requestID. They
// take precedence over InjectNext's.
func (s *Server) InjectFor(requestID string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forID[requestID] = append(s.forID[requestID], faults...)
}

// Ledger returns the charges (sales with RESULT 0 or 126), in order.
func (s *Server) Ledger() []Charge {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Charge, 0, len(s.sales))
	for _, t := range s.sales {
		out = append(out, Charge{
			RequestID: t.requestID, PNREF: t.pnref, InvoiceID: t.invoice,
			Amount: t.amount, Refunded: t.refunded, Refunds: append([]Refund(nil), t.refunds...),
			Voided: t.voided, Held: t.result == 126, Brand: t.brand, Last4: t.last4,
		})
	}
	return out
}

// DoubleCharges returns the invoice IDs charged more than once (non-voided
// charges), sorted; a correct client leaves it empty.
func (s *Server) DoubleCharges() []string {
	n := map[string]int{}
	for _, c := range s.Ledger() {
		if !c.Voided && c.InvoiceID != "" {
			n[c.InvoiceID]++
		}
	}
	var out []string
	for inv, k := range n {
		if k > 1 {
			out = append(out, inv)
		}
	}
	sort.Strings(out)
	return out
}

// Requests returns the requests seen so far, masked.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// Seen reports whether a request ID has been processed (is in the replay store).
func (s *Server) Seen(requestID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.replies[requestID]
	return ok
}

func (s *Server) errorf(format string, args ...any) {
	s.t.Errorf("payflowtest: "+format, args...)
}

func (s *Server) takeFault(id string) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.forID[id]; len(q) > 0 {
		s.forID[id] = q[1:]
		return q[0]
	}
	if len(s.next) > 0 {
		f := s.next[0]
		s.next = s.next[1:]
		return f
	}
	return FaultNone
}

var printable = regexp.MustCompile(`^[\x21-\x7e]{1,32}$`)

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.errorf("reading the request body: %v", err)
		return
	}
	id := r.Header.Get("X-VPS-REQUEST-ID")
	fault := s.takeFault(id)

	// Protocol checks: every deviation fails the test.
	if r.Method != http.MethodPost {
		s.errorf("method %s, want POST", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/namevalue" {
		s.errorf("Content-Type %q, want text/namevalue", ct)
	}
	if !printable.MatchString(id) {
		s.errorf("X-VPS-REQUEST-ID %q must be 1-32 printable characters", id)
	}
	if n, err := strconv.Atoi(r.Header.Get("X-VPS-CLIENT-TIMEOUT")); err != nil || n < 1 || n > 600 {
		s.errorf("X-VPS-CLIENT-TIMEOUT %q must be a whole number of seconds", r.Header.Get("X-VPS-CLIENT-TIMEOUT"))
	}
	if !r.Close {
		s.errorf("missing Connection: close")
	}
	if len(r.TransferEncoding) > 0 || r.ContentLength != int64(len(body)) {
		s.errorf("Content-Length %d for a %d-byte body (transfer encoding %v)", r.ContentLength, len(body), r.TransferEncoding)
	}
	pairs, problems := parseStrict(body)
	for _, p := range problems {
		s.errorf("body: %s", p)
	}
	fields := map[string]string{}
	for _, p := range pairs {
		if _, dup := fields[p.name]; dup {
			s.errorf("field %s sent twice", p.name)
		}
		fields[p.name] = string(body[p.start:p.end])
	}

	rec := Request{RequestID: id, Header: r.Header.Clone(), Body: maskBody(body, pairs), Fault: fault}
	acct := fields["ACCT"]

	switch fault {
	case FaultReset:
		s.record(rec)
		wirefault.HangUp(w, true)
		return
	case FaultTimeoutBeforeCharge:
		s.record(rec)
		wait := 30 * time.Second
		if n, err := strconv.Atoi(r.Header.Get("X-VPS-CLIENT-TIMEOUT")); err == nil {
			wait = time.Duration(n)*time.Second + 5*time.Second
		}
		select {
		case <-r.Context().Done():
		case <-s.closing:
		case <-time.After(wait):
		}
		wirefault.HangUp(w, false)
		return
	case Fault5xxHTML:
		s.record(rec)
		writeHTML503(w)
		return
	}

	var reply []byte
	if len(problems) > 0 || !printable.MatchString(id) {
		// Not a request Payflow could parse: refuse it without storing.
		reply = s.encode(kv{"RESULT", "9"}, kv{"RESPMSG", "Too many parameters or invalid stream"})
		s.record(rec)
	} else {
		s.mu.Lock()
		if orig, ok := s.replies[id]; ok {
			if s.bodies[id] != sha256.Sum256(body) {
				s.errorf("request ID %s reused with different data: Payflow replays a request ID only for a resend of the identical request", id)
				reply = s.encode(kv{"RESULT", "133"}, kv{"RESPMSG", "Data mismatch in HTTP retry request"})
				rec.Mismatch = true
			} else {
				reply = append(append([]byte(nil), orig...), "&DUPLICATE=1"...)
				rec.Duplicate = true
			}
		} else {
			var store bool
			reply, store = s.process(id, fields)
			if store {
				s.replies[id] = reply
				s.bodies[id] = sha256.Sum256(body)
			}
		}
		s.requests = append(s.requests, rec)
		s.mu.Unlock()
	}

	switch fault {
	case FaultReplyLostAfterCharge:
		wirefault.HangUp(w, false)
	case Fault5xxHTMLAfterCharge:
		writeHTML503(w)
	case FaultMalformed:
		w.Header().Set("Content-Type", "text/namevalue")
		_, _ = w.Write([]byte("<garbage>\x00RESULT"))
	case FaultEchoAccount:
		w.Header().Set("Content-Type", "text/namevalue")
		_, _ = w.Write(s.encode(kv{"RESULT", "23"}, kv{"PNREF", "PFTECHO00000"}, kv{"RESPMSG", "Invalid account number " + acct}))
	default:
		w.Header().Set("Content-Type", "text/namevalue")
		w.Header().Set("Content-Length", strconv.Itoa(len(reply)))
		_, _ = w.Write(reply)
	}
}

func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
}

func writeHTML503(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte("<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>"))
}

type kv struct{ name, value string }

// encode writes a reply, length-tagging values that need it (or all).
func (s *Server) encode(pairs ...kv) []byte {
	var b bytes.Buffer
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		if s.tagAll || strings.ContainsAny(p.value, "&=") {
			fmt.Fprintf(&b, "[%d]", len(p.value))
		}
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.Bytes()
}

func (s *Server) newPNREF() string {
	s.seq++
	return fmt.Sprintf("PFT%09d", s.seq)
}

// process decides a request. It returns the reply and whether the request
// ID is now used (Payflow stores the ID of every processed request;
// authentication failures are answered before that).
func (s *Server) process(id string, f map[string]string) ([]byte, bool) {
	for i, name := range []string{"USER", "VENDOR", "PARTNER", "PWD"} {
		if _, ok := f[name]; !ok {
			s.errorf("request %s has no %s", id, name)
		}
		if f[name] != s.creds[i] {
			return s.encode(kv{"RESULT", "1"}, kv{"RESPMSG", "User authentication failed"}), false
		}
	}
	switch f["TRXTYPE"] {
	case "S":
		return s.sale(id, f), true
	case "C":
		return s.credit(id, f), true
	case "V":
		return s.void(id, f), true
	case "I":
		if f["TENDER"] != "C" {
			s.errorf("inquiry %s: TENDER %q, want C", id, f["TENDER"])
		}
		return s.inquiry(id, f), true
	}
	s.errorf("request %s has unknown TRXTYPE %q", id, f["TRXTYPE"])
	return s.encode(kv{"RESULT", "3"}, kv{"RESPMSG", "Invalid transaction type"}), true
}

var (
	expdateRe = regexp.MustCompile(`^(0[1-9]|1[0-2])[0-9]{2}$`)
	digitsRe  = regexp.MustCompile(`^[0-9]+$`)
	custrefRe = regexp.MustCompile(`^[A-Za-z0-9]{1,12}$`)
)

// amountFor checks AMT against the currency's digits and returns it.
func (s *Server) amountFor(id, amt, code string) (currency.Amount, bool) {
	digits, ok := currency.GetDigits(code)
	if !ok {
		s.errorf("request %s: CURRENCY %q is not an ISO 4217 code", id, code)
		return currency.Amount{}, false
	}
	re := `^[0-9]+\.[0-9]{` + strconv.Itoa(int(digits)) + `}$`
	if digits == 0 {
		re = `^[0-9]+$`
	}
	if !regexp.MustCompile(re).MatchString(amt) {
		s.errorf("request %s: AMT %q does not have exactly %d decimals for %s", id, amt, digits, code)
		return currency.Amount{}, false
	}
	a, err := currency.NewAmount(amt, code)
	if err != nil {
		s.errorf("request %s: AMT %q: %v", id, amt, err)
		return currency.Amount{}, false
	}
	return a, true
}

func (s *Server) sale(id string, f map[string]string) []byte {
	if f["TENDER"] != "C" {
		s.errorf("sale %s: TENDER %q, want C", id, f["TENDER"])
	}
	acct, hasAcct := f["ACCT"]
	amt, hasAmt := f["AMT"]
	code := f["CURRENCY"]
	if hasAcct && (!hasAmt || code == "") {
		s.errorf("sale %s needs AMT and CURRENCY", id)
	}
	var amount currency.Amount
	if hasAmt || hasAcct {
		var ok bool
		if amount, ok = s.amountFor(id, amt, code); !ok {
			return s.encode(kv{"RESULT", "4"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Invalid amount"})
		}
	}
	if !hasAcct {
		// A sale with no card has nothing to charge: no client may send one.
		s.errorf("sale %s has no ACCT: a card sale needs the card", id)
		return s.encode(kv{"RESULT", "7"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Field format error: ACCT missing"})
	}
	custref, hasRef := f["CUSTREF"]
	if hasRef {
		if !custrefRe.MatchString(custref) {
			s.errorf("sale %s: CUSTREF %q is not 1 to 12 letters or digits", id, custref)
		}
		if prev, ok := s.byCUST[custref]; ok && prev.requestID != id {
			s.errorf("sale %s reuses CUSTREF %q of request %s: an inquiry could not tell them apart", id, custref, prev.requestID)
		}
	}
	if !digitsRe.MatchString(acct) || len(acct) < 12 || len(acct) > 19 {
		s.errorf("sale %s: ACCT is not 12-19 digits", id)
	}
	exp := f["EXPDATE"]
	if !expdateRe.MatchString(exp) {
		s.errorf("sale %s: EXPDATE %q is not MMYY", id, exp)
		return s.encode(kv{"RESULT", "24"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Invalid expiration date"})
	}
	if cvv, ok := f["CVV2"]; ok && (!digitsRe.MatchString(cvv) || len(cvv) < 3 || len(cvv) > 4) {
		s.errorf("sale %s: CVV2 is not 3-4 digits", id)
	}
	if cs, ok := f["CARDSTART"]; ok && !expdateRe.MatchString(cs) {
		s.errorf("sale %s: CARDSTART %q is not MMYY", id, cs)
	}
	brand, known := TestCards[acct]
	if !known {
		return s.encode(kv{"RESULT", "23"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Invalid account number"})
	}
	month, _ := strconv.Atoi(exp[:2])
	year, _ := strconv.Atoi(exp[2:])
	now := s.now()
	if 2000+year < now.Year() || 2000+year == now.Year() && month < int(now.Month()) {
		return s.encode(kv{"RESULT", "24"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Invalid expiration date: " + exp})
	}
	result := amountRule(amount)
	pnref := s.newPNREF()
	t := &txn{
		kind: "S", requestID: id, pnref: pnref, custref: custref, result: result, invoice: f["INVNUM"],
		amount: amount, brand: brand, last4: acct[len(acct)-4:],
	}
	t.refunded, _ = currency.NewAmount("0", code)
	s.byPNREF[pnref] = t
	if hasRef {
		s.byCUST[custref] = t
	}
	if result == 0 || result == 126 {
		s.sales = append(s.sales, t)
		return s.encode(kv{"RESULT", strconv.Itoa(result)}, kv{"PNREF", pnref}, kv{"RESPMSG", respmsg(result)},
			kv{"AUTHCODE", fmt.Sprintf("%06d", s.seq)}, kv{"AVSADDR", "Y"}, kv{"AVSZIP", "Y"}, kv{"CVV2MATCH", "Y"})
	}
	return s.encode(kv{"RESULT", strconv.Itoa(result)}, kv{"PNREF", pnref}, kv{"RESPMSG", respmsg(result)})
}

// amountRule is PayPal's published pilot amount table.
func amountRule(a currency.Amount) int {
	minor := a.BigInt().Int64()
	digits, _ := currency.GetDigits(a.CurrencyCode())
	unit := int64(1)
	for range digits {
		unit *= 10
	}
	whole, frac := minor/unit, minor%unit
	switch {
	case whole < 1000 || whole == 1000 && frac == 0:
		return 0
	case whole >= 2001:
		return 12
	case frac == 0 && whole > 1000:
		return int(whole - 1000)
	}
	return 0
}

func respmsg(result int) string {
	switch result {
	case 0:
		return "Approved"
	case 1:
		return "User authentication failed"
	case 12:
		return "Declined"
	case 13:
		return "Referral"
	case 19:
		return "Original transaction ID not found"
	case 23:
		return "Invalid account number"
	case 24:
		return "Invalid expiration date"
	case 50:
		return "Insufficient funds available in account"
	case 51:
		return "Exceeds per transaction limit"
	case 104:
		return "Timeout waiting for processor response"
	case 105:
		return "Credit error"
	case 108:
		return "Void error"
	case 112:
		return "Failed AVS check"
	case 114:
		return "CVV2 Mismatch"
	case 117:
		return "Failed merchant rule check"
	case 125:
		return "Declined by Fraud Service"
	case 126:
		return "Under review by Fraud Service"
	case 128:
		return "Declined by merchant"
	}
	return "Error " + strconv.Itoa(result)
}

func (s *Server) original(id string, f map[string]string) (*txn, []byte) {
	orig, ok := f["ORIGID"]
	if !ok {
		s.errorf("request %s (TRXTYPE=%s) has no ORIGID", id, f["TRXTYPE"])
		return nil, s.encode(kv{"RESULT", "7"}, kv{"RESPMSG", "Field format error: ORIGID missing"})
	}
	t, ok := s.byPNREF[orig]
	if !ok || t.kind != "S" {
		return nil, s.encode(kv{"RESULT", "19"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Original transaction ID not found: " + orig})
	}
	return t, nil
}

func (s *Server) credit(id string, f map[string]string) []byte {
	if f["TENDER"] != "C" {
		s.errorf("credit %s: TENDER %q, want C", id, f["TENDER"])
	}
	t, reply := s.original(id, f)
	if t == nil {
		return reply
	}
	code := t.amount.CurrencyCode()
	if c, ok := f["CURRENCY"]; ok && c != code {
		return s.encode(kv{"RESULT", "7"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Field format error: CURRENCY differs from the original"})
	}
	remaining, _ := t.amount.Sub(t.refunded)
	amount := remaining
	if amt, ok := f["AMT"]; ok {
		var valid bool
		if amount, valid = s.amountFor(id, amt, code); !valid {
			return s.encode(kv{"RESULT", "4"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Invalid amount"})
		}
	}
	if t.result != 0 && t.result != 126 {
		return s.encode(kv{"RESULT", "120"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Attempt to reference a failed transaction"})
	}
	if over, _ := amount.Cmp(remaining); t.voided || over > 0 || !amount.IsPositive() {
		return s.encode(kv{"RESULT", "105"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", respmsg(105)})
	}
	pnref := s.newPNREF()
	t.refunded, _ = t.refunded.Add(amount)
	t.refunds = append(t.refunds, Refund{RequestID: id, PNREF: pnref, Amount: amount})
	s.byPNREF[pnref] = &txn{kind: "C", requestID: id, pnref: pnref, amount: amount}
	return s.encode(kv{"RESULT", "0"}, kv{"PNREF", pnref}, kv{"RESPMSG", "Approved"})
}

func (s *Server) void(id string, f map[string]string) []byte {
	t, reply := s.original(id, f)
	if t == nil {
		return reply
	}
	if t.result != 0 && t.result != 126 {
		return s.encode(kv{"RESULT", "120"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Attempt to reference a failed transaction"})
	}
	if t.voided || len(t.refunds) > 0 {
		return s.encode(kv{"RESULT", "108"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", respmsg(108)})
	}
	t.voided = true
	pnref := s.newPNREF()
	s.byPNREF[pnref] = &txn{kind: "V", requestID: id, pnref: pnref}
	return s.encode(kv{"RESULT", "0"}, kv{"PNREF", pnref}, kv{"RESPMSG", "Approved"})
}

func (s *Server) inquiry(id string, f map[string]string) []byte {
	for _, name := range []string{"ACCT", "EXPDATE", "CVV2", "AMT"} {
		if _, ok := f[name]; ok {
			s.errorf("inquiry %s carries %s: an inquiry names the original, nothing more", id, name)
		}
	}
	orig, byID := f["ORIGID"]
	custref, byRef := f["CUSTREF"]
	var t *txn
	switch {
	case byID && byRef:
		s.errorf("inquiry %s names both ORIGID and CUSTREF", id)
		return s.encode(kv{"RESULT", "7"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Field format error: ORIGID or CUSTREF, not both"})
	case byID:
		if t = s.byPNREF[orig]; t == nil {
			return s.encode(kv{"RESULT", "19"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Original transaction ID not found: " + orig})
		}
	case byRef:
		if !custrefRe.MatchString(custref) {
			s.errorf("inquiry %s: CUSTREF %q is not 1 to 12 letters or digits", id, custref)
		}
		if t = s.byCUST[custref]; t == nil {
			return s.encode(kv{"RESULT", "20"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Cannot find the customer reference number"})
		}
	default:
		s.errorf("inquiry %s names neither ORIGID nor CUSTREF", id)
		return s.encode(kv{"RESULT", "7"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Field format error: ORIGID or CUSTREF missing"})
	}
	return s.encode(kv{"RESULT", "0"}, kv{"PNREF", s.newPNREF()}, kv{"RESPMSG", "Approved"},
		kv{"ORIGRESULT", strconv.Itoa(t.result)}, kv{"ORIGPNREF", t.pnref})
}
