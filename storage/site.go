package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/trainpay/trainpay/app"
)

var _ app.SiteStore = (*DB)(nil)

// timeLayout is RFC 3339 in UTC with exactly nine fractional digits. Unlike
// time.RFC3339Nano it never drops trailing zeros, so stored times have one
// width and sort as text in time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

func notSetUp() error {
	return app.Errorf(app.ENOTFOUND, "error.site.not_set_up", "the site is not set up yet")
}

// Site returns the site, or ENOTFOUND before the first-run wizard.
func (db *DB) Site(ctx context.Context) (app.Site, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.Site{}, err
	}
	defer tx.Rollback()
	return findSite(ctx, tx)
}

// CreateSite stores the site and the administrator's credential; ECONFLICT
// if a site exists.
func (db *DB) CreateSite(ctx context.Context, s app.Site, cred app.AdminCredential, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if _, err := findSite(ctx, tx); err == nil {
		return app.Errorf(app.ECONFLICT, "error.site.exists", "the site is already set up")
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return err
	}
	if err := insertSite(ctx, tx, s); err != nil {
		return err
	}
	if err := insertAdminCredential(ctx, tx, cred); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

// SaveSite replaces the site's settings (CreatedAt is kept as created).
func (db *DB) SaveSite(ctx context.Context, s app.Site, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := updateSite(ctx, tx, s); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

// Features returns every known feature, in app.Features order; a feature
// without a row is neither provisioned nor enabled.
func (db *DB) Features(ctx context.Context) ([]app.FeatureState, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findFeatures(ctx, tx)
}

// SaveFeatures stores the given features' states; others are left alone.
func (db *DB) SaveFeatures(ctx context.Context, states []app.FeatureState, audit []app.AuditEntry) error {
	for _, st := range states {
		if !knownFeature(st.Feature) {
			return app.Errorf(app.EINVALID, "error.feature.unknown", "unknown feature %q", st.Feature).
				With(map[string]any{"Feature": string(st.Feature)})
		}
		if st.Enabled && !st.Provisioned {
			return app.Errorf(app.EUNAVAILABLE, "error.feature.not_provisioned",
				"%s is not provisioned for this site: contact your account manager", st.Feature).
				With(map[string]any{"Feature": string(st.Feature)})
		}
	}

	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	for _, st := range states {
		if err := upsertFeature(ctx, tx, st); err != nil {
			return err
		}
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

// AdminCredential returns the passphrase hash and pause state, or
// ENOTFOUND before the first-run wizard.
func (db *DB) AdminCredential(ctx context.Context) (app.AdminCredential, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.AdminCredential{}, err
	}
	defer tx.Rollback()
	return findAdminCredential(ctx, tx)
}

// SaveAdminCredential replaces the passphrase hash and pause state;
// ENOTFOUND before the first-run wizard.
func (db *DB) SaveAdminCredential(ctx context.Context, c app.AdminCredential, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := updateAdminCredential(ctx, tx, c); err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

// ChangeAdminCredential reads the credential and stores what change makes
// of it, with change's audit entries, in one write transaction. The
// transaction begins IMMEDIATE, holding SQLite's write lock from the read to
// the commit, so concurrent changes from this process or any other that
// shares the file apply one after another and none is lost. ENOTFOUND
// before the first-run wizard; an error from change rolls back.
func (db *DB) ChangeAdminCredential(ctx context.Context, change app.AdminCredentialChange) (app.AdminCredential, error) {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return app.AdminCredential{}, err
	}
	defer tx.Rollback()

	cur, err := findAdminCredential(ctx, tx)
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
	if err := insertAudit(ctx, tx, audit); err != nil {
		return app.AdminCredential{}, err
	}
	if err := commit(tx); err != nil {
		return app.AdminCredential{}, err
	}
	return next, nil
}

// AuditLog returns up to limit entries, newest first, after skipping
// offset, and how many entries there are in all; both from one snapshot.
func (db *DB) AuditLog(ctx context.Context, offset, limit int) ([]app.AuditEntry, int, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return findAudit(ctx, tx, max(offset, 0), max(limit, 0))
}

// ---- helpers on a transaction ----

func commit(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return writeError(err, "commit")
	}
	return nil
}

func knownFeature(f app.Feature) bool {
	for _, k := range app.Features {
		if f == k {
			return true
		}
	}
	return false
}

func findSite(ctx context.Context, tx *sql.Tx) (app.Site, error) {
	var s app.Site
	var mode, created string
	err := tx.QueryRowContext(ctx, `
		SELECT name, country, currency, time_zone, language, mode,
		       rate_person_minute_e4, rate_teleconference_minute_e4, start_lead_minutes, created_at
		FROM site WHERE id = 1`).Scan(
		&s.Name, &s.Country, &s.Currency, &s.TimeZone, &s.Language, &mode,
		&s.RatePersonMinuteE4, &s.RateTeleconferenceMinuteE4, &s.StartLeadMinutes, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Site{}, notSetUp()
	}
	if err != nil {
		return app.Site{}, app.Internal(err, "read the site")
	}
	s.Mode = app.Mode(mode)
	if s.CreatedAt, err = parseTime(created); err != nil {
		return app.Site{}, app.Internal(err, "read the site's creation time")
	}
	return s, nil
}

func insertSite(ctx context.Context, tx *sql.Tx, s app.Site) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO site (id, name, country, currency, time_zone, language, mode,
		                  rate_person_minute_e4, rate_teleconference_minute_e4, start_lead_minutes, created_at)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Name, s.Country, s.Currency, s.TimeZone, s.Language, string(s.Mode),
		s.RatePersonMinuteE4, s.RateTeleconferenceMinuteE4, s.StartLeadMinutes, formatTime(s.CreatedAt))
	if err != nil {
		return app.Internal(err, "create the site")
	}
	return nil
}

