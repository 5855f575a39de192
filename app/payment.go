package app

import (
	"context"
	"time"

	"github.com/bojanz/currency"
)

// Gateway is the contract every payment protocol implements (Payflow Pro,
// classic NVP for Website Payments Pro UK, Orders v2 for Express Checkout,
// and the offline sandbox that speaks them in Test mode).
//
// A gateway never returns a Go error: every answer, including "the network
// failed and we do not know whether the money moved", is a Result whose
// Outcome says what the caller may conclude. Network retries inside a call
// reuse the request's Key; a gateway never invents a new key.
type Gateway interface {
	// Sale charges a card (or a PayPal order) once.
	Sale(ctx context.Context, req SaleRequest) Result
	// Refund returns all or part of an earlier sale, referenced by its
	// gateway reference.
	Refund(ctx context.Context, req RefundRequest) Result
	// Void cancels an earlier transaction that has not settled.
	Void(ctx context.Context, req VoidRequest) Result
	// Lookup settles an unknown outcome: it tells whether the request made
	// under Key was processed, and with what result. It never moves money
	// that the original request would not have moved.
	Lookup(ctx context.Context, req LookupRequest) Result
}

// Outcome is what a gateway's answer means for the money.
type Outcome string

const (
	// OutcomeApproved: the money moved (or the refund/void went through).
	OutcomeApproved Outcome = "approved"
	// OutcomeHeldForReview: authorised but held by fraud filters (Payflow
	// RESULT 126); it settles only once the merchant accepts it.
	OutcomeHeldForReview Outcome = "held"
	// OutcomeDeclined: the processor refused; nothing moved. Message says why.
	OutcomeDeclined Outcome = "declined"
	// OutcomeInvalidCard: the card data was refused; Field says which.
	OutcomeInvalidCard Outcome = "invalid-card"
	// OutcomeMerchantConfig: the merchant credentials or account settings are
	// wrong (bad password, method not enabled); nothing moved.
	OutcomeMerchantConfig Outcome = "merchant-config"
	// OutcomeNotProcessed: the request certainly did not reach processing
	// (connection refused, request rejected as malformed); nothing moved and
	// the same Key may be retried.
	OutcomeNotProcessed Outcome = "not-processed"
	// OutcomeNotFound (Lookup only): the gateway has no transaction under
	// the key; the original request was never processed.
	OutcomeNotFound Outcome = "not-found"
	// OutcomeUnknown: timeout, reset, 5xx, unparseable reply. The money may
	// have moved; the journal keeps the row for reconciliation.
	OutcomeUnknown Outcome = "unknown"
)

// Brand is a card scheme.
type Brand string

const (
	BrandVisa       Brand = "visa"
	BrandMastercard Brand = "mastercard"
	BrandAmex       Brand = "amex"
	BrandDiscover   Brand = "discover"
	BrandJCB        Brand = "jcb"
	BrandDiners     Brand = "diners"
	BrandMaestro    Brand = "maestro"
	BrandUnknown    Brand = ""
)

// Funding is whether a card is a credit or a debit card.
type Funding string

const (
	FundingCredit  Funding = "credit"
	FundingDebit   Funding = "debit"
	FundingUnknown Funding = ""
)

// Card is card data on its way to a gateway. Number and CVV live only in
// memory as byte slices and are zeroed by Wipe once the call returns; they
// are never stored, logged or put in an error. Card deliberately has no
// String method that could print them: use Masked.
type Card struct {
	Number      []byte // digits only
	CVV         []byte // digits only
	ExpMonth    int    // 1–12
	ExpYear     int    // four digits
	Holder      string
	StartMonth  int    // Maestro (UK) only, 0 when absent
	StartYear   int    // Maestro (UK) only, 0 when absent
	IssueNumber string // Maestro (UK) only
	Funding     Funding
}

// Wipe zeroes the card number and CVV in place.
func (c *Card) Wipe() {
	if c == nil {
		return
	}
	for i := range c.Number {
		c.Number[i] = 0
	}
	for i := range c.CVV {
		c.CVV[i] = 0
	}
	c.Number, c.CVV = nil, nil
}

// Last4 returns the last four digits of the number ("" when shorter).
func (c *Card) Last4() string {
	if c == nil || len(c.Number) < 4 {
		return ""
	}
	return string(c.Number[len(c.Number)-4:])
}

