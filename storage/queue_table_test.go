package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// Migration 00021's rules hold for any writer of the file, not only the
// store: a second open request for a session, a decline without a reason,
// a change to an answered request and a deletion are refused by the
// database.
func TestPaymentRequestTableKeepsOneOpenRequestAndItsAnswers(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	d := storetest.NewDepartment(t, db, "Sprzedaż", "CC-1")
	ses := storetest.DepartmentSession(t, db, d.ID, storetest.Clock)
	insert := `INSERT INTO payment_request (session_id, department_id, amount_minor, currency, created_at, updated_at)
		VALUES (?, ?, 100, 'PLN', '2030-03-01T09:00:00Z', '2030-03-01T09:00:00Z')`
	w := db.Write()
	if _, err := w.ExecContext(ctx, insert, ses, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ExecContext(ctx, insert, ses, d.ID); err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("a second open request: %v", err)
	}
	if _, err := w.ExecContext(ctx, `UPDATE payment_request SET state = 'declined', reason = '', decided_at = '2030-03-01T10:00:00Z'`); err == nil {
		t.Fatal("a decline without a reason was stored")
	}
	if _, err := w.ExecContext(ctx, `UPDATE payment_request SET state = 'declined', reason = 'Za drogo', decided_at = '2030-03-01T10:00:00Z'`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ExecContext(ctx, `UPDATE payment_request SET state = 'open', reason = '', decided_at = NULL`); err == nil ||
		!strings.Contains(err.Error(), "never changes") {
		t.Fatalf("an answered request reopened: %v", err)
	}
	if _, err := w.ExecContext(ctx, `DELETE FROM payment_request`); err == nil || !strings.Contains(err.Error(), "never deleted") {
		t.Fatalf("a request deleted: %v", err)
	}
	if _, err := w.ExecContext(ctx, insert, ses, d.ID); err != nil {
		t.Fatalf("a new request after the answer: %v", err)
	}
}
