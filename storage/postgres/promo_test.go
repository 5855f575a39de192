package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The promotional-code store's contract on the organisation database.
func TestPromoStoreContract(t *testing.T) {
	storetest.RunPromoStore(t, func(t *testing.T) storetest.PromoBackend {
		return promoSessionsBySQL{openTemp(t)}
	})
}

// promoSessionsBySQL writes the sessions and registrations the promo suite
// redeems codes for by SQL, while the session and registration stores are
// not on the organisation database yet: only what the suite needs, the
// rows as storage writes them.
type promoSessionsBySQL struct{ *postgres.DB }

var promoConfirmation atomic.Int64

func (d promoSessionsBySQL) CreateSession(ctx context.Context, s *app.Session) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return d.Pool().QueryRow(ctx, `INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone,
		duration_minutes, type, fee_minor, currency, registration_required, max_registrations, status, created_at, updated_at)
		VALUES ($1, lower($1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
		s.Topic, s.StartsAt, s.EndsAt(), s.TimeZone, s.DurationMinutes, string(s.Type), s.FeeMinor, s.Currency,
		s.RegistrationRequired, s.MaxRegistrations, string(s.Status), now).Scan(&s.ID)
}

func (d promoSessionsBySQL) Register(ctx context.Context, r *app.Registration, now time.Time) error {
	r.Confirmation = fmt.Sprintf("TP-PROMO%03d", promoConfirmation.Add(1))
	return d.Pool().QueryRow(ctx, `INSERT INTO registration (session_id, first_name, last_name, email, status,
		confirmation, fee_minor, total_minor, currency, hold_until, created_at, updated_at)
		SELECT id, $2, $3, $4, CASE WHEN type = 'paid' THEN 'pending-payment' ELSE 'registered' END,
		       $5, fee_minor, fee_minor, currency, $6::timestamptz + interval '15 minutes', $6, $6
		FROM session WHERE id = $1 RETURNING id`,
		r.SessionID, r.FirstName, r.LastName, r.Email, r.Confirmation, now).Scan(&r.ID)
}

func (d promoSessionsBySQL) SetPrice(ctx context.Context, id int64, code string, discountMinor, totalMinor int64) error {
	_, err := d.Pool().Exec(ctx, `UPDATE registration SET promo_code = $1, discount_minor = $2, total_minor = $3
		WHERE id = $4 AND status = 'pending-payment'`, code, discountMinor, totalMinor, id)
	return err
}

func (d promoSessionsBySQL) ConfirmFree(ctx context.Context, id int64, at time.Time) error {
	_, err := d.Pool().Exec(ctx, `UPDATE registration SET status = 'paid', paid_at = $1, hold_until = NULL
		WHERE id = $2 AND status = 'pending-payment' AND total_minor = 0`, at, id)
	return err
}

func (d promoSessionsBySQL) CancelRegistration(ctx context.Context, id int64, at time.Time) error {
	_, err := d.Pool().Exec(ctx, `UPDATE registration SET status = 'cancelled', cancelled_at = $1, hold_until = NULL
		WHERE id = $2 AND status IN ('pending-payment', 'registered', 'paid')`, at, id)
	return err
}
