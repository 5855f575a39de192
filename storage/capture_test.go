package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// A sale's capture start survives a reopen of the database at full
// precision, and SQL cannot clear it. That a later run moves it forward and
// an earlier one never back is the contract suite's (CaptureStartedMovesForward).
func TestCaptureStartedSurvivesAReopenAndSQLCannotClearIt(t *testing.T) {
	db, path := openTemp(t)
	ctx := context.Background()
	p := storetest.NewSale(1000)
	if err := db.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	t1 := time.Date(2026, 5, 4, 10, 0, 0, 123, time.UTC)
	if err := db.MarkCaptureStarted(ctx, p.ID, t1); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if got, _ := db.Payment(ctx, p.ID); !got.CaptureStartedAt.Equal(t1) {
		t.Errorf("after a reopen: %v, want %v", got.CaptureStartedAt, t1)
	}
	if _, err := db.Write().Exec(`UPDATE payment SET capture_started_at = NULL WHERE id = ?`, p.ID); err == nil {
		t.Error("capture_started_at was cleared")
	}
	if got, _ := db.Payment(ctx, p.ID); !got.CaptureStartedAt.Equal(t1) {
		t.Errorf("after the refused UPDATE: %v, want %v", got.CaptureStartedAt, t1)
	}
}
