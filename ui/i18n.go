package ui

import (
	"time"

	"github.com/trainpay/trainpay/ui/uikit"
)

// The UI's language, its messages, error sentences and the writing of money
// and times live in package uikit, which the screen packages (ui/checkout)
// share with this one; these are the names the screens of this package use.

// SetLanguage makes the UI speak lang ("en" or "pl"); "" follows the
// operating system. It returns the language now in use.
func SetLanguage(choice string) string { return uikit.SetLanguage(choice) }

// Language returns the UI language in use, "en" or "pl".
func Language() string { return uikit.Language() }

// Messages returns the message IDs and texts of a shipped language.
func Messages(language string) (map[string]any, error) { return uikit.Messages(language) }

// T translates a message ID, with optional template data.
func T(id string, data ...map[string]any) string { return uikit.T(id, data...) }

// ErrorText turns an error into a sentence for a person in the UI language.
func ErrorText(err error) string { return uikit.ErrorText(err) }

func systemRegion() string { return uikit.SystemRegion() }

func formatMinor(minor int64, cur string) string { return uikit.FormatMinor(minor, cur) }

func formatWhen(t time.Time, loc *time.Location) string { return uikit.FormatWhen(t, loc) }
