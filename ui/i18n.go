package ui

import (
	"encoding/json"
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
func SetLanguage(choice string) string {
	langMu.Lock()
	defer langMu.Unlock()
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		fyne.LogError("loading translations", err)
	}
	chosen := choice
	if chosen != "en" && chosen != "pl" {
		chosen = systemLanguage()
	}
	data, err := assets.Translations.ReadFile("translations/" + chosen + ".json")
	if err == nil {
		for _, l := range []fyne.Locale{"en", "pl"} {
			if err := lang.AddTranslationsForLocale(data, l); err != nil {
				fyne.LogError("loading translations", err)
			}
		}
	}
	currentLang = chosen
	return chosen
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

// Messages returns the message IDs and texts of a shipped language file.
func Messages(language string) (map[string]any, error) {
	data, err := assets.Translations.ReadFile("translations/" + language + ".json")
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	return m, json.Unmarshal(data, &m)
}

// T translates a message ID, with optional template data.
func T(id string, data ...map[string]any) string {
	if len(data) > 0 {
		return lang.L(id, data[0])
	}
	return lang.L(id)
}

// systemRegion is the country of the OS locale ("PL" for pl_PL), or "".
func systemRegion() string {
	loc := string(lang.SystemLocale())
	if i := strings.IndexAny(loc, "-_"); i >= 0 && len(loc) >= i+3 {
		return strings.ToUpper(loc[i+1 : i+3])
	}
	return ""
}
