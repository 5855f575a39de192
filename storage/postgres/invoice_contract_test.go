package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The invoice table's contract on the organisation database.
func TestInvoiceStoreContract(t *testing.T) {
	storetest.RunInvoiceStore(t, func(t *testing.T) storetest.InvoiceStores { return openTemp(t) })
}
