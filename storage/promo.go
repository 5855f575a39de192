package storage

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/trainpay/trainpay/app"
)

var (
	_ app.PromoStore    = (*DB)(nil)
	_ app.PromoSessions = (*DB)(nil)
)

// The messages of the promotional-code triggers of migration 00005, word
// for word: a refusal is recognised by SQLite's extended code
// (SQLITE_CONSTRAINT_TRIGGER) and this text, as the payment triggers' are
// (RaiseLiveSale).
const (
	// RaisePromoUsesAboveLimit: a use that would take a code's uses above
	// its limit.
	RaisePromoUsesAboveLimit = "promo: uses above the limit"
	// RaisePromoLimitBelowUses: a code's limit edited below its uses.
	RaisePromoLimitBelowUses = "promo: limit below uses"
	// RaisePromoUsedNoDelete: a used code deleted.
	RaisePromoUsedNoDelete = "promo: a used code cannot be deleted"
)

// openRegistrationPaymentSQL is true while a registration's sale is open
// (pending, unknown or in review): its reservation then holds past its
// expiry, because the money may yet move. r is the promo_redemption row.
const openRegistrationPaymentSQL = `EXISTS (SELECT 1 FROM payment p
	WHERE p.purpose = 'registration' AND p.reference = 'registration:' || r.registration_id
	  AND p.kind = 'sale' AND p.state IN ('pending', 'unknown', 'needs-review'))`

// liveReservedSQL is a reservation that still counts against the limits.
const liveReservedSQL = `(r.state = 'reserved' AND (r.expires_at > :now OR ` + openRegistrationPaymentSQL + `))`

// takenSQL is a redemption that counts: a use, or a live reservation.
const takenSQL = `(r.state = 'used' OR ` + liveReservedSQL + `)`

// promoCodeFields are a code's own columns, as scanPromoCodeInto reads them.
const promoCodeFields = `c.id, c.code, c.kind, c.percent_bp, c.fixed_minor, c.currency, c.use_limit,
	c.per_attendee_limit, c.valid_from, c.valid_until, c.disabled, c.all_sessions, c.created_at`

// promoCodeColumns are a code with its uses and live reservations.
const promoCodeColumns = promoCodeFields + `,
	(SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND r.state = 'used'),
	(SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND ` + liveReservedSQL + `)`

func promoNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.promo.not_found", "promotional code %d not found", id).
		With(map[string]any{"ID": id})
}

// scanPromoCode reads promoCodeColumns.
func scanPromoCode(s rowScanner) (app.PromoCode, error) {
	var c app.PromoCode
	err := scanPromoCodeInto(s, &c, &c.Uses, &c.Reserved)
	return c, err
}

// scanPromoCodeInto reads promoCodeFields into c, and the query's further
// columns into tail.
func scanPromoCodeInto(s rowScanner, c *app.PromoCode, tail ...any) error {
	var kind, from, until, created string
	var disabled, all int
	if err := s.Scan(append([]any{
		&c.ID, &c.Code, &kind, &c.PercentBP, &c.FixedMinor, &c.Currency, &c.UseLimit,
		&c.PerAttendeeLimit, &from, &until, &disabled, &all, &created,
	}, tail...)...); err != nil {
		return err
	}
	c.Kind, c.Disabled, c.AllSessions = app.DiscountKind(kind), disabled == 1, all == 1
	var err error
	if c.ValidFrom, err = parseTime(from); err != nil {
		return err
	}
	if c.ValidUntil, err = parseTime(until); err != nil {
		return err
	}
	c.CreatedAt, err = parseTime(created)
	return err
}

func promoFlag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreatePromoCodes inserts codes in one transaction.
func (db *DB) CreatePromoCodes(ctx context.Context, codes []app.PromoCode) error {
	return db.CreatePromoCodesFor(ctx, codes, nil)
}

