package payflow

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trainpay/trainpay/app/gateway/endpoint"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
)

// Payflow endpoints. The client posts to the endpoint as
// given, so a path such as "/transaction" may be appended.
const (
	PilotEndpoint = "https://pilot-payflowpro.paypal.com"
	LiveEndpoint  = "https://payflowpro.paypal.com"
)

// DefaultTimeout is X-VPS-CLIENT-TIMEOUT when Config.Timeout is zero: the
// SDK's default and PayPal's recommendation.
const DefaultTimeout = 45 * time.Second

// DefaultInquiryLag is how long after a sale was first sent an inquiry
// that finds nothing under its CUSTREF is not yet trusted as "never
// charged": a send of the sale may still be in Payflow's hands (the client
// waits a little longer than it tells Payflow to, and resends once after a
// reset). The lag is at least twice the client's own HTTP timeout plus the
// resend delay; three minutes is a cautious floor, as how soon a new
// transaction becomes visible to an inquiry is not documented.
const DefaultInquiryLag = 3 * time.Minute

// NoInquiryLag turns the lag off, for servers that never process a request
// after its connection is gone (the offline sandbox, the strict test server).
const NoInquiryLag time.Duration = -1

// inquiryRange is how far back an inquiry by CUSTREF searches when given no
// STARTTIME: Payflow searches the last 30 days. A sale older than that (less
// a day for clock differences) that is not found may simply be out of range.
const inquiryRange = 29 * 24 * time.Hour

// EndpointFor returns the pilot endpoint for test accounts and the live one
// otherwise.
func EndpointFor(test bool) string {
	if test {
		return PilotEndpoint
	}
	return LiveEndpoint
}

// Config is a merchant's Payflow connection.
type Config struct {
	Endpoint string // PilotEndpoint, LiveEndpoint, or the offline sandbox's
	User     string // equals Vendor unless extra users were created in Manager
	Vendor   string // merchant login
	Partner  string // "PayPal", "PayPalUK" or the reseller's ID
	Password string // the API password set in PayPal Manager
	// Timeout is sent as X-VPS-CLIENT-TIMEOUT (rounded up to whole seconds)
	// so that Payflow gives up first and answers; the HTTP exchange itself
	// may last slightly longer. Zero means DefaultTimeout.
	Timeout time.Duration
	// InquiryLag: see DefaultInquiryLag. Zero means the default (never
	// less than what the timeout needs); NoInquiryLag turns it off.
	InquiryLag time.Duration
}

// Client talks to Payflow Pro. It is safe for concurrent use.
type Client struct {
	endpoint       string
	user, vendor   string
	partner, pwd   string
	timeoutSeconds int
	httpTimeout    time.Duration
	http           *http.Client
	retryDelay     time.Duration
	inquiryLag     time.Duration
	now            func() time.Time
	afterWipe      func([]byte) // test hook: called with the zeroed body
}

var _ app.Gateway = (*Client)(nil)

// Option adjusts a Client.
type Option func(*Client)

// WithTransport makes the client use a copy of t (e.g. one that trusts a
// test server's certificate). Keep-alives are always disabled, as every
// request says "Connection: close".
func WithTransport(t *http.Transport) Option {
	return func(c *Client) {
		tt := t.Clone()
		tt.DisableKeepAlives = true
		c.http.Transport = tt
	}
}

