package nvp

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bojanz/currency"
	"github.com/trainpay/trainpay/app"
)

// brandOf tells the scheme from the number (app.DetectBrand, the same rule
// the payment dialog and the domain use) and returns the CREDITCARDTYPE
// PayPal expects, "" for a scheme DoDirectPayment does not take (JCB,
// Diners, unknown). app.Card carries no brand, and a brand typed by a
// person can disagree with the number, so the number decides.
func brandOf(n []byte) (app.Brand, string) {
	if !allDigits(n) {
		return app.BrandUnknown, ""
	}
	switch b := app.DetectBrand(n); b {
	case app.BrandAmex:
		return b, "Amex"
	case app.BrandVisa:
		return b, "Visa"
	case app.BrandMastercard:
		return b, "MasterCard"
	case app.BrandDiscover:
		return b, "Discover"
	case app.BrandMaestro:
		return b, "Maestro"
	case app.BrandJCB, app.BrandDiners:
		return b, ""
	}
	return app.BrandUnknown, ""
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// cardProblem is a refusal found before anything is sent.
type cardProblem struct {
	field string
	msg   string
}

// checkCard validates what PayPal would refuse anyway, so that the person
// hears about a typo at once and nothing that cannot succeed is sent. The
// messages never quote the number or the CVV.
func checkCard(c *app.Card, ccType, currencyCode string, now time.Time) *cardProblem {
	if !allDigits(c.Number) || len(c.Number) < 12 || len(c.Number) > 19 || !app.Luhn(c.Number) {
		return &cardProblem{"number", "the card number is not valid (check the digits)"}
	}
	if ccType == "" {
		return &cardProblem{"number", "PayPal Website Payments Pro takes only Visa, MasterCard, Maestro, Discover and American Express cards"}
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 || c.ExpYear < 2000 || c.ExpYear > 9999 {
		return &cardProblem{"expiry", "the expiry date is not valid"}
	}
	now = now.UTC()
	if c.ExpYear < now.Year() || c.ExpYear == now.Year() && c.ExpMonth < int(now.Month()) {
		return &cardProblem{"expiry", "the card has expired"}
	}
	if len(c.CVV) > 0 {
		want := 3
		if ccType == "Amex" {
			want = 4
		}
		if !allDigits(c.CVV) || len(c.CVV) != want {
			return &cardProblem{"cvv", fmt.Sprintf("the security code must be %d digits", want)}
		}
	}
	hasStart := c.StartMonth != 0 || c.StartYear != 0
	if ccType == "Maestro" {
		// PayPal: "If the credit card type is Maestro, you must set
		// CURRENCYCODE to GBP. In addition, you must specify either
		// STARTDATE or ISSUENUMBER."
		if currencyCode != "GBP" {
			return &cardProblem{"number", "PayPal takes Maestro cards only for payments in pounds sterling (GBP)"}
		}
		if hasStart && (c.StartMonth < 1 || c.StartMonth > 12 || c.StartYear < 1900 || c.StartYear > 9999) {
			return &cardProblem{"start", "the card's valid-from date is not valid"}
		}
		if c.IssueNumber != "" && (len(c.IssueNumber) > 2 || !allDigits([]byte(c.IssueNumber))) {
			return &cardProblem{"issue", "the issue number must be one or two digits"}
		}
		if !hasStart && c.IssueNumber == "" {
			return &cardProblem{"start", "a Maestro card needs its valid-from date or its issue number"}
		}
	}
	return nil
}

// paypalDigits is the number of decimals PayPal accepts for a currency.
// It follows ISO 4217/CLDR (currency.GetDigits) except where PayPal's
// currency table says "does not support decimals" although ISO has two:
// HUF and TWD. Sending "1000.00" for those is refused by PayPal.
func paypalDigits(code string) (uint8, bool) {
	switch code {
	case "HUF", "TWD":
		return 0, true
	}
	return currency.GetDigits(code)
}

var (
	errNoCurrency   = errors.New("the amount has no valid currency")
	errNotPositive  = errors.New("the amount must be more than zero")
	errTooPrecise   = errors.New("the amount has more decimal places than the currency allows")
	errAmountFormat = errors.New("the amount cannot be written as a plain decimal")
)

// formatAmount writes an amount the way NVP wants it: a plain decimal with
// exactly the currency's digits ("10.00" GBP, "1000" JPY), no thousands
// separator. It refuses rather than rounds an amount with more precision
// than the currency has: silently charging a different sum than the one
// journalled is worse than not charging.
func formatAmount(a currency.Amount) (string, error) {
	code := a.CurrencyCode()
	digits, ok := paypalDigits(code)
	if code == "" || !ok {
		return "", errNoCurrency
	}
	if !a.IsPositive() {
		return "", errNotPositive
	}
	r := a.RoundTo(digits, currency.RoundHalfUp)
	if !r.Equal(a) {
		return "", errTooPrecise
	}
	s := r.Number()
	if strings.ContainsAny(s, "eE") {
		return "", errAmountFormat
	}
	return s, nil
}

// clip shortens s to at most n bytes on a rune boundary and flattens
// control characters. PayPal counts "single-byte characters"; counting
// bytes keeps a UTF-8 name within the limit whichever way PayPal counts.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n])
}

// ipAddress is the IPADDRESS field: required by DoDirectPayment, at most 15
// characters, so IPv4 only. TrainPay is a desktop app where the card is
// keyed in on the merchant's own machine; there is no remote buyer whose
// address could be sent, so unless the caller knows the payer's IPv4
// address we send the loopback address, which is what desktop and
// back-office integrations customarily send.
func ipAddress(ip string) string {
	if a, err := netip.ParseAddr(strings.TrimSpace(ip)); err == nil && a.Is4() {
		return a.String()
	}
	return DesktopIPAddress
}

// names returns FIRSTNAME and LASTNAME: the name on the card when there is
// one (it is what the issuer checks), else the payer's.
func names(c *app.Card, p app.Payer) (first, last string) {
	if h := strings.Join(strings.Fields(c.Holder), " "); h != "" {
		if i := strings.LastIndexByte(h, ' '); i > 0 {
			return h[:i], h[i+1:]
		}
		return strings.TrimSpace(p.FirstName), h
	}
	return strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
}
