package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The pay-per-use store's contract and the journal's pay-per-use effects,
// shared with the SQLite file (storage), on the organisation database. The
// site, departments, ledger and audit log are written and read by SQL
// here: their stores are ported separately.
func TestPayPerUseStoreContract(t *testing.T) {
	storetest.RunPayPerUseStore(t, func(t *testing.T) storetest.PayPerUseFixture {
		db := openTemp(t)
		ctx := context.Background()
		pool := db.Pool()
		return storetest.PayPerUseFixture{
			Store: db,
			SetUpSite: func(t *testing.T, s app.Site) {
				if _, err := pool.Exec(ctx, `INSERT INTO site (id, name, country, currency, time_zone, language, mode,
					rate_person_minute_e4, rate_teleconference_minute_e4, created_at)
					VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
					s.Name, s.Country, s.Currency, s.TimeZone, s.Language, string(s.Mode),
					s.RatePersonMinuteE4, s.RateTeleconferenceMinuteE4, s.CreatedAt); err != nil {
					t.Fatal(err)
				}
			},
			AddDepartment: func(t *testing.T, d app.Department) int64 {
				var id int64
				if err := pool.QueryRow(ctx, `INSERT INTO department (name, name_fold, cost_centre, owner_name, owner_email,
					created_at, updated_at) VALUES ($1, lower($1), $2, $3, $4, now(), now()) RETURNING id`,
					d.Name, d.CostCentre, d.OwnerName, d.OwnerEmail).Scan(&id); err != nil {
					t.Fatal(err)
				}
				return id
			},
			Ledger: func(t *testing.T, id int64) []app.LedgerEntry {
				rows, err := pool.Query(ctx, `SELECT id, department_id, period, kind, amount_minor, currency,
					coalesce(session_id, 0), coalesce(payment_id, 0), reference, note, at
					FROM department_ledger WHERE department_id = $1 ORDER BY id`, id)
				if err != nil {
					t.Fatal(err)
				}
				entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (app.LedgerEntry, error) {
					var e app.LedgerEntry
					var kind string
					err := r.Scan(&e.ID, &e.DepartmentID, &e.Period, &kind, &e.AmountMinor, &e.Currency,
						&e.SessionID, &e.PaymentID, &e.Reference, &e.Note, &e.At)
					e.Kind, e.At = app.LedgerKind(kind), e.At.UTC()
					return e, err
				})
				if err != nil {
					t.Fatal(err)
				}
				return entries
			},
			Audit: func(t *testing.T) []app.AuditEntry {
				rows, err := pool.Query(ctx, `SELECT id, at, actor, action, target, old_value, new_value
					FROM audit_log ORDER BY id DESC`)
				if err != nil {
					t.Fatal(err)
				}
				entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (app.AuditEntry, error) {
					var e app.AuditEntry
					var at time.Time
					err := r.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Old, &e.New)
					e.At = at.UTC()
					return e, err
				})
				if err != nil {
					t.Fatal(err)
				}
				return entries
			},
		}
	})
}