// Payer is who pays: the attendee or the host.
type Payer struct {
	FirstName  string
	LastName   string
	Email      string
	Street     string
	City       string
	State      string // county, state or province, where the protocol asks for one
	PostalCode string
	Country    string // ISO 3166-1 alpha-2
	IP         string // the payer's IP address where the protocol needs one
}

// SaleRequest asks a gateway to charge once.
type SaleRequest struct {
	// Key is the idempotency key of this attempt: at most 32 characters of
	// [0-9a-f] so that every protocol can carry it (Payflow X-VPS-REQUEST-ID
	// takes 1–32, NVP MSGSUBID 38, REST PayPal-Request-Id 108).
	Key string
	// InvoiceID is unique per attempt too (NVP INVNUM, REST invoice_id): it
	// lets a lookup find a sale that has no idempotency key of its own.
	InvoiceID   string
	Amount      currency.Amount
	Description string // what is paid for; shows on the merchant's records
	Card        *Card  // nil for PayPal-account payments
	Payer       Payer
	// Approval is the screen's part when the buyer approves in a browser
	// (PayPal Express Checkout); nil for cards.
	Approval *BuyerApproval
	// RecordReference, when set, writes a reference the gateway learns
	// before any money can move (a PayPal order id) to the journal row, so
	// that reconciliation can find it after a crash. A gateway must not
	// move money if it fails.
	RecordReference func(ref string) error
	// RecordCaptureStart, when set, is called before each run of a request
	// that moves the money later than the row was written (an Orders v2
	// capture): the journal stores the time, so that reconciliation after
	// a restart knows a capture may still be running. A gateway must not
	// send the capture if it fails.
	RecordCaptureStart func() error
}

// RefundRequest returns all or part of a sale.
type RefundRequest struct {
	Key         string
	OriginalRef string          // the sale's gateway reference
	Amount      currency.Amount // the amount to return
	Full        bool            // the whole sale (some protocols name it)
	Description string
}

// VoidRequest cancels a transaction that has not settled.
type VoidRequest struct {
	Key         string
	OriginalRef string
}

// LookupKind is what a LookupRequest asks about.
type LookupKind string

const (
	LookupSale   LookupKind = "sale"
	LookupRefund LookupKind = "refund"
	LookupVoid   LookupKind = "void"
)

// LookupRequest asks what became of a request whose answer was lost. It
// carries what the journal knows of the original (never card data).
type LookupRequest struct {
	Kind      LookupKind
	Key       string
	InvoiceID string
	// OriginalRef is, for refunds and voids, the sale's reference; for a
	// sale, the reference its journal row holds so far (a PayPal order id
	// recorded before capture), or "".
	OriginalRef string
	Amount      currency.Amount
	Full        bool // for refunds: the original asked for the whole sale
	Description string
	// AttemptedAt is when the journal first sent the request: it narrows
	// searches, and lets a gateway refuse to replay a request older than
	// its idempotency keys live.
	AttemptedAt time.Time
	// CaptureStartedAt is when the sale's capture was last started, as the
	// journal recorded it (SaleRequest.RecordCaptureStart); zero if never.
	CaptureStartedAt time.Time
}

// Result is a gateway's answer.
type Result struct {
	Outcome   Outcome
	Reference string // the gateway's id of the transaction (PNREF, TRANSACTIONID, capture id)
	AuthCode  string
	Brand     Brand
	Last4     string
	Funding   Funding
	// Code is the gateway's own result code, e.g. "RESULT=12" or
	// "L_ERRORCODE0=10527", for the administrator and support.
	Code string
	// Message is the gateway's text (never card data), for the log and the
	// administrator; the UI words its own sentence from Outcome and Field.
	Message string
	// Field names the refused card field for OutcomeInvalidCard: "number",
	// "expiry", "cvv", "holder", "postcode", "start", "issue".
	Field string
	// Duplicate is true when the gateway answered a replay of the key with
	// the original result.
	Duplicate bool
}

// Settled reports whether the outcome is final (not Unknown).
func (r Result) Settled() bool { return r.Outcome != OutcomeUnknown }

// Charged reports whether money moved (approved or held for review).
func (r Result) Charged() bool {
	return r.Outcome == OutcomeApproved || r.Outcome == OutcomeHeldForReview
}
