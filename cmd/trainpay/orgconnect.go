package main

// The organisation database as the wizard and Preferences reach it
// (ui.OrgDatabases), and its password in the system keychain.

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"sync"

	"github.com/zalando/go-keyring"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/ui"
)

// orgKeychainService is the keychain service the organisation database's
// password is kept under, one item per address (orgAddress.key).
const orgKeychainService = "TrainPay organisation database"

// orgConnector opens organisation databases for the UI.
type orgConnector struct {
	logger *slog.Logger
	// onOpen is told of each store opened (the app starts its health
	// watcher); nil in tests.
	onOpen func(*services)

	mu     sync.Mutex
	opened []func()
}

var _ ui.OrgDatabases = (*orgConnector)(nil)

// Test connects, checks and closes. It is postgres.Open, so a database
// that is empty, or TrainPay's at an older schema, is migrated as the first
// start on it would; one it refuses is left as it was.
func (o *orgConnector) Test(ctx context.Context, c ui.OrgConnection) error {
	raw := c.URL(true)
	_, addr, err := parseOrgURL(raw)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, orgOpenTimeout)
	defer cancel()
	pgdb, err := postgres.Open(ctx, withConnectTimeout(raw))
	if err != nil {
		return explainOrgError(err, addr)
	}
	pgdb.Close()
	return nil
}

// Remember keeps or forgets the password in the keychain.
func (o *orgConnector) Remember(c ui.OrgConnection) error {
	_, addr, err := parseOrgURL(c.URL(false))
	if err != nil {
		return err
	}
	if !c.Remember || c.Password == "" {
		if err := keyring.Delete(orgKeychainService, addr.key()); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			o.logger.Warn("forgetting the organisation database's password", "database", addr.String(), "err", err)
		}
		return nil
	}
	if err := keyring.Set(orgKeychainService, addr.key(), c.Password); err != nil {
		// go-keyring's errors do not carry the secret.
		return &app.Error{
			Code: app.EUNAVAILABLE, Key: "error.orgdb.keychain",
			Message: "the system keychain did not keep the password", Err: err,
		}
	}
	return nil
}

// Open opens the organisation database and wires the services on it.
func (o *orgConnector) Open(ctx context.Context, c ui.OrgConnection) (ui.Deps, error) {
	db, err := openDatabase(ctx, c.URL(true))
	if err != nil {
		return ui.Deps{}, err
	}
	svc := newServices(db, o.logger)
	o.mu.Lock()
	o.opened = append(o.opened, func() { svc.stopChanges(); svc.registry.Close(); db.close() })
	o.mu.Unlock()
	if o.onOpen != nil {
		o.onOpen(&svc)
	}
	return svc.deps, nil
}

// closeAll closes what Open opened.
func (o *orgConnector) closeAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, f := range o.opened {
		f()
	}
	o.opened = nil
}

// withRememberedPassword adds the keychain's password to a URL without one
// (Preferences never hold one; --db and TRAINPAY_DB may leave it out);
// anything else is returned as it is.
func withRememberedPassword(raw string) string {
	_, addr, err := parseOrgURL(raw)
	if err != nil {
		return raw
	}
	pw, err := keyring.Get(orgKeychainService, addr.key())
	if err != nil || pw == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, given := u.User.Password(); given {
		return raw // the URL's own password wins
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String()
}
