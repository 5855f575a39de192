package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The departments, budget settings and ledger contract, shared with the
// SQLite file (storage), on the organisation database.
func TestBudgetStoreContract(t *testing.T) {
	storetest.RunBudgetStore(t, func(t *testing.T) storetest.BudgetStores { return openTemp(t) })
}