func updateSite(ctx context.Context, tx *sql.Tx, s app.Site) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE site SET name = ?, country = ?, currency = ?, time_zone = ?, language = ?, mode = ?,
		                rate_person_minute_e4 = ?, rate_teleconference_minute_e4 = ?, start_lead_minutes = ?
		WHERE id = 1`,
		s.Name, s.Country, s.Currency, s.TimeZone, s.Language, string(s.Mode),
		s.RatePersonMinuteE4, s.RateTeleconferenceMinuteE4, s.StartLeadMinutes)
	if err != nil {
		return app.Internal(err, "save the site")
	}
	if n, err := res.RowsAffected(); err != nil {
		return app.Internal(err, "save the site")
	} else if n == 0 {
		return notSetUp()
	}
	return nil
}

func findFeatures(ctx context.Context, tx *sql.Tx) ([]app.FeatureState, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, provisioned, enabled FROM feature`)
	if err != nil {
		return nil, app.Internal(err, "read the features")
	}
	defer rows.Close()
	stored := map[app.Feature]app.FeatureState{}
	for rows.Next() {
		var st app.FeatureState
		var name string
		if err := rows.Scan(&name, &st.Provisioned, &st.Enabled); err != nil {
			return nil, app.Internal(err, "read the features")
		}
		st.Feature = app.Feature(name)
		stored[st.Feature] = st
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read the features")
	}
	states := make([]app.FeatureState, 0, len(app.Features))
	for _, f := range app.Features {
		st, ok := stored[f]
		if !ok {
			st = app.FeatureState{Feature: f}
		}
		states = append(states, st)
	}
	return states, nil
}

func upsertFeature(ctx context.Context, tx *sql.Tx, st app.FeatureState) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO feature (name, provisioned, enabled) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET provisioned = excluded.provisioned, enabled = excluded.enabled`,
		string(st.Feature), st.Provisioned, st.Enabled)
	if err != nil {
		return app.Internal(err, "save a feature")
	}
	return nil
}

func findAdminCredential(ctx context.Context, tx *sql.Tx) (app.AdminCredential, error) {
	var c app.AdminCredential
	var locked sql.NullString
	err := tx.QueryRowContext(ctx,
		`SELECT hash, failed_attempts, locked_until FROM admin_credential WHERE id = 1`).
		Scan(&c.Hash, &c.FailedAttempts, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return app.AdminCredential{}, notSetUp()
	}
	if err != nil {
		return app.AdminCredential{}, app.Internal(err, "read the administrator's credential")
	}
	if locked.Valid {
		if c.LockedUntil, err = parseTime(locked.String); err != nil {
			return app.AdminCredential{}, app.Internal(err, "read the administrator's pause")
		}
	}
	return c, nil
}

// lockedUntil stores the zero time (no pause) as NULL.
func lockedUntil(c app.AdminCredential) sql.NullString {
	if c.LockedUntil.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(c.LockedUntil), Valid: true}
}

func insertAdminCredential(ctx context.Context, tx *sql.Tx, c app.AdminCredential) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO admin_credential (id, hash, failed_attempts, locked_until) VALUES (1, ?, ?, ?)`,
		c.Hash, c.FailedAttempts, lockedUntil(c))
	if err != nil {
		return app.Internal(err, "store the administrator's credential")
	}
	return nil
}

func updateAdminCredential(ctx context.Context, tx *sql.Tx, c app.AdminCredential) error {
	res, err := tx.ExecContext(ctx,
		`UPDATE admin_credential SET hash = ?, failed_attempts = ?, locked_until = ? WHERE id = 1`,
		c.Hash, c.FailedAttempts, lockedUntil(c))
	if err != nil {
		return app.Internal(err, "save the administrator's credential")
	}
	if n, err := res.RowsAffected(); err != nil {
		return app.Internal(err, "save the administrator's credential")
	} else if n == 0 {
		return notSetUp()
	}
	return nil
}

func insertAudit(ctx context.Context, tx *sql.Tx, entries []app.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO audit_log (at, actor, action, target, old_value, new_value, login)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return app.Internal(err, "write the audit log")
	}
	defer stmt.Close()
	// The file has no logins: the person is the desktop's user, as Me says.
	login := desktopUserName()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, formatTime(e.At), e.Actor, e.Action, e.Target, e.Old, e.New, login); err != nil {
			return app.Internal(err, "write the audit log")
		}
	}
	return nil
}

func findAudit(ctx context.Context, tx *sql.Tx, offset, limit int) ([]app.AuditEntry, int, error) {
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, app.Internal(err, "read the audit log")
	}
	entries := []app.AuditEntry{}
	if limit == 0 || offset >= total {
		return entries, total, nil
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT id, at, actor, action, target, old_value, new_value, login
		FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, app.Internal(err, "read the audit log")
	}
	defer rows.Close()
	for rows.Next() {
		var e app.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Old, &e.New, &e.Login); err != nil {
			return nil, 0, app.Internal(err, "read the audit log")
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, 0, app.Internal(err, "read the audit log")
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, app.Internal(err, "read the audit log")
	}
	return entries, total, nil
}
