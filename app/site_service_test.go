package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
)

const pass = "correct horse battery"

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// newService opens a real SQLite file in a temp folder.
func newService(t *testing.T) (*app.SiteService, *clock, string) {
	t.Helper()
	db, path := testsite.Open(t)
	c := &clock{now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	svc := testsite.Service(db)
	svc.Now = c.Now
	return svc, c, path
}

func validSite() app.Site {
	return app.Site{Name: "Acme Training", Country: "pl", Currency: "pln", TimeZone: "Europe/Warsaw", Language: "pl"}
}

func wantCode(t *testing.T, err error, code, key string) {
	t.Helper()
	e := app.AsError(err)
	if err == nil || e.Code != code || (key != "" && e.Key != key) {
		t.Fatalf("err = %v (code %q key %q), want code %q key %q", err, app.ErrorCode(err), e.Key, code, key)
	}
}

func TestSiteValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*app.Site)
		key  string
	}{
		{"ok", func(*app.Site) {}, ""},
		{"no name", func(s *app.Site) { s.Name = "  " }, "error.site.name_required"},
		{"long name", func(s *app.Site) { s.Name = strings.Repeat("ą", 121) }, "error.site.name_too_long"},
		{"unknown country", func(s *app.Site) { s.Country = "ZZ" }, "error.site.country"},
		{"not a country", func(s *app.Site) { s.Country = "EU" }, "error.site.country"},
		{"three letters", func(s *app.Site) { s.Country = "POL" }, "error.site.country"},
		{"unknown currency", func(s *app.Site) { s.Currency = "XYZ" }, "error.site.currency"},
		{"unknown zone", func(s *app.Site) { s.TimeZone = "Mars/Base" }, "error.site.timezone"},
		{"local zone", func(s *app.Site) { s.TimeZone = "Local" }, "error.site.timezone"},
		{"language", func(s *app.Site) { s.Language = "de" }, "error.site.language"},
		{"negative rate", func(s *app.Site) { s.RatePersonMinuteE4 = -1 }, "error.site.rate"},
		{"huge rate", func(s *app.Site) { s.RateTeleconferenceMinuteE4 = app.MaxRateE4 + 1 }, "error.site.rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSite()
			s.Mode = app.ModeTest
			tc.edit(&s)
			s.Normalize()
			err := s.Validate()
			if tc.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, app.EINVALID, tc.key)
		})
	}
}

func TestSetupOnceInTestMode(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	if ok, err := svc.IsSetUp(ctx); ok || err != nil {
		t.Fatalf("IsSetUp before setup = %v, %v", ok, err)
	}
	wantCode(t, svc.Setup(ctx, validSite(), "short"), app.EINVALID, "error.passphrase.short")
	bad := validSite()
	bad.TimeZone = "Nowhere/Town"
	wantCode(t, svc.Setup(ctx, bad, pass), app.EINVALID, "error.site.timezone")
	if ok, _ := svc.IsSetUp(ctx); ok {
		t.Fatal("a refused setup wrote the site")
	}
	if err := svc.Setup(ctx, validSite(), pass); err != nil {
		t.Fatal(err)
	}
	site, err := svc.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if site.Country != "PL" || site.Currency != "PLN" || site.Mode != app.ModeTest {
		t.Fatalf("site = %+v: normalised, in Test mode", site)
	}
	wantCode(t, svc.Setup(ctx, validSite(), pass), app.ECONFLICT, "")
}

func TestUnlockPausesAfterFiveWrongTries(t *testing.T) {
	svc, clk, path := newService(t)
	ctx := context.Background()
	if err := svc.Setup(ctx, validSite(), pass); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < app.MaxPassphraseAttempts; i++ {
		_, err := svc.Unlock(ctx, "wrong passphrase")
		wantCode(t, err, app.EUNAUTHORIZED, "error.passphrase.wrong")
		if left := app.AsError(err).Data["Left"]; left != app.MaxPassphraseAttempts-i {
			t.Fatalf("try %d: %v tries left", i, left)
		}
	}
	_, err := svc.Unlock(ctx, "wrong passphrase")
	wantCode(t, err, app.ELOCKED, "error.passphrase.locked")
	if secs := app.AsError(err).Data["Seconds"]; secs != 30 {
		t.Fatalf("first pause %v s, want 30", secs)
	}
	// During the pause even the right passphrase is not checked: it is
	// refused and counts as a sixth wrong try, which doubles the pause
	// from now.
	clk.now = clk.now.Add(29 * time.Second)
	_, err = svc.Unlock(ctx, pass)
	wantCode(t, err, app.ELOCKED, "")
	if secs := app.AsError(err).Data["Seconds"]; secs != 60 {
		t.Fatalf("pause after a try during the pause %v s, want 60 (doubled)", secs)
	}

	// The pause and the count survive a restart: a new service on the
	// same file.
	db2, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	svc = &app.SiteService{Store: db2, Now: clk.Now, Argon2: svc.Argon2}
	clk.now = clk.now.Add(61 * time.Second)
	_, err = svc.Unlock(ctx, "wrong again")
	wantCode(t, err, app.ELOCKED, "")
	if secs := app.AsError(err).Data["Seconds"]; secs != 120 {
		t.Fatalf("third pause %v s, want 120 (doubled again)", secs)
	}
	clk.now = clk.now.Add(121 * time.Second)
	if _, err := svc.Unlock(ctx, pass); err != nil {
		t.Fatalf("right passphrase after the pause: %v", err)
	}
	// Success resets the count.
	_, err = svc.Unlock(ctx, "wrong")
	wantCode(t, err, app.EUNAUTHORIZED, "")
	if left := app.AsError(err).Data["Left"]; left != app.MaxPassphraseAttempts-1 {
		t.Fatalf("after success the count restarts, %v left", left)
	}
}

