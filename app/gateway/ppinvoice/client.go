package ppinvoice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bojanz/currency"
	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/internal/paypalapi"
	"github.com/trainpay/trainpay/app/money"
)

const (
	// SandboxBase and LiveBase are the hosts named by PayPal's spec.
	SandboxBase = paypalapi.SandboxBase
	LiveBase    = paypalapi.LiveBase

	// DefaultTimeout bounds one HTTP exchange.
	DefaultTimeout = paypalapi.DefaultTimeout
	// DefaultRetries is how many times a call whose answer was lost is
	// sent again under the same PayPal-Request-Id.
	DefaultRetries = paypalapi.DefaultRetries
	// DefaultRetryDelay is the pause before such a resend.
	DefaultRetryDelay = paypalapi.DefaultRetryDelay
	// maxNumber is search_data.invoice_number's maxLength: a longer
	// number could be created but never found by search.
	maxNumber = 25
)

// Config is a PayPal REST app's credentials and the client's settings.
type Config struct {
	BaseURL  string // SandboxBase, LiveBase or a loopback server
	ClientID string
	Secret   string
	// BrandName is the invoicer's business name on the invoice.
	BrandName string
	Timeout   time.Duration
	// Retries: see DefaultRetries; a negative value means none.
	Retries    int
	RetryDelay time.Duration
	// Logger receives one line per call: operation, ids, outcome, codes,
	// PayPal's debug_id. Never a token, a secret, a body or an address.
	Logger *slog.Logger
}

// Client speaks Invoicing v2 (and Payments v2's capture refund). It is safe
// for concurrent use: each call makes its own plutov client.
type Client struct {
	cfg  Config
	conn *paypalapi.Conn
	log  *slog.Logger
}

// New checks the configuration and returns a client. Plain HTTP is allowed
// to a loopback address only (tests and the offline sandbox).
func New(cfg Config) (*Client, error) {
	conn, err := paypalapi.Open(paypalapi.Settings{
		BaseURL: cfg.BaseURL, ClientID: cfg.ClientID, Secret: cfg.Secret,
		Timeout: cfg.Timeout, Retries: cfg.Retries, RetryDelay: cfg.RetryDelay, Logger: cfg.Logger,
	}, "error.gateway.ppinvoice.config")
	if err != nil {
		return nil, err
	}
	cfg.Timeout, cfg.Retries, cfg.RetryDelay = conn.Timeout, conn.Retries, conn.RetryDelay
	cfg.BrandName = truncate(strings.TrimSpace(cfg.BrandName), 300)
	return &Client{cfg: cfg, conn: conn, log: conn.Log}, nil
}

func invalid(format string, args ...any) error {
	return app.Errorf(app.EINVALID, "error.gateway.ppinvoice.draft", format, args...)
}

var truncate = paypalapi.Truncate

// call sends one request through plutov's authenticated helpers, with
// PayPal-Request-Id when requestID is set, and decodes a 2xx body into out
// (nil: the body is not read). Lost answers are resent under the same
// request id, Retries times; a call without a request id is resent only
// when it is a read (GET or search) or did not reach PayPal.
func (c *Client) call(ctx context.Context, op, method, path, requestID string, body, out any, resendable bool) error {
	pc := c.conn.API()
	var last *Error
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 && !c.conn.Pause(ctx) {
			break
		}
		cctx, cs := paypalapi.WithCalls(ctx)
		var payload any
		if body != nil {
			payload = body
		}
		req, err := pc.NewRequest(cctx, method, c.conn.Base+path, payload)
		if err != nil {
			return &Error{Op: op, Outcome: app.OutcomeNotProcessed, Code: "REQUEST", Message: err.Error()}
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if requestID != "" {
			req.Header.Set("PayPal-Request-Id", requestID)
		}
		if op == "create" {
			req.Header.Set("Prefer", "return=representation")
		}
		// plutov decodes every 2xx body into out, and fails on an empty
		// one: decode by hand so a 204 (remind, cancel) reads as success.
		var raw json.RawMessage
		err = pc.SendWithAuth(req, &rawBody{&raw})
		if err == nil {
			if out != nil {
				if len(raw) == 0 {
					return &Error{Op: op, Outcome: app.OutcomeUnknown, Code: "EMPTY", Message: "PayPal's answer had no body"}
				}
				if err := json.Unmarshal(raw, out); err != nil {
					return &Error{Op: op, Outcome: app.OutcomeUnknown, Code: "BODY", Message: "PayPal's answer could not be read: " + err.Error()}
				}
			}
			c.log.Info("paypal invoicing", "op", op, "outcome", "ok")
			return nil
		}
		last = classify(op, err, cs)
		c.log.Warn("paypal invoicing failed", "op", op, "outcome", last.Outcome, "code", last.Code, "debug_id", last.DebugID)
		switch {
		case last.Outcome == app.OutcomeNotProcessed && (last.Code == "CONNECT" || last.Code == "OAUTH=FAILED"):
			// Did not reach PayPal: always safe to send again.
		case last.Outcome == app.OutcomeUnknown && (requestID != "" || resendable):
		default:
			return last
		}
	}
	if last == nil {
		return &Error{Op: op, Outcome: app.OutcomeNotProcessed, Code: "CANCELLED", Message: context.Cause(ctx).Error()}
	}
	return last
}

