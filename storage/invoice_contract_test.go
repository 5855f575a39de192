package storage_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The invoice table's contract, shared with the organisation database
// (storage/postgres), on the SQLite file.
func TestInvoiceStoreContract(t *testing.T) {
	storetest.RunInvoiceStore(t, func(t *testing.T) storetest.InvoiceStores {
		db, _ := openTemp(t)
		return db
	})
}
