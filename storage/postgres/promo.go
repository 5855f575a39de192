package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
)

// Promotional codes (app.PromoCodeStore) and the paid sessions they price
// (app.PromoSessions), with storage's behaviour and errors (storage/promo.go
// is the spec). The mail settings and templates of app.PromoStore are the
// site store's.
//
// Exactness across desktops: a code's limits (uses, and uses per attendee)
// count its uses and its live reservations. ReservePromo and ConfirmPromo
// lock the code's row (SELECT ... FOR NO KEY UPDATE) before they count, in
// a statement of their own, so that under READ COMMITTED the count's
// snapshot is taken once the lock is held and sees every reservation
// committed before: reservations of one code are made one transaction at a
// time, whatever desktop makes them. The trigger of migration 00005 locks
// the same row before a use becomes final, so the use limit holds for any
// SQL. A registration's reservations are serialised by the advisory lock
// CreatePayment's trigger takes on its sale's reference (migration 00011),
// so whether its payment is open cannot change between the look and the
// write; locks are taken in one order (that lock, the registration, the
// reservation, the code), the order SettlePayment's effects take them in.
var (
	_ app.PromoCodeStore = (*DB)(nil)
	_ app.PromoSessions  = (*DB)(nil)
)

// The SQLSTATEs of the promotional-code triggers (migration 00005); their
// messages are SQLite's word for word (storage.RaisePromoUsesAboveLimit
// and the others).
const (
	// StatePromoUsesAboveLimit: a use that would take a code's uses above
	// its limit.
	StatePromoUsesAboveLimit = "TP021"
	// StatePromoUseFinal: a use made a reservation again, or released.
	StatePromoUseFinal = "TP022"
	// StatePromoLimitBelowUses: a code's limit edited below its uses.
	StatePromoLimitBelowUses = "TP023"
	// StatePromoDiscountFixed: a code's text or discount changed.
	StatePromoDiscountFixed = "TP024"
	// StatePromoUsedNoDelete: a used code deleted.
	StatePromoUsedNoDelete = "TP025"
)

// ConstraintPromoCode is the unique index on a code's text in any case
// (migration 00005).
const ConstraintPromoCode = "promo_code_code"

// promoForeignKeyViolation is SQLSTATE foreign_key_violation: a code's
// session, a reservation's registration or a recipient's code is not there.
const promoForeignKeyViolation = "23503"

// promoOpenPaymentSQL is true while the registration of redemption r has
// an open sale (pending, unknown or in review): its reservation then holds
// past its expiry, because the money may yet move.
const promoOpenPaymentSQL = `EXISTS (SELECT 1 FROM payment p
	WHERE p.purpose = 'registration' AND p.reference = 'registration:' || r.registration_id
	  AND p.kind = 'sale' AND p.state IN ('pending', 'unknown', 'needs-review'))`

// promoLiveSQL is a reservation that still counts against the limits at
// @now.
const promoLiveSQL = `(r.state = 'reserved' AND (r.expires_at > @now OR ` + promoOpenPaymentSQL + `))`

// promoTakenSQL is a redemption that counts: a use, or a live reservation.
const promoTakenSQL = `(r.state = 'used' OR ` + promoLiveSQL + `)`

// promoCodeFields are a code's own columns, as scanPromoCodeFields reads
// them.
const promoCodeFields = `c.id, c.code, c.kind, c.percent_bp, c.fixed_minor, c.currency, c.use_limit,
	c.per_attendee_limit, c.valid_from, c.valid_until, c.disabled, c.all_sessions, c.created_at`

// promoCodeColumns are a code with its uses and live reservations at @now.
const promoCodeColumns = promoCodeFields + `,
	(SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND r.state = 'used'),
	(SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND ` + promoLiveSQL + `)`

// Paging limits of PromoCodePage (as storage's).
const (
	defaultPromoPageLimit = 100
	maxPromoPageLimit     = 1000
)

func promoNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.promo.not_found", "promotional code %d not found", id).
		With(map[string]any{"ID": id})
}

func promoCodeTaken(code string, cause error) error {
	return &app.Error{
		Code: app.ECONFLICT, Key: "error.promo.code_taken", Message: "code " + code + " exists",
		Data: map[string]any{"Code": code}, Err: cause,
	}
}

func promoSessionUnknown(id int64) error {
	return app.Errorf(app.EINVALID, "error.promo.session_unknown", "there is no session %d", id).
		With(map[string]any{"ID": id})
}

func promoPaymentOpen() error {
	return app.Errorf(app.ECONFLICT, "error.promo.payment_open", "a payment for this registration is in progress")
}

// scanPromoCodeFields reads promoCodeFields into c and the query's further
// columns into tail.
func scanPromoCodeFields(row pgx.Row, c *app.PromoCode, tail ...any) error {
	var kind string
	if err := row.Scan(append([]any{
		&c.ID, &c.Code, &kind, &c.PercentBP, &c.FixedMinor, &c.Currency, &c.UseLimit,
		&c.PerAttendeeLimit, &c.ValidFrom, &c.ValidUntil, &c.Disabled, &c.AllSessions, &c.CreatedAt,
	}, tail...)...); err != nil {
		return err
	}
	c.Kind = app.DiscountKind(kind)
	c.ValidFrom, c.ValidUntil, c.CreatedAt = c.ValidFrom.UTC(), c.ValidUntil.UTC(), c.CreatedAt.UTC()
	return nil
}