// New checks cfg and returns a client. Plain http is accepted only for a
// loopback endpoint (the offline sandbox, tests): card data never crosses a
// network in clear text.
func New(cfg Config, opts ...Option) (*Client, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || u.Host == "" {
		return nil, app.Errorf(app.EINVALID, "error.payflow.endpoint", "the Payflow endpoint %q is not a URL", cfg.Endpoint)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !endpoint.IsLoopback(u.Hostname()) {
			return nil, app.Errorf(app.EINVALID, "error.payflow.endpoint", "the Payflow endpoint must use https (plain http only for 127.0.0.1)")
		}
	default:
		return nil, app.Errorf(app.EINVALID, "error.payflow.endpoint", "the Payflow endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	for _, f := range []struct{ name, v string }{
		{"USER", cfg.User}, {"VENDOR", cfg.Vendor}, {"PARTNER", cfg.Partner}, {"PWD", cfg.Password},
	} {
		if f.v == "" {
			return nil, app.Errorf(app.EINVALID, "error.payflow.credentials", "the Payflow %s is missing", f.name)
		}
		for i := 0; i < len(f.v); i++ {
			if f.v[i] < 0x20 || f.v[i] > 0x7e {
				return nil, app.Errorf(app.EINVALID, "error.payflow.credentials", "the Payflow %s may contain printable ASCII only", f.name)
			}
		}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	secs := int((timeout + time.Second - 1) / time.Second)
	// The HTTP timeout is slightly longer than the one Payflow is told, so
	// that Payflow's own timeout answer (RESULT 11/104) can still arrive.
	margin := timeout / 10
	margin = min(max(margin, 250*time.Millisecond), 5*time.Second)

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	tr.ForceAttemptHTTP2 = false // Payflow's NVP interface is HTTP/1.1; Connection: close is meaningless in h2
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	c := &Client{
		endpoint:       cfg.Endpoint,
		user:           cfg.User,
		vendor:         cfg.Vendor,
		partner:        cfg.Partner,
		pwd:            cfg.Password,
		timeoutSeconds: secs,
		httpTimeout:    timeout + margin,
		retryDelay:     100 * time.Millisecond,
		http: &http.Client{
			// No Client.Timeout: each attempt's context (httpTimeout) already
			// bounds the whole exchange, reading the reply included, and a
			// second deadline would cost a timer per request for nothing.
			Transport: tr,
			// A redirect would turn the POST into a GET elsewhere: never follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	switch lag := cfg.InquiryLag; {
	case lag < 0:
		c.inquiryLag = 0
	case lag == 0:
		c.inquiryLag = max(DefaultInquiryLag, 2*c.httpTimeout+c.retryDelay)
	default:
		c.inquiryLag = max(lag, 2*c.httpTimeout+c.retryDelay)
	}
	c.now = time.Now
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// credentials starts every request body: TRXTYPE, TENDER and the four
// credentials, in the order of PayPal's examples.
func (c *Client) credentials(b *nvBody, trxtype string) {
	b.plain("TRXTYPE", trxtype)
	b.plain("TENDER", "C")
	b.plain("USER", c.user)
	b.plain("VENDOR", c.vendor)
	b.plain("PARTNER", c.partner)
	b.plain("PWD", c.pwd)
}

// checkKey refuses an idempotency key Payflow cannot carry.
func checkKey(key string) string {
	if len(key) == 0 || len(key) > 32 {
		return "the request key must be 1 to 32 characters (X-VPS-REQUEST-ID)"
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= 0x20 || key[i] > 0x7e {
			return "the request key must be printable ASCII (X-VPS-REQUEST-ID)"
		}
	}
	return ""
}

func notProcessed(msg string) app.Result {
	return app.Result{Outcome: app.OutcomeNotProcessed, Message: msg + "; nothing was sent to Payflow."}
}

// Sale charges a card once (TRXTYPE=S).
func (c *Client) Sale(ctx context.Context, req app.SaleRequest) app.Result {
	if msg := checkKey(req.Key); msg != "" {
		return notProcessed(msg)
	}
	card := req.Card
	if card == nil {
		return notProcessed("a Payflow card sale needs card details")
	}
	if field, msg := checkCard(card); field != "" {
		return app.Result{Outcome: app.OutcomeInvalidCard, Field: field, Message: msg + "; nothing was sent to Payflow."}
	}
	amt, err := formatAmount(req.Amount)
	if err != nil {
		return notProcessed(err.Error())
	}

	var b nvBody
	c.credentials(&b, "S")
	b.secret("ACCT", card.Number)
	b.plain("EXPDATE", mmyy(card.ExpMonth, card.ExpYear))
	if len(card.CVV) > 0 {
		b.secret("CVV2", card.CVV)
	}
	// Maestro (UK) start date and issue number, sent when the card has them.
	if card.StartMonth != 0 {
		b.plain("CARDSTART", mmyy(card.StartMonth, card.StartYear))
	}
	b.optional("CARDISSUE", card.IssueNumber)
	b.plain("AMT", amt)
	b.plain("CURRENCY", req.Amount.CurrencyCode())
	b.optional("INVNUM", req.InvoiceID)
	b.plain("CUSTREF", custRef(req.Key))
	b.text("COMMENT1", req.Description)
	first, last := req.Payer.FirstName, req.Payer.LastName
	if first == "" && last == "" {
		first, last = splitHolder(card.Holder)
	}
	b.text("FIRSTNAME", first)
	b.text("LASTNAME", last)
	b.text("STREET", req.Payer.Street)
	b.optional("ZIP", req.Payer.PostalCode)
	b.optional("EMAIL", req.Payer.Email)
	b.optional("CUSTIP", req.Payer.IP)
	if b.err != nil {
		return notProcessed(b.err.Error())
	}

	res := c.do(ctx, req.Key, b.encode())
	res.Brand = brandOf(card.Number)
	res.Last4 = card.Last4()
	res.Funding = card.Funding
	return res
}

// custRef is the sale's CUSTREF: the reference an inquiry finds it by when
// its reply was lost and its PNREF is unknown. Payflow allows 12
// alphanumeric characters, and an inquiry returns only the latest
// transaction with a CUSTREF, so it must be unique per sale. The journal's
// invoice id is longer than 12 characters, so the reference is derived from
// the request key instead (itself random and unique per attempt): the first
// 60 bits of its SHA-256, in base 36, upper case, zero-padded to 12
// characters (36^12 > 2^60). Deriving it means the journal needs no new
// column, and a lookup after a restart computes the same value.
func custRef(key string) string {
	sum := sha256.Sum256([]byte(key))
	v := binary.BigEndian.Uint64(sum[:8]) >> 4
	s := strings.ToUpper(strconv.FormatUint(v, 36))
	return strings.Repeat("0", 12-len(s)) + s
}

// splitHolder splits a cardholder name into first and last name at the
// last space, for when the payer's names are not known separately.
func splitHolder(h string) (first, last string) {
	h = strings.TrimSpace(h)
	if i := strings.LastIndexByte(h, ' '); i > 0 {
		return strings.TrimSpace(h[:i]), h[i+1:]
	}
	return "", h
}

// refundBody builds TRXTYPE=C. Refund and Lookup share it so that a
// lookup resends exactly the original request. AMT is sent even for a full
// refund, for that reason.
func (c *Client) refundBody(origRef string, amount currency.Amount, amt, description string) nvBody {
	var b nvBody
	c.credentials(&b, "C")
	b.plain("ORIGID", origRef)
	b.plain("AMT", amt)
	b.plain("CURRENCY", amount.CurrencyCode())
	b.text("COMMENT1", description)
	return b
}

// Refund returns all or part of a sale (TRXTYPE=C with ORIGID and AMT).
func (c *Client) Refund(ctx context.Context, req app.RefundRequest) app.Result {
	if msg := checkKey(req.Key); msg != "" {
		return notProcessed(msg)
	}
	if req.OriginalRef == "" {
		return notProcessed("a refund needs the sale's reference (PNREF)")
	}
	amt, err := formatAmount(req.Amount)
	if err != nil {
		return notProcessed(err.Error())
	}
	b := c.refundBody(req.OriginalRef, req.Amount, amt, req.Description)
	if b.err != nil {
		return notProcessed(b.err.Error())
	}
	return c.do(ctx, req.Key, b.encode())
}

func (c *Client) voidBody(origRef string) nvBody {
	var b nvBody
	c.credentials(&b, "V")
	b.plain("ORIGID", origRef)
	return b
}

// Void cancels an unsettled transaction (TRXTYPE=V with ORIGID).
func (c *Client) Void(ctx context.Context, req app.VoidRequest) app.Result {
	if msg := checkKey(req.Key); msg != "" {
		return notProcessed(msg)
	}
	if req.OriginalRef == "" {
		return notProcessed("a void needs the transaction's reference (PNREF)")
	}
	b := c.voidBody(req.OriginalRef)
	if b.err != nil {
		return notProcessed(b.err.Error())
	}
	return c.do(ctx, req.Key, b.encode())
}

// Inquire asks for the status of the transaction whose PNREF is pnref
// (TRXTYPE=I with ORIGID), under a fresh request ID so that it can never
// replay a payment. The Result describes the original transaction:
// OutcomeNotFound for RESULT 19 (or 20), otherwise the original's RESULT (ORIGRESULT
// when the reply carries it) mapped as for a sale. When the inquiry itself
// fails the outcome is OutcomeUnknown.
func (c *Client) Inquire(ctx context.Context, pnref string) app.Result {
	if pnref == "" {
		return app.Result{Outcome: app.OutcomeUnknown, Message: "an inquiry needs a PNREF"}
	}
	var b nvBody
	c.credentials(&b, "I")
	b.plain("ORIGID", pnref)
	if b.err != nil {
		return app.Result{Outcome: app.OutcomeUnknown, Message: b.err.Error()}
	}
	ex := c.post(ctx, newRequestID(), b.encode())
	if ex.reply == nil {
		return app.Result{Outcome: app.OutcomeUnknown, Message: ex.problem + ". " + unknownAdvice}
	}
	return inquiryResult(ex.reply, pnref)
}

// inquiryResult interprets an inquiry reply. UNCONFIRMED detail: the
// guides say inquiry replies "mimic" the original, and the SDK reads the
// original's result and PNREF from ORIGRESULT and ORIGPNREF; so ORIGRESULT
// is used when present, else RESULT 0 is read as the original's approval.
// Any other RESULT (except 19 and 20, nothing found) is read as the inquiry
// itself failing, which says nothing about the original.
func inquiryResult(m map[string]string, pnref string) app.Result {
	code := atoiOr(m["RESULT"], -1)
	dup := m["DUPLICATE"]
	switch {
	case code == 19 || code == 20:
		// 19: no transaction with this ORIGID; 20: none with this CUSTREF.
		return app.Result{
			Outcome: app.OutcomeNotFound,
			Code:    "RESULT=" + strconv.Itoa(code),
			Message: message(code, m["RESPMSG"], "Payflow has no transaction with this reference."),
		}
	case code != 0 || (dup != "" && dup != "0" && dup != "1"):
		return app.Result{
			Outcome: app.OutcomeUnknown,
			Code:    "RESULT=" + clean(m["RESULT"], 8),
			Message: message(code, m["RESPMSG"], "The inquiry failed, so the transaction's outcome is still unknown."),
		}
	}
	o := make(map[string]string, len(m))
	for k, v := range m {
		o[k] = v
	}
	if orig, ok := m["ORIGRESULT"]; ok {
		o["RESULT"] = orig
	}
	delete(o, "DUPLICATE")
	res := mapReply(o)
	res.Reference = pnref
	if p := clean(m["ORIGPNREF"], 32); p != "" {
		res.Reference = p
	}
	return res
}

func atoiOr(s string, def int) int {
	n := 0
	if s == "" || len(s) > 6 {
		return def
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	for _, ch := range []byte(s) {
		if ch < '0' || ch > '9' {
			return def
		}
		n = n*10 + int(ch-'0')
	}
	if neg {
		n = -n
	}
	return n
}

// TestConnection checks the credentials with a harmless inquiry for a
// reference that does not exist. Payflow answers RESULT 19 ("original
// transaction ID not found") when the credentials work, and RESULT 1 (or 26–28)
// when they do not. It returns OutcomeApproved when the credentials were
// accepted (an inquiry moves no money), OutcomeMerchantConfig when they were
// refused, and OutcomeNotProcessed when Payflow could not be reached.
func (c *Client) TestConnection(ctx context.Context) app.Result {
	var b nvBody
	c.credentials(&b, "I")
	b.plain("ORIGID", "TRAINPAYTEST")
	ex := c.post(ctx, newRequestID(), b.encode())
	if ex.reply == nil {
		return app.Result{Outcome: app.OutcomeNotProcessed, Message: ex.problem + "."}
	}
	res := mapReply(ex.reply)
	res.Reference, res.AuthCode, res.Duplicate = "", "", false
	switch code := atoiOr(ex.reply["RESULT"], -1); {
	case code == 19 || code == 0:
		res.Outcome = app.OutcomeApproved
		res.Message = "Payflow accepted the credentials (" + res.Code + ")."
	case res.Outcome == app.OutcomeMerchantConfig:
	default:
		res.Outcome = app.OutcomeNotProcessed
	}
	return res
}

// do posts a payment request and maps the answer.
func (c *Client) do(ctx context.Context, key string, body []byte) app.Result {
	ex := c.post(ctx, key, body)
	if ex.reply == nil {
		if ex.maybeSent {
			return app.Result{Outcome: app.OutcomeUnknown, Message: ex.problem + ". " + unknownAdvice}
		}
		return app.Result{Outcome: app.OutcomeNotProcessed, Message: ex.problem + "; the request did not reach Payflow and may be retried."}
	}
	return mapReply(ex.reply)
}

// Lookup settles an unknown outcome; see the package doc: a sale by an
// inquiry (by CUSTREF, or by ORIGID when its PNREF is known), a refund or
// void by resending the identical request under its request ID.
func (c *Client) Lookup(ctx context.Context, req app.LookupRequest) app.Result {
	switch req.Kind {
	case app.LookupSale:
		if req.OriginalRef != "" {
			return c.Inquire(ctx, req.OriginalRef)
		}
		return c.lookupSale(ctx, req)
	case app.LookupRefund:
		if msg := checkKey(req.Key); msg != "" {
			return app.Result{Outcome: app.OutcomeUnknown, Message: msg}
		}
		amt, err := formatAmount(req.Amount)
		if err != nil || req.OriginalRef == "" {
			return app.Result{Outcome: app.OutcomeUnknown, Message: "the journal lacks the refund's amount or sale reference, so it cannot be resent"}
		}
		b := c.refundBody(req.OriginalRef, req.Amount, amt, req.Description)
		return c.lookupReplay(ctx, req.Key, b)
	case app.LookupVoid:
		if msg := checkKey(req.Key); msg != "" {
			return app.Result{Outcome: app.OutcomeUnknown, Message: msg}
		}
		if req.OriginalRef == "" {
			return app.Result{Outcome: app.OutcomeUnknown, Message: "the journal lacks the voided transaction's reference"}
		}
		return c.lookupReplay(ctx, req.Key, c.voidBody(req.OriginalRef))
	}
	return app.Result{Outcome: app.OutcomeUnknown, Message: "unknown lookup kind " + clean(string(req.Kind), 20)}
}

// lookupReplay resends a refund or void under its original request ID: an
// exactly-once retry. A reply without DUPLICATE=1 means the original never
// arrived and this request has now been processed, so its result is the
// answer either way.
func (c *Client) lookupReplay(ctx context.Context, key string, b nvBody) app.Result {
	if b.err != nil {
		return app.Result{Outcome: app.OutcomeUnknown, Message: b.err.Error()}
	}
	return c.do(ctx, key, b.encode())
}

// lookupSale asks for the sale by its CUSTREF (TRXTYPE=I), under a fresh
// request ID and with no card data, so it can never charge. Found: the
// original's result. Not found: the sale was never processed, so nothing
// was charged, provided no send of it can still be in Payflow's hands (the
// inquiry lag since the journal's time of the attempt) and the sale is
// within the 30 days an inquiry searches; otherwise the outcome stays
// unknown.
func (c *Client) lookupSale(ctx context.Context, req app.LookupRequest) app.Result {
	if msg := checkKey(req.Key); msg != "" {
		return app.Result{Outcome: app.OutcomeUnknown, Message: msg + "; the sale cannot be looked up"}
	}
	var b nvBody
	c.credentials(&b, "I")
	b.plain("CUSTREF", custRef(req.Key))
	if b.err != nil {
		return app.Result{Outcome: app.OutcomeUnknown, Message: b.err.Error()}
	}
	ex := c.post(ctx, newRequestID(), b.encode())
	if ex.reply == nil {
		return app.Result{Outcome: app.OutcomeUnknown, Message: ex.problem + ". " + unknownAdvice}
	}
	res := inquiryResult(ex.reply, "")
	switch res.Outcome {
	case app.OutcomeUnknown:
		return res
	case app.OutcomeNotFound:
		since := c.now().Sub(req.AttemptedAt)
		switch {
		case c.inquiryLag > 0 && req.AttemptedAt.IsZero():
			res.Outcome = app.OutcomeUnknown
			res.Message += " The time of the sale is not known, so it may still be in progress."
		case c.inquiryLag > 0 && since < c.inquiryLag:
			res.Outcome = app.OutcomeUnknown
			res.Message += " The sale was sent too recently for that to be final; look again in " +
				(c.inquiryLag - since).Round(time.Second).String() + "."
		case !req.AttemptedAt.IsZero() && since > inquiryRange:
			res.Outcome = app.OutcomeUnknown
			res.Message += " The sale is older than the 30 days an inquiry searches; check it in PayPal Manager."
		default:
			res.Message += " The sale never reached Payflow, so nothing was charged."
		}
		return res
	}
	// The original's own result, reported as a lookup's answer.
	res.Duplicate = true
	if res.Reference == "" && res.Charged() {
		res.Message += " Payflow gave no PNREF for it; find it in PayPal Manager by its customer reference " + custRef(req.Key) + "."
	}
	return res
}
