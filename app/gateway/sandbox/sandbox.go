// Package sandbox is TrainPay's offline payment sandbox for Test mode. It
// ships in the product: when the site is in Test mode every payment goes to
// a loopback HTTP server started by this package, so that a new user can try
// the whole flow (sale, refund, void, lost replies and their reconciliation)
// with no merchant account and no network.
//
// The sandbox listens on 127.0.0.1 at an ephemeral port and speaks the
// gateways' own wire protocols, so the real gateway clients are exercised.
// Each protocol has its own route on one http.ServeMux (see routes): Payflow
// Pro at PayflowEndpoint() (POST /payflow) and classic NVP (Website Payments
// Pro UK, DoDirectPayment) at NVPEndpoint() (POST /nvp), and Orders v2
// (Express Checkout) at OrdersBase() (see orders.go: token, orders,
// captures, refunds and a local approval page), and Invoicing v2 at
// InvoicingBase() (see invoicing.go and invoicepage.go: invoices, their
// capture refunds, and the payer's page in English and Polish, paid with a
// test PayPal account or a test card). The routes share the ledger, the clock,
// the ledger file, the test cards and the amount rules.
//
// # Payflow rules
//
// Credentials: USER, VENDOR, PARTNER and PWD must be present; any values are
// accepted (PayflowConfig gives a ready set), except the password "invalid",
// which is refused with RESULT 1 so that the administrator can see what bad
// credentials look like.
//
// Cards: only PayPal's published Payflow test card numbers (TestCards) are
// accepted. Any other number, however valid, is refused with RESULT 23, so a
// real card can never be "charged" in Test mode. An EXPDATE in the past is
// refused with RESULT 24; CVV2 "000" fails the security code check.
//
// Sales are decided by the amount with PayPal's own Payflow pilot rule
// (PayPal's published Payflow pilot rules: "AMT ≤ 1000 → 0; 1012 or ≥2001 → 12; 1013 → 13; …
// RESULT value + 1000 simulates others"), which everyday fees never reach:
// 12.50, 99.50 and 1000.00 are all approved. V is the amount in major units
// (12.50 is V = 12.5), except for a currency without decimals on the wire
// (JPY, KRW; on the NVP route also HUF and TWD, which PayPal takes without
// decimals), where V is the amount / 100: ¥101200 is V = 1012.00. Otherwise
// V would be the yen amount itself, and every ordinary yen fee (¥5000 for
// a workshop) would exceed 1000 and be declined.
//
//	V (¥: amount / 100)  RESULT   what the app sees
//	≤ 1000               0        approved, whatever the cents
//	1012                 12       declined
//	1013                 13       declined (referral)
//	1014                 114      declined (security code mismatch)
//	1026                 126      held for review (charged, authorised)
//	1050                 50       declined (insufficient funds)
//	1051                 51       declined (over the card's limit)
//	1097                 0        charged, but the reply is lost: the connection
//	                              is dropped for every request that carries card
//	                              data, so the sale ends "unknown" and
//	                              reconciliation (an inquiry by the sale's
//	                              CUSTREF) finds the charge
//	1098                 –        the connection is dropped before processing,
//	                              for every request that carries card data:
//	                              "unknown", and reconciliation finds nothing
//	                              was charged
//	other, to 2000       0        approved: any other whole V, and any V with
//	                              cents (1012.50, ¥101250), in 1000 < V ≤ 2000
//	> 2000               12       declined, as on PayPal's pilot (2000.01 too)
//	CVV2 000             114      declined (security code mismatch), any amount
//
// So 1012.00 USD, 1097.00 GBP or ¥101200 trigger a rule; 12.12 does not. An
// AMT that is malformed for its currency triggers none (RESULT 4 refuses it).
// The card checks come first: a refused card is refused whatever the
// amount, and CVV2 000 wins over the amount rules.
//
// Refunds (TRXTYPE=C) need the sale's PNREF in ORIGID; AMT defaults to what
// is left; more than is left, or a voided sale, gives RESULT 105. Voids
// (TRXTYPE=V) give 108 for a sale already voided or refunded. A reference to
// a sale that did not charge gives 120; an unknown reference gives 19.
// Inquiries (TRXTYPE=I) name the original by ORIGID (its PNREF) or by
// CUSTREF (the latest sale that carried it) and answer RESULT 0 with
// ORIGRESULT and ORIGPNREF, or 19 (no such PNREF) or 20 (no such CUSTREF).
// A sale without ACCT has no card to charge: RESULT 7.
//
// Like Payflow, the sandbox stores the reply to every processed request
// under its X-VPS-REQUEST-ID and answers a resend of the same request with
// that reply plus DUPLICATE=1. A request that reuses the ID with other data
// gets RESULT 133 (data mismatch in HTTP retry request) and is not stored.
//
// # NVP rules
//
// Every call needs USER, PWD and SIGNATURE (any values; NVPConfig gives a
// ready set, with the client's search-lag guard off since the sandbox's
// TransactionSearch sees a sale at once); PWD "invalid" or a missing one is
// refused with 10002 Security error, a VERSION that is missing or not a
// number with 10006. Neither is recorded. Replies are URL-encoded with ACK,
// CORRELATIONID, TIMESTAMP, VERSION and BUILD.
//
// DoDirectPayment (PAYMENTACTION=Sale; INVNUM is the invoice id) takes the
// same test cards, among the schemes DoDirectPayment takes (Visa,
// MasterCard, Discover, Amex; the JCB and Diners numbers get 10510), with
// CREDITCARDTYPE matching. The same amount rules decide (V with PayPal's
// decimals: HUF and TWD have none, so 101200 HUF is V = 1012.00), each
// answered with the NVP code the nvp client maps to the same Outcome:
//
//	rule            NVP answer                      what the app sees
//	other number    10527                           invalid card (number)
//	EXPDATE past    10502 (not MMYYYY: 10508)       invalid card (expiry)
//	CVV2 000        15004, CVV2MATCH=N              invalid card (cvv)
//	INVNUM paid     10412 (a charged sale has it)   the earlier sale, found by
//	                                                TransactionSearch (Duplicate)
//	V ≤ 1000        Success                         approved
//	V = 1012        10417                           declined
//	V = 1013        10752 (issuer: call the bank)   declined (referral)
//	V = 1014        15004, CVV2MATCH=N              invalid card (cvv)
//	V = 1026        SuccessWithWarning + 11610      held for review (charged)
//	V = 1050        15005 (processor decline)       declined (insufficient funds)
//	V = 1051        10553 (over the limit)          declined (over the limit)
//	V = 1097        charged, connection dropped     "unknown"; Lookup finds the
//	                                                sale by INVNUM: approved
//	V = 1098        connection dropped unprocessed  "unknown"; Lookup: not found
//	other, to 2000  Success                         approved
//	V > 2000        10417                           declined
//
// As on the Payflow route, V = 1097 and 1098 apply to every
// DoDirectPayment that carries ACCT. A success carries TRANSACTIONID, AMT,
// CURRENCYCODE, AVSCODE and CVV2MATCH. Refused sales are recorded (never
// searchable), as Payflow's.
//
// RefundTransaction (TRANSACTIONID, REFUNDTYPE Full or Partial with AMT and
// CURRENCYCODE) gives REFUNDTRANSACTIONID and TOTALREFUNDEDAMOUNT; more
// than is left, a full refund after a partial one or another currency is
// 10009 (declined), an unknown or refused sale 10004. A resend of a
// successful refund's MSGSUBID answers the original reply with ACK
// SuccessWithWarning and warning 11607, ignoring the new data; refused
// refunds are not kept under their MSGSUBID, as at PayPal. DoVoid: every
// NVP sale is captured at once, so, as PayPal does for a completed sale's
// id, it is refused with 10609 (declined: refund instead).
// TransactionSearch (STARTDATE required; INVNUM, TRANSACTIONID, ENDDATE)
// lists the NVP payments that moved money (L_STATUSn Completed, Pending,
// Partially Refunded or Refunded) and their refunds (negative L_AMTn),
// newest first; none is Success with no rows. GetBalance gives L_AMTn and
// L_CURRENCYCODEn per currency taken.
//
// # Ledger
//
// The ledger (Ledger) lists every processed sale, refund and void of both
// protocols (Entry.Protocol), with the card's brand and last four digits
// only: a card number is never stored or logged, and the request body is
// zeroed after use. With WithLedgerFile the
// ledger is also kept in a JSON file, rewritten atomically (temporary file,
// fsync, rename) after every processed request and read back by Start, so
// that reconciliation of a payment left unknown before a restart can be
// demonstrated. If the file cannot be written the request is answered with
// HTTP 500 and forgotten, so the file and the replies never disagree.
package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp"
	"github.com/trainpay/trainpay/app/gateway/payflow"
)