// scanPromoCodeRow reads promoCodeColumns.
func scanPromoCodeRow(row pgx.CollectableRow) (app.PromoCode, error) {
	var c app.PromoCode
	err := scanPromoCodeFields(row, &c, &c.Uses, &c.Reserved)
	return c, err
}

// CreatePromoCodes inserts codes in one transaction.
func (db *DB) CreatePromoCodes(ctx context.Context, codes []app.PromoCode) error {
	return db.CreatePromoCodesFor(ctx, codes, nil)
}

// CreatePromoCodesFor inserts codes and, when rs is not nil, makes rs[i]
// the recipient of codes[i], in one transaction. A batch of generated codes
// may be thousands: their ids are drawn from the sequence in one query,
// then codes, session links and recipients each go in by one COPY.
func (db *DB) CreatePromoCodesFor(ctx context.Context, codes []app.PromoCode, rs []app.PromoRecipient) error {
	if rs != nil && len(rs) != len(codes) {
		return internalError(errors.New("one recipient per code"), "store promotional codes")
	}
	if len(codes) == 0 {
		return nil
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('promo_code', 'id')) FROM generate_series(1, $1)`, len(codes))
	if err != nil {
		return internalError(err, "store promotional codes")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return internalError(err, "store promotional codes")
	}
	// The chosen sessions of the whole batch are checked in one query
	// (generated codes share theirs), the first unknown one named.
	var chosen []int64
	for _, c := range codes {
		if !c.AllSessions {
			chosen = append(chosen, c.SessionIDs...)
		}
	}
	if _, err := promoSessionsExist(ctx, tx, chosen); err != nil {
		return err
	}
	var links [][]any
	for i, c := range codes {
		if c.AllSessions {
			continue
		}
		seen := map[int64]bool{}
		for _, s := range c.SessionIDs {
			if !seen[s] {
				seen[s] = true
				links = append(links, []any{ids[i], s})
			}
		}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"promo_code"},
		[]string{
			"id", "code", "kind", "percent_bp", "fixed_minor", "currency", "use_limit", "per_attendee_limit",
			"valid_from", "valid_until", "disabled", "all_sessions", "created_at",
		},
		pgx.CopyFromSlice(len(codes), func(i int) ([]any, error) {
			c := codes[i]
			return []any{
				ids[i], c.Code, string(c.Kind), c.PercentBP, c.FixedMinor, c.Currency, c.UseLimit,
				c.PerAttendeeLimit, stamp(c.ValidFrom), stamp(c.ValidUntil), c.Disabled, c.AllSessions,
				orNow(c.CreatedAt),
			}, nil
		}))
	if pe := pgError(err); pe != nil && pe.Code == pgerrUniqueViolation && pe.ConstraintName == ConstraintPromoCode {
		tx.Rollback(ctx)
		return db.takenPromoCode(ctx, codes, err)
	}
	if err != nil {
		return internalError(err, "store a promotional code")
	}
	if len(links) > 0 {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"promo_code_session"}, []string{"code_id", "session_id"}, pgx.CopyFromRows(links))
		if pe := pgError(err); pe != nil && pe.Code == promoForeignKeyViolation {
			return promoSessionUnknown(links[0][1].(int64)) // a session deleted meanwhile
		}
		if err != nil {
			return internalError(err, "store a code's sessions")
		}
	}
	if rs != nil {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"promo_recipient"}, []string{"code_id", "email", "name"},
			pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) { return []any{ids[i], rs[i].Email, rs[i].Name}, nil }))
		if err != nil {
			return internalError(err, "add a recipient")
		}
	}
	if err := commit(ctx, tx, "store promotional codes"); err != nil {
		return err
	}
	for i := range codes {
		codes[i].ID = ids[i]
	}
	return nil
}

// takenPromoCode is the error for a batch refused by the unique index on
// the code's text: it names the first code of the batch that is stored
// already, or repeated in the batch.
func (db *DB) takenPromoCode(ctx context.Context, codes []app.PromoCode, cause error) error {
	texts := make([]string, len(codes))
	for i, c := range codes {
		texts[i] = strings.ToUpper(c.Code)
	}
	var stored []string
	rows, err := db.pool.Query(ctx, `SELECT upper(code) FROM promo_code WHERE upper(code) = ANY ($1)`, texts)
	if err == nil {
		stored, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		return internalError(errors.Join(cause, err), "store a promotional code")
	}
	seen := map[string]bool{}
	for i, t := range texts {
		if slices.Contains(stored, t) || seen[t] {
			return promoCodeTaken(codes[i].Code, cause)
		}
		seen[t] = true
	}
	return promoCodeTaken(codes[0].Code, cause)
}

// promoSessionsExist returns ids without repeats, in their order, or
// EINVALID "error.promo.session_unknown" for the first that is no session.
func promoSessionsExist(ctx context.Context, q querier, ids []int64) ([]int64, error) {
	var out []int64
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	var missing int64
	err := q.QueryRow(ctx, `SELECT u.id FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, n)
		WHERE NOT EXISTS (SELECT 1 FROM session s WHERE s.id = u.id) ORDER BY u.n LIMIT 1`, out).Scan(&missing)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return out, nil
	case err != nil:
		return nil, internalError(err, "read the code's sessions")
	}
	return nil, promoSessionUnknown(missing)
}

// setPromoCodeSessions replaces a code's chosen sessions.
func setPromoCodeSessions(ctx context.Context, tx pgx.Tx, id int64, all bool, sessionIDs []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM promo_code_session WHERE code_id = $1`, id); err != nil {
		return internalError(err, "store a code's sessions")
	}
	if all {
		return nil
	}
	sessions, err := promoSessionsExist(ctx, tx, sessionIDs)
	if err != nil || len(sessions) == 0 {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO promo_code_session (code_id, session_id) SELECT $1, unnest($2::bigint[])`, id, sessions)
	if pe := pgError(err); pe != nil && pe.Code == promoForeignKeyViolation {
		return promoSessionUnknown(sessions[0]) // a session deleted meanwhile
	}
	if err != nil {
		return internalError(err, "store a code's sessions")
	}
	return nil
}

// readPromoCodeSessions fills the chosen sessions of the codes that have
// them, reading those codes' links only.
func readPromoCodeSessions(ctx context.Context, q querier, codes []app.PromoCode) error {
	byID := map[int64]int{}
	var ids []int64
	for i, c := range codes {
		if !c.AllSessions {
			byID[c.ID] = i
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.Query(ctx, `SELECT code_id, session_id FROM promo_code_session
		WHERE code_id = ANY ($1) ORDER BY code_id, session_id`, ids)
	if err != nil {
		return internalError(err, "read the codes' sessions")
	}
	var code, session int64
	_, err = pgx.ForEachRow(rows, []any{&code, &session}, func() error {
		i := byID[code]
		codes[i].SessionIDs = append(codes[i].SessionIDs, session)
		return nil
	})
	if err != nil {
		return internalError(err, "read the codes' sessions")
	}
	return nil
}

// findPromoCodes reads the codes where says (with args beside @now),
// newest first, with their uses, live reservations and sessions.
func findPromoCodes(ctx context.Context, q querier, where string, now time.Time, args pgx.NamedArgs) ([]app.PromoCode, error) {
	named := pgx.NamedArgs{"now": stamp(now)}
	for k, v := range args {
		named[k] = v
	}
	rows, err := q.Query(ctx, `SELECT `+promoCodeColumns+` FROM promo_code c `+where+` ORDER BY c.id DESC`, named)
	if err != nil {
		return nil, internalError(err, "read the promotional codes")
	}
	codes, err := pgx.CollectRows(rows, scanPromoCodeRow)
	if err != nil {
		return nil, internalError(err, "read the promotional codes")
	}
	if codes == nil {
		codes = []app.PromoCode{}
	}
	if err := readPromoCodeSessions(ctx, q, codes); err != nil {
		return nil, err
	}
	return codes, nil
}

func findPromoCode(ctx context.Context, q querier, id int64, now time.Time) (app.PromoCode, error) {
	codes, err := findPromoCodes(ctx, q, `WHERE c.id = @id`, now, pgx.NamedArgs{"id": id})
	if err != nil {
		return app.PromoCode{}, err
	}
	if len(codes) == 0 {
		return app.PromoCode{}, promoNotFound(id)
	}
	return codes[0], nil
}

// lockPromoCode locks a code's row until tx ends: reservations and uses
// of one code take turns (see the top of this file).
func lockPromoCode(ctx context.Context, tx pgx.Tx, id int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM promo_code WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return promoNotFound(id)
	}
	if err != nil {
		return internalError(err, "lock a promotional code")
	}
	return nil
}

// PromoCodes lists codes newest first.
func (db *DB) PromoCodes(ctx context.Context, now time.Time) ([]app.PromoCode, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	return findPromoCodes(ctx, tx, "", now, nil)
}

// PromoCodePage returns one page of the codes, newest first, and how many
// match (unless f.NoTotal), from one snapshot. The search is a part of the
// code in any case, which the trigram index promo_code_code_trgm (migration
// 00008) answers. A page after f.AfterID seeks there by id
// (keyset); uses and reservations are counted for the page's rows only.
func (db *DB) PromoCodePage(ctx context.Context, f app.PromoCodeFilter, now time.Time) ([]app.PromoCode, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPromoPageLimit
	}
	limit = min(limit, maxPromoPageLimit)
	var where []string
	args := pgx.NamedArgs{"now": stamp(now)}
	// A search is planned for the pattern typed, not once for any
	// (QueryExecModeExec: no cached statement, so no generic plan): 3
	// characters or more read the trigram index, fewer are no trigram and
	// scan the codes, which a plan made for either would do for both.
	var mode []any
	if t := strings.TrimSpace(f.Search); t != "" {
		// Codes are upper-case ASCII (the table's CHECK), so LIKE on the
		// term in upper case is SQLite's LIKE, which folds ASCII only, and
		// several times cheaper than ILIKE on a scan.
		where = append(where, `p.code LIKE @search ESCAPE '\'`)
		args["search"] = "%" + promoEscapeLike(promoUpperASCII(t)) + "%"
		mode = []any{pgx.QueryExecModeExec}
	}
	total := -1
	if !f.NoTotal {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM promo_code p`+promoWhere(where), append(mode, args)...).Scan(&total); err != nil {
			return nil, 0, internalError(err, "count the promotional codes")
		}
		if f.AfterID == 0 && f.Offset >= total {
			return []app.PromoCode{}, total, nil
		}
	}
	if f.AfterID > 0 {
		where = append(where, `p.id < @after`)
		args["after"] = f.AfterID
	}
	args["limit"], args["offset"] = limit, max(f.Offset, 0)
	rows, err := tx.Query(ctx, `
		SELECT `+promoCodeColumns+`
		FROM (SELECT p.id FROM promo_code p`+promoWhere(where)+` ORDER BY p.id DESC LIMIT @limit OFFSET @offset) page
		JOIN promo_code c ON c.id = page.id
		ORDER BY c.id DESC`, append(mode, args)...)
	if err != nil {
		return nil, 0, internalError(err, "read the promotional codes")
	}
	codes, err := pgx.CollectRows(rows, scanPromoCodeRow)
	if err != nil {
		return nil, 0, internalError(err, "read the promotional codes")
	}
	if codes == nil {
		codes = []app.PromoCode{}
	}
	if err := readPromoCodeSessions(ctx, tx, codes); err != nil {
		return nil, 0, err
	}
	return codes, total, nil
}

func promoWhere(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(conds, ` AND `)
}

// promoUpperASCII is s with a to z in upper case, and nothing else
// changed: what SQLite's LIKE folds.
func promoUpperASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// promoEscapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func promoEscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// PromoCode returns one code.
func (db *DB) PromoCode(ctx context.Context, id int64, now time.Time) (app.PromoCode, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return app.PromoCode{}, err
	}
	defer tx.Rollback(ctx)
	return findPromoCode(ctx, tx, id, now)
}

// PromoCodeByText returns a code by its text, ignoring case (the unique
// index on upper(code) finds it).
func (db *DB) PromoCodeByText(ctx context.Context, code string, now time.Time) (app.PromoCode, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return app.PromoCode{}, err
	}
	defer tx.Rollback(ctx)
	code = app.NormalizePromoCode(code)
	codes, err := findPromoCodes(ctx, tx, `WHERE upper(c.code) = upper(@code)`, now, pgx.NamedArgs{"code": code})
	if err != nil {
		return app.PromoCode{}, err
	}
	if len(codes) == 0 {
		return app.PromoCode{}, app.Errorf(app.ENOTFOUND, "error.promo.unknown", "there is no code %s", code).
			With(map[string]any{"Code": code})
	}
	return codes[0], nil
}

// promoCounts counts a code's uses and live reservations at now, in all
// (taken) and of one attendee (mine).
func promoCounts(ctx context.Context, q querier, codeID int64, email string, now time.Time) (taken, mine int, err error) {
	err = q.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE r.email = @email) FROM promo_redemption r
		WHERE r.code_id = @code AND `+promoTakenSQL,
		pgx.NamedArgs{"now": stamp(now), "code": codeID, "email": email}).Scan(&taken, &mine)
	if err != nil {
		return 0, 0, internalError(err, "count a code's uses")
	}
	return taken, mine, nil
}

