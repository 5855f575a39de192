package paypalrest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bojanz/currency"
	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/internal/paypalapi"
	"github.com/trainpay/trainpay/app/money"
)

const (
	// SandboxBase and LiveBase are the Orders v2 hosts named by PayPal's
	// spec. plutov v4.8.0's constants still name the older api.* hosts.
	SandboxBase = paypalapi.SandboxBase
	LiveBase    = paypalapi.LiveBase

	// ApprovalWindow is how long the buyer has to approve an order
	// (3 hours by default).
	ApprovalWindow = 3 * time.Hour
	// DefaultPollInterval is how often the order is read while waiting
	// for approval. PayPal's rate limits for orders.get are unconfirmed;
	// ten seconds keeps a three-hour wait near a thousand calls.
	DefaultPollInterval = 10 * time.Second
	// DefaultTimeout bounds one HTTP exchange.
	DefaultTimeout = paypalapi.DefaultTimeout
	// DefaultRetries is how many times a call whose answer was lost is
	// sent again under the same PayPal-Request-Id before Unknown.
	DefaultRetries = paypalapi.DefaultRetries
	// DefaultRetryDelay is the pause before such a resend.
	DefaultRetryDelay = paypalapi.DefaultRetryDelay
	// RequestIDLifetime is how long PayPal keeps a PayPal-Request-Id
	// (spec: "The server stores keys for 6 hours").
	RequestIDLifetime = 6 * time.Hour
	// refundReplayWindow: a refund is looked up by resending it under its
	// key only while PayPal surely still knows the key; later a resend
	// could refund again.
	refundReplayWindow = RequestIDLifetime - time.Hour
	// captureGuard: an order found APPROVED within this time after a send
	// of its capture ended may still be capturing at PayPal.
	captureGuard = 2 * time.Minute
)

// BaseFor returns the sandbox host in Test mode and the live one otherwise.
func BaseFor(test bool) string {
	if test {
		return SandboxBase
	}
	return LiveBase
}

// Config is a PayPal REST app's credentials and the client's settings.
type Config struct {
	BaseURL   string // SandboxBase, LiveBase or a loopback server
	ClientID  string
	Secret    string
	BrandName string // shown to the buyer on PayPal's pages (the site's name)
	Timeout   time.Duration
	// PollInterval: see DefaultPollInterval.
	PollInterval time.Duration
	// ApprovalWindow: see ApprovalWindow; 0 means ApprovalWindow.
	ApprovalWindow time.Duration
	// Retries: see DefaultRetries; a negative value means none.
	Retries    int
	RetryDelay time.Duration
	// Logger receives one line per call: operation, ids, outcome, codes,
	// PayPal's debug_id. Never a token, a secret or a body. nil: no log.
	Logger *slog.Logger
}

// Client speaks Orders v2. It is safe for concurrent use: each operation
// makes its own plutov client (see the package doc).
type Client struct {
	cfg  Config
	conn *paypalapi.Conn
	log  *slog.Logger
	now  func() time.Time

	mu          sync.Mutex
	captureSent map[string]time.Time // order id → when this process last sent its capture
}

var _ app.Gateway = (*Client)(nil)

// New checks the configuration and returns a client. Plain HTTP is allowed
// to a loopback address only (tests and the offline sandbox).
func New(cfg Config) (*Client, error) {
	conn, err := paypalapi.Open(paypalapi.Settings{
		BaseURL: cfg.BaseURL, ClientID: cfg.ClientID, Secret: cfg.Secret,
		Timeout: cfg.Timeout, Retries: cfg.Retries, RetryDelay: cfg.RetryDelay, Logger: cfg.Logger,
	}, "error.gateway.paypalrest.config")
	if err != nil {
		return nil, err
	}
	cfg.Timeout, cfg.Retries, cfg.RetryDelay = conn.Timeout, conn.Retries, conn.RetryDelay
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.ApprovalWindow <= 0 {
		cfg.ApprovalWindow = ApprovalWindow
	}
	if cfg.BrandName == "" {
		cfg.BrandName = "TrainPay"
	}
	cfg.BrandName = truncate(cfg.BrandName, 127)
	return &Client{cfg: cfg, conn: conn, log: conn.Log, now: time.Now, captureSent: map[string]time.Time{}}, nil
}

