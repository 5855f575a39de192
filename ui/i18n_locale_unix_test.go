//go:build unix

package ui

import (
	"testing"

	"github.com/trainpay/trainpay/app"
)

// TestPolishLocaleChoosesPolish: with no override, a Polish system locale
// (LANG=pl_PL.UTF-8, which locale detection reads on Unix only; Windows
// asks the system for the user's locale) makes the UI Polish and the
// wizard propose Poland and its currency. TestPolishEverywhere walks the
// screens in Polish through the override, as every system can.
func TestPolishLocaleChoosesPolish(t *testing.T) {
	e := newEnv(t, "")
	t.Setenv("LANG", "pl_PL.UTF-8")
	t.Setenv("LC_ALL", "")
	frags := englishFragments(t)
	e.provision(app.FeaturePaidSessions)

	m := NewMainWindow(e.app, e.deps)
	w := m.Window()
	if Language() != "pl" {
		t.Fatalf("LANG=pl_PL.UTF-8 picked %q", Language())
	}
	wz := m.wizard
	if wz.country.Selected != "Polska" || wz.currency.Selected != "PLN" {
		t.Fatalf("the wizard proposes the locale's country: %q %q", wz.country.Selected, wz.currency.Selected)
	}
	assertPolish(t, "wizard", w, frags)
}