// PromoTaken counts uses and live reservations.
func (db *DB) PromoTaken(ctx context.Context, codeID int64, email string, now time.Time) (int, int, error) {
	return promoCounts(ctx, db.pool, codeID, strings.ToLower(email), now)
}

// UpdatePromoCode changes what may change of a code. The code's row is
// locked first, so the limit is checked against uses and reservations no
// other desktop can add to before the change commits.
func (db *DB) UpdatePromoCode(ctx context.Context, id int64, u app.PromoCodeUpdate, now time.Time) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := lockPromoCode(ctx, tx, id); err != nil {
		return err
	}
	c, err := findPromoCode(ctx, tx, id, now)
	if err != nil {
		return err
	}
	if taken := c.Uses + c.Reserved; u.UseLimit > 0 && u.UseLimit < taken {
		return app.Errorf(app.ECONFLICT, "error.promo.limit_below_uses", "the limit cannot be below the %d uses made", taken).
			With(map[string]any{"Uses": taken})
	}
	_, err = tx.Exec(ctx, `
		UPDATE promo_code SET use_limit = $1, per_attendee_limit = $2, valid_until = $3, disabled = $4, all_sessions = $5
		WHERE id = $6`, u.UseLimit, u.PerAttendeeLimit, stamp(u.ValidUntil), u.Disabled, u.AllSessions, id)
	if pe := pgError(err); pe != nil && pe.Code == StatePromoLimitBelowUses {
		return &app.Error{
			Code: app.ECONFLICT, Key: "error.promo.limit_below_uses", Message: "limit below uses",
			Data: map[string]any{"Uses": c.Uses}, Err: err,
		}
	}
	if err != nil {
		return internalError(err, "update a promotional code")
	}
	if err := setPromoCodeSessions(ctx, tx, id, u.AllSessions, u.SessionIDs); err != nil {
		return err
	}
	return commit(ctx, tx, "update a promotional code")
}