// rawBody takes a response body whole, whatever it holds (plutov's Send
// copies into an io.Writer).
type rawBody struct{ dst *json.RawMessage }

func (r *rawBody) Write(p []byte) (int, error) {
	*r.dst = append(*r.dst, p...)
	return len(p), nil
}

// --- create -------------------------------------------------------------------

// Draft is what an invoice for one registration says.
type Draft struct {
	// RequestID is the create's PayPal-Request-Id: the same on every resend
	// and after a restart, so that PayPal makes one invoice. Empty: it is
	// "trainpay-invoice-" + Number.
	RequestID string
	Number    string // the registration's confirmation number (at most 25 characters: search's limit)
	Item      string // the session's title: the one item
	ItemDate  time.Time
	// Amount is what the attendee owes: the session's fee after the
	// promotional code. Above zero.
	Amount       currency.Amount
	PayerEmail   string
	PayerGiven   string
	PayerSurname string
	// PayerLanguage is the payer's language for PayPal's emails and page,
	// a BCP 47 tag PayPal takes: "en-GB", "pl-PL" (or "pl", "en").
	PayerLanguage string
	Due           time.Time // the due date (its calendar date is sent)
	Note          string    // shown to the payer
}

type wireMoney struct {
	Currency string `json:"currency_code"`
	Value    string `json:"value"`
}

type wireName struct {
	Given   string `json:"given_name,omitempty"`
	Surname string `json:"surname,omitempty"`
}

type wireBilling struct {
	Name     *wireName `json:"name,omitempty"`
	Email    string    `json:"email_address"`
	Language string    `json:"language,omitempty"`
}

type wireCreate struct {
	Detail struct {
		Number      string `json:"invoice_number"`
		Currency    string `json:"currency_code"`
		Note        string `json:"note,omitempty"`
		InvoiceDate string `json:"invoice_date,omitempty"`
		PaymentTerm struct {
			DueDate string `json:"due_date"`
		} `json:"payment_term"`
	} `json:"detail"`
	Invoicer *struct {
		BusinessName string `json:"business_name"`
	} `json:"invoicer,omitempty"`
	Recipients []struct {
		Billing wireBilling `json:"billing_info"`
	} `json:"primary_recipients"`
	Items []wireItem `json:"items"`
}

type wireItem struct {
	Name          string    `json:"name"`
	Quantity      string    `json:"quantity"`
	UnitAmount    wireMoney `json:"unit_amount"`
	ItemDate      string    `json:"item_date,omitempty"`
	UnitOfMeasure string    `json:"unit_of_measure"`
}

// languageTag is billing_info.language's pattern in PayPal's description:
// a tag it refuses is caught before PayPal sees it.
var languageTag = regexp.MustCompile(`^[a-z]{2}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}))?$`)