var truncate = paypalapi.Truncate

// api returns a plutov client for one operation.
func (c *Client) api() *paypal.Client { return c.conn.API() }

// wireAmount writes an amount with exactly the currency's digits.
func wireAmount(a currency.Amount) (string, error) {
	minor, err := money.ToMinor(a)
	if err != nil {
		return "", err
	}
	if minor <= 0 {
		return "", errors.New("the amount must be above zero")
	}
	d := int(money.Digits(a.CurrencyCode()))
	s := strconv.FormatInt(minor, 10)
	if d == 0 {
		return s, nil
	}
	for len(s) <= d {
		s = "0" + s
	}
	return s[:len(s)-d] + "." + s[len(s)-d:], nil
}

// --- Sale ------------------------------------------------------------------

// Sale creates an order, shows the buyer its approve link, waits for the
// approval and captures it. See the package doc.
func (c *Client) Sale(ctx context.Context, req app.SaleRequest) app.Result {
	if req.Card != nil {
		return notProcessed("NO-CARDS", "card payments do not go through PayPal Express Checkout")
	}
	if req.Approval == nil || req.Approval.Show == nil {
		return notProcessed("NO-APPROVAL", "PayPal needs the buyer to approve in a browser, and no screen is there to show the link")
	}
	if req.Key == "" || len(req.Key) > 100 {
		return notProcessed("KEY", "the payment's idempotency key is missing or too long")
	}
	value, err := wireAmount(req.Amount)
	if err != nil {
		return notProcessed("AMOUNT", "the amount cannot be sent to PayPal: "+err.Error())
	}
	ln, err := listen(req.Approval.Page)
	if err != nil {
		return notProcessed("LISTEN", "cannot listen on 127.0.0.1 for PayPal's return: "+err.Error())
	}
	defer ln.close()
	pc := c.api()

	order, res := c.createOrder(ctx, pc, req, value, ln)
	if order == nil {
		return res
	}
	ln.expect(order.ID)
	if req.RecordReference != nil {
		if err := req.RecordReference(order.ID); err != nil {
			return notProcessed("JOURNAL", "the PayPal order could not be recorded, so it is not captured: "+app.ErrorText(err))
		}
	}
	approve := approveLink(order)
	if approve == "" {
		return notProcessed("NO-APPROVE-LINK", "PayPal's order has no approve link")
	}
	expires := c.now().Add(c.cfg.ApprovalWindow)
	req.Approval.Show(app.ApprovalLink{URL: approve, Reference: order.ID, Expires: expires})
	return c.await(ctx, pc, req, order.ID, ln, expires)
}

func approveLink(o *paypal.Order) string {
	for _, rel := range []string{"approve", "payer-action"} {
		for _, l := range o.Links {
			if l.Rel == rel && l.Href != "" {
				return l.Href
			}
		}
	}
	return ""
}

// createOrder sends the order, resending it under the same request id when
// the answer is lost. An order moves no money, so a failure is NotProcessed.
func (c *Client) createOrder(ctx context.Context, pc *paypal.Client, req app.SaleRequest, value string, ln *approvalListener) (*paypal.Order, app.Result) {
	units := []paypal.PurchaseUnitRequest{{
		Amount:      &paypal.PurchaseUnitAmount{Currency: req.Amount.CurrencyCode(), Value: value},
		Description: truncate(strings.TrimSpace(req.Description), 127),
		InvoiceID:   req.InvoiceID,
		CustomID:    req.Key,
	}}
	appCtx := &paypal.ApplicationContext{
		BrandName:          c.cfg.BrandName,
		ShippingPreference: paypal.ShippingPreferenceNoShipping,
		UserAction:         paypal.UserActionPayNow,
		ReturnURL:          ln.returnURL(),
		CancelURL:          ln.cancelURL(),
	}
	var last app.Result
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 && !c.conn.Pause(ctx) {
			break
		}
		cctx, calls := paypalapi.WithCalls(ctx)
		order, err := pc.CreateOrderWithPaypalRequestID(cctx, paypal.OrderIntentCapture, units, nil, appCtx, req.Key)
		if err == nil && order != nil && order.ID != "" {
			c.log.Info("paypal order created", "order", order.ID, "status", order.Status)
			return order, app.Result{}
		}
		f := classify(err, calls)
		if err == nil {
			f = failure{paypalapi.Fault{Outcome: app.OutcomeUnknown, Code: "NO-ORDER-ID", Message: "PayPal's reply has no order id"}}
		}
		c.log.Warn("paypal create order failed", "outcome", f.Outcome, "code", f.Code, "debug_id", f.DebugID)
		last = f.result()
		if f.Outcome != app.OutcomeUnknown && f.Outcome != app.OutcomeNotProcessed {
			break
		}
	}
	// Nothing was captured: whatever became of the order, it moves no money.
	if last.Outcome == app.OutcomeUnknown || last.Outcome == "" {
		last.Outcome = app.OutcomeNotProcessed
		last.Message = strings.TrimSpace(last.Message + " No order could be created; nothing was charged.")
	}
	if last.Outcome == app.OutcomeDeclined || last.Outcome == app.OutcomeInvalidCard {
		last.Outcome = app.OutcomeNotProcessed
	}
	return nil, last
}

