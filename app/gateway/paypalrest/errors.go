package paypalrest

import (
	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/internal/paypalapi"
)

// failure is a classified error.
type failure struct{ paypalapi.Fault }

func (f failure) result() app.Result {
	if f.Outcome == "" {
		f.Outcome = app.OutcomeUnknown
	}
	msg := f.Message
	if f.DebugID != "" {
		msg += " (PayPal debug id " + f.DebugID + ")"
	}
	return app.Result{Outcome: f.Outcome, Code: f.Code, Message: msg}
}

const tokenPath = paypalapi.TokenPath

// rules are Orders v2's: PayPal's refusals of the buyer's payment (nothing
// moved, and the buyer can pay another way) and of a refund are Declined;
// a 404 is a call PayPal did not act on.
var rules = paypalapi.Rules{
	Declined: map[string]bool{
		"INSTRUMENT_DECLINED": true, "PAYER_CANNOT_PAY": true, "TRANSACTION_REFUSED": true,
		"PAYER_ACCOUNT_LOCKED_OR_CLOSED": true, "PAYER_ACCOUNT_RESTRICTED": true, "COMPLIANCE_VIOLATION": true,
		"MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED": true, "PAYEE_BLOCKED_TRANSACTION": true,
		"DUPLICATE_INVOICE_ID": true, "ORDER_EXPIRED": true, "PAYER_ACTION_REQUIRED": true,
		// refunds
		"CAPTURE_FULLY_REFUNDED": true, "REFUND_AMOUNT_EXCEEDED": true, "REFUND_NOT_ALLOWED": true,
		"REFUND_TIME_LIMIT_EXCEEDED": true, "PARTIAL_REFUND_NOT_ALLOWED": true, "REFUND_FAILED_INSUFFICIENT_FUNDS": true,
		"CANNOT_BE_ZERO_OR_NEGATIVE": true, "MAX_NUMBER_OF_REFUNDS_EXCEEDED": true,
	},
	NotFound: app.OutcomeNotProcessed,
	Refused:  "PayPal refused the REST app's access",
}

// classify maps a plutov error, with what the transport saw (cs may be nil
// when only the error is at hand), to an outcome.
func classify(err error, cs *paypalapi.Calls) failure {
	if err == nil {
		return failure{paypalapi.Fault{Outcome: app.OutcomeApproved}}
	}
	return failure{paypalapi.Classify(err, cs, rules)}
}
