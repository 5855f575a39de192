package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The environment of a registering child process: the database file and
// the session.
const (
	registrantFile    = "TRAINPAY_REGISTRANT_FILE"
	registrantSession = "TRAINPAY_REGISTRANT_SESSION"
)

// Sixteen TrainPay processes on one database file register sixteen
// attendees at the same instant for a session with five seats left: five
// get a seat, eleven are told it is full (BEGIN IMMEDIATE makes each count
// and insert one step across processes).
func TestLastSeatsTakenOnceByConcurrentProcesses(t *testing.T) {
	if path := os.Getenv(registrantFile); path != "" {
		db, err := storage.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		id, err := strconv.ParseInt(os.Getenv(registrantSession), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		storetest.RegisterOnceWhenReleased(t, db, id)
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	x := storetest.AddSession(t, db, storetest.PaidSession("Last seats", 10_00, 10))
	for i := range 5 {
		storetest.AddRegistration(t, db, x.ID, storetest.Attendee(100+i))
	}
	registered, full := storetest.RaceRegistrants(t, 16, "TestLastSeatsTakenOnceByConcurrentProcesses",
		registrantFile+"="+path, registrantSession+"="+strconv.FormatInt(x.ID, 10))
	_, total, err := db.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID})
	if registered != 5 || full != 11 || err != nil || total != 10 {
		t.Fatalf("%d registered, %d full, %d in the session (%v); want 5, 11 and 10", registered, full, total, err)
	}
}