// DeletePromoCode deletes a code with no use and no live reservation, with
// its recipients.
func (db *DB) DeletePromoCode(ctx context.Context, id int64, now time.Time) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := lockPromoCode(ctx, tx, id); err != nil {
		return err
	}
	c, err := findPromoCode(ctx, tx, id, now)
	if err != nil {
		return err
	}
	usedErr := app.Errorf(app.ECONFLICT, "error.promo.used_cannot_delete", "code %s has been used: disable it instead", c.Code).
		With(map[string]any{"Code": c.Code})
	if c.Uses > 0 || c.Reserved > 0 {
		return usedErr
	}
	_, err = tx.Exec(ctx, `DELETE FROM promo_code WHERE id = $1`, id)
	if pe := pgError(err); pe != nil && pe.Code == StatePromoUsedNoDelete {
		return usedErr
	}
	if err != nil {
		return internalError(err, "delete a promotional code")
	}
	return commit(ctx, tx, "delete a promotional code")
}

const promoRedemptionColumns = `r.id, r.code_id, r.registration_id, r.session_id, r.email, r.state, r.fee_minor,
	r.discount_minor, r.total_minor, r.currency, coalesce(r.payment_id, 0), r.created_at, r.expires_at`

// findPromoRedemption reads one reservation; forUpdate locks it until tx
// ends.
func findPromoRedemption(ctx context.Context, q querier, id int64, forUpdate bool) (app.PromoReservation, error) {
	query := `SELECT ` + promoRedemptionColumns + ` FROM promo_redemption r WHERE r.id = $1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	var r app.PromoReservation
	err := q.QueryRow(ctx, query, id).Scan(&r.ID, &r.CodeID, &r.RegistrationID, &r.SessionID, &r.Email, &r.State,
		&r.FeeMinor, &r.DiscountMinor, &r.TotalMinor, &r.Currency, &r.PaymentID, &r.CreatedAt, &r.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, app.Errorf(app.ENOTFOUND, "error.promo.reservation_not_found", "no such reservation")
	}
	if err != nil {
		return r, internalError(err, "read a reservation")
	}
	r.CreatedAt, r.ExpiresAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC()
	return r, nil
}

// PromoReservation returns one reservation.
func (db *DB) PromoReservation(ctx context.Context, id int64) (app.PromoReservation, error) {
	return findPromoRedemption(ctx, db.pool, id, false)
}

// lockRegistrationSales takes, until tx ends, the advisory lock that
// CreatePayment's trigger takes before it writes a sale for the
// registration (migration 00011): no sale for it can start while tx
// decides from whether one is open.
func lockRegistrationSales(ctx context.Context, tx pgx.Tx, registrationID int64) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('trainpay.payment.sale:' || $1::text, 0))`,
		app.RegistrationReference(registrationID)); err != nil {
		return internalError(err, "lock a registration's payments")
	}
	return nil
}