func (d Draft) wire(brand string) (wireCreate, error) {
	var w wireCreate
	d.Number = strings.TrimSpace(d.Number)
	if d.Number == "" || len(d.Number) > maxNumber {
		return w, invalid("the invoice number (the confirmation number) must have 1 to %d characters", maxNumber)
	}
	item := truncate(strings.TrimSpace(d.Item), 200)
	if item == "" {
		return w, invalid("the invoice needs the session's title as its item")
	}
	email := strings.TrimSpace(d.PayerEmail)
	if at := strings.Index(email, "@"); at < 1 || at == len(email)-1 || len(email) > 254 {
		return w, invalid("the payer's email address %q is not valid", email)
	}
	if d.Due.IsZero() {
		return w, invalid("the invoice needs a due date")
	}
	code := d.Amount.CurrencyCode()
	minor, err := money.ToMinor(d.Amount)
	if err != nil || minor <= 0 {
		return w, invalid("the invoice's amount %s must be above zero in its currency's digits", d.Amount)
	}
	value, err := WireValue(minor, code)
	if err != nil {
		return w, invalid("the invoice's amount cannot be sent to PayPal: %v", err)
	}
	w.Detail.Number = d.Number
	w.Detail.Currency = code
	w.Detail.Note = truncate(strings.TrimSpace(d.Note), 4000)
	w.Detail.PaymentTerm.DueDate = d.Due.Format(time.DateOnly)
	if brand != "" {
		w.Invoicer = &struct {
			BusinessName string `json:"business_name"`
		}{brand}
	}
	b := wireBilling{Email: email}
	if g, s := truncate(strings.TrimSpace(d.PayerGiven), 140), truncate(strings.TrimSpace(d.PayerSurname), 140); g != "" || s != "" {
		b.Name = &wireName{Given: g, Surname: s}
	}
	if l := strings.TrimSpace(d.PayerLanguage); l != "" {
		if !languageTag.MatchString(l) || len(l) > 10 {
			return w, invalid("the payer's language %q is not a language tag PayPal takes", l)
		}
		b.Language = l
	}
	w.Recipients = append(w.Recipients, struct {
		Billing wireBilling `json:"billing_info"`
	}{b})
	it := wireItem{Name: item, Quantity: "1", UnitAmount: wireMoney{Currency: code, Value: value}, UnitOfMeasure: "QUANTITY"}
	if !d.ItemDate.IsZero() {
		it.ItemDate = d.ItemDate.Format(time.DateOnly)
	}
	w.Items = []wireItem{it}
	return w, nil
}

// invoiceReply is create's answer: the invoice (with Prefer:
// return=representation) or, from a PayPal that ignores Prefer, the link to
// it.
type invoiceReply struct {
	paypal.Invoice
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// Create makes a draft invoice. Every resend carries the same
// PayPal-Request-Id, so a create whose answer was lost makes one invoice.
// An error whose OutcomeOf is app.OutcomeUnknown means the invoice may
// exist: FindByNumber tells.
func (c *Client) Create(ctx context.Context, d Draft) (Invoice, error) {
	w, err := d.wire(c.cfg.BrandName)
	if err != nil {
		return Invoice{}, err
	}
	rid := d.RequestID
	if rid == "" {
		rid = "trainpay-invoice-" + w.Detail.Number
	}
	var out invoiceReply
	if err := c.call(ctx, "create", http.MethodPost, "/v2/invoicing/invoices", rid, w, &out, false); err != nil {
		return Invoice{}, err
	}
	if out.ID == "" && out.Href != "" {
		// PayPal answered with the link to the new invoice: read it.
		u, err := url.Parse(out.Href)
		if err != nil || !strings.HasPrefix(u.Path, "/v2/invoicing/invoices/") {
			return Invoice{}, &Error{Op: "create", Outcome: app.OutcomeUnknown, Code: "NO-INVOICE-ID", Message: "PayPal's answer names no invoice"}
		}
		inv, err := c.Get(ctx, strings.TrimPrefix(u.Path, "/v2/invoicing/invoices/"))
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Outcome != app.OutcomeUnknown {
				e.Outcome = app.OutcomeUnknown // created, but not read
			}
			return Invoice{}, err
		}
		return inv, nil
	}
	inv, err := fromWire(&out.Invoice)
	if err != nil {
		return Invoice{}, &Error{Op: "create", Outcome: app.OutcomeUnknown, Code: "BODY", Message: err.Error()}
	}
	c.log.Info("paypal invoice created", "invoice", inv.ID, "status", inv.Status.Raw)
	return inv, nil
}

// --- send, remind, cancel -------------------------------------------------------

type wireNotification struct {
	Subject         string `json:"subject,omitempty"`
	Note            string `json:"note,omitempty"`
	SendToInvoicer  bool   `json:"send_to_invoicer"`
	SendToRecipient bool   `json:"send_to_recipient"`
}

// Send has PayPal email the invoice to the payer and returns the link to
// the page where they pay. Its PayPal-Request-Id is derived from the
// invoice, so a resend after a lost answer sends one email.
func (c *Client) Send(ctx context.Context, invoiceID string) (string, error) {
	if invoiceID == "" {
		return "", invalid("no invoice to send")
	}
	var out struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	}
	body := wireNotification{SendToRecipient: true}
	if err := c.call(ctx, "send", http.MethodPost, "/v2/invoicing/invoices/"+url.PathEscape(invoiceID)+"/send",
		invoiceID+"-send", body, &out, false); err != nil {
		return "", err
	}
	if out.Href != "" {
		return out.Href, nil
	}
	// 202 (an invoice date in the future) answers no link: the invoice has it.
	inv, err := c.Get(ctx, invoiceID)
	if err != nil {
		return "", err
	}
	return inv.PayerLink, nil
}

