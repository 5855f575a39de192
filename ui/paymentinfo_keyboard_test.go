package ui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
)

// checkoutKeys works a window as a person at the keyboard does, each key
// the way Fyne's desktop driver sends it (fyne.io/fyne/v2
// internal/driver/glfw/window.go, Fyne 2.8.1): processKeyPressed moves the
// focus on Tab and Shift+Tab unless the focused widget takes Tab itself,
// hands a key with Ctrl (or another modifier but Shift) to
// triggersShortcut (the main menu's items first, then the focused
// Shortcutable, else the canvas's shortcuts), and any other key to the
// focused widget's TypedKey, or the canvas's OnTypedKey with nothing
// focused; processCharInput hands a typed character to the focused
// widget's TypedRune. Space is both: the key, then the character.
type checkoutKeys struct {
	t *testing.T
	w fyne.Window
}

func (k *checkoutKeys) press(name fyne.KeyName, mods fyne.KeyModifier) {
	k.t.Helper()
	c := k.w.Canvas()
	if name == fyne.KeyTab && mods&^fyne.KeyModifierShift == 0 {
		if t, ok := c.Focused().(fyne.Tabbable); !ok || !t.AcceptsTab() {
			if mods == fyne.KeyModifierShift {
				c.FocusPrevious()
			} else {
				c.FocusNext()
			}
			return
		}
	}
	if mods&^fyne.KeyModifierShift != 0 {
		s := &desktop.CustomShortcut{KeyName: name, Modifier: mods}
		if m := k.w.MainMenu(); m != nil {
			for _, menu := range m.Items {
				for _, it := range menu.Items {
					if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() && it.Action != nil {
						it.Action()
						return
					}
				}
			}
		}
		if f, ok := c.Focused().(fyne.Shortcutable); ok {
			f.TypedShortcut(s)
			return
		}
		shortcutable(c).TypedShortcut(s)
		return
	}
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

func (k *checkoutKeys) typ(text string) {
	c := k.w.Canvas()
	for _, r := range text {
		if f := c.Focused(); f != nil {
			f.TypedRune(r)
		} else if h := c.OnTypedRune(); h != nil {
			h(r)
		}
	}
}

func (k *checkoutKeys) tab()   { k.t.Helper(); k.press(fyne.KeyTab, 0) }
func (k *checkoutKeys) enter() { k.t.Helper(); k.press(fyne.KeyReturn, 0) }
func (k *checkoutKeys) space() { k.t.Helper(); k.press(fyne.KeySpace, 0); k.typ(" ") }

// tabUntil presses Tab until ok holds for the focused widget; it fails
// after 60 presses.
func (k *checkoutKeys) tabUntil(what string, ok func(fyne.Focusable) bool) {
	k.t.Helper()
	for range 60 {
		if f := k.w.Canvas().Focused(); f != nil && ok(f) {
			return
		}
		k.tab()
	}
	k.t.Fatalf("Tab never reached %s", what)
}

func (k *checkoutKeys) tabTo(target fyne.Focusable, what string) {
	k.t.Helper()
	k.tabUntil(what, func(f fyne.Focusable) bool { return f == target })
}

func focusedIs(w fyne.Window, want fyne.Focusable) string {
	if f := w.Canvas().Focused(); f != want {
		return fmt.Sprintf("%T", f)
	}
	return ""
}

// Register and pay with a promotional code by keyboard alone: Sessions
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
			kb := &checkoutKeys{t: t, w: w}

			// The section list: Up to its top, Down to Sessions, Space.
			kb.tabTo(m.nav, "the sections")
			for range m.sections {
				kb.press(fyne.KeyUp, 0)
			}
			for _, sec := range m.sections {
				if sec.id == SectionSessions {
					break
				}
				kb.press(fyne.KeyDown, 0)
			}
			kb.space()
			if m.current != SectionSessions {
				t.Fatalf("the keys opened %q, not the sessions", m.current)
			}
			kb.tabUntil("the sessions", func(f fyne.Focusable) bool {
				l, ok := f.(*widget.List)
				return ok && l != m.nav
			})
			kb.space()
			if r, ok := m.sessionsScr.list.Selected(); !ok || r.ID != s.ID {
				t.Fatalf("Space on the list selected %+v (%v)", r, ok)
			}
			kb.press(fyne.KeyR, fyne.KeyModifierShortcutDefault)
			f := m.sessionsScr.register
			if f == nil {
				t.Fatalf("Ctrl+R opened no registration: %q", screenTexts(w))
			}
			if got := focusedIs(w, f.first); got != "" {
				t.Fatalf("the registration opened with %s focused, not the first name", got)
			}
			kb.typ("Ewa")
			kb.tabTo(f.last, "the last name")
			kb.typ("Lis")
			kb.tabTo(f.email, "the email")
			kb.typ("ewa@example.com")
			kb.tabTo(f.company, "the company")
			kb.typ("Acme")
			kb.tabUntil("Continue", func(fo fyne.Focusable) bool { return fo == fyne.Focusable(f.next) })
			kb.space()
			p := f.payment
			if p == nil {
				t.Fatalf("Continue opened no Payment Information: %q", screenTexts(w))
			}

			kb.tabTo(p.Widgets().Code, "the promotional code")
			kb.typ("half")
			kb.enter() // the code's own Enter: Apply
			if q := p.Quote(); q == nil || q.Code != "HALF" {
				t.Fatalf("Enter in the code applied nothing: %q", p.Widgets().PromoMessage.Text)
			}
			kb.tabTo(p.PayButton(), "Pay")
			kb.enter()
			d := p.Card()
			if d == nil {
				t.Fatalf("Enter on Pay opened no card dialog: %q", screenTexts(w))
			}
			c := d.Widgets()
			if got := focusedIs(w, c.Number); got != "" {
				t.Fatalf("the card dialog opened with %s focused, not the card number", got)
			}
			kb.typ("4111111111111111")
			for _, next := range []struct {
				to   fyne.Focusable
				name string
				text string
			}{{c.Expiry, "the expiry", futureExpiry()}, {c.CVV, "the CVV", "123"}, {c.Holder, "the name", ""}} {
				kb.tab()
				if got := focusedIs(w, next.to); got != "" {
					t.Fatalf("Tab went to %s, not %s", got, next.name)
				}
				kb.typ(next.text)
			}
			if c.Postcode.Text == "" {
				kb.tabTo(c.Postcode, "the postcode")
				kb.typ("00-001")
			}
			kb.enter() // pays: the card is complete
			if _, err := d.Outcome(); err != nil || e.charges() != 1 {
				t.Fatalf("Enter: %d charges, %v, %q", e.charges(), err, screenTexts(w))
			}
			if got := focusedIs(w, c.Close); got != "" {
				t.Fatalf("after paying %s has the focus, not Close", got)
			}
			kb.enter()

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
