package storage_test

import (
	"os"
	"testing"

	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// A refunded registration gives its promotional code's use back, on the
// SQLite file.
func TestPromoUseReturnedByRefundContract(t *testing.T) {
	storetest.RunPromoReturnStore(t, func(t *testing.T) storetest.PromoBackend {
		db, _ := openTemp(t)
		return db
	})
}

// promoReturnChildDB names the SQLite file to a child of the return race.
const promoReturnChildDB = "TRAINPAY_PROMO_RETURN_CHILD_DB"

// One TrainPay process settles the full refund that gives a code's only
// use back while seven others reserve that use, on one SQLite file: at
// most one gets it, the others are told it is used up, and the return is
// never lost.
func TestPromoUseReturnRacesReservationsOfRealProcesses(t *testing.T) {
	if storetest.PromoReturnRaceChild() {
		db, err := storage.Open(os.Getenv(promoReturnChildDB))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		storetest.ReturnOrReservePromoWhenReleased(t, db)
		return
	}
	db, path := openTemp(t)
	storetest.RacePromoReturn(t, db, "TestPromoUseReturnRacesReservationsOfRealProcesses", promoReturnChildDB+"="+path)
}
