package storage_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The promotional-code store's contract, shared with the organisation
// database (storage/postgres), on the SQLite file.
func TestPromoStoreContract(t *testing.T) {
	storetest.RunPromoStore(t, func(t *testing.T) storetest.PromoBackend {
		db, _ := openTemp(t)
		return db
	})
}