// CreatePromoCodesFor inserts codes and, when rs is not nil, makes rs[i]
// the recipient of codes[i], all in one transaction: a batch of codes made
// one per recipient is stored whole or not at all.
func (db *DB) CreatePromoCodesFor(ctx context.Context, codes []app.PromoCode, rs []app.PromoRecipient) error {
	if rs != nil && len(rs) != len(codes) {
		return app.Internal(errors.New("one recipient per code"), "store promotional codes")
	}
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ids := make([]int64, len(codes))
	for i, c := range codes {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO promo_code (code, kind, percent_bp, fixed_minor, currency, use_limit, per_attendee_limit,
			                        valid_from, valid_until, disabled, all_sessions, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Code, string(c.Kind), c.PercentBP, c.FixedMinor, c.Currency, c.UseLimit, c.PerAttendeeLimit,
			formatTime(c.ValidFrom), formatTime(c.ValidUntil), promoFlag(c.Disabled), promoFlag(c.AllSessions), formatTime(orNow(c.CreatedAt)))
		var se sqlite3.Error
		if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
			return &app.Error{
				Code: app.ECONFLICT, Key: "error.promo.code_taken", Message: "code " + c.Code + " exists",
				Data: map[string]any{"Code": c.Code}, Err: err,
			}
		}
		if err != nil {
			return app.Internal(err, "store a promotional code")
		}
		if ids[i], err = res.LastInsertId(); err != nil {
			return app.Internal(err, "store a promotional code")
		}
		if err := setPromoSessions(ctx, tx, ids[i], c); err != nil {
			return err
		}
		if rs != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO promo_recipient (code_id, email, name) VALUES (?, ?, ?)`,
				ids[i], rs[i].Email, rs[i].Name); err != nil {
				return app.Internal(err, "add a recipient")
			}
		}
	}
	if err := commit(tx); err != nil {
		return err
	}
	for i := range codes {
		codes[i].ID = ids[i]
	}
	return nil
}

func setPromoSessions(ctx context.Context, tx *sql.Tx, id int64, c app.PromoCode) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM promo_code_session WHERE code_id = ?`, id); err != nil {
		return app.Internal(err, "store a code's sessions")
	}
	if c.AllSessions {
		return nil
	}
	for _, s := range c.SessionIDs {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO promo_code_session (code_id, session_id) VALUES (?, ?)`, id, s)
		var se sqlite3.Error
		if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey {
			return app.Errorf(app.EINVALID, "error.promo.session_unknown", "there is no session %d", s).
				With(map[string]any{"ID": s})
		}
		if err != nil {
			return app.Internal(err, "store a code's sessions")
		}
	}
	return nil
}

// queryer is a *sql.Tx (read or write).
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func findPromoCodes(ctx context.Context, q queryer, where string, now time.Time, args ...any) ([]app.PromoCode, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+promoCodeColumns+` FROM promo_code c `+where+` ORDER BY c.id DESC`,
		append([]any{sql.Named("now", formatTime(now))}, args...)...)
	if err != nil {
		return nil, app.Internal(err, "read the promotional codes")
	}
	codes := []app.PromoCode{}
	byID := map[int64]int{}
	for rows.Next() {
		c, err := scanPromoCode(rows)
		if err != nil {
			rows.Close()
			return nil, app.Internal(err, "read the promotional codes")
		}
		byID[c.ID] = len(codes)
		codes = append(codes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read the promotional codes")
	}
	chosen := false
	for _, c := range codes {
		chosen = chosen || !c.AllSessions
	}
	if !chosen {
		return codes, nil // no code applies to chosen sessions: no links to read
	}
	// Only the links of the codes just read: reading one code must not
	// read every code's sessions.
	srows, err := q.QueryContext(ctx, `SELECT s.code_id, s.session_id FROM promo_code_session s
		JOIN promo_code c ON c.id = s.code_id `+where+` ORDER BY s.code_id, s.session_id`,
		append([]any{sql.Named("now", formatTime(now))}, args...)...)
	if err != nil {
		return nil, app.Internal(err, "read the codes' sessions")
	}
	defer srows.Close()
	for srows.Next() {
		var code, sess int64
		if err := srows.Scan(&code, &sess); err != nil {
			return nil, app.Internal(err, "read the codes' sessions")
		}
		if i, ok := byID[code]; ok {
			codes[i].SessionIDs = append(codes[i].SessionIDs, sess)
		}
	}
	if err := srows.Err(); err != nil {
		return nil, app.Internal(err, "read the codes' sessions")
	}
	return codes, nil
}

func findPromoCode(ctx context.Context, q queryer, id int64, now time.Time) (app.PromoCode, error) {
	codes, err := findPromoCodes(ctx, q, `WHERE c.id = :id`, now, sql.Named("id", id))
	if err != nil {
		return app.PromoCode{}, err
	}
	if len(codes) == 0 {
		return app.PromoCode{}, promoNotFound(id)
	}
	return codes[0], nil
}

// PromoCodes lists codes newest first.
func (db *DB) PromoCodes(ctx context.Context, now time.Time) ([]app.PromoCode, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findPromoCodes(ctx, tx, "", now)
}

// Paging limits of PromoCodePage.
const (
	defaultPromoPageLimit = 100
	maxPromoPageLimit     = 1000
)

// PromoCodePage returns one page of the codes, newest first, and how many
// match (unless f.NoTotal), from one snapshot. The search is a part of the
// code in any case (codes are ASCII, which LIKE folds); its count reads the
// unique index promo_code_code only. A page after f.AfterID seeks there by
// id (keyset) instead of reading the codes before it. Uses and
// reservations are counted for the page's rows only: the page's ids are
// chosen first, then joined to the columns.
func (db *DB) PromoCodePage(ctx context.Context, f app.PromoCodeFilter, now time.Time) ([]app.PromoCode, int, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPromoPageLimit
	}
	limit = min(limit, maxPromoPageLimit)
	var where []string
	args := []any{sql.Named("now", formatTime(now))}
	if t := strings.TrimSpace(f.Search); t != "" {
		where = append(where, `p.code LIKE :search ESCAPE '\'`)
		args = append(args, sql.Named("search", "%"+escapeLike(t)+"%"))
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	total := -1
	if !f.NoTotal {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM promo_code p`+cond, args...).Scan(&total); err != nil {
			return nil, 0, readError(ctx, err, "count the promotional codes")
		}
		if f.AfterID == 0 && f.Offset >= total {
			return []app.PromoCode{}, total, nil
		}
	}
	if f.AfterID > 0 {
		where = append(where, `p.id < :after`)
		args = append(args, sql.Named("after", f.AfterID))
	}
	page := ""
	if len(where) > 0 {
		page = ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, sql.Named("limit", limit), sql.Named("offset", max(f.Offset, 0)))
	codes, err := queryAll(ctx, tx, scanPromoCode, "read the promotional codes", `
		SELECT `+promoCodeColumns+`
		FROM (SELECT p.id FROM promo_code p`+page+` ORDER BY p.id DESC LIMIT :limit OFFSET :offset) page
		JOIN promo_code c ON c.id = page.id
		ORDER BY c.id DESC`, args...)
	if err != nil {
		return nil, 0, readError(ctx, err, "read the promotional codes")
	}
	if err := readPromoSessionLinks(ctx, tx, codes); err != nil {
		return nil, 0, readError(ctx, err, "read the codes' sessions")
	}
	return codes, total, nil
}

// readPromoSessionLinks fills the chosen sessions of the codes that have
// them, reading those codes' links only.
func readPromoSessionLinks(ctx context.Context, q queryer, codes []app.PromoCode) error {
	byID := map[int64]int{}
	var ids []string
	for i, c := range codes {
		if !c.AllSessions {
			byID[c.ID] = i
			ids = append(ids, strconv.FormatInt(c.ID, 10))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	type link struct{ code, session int64 }
	links, err := queryAll(ctx, q, func(s rowScanner) (link, error) {
		var l link
		return l, s.Scan(&l.code, &l.session)
	}, "read the codes' sessions", `SELECT code_id, session_id FROM promo_code_session
		WHERE code_id IN (`+strings.Join(ids, ",")+`) ORDER BY code_id, session_id`)
	if err != nil {
		return err
	}
	for _, l := range links {
		codes[byID[l.code]].SessionIDs = append(codes[byID[l.code]].SessionIDs, l.session)
	}
	return nil
}

// PromoCode returns one code.
func (db *DB) PromoCode(ctx context.Context, id int64, now time.Time) (app.PromoCode, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.PromoCode{}, err
	}
	defer tx.Rollback()
	return findPromoCode(ctx, tx, id, now)
}

// PromoCodeByText returns a code by its text, ignoring case.
func (db *DB) PromoCodeByText(ctx context.Context, code string, now time.Time) (app.PromoCode, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.PromoCode{}, err
	}
	defer tx.Rollback()
	code = app.NormalizePromoCode(code)
	codes, err := findPromoCodes(ctx, tx, `WHERE c.code = :code COLLATE NOCASE`, now, sql.Named("code", code))
	if err != nil {
		return app.PromoCode{}, err
	}
	if len(codes) == 0 {
		return app.PromoCode{}, app.Errorf(app.ENOTFOUND, "error.promo.unknown", "there is no code %s", code).
			With(map[string]any{"Code": code})
	}
	return codes[0], nil
}

func promoTaken(ctx context.Context, q queryer, codeID int64, email string, now time.Time) (taken, mine int, err error) {
	err = q.QueryRowContext(ctx, `
		SELECT count(*), coalesce(sum(r.email = :email), 0) FROM promo_redemption r
		WHERE r.code_id = :code AND `+takenSQL,
		sql.Named("now", formatTime(now)), sql.Named("code", codeID), sql.Named("email", email)).Scan(&taken, &mine)
	if err != nil {
		return 0, 0, app.Internal(err, "count a code's uses")
	}
	return taken, mine, nil
}

// PromoTaken counts uses and live reservations.
func (db *DB) PromoTaken(ctx context.Context, codeID int64, email string, now time.Time) (int, int, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	return promoTaken(ctx, tx, codeID, strings.ToLower(email), now)
}

// UpdatePromoCode changes what may change of a code, checking the limit
// against the uses in the same write transaction.
func (db *DB) UpdatePromoCode(ctx context.Context, id int64, u app.PromoCodeUpdate, now time.Time) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := findPromoCode(ctx, tx, id, now)
	if err != nil {
		return err
	}
	if taken := c.Uses + c.Reserved; u.UseLimit > 0 && u.UseLimit < taken {
		return app.Errorf(app.ECONFLICT, "error.promo.limit_below_uses", "the limit cannot be below the %d uses made", taken).
			With(map[string]any{"Uses": taken})
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE promo_code SET use_limit = ?, per_attendee_limit = ?, valid_until = ?, disabled = ?, all_sessions = ?
		WHERE id = ?`, u.UseLimit, u.PerAttendeeLimit, formatTime(u.ValidUntil), promoFlag(u.Disabled), promoFlag(u.AllSessions), id)
	if err != nil {
		if raised(err, RaisePromoLimitBelowUses) {
			return &app.Error{
				Code: app.ECONFLICT, Key: "error.promo.limit_below_uses", Message: "limit below uses",
				Data: map[string]any{"Uses": c.Uses}, Err: err,
			}
		}
		return app.Internal(err, "update a promotional code")
	}
	c.AllSessions, c.SessionIDs = u.AllSessions, u.SessionIDs
	if err := setPromoSessions(ctx, tx, id, c); err != nil {
		return err
	}
	return commit(tx)
}

