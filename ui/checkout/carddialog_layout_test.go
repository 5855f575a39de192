package checkout

import (
	"testing"

	"fyne.io/fyne/v2"
)

// TestCardDialogHoldsStillWhileValidationMessagesAppear: the card dialog
// neither moves nor resizes while a person types into it. Every field,
// button and the dialog itself stay where they were shown when each
// field's problem appears under it (the lines take their room from the
// start) and when a Maestro number brings the start date and issue number
// (their rows come below the fields typed in, in room kept for them); and
// no digit typed while the form changes is lost. In English and Polish.
func TestCardDialogHoldsStillWhileValidationMessagesAppear(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			pe := newPayEnv(t, nil)
			SetLanguage(language)
			d, _ := pe.openMaestro("25.00", true)
			w := pe.w
			driver := fyne.CurrentApp().Driver()
			fields := map[string]fyne.CanvasObject{
				"holder": d.holder, "number": d.number, "expiry": d.expiry, "cvv": d.cvv,
				"postcode": d.postcode, "country": d.country, "cancel": d.cancel, "pay": d.pay,
			}
			// The fields' sizes too: the number keeps its width as the
			// brand beside it is recognised.
			type place struct{ pos, size fyne.Position }
			where := func() map[string]place {
				out := map[string]place{}
				for name, o := range fields {
					out[name] = place{driver.AbsolutePositionForObject(o), fyne.NewPos(o.Size().Width, o.Size().Height)}
				}
				// The dialog's content fills the dialog: it moves and
				// resizes with it.
				out["dialog"] = place{driver.AbsolutePositionForObject(d.body), fyne.NewPos(d.body.Size().Width, d.body.Size().Height)}
				return out
			}
			before := where()
			still := func(step string) {
				t.Helper()
				now := where()
				for name, p := range before {
					if now[name].pos != p.pos {
						t.Errorf("%s: %s moved from %v to %v", step, name, p.pos, now[name].pos)
					}
					if now[name].size != p.size {
						t.Errorf("%s: %s resized from %v to %v", step, name, p.size, now[name].size)
					}
				}
			}
			shows := func(step, field string) {
				t.Helper()
				if l := d.errs[field]; !l.Visible() || l.Text == "" {
					t.Errorf("%s: no message under %s", step, field)
				}
			}

			// A wrong number, typed as the driver hands runes to the
			// focused entry, and left.
			typeInto(w, d.number, "4111111111111112")
			shows("a wrong number", fieldNumber)
			still("a wrong number")
			typeInto(w, d.expiry, "01/20")
			shows("an expired card", fieldExpiry)
			still("an expired card")
			typeInto(w, d.cvv, "12345")
			shows("a long CVV", fieldCVV)
			still("a long CVV")
			replace(w, d.holder, "")
			shows("no cardholder", fieldHolder)
			still("no cardholder")
			replace(w, d.postcode, "!!!")
			shows("a wrong postcode", fieldPostcode)
			still("a wrong postcode")

			// A Maestro number: the start date and the issue number come
			// while it is typed, and every digit stays.
			replace(w, d.number, "")
			w.Canvas().Focus(d.number)
			for _, r := range maestroTestCard {
				w.Canvas().Focused().TypedRune(r)
			}
			if !d.extras.Visible() {
				t.Fatalf("a Maestro number brought no start date or issue number: %q", screenTexts(w))
			}
			if want := "6304 0000 0000 0000"; d.number.Text != want || w.Canvas().Focused() != d.number {
				t.Errorf("typed %s: the entry holds %q (focused %v)", maestroTestCard, d.number.Text, w.Canvas().Focused() == d.number)
			}
			still("the Maestro rows")
			w.Canvas().Unfocus()
			typeInto(w, d.start, "13/99")
			shows("a wrong start date", fieldStart)
			still("a wrong start date")
			typeInto(w, d.issue, "123")
			shows("a wrong issue number", fieldIssue)
			still("a wrong issue number")

			// Back to a Visa: the Maestro rows go, nothing moves either.
			replace(w, d.number, "4111111111111111")
			if d.extras.Visible() {
				t.Error("the Maestro rows stay for a Visa")
			}
			still("the Maestro rows gone")
		})
	}
}