// registrationSaleOpen reports whether a registration's sale is open.
func registrationSaleOpen(ctx context.Context, q querier, registrationID int64) (bool, error) {
	var open bool
	err := q.QueryRow(ctx, `SELECT `+promoOpenPaymentSQL+` FROM (SELECT $1::bigint AS registration_id) r`,
		registrationID).Scan(&open)
	if err != nil {
		return false, internalError(err, "read a registration's payment")
	}
	return open, nil
}

// RenewPromoReservation extends a registration's live reservation, for
// another payment attempt at the discounted total.
func (db *DB) RenewPromoReservation(ctx context.Context, registrationID int64, now, until time.Time) error {
	tag, err := db.pool.Exec(ctx, `
		UPDATE promo_redemption AS r SET expires_at = @until, updated_at = @now
		WHERE r.registration_id = @reg AND r.state IN ('reserved', 'used') AND `+promoLiveSQL,
		pgx.NamedArgs{"until": stamp(until), "now": stamp(now), "reg": registrationID})
	if err != nil {
		return internalError(err, "renew a reservation")
	}
	if tag.RowsAffected() == 0 {
		return app.Errorf(app.ECONFLICT, "error.promo.reservation_gone",
			"the promotional code's hold has run out: apply the code again")
	}
	return nil
}

