package money

import (
	"fmt"
	"strings"

	"github.com/bojanz/currency"
)

// Percentages accepted by [Percent]: a plain decimal string with a dot,
// at most MaxPercentDecimals fraction digits, between 0 and MaxPercent.
// [ApplyPercentDiscount] additionally requires at most 100.
const (
	MaxPercentDecimals = 4
	MaxPercent         = 1000
)

// Round rounds a to its currency's number of fraction digits with the
// named mode, e.g. Round(0.125 USD, currency.RoundHalfUp) = 0.13 and
// Round(0.125 USD, currency.RoundHalfEven) = 0.12. Half-up rounds ties away
// from zero (-0.125 → -0.13).
//
// mode must be one of the currency.Round* constants; any other value is a
// programming error and panics. a must be a finite amount in the range
// bojanz/currency can quantize (all amounts this package produces are).
func Round(a currency.Amount, mode currency.RoundingMode) currency.Amount {
	if !validMode(mode) {
		panic(fmt.Sprintf("money.Round: unknown rounding mode %d", mode))
	}
	return a.RoundTo(currency.DefaultDigits, mode)
}

// parsePercent validates a percentage string such as "15" or "33.33".
func parsePercent(pct string, max int) error {
	intPart, frac, hasDot := strings.Cut(pct, ".")
	bad := !allDigits(intPart) || (hasDot && !allDigits(frac)) ||
		len(frac) > MaxPercentDecimals || len(intPart) > 4
	if !bad {
		n := 0
		for _, c := range intPart {
			n = n*10 + int(c-'0')
		}
		bad = n > max || (n == max && strings.Trim(frac, "0") != "")
	}
	if bad {
		return fmt.Errorf("%w %q (want a decimal between 0 and %d with at most %d decimals)",
			ErrInvalidPercent, pct, max, MaxPercentDecimals)
	}
	return nil
}

// Percent returns pct percent of a, rounded to the currency's digits with
// the named mode: round(a × pct / 100). pct is a decimal string with a dot
// ("15", "33.33"; see MaxPercentDecimals, MaxPercent). a must be an exact
// number of minor units (see [ToMinor]); it may be negative.
func Percent(a currency.Amount, pct string, mode currency.RoundingMode) (currency.Amount, error) {
	return percent(a, pct, mode, MaxPercent)
}

func percent(a currency.Amount, pct string, mode currency.RoundingMode, max int) (currency.Amount, error) {
	if err := checkMode(mode); err != nil {
		return currency.Amount{}, err
	}
	if err := parsePercent(pct, max); err != nil {
		return currency.Amount{}, err
	}
	a, _, err := normalize(a)
	if err != nil {
		return currency.Amount{}, err
	}
	// |minor| < 2^63 (19 digits) and pct has at most 8 significant digits,
	// so the product stays within bojanz's 39-digit precision: exact.
	p, err := a.Mul(pct)
	if err != nil {
		return currency.Amount{}, err
	}
	p, err = p.Div("100") // exact: only moves the decimal point
	if err != nil {
		return currency.Amount{}, err
	}
	return Round(p, mode), nil
}

// ApplyPercentDiscount applies a promo-code percentage:
//
//	discount = round(fee × pct / 100)   with the named mode (the product rule is RoundHalfUp)
//	total    = fee − discount           (never below zero)
//
// fee must be non-negative and an exact number of minor units; pct must be
// between 0 and 100 (see [Percent] for its format). Both results carry the
// currency's digits. Example: 9.99 USD at 15% half-up → discount 1.50,
// total 8.49.
func ApplyPercentDiscount(fee currency.Amount, pct string, mode currency.RoundingMode) (discount, total currency.Amount, err error) {
	fee, feeMinor, err := normalize(fee)
	if err != nil {
		return currency.Amount{}, currency.Amount{}, err
	}
	if feeMinor < 0 {
		return currency.Amount{}, currency.Amount{}, fmt.Errorf("%w fee %s", ErrNegative, fee)
	}
	discount, err = percent(fee, pct, mode, 100)
	if err != nil {
		return currency.Amount{}, currency.Amount{}, err
	}
	return capDiscount(fee, discount)
}

// ApplyFixedDiscount applies a fixed-amount discount: the discount is
// capped at the fee, so total = fee − discount is never below zero. Both
// amounts must be non-negative, in the same currency and exact numbers of
// minor units; the returned discount is the one actually applied.
func ApplyFixedDiscount(fee, discount currency.Amount) (applied, total currency.Amount, err error) {
	fee, feeMinor, err := normalize(fee)
	if err != nil {
		return currency.Amount{}, currency.Amount{}, err
	}
	if fee.CurrencyCode() != discount.CurrencyCode() {
		return currency.Amount{}, currency.Amount{}, fmt.Errorf("%w: fee %s, discount %s",
			ErrCurrencyMismatch, fee, discount)
	}
	discount, discMinor, err := normalize(discount)
	if err != nil {
		return currency.Amount{}, currency.Amount{}, err
	}
	if feeMinor < 0 || discMinor < 0 {
		return currency.Amount{}, currency.Amount{}, fmt.Errorf("%w: fee %s, discount %s",
			ErrNegative, fee, discount)
	}
	return capDiscount(fee, discount)
}

// capDiscount returns min(discount, fee) and fee minus it; both arguments
// are normalized, non-negative and in the same currency.
func capDiscount(fee, discount currency.Amount) (currency.Amount, currency.Amount, error) {
	if c, err := discount.Cmp(fee); err != nil {
		return currency.Amount{}, currency.Amount{}, err
	} else if c > 0 {
		discount = fee
	}
	total, err := fee.Sub(discount)
	if err != nil {
		return currency.Amount{}, currency.Amount{}, err
	}
	return discount, total, nil
}
