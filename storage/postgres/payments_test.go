package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The payment journal's contract, shared with the SQLite file (storage),
// on the organisation database.
func TestPaymentStoreContract(t *testing.T) {
	storetest.RunPaymentStore(t, func(t *testing.T) app.PaymentStore { return openTemp(t) })
}