// DeletePromoCode deletes a code with no use and no live reservation.
func (db *DB) DeletePromoCode(ctx context.Context, id int64, now time.Time) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := findPromoCode(ctx, tx, id, now)
	if err != nil {
		return err
	}
	usedErr := app.Errorf(app.ECONFLICT, "error.promo.used_cannot_delete", "code %s has been used: disable it instead", c.Code).
		With(map[string]any{"Code": c.Code})
	if c.Uses > 0 || c.Reserved > 0 {
		return usedErr
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM promo_code WHERE id = ?`, id); err != nil {
		if raised(err, RaisePromoUsedNoDelete) {
			return usedErr
		}
		return app.Internal(err, "delete a promotional code")
	}
	return commit(tx)
}

const redemptionColumns = `r.id, r.code_id, r.registration_id, r.session_id, r.email, r.state, r.fee_minor,
	r.discount_minor, r.total_minor, r.currency, coalesce(r.payment_id, 0), r.created_at, r.expires_at`

func findRedemption(ctx context.Context, q queryer, where string, args ...any) (app.PromoReservation, error) {
	var r app.PromoReservation
	var created, expires string
	err := q.QueryRowContext(ctx, `SELECT `+redemptionColumns+` FROM promo_redemption r `+where, args...).Scan(
		&r.ID, &r.CodeID, &r.RegistrationID, &r.SessionID, &r.Email, &r.State, &r.FeeMinor,
		&r.DiscountMinor, &r.TotalMinor, &r.Currency, &r.PaymentID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return r, app.Errorf(app.ENOTFOUND, "error.promo.reservation_not_found", "no such reservation")
	}
	if err != nil {
		return r, app.Internal(err, "read a reservation")
	}
	if r.CreatedAt, err = parseTime(created); err != nil {
		return r, app.Internal(err, "read a reservation")
	}
	if r.ExpiresAt, err = parseTime(expires); err != nil {
		return r, app.Internal(err, "read a reservation")
	}
	return r, nil
}

// PromoReservation returns one reservation.
func (db *DB) PromoReservation(ctx context.Context, id int64) (app.PromoReservation, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.PromoReservation{}, err
	}
	defer tx.Rollback()
	return findRedemption(ctx, tx, `WHERE r.id = ?`, id)
}

// registrationPaymentOpen reports whether a registration's sale is open.
func registrationPaymentOpen(ctx context.Context, tx *sql.Tx, registrationID int64) (bool, error) {
	var open bool
	err := tx.QueryRowContext(ctx, `SELECT `+openRegistrationPaymentSQL+` FROM (SELECT ? AS registration_id) r`,
		registrationID).Scan(&open)
	if err != nil {
		return false, app.Internal(err, "read a registration's payment")
	}
	return open, nil
}

// RenewPromoReservation extends a registration's live reservation, for
// another payment attempt at the discounted total.
func (db *DB) RenewPromoReservation(ctx context.Context, registrationID int64, now, until time.Time) error {
	return db.updateOne(ctx, func(*sql.Tx) error {
		return app.Errorf(app.ECONFLICT, "error.promo.reservation_gone",
			"the promotional code's hold has run out: apply the code again")
	}, "renew a reservation", `
		UPDATE promo_redemption AS r SET expires_at = :until, updated_at = :now
		WHERE r.registration_id = :reg AND r.state IN ('reserved', 'used') AND `+liveReservedSQL,
		sql.Named("until", formatTime(until)), sql.Named("now", formatTime(now)), sql.Named("reg", registrationID))
}

// ReservePromo holds one use for a registration. The whole check runs in
// one write transaction (BEGIN IMMEDIATE on the single writer connection),
// so no other reservation can commit between the count and the insert.
//
// It is the hot path of a campaign (BENCHMARKS.md), so it reads what it
// needs in two statements: the registration's live redemption, then the
// code with its counts; a stale reservation is freed only when there is
// one.
func (db *DB) ReservePromo(ctx context.Context, r *app.PromoReservation, now time.Time) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	nowText := formatTime(now)
	var prevID, prevCode int64
	var prevState string
	var prevLive bool
	err = tx.QueryRowContext(ctx, `SELECT r.id, r.code_id, r.state, `+liveReservedSQL+` FROM promo_redemption r
		WHERE r.registration_id = :reg AND r.state IN ('reserved', 'used')`,
		sql.Named("now", nowText), sql.Named("reg", r.RegistrationID)).Scan(&prevID, &prevCode, &prevState, &prevLive)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return app.Internal(err, "read a registration's reservation")
	case prevState == string(app.ReservationUsed):
		return app.Errorf(app.ECONFLICT, "error.promo.registration_done", "this registration has already used a code")
	case prevLive && prevCode == r.CodeID:
		// The same code again (the page was reloaded): renew it.
		if _, err := tx.ExecContext(ctx, `UPDATE promo_redemption SET expires_at = ?, updated_at = ? WHERE id = ?`,
			formatTime(r.ExpiresAt), nowText, prevID); err != nil {
			return app.Internal(err, "renew a reservation")
		}
		if err := commit(tx); err != nil {
			return err
		}
		r.ID, r.State = prevID, app.ReservationReserved
		return nil
	case prevLive:
		// Another code, held while the attendee pays: refused while a
		// payment is open, otherwise the old hold is freed.
		if open, err := registrationPaymentOpen(ctx, tx, r.RegistrationID); err != nil {
			return err
		} else if open {
			return app.Errorf(app.ECONFLICT, "error.promo.payment_open", "a payment for this registration is in progress")
		}
		fallthrough
	default:
		// An expired reservation with no payment open is freed.
		if _, err := tx.ExecContext(ctx, `UPDATE promo_redemption SET state = 'released', updated_at = ? WHERE id = ?`,
			nowText, prevID); err != nil {
			return app.Internal(err, "free a reservation")
		}
	}
	c, taken, mine, err := promoCodeTaken(ctx, tx, r.CodeID, r.Email, now)
	if err != nil {
		return err
	}
	if err := app.CheckPromoUsable(c, r.SessionID, now); err != nil {
		return err
	}
	if err := app.CheckPromoLimits(c, taken, mine); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO promo_redemption (code_id, registration_id, session_id, email, state, fee_minor, discount_minor,
		                              total_minor, currency, created_at, expires_at, updated_at)
		VALUES (?, ?, ?, ?, 'reserved', ?, ?, ?, ?, ?, ?, ?)`,
		r.CodeID, r.RegistrationID, r.SessionID, r.Email, r.FeeMinor, r.DiscountMinor, r.TotalMinor, r.Currency,
		nowText, formatTime(r.ExpiresAt), nowText)
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey {
		return app.Errorf(app.ENOTFOUND, "error.promo.registration", "a reservation needs a registration and an email")
	}
	if err != nil {
		return app.Internal(err, "reserve a code")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return app.Internal(err, "reserve a code")
	}
	if err := commit(tx); err != nil {
		return err
	}
	r.ID, r.State, r.CreatedAt = id, app.ReservationReserved, now
	return nil
}

