package main

// Which database the app and the commands work on, and opening it: a
// SQLite file (one desktop) or the organisation's PostgreSQL database,
// named by a postgres:// or postgresql:// URL.
//
// Where it comes from, first found wins: --db, then TRAINPAY_DB, then (the
// app only) the choice made in Preferences or the first-run wizard, then
// the default file. A URL's password is never printed or logged: every
// message names the database by redactDB, or by "database on host:port as
// user".

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/postgres"
)

// envDB names the variable that gives the database when --db does not.
const envDB = "TRAINPAY_DB"

// orgConnectTimeout bounds each attempt to reach the organisation's server
// (its connect_timeout unless the URL sets one), so that an unreachable
// host is reported in seconds, not when the system's TCP gives up.
const orgConnectTimeout = 5 * time.Second

// orgOpenTimeout bounds opening the organisation database as a whole:
// connecting, the checks and the migrations.
const orgOpenTimeout = 2 * time.Minute

// isOrgURL says whether s names an organisation database rather than a
// file.
func isOrgURL(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// urlPassword finds what a URL that cannot be parsed might carry as a
// password: from the user name's colon to the last "@" (a password may
// hold "@" and "/"; redacting too much is the safe side).
var urlPassword = regexp.MustCompile(`^([A-Za-z]+://[^:/@]*):.*@`)

// redactDB is s for messages: a file path as it is, a URL with its password
// (in the user part or as a password= parameter) replaced by xxxxx.
func redactDB(s string) string {
	if !isOrgURL(s) {
		return s
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return urlPassword.ReplaceAllString(strings.TrimSpace(s), "${1}:xxxxx@")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// database is an opened store and where its desktop-side files go.
type database struct {
	store app.Store
	close func()
	// display names the database in messages and in Preferences: the file's
	// path, or "trainpay on db.example.org:5432 as anna".
	display string
	// vaultService and secretsPath are the credential vault's keychain
	// service and its encrypted fallback file; sandboxLedger is the offline
	// sandbox's ledger.
	vaultService, secretsPath, sandboxLedger string
	// ratesCache is the file the last rates read are kept in, for estimates
	// while the organisation database cannot be reached; "" for a file.
	ratesCache string
	// ping asks the organisation's server whether it answers; nil for a
	// file.
	ping func(context.Context) error
	// shared says another TrainPay process on this computer has the same
	// file open (holdFile); always false for the organisation database,
	// which is made to be shared.
	shared bool
	// watch starts the database's change feed: PRAGMA data_version and
	// per-area counters for a file, LISTEN/NOTIFY for the organisation
	// database.
	watch func() (app.Changes, func() error, error)
}

// openDatabase opens the file or the organisation database spec names.
func openDatabase(ctx context.Context, spec string) (*database, error) {
	if isOrgURL(spec) {
		return openOrganisation(ctx, spec)
	}
	db, err := storage.Open(spec)
	if err != nil {
		return nil, err
	}
	// The keychain entry is per database, so two sites on one machine never
	// share merchant credentials. A database moved elsewhere asks for its
	// credentials again.
	sum := sha256.Sum256([]byte(db.Path()))
	base := strings.TrimSuffix(db.Path(), filepath.Ext(db.Path()))
	shared, release := holdFile(db.Path())
	return &database{
		store: db, close: func() { db.Close(); release() }, display: db.Path(), shared: shared,
		watch: func() (app.Changes, func() error, error) {
			feed, err := storage.WatchChanges(db, 0)
			if err != nil {
				return nil, nil, err
			}
			return feed, feed.Close, nil
		},
		vaultService: "TrainPay:" + hex.EncodeToString(sum[:8]),
		secretsPath:  base + ".secrets", sandboxLedger: base + ".sandbox.json",
	}, nil
}

// orgAddress is what names an organisation database apart from the
// password: it keys the desktop's files and the keychain entry.
type orgAddress struct {
	Host     string
	Port     uint16
	Database string
	User     string
}

func (a orgAddress) String() string {
	return fmt.Sprintf("%s on %s:%d as %s", a.Database, a.Host, a.Port, a.User)
}

// key is a file-name-safe key for the address: readable, with a hash so
// that two addresses never share one.
func (a orgAddress) key() string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%s\x00%s", a.Host, a.Port, a.Database, a.User)))
	clean := regexp.MustCompile(`[^A-Za-z0-9.-]+`).ReplaceAllString(
		fmt.Sprintf("%s_%d_%s_%s", a.Host, a.Port, a.Database, a.User), "_")
	if len(clean) > 80 {
		clean = clean[:80]
	}
	return clean + "-" + hex.EncodeToString(sum[:6])
}

// parseOrgURL reads an organisation database's URL. The refusal never
// carries the URL or the parser's words (which may quote it).
func parseOrgURL(raw string) (*pgx.ConnConfig, orgAddress, error) {
	cfg, err := pgx.ParseConfig(strings.TrimSpace(raw))
	if err == nil && (cfg.Host == "" || cfg.Database == "" || cfg.User == "") {
		err = errors.New("host, database and user are required")
	}
	if err != nil {
		return nil, orgAddress{}, app.Errorf(app.EINVALID, "error.orgdb.url",
			"the organisation database address %s is not valid", redactDB(raw))
	}
	return cfg, orgAddress{Host: cfg.Host, Port: cfg.Port, Database: cfg.Database, User: cfg.User}, nil
}

// withConnectTimeout adds connect_timeout to a URL that has none.
func withConnectTimeout(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return raw
	}
	q := u.Query()
	if !q.Has("connect_timeout") {
		q.Set("connect_timeout", strconv.Itoa(int(orgConnectTimeout/time.Second)))
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// orgFolders are where an organisation database's desktop-side files go:
// the vault's fallback file and the sandbox's ledger in the user's
// configuration folder, the cached rates in the cache folder, one
// subfolder per address.
func orgFolders(a orgAddress) (config, cache string, err error) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", "", app.Errorf(app.EUNAVAILABLE, "error.orgdb.no_config_folder",
			"there is no user configuration folder to keep the organisation database's local files in")
	}
	cch, err := os.UserCacheDir()
	if err != nil {
		cch = filepath.Join(cfg, "TrainPay", "cache")
	} else {
		cch = filepath.Join(cch, "TrainPay")
	}
	return filepath.Join(cfg, "TrainPay", "organisation", a.key()), filepath.Join(cch, "organisation", a.key()), nil
}

