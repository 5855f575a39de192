package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bojanz/currency"
)

// Limits on amounts accepted from users.
//
// An amount's integer (major) part may have at most MaxMajorDigits digits,
// so the largest accepted amount is 999 999 999.99 for a 2-digit currency
// (999 999 999 for JPY, 999 999 999.999 for BHD). In minor units that is at
// most about 10^13 (4-digit currencies), far below the int64 limit of
// about 9.2*10^18, so even millions of such amounts can be summed in an
// int64 without overflow.
const (
	MaxMajorDigits       = 9
	MaxMajor       int64 = 999_999_999
)

// DisplayRounding is the rounding applied by [Format] and [FormatNumber]
// when an amount has more fraction digits than its currency (for example an
// unrounded intermediate result). Stored and computed amounts should
// already be rounded with an explicitly named mode.
const DisplayRounding = currency.RoundHalfUp

// Errors returned by the non-parsing functions. They are wrapped with
// context; test with errors.Is.
var (
	ErrUnknownCurrency  = errors.New("money: unknown currency code")
	ErrInexact          = errors.New("money: amount has more fraction digits than its currency allows")
	ErrOutOfRange       = errors.New("money: amount out of range")
	ErrNegative         = errors.New("money: negative value")
	ErrCurrencyMismatch = errors.New("money: currency mismatch")
	ErrInvalidPercent   = errors.New("money: invalid percentage")
	ErrRoundingMode     = errors.New("money: unknown rounding mode")
)

// IsValidCode reports whether code is a known ISO 4217 currency code.
// The empty string is not valid.
func IsValidCode(code string) bool {
	_, ok := currency.GetDigits(code)
	return ok
}

// Digits returns the number of minor-unit (fraction) digits of the currency
// according to ISO 4217: JPY 0, USD 2, PLN 2, BHD 3. It returns 0 for an
// unknown code; use [IsValidCode] when the code is not trusted.
func Digits(code string) uint8 {
	d, _ := currency.GetDigits(code)
	return d
}

func digitsOf(code string) (uint8, error) {
	d, ok := currency.GetDigits(code)
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownCurrency, code)
	}
	return d, nil
}

// FromMinor returns the amount minor/10^Digits(code), e.g. FromMinor(1250,
// "USD") is 12.50 USD and FromMinor(1250, "JPY") is 1250 JPY. Negative
// values are allowed (e.g. refunds); no range limit is applied.
func FromMinor(minor int64, code string) (currency.Amount, error) {
	if _, err := digitsOf(code); err != nil {
		return currency.Amount{}, err
	}
	return currency.NewAmountFromInt64(minor, code)
}

// ToMinor returns a as an integer number of minor units for storage.
// It never rounds: if a has non-zero digits beyond the currency's minor
// unit (12.345 USD) it returns an error wrapping [ErrInexact]. Trailing
// zeros are fine (12.500 USD is 1250). It returns an error wrapping
// [ErrOutOfRange] if a is not finite or does not fit in an int64, and
// [ErrUnknownCurrency] for an amount without a valid currency.
func ToMinor(a currency.Amount) (int64, error) {
	d, err := digitsOf(a.CurrencyCode())
	if err != nil {
		return 0, err
	}
	if !finite(a) {
		return 0, fmt.Errorf("%w: %s", ErrOutOfRange, a)
	}
	r := a.RoundTo(d, currency.RoundDown)
	if !finite(r) {
		// bojanz/apd could not represent the quantized value: far too large.
		return 0, fmt.Errorf("%w: %s", ErrOutOfRange, a)
	}
	if !r.Equal(a) {
		return 0, fmt.Errorf("%w: %s (%d digits)", ErrInexact, a, d)
	}
	n, err := r.Int64()
	if err != nil {
		return 0, fmt.Errorf("%w: %s", ErrOutOfRange, a)
	}
	return n, nil
}

// Zero returns 0 in the given currency, with the currency's digits
// (0.00 USD, 0 JPY).
func Zero(code string) (currency.Amount, error) {
	return FromMinor(0, code)
}

// MaxAmount returns the largest amount [Parse] accepts for the currency:
// [MaxMajor] followed by the currency's fraction digits all set to 9
// (999999999.99 USD, 999999999 JPY, 999999999.999 BHD).
func MaxAmount(code string) (currency.Amount, error) {
	d, err := digitsOf(code)
	if err != nil {
		return currency.Amount{}, err
	}
	n := strconv.FormatInt(MaxMajor, 10)
	if d > 0 {
		n += "." + strings.Repeat("9", int(d))
	}
	return currency.NewAmount(n, code)
}

// finite reports whether a is a finite number (not NaN or Infinity, which
// bojanz/currency can hold but which are never valid money).
func finite(a currency.Amount) bool {
	return !strings.ContainsAny(a.Number(), "NIn")
}

// validMode reports whether mode is one of the rounding modes defined by
// bojanz/currency.
func validMode(mode currency.RoundingMode) bool {
	switch mode {
	case currency.RoundHalfUp, currency.RoundHalfDown, currency.RoundUp,
		currency.RoundDown, currency.RoundHalfEven:
		return true
	}
	return false
}

func checkMode(mode currency.RoundingMode) error {
	if !validMode(mode) {
		return fmt.Errorf("%w: %d", ErrRoundingMode, mode)
	}
	return nil
}

// normalize checks that a is a finite, minor-exact amount in a known
// currency and returns it re-expressed with exactly the currency's digits,
// together with its minor units.
func normalize(a currency.Amount) (currency.Amount, int64, error) {
	minor, err := ToMinor(a)
	if err != nil {
		return currency.Amount{}, 0, err
	}
	n, err := FromMinor(minor, a.CurrencyCode())
	return n, minor, err
}
