package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/zalando/go-keyring"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/secrets"
)

// promoFixture is a site with paid sessions and promotional codes enabled,
// through the real SiteService, for what only the SQLite file shows (raw
// SQL) and for the services' own rules; the store's behaviour is
// storetest.RunPromoStore's.
type promoFixture struct {
	t     *testing.T
	db    *storage.DB
	site  *app.SiteService
	promo *app.PromoService
	clock time.Time
	mu    sync.Mutex
}

func newPromoFixture(t *testing.T, cur string) *promoFixture {
	t.Helper()
	keyring.MockInit()
	dir := t.TempDir()
	path := filepath.Join(dir, "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	vault := secrets.New(secrets.Options{
		Service: "TrainPay:test-" + t.Name(), FallbackPath: filepath.Join(dir, "trainpay.secrets"),
		KDF: app.Argon2Params{Memory: 64, Time: 1, Threads: 1},
	})
	site := &app.SiteService{Store: db, Argon2: app.Argon2Params{Memory: 1024, Time: 1, Threads: 1}}
	ctx := context.Background()
	country := map[string]string{"USD": "US", "GBP": "GB", "PLN": "PL", "JPY": "JP"}[cur]
	if err := site.Setup(ctx, app.Site{Name: "Acme", Country: country, Currency: cur, TimeZone: "Europe/Warsaw", Language: "en"}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	admin, err := site.Unlock(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := site.Provision(ctx, []app.Feature{app.FeaturePaidSessions, app.FeaturePromoCodes}, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range []app.Feature{app.FeaturePaidSessions, app.FeaturePromoCodes} {
		if err := site.SetFeatureEnabled(ctx, admin, f, true); err != nil {
			t.Fatal(err)
		}
	}
	f := &promoFixture{t: t, db: db, site: site, clock: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	f.promo = &app.PromoService{Store: db, Site: site, Sessions: db, Secrets: vault, Now: f.now}
	return f
}

func (f *promoFixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

// session inserts a paid session (the paid-sessions feature's table) with
// a fee in minor units.
func (f *promoFixture) session(topic string, feeMinor int64, cur string) int64 {
	f.t.Helper()
	now := "2026-01-01T00:00:00.000000000Z"
	res, err := f.db.Write().Exec(`INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone, duration_minutes,
		type, fee_minor, currency, registration_required, max_registrations, created_at, updated_at)
		VALUES (?, lower(?), '2026-06-01T09:00:00.000000000Z', '2026-06-01T10:00:00.000000000Z', 'UTC', 60,
		        'paid', ?, ?, 1, 1000, ?, ?)`, topic, topic, feeMinor, cur, now, now)
	if err != nil {
		f.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

// registration inserts a pending registration for a session.
func (f *promoFixture) registration(sessionID int64, email string) int64 {
	f.t.Helper()
	now := "2026-01-01T00:00:00.000000000Z"
	res, err := f.db.Write().Exec(`INSERT INTO registration (session_id, first_name, last_name, email, status, confirmation,
		created_at, updated_at) VALUES (?, 'Jan', 'Kowalski', ?, 'pending-payment', ?, ?, ?)`,
		sessionID, email, fmt.Sprintf("C-%d-%s", sessionID, email), now, now)
	if err != nil {
		f.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

func (f *promoFixture) code(c app.PromoCode) app.PromoCode {
	f.t.Helper()
	if c.ValidUntil.IsZero() {
		c.ValidFrom = f.now().Add(-time.Hour)
		c.ValidUntil = f.now().Add(30 * 24 * time.Hour)
	}
	if c.Kind == "" {
		c.Kind, c.PercentBP = app.DiscountPercent, 1500
	}
	if !c.AllSessions && len(c.SessionIDs) == 0 {
		c.AllSessions = true
	}
	out, err := f.promo.CreateCode(context.Background(), c)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func TestPromoFeatureMustBeEnabled(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	if _, err := f.site.Provision(ctx, []app.Feature{app.FeaturePromoCodes}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.promo.Codes(ctx); app.AsError(err).Key != "error.feature.contact_site_admin" {
		t.Fatalf("disabled feature: %v", err)
	}
	if _, err := f.promo.Quote(ctx, 1, "a@example.com", "ABCDE"); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Fatalf("quote with the feature off: %v", err)
	}
}

// The promotional-code triggers' messages, which storage recognises a
// refusal by, are migration 00005's word for word.
func TestPromoTriggerMessagesAreTheMigrations(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("migrations", "00005_promo.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{storage.RaisePromoUsesAboveLimit, storage.RaisePromoLimitBelowUses, storage.RaisePromoUsedNoDelete} {
		if !strings.Contains(string(b), "SELECT RAISE(ABORT, '"+msg+"');") {
			t.Errorf("migration 00005 raises no %q", msg)
		}
	}
}

// The promotional-code rules hold whatever code runs the SQL: a use above
// the limit, a limit below the uses, deleting a used code and a lower-case
// code are refused by the database itself.
func TestPromoRulesRefuseRawSQL(t *testing.T) {
	f := newPromoFixture(t, "USD")
	ctx := context.Background()
	sess := f.session("Limits", 1000, "USD")
	c := f.code(app.PromoCode{Code: "LIMIT", Kind: app.DiscountPercent, PercentBP: 10000, UseLimit: 2})
	var regs []int64
	for i := range 2 {
		email := fmt.Sprintf("a%d@example.com", i)
		regs = append(regs, f.registration(sess, email))
		q, err := f.promo.Quote(ctx, sess, email, c.Code)
		if err != nil {
			t.Fatal(err)
		}
		id, err := f.promo.Reserve(ctx, q, regs[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := f.promo.ConfirmFree(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.db.Write().Exec(`UPDATE promo_code SET use_limit = 1 WHERE id = ?`, c.ID)
	wantRaise(t, err, storage.RaisePromoLimitBelowUses)
	_, err = f.db.Write().Exec(`DELETE FROM promo_code WHERE id = ?`, c.ID)
	wantRaise(t, err, storage.RaisePromoUsedNoDelete)
	reg := f.registration(sess, "z@example.com")
	insert := `INSERT INTO promo_redemption (code_id, registration_id, session_id, email, state,
		fee_minor, discount_minor, total_minor, currency, created_at, expires_at, updated_at)
		VALUES (?, ?, ?, 'z@example.com', ?, 1000, 1000, 0, 'USD', 'x', 'x', 'x')`
	_, err = f.db.Write().Exec(insert, c.ID, reg, sess, "used")
	wantRaise(t, err, storage.RaisePromoUsesAboveLimit)
	// A reservation turned into a use by hand likewise.
	if _, err := f.db.Write().Exec(insert, c.ID, reg, sess, "reserved"); err != nil {
		t.Fatal(err)
	}
	_, err = f.db.Write().Exec(`UPDATE promo_redemption SET state = 'used' WHERE registration_id = ?`, reg)
	wantRaise(t, err, storage.RaisePromoUsesAboveLimit)
	_, err = f.db.Write().Exec(`INSERT INTO promo_code (code, kind, percent_bp, valid_from, valid_until, created_at)
		VALUES ('spring-25', 'percent', 100, 'a', 'b', 'x')`)
	var se sqlite3.Error
	if !errors.As(err, &se) || se.ExtendedCode != sqlite3.ErrConstraintCheck {
		t.Fatalf("a lower-case code: %v", err)
	}
}
