package app

import (
	"context"
	"time"
)

// Method is a way to pay that a site offers to attendees and hosts.
type Method string

const (
	MethodCreditCard      Method = "credit-card"
	MethodDebitCard       Method = "debit-card"
	MethodExpressCheckout Method = "express-checkout" // PayPal account, USA and Canada
)

// Processor is the merchant service a card payment goes through. Website
// Payments Pro (UK) ran on two wire protocols: its Payflow edition (partner
// PayPalUK) and classic NVP with an API signature; the credentials the
// administrator enters decide which.
type Processor string

const (
	ProcessorPayflow      Processor = "payflow"        // PayPal Payflow Pro
	ProcessorWPPUKPayflow Processor = "wpp-uk-payflow" // Website Payments Pro (UK), Payflow edition
	ProcessorWPPUKNVP     Processor = "wpp-uk-nvp"     // Website Payments Pro (UK), classic NVP DoDirectPayment
	ProcessorPayPalREST   Processor = "paypal-rest"    // Express Checkout through Orders v2
)

// PaymentKind is what a journal row asks the gateway to do.
type PaymentKind string

const (
	KindSale   PaymentKind = "sale"
	KindRefund PaymentKind = "refund"
	KindVoid   PaymentKind = "void"
)

// Purpose is what a payment is for.
type Purpose string

const (
	PurposeRegistration Purpose = "registration" // an attendee's fee
	PurposePayPerUse    Purpose = "pay-per-use"  // a host's session cost
	PurposeTrueUp       Purpose = "true-up"      // pay-per-use actual minus estimate
	PurposeTestPayment  Purpose = "test-payment" // the administrator's check of a payment method
)

// PaymentState is where a journal row stands.
type PaymentState string

const (
	// StatePending: the row is committed and the gateway is being (or was
	// about to be) called. A pending row found on start-up was interrupted.
	StatePending PaymentState = "pending"
	// StateApproved: the money moved.
	StateApproved PaymentState = "approved"
	// StateHeld: authorised but held for the merchant's review; it counts as
	// charged.
	StateHeld PaymentState = "held"
	// StateDeclined: refused by the processor; nothing moved.
	StateDeclined PaymentState = "declined"
	// StateFailed: not processed (invalid card data, merchant settings,
	// connection refused, never arrived); nothing moved.
	StateFailed PaymentState = "failed"
	// StateUnknown: the answer was lost; reconciliation settles it.
	StateUnknown PaymentState = "unknown"
	// StateNeedsReview: reconciliation could not settle it; the
	// administrator checks it with the processor. Never charged again
	// automatically.
	StateNeedsReview PaymentState = "needs-review"
)

// Unsettled reports whether the row's outcome is still open.
func (s PaymentState) Unsettled() bool {
	return s == StatePending || s == StateUnknown || s == StateNeedsReview
}

// Charged reports whether money moved.
func (s PaymentState) Charged() bool { return s == StateApproved || s == StateHeld }

// Payment is one row of the payment journal: one attempt to charge, refund
// or void, written before the gateway is called. It never holds card data
// beyond brand, last four digits and funding.
type Payment struct {
	ID        int64
	Key       string // idempotency key of this attempt
	InvoiceID string // unique per attempt
	Kind      PaymentKind
	Purpose   Purpose
	// Reference names what is paid for, e.g. "registration:42"; the
	// feature that owns the purpose interprets it.
	Reference   string
	ParentID    int64 // for refunds and voids: the sale's row
	Method      Method
	Processor   Processor
	Mode        Mode
	AmountMinor int64
	Currency    string
	Description string
	PayerName   string
	PayerEmail  string

	State      PaymentState
	GatewayRef string
	AuthCode   string
	Brand      Brand
	Last4      string
	Funding    Funding
	ResultCode string
	Message    string // the gateway's text for the administrator
	Field      string // the refused card field, if any
	Attempts   int    // gateway calls made under Key (first call and lookups)

	CreatedAt time.Time
	UpdatedAt time.Time
	// CaptureStartedAt is when the gateway last began the request that
	// moves a sale's money, when that comes after the row was written (an
	// Orders v2 capture, sent once the buyer approved); zero otherwise.
	CaptureStartedAt time.Time
	// PaidBeforeMinor is what a pay-per-use or true-up sale was worked out
	// from (ChargeRequest.PaidSoFarMinor); written with the row and checked
	// by the journal then; not read back (nil on a row read from the store).
	PaidBeforeMinor *int64
	// RefundedMinor is the sum of this sale's refunds that are charged or
	// still unsettled (a refund that may have happened counts).
	RefundedMinor int64
}

// PaymentFilter selects journal rows for the administrator's list.
type PaymentFilter struct {
	States []PaymentState // empty: all
	Offset int
	Limit  int
}

// PaymentUpdate is a settled (or still unknown) answer for a journal row.
type PaymentUpdate struct {
	State      PaymentState
	GatewayRef string
	AuthCode   string
	Brand      Brand
	Last4      string
	Funding    Funding
	ResultCode string
	Message    string
	Field      string
	At         time.Time
}

// PaymentStore is the payment journal. CreatePayment commits before the
// gateway is called; SettlePayment records the answer, and applies the
// purpose's effect (a registration paid, a session paid) in the same
// transaction.
type PaymentStore interface {
	// CreatePayment inserts p in StatePending and sets p.ID. The key and the
	// invoice id are unique: ECONFLICT on reuse. For a refund it checks, in
	// the same transaction, that the parent sale is charged and that the
	// refund does not exceed what is left of it (counting refunds that are
	// still unsettled): ECONFLICT "error.payment.refund_exceeds" otherwise.
	CreatePayment(ctx context.Context, p *Payment) error
	// MarkAttempt counts one more gateway call under the row's key.
	MarkAttempt(ctx context.Context, id int64, at time.Time) error
	// MarkCaptureStarted records that a sale's capture is about to be sent
	// at at (CaptureStartedAt); the stored time only moves forward.
	MarkCaptureStarted(ctx context.Context, id int64, at time.Time) error
	// SettlePayment records a gateway answer.
	SettlePayment(ctx context.Context, id int64, u PaymentUpdate) error
	// Payment returns one row, with RefundedMinor for sales.
	Payment(ctx context.Context, id int64) (Payment, error)
	// UnsettledPayments returns rows that are pending or unknown, oldest first.
	UnsettledPayments(ctx context.Context) ([]Payment, error)
	// Payments returns rows newest first and how many match.
	Payments(ctx context.Context, f PaymentFilter) ([]Payment, int, error)
}
