package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

var _ app.SessionStore = (*DB)(nil)

// Paging limits of Sessions (as storage's).
const (
	defaultSessionLimit = 100
	maxSessionLimit     = 1000
)

// openRegistrationPaymentSQL is true when registration r has a payment in
// the journal whose outcome is still open: its seat stays held whatever
// its hold says. It names payment_purpose's columns so that index is used.
const openRegistrationPaymentSQL = `EXISTS (SELECT 1 FROM payment op
	WHERE op.purpose = 'registration' AND op.reference = 'registration:' || r.id
	  AND op.kind = 'sale' AND op.state IN ('pending', 'unknown', 'needs-review'))`

// seatTakenSQL is true when registration r takes a seat at the time in
// parameter now ("$1").
func seatTakenSQL(now string) string {
	return `(r.status IN ('registered', 'paid')
	OR (r.status = 'pending-payment' AND (r.hold_until > ` + now + ` OR ` + openRegistrationPaymentSQL + `)))`
}

const sessionColumns = `s.id, s.topic, s.description, s.starts_at, s.time_zone, s.duration_minutes,
	s.type, s.fee_minor, s.currency, s.registration_required, s.max_registrations,
	s.registration_closes_at, s.attendees_may_cancel, s.cancel_hours_before, s.refund_percent,
	s.expected_computers, s.expected_teleconference, coalesce(s.department_id, 0), coalesce(s.paid_payment_id, 0),
	s.status, s.created_at, s.updated_at,
	(SELECT pu.started_at FROM payperuse_session pu WHERE pu.session_id = s.id)`

func sessionNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.session.not_found", "session %d not found", id).
		With(map[string]any{"ID": id})
}

// optStamp is t for a nullable timestamptz column: NULL when zero.
func optStamp(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

// optID is id for a nullable key column: NULL when zero.
func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// stampSession is s with its times as PostgreSQL keeps them, so that what
// a write returns equals what a read returns.
func stampSession(s app.Session) app.Session {
	s.StartsAt = stamp(s.StartsAt)
	if !s.RegistrationClosesAt.IsZero() {
		s.RegistrationClosesAt = stamp(s.RegistrationClosesAt)
	}
	return s
}

// searchLikePattern is a search term as a LIKE pattern over the folded
// text (migration 00014): the folded term, its wildcards escaped, between
// two %. A term of fewer than app.SearchMinRunes characters has no trigram
// to look up and is refused rather than answered by a scan, as on SQLite.
func searchLikePattern(term string) (string, error) {
	t := storage.Fold(strings.TrimSpace(term))
	if utf8.RuneCountInString(t) < app.SearchMinRunes {
		return "", app.SearchTooShort()
	}
	return `%` + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(t) + `%`, nil
}

// sessionsReadError is the error of a read that failed: the context's own
// error when the caller gave up (so that callers can tell an abandoned
// query from a failure with errors.Is(err, context.Canceled)), otherwise
// an internal error naming what.
func sessionsReadError(ctx context.Context, err error, what string) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ae *app.Error
	if errors.As(err, &ae) {
		return err
	}
	return internalError(err, what)
}

// CreateSession inserts s and sets s.ID, s.CreatedAt and s.UpdatedAt.
func (db *DB) CreateSession(ctx context.Context, s *app.Session) error {
	row := stampSession(*s)
	row.CreatedAt = orNow(row.CreatedAt)
	row.UpdatedAt = row.CreatedAt
	err := db.pool.QueryRow(ctx, `
		INSERT INTO session (topic, topic_fold, description, starts_at, ends_at, time_zone, duration_minutes,
			type, fee_minor, currency, registration_required, max_registrations, registration_closes_at,
			attendees_may_cancel, cancel_hours_before, refund_percent, expected_computers,
			expected_teleconference, department_id, paid_payment_id, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
		RETURNING id`,
		row.Topic, storage.Fold(row.Topic), row.Description, row.StartsAt, stamp(row.EndsAt()),
		row.TimeZone, row.DurationMinutes, string(row.Type), row.FeeMinor, row.Currency,
		row.RegistrationRequired, row.MaxRegistrations, optStamp(row.RegistrationClosesAt),
		row.AttendeesMayCancel, row.CancelHoursBefore, row.RefundPercent, row.ExpectedComputers,
		row.ExpectedTeleconference, optID(row.DepartmentID), optID(row.PaidPaymentID), string(row.Status),
		row.CreatedAt, row.UpdatedAt).Scan(&row.ID)
	if err != nil {
		return internalError(err, "save a session")
	}
	*s = row
	return nil
}

