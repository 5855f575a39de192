package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The "To pay" queue's payment requests on the organisation database.
func TestQueueStoreContract(t *testing.T) {
	storetest.RunQueueStore(t, func(t *testing.T) app.Store { return openTemp(t) })
}
