package nvp

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/trainpay/trainpay/app"
)

// class is what an L_ERRORCODE means for the money.
type class int

// The order is the precedence when a reply lists several errors: the most
// cautious reading wins (an ambiguous internal error outranks a decline
// listed next to it; a credentials problem outranks a card problem, since
// fixing the card will not help).
const (
	clsDeclined         class = iota + 1 // refused, nothing moved, the person can act
	clsDone                              // void: the authorisation is already void, the wanted end state holds
	clsInvalidCard                       // the card or billing data was refused; Field says which
	clsNotProcessed                      // refused as malformed, or "try later": nothing moved
	clsMerchant                          // credentials, permissions, account settings
	clsDuplicateInvoice                  // INVNUM already paid: an earlier send of this attempt charged
	clsUnknown                           // PayPal itself does not know (internal error, in progress)
)

type codeInfo struct {
	cls   class
	field string // for clsInvalidCard
	say   string // person-actionable English sentence
}

// codes maps PayPal's documented classic-API error codes (NVP/SOAP API
// Developer Reference, "API Error Codes": General, DirectPayment,
// Authorization and Capture, RefundTransaction; Website Payments Pro
// Integration Guide; Virtual Terminal guide) to what they mean here.
// A code not in the table that comes with ACK=Failure is a decline: PayPal
// said no and gave no sign that anything moved.
var codes = map[string]codeInfo{
	// PayPal does not know whether it processed the request.
	"10001": {clsUnknown, "", "PayPal reported an internal error; the payment may or may not have gone through"},
	"10523": {clsUnknown, "", "PayPal reported an internal error; the payment may or may not have gone through"},
	"10547": {clsUnknown, "", "PayPal reported an internal error; the payment may or may not have gone through"},
	"10763": {clsUnknown, "", "PayPal reported an internal error; the payment may or may not have gone through"},
	"11604": {clsUnknown, "", "PayPal is still processing an earlier send of this same request"},

	// DoDirectPayment's duplicate-invoice check: 10536 is the code the
	// DirectPayment table documents; 10412 is the Express Checkout one,
	// which PayPal's current troubleshooting page also ties to INVNUM for
	// Payments Pro. Both mean the same here.
	"10412": {clsDuplicateInvoice, "", "PayPal already holds a payment for this invoice number"},
	"10536": {clsDuplicateInvoice, "", "PayPal already holds a payment for this invoice number"},

	// Credentials, permissions and account settings: the administrator
	// must act; nothing moved.
	"10002": {clsMerchant, "", "PayPal refused the API credentials or the account is restricted: check the API username, password and signature"},
	"10006": {clsMerchant, "", "PayPal does not support the API version this app sends"},
	"10007": {clsMerchant, "", "the PayPal account has no permission for this operation"},
	"10008": {clsMerchant, "", "PayPal refused the API credentials: check the API username, password and signature"},
	"10500": {clsMerchant, "", "the PayPal account is not set up for card payments (billing agreement)"},
	"10501": {clsMerchant, "", "the PayPal account is not set up for card payments (billing agreement inactive)"},
	"10507": {clsMerchant, "", "the PayPal account is restricted: contact PayPal"},
	"10526": {clsMerchant, "", "the PayPal account does not take payments in this currency"},
	"10548": {clsMerchant, "", "the PayPal account is not a business account able to take card payments"},
	"10549": {clsMerchant, "", "the PayPal account cannot take Direct Payment (card) transactions: contact PayPal"},
	"10550": {clsMerchant, "", "Direct Payment has been disabled for the PayPal account: contact PayPal"},
	"10552": {clsMerchant, "", "the PayPal account has no confirmed email address"},
	"10565": {clsMerchant, "", "the PayPal account's country is not supported for card payments"},
	"10755": {clsMerchant, "", "the PayPal account does not take payments in this currency"},
	"10758": {clsMerchant, "", "PayPal refused the API username or password"},
	"10760": {clsMerchant, "", "the country of the PayPal account's business address is not supported for card payments"},
	"15003": {clsMerchant, "", "the PayPal account has no commercial entity agreement: contact PayPal"},

	// Refused before processing, as malformed or "try later". Nothing moved
	// and the same request may be sent again.
	"10004": {clsNotProcessed, "", "PayPal refused the request as invalid"},
	"10005": {clsNotProcessed, "", "PayPal does not support an option in the request"},
	"10010": {clsNotProcessed, "", "PayPal refused the request as invalid"},
	"10101": {clsNotProcessed, "", "this PayPal API is temporarily unavailable: try again later"},
	"10102": {clsNotProcessed, "", "this PayPal payment action is temporarily unavailable: try again later"},
	"10432": {clsNotProcessed, "", "the invoice number is too long for PayPal"},
	"10509": {clsNotProcessed, "", "PayPal requires the payer's IP address"},
	"10511": {clsNotProcessed, "", "PayPal refused the payment action"},
	"10520": {clsNotProcessed, "", "PayPal found that the totals do not match"},
	"10525": {clsNotProcessed, "", "PayPal refused an amount of zero"},
	"10628": {clsNotProcessed, "", "PayPal cannot process this right now: try again later"},

	// Card and billing data refused: the person corrects the field.
	"10502": {clsInvalidCard, "expiry", "the card has expired"},
	"10504": {clsInvalidCard, "cvv", "the security code is not valid"},
	"10508": {clsInvalidCard, "expiry", "the expiry date is not valid"},
	"10510": {clsInvalidCard, "number", "PayPal does not take this type of card: use another card"},
	"10512": {clsInvalidCard, "holder", "enter the cardholder's first name"},
	"10513": {clsInvalidCard, "holder", "enter the cardholder's last name"},
	"10519": {clsInvalidCard, "number", "enter the card number"},
	"10521": {clsInvalidCard, "number", "the card number is not valid"},
	"10522": {clsInvalidCard, "number", "the card number is not valid"},
	"10527": {clsInvalidCard, "number", "the card number or card type is not valid"},
	"10535": {clsInvalidCard, "number", "the card number is not valid"},
	"10561": {clsInvalidCard, "postcode", "enter the complete billing address"},
	"10562": {clsInvalidCard, "expiry", "the expiry year is not valid"},
	"10563": {clsInvalidCard, "expiry", "the expiry month is not valid"},
	"10566": {clsInvalidCard, "number", "PayPal does not take this type of card: use another card"},
	"10567": {clsInvalidCard, "start", "a Maestro card needs its valid-from date or issue number"},
	"10571": {clsInvalidCard, "cvv", "the security code has the wrong format"},
	"10748": {clsInvalidCard, "cvv", "enter the card's security code"},
	"10762": {clsInvalidCard, "cvv", "the security code is not valid"},
	"11998": {clsInvalidCard, "start", "enter the date from which the card is valid"},
	"15004": {clsInvalidCard, "cvv", "the security code does not match the card"},
	"15006": {clsInvalidCard, "number", "the card issuer refused the card number: check it or use another card"},

	// Declines: nothing moved; the person tries another card or calls the bank.
	"10417": {clsDeclined, "", "PayPal could not complete the payment with this card: use another card"},
	"10486": {clsDeclined, "", "PayPal could not complete the payment with this card: use another card"},
	"10505": {clsDeclined, "", "the billing address did not match the card (AVS): check the address or use another card"},
	"10534": {clsDeclined, "", "PayPal has restricted this card: use another card"},
	"10537": {clsDeclined, "", "the merchant's PayPal country filter declined the payment"},
	"10538": {clsDeclined, "", "the merchant's PayPal maximum-amount filter declined the payment"},
	"10539": {clsDeclined, "", "PayPal's risk model declined the payment: use another card"},
	"10540": {clsDeclined, "", "PayPal refused the billing address: check it"},
	"10541": {clsDeclined, "", "PayPal has restricted this card: use another card"},
	"10542": {clsDeclined, "", "PayPal refused the email address: check it"},
	"10544": {clsDeclined, "", "PayPal declined the payment: use another card"},
	"10545": {clsDeclined, "", "PayPal declined the payment as possibly fraudulent: use another card"},
	"10546": {clsDeclined, "", "PayPal declined the payment because of the IP address: contact PayPal"},
	"10553": {clsDeclined, "", "the amount is above the PayPal account's limit"},
	"10554": {clsDeclined, "", "the merchant's address-check filter declined the payment (no match): check the billing address"},
	"10555": {clsDeclined, "", "the merchant's address-check filter declined the payment (partial match): check the billing address"},
	"10556": {clsDeclined, "", "the merchant's address-check filter declined the payment (not supported by the card)"},
	"10557": {clsDeclined, "", "a setting in the merchant's PayPal profile declined the payment"},
	"10558": {clsDeclined, "", "this card cannot be charged in this currency: use another card"},
	"10564": {clsDeclined, "", "PayPal declined the payment: try again later or use another card"},
	"10752": {clsDeclined, "", "the card issuer declined the payment: use another card or contact the bank"},
	"10754": {clsDeclined, "", "PayPal declined the payment: use another card"},
	"10756": {clsDeclined, "", "the card's country and the billing address do not match: check the address"},
	"10759": {clsDeclined, "", "PayPal declined the card: use another card"},
	"10761": {clsDeclined, "", "PayPal is already processing an identical payment from this payer: check that payment before trying again"},
	"10764": {clsDeclined, "", "PayPal cannot process the payment now: try again later"},
	"11611": {clsDeclined, "", "the merchant's Fraud Management Filters blocked the payment"},
	"15001": {clsDeclined, "", "this card has failed too often recently: use another card"},
	"15002": {clsDeclined, "", "PayPal declined the payment: use another card"},
	"15005": {clsDeclined, "", "the card issuer declined the payment: use another card or contact the bank"},
	"15007": {clsDeclined, "", "the card issuer declined the card (it may have expired or been replaced): use another card"},
	"10009": {clsDeclined, "", "PayPal refused the request"},
	"10011": {clsDeclined, "", "PayPal does not know the original transaction"},

	// DoVoid.
	"10600": {clsDone, "", "the authorisation was already voided"},
	"10622": {clsDone, "", "the order was already voided"},
	"10601": {clsDeclined, "", "the authorisation has expired; nothing is held"},
	"10618": {clsDeclined, "", "the transaction was already voided or has expired"},
	"10621": {clsDeclined, "", "the order has expired; nothing is held"},
	"10602": {clsDeclined, "", "the authorisation was already captured: refund it instead"},
	"10620": {clsDeclined, "", "the order was already voided, expired or completed"},
	"10609": {clsDeclined, "", "PayPal cannot void this transaction (only authorisations can be voided; refund a completed sale instead)"},
}