// UpdateSession replaces an existing session's fields. The session's row
// is locked first (as Register locks it), so the seats counted are those of
// registrations that cannot change meanwhile: the capacity is never lowered
// below the seats taken, and the type, fee or currency never change once
// anything was paid, however many desktops write.
func (db *DB) UpdateSession(ctx context.Context, s *app.Session) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	old, err := findSession(ctx, tx, s.ID, true)
	if err != nil {
		return err
	}
	now := orNow(s.UpdatedAt)
	if s.MaxRegistrations > 0 && s.MaxRegistrations < old.MaxRegistrations {
		taken, err := sessionSeatsTaken(ctx, tx, s.ID, now)
		if err != nil {
			return err
		}
		if s.MaxRegistrations < taken {
			return app.Errorf(app.ECONFLICT, "error.session.capacity_below_taken",
				"%d seats are taken: the maximum cannot be lower", taken).With(map[string]any{"Taken": taken})
		}
	}
	if s.Type != old.Type || s.FeeMinor != old.FeeMinor || s.Currency != old.Currency {
		var paid int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM registration
			WHERE session_id = $1 AND (paid_minor > 0 OR status = 'pending-payment')`, s.ID).Scan(&paid); err != nil {
			return internalError(err, "read a session's registrations")
		}
		if paid > 0 {
			return app.Errorf(app.ECONFLICT, "error.session.fee_locked",
				"attendees have registered to pay this fee: the type and the fee cannot change")
		}
	}
	row := stampSession(*s)
	row.CreatedAt, row.UpdatedAt = old.CreatedAt, now
	// The paid marker belongs to the payment journal's settlement
	// (applyPayPerUsePayment): an edit from a stale copy must not clear it.
	row.PaidPaymentID = old.PaidPaymentID
	if _, err := tx.Exec(ctx, `
		UPDATE session SET topic = $1, topic_fold = $2, description = $3, starts_at = $4, ends_at = $5, time_zone = $6,
			duration_minutes = $7, type = $8, fee_minor = $9, currency = $10, registration_required = $11,
			max_registrations = $12, registration_closes_at = $13, attendees_may_cancel = $14,
			cancel_hours_before = $15, refund_percent = $16, expected_computers = $17, expected_teleconference = $18,
			department_id = $19, status = $20, updated_at = $21
		WHERE id = $22`,
		row.Topic, storage.Fold(row.Topic), row.Description, row.StartsAt, stamp(row.EndsAt()),
		row.TimeZone, row.DurationMinutes, string(row.Type), row.FeeMinor, row.Currency,
		row.RegistrationRequired, row.MaxRegistrations, optStamp(row.RegistrationClosesAt),
		row.AttendeesMayCancel, row.CancelHoursBefore, row.RefundPercent, row.ExpectedComputers,
		row.ExpectedTeleconference, optID(row.DepartmentID), string(row.Status),
		row.UpdatedAt, row.ID); err != nil {
		return internalError(err, "save a session")
	}
	if err := commit(ctx, tx, "save a session"); err != nil {
		return err
	}
	*s = row
	return nil
}

// Session returns one session.
func (db *DB) Session(ctx context.Context, id int64) (app.Session, error) {
	return findSession(ctx, db.pool, id, false)
}

// SetSessionStatus cancels or reinstates a session.
func (db *DB) SetSessionStatus(ctx context.Context, id int64, st app.SessionStatus) error {
	tag, err := db.pool.Exec(ctx, `UPDATE session SET status = $1, updated_at = $2 WHERE id = $3`,
		string(st), orNow(time.Time{}), id)
	if err != nil {
		return internalError(err, "change a session's status")
	}
	if tag.RowsAffected() == 0 {
		return sessionNotFound(id)
	}
	return nil
}

// Sessions returns one page of the list, and how many sessions match
// (unless f.NoTotal; up to f.CountUpTo+1 when that is set), from one
// snapshot. Upcoming sessions (not yet ended, so those in progress too)
// come in order of start, soonest first; past ones and "all" latest first;
// all walk session_starts_at (starts_at, ends_at, id), and a page after
// f.After starts at that key in the index (keyset) instead of reading the
// rows before it. A topic search is LIKE over topic_fold, which the GIN
// trigram index session_topic_search (00014) answers; the planner chooses
// between it and walking the list's index by how many sessions match.
// Seats and revenue are computed for the page's rows only.
func (db *DB) Sessions(ctx context.Context, f app.SessionFilter) ([]app.SessionSummary, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultSessionLimit
	}
	limit = min(limit, maxSessionLimit)
	now := orNow(f.Now)
	pattern := ""
	if t := strings.TrimSpace(f.Topic); t != "" {
		var err error
		if pattern, err = searchLikePattern(t); err != nil {
			return nil, 0, err
		}
	}
	order, seek := `s.starts_at DESC, s.ends_at DESC, s.id DESC`, `<`
	if f.When == app.SessionsUpcoming {
		order, seek = `s.starts_at, s.ends_at, s.id`, `>`
	}
	// filter is the WHERE clause of f, its values added to q's arguments
	// (the count and the page each have their own: PostgreSQL refuses a
	// parameter a statement does not use).
	filter := func(q *sessionsArgs) []string {
		var where []string
		switch f.When {
		case app.SessionsUpcoming:
			// Not yet ended. A session lasts at most a day, so it started
			// at most a day ago: that bound starts the index walk there
			// rather than at the first session ever held.
			where = append(where, `s.ends_at >= `+q.arg(now),
				`s.starts_at >= `+q.arg(now.Add(-app.MaxDurationMinutes*time.Minute)))
		case app.SessionsPast:
			// Ended, so also started, before now.
			n := q.arg(now)
			where = append(where, `s.ends_at < `+n, `s.starts_at < `+n)
		}
		if pattern != "" {
			where = append(where, `s.topic_fold LIKE `+q.arg(pattern))
		}
		if f.Status != "" {
			where = append(where, `s.status = `+q.arg(string(f.Status)))
		}
		return where
	}

	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, sessionsReadError(ctx, err, "read the sessions")
	}
	defer tx.Rollback(ctx)
	total := -1
	if !f.NoTotal {
		var c sessionsArgs
		from := ` FROM session s` + sessionsWhere(filter(&c))
		count := `SELECT count(*)` + from
		if f.CountUpTo > 0 {
			count = `SELECT count(*) FROM (SELECT 1` + from + ` LIMIT ` + c.arg(f.CountUpTo+1) + `) c`
		}
		if err := tx.QueryRow(ctx, count, c.args...).Scan(&total); err != nil {
			return nil, 0, sessionsReadError(ctx, err, "count the sessions")
		}
	}
	if total >= 0 && f.After == nil && f.Offset >= total {
		return []app.SessionSummary{}, total, nil
	}
	var p sessionsArgs
	clock := p.arg(now)
	where := filter(&p)
	if k := f.After; k != nil {
		where = append(where, `(s.starts_at, s.ends_at, s.id) `+seek+` (`+p.arg(stamp(k.StartsAt))+`, `+
			p.arg(stamp(k.EndsAt))+`, `+p.arg(k.ID)+`)`)
	}
	// The page's ids are chosen in a subquery, and its rows, seats and
	// revenue read for those ids only: PostgreSQL computes a query's select
	// list for the rows an OFFSET skips too, and the ids alone come from
	// session_starts_at without reading the table (an index-only scan).
	q := `SELECT ` + sessionColumns + `,
		(SELECT count(*) FROM registration r WHERE r.session_id = s.id AND ` + seatTakenSQL(clock) + `)::int,
		(SELECT coalesce(sum(r.paid_minor - r.refunded_minor), 0) FROM registration r WHERE r.session_id = s.id)::bigint
		FROM session s WHERE s.id IN (SELECT s.id FROM session s` + sessionsWhere(where) + ` ORDER BY ` + order +
		` LIMIT ` + p.arg(limit) + ` OFFSET ` + p.arg(max(f.Offset, 0)) + `)
		ORDER BY ` + order
	rows, err := tx.Query(ctx, q, p.args...)
	if err != nil {
		return nil, 0, sessionsReadError(ctx, err, "read the sessions")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.SessionSummary, error) {
		var sum app.SessionSummary
		var err error
		sum.Session, err = scanSession(row, &sum.Registrations, &sum.RevenueMinor)
		return sum, err
	})
	if err != nil {
		return nil, 0, sessionsReadError(ctx, err, "read the sessions")
	}
	if out == nil {
		out = []app.SessionSummary{}
	}
	return out, total, nil
}

// sessionsArgs numbers a statement's parameters as they are added.
type sessionsArgs struct{ args []any }

func (q *sessionsArgs) arg(v any) string {
	q.args = append(q.args, v)
	return `$` + strconv.Itoa(len(q.args))
}

func sessionsWhere(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(conds, ` AND `)
}

func scanSession(row pgx.Row, extra ...any) (app.Session, error) {
	var x app.Session
	var typ, status string
	var closes, started *time.Time
	dest := []any{
		&x.ID, &x.Topic, &x.Description, &x.StartsAt, &x.TimeZone, &x.DurationMinutes,
		&typ, &x.FeeMinor, &x.Currency, &x.RegistrationRequired, &x.MaxRegistrations,
		&closes, &x.AttendeesMayCancel, &x.CancelHoursBefore, &x.RefundPercent,
		&x.ExpectedComputers, &x.ExpectedTeleconference, &x.DepartmentID, &x.PaidPaymentID,
		&status, &x.CreatedAt, &x.UpdatedAt, &started,
	}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return app.Session{}, err
	}
	x.Type, x.Status = app.SessionType(typ), app.SessionStatus(status)
	x.StartsAt, x.CreatedAt, x.UpdatedAt = x.StartsAt.UTC(), x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	if closes != nil {
		x.RegistrationClosesAt = closes.UTC()
	}
	if started != nil {
		x.StartedAt = started.UTC()
	}
	return x, nil
}

// findSession reads one session; forUpdate locks its row until tx ends,
// which is how registrations for one session are taken one at a time.
func findSession(ctx context.Context, q querier, id int64, forUpdate bool) (app.Session, error) {
	query := `SELECT ` + sessionColumns + ` FROM session s WHERE s.id = $1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	s, err := scanSession(q.QueryRow(ctx, query, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return app.Session{}, sessionNotFound(id)
	}
	if err != nil {
		return app.Session{}, internalError(err, "read a session")
	}
	return s, nil
}

// sessionSeatsTaken counts the seats of a session taken at now.
func sessionSeatsTaken(ctx context.Context, q querier, sessionID int64, now time.Time) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM registration r
		WHERE r.session_id = $2 AND `+seatTakenSQL(`$1`), now, sessionID).Scan(&n); err != nil {
		return 0, internalError(err, "count a session's seats")
	}
	return n, nil
}
