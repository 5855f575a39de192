package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
)

// site.go: the site, its features, the administrator's credential and the
// audit log (app.SiteStore), the payment settings (app.PaymentSettingsStore)
// and the mail server with its templates (app.SMTPSettingsStore), with
// storage's rules and errors (storage/site.go, paymentsettings.go,
// promo_mail.go). Every change writes its audit entries in its own
// transaction.

var (
	_ app.SiteStore            = (*DB)(nil)
	_ app.PaymentSettingsStore = (*DB)(nil)
	_ app.SMTPSettingsStore    = (*DB)(nil)
)

func siteNotSetUp() error {
	return app.Errorf(app.ENOTFOUND, "error.site.not_set_up", "the site is not set up yet")
}

// Site returns the site, or ENOTFOUND before the first-run wizard.
func (db *DB) Site(ctx context.Context) (app.Site, error) {
	return siteOf(ctx, db.pool)
}

// CreateSite stores the site and the administrator's credential; ECONFLICT
// if a site exists (two desktops running the wizard at once: the primary
// key lets one in, the other is told).
func (db *DB) CreateSite(ctx context.Context, s app.Site, cred app.AdminCredential, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `
		INSERT INTO site (id, name, country, currency, time_zone, language, mode,
		                  rate_person_minute_e4, rate_teleconference_minute_e4, start_lead_minutes, created_at)
		VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO NOTHING`,
		s.Name, s.Country, s.Currency, s.TimeZone, s.Language, string(s.Mode),
		s.RatePersonMinuteE4, s.RateTeleconferenceMinuteE4, s.StartLeadMinutes, stamp(s.CreatedAt))
	if err != nil {
		return internalError(err, "create the site")
	}
	if tag.RowsAffected() == 0 {
		return app.Errorf(app.ECONFLICT, "error.site.exists", "the site is already set up")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO admin_credential (id, hash, failed_attempts, locked_until) VALUES (1, $1, $2, $3)`,
		cred.Hash, cred.FailedAttempts, credentialPause(cred)); err != nil {
		return internalError(err, "store the administrator's credential")
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "create the site")
}

// SaveSite replaces the site's settings (CreatedAt is kept as created).
func (db *DB) SaveSite(ctx context.Context, s app.Site, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `
		UPDATE site SET name = $1, country = $2, currency = $3, time_zone = $4, language = $5, mode = $6,
		                rate_person_minute_e4 = $7, rate_teleconference_minute_e4 = $8, start_lead_minutes = $9
		WHERE id = 1`,
		s.Name, s.Country, s.Currency, s.TimeZone, s.Language, string(s.Mode),
		s.RatePersonMinuteE4, s.RateTeleconferenceMinuteE4, s.StartLeadMinutes)
	if err != nil {
		return internalError(err, "save the site")
	}
	if tag.RowsAffected() == 0 {
		return siteNotSetUp()
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "save the site")
}

// Features returns every known feature, in app.Features order; a feature
// without a row is neither provisioned nor enabled.
func (db *DB) Features(ctx context.Context) ([]app.FeatureState, error) {
	rows, err := db.pool.Query(ctx, `SELECT name, provisioned, enabled FROM feature`)
	if err != nil {
		return nil, internalError(err, "read the features")
	}
	stored, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.FeatureState, error) {
		var st app.FeatureState
		var name string
		err := row.Scan(&name, &st.Provisioned, &st.Enabled)
		st.Feature = app.Feature(name)
		return st, err
	})
	if err != nil {
		return nil, internalError(err, "read the features")
	}
	states := make([]app.FeatureState, 0, len(app.Features))
	for _, f := range app.Features {
		st := app.FeatureState{Feature: f}
		for _, s := range stored {
			if s.Feature == f {
				st = s
			}
		}
		states = append(states, st)
	}
	return states, nil
}

// SaveFeatures stores the given features' states; others are left alone.
func (db *DB) SaveFeatures(ctx context.Context, states []app.FeatureState, audit []app.AuditEntry) error {
	for _, st := range states {
		if !isKnownFeature(st.Feature) {
			return app.Errorf(app.EINVALID, "error.feature.unknown", "unknown feature %q", st.Feature).
				With(map[string]any{"Feature": string(st.Feature)})
		}
		if st.Enabled && !st.Provisioned {
			return app.Errorf(app.EUNAVAILABLE, "error.feature.not_provisioned",
				"%s is not provisioned for this site: contact your account manager", st.Feature).
				With(map[string]any{"Feature": string(st.Feature)})
		}
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	for _, st := range states {
		if _, err := tx.Exec(ctx, `
			INSERT INTO feature (name, provisioned, enabled) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET provisioned = excluded.provisioned, enabled = excluded.enabled`,
			string(st.Feature), st.Provisioned, st.Enabled); err != nil {
			return internalError(err, "save a feature")
		}
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "save the features")
}

func isKnownFeature(f app.Feature) bool {
	for _, k := range app.Features {
		if f == k {
			return true
		}
	}
	return false
}

// AdminCredential returns the passphrase hash and pause state, or
// ENOTFOUND before the first-run wizard.
func (db *DB) AdminCredential(ctx context.Context) (app.AdminCredential, error) {
	return adminCredentialOf(ctx, db.pool, false)
}

// SaveAdminCredential replaces the passphrase hash and pause state;
// ENOTFOUND before the first-run wizard.
func (db *DB) SaveAdminCredential(ctx context.Context, c app.AdminCredential, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := updateAdminCredential(ctx, tx, c); err != nil {
		return err
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "save the administrator's credential")
}

// ChangeAdminCredential reads the credential and stores what change makes
// of it, with change's audit entries, in one transaction. The read locks
// the credential's row (SELECT ... FOR UPDATE) until the commit, so
// changes from every desktop on the organisation database apply one after
// another: concurrent wrong passphrases are each counted. ENOTFOUND before
// the first-run wizard; an error from change rolls back.
func (db *DB) ChangeAdminCredential(ctx context.Context, change app.AdminCredentialChange) (app.AdminCredential, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return app.AdminCredential{}, err
	}
	defer tx.Rollback(ctx)
	cur, err := adminCredentialOf(ctx, tx, true)
	if err != nil {
		return app.AdminCredential{}, err
	}
	next, audit, err := change(cur)
	if err != nil {
		return app.AdminCredential{}, err
	}
	if err := updateAdminCredential(ctx, tx, next); err != nil {
		return app.AdminCredential{}, err
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return app.AdminCredential{}, err
	}
	if err := commit(ctx, tx, "save the administrator's credential"); err != nil {
		return app.AdminCredential{}, err
	}
	next.LockedUntil = stampPause(next.LockedUntil)
	return next, nil
}

// AuditLog returns up to limit entries, newest first, after skipping
// offset, and how many entries there are in all; both from one snapshot.
func (db *DB) AuditLog(ctx context.Context, offset, limit int) ([]app.AuditEntry, int, error) {
	offset, limit = max(offset, 0), max(limit, 0)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	var total int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, internalError(err, "read the audit log")
	}
	if limit == 0 || offset >= total {
		return []app.AuditEntry{}, total, nil
	}
	rows, err := tx.Query(ctx, `
		SELECT id, at, actor, action, target, old_value, new_value, login
		FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, 0, internalError(err, "read the audit log")
	}
	entries, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.AuditEntry, error) {
		var e app.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.Old, &e.New, &e.Login)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, 0, internalError(err, "read the audit log")
	}
	return entries, total, nil
}

