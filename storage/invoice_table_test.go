package storage_test

import (
	"strings"
	"testing"
)

// TestInvoiceTableKeepsOneInvoicePerRegistrationAndItsIDs: migration 00017's
// invoice table refuses a second invoice for a registration or a number,
// a number PayPal's search could not find, a state that is not the
// client's, a settled state before PayPal's id is known, a half-set lease;
// PayPal's id and the capture's never change once known; no row is
// deleted; one UPDATE leases a row to one poller at a time.
func TestInvoiceTableKeepsOneInvoicePerRegistrationAndItsIDs(t *testing.T) {
	db, _ := openTemp(t)
	w := db.Write()
	const now = "2026-12-06T03:00:00.000000000Z"
	exec := func(q string, args ...any) (int64, error) {
		res, err := w.Exec(q, args...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
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
		VALUES (1, 'Go', 'go', ?, ?, 'UTC', 60, 'free', ?, ?)`, now, now, now, now))
	for i, conf := range []string{"TP-AAAA0001", "TP-AAAA0002"} {
		must(exec(`INSERT INTO registration (id, session_id, first_name, last_name, email, status, confirmation, created_at, updated_at)
			VALUES (?, 1, 'Anna', 'Nowak', ?, 'pending-payment', ?, ?, ?)`, i+1, strings.ToLower(conf)+"@example.com", conf, now, now))
	}
	insert := `INSERT INTO invoice (registration_id, number, due_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`
	must(exec(insert, 1, "TP-AAAA0001", "2026-12-20", now, now))
	var status string
	var paypalID any
	if err := w.QueryRow(`SELECT status, paypal_id FROM invoice WHERE registration_id = 1`).Scan(&status, &paypalID); err != nil ||
		status != "creating" || paypalID != nil {
		t.Fatalf("a new row: %q, %v, %v", status, paypalID, err)
	}
	refused("a second invoice for the registration", insert, 1, "TP-OTHER", "2026-12-20", now, now)
	refused("a number used", insert, 2, "TP-AAAA0001", "2026-12-20", now, now)
	refused("a number search cannot find", insert, 2, strings.Repeat("9", 26), "2026-12-20", now, now)
	refused("a registration that is not there", insert, 99, "TP-NONE", "2026-12-20", now, now)
	refused("a due date that is no date", insert, 2, "TP-AAAA0002", "20.12.2026", now, now)
	refused("paid before PayPal's id is known", `UPDATE invoice SET status = 'paid' WHERE id = 1`)
	refused("a state the client does not have", `UPDATE invoice SET paypal_id = 'INV2-A', status = 'SENT' WHERE id = 1`)
	refused("a lease without its end", `UPDATE invoice SET lease_owner = 'poller-a' WHERE id = 1`)

	must(exec(`UPDATE invoice SET paypal_id = 'INV2-A', status = 'draft' WHERE id = 1`))
	refused("another PayPal id", `UPDATE invoice SET paypal_id = 'INV2-B' WHERE id = 1`)
	refused("PayPal's id forgotten", `UPDATE invoice SET paypal_id = NULL WHERE id = 1`)
	must(exec(`UPDATE invoice SET capture_id = 'SC1', status = 'paid', raw_status = 'PAID' WHERE id = 1`))
	refused("another capture", `UPDATE invoice SET capture_id = 'SC2' WHERE id = 1`)
	refused("a deleted row", `DELETE FROM invoice WHERE id = 1`)

	must(exec(insert, 2, "TP-AAAA0002", "2026-12-21", now, now))
	claim := `UPDATE invoice SET lease_owner = ?, lease_until = ? WHERE registration_id = 2 AND (lease_until IS NULL OR lease_until < ?)`
	if n := must(exec(claim, "poller-a", "2026-12-06T03:01:00.000000000Z", now)); n != 1 {
		t.Fatalf("the first poller leased %d rows", n)
	}
	if n := must(exec(claim, "poller-b", "2026-12-06T03:01:30.000000000Z", "2026-12-06T03:00:30.000000000Z")); n != 0 {
		t.Fatalf("a second poller took a live lease (%d rows)", n)
	}
	if n := must(exec(claim, "poller-b", "2026-12-06T03:03:00.000000000Z", "2026-12-06T03:02:00.000000000Z")); n != 1 {
		t.Fatalf("a lease that ran out was not taken over (%d rows)", n)
	}
}
