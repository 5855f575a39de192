package nvp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trainpay/trainpay/app/gateway/endpoint"

	"github.com/bojanz/currency"
	"github.com/trainpay/trainpay/app"
)

const (
	// SandboxEndpoint and LiveEndpoint are the API-signature NVP hosts
	// (developer.paypal.com/api/nvp-soap/endpoints). Certificate
	// credentials use other hosts and are not supported.
	SandboxEndpoint = "https://api-3t.sandbox.paypal.com/nvp"
	LiveEndpoint    = "https://api-3t.paypal.com/nvp"

	// DefaultVersion is the VERSION sent with every call. It is pinned,
	// not "latest", because the version selects the request and reply
	// fields; a moving version could change the wire format under a
	// running shop. 124 is the version ActiveMerchant's PayPal gateway
	// has used for years (so PayPal keeps it working), and it is above
	// 92.0 (MSGSUBID on RefundTransaction) and 94.0 (MSGSUBID on DoVoid),
	// both of which recovery relies on.
	DefaultVersion = "124"

	// minVersion is the lowest VERSION with MSGSUBID on DoVoid.
	minVersion = 94

	// DefaultTimeout bounds one HTTP exchange. PayPal can take tens of
	// seconds to answer a card payment; a short timeout only turns
	// answers into unknowns.
	DefaultTimeout = 60 * time.Second

	// DefaultSearchLag is how long after sending a DoDirectPayment a
	// TransactionSearch that does not find it is not yet trusted as "not
	// charged". PayPal's search is known to show new transactions with a
	// delay; the exact delay is not documented (UNCONFIRMED), three
	// minutes is a cautious guess.
	DefaultSearchLag = 3 * time.Minute

	// NoSearchLag disables the search-lag guard (tests against nvptest,
	// whose ledger is searchable at once).
	NoSearchLag time.Duration = -1

	// LookupWindow is how far back Lookup searches. app.LookupRequest does
	// not carry the attempt's time, so the window must cover any attempt
	// reconciliation may still be settling.
	LookupWindow = 45 * 24 * time.Hour

	// DesktopIPAddress is sent as IPADDRESS when the payer's IPv4 address
	// is unknown; see ipAddress.
	DesktopIPAddress = "127.0.0.1"
)

// EndpointFor returns the sandbox endpoint in Test mode and the live one
// otherwise.
func EndpointFor(test bool) string {
	if test {
		return SandboxEndpoint
	}
	return LiveEndpoint
}

// Config is what the merchant's API-signature credentials and the mode
// give.
type Config struct {
	Endpoint  string // SandboxEndpoint, LiveEndpoint (see EndpointFor) or a loopback test server
	User      string // API username
	Password  string // API password
	Signature string // API signature
	Version   string // "" means DefaultVersion
	Timeout   time.Duration
	// SearchLag: see DefaultSearchLag. 0 means DefaultSearchLag;
	// NoSearchLag turns the guard off.
	SearchLag time.Duration
	// Logger receives one line per call (method, outcome, codes,
	// CORRELATIONID). Never card data, never request bodies. nil: no log.
	Logger *slog.Logger
}

// Client speaks classic NVP to PayPal. It is safe for concurrent use.
type Client struct {
	endpoint  string
	user      string
	password  string
	signature string
	version   string
	timeout   time.Duration
	searchLag time.Duration
	log       *slog.Logger
	hc        *http.Client

	mu   sync.Mutex
	sent map[string]time.Time // INVNUM → when a DoDirectPayment with it was last sent

	// Test hooks.
	now    func() time.Time
	onWipe func(body []byte) // called with the wiped body's backing array
}

var _ app.Gateway = (*Client)(nil)

