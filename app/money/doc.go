// Package money is TrainPay's single home for exact money: parsing what
// users type, formatting amounts for the UI, converting to and from the
// integer minor units stored in the database, rounding, promo-code
// discounts and per-minute rates.
//
// Amounts are github.com/bojanz/currency Amount values (arbitrary-precision
// decimals tagged with an ISO 4217 code). Floating point is never used.
//
// Rules the rest of the product can rely on:
//
//   - The database stores (amount_minor INTEGER, currency TEXT). Use
//     [FromMinor] and [ToMinor]; ToMinor refuses amounts that are not an
//     exact number of minor units instead of rounding them silently.
//   - Every rounding is explicit and names its [currency.RoundingMode]
//     ([Round], [Percent], [ApplyPercentDiscount], [Rate.Cost]). The only
//     implicit rounding is display: [Format] and [FormatNumber] show an
//     amount at the currency's minor digits using [DisplayRounding].
//   - [Parse] is a strict parser for user input in the two UI languages
//     ("en" and "pl"); it returns a *[ParseError] whose Kind the UI
//     translates (see [ParseErrorKind.Key]).
//   - Amounts accepted from users are capped at [MaxMajor] major units
//     (999 999 999.99 for a two-digit currency) so that minor units, and
//     sums of many of them, always fit in an int64.
//
// Currency codes are upper-case ISO 4217 codes as known to bojanz/currency
// ("PLN", "USD", "JPY", ...).
package money