// The credentials PayflowConfig returns.
const (
	User     = "sandbox"
	Vendor   = "sandbox"
	Partner  = "PayPal"
	Password = "sandbox"
)

// TestCards are app.PayflowTestCards, the only numbers accepted here.
var TestCards = app.PayflowTestCards

// Protocols of ledger entries. A ledger written before NVP existed has no
// protocol field: its entries are Payflow's.
const (
	ProtocolPayflow = ""
	ProtocolNVP     = "nvp"
)

// Entry is one processed sale, refund or void.
type Entry struct {
	Protocol  string    `json:"protocol,omitempty"`   // ProtocolPayflow, ProtocolNVP or ProtocolOrders
	RequestID string    `json:"request_id"`           // Payflow X-VPS-REQUEST-ID; "" for NVP
	MsgSubID  string    `json:"msgsubid,omitempty"`   // NVP refunds and voids: MSGSUBID
	Type      string    `json:"type"`                 // "sale", "refund" or "void"
	PNREF     string    `json:"pnref"`                // Payflow PNREF or NVP TRANSACTIONID
	OrigPNREF string    `json:"orig_pnref,omitempty"` // refunds and voids: the sale
	Result    int       `json:"result"`               // Payflow RESULT; NVP L_ERRORCODE0, 0 for none
	Message   string    `json:"message"`
	Amount    string    `json:"amount,omitempty"` // as on the wire: "10.00", "1000"
	Currency  string    `json:"currency,omitempty"`
	InvoiceID string    `json:"invoice_id,omitempty"`
	CustRef   string    `json:"custref,omitempty"` // Payflow sales: CUSTREF, found by an inquiry
	Brand     app.Brand `json:"brand,omitempty"`
	Last4     string    `json:"last4,omitempty"`
	Refunded  string    `json:"refunded,omitempty"` // sales: the total refunded so far
	Voided    bool      `json:"voided,omitempty"`   // sales: voided since
	Time      time.Time `json:"time"`
	Reply     string    `json:"reply"` // the reply sent; a replay gets it plus DUPLICATE=1
	// Fingerprint identifies the Payflow request's data without its card
	// data (see fingerprint), so that only an identical resend is answered
	// with Reply. Empty in ledgers written before it existed: any resend.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Charged reports whether the entry is a sale that moved money (approved or
// held for review).
func (e Entry) Charged() bool {
	if e.Protocol == ProtocolNVP {
		return e.Type == "sale" && (e.Result == 0 || e.Result == nvpHeld)
	}
	return e.Type == "sale" && (e.Result == 0 || e.Result == 126)
}

// Option configures Start.
type Option func(*Sandbox)

// WithLedgerFile keeps the ledger in a JSON file at path, read at start.
func WithLedgerFile(path string) Option { return func(s *Sandbox) { s.path = path } }

// WithClock sets the clock used for expiry checks and entry times.
func WithClock(now func() time.Time) Option { return func(s *Sandbox) { s.now = now } }

// Sandbox is a running offline sandbox.
type Sandbox struct {
	path string
	now  func() time.Time

	srv  *http.Server
	base string // http://127.0.0.1:port
	done chan struct{}
	once sync.Once
	err  error

	mu    sync.Mutex
	state state
}

// state is the ledger as stored.
type state struct {
	Version int     `json:"version"`
	Seq     int     `json:"seq"` // last PNREF number issued
	Entries []Entry `json:"entries"`
	Orders  []Order `json:"orders,omitempty"` // Orders v2 (orders.go)
	// Invoices are Invoicing v2's (invoicing.go).
	Invoices []Invoice `json:"invoices,omitempty"`

	lostReply bool // the Orders v2 request being processed loses its reply
}

func (st state) clone() state {
	c := st
	c.Entries = append([]Entry(nil), st.Entries...)
	c.Orders = append([]Order(nil), st.Orders...)
	c.Invoices = make([]Invoice, len(st.Invoices))
	for i, inv := range st.Invoices {
		c.Invoices[i] = inv.clone()
	}
	return c
}

// Start loads the ledger (if a file is configured) and starts serving on
// 127.0.0.1. The sandbox stops when ctx is done or Close is called.
func Start(ctx context.Context, opts ...Option) (*Sandbox, error) {
	s := &Sandbox{now: time.Now, done: make(chan struct{}), state: state{Version: 1}}
	for _, o := range opts {
		o(s)
	}
	if s.path != "" {
		data, err := os.ReadFile(s.path)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("sandbox: reading the ledger: %w", err)
		default:
			// A ledger that cannot be read is an error, not a fresh start:
			// forgetting it would forget which request IDs were charged.
			if err := json.Unmarshal(data, &s.state); err != nil {
				return nil, fmt.Errorf("sandbox: the ledger %s is damaged: %w", s.path, err)
			}
			if s.state.Version != 1 {
				return nil, fmt.Errorf("sandbox: the ledger %s has unknown version %d", s.path, s.state.Version)
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox: listening on loopback: %w", err)
	}
	s.base = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	go func() { _ = s.srv.Serve(ln) }()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// routes is the seam for protocols: one route per wire protocol.
func (s *Sandbox) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /payflow", s.payflow) // Payflow Pro name-value API
	mux.HandleFunc("POST /nvp", s.nvpHandler)  // classic NVP, Website Payments Pro UK
	s.ordersRoutes(mux)                        // Orders v2, Express Checkout (orders.go)
	s.invoicingRoutes(mux)                     // Invoicing v2 and the payer's page (invoicing.go, invoicepage.go)
	return mux
}

// PayflowEndpoint is the Payflow URL, for payflow.Config.Endpoint.
func (s *Sandbox) PayflowEndpoint() string { return s.base + "/payflow" }

// PayflowConfig is a ready payflow.Config for the sandbox. The inquiry lag
// is off: the sandbox decides a request while its connection is open and
// never processes one after, so an inquiry that finds nothing is final.
func (s *Sandbox) PayflowConfig() payflow.Config {
	return payflow.Config{
		Endpoint: s.PayflowEndpoint(), User: User, Vendor: Vendor, Partner: Partner, Password: Password,
		InquiryLag: payflow.NoInquiryLag,
	}
}

// NVPEndpoint is the classic NVP URL, for nvp.Config.Endpoint.
func (s *Sandbox) NVPEndpoint() string { return s.base + "/nvp" }

// NVPConfig is a ready nvp.Config for the sandbox. The search-lag guard is
// off: the sandbox's TransactionSearch shows a sale as soon as it is made.
func (s *Sandbox) NVPConfig() nvp.Config {
	return nvp.Config{Endpoint: s.NVPEndpoint(), User: NVPUser, Password: Password, Signature: NVPSignature, SearchLag: nvp.NoSearchLag}
}

// Ledger returns a copy of the entries, oldest first.
func (s *Sandbox) Ledger() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Entry(nil), s.state.Entries...)
}

// Close stops the server. The ledger file is always up to date, so there is
// nothing to flush.
func (s *Sandbox) Close() error {
	s.once.Do(func() {
		close(s.done)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.err = s.srv.Close()
		}
	})
	return s.err
}

// commit makes next the ledger, written to the file first. When the file
// cannot be written it answers 500 and returns false: the request is
// forgotten, so that the file and the replies agree. The caller holds s.mu.
func (s *Sandbox) commit(w http.ResponseWriter, next state) bool {
	if err := s.save(next); err != nil {
		http.Error(w, "the sandbox ledger cannot be written", http.StatusInternalServerError)
		return false
	}
	s.state = next
	return true
}

// save writes st to the ledger file atomically: a reader (or a crash) sees
// either the old file or the new one, never a torn one.
func (s *Sandbox) save(st state) error {
	if s.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, ".sandbox-ledger-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return err
	}
	// Make the rename itself durable; not every platform can sync a directory.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
