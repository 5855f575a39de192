package payflow

import (
	"fmt"
	"math/big"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
)

// formatAmount renders a as Payflow's AMT: a plain decimal with exactly the
// currency's minor digits (USD "10.00", GBP "10.00", JPY "1000"). It never
// rounds: an amount with more decimals than the currency has is a bug
// upstream (the JPY ×100 class of bug), and charging a
// rounded amount would hide it.
func formatAmount(a currency.Amount) (string, error) {
	code := a.CurrencyCode()
	digits, ok := currency.GetDigits(code)
	if code == "" || !ok {
		return "", fmt.Errorf("the amount has no valid currency (%q)", code)
	}
	if !a.IsPositive() {
		return "", fmt.Errorf("the amount %s %s must be greater than zero", a.Number(), code)
	}
	r := a.RoundTo(digits, currency.RoundHalfUp)
	if !r.Equal(a) {
		return "", fmt.Errorf("the amount %s %s has more decimal places than %s allows (%d)", a.Number(), code, code, digits)
	}
	// Build the text from the minor units ourselves rather than trusting a
	// decimal's String (which may use an exponent for some values).
	minor := r.BigInt()
	if minor.Sign() <= 0 || minor.Cmp(big.NewInt(1e15)) >= 0 {
		return "", fmt.Errorf("the amount %s %s is out of range", a.Number(), code)
	}
	s := minor.String()
	if digits == 0 {
		return s, nil
	}
	d := int(digits)
	for len(s) <= d {
		s = "0" + s
	}
	return s[:len(s)-d] + "." + s[len(s)-d:], nil
}

// allDigits reports whether b is non-empty and holds only ASCII digits.
func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// brandOf names the card scheme (app.DetectBrand, the rule the dialog and
// the domain use). It is informational (Result.Brand); Payflow decides what
// it accepts.
func brandOf(num []byte) app.Brand { return app.DetectBrand(num) }

// checkCard validates what can be validated locally, before anything is
// sent. It returns the refused field ("" when the card is acceptable) and
// a message that never contains card data.
func checkCard(c *app.Card) (field, msg string) {
	switch {
	case len(c.Number) < 12 || len(c.Number) > 19 || !allDigits(c.Number):
		return "number", "the card number must be 12 to 19 digits"
	case !app.Luhn(c.Number):
		return "number", "the card number is not valid (check digit)"
	case c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 2099:
		return "expiry", "the expiry date must be a month 1-12 and a four-digit year"
	case len(c.CVV) > 0 && (len(c.CVV) < 3 || len(c.CVV) > 4 || !allDigits(c.CVV)):
		return "cvv", "the security code must be 3 or 4 digits"
	case c.StartMonth != 0 || c.StartYear != 0:
		if c.StartMonth < 1 || c.StartMonth > 12 || c.StartYear < 1990 || c.StartYear > 2099 {
			return "start", "the start date must be a month 1-12 and a four-digit year"
		}
	}
	if c.IssueNumber != "" && (len(c.IssueNumber) > 2 || !allDigits([]byte(c.IssueNumber))) {
		return "issue", "the issue number must be 1 or 2 digits"
	}
	return "", ""
}

// mmyy formats a month and a four-digit year as Payflow's MMYY.
func mmyy(month, year int) string {
	return fmt.Sprintf("%02d%02d", month, year%100)
}