// ReservePromo holds one use for a registration, exactly within the code's
// limits however many desktops reserve it at once: see the top of this
// file for the locks, taken here in their order.
func (db *DB) ReservePromo(ctx context.Context, r *app.PromoReservation, now time.Time) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := lockRegistrationSales(ctx, tx, r.RegistrationID); err != nil {
		return err
	}
	var one int
	err = tx.QueryRow(ctx, `SELECT 1 FROM registration WHERE id = $1 FOR NO KEY UPDATE`, r.RegistrationID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Errorf(app.ENOTFOUND, "error.promo.registration", "a reservation needs a registration and an email")
	}
	if err != nil {
		return internalError(err, "lock a registration")
	}
	at := stamp(now)
	var prevID, prevCode int64
	var prevState string
	var prevLive bool
	err = tx.QueryRow(ctx, `SELECT r.id, r.code_id, r.state, `+promoLiveSQL+` FROM promo_redemption r
		WHERE r.registration_id = @reg AND r.state IN ('reserved', 'used') FOR UPDATE`,
		pgx.NamedArgs{"now": at, "reg": r.RegistrationID}).Scan(&prevID, &prevCode, &prevState, &prevLive)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return internalError(err, "read a registration's reservation")
	case prevState == app.ReservationUsed:
		return app.Errorf(app.ECONFLICT, "error.promo.registration_done", "this registration has already used a code")
	case prevLive && prevCode == r.CodeID:
		// The same code again (the page was reloaded): renew it.
		if _, err := tx.Exec(ctx, `UPDATE promo_redemption SET expires_at = $1, updated_at = $2 WHERE id = $3`,
			stamp(r.ExpiresAt), at, prevID); err != nil {
			return internalError(err, "renew a reservation")
		}
		if err := commit(ctx, tx, "renew a reservation"); err != nil {
			return err
		}
		r.ID, r.State = prevID, app.ReservationReserved
		return nil
	case prevLive:
		// Another code, held while the attendee pays: refused while a
		// payment is open, otherwise the old hold is freed.
		if open, err := registrationSaleOpen(ctx, tx, r.RegistrationID); err != nil {
			return err
		} else if open {
			return promoPaymentOpen()
		}
		fallthrough
	default:
		if _, err := tx.Exec(ctx, `UPDATE promo_redemption SET state = 'released', updated_at = $1 WHERE id = $2`,
			at, prevID); err != nil {
			return internalError(err, "free a reservation")
		}
	}
	if err := lockPromoCode(ctx, tx, r.CodeID); err != nil {
		return err
	}
	c, taken, mine, err := promoCodeWithCounts(ctx, tx, r.CodeID, r.Email, now)
	if err != nil {
		return err
	}
	if err := app.CheckPromoUsable(c, r.SessionID, now); err != nil {
		return err
	}
	if err := app.CheckPromoLimits(c, taken, mine); err != nil {
		return err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO promo_redemption (code_id, registration_id, session_id, email, state, fee_minor, discount_minor,
		                              total_minor, currency, created_at, expires_at, updated_at)
		VALUES ($1, $2, $3, $4, 'reserved', $5, $6, $7, $8, $9, $10, $9)
		RETURNING id`,
		r.CodeID, r.RegistrationID, r.SessionID, r.Email, r.FeeMinor, r.DiscountMinor, r.TotalMinor, r.Currency,
		at, stamp(r.ExpiresAt)).Scan(&id)
	if pe := pgError(err); pe != nil && pe.Code == promoForeignKeyViolation {
		return app.Errorf(app.ENOTFOUND, "error.promo.registration", "a reservation needs a registration and an email")
	}
	if err != nil {
		return internalError(err, "reserve a code")
	}
	if err := commit(ctx, tx, "reserve a code"); err != nil {
		return err
	}
	r.ID, r.State, r.CreatedAt = id, app.ReservationReserved, now
	return nil
}

// promoCodeWithCounts reads a code for a reservation, with what counts
// against its limits: all uses and live reservations (taken), and those of
// the attendee (mine). The caller holds the code's lock, so the counts are
// what no other desktop can change before it commits.
func promoCodeWithCounts(ctx context.Context, tx pgx.Tx, codeID int64, email string, now time.Time) (c app.PromoCode, taken, mine int, err error) {
	err = scanPromoCodeFields(tx.QueryRow(ctx, `
		SELECT `+promoCodeFields+`,
		       (SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND `+promoTakenSQL+`),
		       (SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND r.email = @email AND `+promoTakenSQL+`)
		FROM promo_code c
		WHERE c.id = @code`,
		pgx.NamedArgs{"now": stamp(now), "code": codeID, "email": email}), &c, &taken, &mine)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, 0, 0, promoNotFound(codeID)
	}
	if err != nil {
		return c, 0, 0, internalError(err, "read a promotional code")
	}
	if !c.AllSessions {
		one := []app.PromoCode{c}
		if err := readPromoCodeSessions(ctx, tx, one); err != nil {
			return c, 0, 0, err
		}
		c = one[0]
	}
	return c, taken, mine, nil
}

// ReleasePromo frees a reservation, unless its registration's payment is
// open: the sale's lock is held while that is decided.
func (db *DB) ReleasePromo(ctx context.Context, id int64, now time.Time) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	r, err := findPromoRedemption(ctx, tx, id, false)
	if err != nil {
		return err
	}
	if err := lockRegistrationSales(ctx, tx, r.RegistrationID); err != nil {
		return err
	}
	if r, err = findPromoRedemption(ctx, tx, id, true); err != nil {
		return err
	}
	switch r.State {
	case app.ReservationReleased:
		return nil
	case app.ReservationUsed:
		return app.Errorf(app.ECONFLICT, "error.promo.already_final", "the code's use is already final")
	}
	if open, err := registrationSaleOpen(ctx, tx, r.RegistrationID); err != nil {
		return err
	} else if open {
		return promoPaymentOpen()
	}
	if _, err := tx.Exec(ctx, `UPDATE promo_redemption SET state = 'released', updated_at = $1 WHERE id = $2`,
		stamp(now), id); err != nil {
		return internalError(err, "free a reservation")
	}
	return commit(ctx, tx, "free a reservation")
}

// ConfirmPromo makes a zero-total reservation final. One that expired is
// confirmed only if a use still fits, counted under the code's lock; the
// trigger of migration 00005 refuses a use above the limit in any case.
func (db *DB) ConfirmPromo(ctx context.Context, id int64, now time.Time) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	r, err := findPromoRedemption(ctx, tx, id, true)
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
		if err := lockPromoCode(ctx, tx, r.CodeID); err != nil {
			return err
		}
		c, taken, mine, err := promoCodeWithCounts(ctx, tx, r.CodeID, r.Email, now)
		if err != nil {
			return err
		}
		if err := app.CheckPromoLimits(c, taken, mine); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE promo_redemption SET state = 'used', updated_at = $1 WHERE id = $2`, stamp(now), id)
	if pe := pgError(err); pe != nil && pe.Code == StatePromoUsesAboveLimit {
		tx.Rollback(ctx)
		return db.promoUsedUp(ctx, r.CodeID, err)
	}
	if err != nil {
		return internalError(err, "confirm a code's use")
	}
	return commit(ctx, tx, "confirm a code's use")
}