// openOrganisation connects to the organisation database, checks it is
// TrainPay's and not newer than this build, and migrates it; a refusal
// says why in the user's language and changes nothing.
func openOrganisation(ctx context.Context, raw string) (*database, error) {
	_, addr, err := parseOrgURL(raw)
	if err != nil {
		return nil, err
	}
	config, cache, err := orgFolders(addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, orgOpenTimeout)
	defer cancel()
	pgdb, err := postgres.Open(ctx, withConnectTimeout(raw))
	if err != nil {
		return nil, explainOrgError(err, addr)
	}
	var st app.Store = pgdb
	if err := os.MkdirAll(config, 0o700); err != nil {
		pgdb.Close()
		return nil, app.Internal(err, "create the organisation database's local folder")
	}
	vaultService, secretsPath := merchantVault(addr, filepath.Dir(config))
	if err := os.MkdirAll(filepath.Dir(secretsPath), 0o700); err != nil {
		pgdb.Close()
		return nil, app.Internal(err, "create the organisation database's local folder")
	}
	return &database{
		store: st, close: pgdb.Close, display: addr.String(),
		vaultService:  vaultService,
		secretsPath:   secretsPath,
		sandboxLedger: filepath.Join(config, "sandbox.json"),
		ratesCache:    filepath.Join(cache, "rates.json"),
		ping:          func(ctx context.Context) error { return pgdb.Pool().Ping(ctx) },
		watch: func() (app.Changes, func() error, error) {
			ctx, cancel := context.WithTimeout(context.Background(), orgOpenTimeout)
			defer cancel()
			feed, err := postgres.WatchChanges(ctx, pgdb)
			if err != nil {
				return nil, nil, err
			}
			return feed, func() error { feed.Close(); return nil }, nil
		},
	}, nil
}

// explainOrgError turns a refusal to connect into the reason a person can
// act on: the password, the database's name, TLS, or the network. The
// checks postgres.Open makes itself (not TrainPay's, too new, an invalid
// address) keep their own messages.
func explainOrgError(err error, addr orgAddress) error {
	e := app.AsError(err)
	if e.Key != "error.orgdb.unreachable" {
		return err
	}
	data := map[string]any{"Database": addr.String(), "User": addr.User, "Host": addr.Host}
	refuse := func(code, key, msg string) error {
		return &app.Error{Code: code, Key: key, Message: msg + " (" + addr.String() + ")", Data: data, Err: e.Err}
	}
	var pe *pgconn.PgError
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000"):
		// invalid_password; invalid_authorization_specification (no
		// pg_hba.conf line lets this user in from here)
		return refuse(app.EUNAUTHORIZED, "error.orgdb.login", "the organisation database refused the user name or password")
	case errors.As(err, &pe) && pe.Code == "3D000":
		return refuse(app.ENOTFOUND, "error.orgdb.no_database", "the organisation database does not exist on its server")
	case errors.As(err, &unknownCA), errors.As(err, &badHost), errors.As(err, &verify):
		return refuse(app.EUNAVAILABLE, "error.orgdb.tls_certificate",
			"the organisation database's TLS certificate could not be verified")
	case strings.Contains(err.Error(), "server refused TLS connection"):
		// pgconn says so in words only (no error value to match).
		return refuse(app.EUNAVAILABLE, "error.orgdb.tls_not_offered",
			"TLS is required but the organisation database's server does not offer it")
	}
	return &app.Error{Code: e.Code, Key: e.Key, Message: e.Message, Data: data, Err: e.Err}
}
