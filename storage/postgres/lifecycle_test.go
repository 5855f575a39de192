package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// The start lead time and a started session's start, on the organisation
// database.
func TestSessionLifecycleContract(t *testing.T) {
	storetest.RunSessionLifecycleStore(t, func(t *testing.T) storetest.LifecycleBackend {
		return openTemp(t)
	})
}
