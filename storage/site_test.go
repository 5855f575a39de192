package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

func testSite() app.Site {
	return app.Site{
		Name: "Szkolenia Kraków", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw", Language: "pl",
		Mode: app.ModeTest, RatePersonMinuteE4: 1234, RateTeleconferenceMinuteE4: 5,
		// Nanoseconds, and a trailing zero that RFC3339Nano would drop.
		CreatedAt: time.Date(2025, 3, 30, 1, 59, 59, 123456780, time.UTC),
	}
}

func entry(action, target, old, new string) app.AuditEntry {
	return app.AuditEntry{At: time.Now().UTC(), Actor: app.ActorAdministrator, Action: action, Target: target, Old: old, New: new}
}

func auditCount(t *testing.T, s app.SiteStore) int {
	t.Helper()
	_, n, err := s.AuditLog(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSiteStoreBeforeSetup(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var s app.SiteStore = db

	_, err := s.Site(ctx)
	wantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	_, err = s.AdminCredential(ctx)
	wantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	err = s.SaveSite(ctx, testSite(), []app.AuditEntry{entry("site.name", "", "", "x")})
	wantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	err = s.SaveAdminCredential(ctx, app.AdminCredential{Hash: "h"}, []app.AuditEntry{entry("admin.passphrase", "", "", "changed")})
	wantError(t, err, app.ENOTFOUND, "error.site.not_set_up")
	if n := auditCount(t, s); n != 0 {
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
}

func TestSiteStoreContract(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var s app.SiteStore = db

	site := testSite()
	cred := app.AdminCredential{Hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$a2V5"}
	if err := s.CreateSite(ctx, site, cred, []app.AuditEntry{{At: site.CreatedAt, Actor: app.ActorSetup, Action: "site.created", New: site.Name}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Site(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != site {
		t.Errorf("Site() = %+v, want %+v", got, site)
	}
	gotCred, err := s.AdminCredential(ctx)
	if err != nil || gotCred != cred {
		t.Errorf("AdminCredential() = %+v, %v; want %+v", gotCred, err, cred)
	}

	// A second CreateSite conflicts and writes nothing, audit included.
	err = s.CreateSite(ctx, site, cred, []app.AuditEntry{entry("site.created", "", "", "again")})
	wantError(t, err, app.ECONFLICT, "error.site.exists")
	if n := auditCount(t, s); n != 1 {
		t.Errorf("audit has %d entries after the conflict, want 1", n)
	}

	// SaveSite replaces the settings and keeps the creation time.
	next := site
	next.Name, next.Mode, next.RatePersonMinuteE4 = "Renamed", app.ModeProduction, 99
	next.CreatedAt = time.Now()
	if err := s.SaveSite(ctx, next, []app.AuditEntry{entry("site.name", "", site.Name, next.Name)}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Site(ctx)
	next.CreatedAt = site.CreatedAt
	if got != next {
		t.Errorf("after SaveSite: %+v, want %+v", got, next)
	}

	// A change the database refuses takes its audit entries with it.
	bad := next
	bad.Mode = "demo"
	if err := s.SaveSite(ctx, bad, []app.AuditEntry{entry("site.mode", "", "production", "demo")}); app.ErrorCode(err) != app.EINTERNAL {
		t.Errorf("SaveSite with a bad mode: %v", err)
	}
	bad = next
	bad.RateTeleconferenceMinuteE4 = -1
	if err := s.SaveSite(ctx, bad, []app.AuditEntry{entry("site.rate", "", "", "-1")}); err == nil {
		t.Error("SaveSite accepted a negative rate")
	}
	// A bad audit entry undoes the change it records.
	bad = next
	bad.Name = "Never saved"
	if err := s.SaveSite(ctx, bad, []app.AuditEntry{{At: time.Now()}}); err == nil {
		t.Error("SaveSite accepted an audit entry with no actor")
	}
	if got, _ := s.Site(ctx); got != next {
		t.Errorf("a failed SaveSite changed the site: %+v", got)
	}
	if n := auditCount(t, s); n != 2 {
		t.Errorf("audit has %d entries, want 2", n)
	}

	// Features.
	err = s.SaveFeatures(ctx, []app.FeatureState{
		{Feature: app.FeaturePromoCodes, Provisioned: true, Enabled: true},
		{Feature: app.FeaturePaidSessions, Provisioned: true},
	}, []app.AuditEntry{entry("feature.provisioned", "promo-codes", "false", "true")})
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
	wantError(t, err, app.EINVALID, "error.feature.unknown")
	err = s.SaveFeatures(ctx, []app.FeatureState{{Feature: app.FeaturePayPerUse, Enabled: true}}, nil)
	wantError(t, err, app.EUNAVAILABLE, "error.feature.not_provisioned")
	// Revoking disables in the same row.
	if err := s.SaveFeatures(ctx, []app.FeatureState{{Feature: app.FeaturePromoCodes}}, nil); err != nil {
		t.Fatal(err)
	}
	if states, _ := s.Features(ctx); states[1] != (app.FeatureState{Feature: app.FeaturePromoCodes}) {
		t.Errorf("after revoking: %v", states)
	}

	// Credential: pause state round-trips, zero time included.
	paused := app.AdminCredential{Hash: cred.Hash, FailedAttempts: 6, LockedUntil: time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)}
	if err := s.SaveAdminCredential(ctx, paused, []app.AuditEntry{entry("admin.paused", "", "", "6")}); err != nil {
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
	if n := auditCount(t, s); n != 4 {
		t.Errorf("audit has %d entries, want 4", n)
	}
}

func TestAuditLogPaging(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	// 25 entries in batches of 1 to 4; times deliberately not in id order
	// (a clock set back), and all at the same instant in one batch.
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for batch := 1; n < 25; batch++ {
		var entries []app.AuditEntry
		at := base.Add(time.Duration(batch%3) * time.Hour)
		for i := 0; i < batch%4+1 && n < 25; i++ {
			entries = append(entries, app.AuditEntry{At: at, Actor: app.ActorAccountManager, Action: "feature.provisioned",
				Target: string(app.FeaturePayPerUse), Old: "", New: fmt.Sprint(n)})
			n++
		}
		if err := db.SaveFeatures(ctx, nil, entries); err != nil {
			t.Fatal(err)
		}
	}

	var all []app.AuditEntry
	for offset := 0; ; offset += 10 {
		page, total, err := db.AuditLog(ctx, offset, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != 25 {
			t.Fatalf("total %d, want 25", total)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
	}
	if len(all) != 25 {
		t.Fatalf("paged through %d entries, want 25", len(all))
	}
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
	if page, total, err := db.AuditLog(ctx, 30, 10); err != nil || len(page) != 0 || total != 25 {
		t.Errorf("past the end: %v, %d, %v", page, total, err)
	}
	if page, _, _ := db.AuditLog(ctx, -5, 2); len(page) != 2 || page[0].New != "24" {
		t.Errorf("negative offset: %v", page)
	}

	// Newest-first paging walks the rowid b-tree: no sort.
	rows, err := db.Read().Query(`EXPLAIN QUERY PLAN
		SELECT id, at, actor, action, target, old_value, new_value FROM audit_log ORDER BY id DESC LIMIT 10 OFFSET 20`)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	rows.Close()
	if p := strings.Join(plan, "; "); strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("audit paging sorts: %s", p)
	}

	// The log is append-only.
	if _, err := db.Write().Exec(`UPDATE audit_log SET new_value = 'forged'`); err == nil {
		t.Error("an audit entry was updated")
	}
	if _, err := db.Write().Exec(`DELETE FROM audit_log`); err == nil {
		t.Error("audit entries were deleted")
	}
}

// The store behind the real service, with cheap hashing.
func TestSiteServiceOnStorage(t *testing.T) {
	ctx := context.Background()
	db, path := openTemp(t)
	svc := &app.SiteService{Store: db, Now: time.Now, Argon2: app.Argon2Params{Memory: 8, Time: 1, Threads: 1}}

	if ok, err := svc.IsSetUp(ctx); err != nil || ok {
		t.Fatalf("IsSetUp before setup: %v, %v", ok, err)
	}
	if _, err := svc.Provision(ctx, []app.Feature{app.FeaturePromoCodes}, false); err != nil {
		t.Fatal(err)
	}
	site := testSite()
	if err := svc.Setup(ctx, site, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Unlock(ctx, "wrong passphrase"); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("wrong passphrase: %v", err)
	}
	admin, err := svc.Unlock(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetFeatureEnabled(ctx, admin, app.FeaturePromoCodes, true); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetRates(ctx, admin, 100, 200); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db2, err := openPath(t, path)
	if err != nil {
		t.Fatal(err)
	}
	svc.Store = db2
	if err := svc.RequireFeature(ctx, app.FeaturePromoCodes); err != nil {
		t.Errorf("promo codes after reopen: %v", err)
	}
	entries, total, err := svc.AuditLog(ctx, admin, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	want := "site.rate.teleconference_minute site.rate.person_minute feature.enabled site.created feature.provisioned"
	if total != 5 || strings.Join(actions, " ") != want {
		t.Errorf("audit (%d): %s\nwant: %s", total, strings.Join(actions, " "), want)
	}
}

func TestChangeAdminCredentialAppliesEachChangeAndRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var s app.SiteStore = db
	inc := func(c app.AdminCredential) (app.AdminCredential, []app.AuditEntry, error) {
		c.FailedAttempts++
		return c, nil, nil
	}
	if _, err := s.ChangeAdminCredential(ctx, inc); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("before setup: %v, want ENOTFOUND", err)
	}
	if err := s.CreateSite(ctx, testSite(), app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	// Concurrent read-modify-write changes are each applied.
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
	// A change that fails stores neither the credential nor its audit.
	_, err := s.ChangeAdminCredential(ctx, func(c app.AdminCredential) (app.AdminCredential, []app.AuditEntry, error) {
		c.FailedAttempts = 0
		return c, []app.AuditEntry{entry("admin.paused", "", "", "0")}, app.Errorf(app.EINVALID, "test.refused", "refused")
	})
	if app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("failing change: %v", err)
	}
	until := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	got, err := s.ChangeAdminCredential(ctx, func(c app.AdminCredential) (app.AdminCredential, []app.AuditEntry, error) {
		c.LockedUntil = until
		return c, []app.AuditEntry{entry("admin.paused", "", "", fmt.Sprint(c.FailedAttempts))}, nil
	})
	want := app.AdminCredential{Hash: "h", FailedAttempts: n, LockedUntil: until}
	if err != nil || got != want {
		t.Fatalf("ChangeAdminCredential() = %+v, %v; want %+v", got, err, want)
	}
	if stored, _ := s.AdminCredential(ctx); stored != want {
		t.Fatalf("stored %+v, want %+v", stored, want)
	}
	if c := auditCount(t, s); c != 1 {
		t.Fatalf("audit has %d entries, want 1 (the failed change's rolled back)", c)
	}
}