// promoUsedUp is the error for a use of code id refused by the limit
// trigger, naming the code as the service's check does.
func (db *DB) promoUsedUp(ctx context.Context, id int64, cause error) error {
	var code string
	if err := db.pool.QueryRow(ctx, `SELECT code FROM promo_code WHERE id = $1`, id).Scan(&code); err != nil {
		return internalError(errors.Join(cause, err), "read a promotional code")
	}
	return &app.Error{
		Code: app.ECONFLICT, Key: "error.promo.used_up", Message: "code " + code + " is used up",
		Data: map[string]any{"Code": code}, Err: cause,
	}
}

// PromoSession reads a paid session's topic and fee.
func (db *DB) PromoSession(ctx context.Context, id int64) (app.PromoSession, error) {
	var s app.PromoSession
	var typ string
	err := db.pool.QueryRow(ctx, `SELECT id, topic, fee_minor, currency, type FROM session WHERE id = $1`, id).
		Scan(&s.ID, &s.Topic, &s.FeeMinor, &s.Currency, &typ)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, app.Errorf(app.ENOTFOUND, "error.promo.session_unknown", "there is no session %d", id).With(map[string]any{"ID": id})
	}
	if err != nil {
		return s, internalError(err, "read a session")
	}
	if typ != string(app.SessionPaid) {
		return s, app.Errorf(app.ECONFLICT, "error.promo.session_free", "session %d has no fee", id)
	}
	return s, nil
}

// promoUsesSQL is a code's uses joined to their registrations (g), for
// the report: the uses that stand and those a full refund gave back
// (migration 00026), whose money the report still counts.
const promoUsesSQL = `FROM promo_redemption r JOIN registration g ON g.id = r.registration_id
	WHERE r.code_id = c.id AND (r.state = 'used' OR r.returned_at IS NOT NULL)`