// Codes of the attempts that end with nothing captured while waiting.
const (
	CodeCancelledInApp = app.CodeApprovalCancelledInApp
	CodeCancelled      = app.CodeApprovalCancelled
	CodeExpired        = app.CodeApprovalExpired
	CodeVoided         = "PAYPAL=ORDER-VOIDED"
)

// await waits for the approval (redirect or polling) and captures.
func (c *Client) await(ctx context.Context, pc *paypal.Client, req app.SaleRequest, orderID string, ln *approvalListener, expires time.Time) app.Result {
	deadline := time.NewTimer(expires.Sub(c.now()))
	defer deadline.Stop()
	poll := time.NewTimer(c.cfg.PollInterval)
	defer poll.Stop()
	for {
		capture := false
		select {
		case <-ctx.Done():
			c.log.Info("paypal approval cancelled in the app", "order", orderID)
			return declined(CodeCancelledInApp, "the payment was cancelled in TrainPay before PayPal captured it; nothing was charged", orderID)
		case <-deadline.C:
			return declined(CodeExpired, "the buyer did not approve the payment in PayPal within the approval window; nothing was charged", orderID)
		case ev := <-ln.events:
			if ev.cancelled {
				c.log.Info("paypal approval cancelled by the buyer", "order", orderID)
				return declined(CodeCancelled, "the buyer cancelled in PayPal; nothing was charged", orderID)
			}
			capture = true
		case <-poll.C:
			poll.Reset(c.cfg.PollInterval)
			o, err := pc.GetOrder(ctx, orderID)
			if err != nil {
				if ctx.Err() == nil {
					f := classify(err, nil)
					c.log.Warn("paypal order poll failed", "order", orderID, "code", f.Code, "debug_id", f.DebugID)
				}
				continue
			}
			switch o.Status {
			case paypal.OrderStatusApproved:
				capture = true
			case paypal.OrderStatusCompleted:
				// Captured already (by an earlier capture of this attempt
				// whose answer was lost): report it.
				return c.fromOrder(o, true)
			case paypal.OrderStatusVoided:
				return declined(CodeVoided, "PayPal voided the order; nothing was charged", orderID)
			}
		}
		if !capture {
			continue
		}
		res, waiting := c.capture(ctx, pc, orderID, req.Key, req.RecordCaptureStart)
		if !waiting {
			return res
		}
	}
}

// captureRequestID is the capture's own PayPal-Request-Id, derived from
// the journal key so that every resend of it carries the same one.
func captureRequestID(key string) string { return key + "-capture" }

