package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/storage/storetest"
)

// storage's test of migration 00021 on the organisation database: a second
// open request for a session, a decline without a reason, a change to an
// answered request and a deletion are refused by the database, whoever
// writes.
func TestPaymentRequestTableKeepsOneOpenRequestAndItsAnswers(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	d := storetest.NewDepartment(t, db, "Sprzedaż", "CC-1")
	ses := storetest.DepartmentSession(t, db, d.ID, storetest.Clock)
	insert := `INSERT INTO payment_request (session_id, department_id, amount_minor, currency, created_at, updated_at)
		VALUES ($1, $2, 100, 'PLN', now(), now())`
	pool := db.Pool()
	if _, err := pool.Exec(ctx, insert, ses, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, insert, ses, d.ID); err == nil || !strings.Contains(err.Error(), "payment_request_one_open") {
		t.Fatalf("a second open request: %v", err)
	}
	if _, err := pool.Exec(ctx, `UPDATE payment_request SET state = 'declined', reason = '', decided_at = now()`); err == nil {
		t.Fatal("a decline without a reason was stored")
	}
	if _, err := pool.Exec(ctx, `UPDATE payment_request SET state = 'declined', reason = 'Za drogo', decided_at = now()`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE payment_request SET state = 'open', reason = '', decided_at = NULL`); err == nil ||
		!strings.Contains(err.Error(), "never changes") {
		t.Fatalf("an answered request reopened: %v", err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM payment_request`); err == nil || !strings.Contains(err.Error(), "never deleted") {
		t.Fatalf("a request deleted: %v", err)
	}
	if _, err := pool.Exec(ctx, insert, ses, d.ID); err != nil {
		t.Fatalf("a new request after the answer: %v", err)
	}
}