// lookupCode returns what a code means. PayPal's 81xxx validation errors
// ("Missing Parameter", "Invalid Parameter") are request defects.
func lookupCode(code string) codeInfo {
	if ci, ok := codes[code]; ok {
		return ci
	}
	if n, err := strconv.Atoi(code); err == nil && n >= 81000 && n <= 81999 {
		return codeInfo{clsNotProcessed, "", "PayPal refused a parameter of the request"}
	}
	return codeInfo{clsDeclined, "", "PayPal refused the request"}
}

// decisive picks the error that decides the outcome and its index. Errors
// of severity Warning only count when there is no Error.
func decisive(errs []ReplyError) (int, codeInfo) {
	best, bestInfo := -1, codeInfo{}
	hasError := false
	for _, e := range errs {
		if !strings.EqualFold(e.Severity, "Warning") {
			hasError = true
			break
		}
	}
	for i, e := range errs {
		if hasError && strings.EqualFold(e.Severity, "Warning") {
			continue
		}
		ci := lookupCode(e.Code)
		if best < 0 || ci.cls > bestInfo.cls {
			best, bestInfo = i, ci
		}
	}
	return best, bestInfo
}

func (c class) outcome() app.Outcome {
	switch c {
	case clsDone:
		return app.OutcomeApproved
	case clsInvalidCard:
		return app.OutcomeInvalidCard
	case clsNotProcessed:
		return app.OutcomeNotProcessed
	case clsMerchant:
		return app.OutcomeMerchantConfig
	case clsDuplicateInvoice, clsUnknown:
		return app.OutcomeUnknown
	}
	return app.OutcomeDeclined
}

