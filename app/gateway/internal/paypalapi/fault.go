package paypalapi

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

// Calls records the exchanges made under a context from WithCalls.
type Calls struct {
	mu  sync.Mutex
	all []*exchange
}

func (c *Calls) last() (exchange, bool) {
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

// WithCalls returns a context under which the transport records the
// exchanges (the token fetch inside plutov's SendWithAuth shares it).
func WithCalls(ctx context.Context) (context.Context, *Calls) {
	cs := &Calls{}
	return context.WithValue(ctx, callsKey{}, cs), cs
}

// recorder is the RoundTripper that records exchanges.
type recorder struct{ base http.RoundTripper }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	cs, _ := req.Context().Value(callsKey{}).(*Calls)
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

// Fault is a failed call, classified.
type Fault struct {
	Outcome app.Outcome
	Status  int    // HTTP status; 0 when none arrived
	Code    string // "HTTP=502", "PAYPAL=INSTRUMENT_DECLINED", "OAUTH=401", "NO-REPLY", "CONNECT"
	Issue   string // details[0].issue of PayPal's error (or its name)
	DebugID string
	Message string
}

// Rules are where the clients' mappings differ.
type Rules struct {
	// Declined are the issues that are PayPal refusing the payment or the
	// refund: nothing moved (app.OutcomeDeclined).
	Declined map[string]bool
	// NotFound is a 404's outcome.
	NotFound app.Outcome
	// Refused is the message of a 401 or 403 whose body says nothing.
	Refused string
}

// Classify maps a plutov error, with what the transport saw (cs may be nil
// when only the error is at hand), to a Fault. err is not nil.
func Classify(err error, cs *Calls, r Rules) Fault {
	var er *paypal.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return fromResponse(er, r)
	}
	ex, ok := cs.last()
	switch {
	case ok && ex.path == TokenPath && ex.status == 401:
		return Fault{
			Outcome: app.OutcomeMerchantConfig, Status: 401, Code: "OAUTH=401",
			Message: "PayPal refused the REST app's client ID or secret (invalid_client)",
		}
	case ok && ex.path == TokenPath:
		return Fault{
			Outcome: app.OutcomeNotProcessed, Status: ex.status, Code: "OAUTH=FAILED",
			Message: "PayPal's token call failed; nothing was sent",
		}
	case ok && ex.status >= 200 && ex.status < 300:
		// A success whose body could not be read (cut short, not JSON).
		return Fault{
			Outcome: app.OutcomeUnknown, Status: ex.status, Code: "HTTP=" + strconv.Itoa(ex.status),
			Message: "PayPal's answer could not be read: " + err.Error(),
		}
	case ok && ex.status != 0:
		// An answer arrived but was not PayPal's JSON (an HTML error page).
		return Fault{
			Outcome: app.OutcomeUnknown, Status: ex.status, Code: "HTTP=" + strconv.Itoa(ex.status),
			Message: "PayPal's answer (HTTP " + strconv.Itoa(ex.status) + ") was not JSON",
		}
	case ok && !ex.wrote:
		return Fault{Outcome: app.OutcomeNotProcessed, Code: "CONNECT", Message: "the request did not reach PayPal: " + err.Error()}
	}
	// Written and no answer, or no record (the caller did not ask for one).
	return Fault{Outcome: app.OutcomeUnknown, Code: "NO-REPLY", Message: "PayPal's answer was lost (timeout or reset): " + err.Error()}
}

func fromResponse(er *paypal.ErrorResponse, r Rules) Fault {
	status := er.Response.StatusCode
	path := ""
	if er.Response.Request != nil {
		path = er.Response.Request.URL.Path
	}
	f := Fault{
		Status: status, Code: "HTTP=" + strconv.Itoa(status), DebugID: er.DebugID,
		Message: strings.TrimSpace(er.Name + " " + er.Message),
	}
	if len(er.Details) > 0 {
		f.Issue = er.Details[0].Issue
		f.Code = "PAYPAL=" + f.Issue
		if d := er.Details[0].Description; d != "" {
			f.Message = strings.TrimSpace(f.Message + ": " + d)
		}
	} else if er.Name != "" {
		f.Issue = er.Name
		f.Code = "PAYPAL=" + er.Name
	}
	switch {
	case path == TokenPath && (status == 400 || status == 401 || status == 403):
		// OAuth's {"error":"invalid_client"} has none of the REST error's
		// fields: the status is what tells.
		f.Outcome, f.Code = app.OutcomeMerchantConfig, "OAUTH="+strconv.Itoa(status)
		f.Message = "PayPal refused the REST app's client ID or secret (invalid_client)"
	case path == TokenPath:
		f.Outcome = app.OutcomeNotProcessed
		f.Message = "PayPal's token call failed (" + f.Code + "); nothing was sent"
	case status == 401 || status == 403:
		f.Outcome = app.OutcomeMerchantConfig
		if f.Message == "" {
			f.Message = r.Refused
		}
	case status >= 500:
		f.Outcome, f.Code = app.OutcomeUnknown, "HTTP="+strconv.Itoa(status)
	case status == 404:
		f.Outcome = r.NotFound
	case r.Declined[f.Issue]:
		f.Outcome = app.OutcomeDeclined
	case status == 429 && f.Message == "":
		f.Outcome, f.Message = app.OutcomeNotProcessed, "PayPal asked to slow down (429)"
	default:
		// 400, 409, 422, 429: PayPal refused the request as it stands.
		f.Outcome = app.OutcomeNotProcessed
	}
	return f
}
