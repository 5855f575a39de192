package ui

import "github.com/trainpay/trainpay/ui/uikit"

// country is a country as the pickers show it (uikit.Country).
type country = uikit.Country

// countries returns the countries sorted by their name in the UI language.
func countries() []country { return uikit.Countries() }

// countryName returns a country's name in the UI language.
func countryName(code string) string { return uikit.CountryName(code) }

// commonTimeZones are offered in the time-zone picker; any other IANA name
// can be typed.
var commonTimeZones = []string{
	"UTC",
	"Europe/Warsaw", "Europe/London", "Europe/Dublin", "Europe/Berlin", "Europe/Paris",
	"Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Prague", "Europe/Vienna",
	"Europe/Stockholm", "Europe/Helsinki", "Europe/Athens", "Europe/Kyiv", "Europe/Istanbul",
	"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
	"America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
	"America/Halifax", "America/St_Johns", "America/Mexico_City", "America/Sao_Paulo",
	"Asia/Tokyo", "Asia/Shanghai", "Asia/Singapore", "Asia/Kolkata", "Asia/Dubai", "Asia/Bahrain",
	"Australia/Sydney", "Pacific/Auckland", "Africa/Johannesburg",
}

// defaultTimeZone proposes a time zone for a country (its capital's, or the
// most populous zone); the administrator can change it.
func defaultTimeZone(countryCode string) string {
	switch countryCode {
	case "PL":
		return "Europe/Warsaw"
	case "GB":
		return "Europe/London"
	case "IE":
		return "Europe/Dublin"
	case "DE":
		return "Europe/Berlin"
	case "FR":
		return "Europe/Paris"
	case "US":
		return "America/New_York"
	case "CA":
		return "America/Toronto"
	case "JP":
		return "Asia/Tokyo"
	case "BH":
		return "Asia/Bahrain"
	case "AU":
		return "Australia/Sydney"
	}
	return "UTC"
}
