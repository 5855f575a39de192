package ui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
)

func focusedIs(w fyne.Window, want fyne.Focusable) string {
	if f := w.Canvas().Focused(); f != want {
		return fmt.Sprintf("%T", f)
	}
	return ""
}

// Register and pay with a promotional code by keyboard alone (keys sent as
// Fyne's desktop driver sends them, uitest.Keys): Sessions
// opened from the section list, the session chosen in its list with Space, Ctrl+R, the attendee typed field by field
// with Tab, Space on Continue; on Payment Information the code typed and
// Enter applies it, Tab to Pay and Enter; the card dialog opens on the
// card number, Tab to the expiry and the CVV (and on to the name), Enter
// pays, Enter closes the answer; the confirmation names the code, its
// discount and the price before it. In English and Polish.
func TestKeyboardRegistersAndPaysWithAPromotionalCode(t *testing.T) {
	for _, lang := range []string{"en", "pl"} {
		t.Run(lang, func(t *testing.T) {
			promo := &fakePromo{}
			e := newSessionsEnv(t, lang, true, promo)
			s := e.schedulePaid("Negocjacje", 200_00, 10)
			e.app.Preferences().SetString(prefLanguage, lang)
			m := NewMainWindow(e.app, e.deps)
			w := m.Window()
			w.Resize(fyne.NewSize(1280, 800))
			kb := uitest.Keys{T: t, W: w}

			// The section list: Up to its top, Down to Sessions, Space.
			kb.TabTo(m.nav, "the sections")
			for range m.sections {
				kb.Press(fyne.KeyUp, 0)
			}
			for _, sec := range m.sections {
				if sec.id == SectionSessions {
					break
				}
				kb.Press(fyne.KeyDown, 0)
			}
			kb.Space()
			if m.current != SectionSessions {
				t.Fatalf("the keys opened %q, not the sessions", m.current)
			}
			kb.TabUntil("the sessions", func(f fyne.Focusable) bool {
				l, ok := f.(*widget.List)
				return ok && l != &m.nav.List
			})
			kb.Space()
			if r, ok := m.sessionsScr.list.Selected(); !ok || r.ID != s.ID {
				t.Fatalf("Space on the list selected %+v (%v)", r, ok)
			}
			kb.Press(fyne.KeyR, fyne.KeyModifierShortcutDefault)
			f := m.sessionsScr.register
			if f == nil {
				t.Fatalf("Ctrl+R opened no registration: %q", screenTexts(w))
			}
			if got := focusedIs(w, f.first); got != "" {
				t.Fatalf("the registration opened with %s focused, not the first name", got)
			}
			kb.Type("Ewa")
			kb.TabTo(f.last, "the last name")
			kb.Type("Lis")
			kb.TabTo(f.email, "the email")
			kb.Type("ewa@example.com")
			kb.TabTo(f.company, "the company")
			kb.Type("Acme")
			kb.TabUntil("Continue", func(fo fyne.Focusable) bool { return fo == fyne.Focusable(f.next) })
			kb.Space()
			p := f.payment
			if p == nil {
				t.Fatalf("Continue opened no Payment Information: %q", screenTexts(w))
			}

			kb.TabTo(p.Widgets().Code, "the promotional code")
			kb.Type("half")
			kb.Enter() // the code's own Enter: Apply
			if q := p.Quote(); q == nil || q.Code != "HALF" {
				t.Fatalf("Enter in the code applied nothing: %q", p.Widgets().PromoMessage.Text)
			}
			kb.TabTo(p.PayButton(), "Pay")
			kb.Enter()
			d := p.Card()
			if d == nil {
				t.Fatalf("Enter on Pay opened no card dialog: %q", screenTexts(w))
			}
			c := d.Widgets()
			if got := focusedIs(w, c.Number); got != "" {
				t.Fatalf("the card dialog opened with %s focused, not the card number", got)
			}
			kb.Type("4111111111111111")
			for _, next := range []struct {
				to   fyne.Focusable
				name string
				text string
			}{{c.Expiry, "the expiry", futureExpiry()}, {c.CVV, "the CVV", "123"}, {c.Holder, "the name", ""}} {
				kb.Tab()
				if got := focusedIs(w, next.to); got != "" {
					t.Fatalf("Tab went to %s, not %s", got, next.name)
				}
				kb.Type(next.text)
			}
			if c.Postcode.Text == "" {
				kb.TabTo(c.Postcode, "the postcode")
				kb.Type("00-001")
			}
			kb.Enter() // pays: the card is complete
			if _, err := d.Outcome(); err != nil || e.charges() != 1 {
				t.Fatalf("Enter: %d charges, %v, %q", e.charges(), err, screenTexts(w))
			}
			if got := focusedIs(w, c.Close); got != "" {
				t.Fatalf("after paying %s has the focus, not Close", got)
			}
			kb.Enter()

			texts := screenTexts(w)
			for _, want := range []string{
				T("register.confirmed"),
				T("register.price_before", map[string]any{"Amount": pln(t, "200.00")}),
				T("register.discount_line", map[string]any{"Code": "HALF", "Amount": pln(t, "100.00")}),
				T("register.paid_line", map[string]any{"Amount": pln(t, "100.00")}),
			} {
				if !containsText(texts, want) {
					t.Errorf("the confirmation lacks %q: %q", want, texts)
				}
			}
			r, err := e.svc.Registration(context.Background(), f.reg.ID)
			if err != nil || r.Status != app.RegPaid || r.PromoCode != "HALF" || r.PaidMinor != 100_00 || promo.reserved != 1 {
				t.Fatalf("registration %+v, %v; code reserved %d times", r, err, promo.reserved)
			}
		})
	}
}
