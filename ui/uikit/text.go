package uikit

import (
	"errors"
	"strings"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
)

// ErrorText turns an error into a sentence for a person in the UI language:
// a domain error by its translation key, a money parse error by its kind,
// anything else as a generic failure (the cause goes to the log).
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	var pe *money.ParseError
	if errors.As(err, &pe) {
		return T(pe.Kind.Key(), map[string]any{"Digits": pe.Digits, "Separator": pe.DecimalSeparator})
	}
	e := app.AsError(err)
	if e.Code == app.EINTERNAL || e.Key == "" {
		return T("error.internal")
	}
	data := map[string]any{}
	for k, v := range e.Data {
		data[k] = v
	}
	// A feature is named in the UI language, not by its command-line name.
	if f, ok := data["Feature"].(string); ok {
		if _, err := app.ParseFeature(f); err == nil {
			data["Feature"] = T("feature." + f)
		}
	}
	// So is a field of text the text rule refused (app.TextField).
	if f, ok := data["Field"].(string); ok && strings.HasPrefix(e.Key, "error.text.") {
		data["Field"] = T("field." + f)
	}
	return T(e.Key, data)
}

// FormatMinor writes an amount in minor units of currency cur the way the
// UI language does; "" when cur is not a currency money knows.
func FormatMinor(minor int64, cur string) string {
	a, err := money.FromMinor(minor, cur)
	if err != nil {
		return ""
	}
	return money.Format(a, Language())
}

// FormatWhen writes a time in loc the way the UI language does.
func FormatWhen(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	zone, _ := t.Zone()
	if Language() == "pl" {
		return t.Format("02.01.2006 15:04") + " " + zone
	}
	return t.Format("2 Jan 2006 15:04") + " " + zone
}
