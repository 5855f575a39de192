package ppinvoice

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/bojanz/currency"
	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app/money"
)

// State is what TrainPay makes of an invoice's status.
type State string

// The states. Status.Raw keeps PayPal's own word.
const (
	// StateDraft: created, not sent; the payer cannot see it.
	StateDraft State = "draft"
	// StateAwaitingPayment: SENT, UNPAID (sent and seen) or SCHEDULED (to
	// be sent on its invoice date); nothing paid.
	StateAwaitingPayment State = "awaiting-payment"
	// StatePaymentPending: PAYMENT_PENDING, the payer paid with a means
	// that clears later (an eCheck); not money yet.
	StatePaymentPending State = "payment-pending"
	// StatePartiallyPaid: PARTIALLY_PAID.
	StatePartiallyPaid State = "partially-paid"
	// StatePaid: PAID through PayPal, or MARKED_AS_PAID by the merchant
	// for a payment made outside PayPal (Status.External).
	StatePaid State = "paid"
	// StateCancelled: CANCELLED; it can no longer be paid.
	StateCancelled State = "cancelled"
	// StatePartiallyRefunded: PARTIALLY_REFUNDED.
	StatePartiallyRefunded State = "partially-refunded"
	// StateRefunded: REFUNDED, or MARKED_AS_REFUNDED (External).
	StateRefunded State = "refunded"
	// StateNeedsReview: a status this client does not know; a person
	// looks at Raw.
	StateNeedsReview State = "needs-review"
)

// Status is an invoice's status: the domain state and PayPal's word.
type Status struct {
	State State
	Raw   string // PayPal's status, as read: "SENT", "MARKED_AS_PAID"
}

// External reports whether the merchant recorded the payment or refund by
// hand (paid outside PayPal), so no PayPal capture is behind it.
func (s Status) External() bool {
	return s.Raw == "MARKED_AS_PAID" || s.Raw == "MARKED_AS_REFUNDED"
}

// Final reports whether the invoice will not change without the merchant:
// paid in full, cancelled or refunded.
func (s Status) Final() bool {
	switch s.State {
	case StatePaid, StateCancelled, StateRefunded:
		return true
	}
	return false
}

func (s Status) String() string {
	if s.Raw == "" {
		return string(s.State)
	}
	return string(s.State) + " (" + s.Raw + ")"
}

// StatusOf maps PayPal's status (the invoice_status enum of Invoicing v2)
// to a Status; anything else needs review, with the raw word kept.
func StatusOf(raw string) Status {
	st := StateNeedsReview
	switch raw {
	case "DRAFT":
		st = StateDraft
	case "SENT", "UNPAID", "SCHEDULED":
		st = StateAwaitingPayment
	case "PAYMENT_PENDING":
		st = StatePaymentPending
	case "PARTIALLY_PAID":
		st = StatePartiallyPaid
	case "PAID", "MARKED_AS_PAID":
		st = StatePaid
	case "CANCELLED":
		st = StateCancelled
	case "PARTIALLY_REFUNDED":
		st = StatePartiallyRefunded
	case "REFUNDED", "MARKED_AS_REFUNDED":
		st = StateRefunded
	}
	return Status{State: st, Raw: raw}
}

// Invoice is what TrainPay reads of a PayPal invoice. Amounts are in minor
// units of Currency (ISO 4217 digits, as everywhere in TrainPay).
type Invoice struct {
	ID       string // INV2-…
	Number   string // the registration's confirmation number
	Status   Status
	Currency string
	Total    int64 // amount.value
	Due      int64 // due_amount: what is left to pay
	Paid     int64 // payments.paid_amount
	Refunded int64 // refunds.refund_amount
	DueDate  string
	// PayerLink is the page where the payer pays (metadata.
	// recipient_view_url, or the link send answered).
	PayerLink string
	Payments  []Transaction
	Refunds   []Transaction
}

// Transaction is one payment or refund recorded on an invoice.
type Transaction struct {
	// ID is payment_id (for a payment through PayPal: the capture's id,
	// which Refund refunds) or refund_id.
	ID       string
	External bool   // type EXTERNAL: recorded by the merchant, not through PayPal
	Method   string // PAYPAL, CREDIT_CARD, CASH, …
	Amount   int64
	Date     string
}

// Capture is the id of the invoice's first payment through PayPal, the
// capture that Refund refunds; "" when none.
func (inv Invoice) Capture() string {
	for _, p := range inv.Payments {
		if !p.External && p.ID != "" {
			return p.ID
		}
	}
	return ""
}

// wireValue is PayPal's decimal: the money schema's pattern,
// ^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$.
var wireValue = regexp.MustCompile(`^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$`)

// errInexact: a value with more digits than its currency allows.
var errInexact = errors.New("more decimals than the currency allows")

