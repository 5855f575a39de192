package storage

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/trainpay/trainpay/app"
)

var _ app.SessionStore = (*DB)(nil)

// Paging limits of Sessions.
const (
	defaultSessionLimit = 100
	maxSessionLimit     = 1000
)

// walkMatches is the number of sessions a topic search matches above which
// Sessions walks the list's index rather than look every match up: a page
// of 100 then reads about 100 × sessions ÷ matches index entries, under
// 50,000 for a million sessions, while looking up more matches than this
// costs more than that.
const walkMatches = 2000

// openPaymentSQL is true when registration r has a payment in the journal
// whose outcome is still open: its seat stays held whatever its hold says.
// It repeats payment_purpose's columns so that SQLite uses that index.
const openPaymentSQL = `EXISTS (SELECT 1 FROM payment op
	WHERE op.purpose = 'registration' AND op.reference = 'registration:' || r.id
	  AND op.kind = 'sale' AND op.state IN ('pending', 'unknown', 'needs-review'))`

// seatTakenSQL is true when registration r takes a seat at time ?1.
const seatTakenSQL = `(r.status IN ('registered', 'paid')
	OR (r.status = 'pending-payment' AND (r.hold_until > ?1 OR ` + openPaymentSQL + `)))`

const sessionColumns = `s.id, s.topic, s.description, s.starts_at, s.time_zone, s.duration_minutes,
	s.type, s.fee_minor, s.currency, s.registration_required, s.max_registrations,
	s.registration_closes_at, s.attendees_may_cancel, s.cancel_hours_before, s.refund_percent,
	s.expected_computers, s.expected_teleconference, s.department_id, s.paid_payment_id,
	s.status, s.created_at, s.updated_at,
	coalesce((SELECT pu.started_at FROM payperuse_session pu WHERE pu.session_id = s.id), '')`

func sessionNotFound(id int64) error {
	return app.Errorf(app.ENOTFOUND, "error.session.not_found", "session %d not found", id).
		With(map[string]any{"ID": id})
}

// optTime stores a zero time as ”.
func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

func parseOptTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return parseTime(s)
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// foldTopic is the stored search form of a topic (topic_fold); see fold.
func foldTopic(s string) string { return fold(s) }

// CreateSession inserts s and sets s.ID, s.CreatedAt and s.UpdatedAt.
func (db *DB) CreateSession(ctx context.Context, s *app.Session) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	row := *s
	row.CreatedAt = orNow(row.CreatedAt)
	row.UpdatedAt = row.CreatedAt
	res, err := tx.ExecContext(ctx, `
		INSERT INTO session (topic, topic_fold, description, starts_at, ends_at, time_zone, duration_minutes,
			type, fee_minor, currency, registration_required, max_registrations, registration_closes_at,
			attendees_may_cancel, cancel_hours_before, refund_percent, expected_computers,
			expected_teleconference, department_id, paid_payment_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row.Topic, foldTopic(row.Topic), row.Description, formatTime(row.StartsAt), formatTime(row.EndsAt()),
		row.TimeZone, row.DurationMinutes, string(row.Type), row.FeeMinor, row.Currency,
		boolInt(row.RegistrationRequired), row.MaxRegistrations, optTime(row.RegistrationClosesAt),
		boolInt(row.AttendeesMayCancel), row.CancelHoursBefore, row.RefundPercent, row.ExpectedComputers,
		row.ExpectedTeleconference, nullID(row.DepartmentID), nullID(row.PaidPaymentID), string(row.Status),
		formatTime(row.CreatedAt), formatTime(row.UpdatedAt))
	if err != nil {
		return app.Internal(err, "save a session")
	}
	if row.ID, err = res.LastInsertId(); err != nil {
		return app.Internal(err, "save a session")
	}
	if err := commit(tx); err != nil {
		return err
	}
	*s = row
	return nil
}

// UpdateSession replaces an existing session's fields. In the same
// transaction it refuses to lower the capacity below the seats taken and to
// change the type, fee or currency once anything was paid.
func (db *DB) UpdateSession(ctx context.Context, s *app.Session) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := findSession(ctx, tx, s.ID)
	if err != nil {
		return err
	}
	now := orNow(s.UpdatedAt)
	if s.MaxRegistrations > 0 && s.MaxRegistrations < old.MaxRegistrations {
		taken, err := seatsTaken(ctx, tx, s.ID, now)
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
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM registration
			WHERE session_id = ? AND (paid_minor > 0 OR status = 'pending-payment')`, s.ID).Scan(&paid); err != nil {
			return app.Internal(err, "read a session's registrations")
		}
		if paid > 0 {
			return app.Errorf(app.ECONFLICT, "error.session.fee_locked",
				"attendees have registered to pay this fee: the type and the fee cannot change")
		}
	}
	row := *s
	row.CreatedAt, row.UpdatedAt = old.CreatedAt, now
	// The paid marker belongs to the payment journal's settlement
	// (applyPayPerUsePayment): an edit from a stale copy must not clear it.
	row.PaidPaymentID = old.PaidPaymentID
	if _, err := tx.ExecContext(ctx, `
		UPDATE session SET topic = ?, topic_fold = ?, description = ?, starts_at = ?, ends_at = ?, time_zone = ?,
			duration_minutes = ?, type = ?, fee_minor = ?, currency = ?, registration_required = ?,
			max_registrations = ?, registration_closes_at = ?, attendees_may_cancel = ?,
			cancel_hours_before = ?, refund_percent = ?, expected_computers = ?, expected_teleconference = ?,
			department_id = ?, status = ?, updated_at = ?
		WHERE id = ?`,
		row.Topic, foldTopic(row.Topic), row.Description, formatTime(row.StartsAt), formatTime(row.EndsAt()),
		row.TimeZone, row.DurationMinutes, string(row.Type), row.FeeMinor, row.Currency,
		boolInt(row.RegistrationRequired), row.MaxRegistrations, optTime(row.RegistrationClosesAt),
		boolInt(row.AttendeesMayCancel), row.CancelHoursBefore, row.RefundPercent, row.ExpectedComputers,
		row.ExpectedTeleconference, nullID(row.DepartmentID), string(row.Status),
		formatTime(row.UpdatedAt), row.ID); err != nil {
		return app.Internal(err, "save a session")
	}
	if err := commit(tx); err != nil {
		return err
	}
	*s = row
	return nil
}

