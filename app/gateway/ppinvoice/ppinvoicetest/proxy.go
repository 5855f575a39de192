// Package ppinvoicetest puts PayPal's published OpenAPI descriptions of
// Invoicing v2 and Payments v2 (testdata, with their LICENSE) between a
// client and a server in tests: Proxy forwards every call to the server
// (the offline sandbox), validates the request and the response against
// the description with kin-openapi, and fails the test on any difference,
// so that both the ppinvoice client and the sandbox speak PayPal's shapes.
// It also cuts calls as a network does (Inject).
package ppinvoicetest

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/trainpay/trainpay/app/gateway/internal/wirefault"
)

//go:embed testdata/invoicing_v2.json testdata/payments_payment_v2.json
var specFiles embed.FS

// specHost is the server both descriptions name; requests are routed as
// if sent there.
const specHost = "https://api-m.sandbox.paypal.com"

// Spec is the two descriptions, loaded.
type Spec struct {
	invoicing, payments routers.Router
}

var (
	specOnce sync.Once
	spec     *Spec
	specErr  error
)

// LoadSpec loads the descriptions once per test binary.
func LoadSpec() (*Spec, error) {
	specOnce.Do(func() {
		load := func(name string) (routers.Router, error) {
			data, err := specFiles.ReadFile("testdata/" + name)
			if err != nil {
				return nil, err
			}
			doc, err := openapi3.NewLoader().LoadFromData(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return gorillamux.NewRouter(doc)
		}
		sp := &Spec{}
		if sp.invoicing, specErr = load("invoicing_v2.json"); specErr != nil {
			return
		}
		if sp.payments, specErr = load("payments_payment_v2.json"); specErr != nil {
			return
		}
		spec = sp
	})
	return spec, specErr
}

// Described reports whether path is an API path of one of the two
// descriptions (the token call and the payer's page are not).
func Described(path string) bool {
	return strings.HasPrefix(path, "/v2/invoicing/") || strings.HasPrefix(path, "/v2/payments/")
}

func (sp *Spec) route(method, path, rawQuery string, header http.Header, body []byte) (*openapi3filter.RequestValidationInput, error) {
	u, _ := url.Parse(specHost + path)
	u.RawQuery = rawQuery
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header.Clone()
	router := sp.invoicing
	if strings.HasPrefix(path, "/v2/payments/") {
		router = sp.payments
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s is not in PayPal's description: %w", method, path, err)
	}
	return &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}, nil
}

// ValidateRequest checks one request against the description.
func (sp *Spec) ValidateRequest(method, path, rawQuery string, header http.Header, body []byte) error {
	in, err := sp.route(method, path, rawQuery, header, body)
	if err != nil {
		return err
	}
	return openapi3filter.ValidateRequest(context.Background(), in)
}

// ValidateResponse checks one response to a request against the
// description: its status must be one the operation names (or its
// default), its body the schema of that status.
func (sp *Spec) ValidateResponse(method, path, rawQuery string, reqHeader http.Header, reqBody []byte,
	status int, header http.Header, body []byte,
) error {
	in, err := sp.route(method, path, rawQuery, reqHeader, reqBody)
	if err != nil {
		return err
	}
	in.Options.IncludeResponseStatus = true
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: in.Options,
	})
}

// Fault is a failure the proxy injects into the next call of an
// operation.
type Fault int

const (
	// FaultResetBefore closes the connection without forwarding the call.
	FaultResetBefore Fault = iota + 1
	// Fault5xxHTMLBefore answers 502 with an HTML page, not forwarded.
	Fault5xxHTMLBefore
	// FaultReplyLostAfter forwards the call (the server acts on it), then
	// closes the connection instead of answering.
	FaultReplyLostAfter
	// Fault5xxHTMLAfter forwards the call, then answers 500 with HTML.
	Fault5xxHTMLAfter
	// FaultTimeoutAfter forwards the call, then holds the connection for
	// Hold before closing it: longer than the client's timeout.
	FaultTimeoutAfter
)

func (f Fault) String() string {
	return [...]string{"", "reset-before", "5xx-html-before", "reply-lost-after", "5xx-html-after", "timeout-after"}[f]
}

// Processed reports whether the server acts on a call despite the fault.
func (f Fault) Processed() bool { return f >= FaultReplyLostAfter }

// Operations, as OpOf names them.
const (
	OpToken         = "token"
	OpCreate        = "create"
	OpGet           = "get"
	OpSend          = "send"
	OpRemind        = "remind"
	OpCancel        = "cancel"
	OpSearch        = "search"
	OpRecordPayment = "record-payment"
	OpRecordRefund  = "record-refund"
	OpCaptureRefund = "capture-refund"
	OpPayerPage     = "payer-page"
)

