package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

// TestCaptureStartedIsKeptAndMovesForward: a sale's capture start survives
// a reopen of the database, a later capture run moves it forward, an
// earlier time never moves it back, and SQL cannot clear it.
func TestCaptureStartedIsKeptAndMovesForward(t *testing.T) {
	db, path := openTemp(t)
	ctx := context.Background()
	p := newSale(1000)
	if err := db.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	got, err := db.Payment(ctx, p.ID)
	if err != nil || !got.CaptureStartedAt.IsZero() {
		t.Fatalf("new row: capture started %v (%v), want none", got.CaptureStartedAt, err)
	}
	t1 := time.Date(2026, 5, 4, 10, 0, 0, 123, time.UTC)
	for _, at := range []time.Time{t1, t1.Add(-time.Minute)} {
		if err := db.MarkCaptureStarted(ctx, p.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if got, _ := db.Payment(ctx, p.ID); !got.CaptureStartedAt.Equal(t1) {
		t.Errorf("after an earlier time and a reopen: %v, want %v", got.CaptureStartedAt, t1)
	}
	t2 := t1.Add(time.Hour)
	if err := db.MarkCaptureStarted(ctx, p.ID, t2); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Payment(ctx, p.ID); !got.CaptureStartedAt.Equal(t2) {
		t.Errorf("after a later run: %v, want %v", got.CaptureStartedAt, t2)
	}
	if _, err := db.Write().Exec(`UPDATE payment SET capture_started_at = NULL WHERE id = ?`, p.ID); err == nil {
		t.Error("capture_started_at was cleared")
	}
	if err := db.MarkCaptureStarted(ctx, 1<<40, t2); app.AsError(err).Code != app.ENOTFOUND {
		t.Errorf("unknown payment: %v, want not found", err)
	}
}
