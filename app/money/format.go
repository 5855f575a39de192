package money

import (
	"github.com/bojanz/currency"
)

// formatter returns a CLDR formatter for the UI language. bojanz
// formatters are safe for concurrent use once configured, but creating one
// is cheap, so a fresh one is returned to keep callers from sharing state.
func formatter(lang string) *currency.Formatter {
	f := currency.NewFormatter(currency.NewLocale(normLang(lang)))
	f.MinDigits = currency.DefaultDigits // the currency's digits
	f.MaxDigits = currency.DefaultDigits
	f.RoundingMode = DisplayRounding
	return f
}

// Format formats a for display in the UI language lang ("en" or "pl";
// anything else follows "en" rules) using the CLDR patterns of
// bojanz/currency, always with the currency's number of fraction digits.
//
// Polish: "12,50\u00a0zł", "1234,56\u00a0zł", "12\u00a0345,67\u00a0zł"
// (U+00A0 no-break spaces; CLDR groups Polish numbers only from five
// integer digits). English: "$1,234.56", "£12.50", "¥1,235",
// "BHD\u00a01,234.567", "PLN\u00a012.50".
//
// An amount with more fraction digits than the currency is rounded for
// display with [DisplayRounding]; round explicitly beforehand if that is
// not what you want.
func Format(a currency.Amount, lang string) string {
	return formatter(lang).Format(a)
}

// FormatNumber formats a without currency marker and without grouping, for
// text entry fields: "12,50" (pl), "12.50" (en), "1234,56" (pl). The result
// parses back to a with [Parse]. Rounding as in [Format].
func FormatNumber(a currency.Amount, lang string) string {
	f := formatter(lang)
	f.CurrencyDisplay = currency.DisplayNone
	f.NoGrouping = true
	return f.Format(a)
}