// PaymentSettings returns the site's payment settings, the zero value
// before the administrator saves any.
func (db *DB) PaymentSettings(ctx context.Context) (app.PaymentSettings, error) {
	var s app.PaymentSettings
	var proc string
	err := db.pool.QueryRow(ctx, `SELECT processor, credit_cards, debit_cards, express_checkout, paypal_invoices, endpoint
		FROM payment_settings WHERE id = 1`).Scan(&proc, &s.CreditCards, &s.DebitCards, &s.ExpressCheckout, &s.PayPalInvoices, &s.Endpoint)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.PaymentSettings{}, nil
	}
	if err != nil {
		return app.PaymentSettings{}, internalError(err, "cannot read payment settings")
	}
	s.Processor = app.Processor(proc)
	return s, nil
}

// SavePaymentSettings stores the settings with their audit entries.
func (db *DB) SavePaymentSettings(ctx context.Context, s app.PaymentSettings, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `
		INSERT INTO payment_settings (id, processor, credit_cards, debit_cards, express_checkout, paypal_invoices, endpoint)
		VALUES (1, $1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET processor = excluded.processor, credit_cards = excluded.credit_cards,
			debit_cards = excluded.debit_cards, express_checkout = excluded.express_checkout,
			paypal_invoices = excluded.paypal_invoices, endpoint = excluded.endpoint`,
		string(s.Processor), s.CreditCards, s.DebitCards, s.ExpressCheckout, s.PayPalInvoices, s.Endpoint); err != nil {
		return internalError(err, "cannot save payment settings")
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "cannot save payment settings")
}

// AppendAudit records audit entries that go with no table change.
func (db *DB) AppendAudit(ctx context.Context, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "write the audit log")
}

// SMTPSettings returns the site's mail server; ENOTFOUND
// "error.smtp.not_set" before any save.
func (db *DB) SMTPSettings(ctx context.Context) (app.SMTPSettings, error) {
	var s app.SMTPSettings
	var mode string
	err := db.pool.QueryRow(ctx, `SELECT host, port, tls_mode, username, sender, sender_name FROM smtp_settings WHERE id = 1`).
		Scan(&s.Host, &s.Port, &mode, &s.User, &s.Sender, &s.SenderName)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, app.Errorf(app.ENOTFOUND, "error.smtp.not_set", "no mail server is set up: contact your site administrator")
	}
	if err != nil {
		return s, internalError(err, "read the mail settings")
	}
	s.TLS = app.SMTPTLSMode(mode)
	return s, nil
}

