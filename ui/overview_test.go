package ui

import (
	"testing"

	"github.com/trainpay/trainpay/app"
)

// The Overview follows the features: once another process provisioned
// pay-per-use, it no longer says the feature is unavailable (the account
// manager's part is done) but that the site administrator enables it; once
// enabled, that it is available.
func TestOverviewShowsAFeatureProvisionedMeanwhile(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			e, m, _ := newDesktopWindow(t)
			SetLanguage(language)
			m.rebuild()
			m.Open(SectionOverview)
			unavailable := ErrorText(app.FeatureAvailability(app.FeatureState{Feature: app.FeaturePayPerUse}))
			if !containsText(screenTexts(m.Window()), unavailable) {
				t.Fatalf("pay-per-use is not said unavailable before: %q", screenTexts(m.Window()))
			}
			ctx := t.Context()
			if _, err := e.env.site.Provision(ctx, []app.Feature{app.FeaturePayPerUse}, false); err != nil {
				t.Fatal(err)
			}
			m.changed(app.ChangedSite)
			texts := screenTexts(m.Window())
			enable := T("error.feature.contact_site_admin", map[string]any{"Feature": T("feature.pay-per-use")})
			if containsText(texts, unavailable) || !containsText(texts, enable) {
				t.Fatalf("after provisioning the Overview says %q, want %q", texts, enable)
			}
			a, err := e.env.site.Unlock(ctx, testPassphrase)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.env.site.SetFeatureEnabled(ctx, a, app.FeaturePayPerUse, true); err != nil {
				t.Fatal(err)
			}
			m.changed(app.ChangedSite)
			if texts := screenTexts(m.Window()); containsText(texts, enable) {
				t.Errorf("once enabled the Overview still says %q", enable)
			}
		})
	}
}
