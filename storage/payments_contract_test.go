package storage_test

import (
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The payment journal's contract, shared with the organisation database
// (storage/postgres), on the SQLite file.
func TestPaymentStoreContract(t *testing.T) {
	storetest.RunPaymentStore(t, func(t *testing.T) app.PaymentStore {
		db, _ := openTemp(t)
		return db
	})
}