func TestProvisionAndEnable(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	// The account manager can provision before the first run.
	if _, err := svc.Provision(ctx, []app.Feature{app.FeaturePaidSessions, app.FeaturePayPerUse}, false); err != nil {
		t.Fatal(err)
	}
	if err := svc.Setup(ctx, validSite(), pass); err != nil {
		t.Fatal(err)
	}
	// A host meets features that are not enabled.
	wantCode(t, svc.RequireFeature(ctx, app.FeaturePaidSessions), app.EUNAVAILABLE, "error.feature.contact_site_admin")
	wantCode(t, svc.RequireFeature(ctx, app.FeaturePromoCodes), app.EUNAVAILABLE, "error.feature.contact_site_admin")
	// Pay-per-use provisioned: the account manager's part is done, enabling
	// it is the site administrator's.
	wantCode(t, svc.RequireFeature(ctx, app.FeaturePayPerUse), app.EUNAVAILABLE, "error.feature.contact_site_admin")
	wantCode(t, app.FeatureAvailability(app.FeatureState{Feature: app.FeaturePayPerUse}), app.EUNAVAILABLE, "error.feature.contact_account_manager")

	wantCode(t, svc.SetFeatureEnabled(ctx, nil, app.FeaturePaidSessions, true), app.EUNAUTHORIZED, "error.admin.required")
	admin, err := svc.Unlock(ctx, pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetFeatureEnabled(ctx, admin, app.FeaturePaidSessions, true); err != nil {
		t.Fatal(err)
	}
	if err := svc.RequireFeature(ctx, app.FeaturePaidSessions); err != nil {
		t.Fatalf("enabled feature: %v", err)
	}
	wantCode(t, svc.SetFeatureEnabled(ctx, admin, app.FeaturePromoCodes, true), app.EUNAVAILABLE, "error.feature.not_provisioned")
	wantCode(t, svc.SetFeatureEnabled(ctx, admin, app.Feature("refunds"), true), app.EINVALID, "error.feature.unknown")

	// Revoking disables.
	states, err := svc.Provision(ctx, []app.Feature{app.FeaturePaidSessions}, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		if st.Feature == app.FeaturePaidSessions && (st.Provisioned || st.Enabled) {
			t.Fatalf("revoked feature: %+v", st)
		}
	}
	entries, total, err := svc.AuditLog(ctx, admin, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Actor+" "+e.Action+" "+e.Target+" "+e.Old+"→"+e.New)
	}
	want := []string{
		"account-manager feature.enabled paid-sessions true→false",
		"account-manager feature.provisioned paid-sessions true→false",
		"administrator feature.enabled paid-sessions false→true",
		"setup site.created  →Acme Training",
		"account-manager feature.provisioned pay-per-use false→true",
		"account-manager feature.provisioned paid-sessions false→true",
	}
	if total != len(want) || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit (%d):\n%s\nwant:\n%s", total, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAdminChangesAreAuditedWithoutSecrets(t *testing.T) {
	svc, _, _ := newService(t)
	ctx := context.Background()
	if err := svc.Setup(ctx, validSite(), pass); err != nil {
		t.Fatal(err)
	}
	admin, err := svc.Unlock(ctx, pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetMode(ctx, admin, app.ModeProduction); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetRates(ctx, admin, 1200, 800); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.SetRates(ctx, admin, -1, 800), app.EINVALID, "error.site.rate")
	s := validSite()
	s.Name = "Acme Szkolenia"
	s.TimeZone = "Europe/London"
	if err := svc.UpdateSite(ctx, admin, s); err != nil {
		t.Fatal(err)
	}
	const newPass = "another long passphrase"
	wantCode(t, svc.ChangePassphrase(ctx, admin, "not the current one", newPass), app.EUNAUTHORIZED, "error.passphrase.current_wrong")
	if err := svc.ChangePassphrase(ctx, admin, pass, newPass); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Unlock(ctx, pass); err == nil {
		t.Fatal("the old passphrase still opens site administration")
	}
	if _, err := svc.Unlock(ctx, newPass); err != nil {
		t.Fatal(err)
	}
	entries, _, err := svc.AuditLog(ctx, admin, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if strings.Contains(e.Old+e.New, pass) || strings.Contains(e.Old+e.New, newPass) || strings.Contains(e.Old+e.New, "argon2") {
			t.Fatalf("secret in the audit log: %+v", e)
		}
		got = append(got, e.Action+" "+e.Old+"→"+e.New)
	}
	want := []string{
		"admin.passphrase →changed",
		"site.timezone Europe/Warsaw→Europe/London",
		"site.name Acme Training→Acme Szkolenia",
		"site.rate.teleconference_minute 0.0000 PLN→0.0800 PLN",
		"site.rate.person_minute 0.0000 PLN→0.1200 PLN",
		"site.mode test→production",
		"site.created →Acme Training",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPassphraseHash(t *testing.T) {
	p := app.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	h1, err := app.HashPassphrase(pass, p)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := app.HashPassphrase(pass, p)
	if h1 == h2 || !strings.HasPrefix(h1, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hashes %q %q: salted argon2id PHC strings", h1, h2)
	}
	if ok, err := app.VerifyPassphrase(pass, h1); !ok || err != nil {
		t.Fatalf("verify = %v, %v", ok, err)
	}
	if ok, _ := app.VerifyPassphrase(pass+" ", h1); ok {
		t.Fatal("a different passphrase verified")
	}
	if _, err := app.VerifyPassphrase(pass, "$bcrypt$whatever"); err == nil {
		t.Fatal("an unknown hash format verified")
	}
}