// OpOf names the operation of a call.
func OpOf(method, path string) string {
	const inv = "/v2/invoicing/invoices"
	switch {
	case path == "/v1/oauth2/token":
		return OpToken
	case path == inv && method == http.MethodPost:
		return OpCreate
	case path == "/v2/invoicing/search-invoices":
		return OpSearch
	case strings.HasPrefix(path, "/v2/payments/captures/") && strings.HasSuffix(path, "/refund"):
		return OpCaptureRefund
	case strings.HasPrefix(path, inv+"/"):
		rest := strings.TrimPrefix(path, inv+"/")
		_, action, _ := strings.Cut(rest, "/")
		switch action {
		case "":
			return OpGet
		case "send":
			return OpSend
		case "remind":
			return OpRemind
		case "cancel":
			return OpCancel
		case "payments":
			return OpRecordPayment
		case "refunds":
			return OpRecordRefund
		}
	case strings.HasPrefix(path, "/invoice/"):
		return OpPayerPage
	}
	return method + " " + path
}

// Request is one call the proxy received.
type Request struct {
	Op        string
	Method    string
	Path      string
	RequestID string // PayPal-Request-Id
	Prefer    string
	Body      []byte // nil for the token call (its secret is not kept)
}

// Proxy is a validating, fault-injecting proxy in front of a server.
type Proxy struct {
	*httptest.Server
	t      testing.TB
	target string
	spec   *Spec
	// Hold is how long FaultTimeoutAfter holds the connection.
	Hold time.Duration

	mu        sync.Mutex
	faults    wirefault.Queue[Fault]
	reqs      []Request
	validated int
}

// NewProxy starts a proxy to target (a base URL), closed at the end of the
// test.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	sp, err := LoadSpec()
	if err != nil {
		t.Fatalf("PayPal's OpenAPI descriptions do not load: %v", err)
	}
	p := &Proxy{t: t, target: strings.TrimRight(target, "/"), spec: sp, Hold: 2 * time.Second}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

// Inject queues faults for the next calls of op.
func (p *Proxy) Inject(op string, faults ...Fault) {
	p.faults.Push(op, faults...)
}

// Requests returns every call received, oldest first.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.reqs...)
}

// RequestsOf returns the calls of op.
func (p *Proxy) RequestsOf(op string) []Request {
	var out []Request
	for _, r := range p.Requests() {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

// Validated is how many exchanges were validated against the description.
func (p *Proxy) Validated() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.validated
}

func (p *Proxy) nextFault(op string) Fault { return p.faults.Next(op) }

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	op := OpOf(r.Method, r.URL.Path)
	rec := Request{
		Op: op, Method: r.Method, Path: r.URL.Path, RequestID: r.Header.Get("PayPal-Request-Id"),
		Prefer: r.Header.Get("Prefer"), Body: body,
	}
	if op == OpToken {
		rec.Body = nil
	}
	p.mu.Lock()
	p.reqs = append(p.reqs, rec)
	p.mu.Unlock()
	f := p.nextFault(op)
	switch f {
	case FaultResetBefore:
		wirefault.HangUp(w, false)
		return
	case Fault5xxHTMLBefore:
		wirefault.BadGateway(w)
		return
	}
	described := Described(r.URL.Path)
	if described {
		if err := p.spec.ValidateRequest(r.Method, r.URL.Path, r.URL.RawQuery, r.Header, body); err != nil {
			p.t.Errorf("the request %s %s does not match PayPal's description: %v\nbody: %s", r.Method, r.URL.Path, err, body)
		}
	}
	out, err := http.NewRequest(r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		// The server is down: the proxy says so as a gateway would.
		wirefault.HTML(w, http.StatusBadGateway, "<html><body>502: the server is down</body></html>")
		return
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if described {
		if err := p.spec.ValidateResponse(r.Method, r.URL.Path, r.URL.RawQuery, r.Header, body, resp.StatusCode, resp.Header, respBody); err != nil {
			p.t.Errorf("the answer to %s %s (HTTP %d) does not match PayPal's description: %v\nbody: %s", r.Method, r.URL.Path, resp.StatusCode, err, respBody)
		}
		p.mu.Lock()
		p.validated++
		p.mu.Unlock()
	}
	switch f {
	case FaultReplyLostAfter:
		wirefault.HangUp(w, false)
		return
	case Fault5xxHTMLAfter:
		wirefault.ServerError(w)
		return
	case FaultTimeoutAfter:
		time.Sleep(p.Hold)
		wirefault.HangUp(w, false)
		return
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(respBody)
}