// Remind has PayPal email a reminder. key is the reminder's own
// PayPal-Request-Id (one per reminder the merchant decides to send).
func (c *Client) Remind(ctx context.Context, invoiceID, key, note string) error {
	if invoiceID == "" || key == "" {
		return invalid("a reminder needs the invoice and its own key")
	}
	body := wireNotification{SendToRecipient: true, Note: truncate(strings.TrimSpace(note), 4000)}
	return c.call(ctx, "remind", http.MethodPost, "/v2/invoicing/invoices/"+url.PathEscape(invoiceID)+"/remind", key, body, nil, false)
}

// Cancel cancels a sent invoice (PayPal emails the payer). A draft cannot
// be cancelled, nor a paid invoice (PayPal refuses: app.OutcomeNotProcessed
// with Issue CANNOT_CANCEL_DRAFT_INVOICE, CANNOT_CANCEL_PAID_INVOICE, …).
// A cancel already done (INVOICE_CANCELED_ALREADY) is success.
func (c *Client) Cancel(ctx context.Context, invoiceID, note string) error {
	if invoiceID == "" {
		return invalid("no invoice to cancel")
	}
	body := wireNotification{SendToRecipient: true, Note: truncate(strings.TrimSpace(note), 4000)}
	err := c.call(ctx, "cancel", http.MethodPost, "/v2/invoicing/invoices/"+url.PathEscape(invoiceID)+"/cancel", invoiceID+"-cancel", body, nil, false)
	var e *Error
	if errors.As(err, &e) && e.Issue == "INVOICE_CANCELED_ALREADY" {
		return nil
	}
	return err
}

// --- get, search ------------------------------------------------------------------

// Get reads an invoice.
func (c *Client) Get(ctx context.Context, invoiceID string) (Invoice, error) {
	if invoiceID == "" {
		return Invoice{}, invalid("no invoice to read")
	}
	var out paypal.Invoice
	if err := c.call(ctx, "get", http.MethodGet, "/v2/invoicing/invoices/"+url.PathEscape(invoiceID), "", nil, &out, true); err != nil {
		return Invoice{}, err
	}
	inv, err := fromWire(&out)
	if err != nil {
		return Invoice{}, &Error{Op: "get", Outcome: app.OutcomeUnknown, Code: "BODY", Message: err.Error()}
	}
	return inv, nil
}

// Refresh reads last's invoice again. When PayPal cannot be read it returns
// last unchanged with the error, so the caller keeps the last status it
// knew rather than none.
func (c *Client) Refresh(ctx context.Context, last Invoice) (Invoice, error) {
	inv, err := c.Get(ctx, last.ID)
	if err != nil {
		return last, err
	}
	return inv, nil
}

// FindByNumber searches for the invoice with this number (search-invoices
// by invoice_number): how an invoice created before a restart, whose id
// was never recorded, is found. found is false when PayPal has none.
func (c *Client) FindByNumber(ctx context.Context, number string) (inv Invoice, found bool, err error) {
	number = strings.TrimSpace(number)
	if number == "" || len(number) > maxNumber {
		return Invoice{}, false, invalid("the invoice number must have 1 to %d characters", maxNumber)
	}
	var out struct {
		TotalItems int              `json:"total_items"`
		Items      []paypal.Invoice `json:"items"`
	}
	body := struct {
		Number string `json:"invoice_number"`
	}{number}
	if err := c.call(ctx, "search", http.MethodPost, "/v2/invoicing/search-invoices?page=1&page_size=10&total_required=true",
		"", body, &out, true); err != nil {
		return Invoice{}, false, err
	}
	var match []paypal.Invoice
	for _, w := range out.Items {
		if w.Detail.InvoiceNumber == number {
			match = append(match, w)
		}
	}
	switch len(match) {
	case 0:
		return Invoice{}, false, nil
	case 1:
		inv, err := fromWire(&match[0])
		if err != nil {
			return Invoice{}, false, &Error{Op: "search", Outcome: app.OutcomeUnknown, Code: "BODY", Message: err.Error()}
		}
		return inv, true, nil
	}
	// PayPal refuses a second invoice with a number it has, so this is
	// not expected: a person looks.
	return Invoice{}, false, &Error{
		Op: "search", Outcome: app.OutcomeUnknown, Code: "SEVERAL",
		Message: fmt.Sprintf("PayPal has %d invoices numbered %s", len(match), number),
	}
}

