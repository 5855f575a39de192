package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// TestWizardThenSiteAdministration walks the first-run wizard, opens Site
// administration with the passphrase, enables a provisioned feature, fails
// to enable an unprovisioned one, switches Test/Production and finds each
// change in the audit log.
func TestWizardThenSiteAdministration(t *testing.T) {
	e := newEnv(t, "en")
	ctx := context.Background()
	// The account manager provisions paid sessions before the first run.
	e.provision(app.FeaturePaidSessions)

	m := NewMainWindow(e.app, e.deps)
	w := m.Window()
	w.Resize(w.Canvas().Size().AddWidthHeight(0, 0))
	wz := m.wizard
	if wz == nil {
		t.Fatal("a new database shows the first-run wizard")
	}
	if !containsText(screenTexts(w), "Welcome to TrainPay") {
		t.Fatalf("wizard title missing: %q", screenTexts(w))
	}

	// Next with nothing typed explains what is missing and stays.
	test.Tap(wz.next)
	if l := wz.errs[string(app.FieldSiteName)]; wz.step != 0 || l.Text != "Give the site a name." || wz.errMsg.Text != "" {
		t.Fatalf("step %d, beside the name %q, under the steps %q", wz.step, l.Text, wz.errMsg.Text)
	}
	test.Type(wz.name, "Acme Training")
	selectCountry(t, wz.country, wz.countryCds, "PL")
	if wz.currency.Selected != "PLN" || wz.timeZone.Text != "Europe/Warsaw" {
		t.Fatalf("Poland proposes PLN and Europe/Warsaw, got %q %q", wz.currency.Selected, wz.timeZone.Text)
	}
	test.Tap(wz.next)
	if wz.step != 1 {
		t.Fatalf("step %d: %q", wz.step, wz.errMsg.Text)
	}
	test.Type(wz.pass, "short")
	test.Tap(wz.next)
	if l := wz.errs[app.FieldNewPassphrase]; !strings.Contains(l.Text, "at least 10 characters") {
		t.Fatalf("short passphrase: %q", l.Text)
	}
	wz.pass.SetText(testPassphrase)
	test.Type(wz.confirm, "something else entirely")
	test.Tap(wz.next)
	if l := wz.errs[fieldConfirmPassphrase]; l.Text != "The two passphrases differ." {
		t.Fatalf("mismatch: %q", l.Text)
	}
	// Back keeps the values.
	test.Tap(wz.back)
	if wz.name.Text != "Acme Training" || wz.currency.Selected != "PLN" {
		t.Fatal("Back lost the site's values")
	}
	test.Tap(wz.next)
	wz.confirm.SetText(testPassphrase)
	test.Tap(wz.next)
	if wz.step != 2 || !containsText(screenTexts(w), "Europe/Warsaw") {
		t.Fatalf("summary step: %d %q", wz.step, screenTexts(w))
	}
	test.Tap(wz.next) // Create site

	site, err := e.site.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if site.Name != "Acme Training" || site.Country != "PL" || site.Currency != "PLN" || site.Mode != app.ModeTest {
		t.Fatalf("site = %+v", site)
	}
	if m.wizard != nil || !containsText(screenTexts(w), "TEST MODE") {
		t.Fatalf("after the wizard the main window shows the TEST MODE banner: %q", screenTexts(w))
	}

	// Site administration needs the passphrase.
	m.Open(SectionAdmin)
	adm := m.admin
	test.Type(adm.pass, "not the passphrase")
	test.Tap(adm.unlockBtn)
	if adm.admin != nil || !strings.Contains(adm.unlockMsg.Text, "Wrong passphrase. 4 tries left") {
		t.Fatalf("wrong passphrase: %q", adm.unlockMsg.Text)
	}
	test.Type(adm.pass, testPassphrase)
	test.Tap(adm.unlockBtn)
	if adm.admin == nil {
		t.Fatalf("right passphrase did not unlock: %q", adm.unlockMsg.Text)
	}

	// Enable the provisioned feature.
	c := adm.commerce
	adm.tabs.SelectIndex(1)
	test.Tap(c.checks[app.FeaturePaidSessions])
	if st := featureState(t, e, app.FeaturePaidSessions); !st.Enabled {
		t.Fatal("tapping Paid sessions did not enable it")
	}
	if adm.statusMsg.Text != "Paid sessions enabled." {
		t.Fatalf("status: %q", adm.statusMsg.Text)
	}

	// The unprovisioned feature cannot be enabled: its box is disabled, it
	// says whom to contact, and the domain refuses it whatever the caller.
	promo := c.checks[app.FeaturePromoCodes]
	if !promo.Disabled() {
		t.Fatal("an unprovisioned feature's box must be disabled")
	}
	test.Tap(promo)
	if featureState(t, e, app.FeaturePromoCodes).Enabled {
		t.Fatal("tapping a disabled box enabled an unprovisioned feature")
	}
	if got := c.notes[app.FeaturePromoCodes].Text; !strings.Contains(got, "contact your account manager") {
		t.Fatalf("note: %q", got)
	}
	c.onFeature(app.FeaturePromoCodes, true)
	if !strings.Contains(adm.statusMsg.Text, "Promotional codes: not provisioned for this site. Contact your account manager.") {
		t.Fatalf("domain refusal shown as %q", adm.statusMsg.Text)
	}

	// Production asks for confirmation; the banner goes away.
	c.mode.SetSelected("Production")
	confirm := findButton(w, "Switch to Production")
	if confirm == nil {
		t.Fatalf("no confirmation dialog: %q", screenTexts(w))
	}
	test.Tap(confirm)
	if s, _ := e.site.Site(ctx); s.Mode != app.ModeProduction {
		t.Fatalf("mode = %s", s.Mode)
	}
	if containsText(texts(m.banner), "TEST MODE") {
		t.Fatal("the TEST MODE banner stays in Production")
	}
	c.mode.SetSelected("Test")
	if s, _ := e.site.Site(ctx); s.Mode != app.ModeTest {
		t.Fatalf("mode = %s", s.Mode)
	}
	if !containsText(texts(m.banner), "TEST MODE") {
		t.Fatal("the TEST MODE banner is back in Test")
	}

	// Rates, typed in the UI language's format.
	c.person.SetText("0.1234")
	c.tele.SetText("0.08")
	test.Tap(c.saveRate)
	if s, _ := e.site.Site(ctx); s.RatePersonMinuteE4 != 1234 || s.RateTeleconferenceMinuteE4 != 800 {
		t.Fatalf("rates = %d, %d (%q)", s.RatePersonMinuteE4, s.RateTeleconferenceMinuteE4, adm.statusMsg.Text)
	}
	c.person.SetText("0.12345")
	test.Tap(c.saveRate)
	if !strings.Contains(c.perBox.msg.Text, "at most 4") || adm.statusMsg.Text != "" {
		t.Fatalf("five decimals: beside the rate %q, on the status line %q", c.perBox.msg.Text, adm.statusMsg.Text)
	}

	// Every change is in the audit log, newest first.
	adm.tabs.SelectIndex(2)
	var lines []string
	for _, r := range adm.audit.Rows() {
		lines = append(lines, AuditText(r))
	}
	want := []string{
		"Site administrator · Rate per teleconference minute: 0.0000 PLN ⟶ 0.0800 PLN",
		"Site administrator · Rate per person-minute: 0.0000 PLN ⟶ 0.1234 PLN",
		"Site administrator · Mode: Production ⟶ Test",
		"Site administrator · Mode: Test ⟶ Production",
		"Site administrator · Paid sessions enabled: no ⟶ yes",
		"First-run setup · Site created",
		"Account manager · Paid sessions provisioned: no ⟶ yes",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !containsText(screenTexts(w), "Mode: Test ⟶ Production") {
		t.Fatalf("the audit tab shows the entries: %q", screenTexts(w))
	}
	// Each entry names who made it: the file's one person, the desktop user.
	if by := adm.audit.Rows()[0].Login; by == "" || !containsText(screenTexts(w), "user "+by) {
		t.Fatalf("the audit tab names no login (%q): %q", by, screenTexts(w))
	}
	// No secret reaches the log.
	for _, r := range adm.audit.Rows() {
		if strings.Contains(r.Old+r.New, testPassphrase) || strings.Contains(r.Old+r.New, "argon2") {
			t.Fatalf("a secret in the audit log: %+v", r)
		}
	}

	// Leaving Site administration locks it.
	m.Open(SectionOverview)
	m.Open(SectionAdmin)
	if m.admin.admin != nil {
		t.Fatal("Site administration stayed open after leaving it")
	}
}

func featureState(t *testing.T, e *env, f app.Feature) app.FeatureState {
	t.Helper()
	states, err := e.site.Features(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		if st.Feature == f {
			return st
		}
	}
	t.Fatalf("no feature %s", f)
	return app.FeatureState{}
}

func selectCountry(t *testing.T, sel interface{ SetSelectedIndex(int) }, codes []string, code string) {
	t.Helper()
	for i, c := range codes {
		if c == code {
			sel.SetSelectedIndex(i)
			return
		}
	}
	t.Fatalf("no country %s", code)
}

// pressEnter presses Enter in an entry, as a person does to submit it.
func pressEnter(e fyne.Focusable) {
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func failedAttempts(t *testing.T, e *env) int {
	t.Helper()
	cred, err := e.db.AdminCredential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cred.FailedAttempts
}

// TestPassphraseEnterDoesNothingWhileUnlockIsDisabled: with no passphrase
// typed, or during a pause, the Unlock button is disabled and Enter in the
// passphrase box makes no attempt either.
func TestPassphraseEnterDoesNothingWhileUnlockIsDisabled(t *testing.T) {
	e := newEnv(t, "en")
	e.setUp("PL", "PLN", "Europe/Warsaw")
	m := NewMainWindow(e.app, e.deps)
	m.Open(SectionAdmin)
	adm := m.admin
	t.Cleanup(adm.lock) // stops the pause's timer

	if !adm.unlockBtn.Disabled() {
		t.Fatal("Unlock is enabled with no passphrase typed")
	}
	pressEnter(adm.pass)
	if n := failedAttempts(t, e); n != 0 {
		t.Fatalf("Enter with no passphrase made %d attempts", n)
	}

	for i := 1; i <= app.MaxPassphraseAttempts; i++ {
		test.Type(adm.pass, "not the passphrase")
		if adm.unlockBtn.Disabled() {
			t.Fatalf("try %d: Unlock is disabled with a passphrase typed", i)
		}
		pressEnter(adm.pass)
	}
	if n := failedAttempts(t, e); n != app.MaxPassphraseAttempts {
		t.Fatalf("%d attempts counted, want %d", n, app.MaxPassphraseAttempts)
	}
	if !strings.Contains(adm.unlockMsg.Text, "Try again in 30 seconds") {
		t.Fatalf("pause message: %q", adm.unlockMsg.Text)
	}

	// During the pause the right passphrase can be typed, but neither the
	// button nor Enter submits it.
	test.Type(adm.pass, testPassphrase)
	if !adm.unlockBtn.Disabled() {
		t.Fatal("Unlock is enabled during the pause")
	}
	pressEnter(adm.pass)
	test.Tap(adm.unlockBtn)
	if n := failedAttempts(t, e); n != app.MaxPassphraseAttempts || adm.admin != nil {
		t.Fatalf("during the pause: %d attempts counted, unlocked %v", n, adm.admin != nil)
	}
}

// TestExpiredAdministratorIsAskedForThePassphraseAgain: after the idle
// time the next change is refused, and the screen locks, says why and asks
// for the passphrase; leaving the screen or Lock ends the handle.
func TestExpiredAdministratorIsAskedForThePassphraseAgain(t *testing.T) {
	e := newEnv(t, "en")
	e.setUp("PL", "PLN", "Europe/Warsaw")
	var shift time.Duration
	e.site.Now = func() time.Time { return time.Now().Add(shift) }
	m := NewMainWindow(e.app, e.deps)
	m.Open(SectionAdmin)
	adm := m.admin
	test.Type(adm.pass, testPassphrase)
	pressEnter(adm.pass)
	if adm.admin == nil {
		t.Fatalf("not unlocked: %q", adm.unlockMsg.Text)
	}
	first := adm.admin

	shift = app.AdminIdleTimeout + time.Minute
	adm.general.name.SetText("Acme Szkolenia")
	test.Tap(adm.general.save)
	if adm.admin != nil || findButton(m.Window(), T("admin.unlock")) == nil {
		t.Fatalf("the expired administrator still sees the unlocked screen: %q", screenTexts(m.Window()))
	}
	want := "Site administration locked itself after 15 minutes without activity. Enter the passphrase again."
	if adm.unlockMsg.Text != want || !containsText(screenTexts(m.Window()), want) {
		t.Fatalf("message %q, want %q", adm.unlockMsg.Text, want)
	}
	if site, _ := e.site.Site(context.Background()); site.Name != "Acme Training" {
		t.Fatalf("the expired handle saved the name: %q", site.Name)
	}
	test.Type(adm.pass, testPassphrase)
	pressEnter(adm.pass)
	if adm.admin == nil {
		t.Fatalf("not unlocked again: %q", adm.unlockMsg.Text)
	}
	if !app.AdminRefused(e.site.RequireAdmin(first)) {
		t.Fatal("the expired handle works again")
	}

	// Lock ends the handle.
	second := adm.admin
	test.Tap(findButton(m.Window(), T("admin.lock")))
	if !app.AdminRefused(e.site.RequireAdmin(second)) {
		t.Fatal("Lock left the handle working")
	}
	// So does leaving the screen.
	test.Type(adm.pass, testPassphrase)
	pressEnter(adm.pass)
	third := adm.admin
	if third == nil || e.site.RequireAdmin(third) != nil {
		t.Fatalf("not unlocked a third time: %q", adm.unlockMsg.Text)
	}
	m.Open(SectionOverview)
	if !app.AdminRefused(e.site.RequireAdmin(third)) {
		t.Fatal("leaving Site administration left the handle working")
	}
}

// A transient message says what the last action did: it is gone on
// another tab, and when the next action's refusal is said beside a field.
func TestAdminStatusMessageClearsOnTheNextActionOrTab(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			a := newAdminEnvIn(t, language)
			adm := a.m.admin
			a.tab(T("admin.tab.ecommerce"))
			adm.commerce.mode.SetSelected(adm.commerce.modes.Label(app.ModeProduction))
			if d := a.m.Window().Canvas().Overlays().Top(); d != nil {
				test.Tap(findButton(a.m.Window(), T("admin.production_confirm_yes")))
			}
			adm.commerce.mode.SetSelected(adm.commerce.modes.Label(app.ModeTest))
			said := T("admin.mode_saved", map[string]any{"Mode": adm.commerce.modes.Label(app.ModeTest)})
			if adm.statusMsg.Text != said {
				t.Fatalf("status %q, want %q", adm.statusMsg.Text, said)
			}
			a.tab(T("admin.tab.general"))
			if adm.statusMsg.Text != "" {
				t.Errorf("on another tab the status line still says %q", adm.statusMsg.Text)
			}
			a.tab(T("admin.tab.ecommerce"))
			adm.commerce.mode.SetSelected(adm.commerce.modes.Label(app.ModeProduction))
			if d := a.m.Window().Canvas().Overlays().Top(); d != nil {
				test.Tap(findButton(a.m.Window(), T("admin.production_confirm_yes")))
			}
			if adm.statusMsg.Text == "" {
				t.Fatal("no message after the mode changed")
			}
			adm.commerce.person.SetText("abc")
			test.Tap(adm.commerce.saveRate)
			if adm.statusMsg.Text != "" {
				t.Errorf("after the next action the status line still says %q", adm.statusMsg.Text)
			}
		})
	}
}

// The e-commerce tab follows what another process changed: a feature the
// account manager provisioned meanwhile can be enabled at once, and a rate
// being typed is left as typed.
func TestCommerceTabShowsAFeatureProvisionedMeanwhile(t *testing.T) {
	a := newAdminEnv(t)
	a.tab(T("admin.tab.ecommerce"))
	c := a.m.admin.commerce
	check, note := c.checks[app.FeaturePayPerUse], c.notes[app.FeaturePayPerUse]
	if !check.Disabled() || note.Text != T("admin.feature_not_provisioned") {
		t.Fatalf("before: disabled %v, %q", check.Disabled(), note.Text)
	}
	c.person.SetText("0,5")
	if _, err := a.site.Provision(t.Context(), []app.Feature{app.FeaturePayPerUse}, false); err != nil {
		t.Fatal(err)
	}
	a.m.changed(app.ChangedSite)
	if check.Disabled() || note.Text != T("admin.feature_provisioned") {
		t.Errorf("after provisioning: disabled %v, %q", check.Disabled(), note.Text)
	}
	if c.person.Text != "0,5" {
		t.Errorf("the rate being typed became %q", c.person.Text)
	}
}