// longDigits matches what could be a card number. PayPal has no reason to
// echo one, but gateway text is copied into Result.Message and the log, so
// it is scrubbed on the way in rather than trusted.
var longDigits = regexp.MustCompile(`\d(?:[ -]?\d){11,}`)

func scrub(s string) string { return longDigits.ReplaceAllString(s, "[digits removed]") }

// describeErrors renders the error list for Result.Message: code, short and
// long message of each, scrubbed.
func describeErrors(errs []ReplyError) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s: %s", e.Code, e.ShortMessage, e.LongMessage)
	}
	return scrub(b.String())
}

// failureResult turns a Failure reply into a Result. Duplicate-invoice is
// handled by the caller for sales; elsewhere it is an unknown.
func failureResult(base app.Result, rep Reply) app.Result {
	i, ci := decisive(rep.Errors)
	if i < 0 {
		base.Outcome = app.OutcomeDeclined
		base.Code = ackCode(rep)
		base.Message = withCorrelation("PayPal refused the request without giving a reason", rep)
		return base
	}
	base.Outcome = ci.cls.outcome()
	base.Field = ci.field
	if ci.cls == clsDone {
		base.Duplicate = true
	}
	base.Code = errCode(i, rep.Errors[i].Code)
	base.Message = withCorrelation(ci.say+". PayPal: "+describeErrors(rep.Errors), rep)
	return base
}

func withCorrelation(msg string, rep Reply) string {
	if rep.CorrelationID == "" {
		return msg
	}
	return msg + " (CORRELATIONID " + scrub(rep.CorrelationID) + ")"
}

// ackCode and errCode render Result.Code from gateway text, scrubbed like
// everything else PayPal sends.
func ackCode(rep Reply) string { return "ACK=" + scrub(rep.Ack) }

func errCode(i int, code string) string { return fmt.Sprintf("L_ERRORCODE%d=%s", i, scrub(code)) }
