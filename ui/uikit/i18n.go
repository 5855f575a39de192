// Package uikit holds what every screen package of the UI shares: the
// language the UI speaks, translating message IDs, turning errors into
// sentences and writing money and times the way the language does. Package
// ui and its screen packages (ui/checkout) import it; it imports no screen.
package uikit

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/trainpay/trainpay/assets"
)

// The UI speaks English and Polish. Fyne's lang package picks the language
// from the operating system's locale; a preference can override it. Fyne has
// no call to force a language, so an override loads the chosen language's
// messages under every locale TrainPay ships: whichever one the OS locale
// matches then speaks the chosen language.

var (
	langMu      sync.Mutex
	currentLang = "en"
)

// SetLanguage makes the UI speak lang ("en" or "pl"); "" follows the
// operating system. It returns the language now in use.
//
// The chosen language's messages (all its files, merged) are loaded under
// the locales Fyne's localizer may settle on, so that it finds them; Fyne's
// own strings come with Fyne. Each load makes Fyne parse the messages and
// rebuild its localizer, so it is one load per locale, not one per file.
func SetLanguage(choice string) string {
	langMu.Lock()
	defer langMu.Unlock()
	chosen := choice
	if chosen != "en" && chosen != "pl" {
		chosen = systemLanguage()
	}
	data, err := mergedMessages(chosen)
	if err != nil {
		fyne.LogError("loading translations", err)
	}
	// Under "en", Fyne's fallback, the messages serve every system locale
	// but Polish; under "pl" too only when the system is Polish (a parse
	// saved at start-up on every other system).
	locales := []fyne.Locale{"en"}
	if systemLanguage() == "pl" {
		locales = append(locales, "pl")
	}
	if data != nil {
		for _, l := range locales {
			if err := lang.AddTranslationsForLocale(data, l); err != nil {
				fyne.LogError("loading translations", err)
			}
		}
	}
	currentLang = chosen
	return chosen
}

// mergedMessages is one JSON object of a language's messages from all its
// files.
func mergedMessages(language string) ([]byte, error) {
	m, err := Messages(language)
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// translationFiles lists a language's message files: en.json, and one file
// per feature area such as sessions.en.json (go-i18n reads the language from
// the last part of the name before .json).
func translationFiles(language string) []string {
	entries, err := assets.Translations.ReadDir("translations")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if name := e.Name(); name == language+".json" || strings.HasSuffix(name, "."+language+".json") {
			out = append(out, "translations/"+name)
		}
	}
	return out
}

// Language returns the UI language in use, "en" or "pl"; money and dates are
// formatted by it too.
func Language() string {
	langMu.Lock()
	defer langMu.Unlock()
	return currentLang
}

// systemLanguage maps the OS locale to a shipped language.
func systemLanguage() string {
	if strings.HasPrefix(strings.ToLower(lang.SystemLocale().LanguageString()), "pl") {
		return "pl"
	}
	return "en"
}

// Messages returns the message IDs and texts of a shipped language, from
// all its files; an ID defined in two files is an error.
func Messages(language string) (map[string]any, error) {
	m := map[string]any{}
	for _, file := range translationFiles(language) {
		data, err := assets.Translations.ReadFile(file)
		if err != nil {
			return nil, err
		}
		part := map[string]any{}
		if err := json.Unmarshal(data, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("%s: %q is defined twice", file, k)
			}
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("no translations for %q", language)
	}
	return m, nil
}

// T translates a message ID, with optional template data.
func T(id string, data ...map[string]any) string {
	if len(data) > 0 {
		return lang.L(id, data[0])
	}
	return lang.L(id)
}

// SystemRegion is the country of the OS locale ("PL" for pl_PL), or "".
func SystemRegion() string {
	loc := string(lang.SystemLocale())
	if i := strings.IndexAny(loc, "-_"); i >= 0 && len(loc) >= i+3 {
		return strings.ToUpper(loc[i+1 : i+3])
	}
	return ""
}
