package payflow

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/trainpay/trainpay/app"
)

// maxTag bounds a reply's [n] length tag; replies are a few hundred bytes.
const maxTag = 1 << 16

// ParseReply parses a Payflow reply body: NAME=value pairs joined by '&',
// where a name may carry a length tag, NAME[n]=value, and then exactly n
// bytes are the value (so it may contain '&' or '='). A single trailing '&'
// and a trailing line break are tolerated. Anything else that is not
// well-formed (an empty or odd name, a missing '=', a bad or overrunning
// tag, a name given twice) is an error, because a reply we cannot read with
// certainty must count as an unknown outcome rather than be half-read.
func ParseReply(b []byte) (map[string]string, error) {
	if len(b) == 0 {
		return nil, errors.New("payflow: empty reply")
	}
	m := make(map[string]string)
	i := 0
	for i < len(b) {
		start := i
		for i < len(b) && isNameByte(b[i]) {
			i++
		}
		if i == start {
			return nil, fmt.Errorf("payflow: reply has an empty or invalid name at byte %d", start)
		}
		name := string(b[start:i])
		// Names go into error texts: redact them like any gateway text.
		qname := clean(name, 40)
		if i == len(b) || (b[i] != '=' && b[i] != '[') {
			return nil, fmt.Errorf("payflow: reply field %q has no '='", qname)
		}
		var value string
		if b[i] == '[' {
			i++
			ds := i
			for i < len(b) && b[i] >= '0' && b[i] <= '9' {
				i++
			}
			if i == ds || i-ds > 6 || i+1 >= len(b) || b[i] != ']' || b[i+1] != '=' {
				return nil, fmt.Errorf("payflow: reply field %q has a malformed length tag", qname)
			}
			n, _ := strconv.Atoi(string(b[ds:i]))
			i += 2
			if n > maxTag || n > len(b)-i {
				return nil, fmt.Errorf("payflow: reply field %q is shorter than its length tag", qname)
			}
			value = string(b[i : i+n])
			i += n
			switch {
			case i == len(b):
			case b[i] == '&':
				i++
			case onlyLineBreaks(b[i:]):
				i = len(b)
			default:
				return nil, fmt.Errorf("payflow: reply field %q is longer than its length tag", qname)
			}
		} else {
			i++
			vs := i
			for i < len(b) && b[i] != '&' {
				i++
			}
			value = string(b[vs:i])
			if i < len(b) {
				i++
			}
			if i == len(b) {
				value = strings.TrimRight(value, "\r\n")
			}
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("payflow: reply field %q appears twice", qname)
		}
		m[name] = value
	}
	return m, nil
}

func isNameByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

