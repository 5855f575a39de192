package storage_test

import (
	"os"
	"testing"

	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// promoChildDB names the SQLite file to a reserving child process.
const promoChildDB = "TRAINPAY_PROMO_CHILD_DB"

// Eight TrainPay processes on one SQLite file reserve one code at the same
// instant, each for its own registration: exactly the limit's number hold
// a use, the others are told the code is used up (or already used by the
// attendee).
func TestPromoReservedExactlyByConcurrentProcesses(t *testing.T) {
	if storetest.PromoRaceChild() {
		db, err := storage.Open(os.Getenv(promoChildDB))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		storetest.ReservePromoWhenReleased(t, db)
		return
	}
	db, path := openTemp(t)
	storetest.RacePromoReservations(t, db, "TestPromoReservedExactlyByConcurrentProcesses", promoChildDB+"="+path)
}