// PromoReports returns every code's report, or one code's, from one
// snapshot. Money comes from the registrations the journal settles.
func (db *DB) PromoReports(ctx context.Context, codeID int64) ([]app.PromoReport, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	where, args := "", []any{}
	if codeID != 0 {
		where, args = "WHERE c.id = $1", append(args, codeID)
	}
	rows, err := tx.Query(ctx, `
		SELECT c.id, c.code,
			(SELECT count(*) FROM promo_recipient WHERE code_id = c.id),
			(SELECT count(*) FROM promo_recipient WHERE code_id = c.id AND sent_at IS NOT NULL),
			(SELECT count(*) `+promoUsesSQL+` AND r.state = 'used'),
			(SELECT count(DISTINCT r.email) `+promoUsesSQL+` AND r.state = 'used'),
			(SELECT count(*) `+promoUsesSQL+` AND g.refunded_minor > 0),
			(SELECT coalesce(sum(g.paid_minor), 0)::bigint `+promoUsesSQL+`),
			(SELECT coalesce(sum(g.refunded_minor), 0)::bigint `+promoUsesSQL+`),
			(SELECT coalesce(sum(r.discount_minor), 0)::bigint `+promoUsesSQL+`
				AND NOT (g.status NOT IN ('paid', 'registered') AND g.paid_minor <= g.refunded_minor)),
			coalesce((SELECT currency FROM promo_redemption WHERE code_id = c.id AND (state = 'used' OR returned_at IS NOT NULL) LIMIT 1),
			         nullif(c.currency, ''), (SELECT currency FROM site WHERE id = 1), '')
		FROM promo_code c `+where+` ORDER BY c.id DESC`, args...)
	if err != nil {
		return nil, internalError(err, "read the codes' report")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.PromoReport, error) {
		var r app.PromoReport
		err := row.Scan(&r.CodeID, &r.Code, &r.Recipients, &r.Sent, &r.Uses, &r.Attendees, &r.RefundedUses,
			&r.ChargedMinor, &r.RefundedMinor, &r.DiscountMinor, &r.Currency)
		r.RevenueMinor = r.ChargedMinor - r.RefundedMinor
		return r, err
	})
	if err != nil {
		return nil, internalError(err, "read the codes' report")
	}
	if codeID != 0 && len(out) == 0 {
		return nil, promoNotFound(codeID)
	}
	if out == nil {
		out = []app.PromoReport{}
	}
	return out, nil
}

// AddPromoRecipients adds recipients to a code in one statement; an email
// already there keeps its row (and whether it was sent).
func (db *DB) AddPromoRecipients(ctx context.Context, codeID int64, rs []app.PromoRecipient) (int, error) {
	emails, names := make([]string, len(rs)), make([]string, len(rs))
	for i, r := range rs {
		emails[i], names[i] = r.Email, r.Name
	}
	tag, err := db.pool.Exec(ctx, `
		INSERT INTO promo_recipient (code_id, email, name)
		SELECT $1, u.email, u.name FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(email, name, n) ORDER BY u.n
		ON CONFLICT (code_id, email) DO NOTHING`, codeID, emails, names)
	if pe := pgError(err); pe != nil && pe.Code == promoForeignKeyViolation {
		return 0, promoNotFound(codeID)
	}
	if err != nil {
		return 0, internalError(err, "add a recipient")
	}
	return int(tag.RowsAffected()), nil
}

// PromoRecipients lists recipients in the order they were added.
func (db *DB) PromoRecipients(ctx context.Context, codeID int64) ([]app.PromoRecipient, error) {
	where, args := "", []any{}
	if codeID != 0 {
		where, args = "WHERE code_id = $1", append(args, codeID)
	}
	rows, err := db.pool.Query(ctx, `SELECT id, code_id, email, name, sent_at, failed_reason
		FROM promo_recipient `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, internalError(err, "read the recipients")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.PromoRecipient, error) {
		var r app.PromoRecipient
		var sent *time.Time
		err := row.Scan(&r.ID, &r.CodeID, &r.Email, &r.Name, &sent, &r.FailedReason)
		if sent != nil {
			r.SentAt = sent.UTC()
		}
		return r, err
	})
	if err != nil {
		return nil, internalError(err, "read the recipients")
	}
	if out == nil {
		out = []app.PromoRecipient{}
	}
	return out, nil
}

// updateRecipient runs a statement on one recipient; no row changed is
// ENOTFOUND "error.recipient.not_found".
func (db *DB) updateRecipient(ctx context.Context, what, query string, args ...any) error {
	tag, err := db.pool.Exec(ctx, query, args...)
	if err != nil {
		return internalError(err, what)
	}
	if tag.RowsAffected() == 0 {
		return app.Errorf(app.ENOTFOUND, "error.recipient.not_found", "no such recipient")
	}
	return nil
}

// DeletePromoRecipient removes one recipient.
func (db *DB) DeletePromoRecipient(ctx context.Context, id int64) error {
	return db.updateRecipient(ctx, "remove a recipient", `DELETE FROM promo_recipient WHERE id = $1`, id)
}

// MarkRecipientSent records that the server accepted the message.
func (db *DB) MarkRecipientSent(ctx context.Context, id int64, at time.Time) error {
	return db.updateRecipient(ctx, "record a sent message",
		`UPDATE promo_recipient SET sent_at = $1, failed_reason = '', failed_at = NULL WHERE id = $2`, stamp(at), id)
}

// MarkRecipientFailed records why a message was not accepted; a message
// already sent keeps its row as it is (ENOTFOUND, as in storage).
func (db *DB) MarkRecipientFailed(ctx context.Context, id int64, reason string, at time.Time) error {
	if reason == "" {
		reason = "failed"
	}
	return db.updateRecipient(ctx, "record a failed message",
		`UPDATE promo_recipient SET failed_reason = $1, failed_at = $2 WHERE id = $3 AND sent_at IS NULL`, reason, stamp(at), id)
}
