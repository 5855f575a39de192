package main

// While the organisation database cannot be reached: a health watcher
// pings it with back-off and tells the main window (its banner) when it
// goes and comes back; payments are refused before anything is written or
// sent; the Plan screen and estimates read the last rates read, kept in a
// small file in the user's cache folder.

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/postgres"
)

// healthWatcher knows whether the organisation database answers.
type healthWatcher struct {
	ping   func(context.Context) error
	logger *slog.Logger
	// A ping every every while the database answers; after a failure the
	// next one after minBackoff, doubling to maxBackoff while it stays
	// away. Each ping may take the connect timeout.
	every, minBackoff, maxBackoff time.Duration
	// onChange is told each change, from the watcher's goroutine.
	onChange func(reachable bool)

	mu        sync.Mutex
	reachable bool
	kick      chan struct{}
}

func newHealthWatcher(ping func(context.Context) error, logger *slog.Logger) *healthWatcher {
	return &healthWatcher{
		ping: ping, logger: logger, reachable: true, kick: make(chan struct{}, 1),
		every: 10 * time.Second, minBackoff: time.Second, maxBackoff: 30 * time.Second,
	}
}

// Reachable says whether the last ping was answered.
func (h *healthWatcher) Reachable() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reachable
}

// check pings once and records the answer.
func (h *healthWatcher) check(ctx context.Context) bool {
	pctx, cancel := context.WithTimeout(ctx, orgConnectTimeout)
	err := h.ping(pctx)
	cancel()
	if ctx.Err() != nil {
		return h.Reachable()
	}
	ok := err == nil
	h.mu.Lock()
	changed := ok != h.reachable
	h.reachable = ok
	notify := h.onChange
	h.mu.Unlock()
	if changed {
		if ok {
			h.logger.Info("the organisation database answers again")
		} else {
			h.logger.Warn("the organisation database cannot be reached; retrying", "err", err)
		}
		if notify != nil {
			notify(ok)
		}
	}
	return ok
}

// suspect asks for a ping now: a call failed as if the database were gone.
func (h *healthWatcher) suspect() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// run pings until ctx ends.
func (h *healthWatcher) run(ctx context.Context) {
	backoff := h.minBackoff
	for {
		wait := h.every
		if h.check(ctx) {
			backoff = h.minBackoff
		} else {
			wait = backoff
			backoff = min(backoff*2, h.maxBackoff)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-h.kick:
			t.Stop()
		}
	}
}

// offlineError is the refusal of a payment while the organisation database
// cannot be reached.
func offlineError() error {
	return app.Errorf(app.EUNAVAILABLE, "error.orgdb.offline_payment",
		"the organisation database cannot be reached: payments are paused until it answers again; nothing was charged")
}

// unreachable says whether err is the organisation database not
// answering (postgres.IsUnreachable).
func unreachable(err error) bool { return postgres.IsUnreachable(err) }

// offlineStore is the organisation database's store as the services see
// it: payments refused while it is away, the rates read kept for when it
// is.
type offlineStore struct {
	app.Store
	health *healthWatcher
	rates  ratesCache
	logger *slog.Logger
}

// CreatePayment refuses a payment while the database is away: the journal
// row could not be written, and a payment is never sent before its row is
// committed (app.PaymentService).
func (s *offlineStore) CreatePayment(ctx context.Context, p *app.Payment) error {
	if !s.health.Reachable() {
		return offlineError()
	}
	err := s.Store.CreatePayment(ctx, p)
	if err != nil && unreachable(err) {
		s.health.suspect()
		return offlineError()
	}
	return err
}

// PaymentSettings is read before a payment's journal row is written (which
// gateway): while the database is away it refuses the payment with the
// same message as CreatePayment.
func (s *offlineStore) PaymentSettings(ctx context.Context) (app.PaymentSettings, error) {
	ps, err := s.Store.PaymentSettings(ctx)
	if err != nil && unreachable(err) {
		s.health.suspect()
		return ps, offlineError()
	}
	return ps, err
}

// Site reads the site and keeps its rates; when the database is away it
// answers with the last rates kept, so that estimates and the Plan screen
// go on working.
func (s *offlineStore) Site(ctx context.Context) (app.Site, error) {
	site, err := s.Store.Site(ctx)
	if err == nil {
		if werr := s.rates.save(site); werr != nil {
			s.logger.Warn("keeping the rates for offline estimates", "err", werr)
		}
		return site, nil
	}
	if !unreachable(err) && s.health.Reachable() {
		return site, err
	}
	s.health.suspect()
	if cached, ok := s.rates.load(); ok {
		return cached, nil
	}
	return site, err
}

// ratesCache is the file of the last rates read: what an estimate needs of
// the site (its name, currency, time zone, language, mode and rates) and
// nothing else.
type ratesCache struct{ path string }

type cachedRates struct {
	Name, Country, Currency, TimeZone, Language string
	Mode                                        app.Mode
	RatePersonMinuteE4                          int64
	RateTeleconferenceMinuteE4                  int64
	ReadAt                                      time.Time
}

// save writes the file atomically (a temporary file renamed over it), and
// only when the rates changed.
func (c ratesCache) save(s app.Site) error {
	want := cachedRates{
		Name: s.Name, Country: s.Country, Currency: s.Currency, TimeZone: s.TimeZone,
		Language: s.Language, Mode: s.Mode, RatePersonMinuteE4: s.RatePersonMinuteE4,
		RateTeleconferenceMinuteE4: s.RateTeleconferenceMinuteE4,
	}
	if old, ok := c.read(); ok {
		old.ReadAt = time.Time{}
		if old == want {
			return nil
		}
	}
	want.ReadAt = time.Now().UTC()
	b, err := json.Marshal(want)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".rates-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

func (c ratesCache) read() (cachedRates, bool) {
	var r cachedRates
	b, err := os.ReadFile(c.path)
	if err != nil || json.Unmarshal(b, &r) != nil || r.Currency == "" {
		return cachedRates{}, false
	}
	return r, true
}

// load is the site as far as the file knows it.
func (c ratesCache) load() (app.Site, bool) {
	r, ok := c.read()
	if !ok {
		return app.Site{}, false
	}
	return app.Site{
		Name: r.Name, Country: r.Country, Currency: r.Currency, TimeZone: r.TimeZone,
		Language: r.Language, Mode: r.Mode, RatePersonMinuteE4: r.RatePersonMinuteE4,
		RateTeleconferenceMinuteE4: r.RateTeleconferenceMinuteE4,
	}, true
}
