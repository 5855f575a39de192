package money

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bojanz/currency"
)

// Rate limits. A rate has at most RateDigits fraction digits and at most
// MaxRateMajorDigits integer digits, so MaxRateE4 = 999 999.9999 per minute.
const (
	RateDigits               = 4
	MaxRateMajorDigits       = 6
	MaxRateE4          int64 = 9_999_999_999
)

// Rate is a per-minute price with up to four decimal places, stored as an
// integer number of ten-thousandths of the currency's major unit (e4):
// 0.1234 PLN/min is Rate{e4: 1234, code: "PLN"}. Persist E4() and
// Currency(); rebuild with RateFromE4. The zero Rate has no currency and
// is not usable for Cost.
type Rate struct {
	e4   int64
	code string
}

// RateFromE4 returns the rate e4/10000 major units of code per minute. It
// does not validate; [Rate.Cost] rejects negative rates and unknown codes.
func RateFromE4(e4 int64, code string) Rate { return Rate{e4: e4, code: code} }

// E4 returns the rate in ten-thousandths of the major unit.
func (r Rate) E4() int64 { return r.e4 }

// Currency returns the rate's ISO 4217 currency code.
func (r Rate) Currency() string { return r.code }

// decimal returns e4 as a decimal string with four fraction digits.
func (r Rate) decimal() string {
	u := uint64(r.e4)
	sign := ""
	if r.e4 < 0 {
		u = -u // two's complement: also right for math.MinInt64
		sign = "-"
	}
	s := fmt.Sprintf("%05d", u)
	return sign + s[:len(s)-RateDigits] + "." + s[len(s)-RateDigits:]
}

// String returns the rate for logs, e.g. "0.1234 PLN".
func (r Rate) String() string { return r.decimal() + " " + r.code }

// amount returns the rate as an amount per minute.
func (r Rate) amount() (currency.Amount, error) {
	if _, err := digitsOf(r.code); err != nil {
		return currency.Amount{}, err
	}
	return currency.NewAmount(r.decimal(), r.code)
}

// Format formats the rate for the UI language lang like [Format], showing
// at least the currency's digits and up to four: "0,1234\u00a0zł",
// "$0.1234", "$0.12" (0.1200), "0,10\u00a0zł" (0.1000). A rate with an
// unknown currency is shown as String() does.
func (r Rate) Format(lang string) string {
	a, err := r.amount()
	if err != nil {
		return r.String()
	}
	f := formatter(lang)
	f.MaxDigits = max(RateDigits, Digits(r.code)) // never rounds: e4 has 4 digits
	return f.Format(a)
}

// FormatNumber formats the rate without a currency marker and without
// grouping, for an entry field: "0,1234" in pl, "0.12" in en (0.1200 USD).
func (r Rate) FormatNumber(lang string) string {
	a, err := r.amount()
	if err != nil {
		return r.decimal()
	}
	f := formatter(lang)
	f.MaxDigits = max(RateDigits, Digits(r.code))
	f.CurrencyDisplay = currency.DisplayNone
	f.NoGrouping = true
	return f.Format(a)
}

// Cost returns minutes × rate rounded to the currency's minor unit with the
// named mode. The multiplication is exact (bojanz/apd decimals, no int64
// overflow: e.g. 6 000 000 minutes × 0.1234 = 740 400.00). Examples: 2250
// min × 0.1235 USD with RoundHalfUp = 277.88 (exactly 277.875); 2250 min ×
// 0.12 USD = 270.00.
//
// It returns an error for negative minutes or a negative rate (wrapping
// [ErrNegative]), an unknown currency, an invalid mode, or a result above
// [MaxAmount] (wrapping [ErrOutOfRange]), so the result always fits the
// database's int64 minor units.
func (r Rate) Cost(minutes int64, mode currency.RoundingMode) (currency.Amount, error) {
	if err := checkMode(mode); err != nil {
		return currency.Amount{}, err
	}
	a, err := r.amount()
	if err != nil {
		return currency.Amount{}, err
	}
	if minutes < 0 || r.e4 < 0 {
		return currency.Amount{}, fmt.Errorf("%w: %d minutes × %s", ErrNegative, minutes, r)
	}
	// Both operands have at most 19 digits: the product has at most 38,
	// within bojanz's 39-digit precision, so it is exact before rounding.
	a, err = a.Mul(strconv.FormatInt(minutes, 10))
	if err != nil {
		return currency.Amount{}, err
	}
	cost := Round(a, mode)
	limit, err := MaxAmount(r.code)
	if err != nil {
		return currency.Amount{}, err
	}
	if c, err := cost.Cmp(limit); err != nil || c > 0 || !finite(cost) {
		return currency.Amount{}, fmt.Errorf("%w: %d minutes × %s", ErrOutOfRange, minutes, r)
	}
	return cost, nil
}

// ParseRate parses a per-minute rate typed by a user, with the same rules
// as [Parse] (language-specific separators, optional currency marker)
// except: up to RateDigits (4) fraction digits regardless of the currency,
// and at most MaxRateMajorDigits integer digits (KindTooLarge). Zero is
// accepted; negative input is refused.
func ParseRate(input, code, lang string) (Rate, error) {
	if _, err := digitsOf(code); err != nil {
		return Rate{}, err
	}
	n, perr := parseDecimal(input, code, lang, RateDigits, MaxRateMajorDigits, RateDigits)
	if perr != nil {
		return Rate{}, perr
	}
	e4, err := strconv.ParseInt(strings.Replace(n, ".", "", 1), 10, 64)
	if err != nil { // cannot happen: at most 10 digits
		return Rate{}, &ParseError{
			Kind: KindTooLarge, Input: input, Digits: RateDigits,
			DecimalSeparator: string(numberFormatFor(lang).decimal),
		}
	}
	return Rate{e4: e4, code: code}, nil
}
