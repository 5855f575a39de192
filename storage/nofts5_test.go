//go:build !sqlite_fts5

package storage_test

import (
	"path/filepath"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

// Built without mattn/go-sqlite3's sqlite_fts5 tag, SQLite has no FTS5
// and the search tables cannot exist: Open refuses, saying how to build,
// rather than run on a scan. (This file only builds without the tag; the
// Makefile always passes it, so run it with plain -tags migrated_fynedo.)
func TestOpenWithoutFTS5SaysHowToBuild(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "trainpay.db"))
	if err == nil {
		db.Close()
		t.Fatal("opened a database without FTS5")
	}
	if ae := app.AsError(err); ae == nil || ae.Code != app.EUNAVAILABLE || ae.Key != "error.db.no_fts5" {
		t.Fatalf("error: %v", err)
	}
}