// capture sends the capture, resending it under its request id when the
// answer is lost. waiting is true when PayPal says the order is not
// approved yet. Once started it is not abandoned on ctx's cancellation.
// record (the journal's RecordCaptureStart) is called before the first
// send; if it fails nothing is sent.
func (c *Client) capture(ctx context.Context, pc *paypal.Client, orderID, key string, record func() error) (res app.Result, waiting bool) {
	cctx := context.WithoutCancel(ctx)
	if record != nil {
		if err := record(); err != nil {
			r := notProcessed("JOURNAL", "the capture's start could not be recorded, so it was not sent: "+app.ErrorText(err))
			r.Reference = orderID
			return r, false
		}
	}
	var last failure
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 && !c.conn.Pause(cctx) {
			break
		}
		c.mu.Lock()
		c.captureSent[orderID] = c.now()
		c.mu.Unlock()
		out, err := c.sendCapture(cctx, pc, orderID, captureRequestID(key))
		if err == nil {
			r := c.fromCapture(out, orderID)
			c.log.Info("paypal capture", "order", orderID, "capture", r.Reference, "outcome", r.Outcome, "code", r.Code)
			return r, false
		}
		f := classify(err, nil)
		c.log.Warn("paypal capture failed", "order", orderID, "outcome", f.Outcome, "code", f.Code, "debug_id", f.DebugID)
		switch f.Issue {
		case "ORDER_NOT_APPROVED":
			return app.Result{}, true
		case "ORDER_ALREADY_CAPTURED":
			// A resend of a capture that went through: confirm by reading.
			r := c.confirm(cctx, pc, orderID)
			if r.Outcome == app.OutcomeNotFound {
				r.Outcome = app.OutcomeUnknown // PayPal contradicts itself: a person looks
			}
			return r, false
		case "ORDER_COMPLETION_IN_PROGRESS":
			last = f
			last.Outcome = app.OutcomeUnknown
			continue
		}
		if f.Outcome != app.OutcomeUnknown && f.Outcome != app.OutcomeNotProcessed {
			if f.Outcome == app.OutcomeDeclined && f.Issue != "" {
				f.Message = declineAdvice(f.Issue) + " " + f.Message
			}
			r := f.result()
			r.Reference = orderID
			return r, false
		}
		last = f
	}
	// Every send was lost. Read the order: it says whether one got through.
	if r := c.confirm(cctx, pc, orderID); r.Outcome != app.OutcomeNotFound {
		return r, false
	}
	r := last.result()
	r.Outcome = app.OutcomeUnknown // one of the sends may still complete
	r.Reference = orderID
	return r, false
}

// sendCapture posts the capture through the library's exported request
// helpers (see the package doc: CaptureOrderWithPaypalRequestId's sticky
// Prefer flag and null payment_source).
func (c *Client) sendCapture(ctx context.Context, pc *paypal.Client, orderID, requestID string) (*paypal.CaptureOrderResponse, error) {
	httpReq, err := pc.NewRequest(ctx, http.MethodPost, c.conn.Base+"/v2/checkout/orders/"+url.PathEscape(orderID)+"/capture", struct{}{})
	if err != nil {
		return nil, err
	}
	httpReq.Header.Set("PayPal-Request-Id", requestID)
	httpReq.Header.Set("Prefer", "return=representation")
	out := &paypal.CaptureOrderResponse{}
	if err := pc.SendWithAuth(httpReq, out); err != nil {
		return nil, err
	}
	return out, nil
}

// confirm reads the order after a capture whose answer is missing or
// reported as a duplicate. NotFound means no capture is there.
func (c *Client) confirm(ctx context.Context, pc *paypal.Client, orderID string) app.Result {
	o, err := pc.GetOrder(ctx, orderID)
	if err != nil {
		f := classify(err, nil)
		r := f.result()
		r.Outcome = app.OutcomeUnknown
		r.Reference = orderID
		return r
	}
	return c.fromOrder(o, true)
}

// fromOrder reads an order's capture.
func (c *Client) fromOrder(o *paypal.Order, duplicate bool) app.Result {
	for _, pu := range o.PurchaseUnits {
		if pu.Payments == nil {
			continue
		}
		for _, cp := range pu.Payments.Captures {
			r := captureResult(cp.Status, cp.ID, o.ID)
			r.Duplicate = duplicate
			return r
		}
	}
	return app.Result{
		Outcome: app.OutcomeNotFound, Code: "ORDER=" + o.Status, Reference: o.ID,
		Message: "PayPal's order " + o.ID + " is " + o.Status + " and has no capture",
	}
}

func (c *Client) fromCapture(out *paypal.CaptureOrderResponse, orderID string) app.Result {
	for _, pu := range out.PurchaseUnits {
		if pu.Payments == nil {
			continue
		}
		for _, cp := range pu.Payments.Captures {
			return captureResult(cp.Status, cp.ID, orderID)
		}
	}
	// A 2xx without a capture: not an answer we can trust either way.
	return app.Result{
		Outcome: app.OutcomeUnknown, Code: "ORDER=" + out.Status, Reference: orderID,
		Message: "PayPal answered the capture without a capture record; reconciliation reads the order",
	}
}

