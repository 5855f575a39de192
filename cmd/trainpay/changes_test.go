package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The app's screens get a feed that tells another process's payment, and
// stopping it closes the subscriptions.
func TestGUIFeedTellsAnotherProcessesChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trainpay.db")
	db, err := openDatabase(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.close()
	var log bytes.Buffer
	feed, stop := watchChanges(db, slog.New(slog.NewTextHandler(&log, nil)))
	if feed == nil {
		t.Fatalf("no feed: %s", log.String())
	}
	ch, _ := feed.Subscribe()
	other, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	sale := storetest.NewSale(15_00)
	if err := other.CreatePayment(context.Background(), &sale); err != nil {
		t.Fatal(err)
	}
	storetest.WaitForChange(t, ch, app.ChangedPayments)
	stop()
	for range ch {
	}
	if log.Len() != 0 {
		t.Errorf("logged: %s", log.String())
	}
}
