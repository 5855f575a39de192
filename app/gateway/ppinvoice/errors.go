package ppinvoice

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"

	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app"
)

// Error is a call PayPal refused, or whose answer is missing. Outcome says
// what became of the call, as paypalrest's results do:
//
//   - app.OutcomeUnknown: the request was written and no answer came (a
//     timeout, a reset, a 5xx, a body that is not JSON): PayPal may have
//     acted on it. Resending under the same PayPal-Request-Id is safe.
//   - app.OutcomeNotProcessed: PayPal did not act: the request did not
//     reach it, or PayPal refused it (a 4xx, Issue and Message say why).
//   - app.OutcomeMerchantConfig: the REST app's credentials or rights.
//   - app.OutcomeNotFound: no such invoice (404).
//   - app.OutcomeDeclined: a refund PayPal refused (the capture is refunded
//     already, the amount exceeds what is left, …).
type Error struct {
	Op      string // "create", "send", "get", …
	Outcome app.Outcome
	Status  int    // HTTP status; 0 when none arrived
	Code    string // "HTTP=502", "PAYPAL=CANNOT_CANCEL_PAID_INVOICE", "OAUTH=401", "NO-REPLY", "CONNECT"
	Issue   string // details[0].issue of PayPal's error
	DebugID string
	Message string
}

func (e *Error) Error() string {
	msg := "PayPal invoicing " + e.Op + ": " + string(e.Outcome) + " (" + e.Code + ")"
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.DebugID != "" {
		msg += " (PayPal debug id " + e.DebugID + ")"
	}
	return msg
}

// OutcomeOf is err's Outcome: an *Error's own, app.OutcomeUnknown for any
// other error, "" for nil.
func OutcomeOf(err error) app.Outcome {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Outcome
	}
	return app.OutcomeUnknown
}

// exchange is what the transport saw of one HTTP request. plutov's Send
// returns a bare JSON error for a non-JSON error body (an HTML 502 from a
// proxy) and so loses the status; the recorder keeps it.
type exchange struct {
	path   string
	wrote  bool // the whole request was written: PayPal may act on it
	status int  // 0: no response
}

type calls struct {
	mu  sync.Mutex
	all []*exchange
}

func (c *calls) last() (exchange, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.all) == 0 {
		return exchange{}, false
	}
	return *c.all[len(c.all)-1], true
}

type callsKey struct{}

func withCalls(ctx context.Context) (context.Context, *calls) {
	cs := &calls{}
	return context.WithValue(ctx, callsKey{}, cs), cs
}

// recorder is the RoundTripper that records exchanges.
type recorder struct{ base http.RoundTripper }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	cs, _ := req.Context().Value(callsKey{}).(*calls)
	ex := &exchange{path: req.URL.Path}
	if cs != nil {
		cs.mu.Lock()
		cs.all = append(cs.all, ex)
		cs.mu.Unlock()
	}
	var mu sync.Mutex
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			mu.Lock()
			ex.wrote = true
			mu.Unlock()
		}
	}}
	resp, err := r.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	mu.Lock()
	if resp != nil {
		ex.status = resp.StatusCode
	}
	mu.Unlock()
	return resp, err
}

const tokenPath = "/v1/oauth2/token"

// refundRefusals are PayPal's refusals of a refund (Payments v2's and
// Invoicing's record-refund): nothing moved.
var refundRefusals = map[string]bool{
	"CAPTURE_FULLY_REFUNDED": true, "REFUND_AMOUNT_EXCEEDED": true, "REFUND_NOT_ALLOWED": true,
	"REFUND_TIME_LIMIT_EXCEEDED": true, "PARTIAL_REFUND_NOT_ALLOWED": true, "REFUND_FAILED_INSUFFICIENT_FUNDS": true,
	"MAX_NUMBER_OF_REFUNDS_EXCEEDED": true, "TRANSACTION_DISPUTED": true, "PENDING_CAPTURE": true,
	"CANNOT_PROCESS_REFUNDS": true, "INVALID_REFUND_AMOUNT": true,
}

// classify maps a plutov error, with what the transport saw, to an *Error.
func classify(op string, err error, cs *calls) *Error {
	var er *paypal.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		status := er.Response.StatusCode
		path := ""
		if er.Response.Request != nil {
			path = er.Response.Request.URL.Path
		}
		e := &Error{
			Op: op, Status: status, Code: "HTTP=" + strconv.Itoa(status), DebugID: er.DebugID,
			Message: strings.TrimSpace(er.Name + " " + er.Message),
		}
		if len(er.Details) > 0 {
			e.Issue = er.Details[0].Issue
			e.Code = "PAYPAL=" + e.Issue
			if d := er.Details[0].Description; d != "" {
				e.Message = strings.TrimSpace(e.Message + ": " + d)
			}
		} else if er.Name != "" {
			e.Issue = er.Name
			e.Code = "PAYPAL=" + er.Name
		}
		switch {
		case path == tokenPath && (status == 400 || status == 401 || status == 403):
			e.Outcome, e.Code = app.OutcomeMerchantConfig, "OAUTH="+strconv.Itoa(status)
			e.Message = "PayPal refused the REST app's client ID or secret (invalid_client)"
		case path == tokenPath:
			e.Outcome = app.OutcomeNotProcessed
			e.Message = "PayPal's token call failed (" + e.Code + "); nothing was sent"
		case status == 401 || status == 403:
			e.Outcome = app.OutcomeMerchantConfig
			if e.Message == "" {
				e.Message = "PayPal refused the REST app's access to invoicing"
			}
		case status >= 500:
			e.Outcome, e.Code = app.OutcomeUnknown, "HTTP="+strconv.Itoa(status)
		case status == 404:
			e.Outcome = app.OutcomeNotFound
		case refundRefusals[e.Issue]:
			e.Outcome = app.OutcomeDeclined
		default:
			// 400, 409, 422, 429: PayPal refused the request as it stands.
			e.Outcome = app.OutcomeNotProcessed
		}
		return e
	}
	var ex exchange
	ok := false
	if cs != nil {
		ex, ok = cs.last()
	}
	switch {
	case ok && ex.path == tokenPath && ex.status == 401:
		return &Error{
			Op: op, Outcome: app.OutcomeMerchantConfig, Status: 401, Code: "OAUTH=401",
			Message: "PayPal refused the REST app's client ID or secret (invalid_client)",
		}
	case ok && ex.path == tokenPath:
		return &Error{
			Op: op, Outcome: app.OutcomeNotProcessed, Status: ex.status, Code: "OAUTH=FAILED",
			Message: "PayPal's token call failed; nothing was sent",
		}
	case ok && ex.status >= 200 && ex.status < 300:
		// A success whose body could not be read (cut short, not JSON).
		return &Error{
			Op: op, Outcome: app.OutcomeUnknown, Status: ex.status, Code: "HTTP=" + strconv.Itoa(ex.status),
			Message: "PayPal's answer could not be read: " + err.Error(),
		}
	case ok && ex.status != 0:
		return &Error{
			Op: op, Outcome: app.OutcomeUnknown, Status: ex.status, Code: "HTTP=" + strconv.Itoa(ex.status),
			Message: "PayPal's answer (HTTP " + strconv.Itoa(ex.status) + ") was not JSON",
		}
	case ok && !ex.wrote:
		return &Error{Op: op, Outcome: app.OutcomeNotProcessed, Code: "CONNECT", Message: "the request did not reach PayPal: " + err.Error()}
	}
	return &Error{Op: op, Outcome: app.OutcomeUnknown, Code: "NO-REPLY", Message: "PayPal's answer was lost (timeout or reset): " + err.Error()}
}