func captureResult(status, id, orderID string) app.Result {
	r := app.Result{Reference: id, Code: "CAPTURE=" + status, Message: "order " + orderID + ", capture " + status}
	switch status {
	case "COMPLETED":
		r.Outcome = app.OutcomeApproved
	case "PENDING":
		// Money is on its way but held (e.g. the merchant's review).
		r.Outcome = app.OutcomeHeldForReview
	case "DECLINED", "FAILED":
		r.Outcome = app.OutcomeDeclined
		r.Reference = orderID
	case "REFUNDED", "PARTIALLY_REFUNDED":
		r.Outcome = app.OutcomeApproved // captured, and refunded since
	default:
		r.Outcome = app.OutcomeUnknown
		r.Reference = orderID
	}
	return r
}

func declineAdvice(issue string) string {
	switch issue {
	case "INSTRUMENT_DECLINED", "PAYER_CANNOT_PAY":
		return "PayPal declined the buyer's funding source: choose another way to pay."
	}
	return "PayPal refused the capture."
}

func notProcessed(code, msg string) app.Result {
	return app.Result{Outcome: app.OutcomeNotProcessed, Code: "PAYPAL=" + code, Message: msg}
}

func declined(code, msg, ref string) app.Result {
	return app.Result{Outcome: app.OutcomeDeclined, Code: code, Message: msg, Reference: ref}
}

// --- Refund, Void -----------------------------------------------------------

// Refund returns all or part of a capture under the refund's own key.
func (c *Client) Refund(ctx context.Context, req app.RefundRequest) app.Result {
	if req.OriginalRef == "" || req.Key == "" {
		return notProcessed("REFUND-REF", "the refund lacks the capture's reference or its key")
	}
	body := paypal.RefundCaptureRequest{NoteToPayer: truncate(strings.TrimSpace(req.Description), 255)}
	if !req.Full {
		value, err := wireAmount(req.Amount)
		if err != nil {
			return notProcessed("AMOUNT", "the refund amount cannot be sent to PayPal: "+err.Error())
		}
		body.Amount = &paypal.Money{Currency: req.Amount.CurrencyCode(), Value: value}
	}
	return c.refund(ctx, req.OriginalRef, req.Key, body, false)
}

func (c *Client) refund(ctx context.Context, captureID, key string, body paypal.RefundCaptureRequest, lookup bool) app.Result {
	pc := c.api()
	var last failure
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 && !c.conn.Pause(ctx) {
			break
		}
		out, err := pc.RefundCaptureWithPaypalRequestId(ctx, captureID, body, key)
		if err == nil {
			r := app.Result{Reference: out.ID, Code: "REFUND=" + out.Status, Message: "refund " + out.Status, Duplicate: lookup}
			switch out.Status {
			case "COMPLETED", "PENDING":
				r.Outcome = app.OutcomeApproved
			case "CANCELLED", "FAILED":
				r.Outcome = app.OutcomeDeclined
			default:
				r.Outcome = app.OutcomeUnknown
			}
			c.log.Info("paypal refund", "capture", captureID, "refund", out.ID, "outcome", r.Outcome)
			return r
		}
		last = classify(err, nil)
		c.log.Warn("paypal refund failed", "capture", captureID, "outcome", last.Outcome, "code", last.Code, "debug_id", last.DebugID)
		if last.Outcome != app.OutcomeUnknown && last.Outcome != app.OutcomeNotProcessed {
			break
		}
	}
	return last.result()
}

// Void is refused: an Express Checkout order is captured at once.
func (c *Client) Void(ctx context.Context, req app.VoidRequest) app.Result {
	return declined("PAYPAL=VOID-NOT-SUPPORTED", "a PayPal payment is captured at once and cannot be voided: refund it instead", req.OriginalRef)
}

// --- Lookup -----------------------------------------------------------------