// promoCodeTaken reads a code for a reservation, with what counts against
// its limits: all uses and live reservations (taken), and those of the
// attendee (mine). It reads the code's session links only when the code
// is limited to chosen sessions.
func promoCodeTaken(ctx context.Context, q queryer, codeID int64, email string, now time.Time) (c app.PromoCode, taken, mine int, err error) {
	err = scanPromoCodeInto(q.QueryRowContext(ctx, `
		SELECT `+promoCodeFields+`,
		       (SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND `+takenSQL+`),
		       (SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND r.email = :email AND `+takenSQL+`)
		FROM promo_code c
		WHERE c.id = :code`,
		sql.Named("now", formatTime(now)), sql.Named("code", codeID), sql.Named("email", email)), &c, &taken, &mine)
	if errors.Is(err, sql.ErrNoRows) {
		return c, 0, 0, promoNotFound(codeID)
	}
	if err != nil {
		return c, 0, 0, app.Internal(err, "read a promotional code")
	}
	if !c.AllSessions {
		one := []app.PromoCode{c}
		if err := readPromoSessionLinks(ctx, q, one); err != nil {
			return c, 0, 0, err
		}
		c = one[0]
	}
	return c, taken, mine, nil
}

// ReleasePromo frees a reservation.
func (db *DB) ReleasePromo(ctx context.Context, id int64, now time.Time) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := findRedemption(ctx, tx, `WHERE r.id = ?`, id)
	if err != nil {
		return err
	}
	switch r.State {
	case app.ReservationReleased:
		return nil
	case app.ReservationUsed:
		return app.Errorf(app.ECONFLICT, "error.promo.already_final", "the code's use is already final")
	}
	if open, err := registrationPaymentOpen(ctx, tx, r.RegistrationID); err != nil {
		return err
	} else if open {
		return app.Errorf(app.ECONFLICT, "error.promo.payment_open", "a payment for this registration is in progress")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE promo_redemption SET state = 'released', updated_at = ? WHERE id = ?`,
		formatTime(now), id); err != nil {
		return app.Internal(err, "free a reservation")
	}
	return commit(tx)
}

// ConfirmPromo makes a zero-total reservation final. One that expired is
// confirmed only if a use still fits.
func (db *DB) ConfirmPromo(ctx context.Context, id int64, now time.Time) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := findRedemption(ctx, tx, `WHERE r.id = ?`, id)
	if err != nil {
		return err
	}
	switch r.State {
	case app.ReservationUsed:
		return nil
	case app.ReservationReleased:
		return app.Errorf(app.ECONFLICT, "error.promo.reservation_expired", "the reservation has expired: apply the code again")
	}
	if r.TotalMinor != 0 {
		return app.Errorf(app.EINVALID, "error.promo.not_free", "only a zero total is confirmed without a payment")
	}
	if !r.ExpiresAt.After(now) {
		c, taken, mine, err := promoCodeTaken(ctx, tx, r.CodeID, r.Email, now)
		if err != nil {
			return err
		}
		if err := app.CheckPromoLimits(c, taken, mine); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE promo_redemption SET state = 'used', updated_at = ? WHERE id = ?`,
		formatTime(now), id); err != nil {
		if raised(err, RaisePromoUsesAboveLimit) {
			return promoUsedUp(ctx, tx, r.CodeID, err)
		}
		return app.Internal(err, "confirm a code's use")
	}
	return commit(tx)
}

