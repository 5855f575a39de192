package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The sessions and registrations stores' contract, shared with the SQLite
// file (storage), on the organisation database.
func TestSessionStoreContract(t *testing.T) {
	storetest.RunSessionStore(t, func(t *testing.T) storetest.SessionStores { return openTemp(t) })
}

func TestRegistrationStoreContract(t *testing.T) {
	storetest.RunRegistrationStore(t, func(t *testing.T) storetest.SessionStores { return openTemp(t) })
}

func TestRegistrationExportStoreContract(t *testing.T) {
	storetest.RunRegistrationExportStore(t, func(t *testing.T) storetest.ExportStores { return openTemp(t) })
}
