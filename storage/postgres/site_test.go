package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The site, settings and audit log contract, shared with the SQLite file
// (storage), on the organisation database.
func TestSiteStoreContract(t *testing.T) {
	storetest.RunSiteStore(t, func(t *testing.T) storetest.SiteStores { return openTemp(t) })
}