// promoUsedUp is the error for a use of code id refused by the limit
// trigger, naming the code as the service's check does.
func promoUsedUp(ctx context.Context, q queryer, id int64, cause error) error {
	var code string
	if err := q.QueryRowContext(ctx, `SELECT code FROM promo_code WHERE id = ?`, id).Scan(&code); err != nil {
		return app.Internal(errors.Join(cause, err), "read a promotional code")
	}
	return &app.Error{
		Code: app.ECONFLICT, Key: "error.promo.used_up", Message: "code " + code + " is used up",
		Data: map[string]any{"Code": code}, Err: cause,
	}
}

// confirmPromoUse is the promotional-code part of a registration's
// settlement (applyPurposeEffects), in the journal's transaction: when the
// sale becomes charged its reserved use becomes final, tied to the
// payment; when it is declined or failed the reservation is freed, so the
// attendee may apply the code again or another attendee may use it. An
// open answer (unknown, needs review) changes nothing: the open payment
// keeps the reservation alive. Idempotent, and it never fails a settlement
// for a registration that has no reservation.
func confirmPromoUse(ctx context.Context, tx *sql.Tx, p app.Payment, u app.PaymentUpdate) error {
	if p.Kind != app.KindSale {
		return nil
	}
	reg, ok := strings.CutPrefix(p.Reference, "registration:")
	if !ok {
		return nil
	}
	regID, err := strconv.ParseInt(reg, 10, 64)
	if err != nil || regID <= 0 {
		return nil
	}
	now := formatTime(orNow(u.At))
	switch {
	case u.State.Charged():
		// The reservation was counted against the limit, and the limit
		// cannot be lowered below uses plus live reservations, so this
		// never exceeds it.
		// state IN (...) is the condition of the partial index on
		// registration_id (00009), which SQLite uses only when the query
		// says it.
		_, err = tx.ExecContext(ctx, `
			UPDATE promo_redemption SET state = 'used', payment_id = ?, updated_at = ?
			WHERE registration_id = ? AND state IN ('reserved', 'used') AND state = 'reserved'`, p.ID, now, regID)
	}
	// A declined or failed payment keeps the reservation: the attendee may
	// try another card at the same discounted total. It is freed by
	// Release when they give up, or when it runs out.
	if err != nil {
		return app.Internal(err, "settle a promotional code's use")
	}
	return nil
}