// captureMayRun says how much longer a capture of orderID may still be
// running at PayPal, judged by the later of two times: this process's last
// send of it (kept in memory: the send may last the timeout, and PayPal may
// finish it captureGuard later), and the journal's record of when a
// capture run last started, which survives a restart (the run may resend
// the capture Retries times, each send lasting the timeout, with pauses
// between). Zero: no capture can still be running.
func (c *Client) captureMayRun(orderID string, journalled time.Time) time.Duration {
	var until time.Time
	c.mu.Lock()
	sent, ok := c.captureSent[orderID]
	c.mu.Unlock()
	if ok {
		until = sent.Add(c.cfg.Timeout + captureGuard)
	}
	if !journalled.IsZero() {
		run := time.Duration(c.cfg.Retries+1)*c.cfg.Timeout + time.Duration(c.cfg.Retries)*c.cfg.RetryDelay
		if u := journalled.Add(run + captureGuard); u.After(until) {
			until = u
		}
	}
	return max(until.Sub(c.now()), 0)
}

// Lookup settles a sale by reading its order, and a refund by resending it
// under its own key while PayPal keeps the key.
func (c *Client) Lookup(ctx context.Context, req app.LookupRequest) app.Result {
	switch req.Kind {
	case app.LookupSale:
		if req.OriginalRef == "" {
			// The order id is journalled before the approve link is shown,
			// and capture needs it: with none recorded, nothing was captured.
			return app.Result{
				Outcome: app.OutcomeNotFound, Code: "PAYPAL=NO-ORDER",
				Message: "no PayPal order was recorded for this attempt, so none was captured",
			}
		}
		o, err := c.api().GetOrder(ctx, req.OriginalRef)
		if err != nil {
			f := classify(err, nil)
			r := f.result()
			r.Outcome = app.OutcomeUnknown
			return r
		}
		r := c.fromOrder(o, true)
		if r.Outcome == app.OutcomeNotFound && o.Status == paypal.OrderStatusApproved {
			if wait := c.captureMayRun(o.ID, req.CaptureStartedAt); wait > 0 {
				r.Outcome = app.OutcomeUnknown
				r.Message = "the order is approved and its capture was started moments ago, so it may still complete: look again in " +
					wait.Round(time.Second).String()
			} else {
				// Approved but never captured: the app that waited for it
				// is gone. Nothing is charged, and nothing captures it now.
				r.Message += "; the buyer approved it but it was never captured, so nothing was charged"
			}
		}
		return r
	case app.LookupRefund:
		if req.OriginalRef == "" || req.Key == "" {
			return app.Result{Outcome: app.OutcomeUnknown, Message: "the journal lacks the refund's capture reference or key"}
		}
		if !req.AttemptedAt.IsZero() && c.now().Sub(req.AttemptedAt) > refundReplayWindow {
			return app.Result{
				Outcome: app.OutcomeUnknown, Code: "PAYPAL=REQUEST-ID-EXPIRED",
				Message: "PayPal no longer keeps this refund's request id; check the capture's refunds in PayPal",
			}
		}
		body := paypal.RefundCaptureRequest{NoteToPayer: truncate(strings.TrimSpace(req.Description), 255)}
		if !req.Full {
			value, err := wireAmount(req.Amount)
			if err != nil {
				return app.Result{Outcome: app.OutcomeUnknown, Message: "the journal's refund amount cannot be sent"}
			}
			body.Amount = &paypal.Money{Currency: req.Amount.CurrencyCode(), Value: value}
		}
		r := c.refund(ctx, req.OriginalRef, req.Key, body, true)
		if r.Outcome == app.OutcomeNotProcessed {
			r.Outcome = app.OutcomeUnknown
		}
		return r
	case app.LookupVoid:
		return app.Result{Outcome: app.OutcomeNotFound, Message: "PayPal payments are never voided"}
	}
	return app.Result{Outcome: app.OutcomeUnknown, Message: fmt.Sprintf("unknown lookup kind %.20q", req.Kind)}
}

// TestConnection asks for an access token.
func (c *Client) TestConnection(ctx context.Context) app.Result {
	cctx, calls := paypalapi.WithCalls(ctx)
	_, err := c.api().GetAccessToken(cctx)
	if err == nil {
		return app.Result{Outcome: app.OutcomeApproved, Code: "OAUTH=OK"}
	}
	f := classify(err, calls)
	if f.Outcome == app.OutcomeUnknown {
		f.Outcome = app.OutcomeNotProcessed
	}
	return f.result()
}
