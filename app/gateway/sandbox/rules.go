package sandbox

import (
	"strconv"
	"strings"

	"github.com/bojanz/currency"
)

// rule is what the amount alone decides for a sale: PayPal's Payflow pilot
// rule (PayPal's published Payflow pilot rules, "AMT ≤ 1000 → 0; 1012 or ≥2001 → 12; 1013 → 13;
// … RESULT value + 1000 simulates others"). The package doc has the table.
type rule int

const (
	ruleApproved     rule = iota // V ≤ 1000, or no rule in 1000 < V ≤ 2000
	ruleDeclined                 // V = 1012 or V > 2000: RESULT 12
	ruleReferral                 // V = 1013: RESULT 13
	ruleCVV                      // V = 1014: RESULT 114, security code mismatch
	ruleHeld                     // V = 1026: RESULT 126, held for review (charged)
	ruleInsufficient             // V = 1050: RESULT 50
	ruleOverLimit                // V = 1051: RESULT 51
	ruleReplyLost                // V = 1097: charged, the reply is lost
	ruleDropped                  // V = 1098: dropped before processing
)

// The pilot rule's bounds, in V.
const (
	pilotApproveUpTo = 1000 // V ≤ 1000 is approved, whatever the cents
	pilotDeclineOver = 2000 // V > 2000 is declined (RESULT 12)
)

// pilotCodes maps V − 1000 to a rule, for a whole V in (1000, 2000].
var pilotCodes = map[int64]rule{
	12: ruleDeclined,
	13: ruleReferral,
	14: ruleCVV,
	26: ruleHeld,
	50: ruleInsufficient,
	51: ruleOverLimit,
	97: ruleReplyLost,
	98: ruleDropped,
}

// pilotScale returns s such that V = (the amount in minor units) / s for a
// currency with the given number of decimals on the wire: 10^digits, so V
// is the amount in major units; but 100 for a currency without decimals
// (JPY, KRW, HUF and TWD as PayPal takes them), so that ¥101200 is
// V = 1012.00. Without that, V would be the yen amount itself, and every
// ordinary yen fee (¥5000 for a workshop) would exceed 1000 and be declined.
func pilotScale(digits int) int64 {
	if digits == 0 {
		return 100
	}
	s := int64(1)
	for range digits {
		s *= 10
	}
	return s
}

// amountRule decides amt, as on the wire with exactly digits decimals. An
// amount the route would refuse as malformed gets ruleApproved: the sale's
// own checks refuse it.
func amountRule(amt string, digits int) rule {
	if digits < 0 || digits > 6 {
		return ruleApproved
	}
	whole, frac, hasDot := strings.Cut(amt, ".")
	if whole == "" || hasDot != (digits > 0) || len(frac) != digits || !allDigits(whole) || !allDigits(frac) {
		return ruleApproved
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 12 {
		return ruleDeclined // far above 2000 in any currency
	}
	minor, err := strconv.ParseInt("0"+whole+frac, 10, 64)
	if err != nil {
		return ruleApproved
	}
	scale := pilotScale(digits)
	switch {
	case minor <= pilotApproveUpTo*scale:
		return ruleApproved
	case minor > pilotDeclineOver*scale:
		return ruleDeclined
	case minor%scale != 0:
		return ruleApproved // 1000 < V ≤ 2000 but not whole: no rule
	}
	return pilotCodes[minor/scale-pilotApproveUpTo] // ruleApproved if none
}

// payflowRule is the amount rule for a Payflow request: AMT in CURRENCY
// (USD if absent), with the ISO 4217 decimals the Payflow route takes.
func payflowRule(req *request) rule {
	code := req.get("CURRENCY")
	if code == "" {
		code = "USD" // Payflow's default
	}
	digits, ok := currency.GetDigits(code)
	if !ok {
		return ruleApproved
	}
	return amountRule(req.get("AMT"), int(digits))
}

// nvpRule is the amount rule for an NVP request: AMT in CURRENCYCODE (USD
// if absent), with the decimals PayPal takes (HUF and TWD have none).
func nvpRule(req *request) rule {
	code := req.get("CURRENCYCODE")
	if code == "" {
		code = "USD" // PayPal's default
	}
	digits, ok := nvpDigits(code)
	if !ok {
		return ruleApproved
	}
	return amountRule(req.get("AMT"), digits)
}

// pilotAmount renders V (a whole number) as an amount on the wire in a
// currency with digits decimals: 1012 is "1012.00", or "101200" for JPY.
func pilotAmount(v int64, digits int) string {
	if digits == 0 {
		return strconv.FormatInt(v*100, 10)
	}
	return strconv.FormatInt(v, 10) + "." + strings.Repeat("0", digits)
}

// pilotHint names the NVP amount that is V in code: "1012.00 GBP", or
// "101200 JPY".
func pilotHint(code string, v int64) string {
	digits, _ := nvpDigits(code)
	return pilotAmount(v, digits) + " " + code
}
