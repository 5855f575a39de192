package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// SiteStores is what RunSiteStore exercises: the site with its audit log,
// the payment settings and the mail settings.
type SiteStores interface {
	app.SiteStore
	app.PaymentSettingsStore
	app.SMTPSettingsStore
	app.PeopleStore
}

// RunSiteStore runs the site, settings and audit log contract against
// fresh stores from open.
func RunSiteStore(t *testing.T, open func(t *testing.T) SiteStores) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, SiteStores)
	}{
		{"BeforeSetup", siteBeforeSetup},
		{"SiteFeaturesAndCredential", siteFeaturesAndCredential},
		{"AuditLogPagesNewestFirst", auditLogPagesNewestFirst},
		{"AuditEntryNamesTheSignedInLoginNotATypedOne", auditEntryNamesTheSignedInLogin},
		{"ChangeAdminCredentialAppliesEachChangeAndRollsBackOnError", changeAdminCredentialAppliesEachChange},
		{"PaymentSettingsAndAudit", paymentSettingsAndAudit},
		{"MailSettingsAndTemplates", mailSettingsAndTemplates},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

// TestSite is a site in Poland whose creation time has nanoseconds.
func TestSite() app.Site {
	return app.Site{
		Name: "Szkolenia Kraków", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw", Language: "pl",
		Mode: app.ModeTest, RatePersonMinuteE4: 1234, RateTeleconferenceMinuteE4: 5,
		// Nanoseconds, and a trailing zero that RFC3339Nano would drop.
		CreatedAt: time.Date(2025, 3, 30, 1, 59, 59, 123456780, time.UTC),
	}
}

// sameSite compares sites with times to the microsecond: PostgreSQL keeps
// microseconds, SQLite nanoseconds.
func sameSite(a, b app.Site) bool {
	a.CreatedAt, b.CreatedAt = a.CreatedAt.Truncate(time.Microsecond), b.CreatedAt.Truncate(time.Microsecond)
	return a == b
}

func auditEntry(action, target, old, new string) app.AuditEntry {
	return app.AuditEntry{At: time.Now().UTC(), Actor: app.ActorAdministrator, Action: action, Target: target, Old: old, New: new}
}

// AuditCount is how many entries the audit log holds.
func AuditCount(t *testing.T, s app.SiteStore) int {
	t.Helper()
	_, n, err := s.AuditLog(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func siteBeforeSetup(t *testing.T, s SiteStores) {
	ctx := context.Background()
	_, err := s.Site(ctx)
	WantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	_, err = s.AdminCredential(ctx)
	WantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	err = s.SaveSite(ctx, TestSite(), []app.AuditEntry{auditEntry("site.name", "", "", "x")})
	WantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	err = s.SaveAdminCredential(ctx, app.AdminCredential{Hash: "h"}, []app.AuditEntry{auditEntry("admin.passphrase", "", "", "changed")})
	WantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	_, err = s.ChangeAdminCredential(ctx, func(c app.AdminCredential) (app.AdminCredential, []app.AuditEntry, error) {
		c.FailedAttempts++
		return c, []app.AuditEntry{auditEntry("admin.failed", "", "", "1")}, nil
	})
	WantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	if n := AuditCount(t, s); n != 0 {
		t.Errorf("failed changes left %d audit entries", n)
	}

	states, err := s.Features(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != len(app.Features) {
		t.Fatalf("Features() = %v", states)
	}
	for i, st := range states {
		if st != (app.FeatureState{Feature: app.Features[i]}) {
			t.Errorf("feature %d = %+v, want %s off", i, st, app.Features[i])
		}
	}
	// Features can be provisioned before the wizard.
	if err := s.SaveFeatures(ctx, []app.FeatureState{{Feature: app.FeaturePayPerUse, Provisioned: true}}, nil); err != nil {
		t.Fatal(err)
	}
	if states, _ := s.Features(ctx); states[2] != (app.FeatureState{Feature: app.FeaturePayPerUse, Provisioned: true}) {
		t.Errorf("after provisioning: %v", states)
	}
}

func siteFeaturesAndCredential(t *testing.T, s SiteStores) {
	ctx := context.Background()
	site := TestSite()
	cred := app.AdminCredential{Hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$a2V5"}
	if err := s.CreateSite(ctx, site, cred, []app.AuditEntry{{At: site.CreatedAt, Actor: app.ActorSetup, Action: "site.created", New: site.Name}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSite(got, site) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("Site() = %+v, want %+v", got, site)
	}
	gotCred, err := s.AdminCredential(ctx)
	if err != nil || gotCred != cred {
		t.Errorf("AdminCredential() = %+v, %v; want %+v", gotCred, err, cred)
	}

	// A second CreateSite conflicts and writes nothing, audit included.
	err = s.CreateSite(ctx, site, app.AdminCredential{Hash: "other"}, []app.AuditEntry{auditEntry("site.created", "", "", "again")})
	WantError(t, err, app.ECONFLICT, "error.site.exists")
	if n := AuditCount(t, s); n != 1 {
		t.Errorf("audit has %d entries after the conflict, want 1", n)
	}
	if gotCred, _ := s.AdminCredential(ctx); gotCred != cred {
		t.Errorf("the conflicting CreateSite changed the credential: %+v", gotCred)
	}

	// SaveSite replaces the settings and keeps the creation time.
	next := site
	next.Name, next.Mode, next.RatePersonMinuteE4 = "Renamed", app.ModeProduction, 99
	next.CreatedAt = time.Now()
	if err := s.SaveSite(ctx, next, []app.AuditEntry{auditEntry("site.name", "", site.Name, next.Name)}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Site(ctx)
	next.CreatedAt = site.CreatedAt
	if !sameSite(got, next) {
		t.Errorf("after SaveSite: %+v, want %+v", got, next)
	}

	// A change the database refuses takes its audit entries with it.
	bad := next
	bad.Mode = "demo"
	if err := s.SaveSite(ctx, bad, []app.AuditEntry{auditEntry("site.mode", "", "production", "demo")}); app.ErrorCode(err) != app.EINTERNAL {
		t.Errorf("SaveSite with a bad mode: %v", err)
	}
	bad = next
	bad.RateTeleconferenceMinuteE4 = -1
	if err := s.SaveSite(ctx, bad, []app.AuditEntry{auditEntry("site.rate", "", "", "-1")}); err == nil {
		t.Error("SaveSite accepted a negative rate")
	}
	// A bad audit entry undoes the change it records.
	bad = next
	bad.Name = "Never saved"
	if err := s.SaveSite(ctx, bad, []app.AuditEntry{{At: time.Now()}}); err == nil {
		t.Error("SaveSite accepted an audit entry with no actor")
	}
	if got, _ := s.Site(ctx); !sameSite(got, next) {
		t.Errorf("a failed SaveSite changed the site: %+v", got)
	}
	if n := AuditCount(t, s); n != 2 {
		t.Errorf("audit has %d entries, want 2", n)
	}

	// Features.
	err = s.SaveFeatures(ctx, []app.FeatureState{
		{Feature: app.FeaturePromoCodes, Provisioned: true, Enabled: true},
		{Feature: app.FeaturePaidSessions, Provisioned: true},
	}, []app.AuditEntry{auditEntry("feature.provisioned", "promo-codes", "false", "true")})
	if err != nil {
		t.Fatal(err)
	}
	states, err := s.Features(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []app.FeatureState{
		{Feature: app.FeaturePaidSessions, Provisioned: true},
		{Feature: app.FeaturePromoCodes, Provisioned: true, Enabled: true},
		{Feature: app.FeaturePayPerUse},
	}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("Features() = %v, want %v", states, want)
	}
	err = s.SaveFeatures(ctx, []app.FeatureState{{Feature: "bitcoin", Provisioned: true}}, nil)
	WantError(t, err, app.EINVALID, "error.feature.unknown")
	err = s.SaveFeatures(ctx, []app.FeatureState{{Feature: app.FeaturePayPerUse, Enabled: true}}, nil)
	WantError(t, err, app.EUNAVAILABLE, "error.feature.not_provisioned")
	// Revoking disables in the same row.
	if err := s.SaveFeatures(ctx, []app.FeatureState{{Feature: app.FeaturePromoCodes}}, nil); err != nil {
		t.Fatal(err)
	}
	if states, _ := s.Features(ctx); states[1] != (app.FeatureState{Feature: app.FeaturePromoCodes}) {
		t.Errorf("after revoking: %v", states)
	}

	// Credential: pause state round-trips, zero time included.
	paused := app.AdminCredential{Hash: cred.Hash, FailedAttempts: 6, LockedUntil: time.Date(2030, 1, 2, 3, 4, 5, 600000, time.UTC)}
	if err := s.SaveAdminCredential(ctx, paused, []app.AuditEntry{auditEntry("admin.paused", "", "", "6")}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.AdminCredential(ctx); err != nil || got != paused {
		t.Errorf("AdminCredential() = %+v, %v; want %+v", got, err, paused)
	}
	if err := s.SaveAdminCredential(ctx, app.AdminCredential{Hash: "new"}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.AdminCredential(ctx); got != (app.AdminCredential{Hash: "new"}) {
		t.Errorf("after reset: %+v", got)
	}
	if n := AuditCount(t, s); n != 4 {
		t.Errorf("audit has %d entries, want 4", n)
	}
}

// The store, not the caller, says who made an entry: the login it reads
// back is the signed-in person's (Me), whatever login the entry carried.
func auditEntryNamesTheSignedInLogin(t *testing.T, s SiteStores) {
	ctx := context.Background()
	me, err := s.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Login == "" || me.Login == "someone-else" {
		t.Fatalf("Me has login %q", me.Login)
	}
	e := auditEntry("feature.provisioned", string(app.FeaturePayPerUse), "", "on")
	e.Login = "someone-else"
	if err := s.SaveFeatures(ctx, nil, []app.AuditEntry{e}); err != nil {
		t.Fatal(err)
	}
	page, _, err := s.AuditLog(ctx, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].Login != me.Login {
		t.Fatalf("audit log %+v, want one entry by %q", page, me.Login)
	}
}

// 25 entries in batches of 1 to 4, with times deliberately not in id
// order (a clock set back) and all at one instant in a batch, page newest
// first by the order they were written.
func auditLogPagesNewestFirst(t *testing.T, s SiteStores) {
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for batch := 1; n < 25; batch++ {
		var entries []app.AuditEntry
		at := base.Add(time.Duration(batch%3) * time.Hour)
		for i := 0; i < batch%4+1 && n < 25; i++ {
			entries = append(entries, app.AuditEntry{
				At: at, Actor: app.ActorAccountManager, Action: "feature.provisioned",
				Target: string(app.FeaturePayPerUse), Old: "", New: fmt.Sprint(n),
			})
			n++
		}
		if err := s.SaveFeatures(ctx, nil, entries); err != nil {
			t.Fatal(err)
		}
	}

	all := PageThrough(t, 25, func(offset, limit int) ([]app.AuditEntry, int, error) {
		return s.AuditLog(ctx, offset, limit)
	})
	for i, e := range all {
		if want := fmt.Sprint(24 - i); e.New != want {
			t.Errorf("entry %d is %q, want %q (newest first)", i, e.New, want)
		}
		if i > 0 && e.ID >= all[i-1].ID {
			t.Errorf("ids not descending: %d after %d", e.ID, all[i-1].ID)
		}
		if e.At.Location() != time.UTC || e.Actor != app.ActorAccountManager || e.Target != "pay-per-use" {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	if page, total, err := s.AuditLog(ctx, 30, 10); err != nil || len(page) != 0 || total != 25 {
		t.Errorf("past the end: %v, %d, %v", page, total, err)
	}
	if page, _, _ := s.AuditLog(ctx, -5, 2); len(page) != 2 || page[0].New != "24" {
		t.Errorf("negative offset: %v", page)
	}
	if page, total, err := s.AuditLog(ctx, 0, 0); err != nil || len(page) != 0 || total != 25 {
		t.Errorf("no limit: %v, %d, %v", page, total, err)
	}
}

// Concurrent read-modify-write changes of the credential (the count of
// wrong passphrases) are each applied; a change that fails stores neither
// the credential nor its audit.
func changeAdminCredentialAppliesEachChange(t *testing.T, s SiteStores) {
	ctx := context.Background()
	inc := func(c app.AdminCredential) (app.AdminCredential, []app.AuditEntry, error) {
		c.FailedAttempts++
		return c, []app.AuditEntry{auditEntry("admin.failed", "", fmt.Sprint(c.FailedAttempts-1), fmt.Sprint(c.FailedAttempts))}, nil
	}
	if err := s.CreateSite(ctx, TestSite(), app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	const n = 25
	done := make(chan error, n)
	for range n {
		go func() { _, err := s.ChangeAdminCredential(ctx, inc); done <- err }()
	}
	for range n {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.ChangeAdminCredential(ctx, func(c app.AdminCredential) (app.AdminCredential, []app.AuditEntry, error) {
		c.FailedAttempts = 0
		return c, []app.AuditEntry{auditEntry("admin.paused", "", "", "0")}, app.Errorf(app.EINVALID, "test.refused", "refused")
	})
	if app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("failing change: %v", err)
	}
	until := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	got, err := s.ChangeAdminCredential(ctx, func(c app.AdminCredential) (app.AdminCredential, []app.AuditEntry, error) {
		c.LockedUntil = until
		return c, []app.AuditEntry{auditEntry("admin.paused", "", "", fmt.Sprint(c.FailedAttempts))}, nil
	})
	want := app.AdminCredential{Hash: "h", FailedAttempts: n, LockedUntil: until}
	if err != nil || got != want {
		t.Fatalf("ChangeAdminCredential() = %+v, %v; want %+v", got, err, want)
	}
	if stored, _ := s.AdminCredential(ctx); stored != want {
		t.Fatalf("stored %+v, want %+v", stored, want)
	}
	// Each counted attempt left its entry, and each saw the count before it.
	entries, total, err := s.AuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if total != n+1 {
		t.Fatalf("audit has %d entries, want %d (the failed change's rolled back)", total, n+1)
	}
	seen := map[string]bool{}
	for _, e := range entries[1:] {
		seen[e.New] = true
	}
	for i := 1; i <= n; i++ {
		if !seen[fmt.Sprint(i)] {
			t.Fatalf("no change counted attempt %d: %v", i, entries)
		}
	}
}

func paymentSettingsAndAudit(t *testing.T, s SiteStores) {
	ctx := context.Background()
	got, err := s.PaymentSettings(ctx)
	if err != nil || got != (app.PaymentSettings{}) {
		t.Fatalf("before any save: %+v, %v", got, err)
	}
	want := app.PaymentSettings{Processor: app.ProcessorPayflow, CreditCards: true, DebitCards: true, Endpoint: "https://example.com/pf"}
	if err := s.SavePaymentSettings(ctx, want, []app.AuditEntry{auditEntry("payments.processor", "", "", "payflow")}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PaymentSettings(ctx); err != nil || got != want {
		t.Fatalf("PaymentSettings() = %+v, %v; want %+v", got, err, want)
	}
	want.Processor, want.DebitCards, want.Endpoint = app.ProcessorWPPUKNVP, false, ""
	if err := s.SavePaymentSettings(ctx, want, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PaymentSettings(ctx); got != want {
		t.Fatalf("after the second save: %+v, want %+v", got, want)
	}
	// Cards without a processor are refused by the database, with the audit.
	if err := s.SavePaymentSettings(ctx, app.PaymentSettings{CreditCards: true},
		[]app.AuditEntry{auditEntry("payments.processor", "", "wpp-uk-nvp", "")}); app.ErrorCode(err) != app.EINTERNAL {
		t.Fatalf("cards without a processor: %v", err)
	}
	if got, _ := s.PaymentSettings(ctx); got != want {
		t.Fatalf("a refused save changed the settings: %+v", got)
	}
	if err := s.AppendAudit(ctx, []app.AuditEntry{
		auditEntry("credentials.saved", "payflow", "", "set"),
		auditEntry("credentials.tested", "payflow", "", "ok"),
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, []app.AuditEntry{{At: time.Now(), Action: "no actor"}}); err == nil {
		t.Fatal("AppendAudit accepted an entry with no actor")
	}
	entries, total, err := s.AuditLog(ctx, 0, 10)
	if err != nil || total != 3 || entries[0].Action != "credentials.tested" || entries[1].Action != "credentials.saved" ||
		entries[2].Action != "payments.processor" {
		t.Fatalf("audit (%d, %v): %+v", total, err, entries)
	}
}

func mailSettingsAndTemplates(t *testing.T, s SiteStores) {
	ctx := context.Background()
	_, err := s.SMTPSettings(ctx)
	WantError(t, err, app.ENOTFOUND, "error.smtp.not_set")
	want := app.SMTPSettings{
		Host: "smtp.example.pl", Port: 587, TLS: app.SMTPStartTLS, User: "szkolenia",
		Sender: "szkolenia@example.pl", SenderName: "Szkolenia Kraków",
	}
	if err := s.SaveSMTPSettings(ctx, want, []app.AuditEntry{auditEntry("smtp.host", "", "", want.Host)}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SMTPSettings(ctx); err != nil || got != want {
		t.Fatalf("SMTPSettings() = %+v, %v; want %+v", got, err, want)
	}
	want.Port, want.TLS, want.User = 465, app.SMTPTLS, ""
	if err := s.SaveSMTPSettings(ctx, want, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SMTPSettings(ctx); got != want {
		t.Fatalf("after the second save: %+v, want %+v", got, want)
	}
	bad := want
	bad.Port = 0
	if err := s.SaveSMTPSettings(ctx, bad, []app.AuditEntry{auditEntry("smtp.port", "", "465", "0")}); err == nil {
		t.Fatal("port 0 was saved")
	}
	if n := AuditCount(t, s); n != 1 {
		t.Fatalf("audit has %d entries, want 1", n)
	}

	_, err = s.PromoMailTemplate(ctx, "pl")
	WantError(t, err, app.ENOTFOUND, "error.promo.template_not_found")
	pl := app.PromoMailTemplate{Language: "pl", Subject: "Kod %PromoCode%", Body: "Cześć %AttendeeName%: %Discount% taniej."}
	if err := s.SavePromoMailTemplate(ctx, pl); err != nil {
		t.Fatal(err)
	}
	pl.Body = "Dzień dobry %AttendeeName%"
	if err := s.SavePromoMailTemplate(ctx, pl); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PromoMailTemplate(ctx, "pl"); err != nil || got != pl {
		t.Fatalf("PromoMailTemplate(pl) = %+v, %v; want %+v", got, err, pl)
	}
	_, err = s.PromoMailTemplate(ctx, "en")
	WantError(t, err, app.ENOTFOUND, "error.promo.template_not_found")
	for range 2 { // idempotent
		if err := s.DeletePromoMailTemplate(ctx, "pl"); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.PromoMailTemplate(ctx, "pl")
	WantError(t, err, app.ENOTFOUND, "error.promo.template_not_found")
}
