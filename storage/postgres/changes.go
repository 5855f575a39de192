package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sethvargo/go-retry"

	"github.com/trainpay/trainpay/app"
)

// ChangesChannel is the channel the change triggers of migration 00016
// NOTIFY, with an area's name (app.ChangeAreas) as the payload.
const ChangesChannel = "trainpay_changes"

// Back-off between attempts to reconnect the listening connection: from
// changesRetryFirst, doubling, up to changesRetryMost apart, with jitter so
// that a server's restart is not met by every desktop at once.
const (
	changesRetryFirst = 200 * time.Millisecond
	changesRetryMost  = 10 * time.Second
)

// ChangesApplicationName names the listening connection in
// pg_stat_activity, for the database's administrators.
const ChangesApplicationName = "TrainPay change feed"

// ChangeFeed tells subscribers which areas of the organisation database
// any desktop (this one included) changed. It implements app.Changes.
//
// It LISTENs on a connection of its own, outside the pool (a listening
// connection sits waiting for notifications and can do nothing else).
// When that connection drops, it reconnects with back-off and then
// publishes app.ChangedEverything: notifications sent meanwhile are lost.
type ChangeFeed struct {
	app.ChangeHub

	config *pgx.ConnConfig
	cancel context.CancelFunc
	done   chan struct{}
}

var _ app.Changes = (*ChangeFeed)(nil)

// WatchChanges connects a listening connection to db's database and starts
// the feed. An unreachable server is EUNAVAILABLE "error.orgdb.unreachable";
// once started, the feed outlives drops by reconnecting. Close it before
// db.
func WatchChanges(ctx context.Context, db *DB) (*ChangeFeed, error) {
	f := &ChangeFeed{config: db.pool.Config().ConnConfig.Copy(), done: make(chan struct{})}
	f.config.RuntimeParams["application_name"] = ChangesApplicationName
	conn, err := f.listen(ctx)
	if err != nil {
		return nil, db.unreachable(err)
	}
	run, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go f.run(run, conn)
	return f, nil
}

// Close stops the feed, closes its connection and ends every subscription.
func (f *ChangeFeed) Close() {
	f.cancel()
	<-f.done
	f.ChangeHub.Close()
}

// listen opens a connection and LISTENs on ChangesChannel.
func (f *ChangeFeed) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, f.config)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ChangesChannel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// run publishes what conn hears until it fails, then reconnects, until ctx
// ends.
func (f *ChangeFeed) run(ctx context.Context, conn *pgx.Conn) {
	defer close(f.done)
	for {
		f.relay(ctx, conn)
		conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		conn = f.reconnect(ctx)
		if conn == nil {
			return
		}
		// What was sent while the connection was down is lost.
		f.Publish(app.ChangedEverything)
	}
}

// relay publishes each notification conn receives, until it fails.
func (f *ChangeFeed) relay(ctx context.Context, conn *pgx.Conn) {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return
		}
		if set, ok := app.ParseChangeArea(n.Payload); ok {
			f.Publish(set)
		} else {
			// A newer TrainPay's area this build does not know: the
			// screens cannot tell, so all of them look.
			f.Publish(app.ChangedEverything)
		}
	}
}

// reconnect listens on a new connection, waiting longer after each failed
// attempt; nil when ctx ended first.
func (f *ChangeFeed) reconnect(ctx context.Context) *pgx.Conn {
	backoff := retry.WithJitterPercent(20, retry.WithCappedDuration(changesRetryMost, retry.NewExponential(changesRetryFirst)))
	for {
		wait, _ := backoff.Next()
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		attempt, cancel := context.WithTimeout(ctx, changesRetryMost)
		conn, err := f.listen(attempt)
		cancel()
		if err == nil {
			return conn
		}
	}
}
