package uikit

import (
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/trainpay/trainpay/app"
)

// Country is a country as the pickers show it.
type Country struct {
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

// Countries returns the countries sorted by their name in the UI language.
func Countries() []Country {
	tag := language.Make(Language())
	names := display.Regions(tag)
	out := make([]Country, 0, len(allCountryCodes()))
	for _, code := range allCountryCodes() {
		name := code
		if r, err := language.ParseRegion(code); err == nil {
			if n := names.Name(r); n != "" {
				name = n
			}
		}
		out = append(out, Country{Code: code, Name: name})
	}
	col := collate.New(tag)
	sort.SliceStable(out, func(i, j int) bool { return col.CompareString(out[i].Name, out[j].Name) < 0 })
	return out
}

// CountryName returns a country's name in the UI language.
func CountryName(code string) string {
	if r, err := language.ParseRegion(code); err == nil {
		if n := display.Regions(language.Make(Language())).Name(r); n != "" {
			return n
		}
	}
	return code
}