// PromoSession reads a paid session's topic and fee (the paid-sessions
// feature's table).
func (db *DB) PromoSession(ctx context.Context, id int64) (app.PromoSession, error) {
	var s app.PromoSession
	var typ string
	err := db.read.QueryRowContext(ctx, `SELECT id, topic, fee_minor, currency, type FROM session WHERE id = ?`, id).
		Scan(&s.ID, &s.Topic, &s.FeeMinor, &s.Currency, &typ)
	if errors.Is(err, sql.ErrNoRows) {
		return s, app.Errorf(app.ENOTFOUND, "error.promo.session_unknown", "there is no session %d", id).With(map[string]any{"ID": id})
	}
	if err != nil {
		return s, app.Internal(err, "read a session")
	}
	if typ != "paid" {
		return s, app.Errorf(app.ECONFLICT, "error.promo.session_free", "session %d has no fee", id)
	}
	return s, nil
}

// promoUsesSQL is a code's uses joined to their registrations (g), for
// the report: the uses that stand and those a full refund gave back
// (migration 00026), whose money the report still counts.
const promoUsesSQL = `FROM promo_redemption r JOIN registration g ON g.id = r.registration_id
	WHERE r.code_id = c.id AND (r.state = 'used' OR r.returned_at IS NOT NULL)`

