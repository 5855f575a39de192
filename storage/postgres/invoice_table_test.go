package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestInvoiceTableKeepsOneInvoicePerRegistrationAndItsIDs: the twin of
// storage's test of migration 00017 on the organisation database.
func TestInvoiceTableKeepsOneInvoicePerRegistrationAndItsIDs(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) (int64, error) {
		tag, err := db.Pool().Exec(ctx, q, args...)
		return tag.RowsAffected(), err
	}
	must := func(n int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	refused := func(what string, q string, args ...any) {
		t.Helper()
		if _, err := exec(q, args...); err == nil {
			t.Errorf("%s: the table took it", what)
		}
	}
	must(exec(`INSERT INTO session (id, topic, topic_fold, starts_at, ends_at, time_zone, duration_minutes, type, created_at, updated_at)
		VALUES (1, 'Go', 'go', $1, $1, 'UTC', 60, 'free', $1, $1)`, now))
	for i, conf := range []string{"TP-AAAA0001", "TP-AAAA0002"} {
		must(exec(`INSERT INTO registration (id, session_id, first_name, last_name, email, status, confirmation, created_at, updated_at)
			VALUES ($1, 1, 'Anna', 'Nowak', $2, 'pending-payment', $3, $4, $4)`, i+1, strings.ToLower(conf)+"@example.com", conf, now))
	}
	due := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	insert := `INSERT INTO invoice (registration_id, number, due_date, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`
	must(exec(insert, 1, "TP-AAAA0001", due, now))
	var status string
	var paypalID *string
	if err := db.Pool().QueryRow(ctx, `SELECT status, paypal_id FROM invoice WHERE registration_id = 1`).Scan(&status, &paypalID); err != nil ||
		status != "creating" || paypalID != nil {
		t.Fatalf("a new row: %q, %v, %v", status, paypalID, err)
	}
	refused("a second invoice for the registration", insert, 1, "TP-OTHER", due, now)
	refused("a number used", insert, 2, "TP-AAAA0001", due, now)
	refused("a number search cannot find", insert, 2, strings.Repeat("9", 26), due, now)
	refused("a registration that is not there", insert, 99, "TP-NONE", due, now)
	refused("paid before PayPal's id is known", `UPDATE invoice SET status = 'paid' WHERE id = 1`)
	refused("a state the client does not have", `UPDATE invoice SET paypal_id = 'INV2-A', status = 'SENT' WHERE id = 1`)
	refused("a lease without its end", `UPDATE invoice SET lease_owner = 'poller-a' WHERE id = 1`)

	must(exec(`UPDATE invoice SET paypal_id = 'INV2-A', status = 'draft' WHERE id = 1`))
	refused("another PayPal id", `UPDATE invoice SET paypal_id = 'INV2-B' WHERE id = 1`)
	refused("PayPal's id forgotten", `UPDATE invoice SET paypal_id = NULL WHERE id = 1`)
	must(exec(`UPDATE invoice SET capture_id = 'SC1', status = 'paid', raw_status = 'PAID' WHERE id = 1`))
	refused("another capture", `UPDATE invoice SET capture_id = 'SC2' WHERE id = 1`)
	refused("a deleted row", `DELETE FROM invoice WHERE id = 1`)

	must(exec(insert, 2, "TP-AAAA0002", due.AddDate(0, 0, 1), now))
	claim := `UPDATE invoice SET lease_owner = $1, lease_until = $2 WHERE registration_id = 2 AND (lease_until IS NULL OR lease_until < $3)`
	if n := must(exec(claim, "poller-a", now.Add(time.Minute), now)); n != 1 {
		t.Fatalf("the first poller leased %d rows", n)
	}
	if n := must(exec(claim, "poller-b", now.Add(90*time.Second), now.Add(30*time.Second))); n != 0 {
		t.Fatalf("a second poller took a live lease (%d rows)", n)
	}
	if n := must(exec(claim, "poller-b", now.Add(3*time.Minute), now.Add(2*time.Minute))); n != 1 {
		t.Fatalf("a lease that ran out was not taken over (%d rows)", n)
	}
}
