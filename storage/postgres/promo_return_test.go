package postgres_test

import (
	"os"
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// A refunded registration gives its promotional code's use back, on the
// organisation database.
func TestPromoUseReturnedByRefundContract(t *testing.T) {
	storetest.RunPromoReturnStore(t, func(t *testing.T) storetest.PromoBackend {
		return openTemp(t)
	})
}

// promoReturnChildDB names the organisation database to a child of the
// return race.
const promoReturnChildDB = "TRAINPAY_PG_PROMO_RETURN_CHILD_DB"

// One TrainPay process settles the full refund that gives a code's only
// use back while seven others reserve that use, on one organisation
// database: at most one gets it, the others are told it is used up, and
// the return is never lost.
func TestPromoUseReturnRacesReservationsOfRealProcesses(t *testing.T) {
	if storetest.PromoReturnRaceChild() {
		storetest.ReturnOrReservePromoWhenReleased(t, openAt(t, os.Getenv(promoReturnChildDB)))
		return
	}
	db, url := openTempURL(t)
	storetest.RacePromoReturn(t, db, "TestPromoUseReturnRacesReservationsOfRealProcesses", promoReturnChildDB+"="+url)
}
