package ppinvoice

import (
	"errors"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/internal/paypalapi"
)

// Error is a call PayPal refused, or whose answer is missing. Outcome says
// what became of the call, as paypalrest's results do:
//
//   - app.OutcomeUnknown: the request was written and no answer came (a
//     timeout, a reset, a 5xx, a body that is not JSON): PayPal may have
//     acted on it. Resending under the same PayPal-Request-Id is safe.
//   - app.OutcomeNotProcessed: PayPal did not act: the request did not
//     reach it, or PayPal refused it (a 4xx, Issue and Message say why).
//   - app.OutcomeMerchantConfig: the REST app's credentials or rights.
//   - app.OutcomeNotFound: no such invoice (404).
//   - app.OutcomeDeclined: a refund PayPal refused (the capture is refunded
//     already, the amount exceeds what is left, …).
type Error struct {
	Op      string // "create", "send", "get", …
	Outcome app.Outcome
	Status  int    // HTTP status; 0 when none arrived
	Code    string // "HTTP=502", "PAYPAL=CANNOT_CANCEL_PAID_INVOICE", "OAUTH=401", "NO-REPLY", "CONNECT"
	Issue   string // details[0].issue of PayPal's error
	DebugID string
	Message string
}

func (e *Error) Error() string {
	msg := "PayPal invoicing " + e.Op + ": " + string(e.Outcome) + " (" + e.Code + ")"
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.DebugID != "" {
		msg += " (PayPal debug id " + e.DebugID + ")"
	}
	return msg
}

// OutcomeOf is err's Outcome: an *Error's own, app.OutcomeUnknown for any
// other error, "" for nil.
func OutcomeOf(err error) app.Outcome {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Outcome
	}
	return app.OutcomeUnknown
}

// rules are Invoicing's: a 404 is no such invoice, and PayPal's refusals
// of a refund (Payments v2's and Invoicing's record-refund) are Declined.
var rules = paypalapi.Rules{
	Declined: map[string]bool{
		"CAPTURE_FULLY_REFUNDED": true, "REFUND_AMOUNT_EXCEEDED": true, "REFUND_NOT_ALLOWED": true,
		"REFUND_TIME_LIMIT_EXCEEDED": true, "PARTIAL_REFUND_NOT_ALLOWED": true, "REFUND_FAILED_INSUFFICIENT_FUNDS": true,
		"MAX_NUMBER_OF_REFUNDS_EXCEEDED": true, "TRANSACTION_DISPUTED": true, "PENDING_CAPTURE": true,
		"CANNOT_PROCESS_REFUNDS": true, "INVALID_REFUND_AMOUNT": true,
	},
	NotFound: app.OutcomeNotFound,
	Refused:  "PayPal refused the REST app's access to invoicing",
}

// classify maps a plutov error, with what the transport saw, to an *Error.
func classify(op string, err error, cs *paypalapi.Calls) *Error {
	f := paypalapi.Classify(err, cs, rules)
	return &Error{
		Op: op, Outcome: f.Outcome, Status: f.Status, Code: f.Code, Issue: f.Issue,
		DebugID: f.DebugID, Message: f.Message,
	}
}
