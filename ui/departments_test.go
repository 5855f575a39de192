package ui

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
	"github.com/trainpay/trainpay/ui/widgets"
)

// TestDepartmentsAskThePassphraseAgainWhenTheHandleExpired: the first
// change asks for the passphrase (Enter does nothing until one is typed);
// a change after the idle time is refused, the passphrase is asked for
// again with the reason, and the change is then made with the new handle.
func TestDepartmentsAskThePassphraseAgainWhenTheHandleExpired(t *testing.T) {
	pe := newPPUEnv(t)
	ctx := context.Background()
	var shift time.Duration
	pe.site.Now = func() time.Time { return time.Now().Add(shift) }
	site, err := pe.site.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	scr := newDepartmentsScreen(pe.deps, pe.w, site)
	pe.w.SetContent(scr.content)
	unlockBtn := T("departments.unlock")
	saveBtn := T("departments.save")

	// passphraseBox is the focused passphrase entry of the shown dialog.
	passphraseBox := func() fyne.Focusable {
		t.Helper()
		f := pe.w.Canvas().Focused()
		if f == nil {
			t.Fatal("no passphrase box has the focus")
		}
		return f
	}
	policy := func() app.BudgetPolicy {
		t.Helper()
		s, err := pe.deps.Budgets.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s.Policy
	}
	before := policy()

	scr.onSettings()
	if b := findButton(pe.w, unlockBtn); b == nil || !b.Disabled() {
		t.Fatal("the passphrase dialog's Unlock is not disabled with no passphrase typed")
	}
	box := passphraseBox()
	pressEnter(box)
	if findButton(pe.w, saveBtn) != nil {
		t.Fatal("Enter with no passphrase unlocked")
	}
	test.Type(box, testPassphrase)
	pressEnter(box)
	if scr.admin == nil || findButton(pe.w, saveBtn) == nil {
		t.Fatal("the passphrase did not open the settings")
	}
	first := scr.admin
	test.Tap(findButton(pe.w, saveBtn))

	// Past the idle time the same screen's handle is refused.
	shift = app.AdminIdleTimeout + time.Minute
	scr.onSettings()
	other := T("budget.policy.block")
	if before == app.PolicyBlock {
		other = T("budget.policy.warn")
	}
	radio := findRadio(pe.w, other)
	if radio == nil {
		t.Fatalf("no policy choice %q in the settings", other)
	}
	radio.SetSelected(other)
	test.Tap(findButton(pe.w, saveBtn))
	if !containsText(screenTexts(pe.w), "locked itself after 15") {
		t.Fatalf("no reason shown: %q", screenTexts(pe.w))
	}
	if policy() != before {
		t.Fatal("the expired handle changed the policy")
	}
	box = passphraseBox()
	test.Type(box, testPassphrase)
	pressEnter(box)
	if scr.admin == nil || scr.admin == first {
		t.Fatal("no new handle after the passphrase was given again")
	}
	if policy() == before {
		t.Fatal("the change was not made once the passphrase was given again")
	}
}

// findRadio finds a visible radio group offering option in the window or
// its overlays.
func findRadio(w fyne.Window, option string) *widgets.RadioGroup {
	var found *widgets.RadioGroup
	visit := func(o fyne.CanvasObject) uitest.Visit {
		if r, ok := o.(*widgets.RadioGroup); ok && slices.Contains(r.Options, option) {
			found = r
			return uitest.Stop
		}
		return uitest.Into
	}
	for _, o := range w.Canvas().Overlays().List() {
		if uitest.Walk(o, true, visit) {
			return found
		}
	}
	uitest.Walk(w.Content(), true, visit)
	return found
}