// PromoReports returns every code's report, or one code's. Money comes from
// the registrations the journal settles: paid_minor is what was charged,
// refunded_minor what charged refunds gave back.
func (db *DB) PromoReports(ctx context.Context, codeID int64) ([]app.PromoReport, error) {
	where, args := "", []any{}
	if codeID != 0 {
		where, args = "WHERE c.id = ?", append(args, codeID)
	}
	rows, err := db.read.QueryContext(ctx, `
		SELECT c.id, c.code,
			(SELECT count(*) FROM promo_recipient WHERE code_id = c.id),
			(SELECT count(*) FROM promo_recipient WHERE code_id = c.id AND sent_at IS NOT NULL),
			(SELECT count(*) `+promoUsesSQL+` AND r.state = 'used'),
			(SELECT count(DISTINCT r.email) `+promoUsesSQL+` AND r.state = 'used'),
			(SELECT count(*) `+promoUsesSQL+` AND g.refunded_minor > 0),
			(SELECT coalesce(sum(g.paid_minor), 0) `+promoUsesSQL+`),
			(SELECT coalesce(sum(g.refunded_minor), 0) `+promoUsesSQL+`),
			(SELECT coalesce(sum(r.discount_minor), 0) `+promoUsesSQL+`
				AND NOT (g.status NOT IN ('paid', 'registered') AND g.paid_minor <= g.refunded_minor)),
			coalesce((SELECT currency FROM promo_redemption WHERE code_id = c.id AND (state = 'used' OR returned_at IS NOT NULL) LIMIT 1),
			         nullif(c.currency, ''), (SELECT currency FROM site WHERE id = 1), '')
		FROM promo_code c `+where+` ORDER BY c.id DESC`, args...)
	if err != nil {
		return nil, app.Internal(err, "read the codes' report")
	}
	defer rows.Close()
	out := []app.PromoReport{}
	for rows.Next() {
		var r app.PromoReport
		if err := rows.Scan(&r.CodeID, &r.Code, &r.Recipients, &r.Sent, &r.Uses, &r.Attendees, &r.RefundedUses,
			&r.ChargedMinor, &r.RefundedMinor, &r.DiscountMinor, &r.Currency); err != nil {
			return nil, app.Internal(err, "read the codes' report")
		}
		r.RevenueMinor = r.ChargedMinor - r.RefundedMinor
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read the codes' report")
	}
	if codeID != 0 && len(out) == 0 {
		return nil, promoNotFound(codeID)
	}
	return out, nil
}
