package storage_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The sessions and registrations stores' contract, shared with the
// organisation database (storage/postgres), on the SQLite file.
func TestSessionStoreContract(t *testing.T) {
	storetest.RunSessionStore(t, func(t *testing.T) storetest.SessionStores {
		db, _ := openTemp(t)
		return db
	})
}

func TestRegistrationStoreContract(t *testing.T) {
	storetest.RunRegistrationStore(t, func(t *testing.T) storetest.SessionStores {
		db, _ := openTemp(t)
		return db
	})
}

func TestRegistrationExportStoreContract(t *testing.T) {
	storetest.RunRegistrationExportStore(t, func(t *testing.T) storetest.ExportStores {
		db, _ := openTemp(t)
		return db
	})
}