// New checks the configuration and returns a client. Card data may only go
// over HTTPS; plain HTTP is allowed to a loopback address, for tests.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, configError("the PayPal NVP endpoint %q is not a valid URL", cfg.Endpoint)
	}
	if endpoint.Insecure(u) {
		return nil, configError("the PayPal NVP endpoint must use HTTPS")
	}
	if u.RawQuery != "" || u.User != nil {
		return nil, configError("the PayPal NVP endpoint must not carry a query or user information")
	}
	if strings.TrimSpace(cfg.User) == "" || strings.TrimSpace(cfg.Password) == "" || strings.TrimSpace(cfg.Signature) == "" {
		return nil, configError("the PayPal API username, password and signature are all required")
	}
	version := cfg.Version
	if version == "" {
		version = DefaultVersion
	}
	if v, err := strconv.ParseFloat(version, 64); err != nil || v < minVersion {
		return nil, configError("the PayPal NVP version must be a number of at least %d", minVersion)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	lag := cfg.SearchLag
	switch {
	case lag == 0:
		lag = DefaultSearchLag
	case lag < 0:
		lag = 0
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 15 * time.Second,
		// One connection per call. Calls are rare (a person keys a
		// card), and a fresh connection makes "did the request leave?"
		// exact: with no pooled connection there is no stale one to fail
		// on after the body was queued, and net/http never replays a
		// POST on its own.
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &Client{
		endpoint:  u.String(),
		user:      cfg.User,
		password:  cfg.Password,
		signature: cfg.Signature,
		version:   version,
		timeout:   timeout,
		searchLag: lag,
		log:       log,
		hc: &http.Client{
			Transport: tr,
			// PayPal's NVP endpoint does not redirect; a redirect is a
			// proxy or captive portal, and following it would resend the
			// card elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		sent: make(map[string]time.Time),
		now:  time.Now,
	}, nil
}

func configError(format string, args ...any) error {
	return app.Errorf(app.EINVALID, "error.gateway.nvp.config", format, args...)
}

// failure is why a call produced no NVP reply.
type failure struct {
	outcome app.Outcome // NotProcessed or Unknown
	code    string
	msg     string
}

func (f *failure) result(base app.Result) app.Result {
	base.Outcome, base.Code, base.Message = f.outcome, f.code, f.msg
	return base
}

// newCall starts a request body with the fields every call carries.
func (c *Client) newCall(method string) *form {
	f := newForm()
	f.add("METHOD", method)
	f.add("VERSION", c.version)
	f.add("USER", c.user)
	f.add("PWD", c.password)
	f.add("SIGNATURE", c.signature)
	return f
}

// call posts the form and parses the answer. The body buffer is zeroed
// before call returns, whatever happened.
//
// Whether the request can have reached PayPal decides between
// NotProcessed and Unknown: until the transport reports a connection
// (httptrace GotConn, which comes after the TCP and TLS handshakes) not a
// byte of the request has left, so a failure then is NotProcessed (dial
// refused, DNS, TLS, context cancelled while connecting). After it, any
// failure is Unknown.
func (c *Client) call(ctx context.Context, f *form) (Reply, *failure) {
	body := f.seal()
	defer func() {
		body.wipe()
		if c.onWipe != nil {
			c.onWipe(body.b[:cap(body.b)])
		}
	}()

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, nil)
	if err != nil {
		return Reply{}, &failure{app.OutcomeNotProcessed, "REQUEST", "could not build the request: " + err.Error()}
	}
	req.Body = body.reader()
	req.ContentLength = int64(body.len())
	// No GetBody: the transport must never replay a card payment.
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TrainPay-NVP/1")

	resp, err := c.hc.Do(req)
	if err != nil {
		if !connected.Load() {
			return Reply{}, &failure{app.OutcomeNotProcessed, "CONNECT", "could not connect to PayPal, nothing was sent: " + netError(err)}
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return Reply{}, &failure{app.OutcomeUnknown, "TIMEOUT", "no answer from PayPal in time; the request may have been processed"}
		}
		return Reply{}, &failure{app.OutcomeUnknown, "NETWORK", "the connection to PayPal failed after the request was sent; it may have been processed: " + netError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes+1))
	if err != nil {
		return Reply{}, &failure{app.OutcomeUnknown, "NETWORK", "the answer from PayPal was cut off; the request may have been processed: " + netError(err)}
	}
	if resp.StatusCode != http.StatusOK {
		return Reply{}, &failure{
			app.OutcomeUnknown, "HTTP " + strconv.Itoa(resp.StatusCode),
			fmt.Sprintf("PayPal answered HTTP %d instead of an NVP reply; the request may have been processed", resp.StatusCode),
		}
	}
	rep, err := ParseReply(data)
	if err != nil {
		return Reply{}, &failure{app.OutcomeUnknown, "REPLY", "PayPal's answer could not be read (" + err.Error() + "); the request may have been processed"}
	}
	return rep, nil
}

// netError renders a transport error without the request: url.Error holds
// only the method and endpoint, never the body.
func netError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func (c *Client) finish(ctx context.Context, op, ref string, r app.Result) app.Result {
	c.log.LogAttrs(ctx, slog.LevelInfo, "paypal nvp",
		slog.String("op", op),
		slog.String("ref", ref),
		slog.String("outcome", string(r.Outcome)),
		slog.String("code", r.Code),
		slog.String("reference", r.Reference),
		slog.Bool("duplicate", r.Duplicate),
		slog.String("last4", r.Last4),
		slog.String("message", r.Message),
	)
	return r
}

// Sale charges the card with DoDirectPayment, PAYMENTACTION=Sale.
//
// DoDirectPayment has no idempotency key (MSGSUBID is not documented for
// it), so a lost answer is recovered through INVNUM: the request's
// InvoiceID, unique per attempt, is sent as INVNUM and Lookup finds the
// payment by it. PayPal's duplicate-invoice check (a profile setting,
// "block multiple payments per invoice ID"; its default is UNCONFIRMED
// and TestConnection cannot see it) turns an accidental resend of the
// same attempt into error 10412/10536 rather than a second charge; Sale then looks the first payment up and reports
// it. Sale never retries by itself.
func (c *Client) Sale(ctx context.Context, req app.SaleRequest) app.Result {
	base := app.Result{}
	card := req.Card
	if card == nil {
		base.Outcome, base.Code = app.OutcomeNotProcessed, "REQUEST"
		base.Message = "classic NVP (Website Payments Pro) needs card data"
		return c.finish(ctx, "Sale", req.InvoiceID, base)
	}
	brand, ccType := brandOf(card.Number)
	base.Brand, base.Last4, base.Funding = brand, card.Last4(), card.Funding
	if req.InvoiceID == "" || len(req.InvoiceID) > 127 {
		base.Outcome, base.Code = app.OutcomeNotProcessed, "REQUEST"
		base.Message = "a sale needs an invoice id of at least 1 and at most 127 characters: without it a lost answer cannot be recovered"
		return c.finish(ctx, "Sale", req.InvoiceID, base)
	}
	amt, err := formatAmount(req.Amount)
	if err != nil {
		base.Outcome, base.Code, base.Message = app.OutcomeNotProcessed, "REQUEST", err.Error()
		return c.finish(ctx, "Sale", req.InvoiceID, base)
	}
	if p := checkCard(card, ccType, req.Amount.CurrencyCode(), c.now()); p != nil {
		base.Outcome, base.Code, base.Field, base.Message = app.OutcomeInvalidCard, "LOCAL", p.field, p.msg
		return c.finish(ctx, "Sale", req.InvoiceID, base)
	}
	first, last := names(card, req.Payer)
	if first == "" || last == "" {
		base.Outcome, base.Code, base.Field = app.OutcomeInvalidCard, "LOCAL", "holder"
		base.Message = "PayPal needs the cardholder's first and last name"
		return c.finish(ctx, "Sale", req.InvoiceID, base)
	}

	f := c.newCall("DoDirectPayment")
	f.add("PAYMENTACTION", "Sale")
	f.add("IPADDRESS", ipAddress(req.Payer.IP))
	f.add("AMT", amt)
	f.add("CURRENCYCODE", req.Amount.CurrencyCode())
	f.add("CREDITCARDTYPE", ccType)
	f.addDigits("ACCT", card.Number)
	f.add("EXPDATE", fmt.Sprintf("%02d%04d", card.ExpMonth, card.ExpYear))
	if len(card.CVV) > 0 {
		f.addDigits("CVV2", card.CVV)
	}
	if ccType == "Maestro" {
		if card.StartMonth != 0 {
			f.add("STARTDATE", fmt.Sprintf("%02d%04d", card.StartMonth, card.StartYear))
		}
		f.addOpt("ISSUENUMBER", card.IssueNumber)
	}
	f.add("FIRSTNAME", clip(first, 25))
	f.add("LASTNAME", clip(last, 25))
	f.addOpt("STREET", clip(req.Payer.Street, 100))
	f.addOpt("CITY", clip(req.Payer.City, 40))
	f.addOpt("ZIP", clip(req.Payer.PostalCode, 20))
	f.addOpt("COUNTRYCODE", strings.ToUpper(clip(req.Payer.Country, 2)))
	f.addOpt("EMAIL", clip(req.Payer.Email, 127))
	f.add("INVNUM", req.InvoiceID)
	f.addOpt("DESC", clip(req.Description, 127))

	c.markSent(req.InvoiceID)
	rep, fail := c.call(ctx, f)
	if fail != nil {
		return c.finish(ctx, "Sale", req.InvoiceID, fail.result(base))
	}
	return c.finish(ctx, "Sale", req.InvoiceID, c.saleReply(ctx, req, base, rep))
}

func (c *Client) saleReply(ctx context.Context, req app.SaleRequest, base app.Result, rep Reply) app.Result {
	switch {
	case rep.Success():
		id := rep.Get("TRANSACTIONID")
		if id == "" {
			base.Outcome, base.Code = app.OutcomeUnknown, ackCode(rep)
			base.Message = withCorrelation("PayPal reported success without a TRANSACTIONID; reconciliation will find the payment by its invoice number", rep)
			return base
		}
		base.Outcome, base.Reference, base.Code = app.OutcomeApproved, id, ackCode(rep)
		msg := "PayPal approved the payment"
		// 11610: "Payment Pending your review in Fraud Management
		// Filters" — the money is authorised but settles only once the
		// merchant accepts it.
		for i, e := range rep.Errors {
			if e.Code == "11610" {
				base.Outcome = app.OutcomeHeldForReview
				base.Code = fmt.Sprintf("L_ERRORCODE%d=11610", i)
				msg = "PayPal authorised the payment but holds it for review in the merchant's Fraud Management Filters"
			}
		}
		if a := rep.Get("AMT"); a != "" && a != formatOrEmpty(req) {
			msg += "; PayPal reports an amount of " + scrub(a) + " " + scrub(rep.Get("CURRENCYCODE"))
		}
		if avs, cvv := rep.Get("AVSCODE"), rep.Get("CVV2MATCH"); avs != "" || cvv != "" {
			msg += fmt.Sprintf(" (AVS %s, CVV2 %s)", scrub(avs), scrub(cvv))
		}
		if len(rep.Errors) > 0 {
			msg += "; warnings: " + describeErrors(rep.Errors)
		}
		base.Message = withCorrelation(msg, rep)
		return base
	case rep.Failure():
		i, ci := decisive(rep.Errors)
		if i >= 0 && ci.cls == clsDuplicateInvoice {
			return c.resolveDuplicate(ctx, req, base, rep, i)
		}
		return failureResult(base, rep)
	}
	base.Outcome, base.Code = app.OutcomeUnknown, ackCode(rep)
	base.Message = withCorrelation("PayPal answered with an unexpected ACK; the payment may have gone through", rep)
	return base
}

func formatOrEmpty(req app.SaleRequest) string {
	s, _ := formatAmount(req.Amount)
	return s
}

// resolveDuplicate handles 10412/10536: PayPal already holds a payment
// under this INVNUM. Since INVNUM is unique per attempt, that payment is
// an earlier send of this very attempt — it DID charge. It is never a
// decline. Sale asks TransactionSearch at once; if the payment is not
// visible yet, the answer is Unknown so that reconciliation finds it by
// INVNUM later, and the attempt is never charged again.
func (c *Client) resolveDuplicate(ctx context.Context, req app.SaleRequest, base app.Result, dup Reply, idx int) app.Result {
	code := errCode(idx, dup.Errors[idx].Code)
	r := c.searchSale(ctx, req.InvoiceID, req.Amount, time.Time{}, base)
	if r.Outcome == app.OutcomeApproved || r.Outcome == app.OutcomeHeldForReview {
		r.Code = code
		r.Message = withCorrelation("PayPal already held a payment for invoice "+req.InvoiceID+
			" (an earlier send of this attempt); it is reported instead of charging again. "+r.Message+". PayPal: "+describeErrors(dup.Errors), dup)
		return r
	}
	base.Outcome, base.Code = app.OutcomeUnknown, code
	base.Message = withCorrelation("PayPal says invoice "+req.InvoiceID+
		" is already paid, so an earlier send of this attempt charged the card, but the payment could not be found yet ("+
		r.Message+"); reconciliation will look it up by invoice number. Do not charge again. PayPal: "+describeErrors(dup.Errors), dup)
	return base
}

// markSent remembers when a sale with this INVNUM left, for the search-lag
// guard, and forgets entries older than the lag.
func (c *Client) markSent(inv string) {
	if c.searchLag <= 0 {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, t := range c.sent {
		if now.Sub(t) > c.searchLag {
			delete(c.sent, k)
		}
	}
	c.sent[inv] = now
}

// tooEarly reports whether a sale with this INVNUM was sent so recently
// that PayPal's search may not show it yet.
func (c *Client) tooEarly(inv string) (time.Duration, bool) {
	if c.searchLag <= 0 {
		return 0, false
	}
	c.mu.Lock()
	t, ok := c.sent[inv]
	c.mu.Unlock()
	if !ok {
		return 0, false
	}
	wait := c.searchLag - c.now().Sub(t)
	return wait, wait > 0
}

// Refund returns all or part of a sale with RefundTransaction. The
// request's Key is sent as MSGSUBID, PayPal's idempotency key for refunds:
// a resend with the same MSGSUBID returns the original's result (warning
// 11607) instead of refunding twice.
func (c *Client) Refund(ctx context.Context, req app.RefundRequest) app.Result {
	return c.finish(ctx, "Refund", req.Key, c.refund(ctx, req))
}

func (c *Client) refund(ctx context.Context, req app.RefundRequest) app.Result {
	if bad := followUpProblem(req.Key, req.OriginalRef, "a refund needs the sale's PayPal transaction id"); bad != "" {
		return badRequest(bad)
	}
	base := app.Result{}
	f := c.newCall("RefundTransaction")
	f.add("TRANSACTIONID", req.OriginalRef)
	if req.Full {
		// PayPal: "You can not specify a partial amount with a full
		// refund", so no AMT.
		f.add("REFUNDTYPE", "Full")
	} else {
		amt, err := formatAmount(req.Amount)
		if err != nil {
			return badRequest(err.Error())
		}
		f.add("REFUNDTYPE", "Partial")
		f.add("AMT", amt)
		f.add("CURRENCYCODE", req.Amount.CurrencyCode())
	}
	f.addOpt("NOTE", clip(req.Description, 255))
	f.add("MSGSUBID", req.Key)
	rep, fail := c.call(ctx, f)
	if fail != nil {
		return fail.result(base)
	}
	return idempotentReply(base, rep, "REFUNDTRANSACTIONID", "PayPal refunded the payment")
}

// followUpProblem is what is wrong with a refund's or void's key or the
// reference of what it follows up (noRef when it has none), "" for nothing.
func followUpProblem(key, ref, noRef string) string {
	if bad := checkKey(key); bad != "" {
		return bad
	}
	if ref == "" {
		return noRef
	}
	return ""
}

// badRequest is the result of a request refused before it was sent.
func badRequest(msg string) app.Result {
	return app.Result{Outcome: app.OutcomeNotProcessed, Code: "REQUEST", Message: msg}
}

// idempotentReply reads the answer to a call made with MSGSUBID.
func idempotentReply(base app.Result, rep Reply, refField, okMsg string) app.Result {
	switch {
	case rep.Success():
		base.Outcome, base.Reference, base.Code = app.OutcomeApproved, rep.Get(refField), ackCode(rep)
		msg := okMsg
		for i, e := range rep.Errors {
			// 11607 "Duplicate request for specified Message Submission
			// ID": the original went through; this is its result.
			if e.Code == "11607" {
				base.Duplicate = true
				base.Code = fmt.Sprintf("L_ERRORCODE%d=11607", i)
				msg += " (answer to an earlier send of the same request)"
			}
		}
		if s := rep.Get("REFUNDSTATUS"); s != "" {
			msg += "; refund status " + scrub(s)
			if p := rep.Get("PENDINGREASON"); p != "" && !strings.EqualFold(p, "None") {
				msg += ", pending: " + scrub(p)
			}
		}
		if len(rep.Errors) > 0 {
			msg += "; warnings: " + describeErrors(rep.Errors)
		}
		base.Message = withCorrelation(msg, rep)
		return base
	case rep.Failure():
		r := failureResult(base, rep)
		if r.Outcome == app.OutcomeApproved && r.Reference == "" {
			r.Reference = rep.Get("AUTHORIZATIONID")
		}
		return r
	}
	base.Outcome, base.Code = app.OutcomeUnknown, ackCode(rep)
	base.Message = withCorrelation("PayPal answered with an unexpected ACK; the request may have been processed", rep)
	return base
}

// checkKey validates an idempotency key for MSGSUBID: at most 38
// single-byte characters.
func checkKey(k string) string {
	if k == "" || len(k) > 38 {
		return "the request needs an idempotency key of 1 to 38 characters (MSGSUBID)"
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] > '~' {
			return "the idempotency key must be printable ASCII (MSGSUBID)"
		}
	}
	return ""
}

// Void cancels an authorisation with DoVoid, MSGSUBID = Key (documented
// for DoVoid since version 94.0). Sales made by this adapter use
// PAYMENTACTION=Sale and are captured at once, so PayPal will refuse to
// void them (Declined, "refund instead"); Void exists for the contract
// and for authorisations made elsewhere.
func (c *Client) Void(ctx context.Context, req app.VoidRequest) app.Result {
	return c.finish(ctx, "Void", req.Key, c.void(ctx, req))
}

func (c *Client) void(ctx context.Context, req app.VoidRequest) app.Result {
	if bad := followUpProblem(req.Key, req.OriginalRef, "a void needs the authorisation's PayPal id"); bad != "" {
		return badRequest(bad)
	}
	base := app.Result{}
	f := c.newCall("DoVoid")
	f.add("AUTHORIZATIONID", req.OriginalRef)
	f.add("MSGSUBID", req.Key)
	rep, fail := c.call(ctx, f)
	if fail != nil {
		return fail.result(base)
	}
	r := idempotentReply(base, rep, "AUTHORIZATIONID", "PayPal voided the authorisation")
	if r.Outcome == app.OutcomeApproved && r.Reference == "" {
		r.Reference = req.OriginalRef
	}
	return r
}

// Lookup settles an unknown outcome.
//
// Sale: TransactionSearch by INVNUM over the last LookupWindow. Exactly one
// payment, Completed or Pending → Approved with its TRANSACTIONID
// (Duplicate); none → NotFound, unless the sale left this client less than
// SearchLag ago (→ Unknown: PayPal's search may not show it yet); more
// than one, or a different amount → Unknown, for a person to check.
// A failure to ask → Unknown.
//
// Refund and void: the same RefundTransaction/DoVoid is sent again with
// the same MSGSUBID, which is PayPal's documented way to learn the
// original's result ("request the latest results for a previous request
// without generating a new request"). If the original never arrived, this
// send performs it — the money the original was meant to move, no more.
// PayPal may forget an MSGSUBID after 13 days; see the package doc.
func (c *Client) Lookup(ctx context.Context, req app.LookupRequest) app.Result {
	ref := req.InvoiceID
	if ref == "" {
		ref = req.Key
	}
	var r app.Result
	switch req.Kind {
	case app.LookupSale:
		r = c.lookupSale(ctx, req)
	case app.LookupRefund:
		rr := app.RefundRequest{Key: req.Key, OriginalRef: req.OriginalRef, Amount: req.Amount, Description: req.Description}
		// The lookup does not say whether the refund was full; an
		// amount-less lookup can only have been a full refund.
		rr.Full = req.Full || req.Amount.CurrencyCode() == "" || req.Amount.IsZero()
		r = c.refund(ctx, rr)
	case app.LookupVoid:
		r = c.void(ctx, app.VoidRequest{Key: req.Key, OriginalRef: req.OriginalRef})
	default:
		r = app.Result{Outcome: app.OutcomeUnknown, Code: "REQUEST", Message: "unknown lookup kind " + strconv.Quote(string(req.Kind))}
	}
	return c.finish(ctx, "Lookup/"+string(req.Kind), ref, r)
}

func (c *Client) lookupSale(ctx context.Context, req app.LookupRequest) app.Result {
	base := app.Result{}
	if req.InvoiceID == "" {
		base.Outcome, base.Code = app.OutcomeUnknown, "REQUEST"
		base.Message = "a sale can only be looked up by its invoice number, and the journal has none"
		return base
	}
	r := c.searchSale(ctx, req.InvoiceID, req.Amount, req.AttemptedAt, base)
	if r.Outcome == app.OutcomeNotFound {
		wait, early := c.tooEarly(req.InvoiceID)
		// The journal's own time of the attempt survives a restart, which
		// the client's memory of recent sends does not.
		if !early && c.searchLag > 0 && !req.AttemptedAt.IsZero() {
			if since := c.now().Sub(req.AttemptedAt); since < c.searchLag {
				wait, early = c.searchLag-since, true
			}
		}
		if early {
			r.Outcome = app.OutcomeUnknown
			r.Message += fmt.Sprintf("; the sale was sent too recently for PayPal's search to be trusted, look again in %s", wait.Round(time.Second))
		}
	}
	return r
}

// row is one TransactionSearch result.
type row struct {
	n                         int
	id, status, typ, amt, cur string
}

// searchSale asks TransactionSearch for the payments carrying INVNUM and
// judges them.
func (c *Client) searchSale(ctx context.Context, inv string, want currency.Amount, attempted time.Time, base app.Result) app.Result {
	f := c.newCall("TransactionSearch")
	start := c.now().UTC().Add(-LookupWindow)
	if !attempted.IsZero() && attempted.Add(-time.Hour).After(start) {
		// An hour before the attempt covers clock skew between this
		// machine and PayPal.
		start = attempted.UTC().Add(-time.Hour)
	}
	f.add("STARTDATE", start.Format("2006-01-02T15:04:05Z"))
	f.add("INVNUM", inv)
	rep, fail := c.call(ctx, f)
	if fail != nil {
		base.Outcome, base.Code = app.OutcomeUnknown, fail.code
		base.Message = "could not ask PayPal about invoice " + inv + ": " + fail.msg
		return base
	}
	if !rep.Success() {
		base.Outcome, base.Code = app.OutcomeUnknown, ackCode(rep)
		if i, _ := decisive(rep.Errors); i >= 0 {
			base.Code = errCode(i, rep.Errors[i].Code)
		}
		base.Message = withCorrelation("PayPal's transaction search failed: "+describeErrors(rep.Errors), rep)
		return base
	}
	var payments []row
	for n := 0; ; n++ {
		i := strconv.Itoa(n)
		id, ok := rep.Fields["L_TRANSACTIONID"+i]
		if !ok {
			break
		}
		r := row{n, id, rep.Get("L_STATUS" + i), rep.Get("L_TYPE" + i), rep.Get("L_AMT" + i), rep.Get("L_CURRENCYCODE" + i)}
		// A refund of the payment can carry the same invoice number; it
		// shows as type Refund with a negative amount.
		if (r.typ == "" || strings.EqualFold(r.typ, "Payment")) && !strings.HasPrefix(strings.TrimSpace(r.amt), "-") {
			payments = append(payments, r)
		}
	}
	switch len(payments) {
	case 0:
		base.Outcome, base.Code = app.OutcomeNotFound, "L_TRANSACTIONID=none"
		base.Message = withCorrelation("PayPal has no payment with invoice number "+inv, rep)
		return base
	case 1:
	default:
		ids := make([]string, len(payments))
		for i, p := range payments {
			ids[i] = p.id // PayPal ids, not card data
		}
		base.Outcome, base.Code = app.OutcomeUnknown, "L_TRANSACTIONID=multiple"
		base.Message = withCorrelation(fmt.Sprintf("PayPal holds %d payments with invoice number %s (%s): possible double charge, check them in PayPal",
			len(payments), inv, strings.Join(ids, ", ")), rep)
		return base
	}
	p := payments[0]
	base.Reference, base.Code = p.id, fmt.Sprintf("L_STATUS%d=%s", p.n, scrub(p.status))
	if mismatch := amountMismatch(p, want); mismatch != "" {
		base.Outcome = app.OutcomeUnknown
		base.Message = withCorrelation("PayPal holds payment "+p.id+" for invoice "+inv+" but "+mismatch+": check it in PayPal", rep)
		return base
	}
	switch strings.ToLower(p.status) {
	case "completed", "success", "pending", "processing", "refunded", "partially refunded", "reversed", "canceled_reversal":
		// Refunded or reversed later, but the sale itself charged.
		base.Outcome, base.Duplicate = app.OutcomeApproved, true
		base.Message = withCorrelation("PayPal holds payment "+p.id+" for invoice "+inv+", status "+scrub(p.status), rep)
	case "denied", "failed", "voided", "expired":
		base.Outcome = app.OutcomeDeclined
		base.Message = withCorrelation("PayPal holds payment "+p.id+" for invoice "+inv+" with status "+scrub(p.status)+": no money moved", rep)
	default:
		base.Outcome = app.OutcomeUnknown
		base.Message = withCorrelation("PayPal holds payment "+p.id+" for invoice "+inv+" with unexpected status "+scrub(p.status), rep)
	}
	return base
}

// amountMismatch compares a search row with the journalled amount ("" when
// they agree or there is nothing to compare).
func amountMismatch(p row, want currency.Amount) string {
	if want.CurrencyCode() == "" {
		return ""
	}
	if p.cur != "" && !strings.EqualFold(p.cur, want.CurrencyCode()) {
		return "in currency " + scrub(p.cur) + " instead of " + want.CurrencyCode()
	}
	got, err := parseDecimal(p.amt)
	if err != nil {
		return ""
	}
	exp, err := parseDecimal(want.Number())
	if err != nil || got == exp {
		return ""
	}
	return "for " + scrub(p.amt) + " instead of " + want.Number()
}

// parseDecimal normalises "1,000.50" and "1000.5" alike to a canonical
// string for comparison.
func parseDecimal(s string) (string, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" || !allDigits([]byte(intPart)) || (frac != "" && !allDigits([]byte(frac))) {
		return "", errors.New("not a decimal")
	}
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	return intPart + "." + frac, nil
}

// TestConnection checks the credentials with GetBalance, which moves no
// money: Approved means PayPal accepted them; MerchantConfig means it did
// not (10002 Security error and friends); NotProcessed/Unknown mean PayPal
// could not be asked.
func (c *Client) TestConnection(ctx context.Context) app.Result {
	f := c.newCall("GetBalance")
	rep, fail := c.call(ctx, f)
	var r app.Result
	switch {
	case fail != nil:
		r = fail.result(r)
	case rep.Success():
		r.Outcome, r.Code = app.OutcomeApproved, ackCode(rep)
		r.Message = withCorrelation("PayPal accepted the API credentials", rep)
	case rep.Failure():
		r = failureResult(r, rep)
	default:
		r.Outcome, r.Code = app.OutcomeUnknown, ackCode(rep)
		r.Message = withCorrelation("PayPal answered with an unexpected ACK", rep)
	}
	return c.finish(ctx, "TestConnection", "", r)
}
