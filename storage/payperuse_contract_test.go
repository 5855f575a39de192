package storage_test

import (
	"context"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The pay-per-use store's contract and the journal's pay-per-use effects,
// shared with the organisation database (storage/postgres), on the SQLite
// file; the site, departments, ledger and audit log through this backend's
// own stores.
func TestPayPerUseStoreContract(t *testing.T) {
	storetest.RunPayPerUseStore(t, func(t *testing.T) storetest.PayPerUseFixture {
		db, _ := openTemp(t)
		ctx := context.Background()
		return storetest.PayPerUseFixture{
			Store: db,
			SetUpSite: func(t *testing.T, s app.Site) {
				if err := db.CreateSite(ctx, s, app.AdminCredential{Hash: "$argon2id$test"}, nil); err != nil {
					t.Fatal(err)
				}
			},
			AddDepartment: func(t *testing.T, d app.Department) int64 {
				if err := db.CreateDepartment(ctx, &d, nil); err != nil {
					t.Fatal(err)
				}
				return d.ID
			},
			Ledger: func(t *testing.T, id int64) []app.LedgerEntry {
				entries, err := db.Ledger(ctx, id, "")
				if err != nil {
					t.Fatal(err)
				}
				return entries
			},
			Audit: func(t *testing.T) []app.AuditEntry {
				entries, _, err := db.AuditLog(ctx, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				return entries
			},
		}
	})
}
