package storage_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The departments, budget settings and ledger contract, shared with the
// organisation database (storage/postgres), on the SQLite file.
func TestBudgetStoreContract(t *testing.T) {
	storetest.RunBudgetStore(t, func(t *testing.T) storetest.BudgetStores {
		db, _ := openTemp(t)
		return db
	})
}
