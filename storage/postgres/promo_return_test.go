package postgres_test

import (
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// A refunded registration gives its promotional code's use back, on the
// organisation database.
func TestPromoUseReturnedByRefundContract(t *testing.T) {
	storetest.RunPromoReturnStore(t, func(t *testing.T) storetest.PromoBackend {
		return openTemp(t)
	})
}
