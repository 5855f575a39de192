package ui

import (
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/trainpay/trainpay/app"
)

// country is a country as the pickers show it.
type country struct {
	Code string
	Name string // in the UI language
}

var (
	countryCodesOnce sync.Once
	countryCodes     []string
)

// allCountryCodes lists ISO 3166-1 alpha-2 codes of countries with a
// currency. x/text has no list of regions, so it tries every two-letter code
// once and keeps those the domain accepts.
func allCountryCodes() []string {
	countryCodesOnce.Do(func() {
		for a := 'A'; a <= 'Z'; a++ {
			for b := 'A'; b <= 'Z'; b++ {
				code := string([]rune{a, b})
				if app.ValidCountry(code) {
					countryCodes = append(countryCodes, code)
				}
			}
		}
	})
	return countryCodes
}

// countries returns the countries sorted by their name in the UI language.
func countries() []country {
	tag := language.Make(Language())
	names := display.Regions(tag)
	out := make([]country, 0, len(allCountryCodes()))
	for _, code := range allCountryCodes() {
		name := code
		if r, err := language.ParseRegion(code); err == nil {
			if n := names.Name(r); n != "" {
				name = n
			}
		}
		out = append(out, country{Code: code, Name: name})
	}
	col := collate.New(tag)
	sort.SliceStable(out, func(i, j int) bool { return col.CompareString(out[i].Name, out[j].Name) < 0 })
	return out
}

// countryName returns a country's name in the UI language.
func countryName(code string) string {
	if r, err := language.ParseRegion(code); err == nil {
		if n := display.Regions(language.Make(Language())).Name(r); n != "" {
			return n
		}
	}
	return code
}

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
