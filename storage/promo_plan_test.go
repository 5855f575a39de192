package storage_test

import (
	"strings"
	"testing"
)

// The hot paths of a promotional-code campaign find a registration's
// redemption and count a code's uses through indexes, never by scanning
// every redemption (BENCHMARKS.md: one such scan made each reservation
// three times slower at scale).
func TestPromoRedemptionLookupsUseIndexes(t *testing.T) {
	db, _ := openTemp(t)
	for name, query := range map[string]string{
		"registration's redemption": `SELECT r.id FROM promo_redemption r
			WHERE r.registration_id = 1 AND r.state IN ('reserved', 'used')`,
		"settle a registration's reservation": `UPDATE promo_redemption SET state = 'used'
			WHERE registration_id = 1 AND state IN ('reserved', 'used') AND state = 'reserved'`,
		"a code's uses": `SELECT count(*) FROM promo_redemption r WHERE r.code_id = 1 AND r.state = 'used'`,
		"an attendee's uses": `SELECT count(*) FROM promo_redemption r WHERE r.code_id = 1 AND r.email = 'a@b.c'
			AND (r.state = 'used' OR r.state = 'reserved' AND r.expires_at > '2026')`,
	} {
		plan := queryPlan(t, db, query)
		if strings.Contains(plan, "SCAN") || !strings.Contains(plan, "INDEX") {
			t.Errorf("%s: %s", name, plan)
		}
	}
}
