package app

import "time"

// Some methods need the buyer to approve the payment in a browser before
// the gateway may take the money: PayPal Express Checkout (Orders v2)
// creates an order, the buyer approves it on PayPal's site, and only then is
// it captured. The gateway drives that exchange inside Sale; the screen that
// started the payment takes part through a BuyerApproval.

// ApprovalLink is what the buyer must open to approve a payment.
type ApprovalLink struct {
	URL string // PayPal's "approve" link
	// Reference is the processor's id of what is being approved (the
	// PayPal order id), for the administrator and support.
	Reference string
	// Expires is when the processor stops accepting the approval; after it
	// the attempt ends with nothing charged.
	Expires time.Time
}

// ApprovalPage is the text of the page the buyer's browser shows when it
// comes back to TrainPay, in the screen's language.
type ApprovalPage struct {
	Title     string
	Approved  string // shown after approval: go back to TrainPay
	Cancelled string // shown after the buyer cancelled in PayPal
}

// BuyerApproval is the screen's part in a payment approved in a browser.
// Cancelling the context given to Charge ends the wait with nothing charged,
// as long as the capture has not started; once it has, it runs to its end.
type BuyerApproval struct {
	// Show is called, from the gateway's goroutine, once the buyer can
	// approve: the screen opens the link in the system browser and shows
	// the time left. It may be called again if the link changes.
	Show func(ApprovalLink)
	// Page words the page shown in the browser after approval or cancel;
	// English when empty.
	Page ApprovalPage
}

// Result codes of a payment approved in a browser that ended with nothing
// charged, for the screen's wording.
const (
	CodeApprovalCancelled      = "PAYPAL=CANCELLED"        // the buyer cancelled in PayPal
	CodeApprovalCancelledInApp = "PAYPAL=CANCELLED-IN-APP" // the person cancelled in TrainPay
	CodeApprovalExpired        = "PAYPAL=APPROVAL-EXPIRED" // the approval window closed
	CodeFundingDeclined        = "PAYPAL=INSTRUMENT_DECLINED"
	CodePayerCannotPay         = "PAYPAL=PAYER_CANNOT_PAY"
)
