package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/trainpay/trainpay/app"
)

// ChangePollInterval is how often a ChangeFeed asks SQLite whether another
// connection committed. PRAGMA data_version costs a few microseconds
// (BenchmarkChangeFeedPoll), so the interval is set by how soon a screen
// should show another desktop's change, not by cost.
const ChangePollInterval = 400 * time.Millisecond

// ChangeFeed tells subscribers which areas of the file other connections
// changed: another TrainPay process on the same file, and this process's
// own write pool (its other screens show their own writes too). It
// implements app.Changes.
//
// It holds one read-only connection of its own, because PRAGMA
// data_version is per connection: it moves when any other connection
// commits to the file. When it moves, the feed reads change_counter
// (migration 00016: a counter per area that triggers bump) and publishes
// the areas whose counters moved.
type ChangeFeed struct {
	app.ChangeHub

	pool   *sql.DB
	conn   *sql.Conn
	cancel context.CancelFunc
	done   chan struct{}

	// What the last check read; only the polling goroutine uses them
	// (and WatchChanges, before it starts).
	version int64
	counts  map[string]int64
}

var _ app.Changes = (*ChangeFeed)(nil)

// WatchChanges starts a change feed on db's file, polling every interval
// (ChangePollInterval when 0). Close it before db.
func WatchChanges(db *DB, interval time.Duration) (*ChangeFeed, error) {
	if interval <= 0 {
		interval = ChangePollInterval
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &ChangeFeed{cancel: cancel, done: make(chan struct{})}
	var err error
	f.pool, err = sql.Open(driverName, readDSN(db.path))
	if err != nil {
		cancel()
		return nil, app.Internal(err, "open the database to watch it")
	}
	f.pool.SetMaxOpenConns(1)
	f.pool.SetConnMaxLifetime(0)
	f.pool.SetConnMaxIdleTime(0)
	if f.conn, err = f.pool.Conn(ctx); err != nil {
		f.pool.Close()
		cancel()
		return nil, openError(db.path, err, "open the database to watch it")
	}
	// The first look sets what later looks compare with.
	if _, err := f.check(ctx); err != nil {
		f.conn.Close()
		f.pool.Close()
		cancel()
		return nil, err
	}
	go f.poll(ctx, interval)
	return f, nil
}

// Close stops the feed and ends every subscription.
func (f *ChangeFeed) Close() error {
	f.cancel()
	<-f.done
	f.ChangeHub.Close()
	err := f.conn.Close()
	if cerr := f.pool.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return app.Internal(err, "close the database's watch")
	}
	return nil
}

func (f *ChangeFeed) poll(ctx context.Context, interval time.Duration) {
	defer close(f.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	failed := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		set, err := f.check(ctx)
		switch {
		case err != nil:
			// The file could not be read this time (another process
			// holding an exclusive lock past busy_timeout, say): try at the
			// next tick, and then say everything may have changed.
			failed = true
			continue
		case failed:
			failed = false
			set = app.ChangedEverything
		}
		f.Publish(set)
	}
}

// check reads data_version and, when it moved, the areas' counters; it
// returns the areas whose counters moved since the last check.
func (f *ChangeFeed) check(ctx context.Context) (app.ChangeSet, error) {
	var version int64
	if err := f.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&version); err != nil {
		return 0, readError(ctx, err, "read whether the database changed")
	}
	if f.counts != nil && version == f.version {
		return 0, nil
	}
	// data_version is read before the counters: a commit between the two
	// shows in the counters now and moves data_version again, which the
	// next check then finds with nothing new. Nothing is missed.
	rows, err := f.conn.QueryContext(ctx, `SELECT area, n FROM change_counter`)
	if err != nil {
		return 0, readError(ctx, err, "read what changed in the database")
	}
	defer rows.Close()
	counts := make(map[string]int64, len(f.counts))
	var set app.ChangeSet
	for rows.Next() {
		var area string
		var n int64
		if err := rows.Scan(&area, &n); err != nil {
			return 0, readError(ctx, err, "read what changed in the database")
		}
		counts[area] = n
		if a, ok := app.ParseChangeArea(area); ok && f.counts != nil && f.counts[area] != n {
			set |= a
		}
	}
	if err := rows.Err(); err != nil {
		return 0, readError(ctx, err, "read what changed in the database")
	}
	f.version, f.counts = version, counts
	return set, nil
}
