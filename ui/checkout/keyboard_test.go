package checkout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
)

// press and typeText send keys and characters as Fyne's desktop driver
// does (uitest.Keys).
func press(t *testing.T, w fyne.Window, name fyne.KeyName, shift bool) {
	t.Helper()
	mods := fyne.KeyModifier(0)
	if shift {
		mods = fyne.KeyModifierShift
	}
	uitest.Keys{T: t, W: w}.Press(name, mods)
}

func typeText(w fyne.Window, text string) { uitest.Keys{W: w}.Type(text) }

// focusName names the focused object among named, for messages.
func focusName(w fyne.Window, named map[string]fyne.Focusable) string {
	f := w.Canvas().Focused()
	for n, o := range named {
		if o == f {
			return n
		}
	}
	return fmt.Sprintf("%T", f)
}

// TestCardDialogByKeyboard: the card dialog opens on the card number;
// Tab goes number, expiry, CVV, name, postcode, country, Cancel, Pay
// (Shift+Tab back); Enter in a field pays once the card is complete, the
// answer's Close has the focus and Enter closes with the payment. In
// English and Polish.
func TestCardDialogByKeyboard(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			pe := newPayEnv(t, nil)
			SetLanguage(language)
			d, out := pe.open("25.00")
			w := pe.w
			named := map[string]fyne.Focusable{
				"number": d.number, "expiry": d.expiry, "cvv": d.cvv, "holder": d.holder,
				"postcode": d.postcode, "country": d.country, "cancel": d.cancel, "pay": d.pay,
			}
			if w.Canvas().Focused() != d.number {
				t.Fatalf("the dialog opens on %s, not the card number", focusName(w, named))
			}
			typeText(w, "4111111111111111")
			order := []string{"expiry", "cvv", "holder", "postcode", "country", "cancel"}
			for _, want := range order {
				press(t, w, fyne.KeyTab, false)
				if got := focusName(w, named); got != want {
					t.Fatalf("Tab reached %s, want %s", got, want)
				}
			}
			press(t, w, fyne.KeyTab, true)
			press(t, w, fyne.KeyTab, true)
			press(t, w, fyne.KeyTab, true)
			press(t, w, fyne.KeyTab, true)
			if got := focusName(w, named); got != "cvv" {
				t.Fatalf("Shift+Tab four times from Cancel reached %s, want cvv", got)
			}
			press(t, w, fyne.KeyTab, true)
			typeText(w, futureExpiry())
			press(t, w, fyne.KeyTab, false)
			typeText(w, "12")
			press(t, w, fyne.KeyReturn, false) // not complete: nothing is charged
			if n := pe.charges(); n != 0 || out.calls != 0 {
				t.Fatalf("Enter with a two-digit CVV: %d charges, done called %d times", n, out.calls)
			}
			typeText(w, "3")
			press(t, w, fyne.KeyReturn, false)
			if n := pe.charges(); n != 1 {
				t.Fatalf("Enter with the card complete: %d charges: %q", n, screenTexts(w))
			}
			if w.Canvas().Focused() != d.closeBtn {
				t.Fatalf("after paying the focus is on %T, not Close", w.Canvas().Focused())
			}
			press(t, w, fyne.KeyReturn, false)
			if out.calls != 1 || out.err != nil || out.p.State != app.StateApproved {
				t.Fatalf("Enter on Close: %d calls, %+v, %v", out.calls, out.p, out.err)
			}
		})
	}
}

// TestCardDialogEscapeCancels: Escape in any of the card dialog's fields
// (here the card number, half typed, and the country list) cancels the
// payment as Cancel does, wiping the number; on the answer it closes as
// Close does.
func TestCardDialogEscapeCancels(t *testing.T) {
	pe := newPayEnv(t, nil)
	d, out := pe.open("25.00")
	typeText(pe.w, "41111111")
	press(t, pe.w, fyne.KeyEscape, false)
	if out.calls != 1 || !errors.Is(out.err, context.Canceled) || d.number.Text != "" || d.number.digits != nil {
		t.Fatalf("Escape in the number: %d calls, %v, number %q", out.calls, out.err, d.number.Text)
	}

	d, out = pe.open("25.00")
	pe.w.Canvas().Focus(d.country)
	press(t, pe.w, fyne.KeyEscape, false)
	if out.calls != 1 || !errors.Is(out.err, context.Canceled) {
		t.Fatalf("Escape on the country: %d calls, %v", out.calls, out.err)
	}

	d, out = pe.open("25.00")
	fillCard(pe.w, d, "4111111111111111", "123")
	pe.w.Canvas().Focus(d.cvv)
	press(t, pe.w, fyne.KeyReturn, false)
	press(t, pe.w, fyne.KeyEscape, false)
	if out.calls != 1 || out.err != nil || out.p.State != app.StateApproved {
		t.Fatalf("Escape on the answer: %d calls, %+v, %v", out.calls, out.p, out.err)
	}
}

// TestPayPalDialogByKeyboard: the PayPal dialog opens with Continue to
// PayPal focused and Enter presses it; Escape while PayPal waits cancels
// the wait (nothing charged); after an approval Close has the focus and
// Enter closes with the payment.
func TestPayPalDialogByKeyboard(t *testing.T) {
	pe, b := paypalSite(t)
	w := pe.w
	var result error
	var paid app.Payment
	calls := 0
	done := func(p app.Payment, err error) { calls, paid, result = calls+1, p, err }
	var once sync.Once
	var d *PayPalDialog
	b.Then = func() { once.Do(func() { press(t, w, fyne.KeyEscape, false) }) }
	d = ShowPayPalDialog(w, pe.svc, PayPalPayment{
		Amount: amountOf(t, "25.00", "USD"), Purpose: app.PurposeRegistration,
		Reference: "registration:1", Description: "Workshop: Go in practice",
	}, done)
	if w.Canvas().Focused() != d.start {
		t.Fatalf("the dialog opens with %T focused, not Continue to PayPal", w.Canvas().Focused())
	}
	press(t, w, fyne.KeyReturn, false)
	if calls != 1 || !errors.Is(result, context.Canceled) {
		t.Fatalf("Escape while PayPal waits: %d calls, %v", calls, result)
	}

	calls = 0
	b.Then, b.Action = nil, "approve"
	d = ShowPayPalDialog(w, pe.svc, PayPalPayment{
		Amount: amountOf(t, "25.00", "USD"), Purpose: app.PurposeRegistration,
		Reference: "registration:2", Description: "Workshop: Go in practice",
	}, done)
	press(t, w, fyne.KeyReturn, false)
	if !containsText(screenTexts(w), "Paid $25.00 with PayPal.") {
		t.Fatalf("result: %q", screenTexts(w))
	}
	if w.Canvas().Focused() != d.closeBtn {
		t.Fatalf("after paying the focus is on %T, not Close", w.Canvas().Focused())
	}
	press(t, w, fyne.KeyReturn, false)
	if calls != 1 || result != nil || paid.State != app.StateApproved {
		t.Fatalf("Enter on Close: %d calls, %+v, %v", calls, paid, result)
	}
}