func onlyLineBreaks(b []byte) bool {
	for _, c := range b {
		if c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// resultRule is what one RESULT code means for the money and what a person
// can do about it.
type resultRule struct {
	outcome app.Outcome
	field   string // for OutcomeInvalidCard
	advice  string
}

// resultRules is the RESULT → Outcome table (see the package doc). Codes
// that are not listed fall back by sign: > 0 not processed, < 0 not
// processed (client-side errors; nothing was attempted).
var resultRules = map[int]resultRule{
	0:   {app.OutcomeApproved, "", ""},
	126: {app.OutcomeHeldForReview, "", "The payment is authorised but held by the fraud filters; accept or reject it in PayPal Manager before it settles."},

	12:  {app.OutcomeDeclined, "", "The card issuer declined the payment. Ask the payer to use another card or to contact their bank."},
	13:  {app.OutcomeDeclined, "", "The card issuer asks for a voice authorisation (referral). Ask the payer to use another card or to call their bank."},
	50:  {app.OutcomeDeclined, "", "The card has insufficient funds. Ask the payer to use another card."},
	51:  {app.OutcomeDeclined, "", "The amount exceeds the card's per-transaction limit. Ask the payer to use another card or to contact their bank."},
	105: {app.OutcomeDeclined, "", "The refund was refused: the sale may already be refunded or may not be refundable. Check it in PayPal Manager."},
	108: {app.OutcomeDeclined, "", "The void was refused: the transaction may already be voided or settled. Refund it instead."},
	112: {app.OutcomeDeclined, "", "The billing address or postcode does not match the card (address check). Ask the payer to check them."},
	114: {app.OutcomeDeclined, "", "The card security code does not match. Ask the payer to check the 3- or 4-digit code."},
	115: {app.OutcomeDeclined, "", "The payment was refused by the merchant account's security settings. Ask the payer to check the card details."},
	117: {app.OutcomeDeclined, "", "The payment failed the merchant account's security rules (address or security code). Ask the payer to check the address, postcode and security code."},
	120: {app.OutcomeDeclined, "", "The original transaction failed, so it cannot be refunded or voided."},
	125: {app.OutcomeDeclined, "", "The fraud filters declined the payment. Ask the payer to use another card, or review the filter settings in PayPal Manager."},
	128: {app.OutcomeDeclined, "", "The payment was declined after fraud review in PayPal Manager."},

	23: {app.OutcomeInvalidCard, "number", "The card number is not valid. Ask the payer to check it."},
	24: {app.OutcomeInvalidCard, "expiry", "The expiry date is not valid or has passed. Ask the payer to check it."},

	1:   {app.OutcomeMerchantConfig, "", "Payflow refused the credentials. Check USER, VENDOR, PARTNER and the API password (all case-sensitive), the allowed IP addresses, and that test credentials are not used on the live endpoint."},
	2:   {app.OutcomeMerchantConfig, "", "The merchant account does not accept this card type."},
	5:   {app.OutcomeMerchantConfig, "", "The processor does not recognise the merchant account. Contact PayPal."},
	6:   {app.OutcomeMerchantConfig, "", "The merchant account does not accept this currency."},
	25:  {app.OutcomeMerchantConfig, "", "This card type or feature is not enabled on the merchant account."},
	26:  {app.OutcomeMerchantConfig, "", "Payflow refused the vendor account. Check USER, VENDOR, PARTNER and the API password."},
	27:  {app.OutcomeMerchantConfig, "", "The partner account lacks the permission for this transaction. Contact PayPal."},
	28:  {app.OutcomeMerchantConfig, "", "The Payflow user lacks the permission for this transaction. Check the user's permissions in PayPal Manager."},
	121: {app.OutcomeMerchantConfig, "", "This feature is not enabled on the merchant account."},

	19: {app.OutcomeNotProcessed, "", "Payflow does not know the original transaction reference."},

	// The processor or the network timed out or failed mid-way: the money
	// may have moved.
	11:   {app.OutcomeUnknown, "", ""},
	103:  {app.OutcomeUnknown, "", ""},
	104:  {app.OutcomeUnknown, "", ""},
	107:  {app.OutcomeUnknown, "", ""},
	109:  {app.OutcomeUnknown, "", ""},
	127:  {app.OutcomeUnknown, "", ""}, // not screened by the filters; the processor may still have acted
	133:  {app.OutcomeUnknown, "", ""}, // a retry whose data differ from the original under the same ID
	150:  {app.OutcomeUnknown, "", ""},
	151:  {app.OutcomeUnknown, "", ""},
	402:  {app.OutcomeUnknown, "", ""},
	403:  {app.OutcomeUnknown, "", ""},
	404:  {app.OutcomeUnknown, "", ""},
	1000: {app.OutcomeUnknown, "", ""},
}

const unknownAdvice = "The outcome is not known yet; the payment will be checked again before anything else is done."

func ruleFor(code int) resultRule {
	if r, ok := resultRules[code]; ok {
		return r
	}
	return resultRule{outcome: app.OutcomeNotProcessed}
}

// mapReply turns a parsed reply into a Result. The caller adds the card's
// brand, last four and funding.
func mapReply(m map[string]string) app.Result {
	raw, ok := m["RESULT"]
	code, err := strconv.Atoi(raw)
	if !ok || err != nil || len(raw) > 6 {
		return app.Result{Outcome: app.OutcomeUnknown, Message: "Payflow's reply has no valid RESULT. " + unknownAdvice}
	}
	rule := ruleFor(code)
	res := app.Result{
		Outcome:   rule.outcome,
		Reference: clean(m["PNREF"], 32),
		AuthCode:  clean(m["AUTHCODE"], 32),
		Code:      "RESULT=" + strconv.Itoa(code),
		Field:     rule.field,
	}
	advice := rule.advice
	if rule.outcome == app.OutcomeUnknown {
		advice = unknownAdvice
	}
	res.Message = message(code, m["RESPMSG"], advice)
	switch dup := m["DUPLICATE"]; dup {
	case "", "0":
	case "1":
		res.Duplicate = true
	default:
		// The request ID was recognised but the server did not (or could not)
		// give the original's answer: nothing may be concluded from RESULT.
		res.Outcome = app.OutcomeUnknown
		res.Field = ""
		res.Code += " DUPLICATE=" + clean(dup, 8)
		res.Message = message(code, m["RESPMSG"], "Payflow recognised the request ID but did not return the original result. "+unknownAdvice)
	}
	return res
}

// message composes Result.Message: what Payflow said (redacted) and what to
// do about it.
func message(code int, respmsg, advice string) string {
	s := "Payflow RESULT " + strconv.Itoa(code)
	if msg := clean(respmsg, 200); msg != "" {
		s += ": " + msg
	}
	s += "."
	if advice != "" {
		s += " " + advice
	}
	return s
}

// longDigits matches 12 or more digits, possibly grouped by spaces or
// hyphens: anything that could be a card number.
var longDigits = regexp.MustCompile(`\d(?:[ -]?\d){11,}`)

// digits counts the ASCII digits in s.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// clean makes gateway text safe for logs and dialogs: no control
// characters, no card numbers, bounded length.
func clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if digits(s) >= 12 { // fewer digits cannot hold a card number
		s = longDigits.ReplaceAllString(s, "[redacted]")
	}
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}
