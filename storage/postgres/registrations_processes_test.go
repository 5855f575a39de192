package postgres_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The environment of a registering child process: the organisation
// database and the session.
const (
	registrantDB      = "TRAINPAY_PG_REGISTRANT_DB"
	registrantSession = "TRAINPAY_PG_REGISTRANT_SESSION"
)

// Sixteen TrainPay processes (sixteen desktops) on one organisation
// database register sixteen attendees at the same instant for a session
// with five seats left: five get a seat, eleven are told it is full, and
// the session holds exactly its capacity. The session's row lock decides
// it in the database; no process knows of another.
func TestLastSeatsTakenOnceByConcurrentProcesses(t *testing.T) {
	if url := os.Getenv(registrantDB); url != "" {
		db, err := postgres.Open(context.Background(), url)
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
	db, url := openTempURL(t)
	x := storetest.AddSession(t, db, storetest.PaidSession("Last seats", 10_00, 10))
	for i := range 5 {
		storetest.AddRegistration(t, db, x.ID, storetest.Attendee(100+i))
	}
	registered, full := storetest.RaceRegistrants(t, 16, "TestLastSeatsTakenOnceByConcurrentProcesses",
		registrantDB+"="+url, registrantSession+"="+strconv.FormatInt(x.ID, 10))
	_, total, err := db.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID})
	if registered != 5 || full != 11 || err != nil || total != 10 {
		t.Fatalf("%d registered, %d full, %d in the session (%v); want 5, 11 and 10", registered, full, total, err)
	}
}
