package storage_test

import (
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The "To pay" queue's payment requests on the SQLite file.
func TestQueueStoreContract(t *testing.T) {
	storetest.RunQueueStore(t, func(t *testing.T) app.Store {
		db, _ := openTemp(t)
		return db
	})
}
