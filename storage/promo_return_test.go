package storage_test

import (
	"testing"

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
