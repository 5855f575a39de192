package app

import (
	"context"
	"time"
)

// MethodPayPalInvoice is the method by which the attendee pays for themselves, online, through
// an invoice PayPal emails them (PayPal Invoicing v2 with the site's REST
// app credentials; the offline sandbox in Test mode). No card data reaches
// TrainPay: the attendee pays on PayPal's page.
const MethodPayPalInvoice Method = "paypal-invoice"

// InvoiceState is where an invoice stands, as the invoice table keeps it:
// PayPal's invoice status mapped to the client's states, and "creating"
// before PayPal has answered the create.
type InvoiceState string

const (
	InvoiceCreating          InvoiceState = "creating"
	InvoiceDraft             InvoiceState = "draft"
	InvoiceAwaitingPayment   InvoiceState = "awaiting-payment"
	InvoicePaymentPending    InvoiceState = "payment-pending"
	InvoicePartiallyPaid     InvoiceState = "partially-paid"
	InvoicePaid              InvoiceState = "paid"
	InvoiceCancelled         InvoiceState = "cancelled"
	InvoicePartiallyRefunded InvoiceState = "partially-refunded"
	InvoiceRefunded          InvoiceState = "refunded"
	InvoiceNeedsReview       InvoiceState = "needs-review"
)

// Open reports whether the poller still reads the invoice at PayPal.
func (s InvoiceState) Open() bool {
	switch s {
	case InvoiceCreating, InvoiceDraft, InvoiceAwaitingPayment, InvoicePaymentPending:
		return true
	}
	return false
}

// Invoice is a registration's PayPal invoice as TrainPay keeps it. The row
// is written before PayPal is asked to create the invoice, so an invoice
// that may exist at PayPal is never forgotten: after a restart, its Number
// finds it (PayPal's search by invoice number).
type Invoice struct {
	ID             int64
	RegistrationID int64
	// Number is the registration's confirmation number, the invoice's
	// number at PayPal.
	Number    string
	PayPalID  string // "" until PayPal answered the create (or search found it)
	State     InvoiceState
	RawStatus string // PayPal's own word, or why the invoice needs review
	DueDate   string // YYYY-MM-DD, the due date PayPal shows
	PayerLink string // the page where the attendee pays
	CaptureID string // the PayPal capture of the payment, which a refund refunds
	// LeaseOwner and LeaseUntil: which TrainPay polls the invoice, until
	// when; after a poll, LeaseUntil is when it is read again (back-off).
	LeaseOwner string
	LeaseUntil time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// InvoiceUpdate is what PayPal said of an invoice. Empty PayPalID,
// PayerLink and CaptureID keep the stored ones (once known they never
// change: the table refuses it).
type InvoiceUpdate struct {
	PayPalID  string
	State     InvoiceState
	RawStatus string
	PayerLink string
	CaptureID string
	At        time.Time
}

// InvoicePayment is what settling a paid invoice did.
type InvoicePayment struct {
	// SaleID is the journal's sale that records the capture.
	SaleID int64
	// Seated is true when the registration is paid and has its seat; false
	// when the invoice was paid after the seat's hold ran out and no seat
	// was free (the payment must be given back: LatePaymentRule).
	Seated bool
	// Already is true when the invoice had been settled before (by this
	// process or another): nothing was recorded again.
	Already bool
}

// InvoiceStore keeps the invoice table. Its rules are the database's: one
// invoice per registration and per number, PayPal's id and the capture
// never changed once known, a lease that one poller holds at a time, and a
// paid invoice recorded in the journal once, in the transaction that marks
// the registration paid.
type InvoiceStore interface {
	// CreateInvoice inserts inv in "creating" and sets its ID. ECONFLICT
	// "error.invoice.exists" when the registration has one (or the number
	// is taken).
	CreateInvoice(ctx context.Context, inv *Invoice) error
	// InvoiceFor returns a registration's invoice; ENOTFOUND
	// "error.invoice.not_found" when it has none.
	InvoiceFor(ctx context.Context, registrationID int64) (Invoice, error)
	// InvoiceStates returns the state of each of these registrations'
	// invoices, in one read (the registrations list); a registration
	// without an invoice is absent.
	InvoiceStates(ctx context.Context, registrationIDs []int64) (map[int64]InvoiceState, error)
	// UpdateInvoice records what PayPal said.
	UpdateInvoice(ctx context.Context, id int64, u InvoiceUpdate) error
	// LeaseInvoices takes, in one statement, up to limit open invoices
	// whose lease is free or ran out before now, for owner until until, and
	// returns them. Two pollers never get the same row.
	LeaseInvoices(ctx context.Context, owner string, now, until time.Time, limit int) ([]Invoice, error)
	// RenewInvoiceLease moves owner's lease of an invoice to until (the next
	// poll). ECONFLICT "error.invoice.lease_lost" when owner no longer holds it.
	RenewInvoiceLease(ctx context.Context, id int64, owner string, until time.Time) error
	// SettleInvoicePaid records a paid invoice in one transaction: the
	// journal's sale (sale, already approved, its GatewayRef the capture),
	// the registration paid (and its promotional code's use final) when it
	// still has its seat or one is free, and the invoice paid with the
	// capture. A second call for the same invoice records nothing
	// (Already).
	SettleInvoicePaid(ctx context.Context, id int64, sale Payment, capture string, now time.Time) (InvoicePayment, error)
	// ReleaseInvoiceSeat gives back the seat of a registration whose
	// invoice was cancelled or is past due, and its promotional code's
	// reservation, in one transaction; the invoice takes state. A
	// registration that is no longer pending payment is left as it is.
	ReleaseInvoiceSeat(ctx context.Context, id int64, state InvoiceState, raw string, now time.Time) error
}

// LatePaymentRule is what TrainPay does with an invoice paid after its
// seat's hold ran out (the due date passed before PayPal was read): the
// seat is given when one is free; when the session has filled up in the
// meantime the payment is refunded automatically, through its capture,
// and the invoice and the journal show the refund.
const LatePaymentRule = "seat-if-free-else-refund"