// SaveSMTPSettings stores the mail server with its audit entries.
func (db *DB) SaveSMTPSettings(ctx context.Context, s app.SMTPSettings, audit []app.AuditEntry) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `
		INSERT INTO smtp_settings (id, host, port, tls_mode, username, sender, sender_name) VALUES (1, $1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, tls_mode = excluded.tls_mode,
			username = excluded.username, sender = excluded.sender, sender_name = excluded.sender_name`,
		s.Host, s.Port, string(s.TLS), s.User, s.Sender, s.SenderName); err != nil {
		return internalError(err, "save the mail settings")
	}
	if err := writeAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(ctx, tx, "save the mail settings")
}

// PromoMailTemplate returns a language's saved template; ENOTFOUND
// "error.promo.template_not_found" when none is saved.
func (db *DB) PromoMailTemplate(ctx context.Context, lang string) (app.PromoMailTemplate, error) {
	t := app.PromoMailTemplate{Language: lang}
	err := db.pool.QueryRow(ctx, `SELECT subject, body FROM promo_mail_template WHERE language = $1`, lang).
		Scan(&t.Subject, &t.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, app.Errorf(app.ENOTFOUND, "error.promo.template_not_found", "no saved template")
	}
	if err != nil {
		return t, internalError(err, "read the message template")
	}
	return t, nil
}

// SavePromoMailTemplate stores a template.
func (db *DB) SavePromoMailTemplate(ctx context.Context, t app.PromoMailTemplate) error {
	if _, err := db.pool.Exec(ctx, `
		INSERT INTO promo_mail_template (language, subject, body) VALUES ($1, $2, $3)
		ON CONFLICT (language) DO UPDATE SET subject = excluded.subject, body = excluded.body`,
		t.Language, t.Subject, t.Body); err != nil {
		return internalError(err, "save the message template")
	}
	return nil
}

// DeletePromoMailTemplate forgets a saved template (idempotent).
func (db *DB) DeletePromoMailTemplate(ctx context.Context, lang string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM promo_mail_template WHERE language = $1`, lang); err != nil {
		return internalError(err, "reset the message template")
	}
	return nil
}

// ---- helpers ----

func siteOf(ctx context.Context, q querier) (app.Site, error) {
	var s app.Site
	var mode string
	err := q.QueryRow(ctx, `
		SELECT name, country, currency, time_zone, language, mode,
		       rate_person_minute_e4, rate_teleconference_minute_e4, start_lead_minutes, created_at
		FROM site WHERE id = 1`).Scan(
		&s.Name, &s.Country, &s.Currency, &s.TimeZone, &s.Language, &mode,
		&s.RatePersonMinuteE4, &s.RateTeleconferenceMinuteE4, &s.StartLeadMinutes, &s.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Site{}, siteNotSetUp()
	}
	if err != nil {
		return app.Site{}, internalError(err, "read the site")
	}
	s.Mode, s.CreatedAt = app.Mode(mode), s.CreatedAt.UTC()
	return s, nil
}

// findAdminCredential reads the credential; forUpdate locks its row until
// tx ends.
func adminCredentialOf(ctx context.Context, q querier, forUpdate bool) (app.AdminCredential, error) {
	query := `SELECT hash, failed_attempts, locked_until FROM admin_credential WHERE id = 1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	var c app.AdminCredential
	var locked *time.Time
	err := q.QueryRow(ctx, query).Scan(&c.Hash, &c.FailedAttempts, &locked)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.AdminCredential{}, siteNotSetUp()
	}
	if err != nil {
		return app.AdminCredential{}, internalError(err, "read the administrator's credential")
	}
	if locked != nil {
		c.LockedUntil = locked.UTC()
	}
	return c, nil
}

// credentialPause stores the zero time (no pause) as NULL.
func credentialPause(c app.AdminCredential) *time.Time {
	if c.LockedUntil.IsZero() {
		return nil
	}
	t := stamp(c.LockedUntil)
	return &t
}

// stampPause is a pause as a read returns it: zero stays zero.
func stampPause(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return stamp(t)
}

func updateAdminCredential(ctx context.Context, tx pgx.Tx, c app.AdminCredential) error {
	tag, err := tx.Exec(ctx, `UPDATE admin_credential SET hash = $1, failed_attempts = $2, locked_until = $3 WHERE id = 1`,
		c.Hash, c.FailedAttempts, credentialPause(c))
	if err != nil {
		return internalError(err, "save the administrator's credential")
	}
	if tag.RowsAffected() == 0 {
		return siteNotSetUp()
	}
	return nil
}

// writeAudit appends entries to the audit log in tx, in their order (ids
// are handed out in COPY's row order). Every store that records a change
// writes its entries through it.
func writeAudit(ctx context.Context, tx pgx.Tx, entries []app.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_log"},
		[]string{"at", "actor", "action", "target", "old_value", "new_value"},
		pgx.CopyFromSlice(len(entries), func(i int) ([]any, error) {
			e := entries[i]
			return []any{stamp(e.At), e.Actor, e.Action, e.Target, e.Old, e.New}, nil
		}))
	if err != nil {
		return internalError(err, "write the audit log")
	}
	return nil
}