// --- refund -----------------------------------------------------------------------

// RefundRequest refunds all or part of a paid invoice.
type RefundRequest struct {
	Invoice Invoice // as read last: its payments say how it was paid
	// Key is the refund's PayPal-Request-Id: the same on every resend.
	Key string
	// Minor is the amount in minor units of the invoice's currency; 0 is
	// all that is left.
	Minor int64
	Note  string // to the payer (a capture refund's note_to_payer)
	// Date is an external refund's date (the invoice's record-refund).
	Date time.Time
}

// Refund is one refund PayPal made or recorded.
type Refund struct {
	ID       string
	Status   string // a capture refund's status: COMPLETED, PENDING, …; "RECORDED" for an external one
	External bool
}

// Refund refunds a paid invoice. A payment through PayPal (type PAYPAL) is
// refunded through its capture (POST /v2/payments/captures/{id}/refund: the
// money goes back); a payment the merchant recorded as made outside PayPal
// (MARKED_AS_PAID, type EXTERNAL) can only be recorded as refunded
// outside PayPal too (POST /v2/invoicing/invoices/{id}/refunds), as
// Invoicing v2 describes.
func (c *Client) Refund(ctx context.Context, req RefundRequest) (Refund, error) {
	inv := req.Invoice
	if inv.ID == "" || req.Key == "" {
		return Refund{}, invalid("a refund needs the invoice and its own key")
	}
	if req.Minor < 0 {
		return Refund{}, invalid("a refund's amount must be above zero")
	}
	if capture := inv.Capture(); capture != "" {
		body := struct {
			Amount *wireMoney `json:"amount,omitempty"`
			Note   string     `json:"note_to_payer,omitempty"`
			Number string     `json:"invoice_id,omitempty"`
		}{Note: truncate(strings.TrimSpace(req.Note), 255), Number: inv.Number}
		if req.Minor > 0 {
			v, err := WireValue(req.Minor, inv.Currency)
			if err != nil {
				return Refund{}, invalid("the refund's amount cannot be sent to PayPal: %v", err)
			}
			body.Amount = &wireMoney{Currency: inv.Currency, Value: v}
		}
		var out struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		if err := c.call(ctx, "refund", http.MethodPost, "/v2/payments/captures/"+url.PathEscape(capture)+"/refund", req.Key, body, &out, false); err != nil {
			return Refund{}, err
		}
		if out.ID == "" {
			return Refund{}, &Error{Op: "refund", Outcome: app.OutcomeUnknown, Code: "NO-REFUND-ID", Message: "PayPal's answer names no refund"}
		}
		c.log.Info("paypal invoice refunded", "invoice", inv.ID, "capture", capture, "refund", out.ID, "status", out.Status)
		return Refund{ID: out.ID, Status: out.Status}, nil
	}
	var ext *Transaction
	for i := range inv.Payments {
		if inv.Payments[i].External {
			ext = &inv.Payments[i]
			break
		}
	}
	if ext == nil {
		return Refund{}, invalid("the invoice %s has no payment to refund", inv.ID)
	}
	amount := req.Minor
	if amount == 0 {
		amount = inv.Paid - inv.Refunded
	}
	if amount <= 0 {
		return Refund{}, invalid("nothing is left to refund on the invoice %s", inv.ID)
	}
	v, err := WireValue(amount, inv.Currency)
	if err != nil {
		return Refund{}, invalid("the refund's amount cannot be sent to PayPal: %v", err)
	}
	date := req.Date
	if date.IsZero() {
		date = time.Now()
	}
	body := struct {
		Method string    `json:"method"`
		Date   string    `json:"refund_date"`
		Amount wireMoney `json:"amount"`
	}{Method: ext.Method, Date: date.Format(time.DateOnly), Amount: wireMoney{Currency: inv.Currency, Value: v}}
	if body.Method == "" {
		body.Method = "OTHER"
	}
	var out struct {
		RefundID string `json:"refund_id"`
	}
	if err := c.call(ctx, "record-refund", http.MethodPost, "/v2/invoicing/invoices/"+url.PathEscape(inv.ID)+"/refunds", req.Key, body, &out, false); err != nil {
		return Refund{}, err
	}
	return Refund{ID: out.RefundID, Status: "RECORDED", External: true}, nil
}
