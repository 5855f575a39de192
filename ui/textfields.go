package ui

import (
	"errors"

	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// lineValidator is the domain's text rule (app.CheckLine on the trimmed
// text) as a Fyne validator, so that a form shows its refusal, in the
// reader's language, under the field as it is typed or pasted. The field's
// other checks stay where they are.
func lineValidator(field app.TextField) fyne.StringValidator {
	return func(s string) error {
		return textRuleError(app.CheckLine(field, app.TrimLine(s)))
	}
}

func textRuleError(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(ErrorText(err))
}

// checkLines sets the text rule's validator on single-line entries.
func checkLines(entries map[*widgets.Entry]app.TextField) {
	for e, f := range entries {
		e.Validator = lineValidator(f)
	}
}

// example is a placeholder that reads as a hint, never as a value typed in:
// "e.g. 14:30".
func example(value string) string {
	return T("placeholder.example", map[string]any{"Value": value})
}
