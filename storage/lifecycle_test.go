package storage_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The start lead time and a started session's start, on the SQLite file.
func TestSessionLifecycleContract(t *testing.T) {
	storetest.RunSessionLifecycleStore(t, func(t *testing.T) storetest.LifecycleBackend {
		db, _ := openTemp(t)
		return db
	})
}
