package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The people contract, shared with the SQLite file (storage), on the
// organisation database opened by the schema's owner.
func TestPeopleStoreContract(t *testing.T) {
	storetest.RunPeopleStore(t, func(t *testing.T) app.PeopleStore { return openTemp(t) })
}