// Session returns one session.
func (db *DB) Session(ctx context.Context, id int64) (app.Session, error) {
	tx, err := db.BeginRead(ctx)
	if err != nil {
		return app.Session{}, err
	}
	defer tx.Rollback()
	return findSession(ctx, tx, id)
}

// SetSessionStatus cancels or reinstates a session.
func (db *DB) SetSessionStatus(ctx context.Context, id int64, st app.SessionStatus) error {
	return db.updateOne(ctx, func(*sql.Tx) error { return sessionNotFound(id) }, "change a session's status",
		`UPDATE session SET status = ?, updated_at = ? WHERE id = ?`, string(st), formatTime(time.Now()), id)
}

// Sessions returns one page of the list, and how many sessions match
// (unless f.NoTotal; up to f.CountUpTo+1 when that is set), from one
// snapshot. Upcoming sessions (not yet ended,
// so those in progress too) come in order of start, soonest first; past
// ones and "all" latest first; all walk session_starts_at, and a page after
// f.After seeks there in that index (keyset) instead of reading the rows
// before it. A topic search reads session_search (00014), the trigram
// index of the folded topics. Seats and revenue are computed for the
// page's rows only.
func (db *DB) Sessions(ctx context.Context, f app.SessionFilter) ([]app.SessionSummary, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultSessionLimit
	}
	limit = min(limit, maxSessionLimit)
	now := formatTime(orNow(f.Now))
	var where []string
	args := []any{now}
	arg := func(v any) string {
		args = append(args, v)
		return `?` + paramN(len(args))
	}
	order, seek := `s.starts_at DESC, s.ends_at DESC, s.id DESC`, `<`
	switch f.When {
	case app.SessionsUpcoming:
		// Not yet ended. A session lasts at most a day, so it started at
		// most a day ago: that bound lets SQLite walk session_starts_at
		// from there rather than from the first session ever held.
		where = append(where, `s.ends_at >= ?1`,
			`s.starts_at >= `+arg(formatTime(orNow(f.Now).Add(-app.MaxDurationMinutes*time.Minute))))
		order, seek = `s.starts_at, s.ends_at, s.id`, `>`
	case app.SessionsPast:
		// Ended, so also started, before now.
		where = append(where, `s.ends_at < ?1`, `s.starts_at < ?1`)
	}
	match := ""
	if t := strings.TrimSpace(f.Topic); t != "" {
		m, err := matchTerm(t)
		if err != nil {
			return nil, 0, err
		}
		match = arg(m)
	}
	if f.Status != "" {
		where = append(where, `s.status = `+arg(string(f.Status)))
	}

	tx, err := db.BeginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	total := -1
	var counted []string // the count's conditions, when they differ
	if match != "" {
		// How many sessions the term matches, from the index alone, decides
		// how to read them: few are looked up by id and sorted; many are
		// found by walking session_starts_at in the list's order and
		// testing each id against the matches (SQLite builds them once,
		// with a Bloom filter), stopping at the page's end. The unary + on
		// s.id keeps SQLite from looking the matches up by id instead.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM session_search WHERE session_search MATCH `+match,
			args...).Scan(&n); err != nil {
			return nil, 0, readError(ctx, err, "search the sessions")
		}
		// The count looks the matches up by id in any case: in the
		// index's order it stops at CountUpTo, and otherwise reads each
		// match once, where walking would read every session in range.
		in := `s.id IN (SELECT rowid FROM session_search WHERE session_search MATCH ` + match + `)`
		counted = append(slices.Clone(where), in)
		if n > walkMatches {
			in = `+` + in
		}
		where = append(where, in)
		if len(where) == 1 {
			total = n // every session has one entry: the count is exact
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	if counted == nil {
		counted = where
	}
	countCond := ""
	if len(counted) > 0 {
		countCond = ` WHERE ` + strings.Join(counted, ` AND `)
	}
	page := cond
	if k := f.After; k != nil {
		key := `(s.starts_at, s.ends_at, s.id) ` + seek + ` (` + arg(formatTime(k.StartsAt)) + `, ` +
			arg(formatTime(k.EndsAt)) + `, ` + arg(k.ID) + `)`
		if page == "" {
			page = ` WHERE ` + key
		} else {
			page += ` AND ` + key
		}
	}

	// ?1 is bound even when no term uses it; SQLite accepts unused numbered
	// parameters.
	if f.NoTotal {
		total = -1
	} else if total < 0 {
		count := `SELECT count(*) FROM session s` + countCond
		if f.CountUpTo > 0 {
			count = `SELECT count(*) FROM (SELECT 1 FROM session s` + countCond + ` LIMIT ` + arg(f.CountUpTo+1) + `)`
		}
		if err := tx.QueryRowContext(ctx, count, args...).Scan(&total); err != nil {
			return nil, 0, readError(ctx, err, "count the sessions")
		}
	}
	if total >= 0 && f.After == nil && f.Offset >= total {
		return []app.SessionSummary{}, total, nil
	}
	q := `SELECT ` + sessionColumns + `,
		(SELECT count(*) FROM registration r WHERE r.session_id = s.id AND ` + seatTakenSQL + `),
		(SELECT coalesce(sum(r.paid_minor - r.refunded_minor), 0) FROM registration r WHERE r.session_id = s.id)
		FROM session s` + page + ` ORDER BY ` + order + ` LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, readError(ctx, err, "read the sessions")
	}
	defer rows.Close()
	out := []app.SessionSummary{}
	for rows.Next() {
		var sum app.SessionSummary
		if sum.Session, err = scanSession(rows, &sum.Registrations, &sum.RevenueMinor); err != nil {
			return nil, 0, readError(ctx, err, "read the sessions")
		}
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, readError(ctx, err, "read the sessions")
	}
	return out, total, nil
}

func paramN(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return paramN(n/10) + string(rune('0'+n%10))
}

// escapeLike escapes LIKE's wildcards with '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func scanSession(s rowScanner, extra ...any) (app.Session, error) {
	var x app.Session
	var starts, closes, created, updated, typ, status, started string
	var reqd, mayCancel int
	var dept, paid sql.NullInt64
	dest := []any{
		&x.ID, &x.Topic, &x.Description, &starts, &x.TimeZone, &x.DurationMinutes,
		&typ, &x.FeeMinor, &x.Currency, &reqd, &x.MaxRegistrations,
		&closes, &mayCancel, &x.CancelHoursBefore, &x.RefundPercent,
		&x.ExpectedComputers, &x.ExpectedTeleconference, &dept, &paid,
		&status, &created, &updated, &started,
	}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return app.Session{}, err
	}
	x.Type, x.Status = app.SessionType(typ), app.SessionStatus(status)
	x.RegistrationRequired, x.AttendeesMayCancel = reqd == 1, mayCancel == 1
	x.DepartmentID, x.PaidPaymentID = dept.Int64, paid.Int64
	var err error
	if x.StartsAt, err = parseTime(starts); err != nil {
		return app.Session{}, err
	}
	if x.RegistrationClosesAt, err = parseOptTime(closes); err != nil {
		return app.Session{}, err
	}
	if x.CreatedAt, err = parseTime(created); err != nil {
		return app.Session{}, err
	}
	if x.UpdatedAt, err = parseTime(updated); err != nil {
		return app.Session{}, err
	}
	if x.StartedAt, err = parseOptTime(started); err != nil {
		return app.Session{}, err
	}
	return x, nil
}

func findSession(ctx context.Context, tx *sql.Tx, id int64) (app.Session, error) {
	scan := func(r rowScanner) (app.Session, error) { return scanSession(r) }
	return queryOne(ctx, tx, scan, func() error { return sessionNotFound(id) },
		"read a session", `SELECT `+sessionColumns+` FROM session s WHERE s.id = ?`, id)
}

// seatsTaken counts the seats of a session taken at now.
func seatsTaken(ctx context.Context, tx *sql.Tx, sessionID int64, now time.Time) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM registration r
		WHERE r.session_id = ?2 AND `+seatTakenSQL, formatTime(now), sessionID).Scan(&n); err != nil {
		return 0, app.Internal(err, "count a session's seats")
	}
	return n, nil
}
