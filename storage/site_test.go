package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

func testSite() app.Site { return storetest.TestSite() }

// The site, settings and audit log contract, shared with the organisation
// database (storage/postgres), on the SQLite file.
func TestSiteStoreContract(t *testing.T) {
	storetest.RunSiteStore(t, func(t *testing.T) storetest.SiteStores {
		db, _ := openTemp(t)
		return db
	})
}

// Newest-first paging of the audit log walks the rowid b-tree (no sort),
// and the log refuses UPDATE and DELETE from any connection.
func TestAuditLogPagingNeedsNoSortAndIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var entries []app.AuditEntry
	for i := range 25 {
		entries = append(entries, app.AuditEntry{
			At: time.Now(), Actor: app.ActorAccountManager, Action: "feature.provisioned",
			New: fmt.Sprint(i),
		})
	}
	if err := db.SaveFeatures(ctx, nil, entries); err != nil {
		t.Fatal(err)
	}
	if p := queryPlan(t, db, `SELECT id, at, actor, action, target, old_value, new_value FROM audit_log
		ORDER BY id DESC LIMIT 10 OFFSET 20`); strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("audit paging sorts: %s", p)
	}

	if _, err := db.Write().Exec(`UPDATE audit_log SET new_value = 'forged'`); err == nil {
		t.Error("an audit entry was updated")
	}
	if _, err := db.Write().Exec(`DELETE FROM audit_log`); err == nil {
		t.Error("audit entries were deleted")
	}
}

// The store behind the real service, with cheap hashing, and what it
// stored still there once the file is reopened.
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
