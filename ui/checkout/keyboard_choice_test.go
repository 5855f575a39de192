package checkout

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/app"
)

// focusedLabel is the label of the focused radio item (read by reflection:
// the item's type is the widgets package's own).
func focusedLabel(w fyne.Window) string {
	v := reflect.ValueOf(w.Canvas().Focused())
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("Label"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// TestCardDialogKeysOnTheCardType: on the card type's choice (credit or
// debit, both offered) the arrows change the type, Escape cancels the
// payment as Cancel does; in English and Polish.
func TestCardDialogKeysOnTheCardType(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			pe := newPayEnv(t, nil)
			SetLanguage(language)
			d, out := pe.open("25.00", app.MethodCreditCard, app.MethodDebitCard)
			if d.method == nil || len(d.method.Options) != 2 {
				t.Fatal("both card types offered, but no choice between them")
			}
			first, second := d.method.Options[0], d.method.Options[1]
			for range 30 {
				if focusedLabel(pe.w) == first {
					break
				}
				press(t, pe.w, fyne.KeyTab, true)
			}
			if focusedLabel(pe.w) != first {
				t.Fatalf("Shift+Tab never reached %q", first)
			}
			press(t, pe.w, fyne.KeyDown, false)
			if d.method.Selected != second || focusedLabel(pe.w) != second {
				t.Fatalf("Down: chosen %q, focus on %q; want %q", d.method.Selected, focusedLabel(pe.w), second)
			}
			press(t, pe.w, fyne.KeyEscape, false)
			if out.calls != 1 || !errors.Is(out.err, context.Canceled) {
				t.Fatalf("Escape on the card type: %d calls, %v", out.calls, out.err)
			}
		})
	}
}
