package paypalrest

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
	if c == nil {
		return exchange{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.all) == 0 {
		return exchange{}, false
	}
	return *c.all[len(c.all)-1], true
}

type callsKey struct{}

// withCalls returns a context under which the transport records exchanges.
func withCalls(ctx context.Context) (context.Context, *calls) {
	cs := &calls{}
	return context.WithValue(ctx, callsKey{}, cs), cs
}

// recorder is the RoundTripper that records exchanges.
type recorder struct{ base http.RoundTripper }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	cs, _ := req.Context().Value(callsKey{}).(*calls)
	if cs == nil {
		// Every call records: classify needs it even when the caller did
		// not ask (the token fetch inside SendWithAuth shares the context).
		return r.roundTrip(req, nil)
	}
	return r.roundTrip(req, cs)
}

func (r recorder) roundTrip(req *http.Request, cs *calls) (*http.Response, error) {
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

// failure is a classified error.
type failure struct {
	outcome app.Outcome
	code    string // "HTTP=502", "PAYPAL=INSTRUMENT_DECLINED", "OAUTH=401"
	issue   string // the first details[].issue of a REST error
	debugID string
	msg     string
}

func (f failure) result() app.Result {
	if f.outcome == "" {
		f.outcome = app.OutcomeUnknown
	}
	msg := f.msg
	if f.debugID != "" {
		msg += " (PayPal debug id " + f.debugID + ")"
	}
	return app.Result{Outcome: f.outcome, Code: f.code, Message: msg}
}

const tokenPath = "/v1/oauth2/token"

// declinedIssues are PayPal's refusals of the buyer's payment: nothing
// moved, and the buyer can pay another way.
var declinedIssues = map[string]bool{
	"INSTRUMENT_DECLINED": true, "PAYER_CANNOT_PAY": true, "TRANSACTION_REFUSED": true,
	"PAYER_ACCOUNT_LOCKED_OR_CLOSED": true, "PAYER_ACCOUNT_RESTRICTED": true, "COMPLIANCE_VIOLATION": true,
	"MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED": true, "PAYEE_BLOCKED_TRANSACTION": true,
	"DUPLICATE_INVOICE_ID": true, "ORDER_EXPIRED": true, "PAYER_ACTION_REQUIRED": true,
	// refunds
	"CAPTURE_FULLY_REFUNDED": true, "REFUND_AMOUNT_EXCEEDED": true, "REFUND_NOT_ALLOWED": true,
	"REFUND_TIME_LIMIT_EXCEEDED": true, "PARTIAL_REFUND_NOT_ALLOWED": true, "REFUND_FAILED_INSUFFICIENT_FUNDS": true,
	"CANNOT_BE_ZERO_OR_NEGATIVE": true, "MAX_NUMBER_OF_REFUNDS_EXCEEDED": true,
}

// classify maps a plutov error, with what the transport saw (cs may be nil
// when only the error is at hand), to an outcome.
func classify(err error, cs *calls) failure {
	if err == nil {
		return failure{outcome: app.OutcomeApproved}
	}
	var er *paypal.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		status := er.Response.StatusCode
		path := ""
		if er.Response.Request != nil {
			path = er.Response.Request.URL.Path
		}
		f := failure{
			code: "HTTP=" + strconv.Itoa(status), debugID: er.DebugID,
			msg: strings.TrimSpace(er.Name + " " + er.Message),
		}
		if len(er.Details) > 0 {
			f.issue = er.Details[0].Issue
			f.code = "PAYPAL=" + f.issue
			if d := er.Details[0].Description; d != "" {
				f.msg = strings.TrimSpace(f.msg + ": " + d)
			}
		} else if er.Name != "" {
			f.issue = er.Name
			f.code = "PAYPAL=" + er.Name
		}
		switch {
		case path == tokenPath && (status == 400 || status == 401 || status == 403):
			// OAuth's {"error":"invalid_client"} has none of the REST
			// error's fields: the status is what tells.
			f.outcome, f.code = app.OutcomeMerchantConfig, "OAUTH="+strconv.Itoa(status)
			f.msg = "PayPal refused the REST app's client ID or secret (invalid_client)"
		case path == tokenPath:
			f.outcome = app.OutcomeNotProcessed
			f.msg = "PayPal's token call failed (" + f.code + "); nothing was sent"
		case status == 401 || status == 403:
			f.outcome = app.OutcomeMerchantConfig
			if f.msg == "" {
				f.msg = "PayPal refused the REST app's access"
			}
		case status == 429:
			f.outcome = app.OutcomeNotProcessed
			f.msg = "PayPal asked to slow down (429)"
		case status >= 500:
			f.outcome = app.OutcomeUnknown
			f.code = "HTTP=" + strconv.Itoa(status)
		case declinedIssues[f.issue]:
			f.outcome = app.OutcomeDeclined
		case status == 404:
			f.outcome = app.OutcomeNotProcessed
		default:
			// Any other 4xx: PayPal refused the request as it stands.
			f.outcome = app.OutcomeNotProcessed
		}
		return f
	}
	ex, ok := cs.last()
	switch {
	case ok && ex.path == tokenPath && ex.status == 401:
		return failure{
			outcome: app.OutcomeMerchantConfig, code: "OAUTH=401",
			msg: "PayPal refused the REST app's client ID or secret (invalid_client)",
		}
	case ok && ex.path == tokenPath:
		return failure{outcome: app.OutcomeNotProcessed, code: "OAUTH=FAILED", msg: "PayPal's token call failed; nothing was sent"}
	case ok && ex.status != 0:
		// An answer arrived but was not PayPal's JSON (an HTML error page).
		return failure{
			outcome: app.OutcomeUnknown, code: "HTTP=" + strconv.Itoa(ex.status),
			msg: "PayPal's answer (HTTP " + strconv.Itoa(ex.status) + ") was not JSON",
		}
	case ok && !ex.wrote:
		return failure{outcome: app.OutcomeNotProcessed, code: "CONNECT", msg: "the request did not reach PayPal"}
	case ok:
		return failure{outcome: app.OutcomeUnknown, code: "NO-REPLY", msg: "PayPal's answer was lost (timeout or reset)"}
	}
	// No record (the caller did not ask for one): only what the error says.
	return failure{outcome: app.OutcomeUnknown, code: "NO-REPLY", msg: "PayPal's answer was lost or unreadable"}
}