// ParseMinor reads one of PayPal's decimal strings as minor units of code,
// exactly: "10", "10.5" and "10.50" USD are 1050; "10.505" USD is an error
// (never rounded); no float is involved (bojanz/currency's decimal).
func ParseMinor(value, code string) (int64, error) {
	if !wireValue.MatchString(value) || len(value) > 32 {
		return 0, fmt.Errorf("%q is not one of PayPal's decimal values", value)
	}
	if !money.IsValidCode(code) {
		return 0, fmt.Errorf("unknown currency %q", code)
	}
	v := value
	neg := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(v, "-")
	if strings.HasPrefix(v, ".") {
		v = "0" + v
	}
	if neg {
		v = "-" + v
	}
	a, err := currency.NewAmount(v, code)
	if err != nil {
		return 0, err
	}
	n, err := money.ToMinor(a)
	if errors.Is(err, money.ErrInexact) {
		return 0, fmt.Errorf("%s %s: %w", value, code, errInexact)
	}
	return n, err
}

// zeroDecimalOnPayPal are the currencies PayPal takes without decimals
// although ISO 4217 gives them two (PayPal's currency codes page).
var zeroDecimalOnPayPal = map[string]bool{"HUF": true, "TWD": true}

// Digits is how many decimals PayPal takes for code: ISO 4217's, but none
// for HUF and TWD.
func Digits(code string) int {
	if zeroDecimalOnPayPal[code] {
		return 0
	}
	return int(money.Digits(code))
}

// WireValue writes minor units of code as PayPal takes them: the
// currency's digits ("12.50" USD, "5000" JPY), and whole units for HUF
// and TWD, which PayPal takes without decimals (an amount with fillér is
// refused rather than rounded).
func WireValue(minor int64, code string) (string, error) {
	if !money.IsValidCode(code) {
		return "", fmt.Errorf("unknown currency %q", code)
	}
	d := int(money.Digits(code))
	if zeroDecimalOnPayPal[code] {
		if minor%100 != 0 {
			return "", fmt.Errorf("PayPal takes %s in whole units only", code)
		}
		minor /= 100
		d = 0
	}
	neg := minor < 0
	if neg {
		minor = -minor
	}
	s := fmt.Sprintf("%d", minor)
	if d > 0 {
		for len(s) <= d {
			s = "0" + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	if neg {
		s = "-" + s
	}
	return s, nil
}

// fromWire maps PayPal's invoice (plutov's type, which keeps every amount
// as PayPal's string) to an Invoice.
func fromWire(w *paypal.Invoice) (Invoice, error) {
	inv := Invoice{
		ID: w.ID, Number: w.Detail.InvoiceNumber, Status: StatusOf(w.Status), Currency: w.Detail.CurrencyCode,
		DueDate: w.Detail.PaymentTerm.DueDate, PayerLink: w.Detail.Metadata.RecipientViewUrl,
	}
	if inv.ID == "" {
		return Invoice{}, errors.New("PayPal's invoice has no id")
	}
	if inv.Currency == "" {
		inv.Currency = w.AmountSummary.Currency
	}
	read := func(m paypal.Money, what string) (int64, error) {
		if m.Value == "" {
			return 0, nil
		}
		code := m.Currency
		if code == "" {
			code = inv.Currency
		}
		if code != inv.Currency {
			return 0, fmt.Errorf("the invoice's %s is in %s, not in the invoice's %s", what, code, inv.Currency)
		}
		n, err := ParseMinor(m.Value, code)
		if err != nil {
			return 0, fmt.Errorf("the invoice's %s: %w", what, err)
		}
		return n, nil
	}
	var err error
	if inv.Total, err = read(paypal.Money{Currency: w.AmountSummary.Currency, Value: w.AmountSummary.Value}, "amount"); err != nil {
		return Invoice{}, err
	}
	if inv.Due, err = read(w.DueAmount, "due amount"); err != nil {
		return Invoice{}, err
	}
	if inv.Paid, err = read(w.Payments.PaidAmount, "paid amount"); err != nil {
		return Invoice{}, err
	}
	if inv.Refunded, err = read(w.Refunds.RefundAmount, "refunded amount"); err != nil {
		return Invoice{}, err
	}
	for _, p := range w.Payments.Transactions {
		a, err := read(p.Amount, "payment")
		if err != nil {
			return Invoice{}, err
		}
		inv.Payments = append(inv.Payments, Transaction{
			ID: p.PaymentID, External: p.Type == "EXTERNAL", Method: p.Method,
			Amount: a, Date: p.PaymentDate,
		})
	}
	for _, r := range w.Refunds.RefundDetails {
		a, err := read(r.RefundAmount, "refund")
		if err != nil {
			return Invoice{}, err
		}
		inv.Refunds = append(inv.Refunds, Transaction{
			ID: r.RefundID, External: r.RefundType == "EXTERNAL", Method: r.Method,
			Amount: a, Date: r.RefundDate,
		})
	}
	return inv, nil
}
