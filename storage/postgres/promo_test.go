package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The promotional-code store's contract on the organisation database.
func TestPromoStoreContract(t *testing.T) {
	storetest.RunPromoStore(t, func(t *testing.T) storetest.PromoBackend {
		return openTemp(t)
	})
}

// The promotional-code rules hold whatever client writes the organisation
// database: a use above the limit, a use made a reservation again, a limit
// below the uses, a changed discount and a deleted used code are refused
// by the triggers, each with its SQLSTATE and SQLite's message.
func TestPromoRulesRefuseRawSQL(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	now := time.Now().UTC()
	sess := app.Session{
		Topic: "Limits", StartsAt: now.Add(48 * time.Hour), TimeZone: "UTC", DurationMinutes: 60,
		Type: app.SessionPaid, FeeMinor: 1000, Currency: "PLN", RegistrationRequired: true, MaxRegistrations: 10,
		Status: app.SessionScheduled,
	}
	if err := db.CreateSession(ctx, &sess); err != nil {
		t.Fatal(err)
	}
	codes := []app.PromoCode{{
		Code: "RAW-LIMIT", Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: 1,
		PerAttendeeLimit: 1, AllSessions: true, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(time.Hour), CreatedAt: now,
	}}
	if err := db.CreatePromoCodes(ctx, codes); err != nil {
		t.Fatal(err)
	}
	code := codes[0].ID
	var regs []int64
	for _, email := range []string{"a@example.com", "b@example.com"} {
		r := app.Registration{SessionID: sess.ID, Attendee: app.Attendee{FirstName: "Jan", LastName: "Nowak", Email: email}}
		if err := db.Register(ctx, &r, now); err != nil {
			t.Fatal(err)
		}
		regs = append(regs, r.ID)
	}
	insert := `INSERT INTO promo_redemption (code_id, registration_id, session_id, email, state,
		fee_minor, discount_minor, total_minor, currency, created_at, expires_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 1000, 1000, 0, 'PLN', now(), now(), now())`
	pool := db.Pool()
	if _, err := pool.Exec(ctx, insert, code, regs[0], sess.ID, "a@example.com", "used"); err != nil {
		t.Fatal(err)
	}
	_, err := pool.Exec(ctx, insert, code, regs[1], sess.ID, "b@example.com", "used")
	wantState(t, err, postgres.StatePromoUsesAboveLimit, storage.RaisePromoUsesAboveLimit)
	if _, err := pool.Exec(ctx, insert, code, regs[1], sess.ID, "b@example.com", "reserved"); err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `UPDATE promo_redemption SET state = 'used' WHERE registration_id = $1`, regs[1])
	wantState(t, err, postgres.StatePromoUsesAboveLimit, storage.RaisePromoUsesAboveLimit)
	_, err = pool.Exec(ctx, `UPDATE promo_redemption SET state = 'released' WHERE registration_id = $1`, regs[0])
	wantState(t, err, postgres.StatePromoUseFinal, "promo: a use is final")
	_, err = pool.Exec(ctx, `UPDATE promo_code SET use_limit = 0 WHERE id = $1`, code)
	if err != nil {
		t.Fatalf("an unlimited code: %v", err)
	}
	if _, err := pool.Exec(ctx, `UPDATE promo_redemption SET state = 'used' WHERE registration_id = $1`, regs[1]); err != nil {
		t.Fatalf("a use within no limit: %v", err)
	}
	_, err = pool.Exec(ctx, `UPDATE promo_code SET use_limit = 1 WHERE id = $1`, code)
	wantState(t, err, postgres.StatePromoLimitBelowUses, storage.RaisePromoLimitBelowUses)
	_, err = pool.Exec(ctx, `UPDATE promo_code SET percent_bp = 5000 WHERE id = $1`, code)
	wantState(t, err, postgres.StatePromoDiscountFixed, "promo: the code and its discount never change")
	_, err = pool.Exec(ctx, `DELETE FROM promo_code WHERE id = $1`, code)
	wantState(t, err, postgres.StatePromoUsedNoDelete, storage.RaisePromoUsedNoDelete)
	_, err = pool.Exec(ctx, `INSERT INTO promo_code (code, kind, percent_bp, valid_from, valid_until, created_at)
		VALUES ('raw-lower', 'percent', 100, now(), now() + interval '1 hour', now())`)
	wantState(t, err, "23514", "") // check_violation: codes are upper case
	_, err = pool.Exec(ctx, `INSERT INTO promo_code (code, kind, percent_bp, valid_from, valid_until, created_at)
		VALUES ('RAW-LIMIT', 'percent', 100, now(), now() + interval '1 hour', now())`)
	wantState(t, err, "23505", postgres.ConstraintPromoCode)
}

// The codes list's search reads the trigram index, not every code.
func TestPromoCodeSearchUsesTheTrigramIndex(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// Without rows the planner prefers a scan whatever the indexes; it is
	// told not to, to see which index it would use.
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	var plan string
	rows, err := conn.Query(ctx, `EXPLAIN SELECT count(*) FROM promo_code p WHERE p.code LIKE '%RING-2%' ESCAPE '\'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan += line + "\n"
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "promo_code_code_trgm") {
		t.Fatalf("plan:\n%s", plan)
	}
}

// promoChildDB names the organisation database to a reserving child.
const promoChildDB = "TRAINPAY_PG_PROMO_CHILD_DB"

// Eight TrainPay processes (eight desktops) on one organisation database
// reserve one code at the same instant, each for its own registration:
// exactly the limit's number hold a use, the others are told the code is
// used up (or already used by the attendee).
func TestPromoReservedExactlyByConcurrentProcesses(t *testing.T) {
	if storetest.PromoRaceChild() {
		storetest.ReservePromoWhenReleased(t, openAt(t, os.Getenv(promoChildDB)))
		return
	}
	db, url := openTempURL(t)
	storetest.RacePromoReservations(t, db, "TestPromoReservedExactlyByConcurrentProcesses", promoChildDB+"="+url)
}
