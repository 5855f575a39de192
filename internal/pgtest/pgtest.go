// Package pgtest gives tests a throwaway PostgreSQL: one cluster per test
// binary, one fresh database per test.
//
// A package that uses it runs its tests through Main:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// and a test asks for a database with DB(t), which returns its URL and drops
// it when the test ends.
//
// Where the server comes from:
//
//   - TRAINPAY_TEST_POSTGRES set (a URL of a role that may CREATE DATABASE):
//     that server; nothing is started or stopped.
//   - Otherwise the first DB call initdb's a cluster in a temporary folder
//     (locale C.UTF-8, trust authentication on a Unix socket in that
//     folder only, fsync off since nothing in it must survive) and starts it
//     with pg_ctl. Main stops it and removes the folder when the package's
//     tests end. Should the test binary die without reaching that (a panic
//     in a test, a timeout, a kill), a watchdog process started with the
//     cluster notices its parent is gone and stops it all the same.
//     PostgreSQL refuses to run as root, so as root the cluster belongs to
//     the postgres user (initdb and pg_ctl run through runuser, and the
//     folder is given to that user); as anyone else it is theirs.
//     The cluster also listens on 127.0.0.1 at a free port, where every
//     connection must give a password (scram-sha-256), as an organisation's
//     server would ask: PasswordDB gives a database and a role for that.
//
// Stop and Start take this binary's cluster down (as a crash would:
// pg_ctl stop -m immediate) and bring it back on the same socket and port,
// for tests of what the app does while its database is gone.
//
// No PostgreSQL installed is a failure, never a skip: `make test` installs
// it (scripts/deps postgresql), and a skipped test must not pass for one that
// ran.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "TRAINPAY_TEST_POSTGRES"

// clusterUser owns a cluster started as root; it is also the superuser's
// name in every cluster this package creates.
const clusterUser = "postgres"

var (
	mu       sync.Mutex
	inMain   bool     // Main is running the tests
	started  *cluster // the cluster of this binary, once started
	startErr error    // why it could not start (reported to every test)
	startDur time.Duration
)

// Main runs m's tests, stops the cluster they started (if any) and exits
// with their result.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main without the exit, for a TestMain that cleans up more after
// the tests: it runs them, stops the cluster and returns their result.
func Run(m *testing.M) int {
	mu.Lock()
	inMain = true
	mu.Unlock()
	return run(m)
}

func run(m *testing.M) int {
	defer stop()
	return m.Run()
}

// stop ends the cluster, if this binary started one.
func stop() {
	mu.Lock()
	defer mu.Unlock()
	if started != nil {
		if err := started.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
		started = nil
	}
}

// StartupCost is how long starting this binary's cluster took (initdb and
// pg_ctl start); zero when none was started.
func StartupCost() time.Duration {
	mu.Lock()
	defer mu.Unlock()
	return startDur
}

// Conn connects to the database at u (a URL from DB or PasswordDB), for a
// test that reads or changes it behind the code under test; the
// connection is closed when t ends. It fails t when it cannot connect.
func Conn(t testing.TB, u string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// DB creates a new, empty database and returns its URL; the database is
// dropped when t ends. It fails t when no server can be had.
func DB(t testing.TB) string {
	t.Helper()
	base, err := server()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", redact(base), err)
	}
	defer admin.Close(ctx)
	name := "trainpay_test_" + strconv.Itoa(os.Getpid()) + "_" + randomHex(6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("pgtest: connect to drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		// FORCE: a pool the test left open must not keep it alive.
		if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", redact(base), err)
	}
	u.Path = "/" + name
	return u.String()
}

// server returns the URL of a database on the server to use (its
// maintenance database), starting this binary's cluster on first use.
func server() (string, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, nil
	}
	mu.Lock()
	defer mu.Unlock()
	if !inMain {
		return "", errors.New("the package's TestMain must call pgtest.Main, which stops the cluster when the tests end")
	}
	if started == nil && startErr == nil {
		t0 := time.Now()
		started, startErr = start()
		startDur = time.Since(t0)
	}
	if startErr != nil {
		return "", startErr
	}
	return started.url, nil
}

// cluster is a running PostgreSQL in a temporary folder.
type cluster struct {
	dir      string // the folder: data/, the socket, the log
	bin      string // PostgreSQL's bin folder
	asRoot   bool
	url      string
	port     int // on 127.0.0.1 (and the socket's number)
	watchdog *exec.Cmd
}

// Bin finds PostgreSQL's programs: initdb on PATH, else the newest of
// Debian's /usr/lib/postgresql/*/bin.
func Bin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): " +
		"make test installs postgresql; or set " + EnvURL + " to a server's URL")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func start() (*cluster, error) {
	bin, err := Bin()
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, asRoot: os.Geteuid() == 0}
	// Under /tmp rather than $TMPDIR: the postgres user must reach the
	// folder (a root TMPDIR may be private), and a socket path has ~100
	// bytes at most.
	if c.dir, err = os.MkdirTemp("/tmp", "trainpay-pg-"); err != nil {
		return nil, fmt.Errorf("temporary folder: %w", err)
	}
	if c.asRoot {
		u, err := user.Lookup(clusterUser)
		if err != nil {
			os.RemoveAll(c.dir)
			return nil, fmt.Errorf("running as root, the cluster must belong to the %s user: %w", clusterUser, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			os.RemoveAll(c.dir)
			return nil, fmt.Errorf("give %s to %s: %w", c.dir, clusterUser, err)
		}
	}
	data := filepath.Join(c.dir, "data")
	// Trust on the socket (the harness and most tests); a password on TCP.
	if out, err := c.pg("initdb", "-D", data, "-U", clusterUser, "--auth-local=trust",
		"--auth-host=scram-sha-256", "--locale=C.UTF-8", "--encoding=UTF8", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(c.dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// The watchdog first: from here on, a dying test binary takes the
	// cluster and the folder with it.
	if err := c.startWatchdog(); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	if c.port, err = freePort(); err != nil {
		c.stop()
		return nil, err
	}
	if err := c.pgStart(); err != nil {
		c.stop()
		return nil, err
	}
	c.url = (&url.URL{
		Scheme: "postgres", User: url.User(clusterUser), Path: "/postgres",
		RawQuery: url.Values{"host": {c.dir}, "port": {strconv.Itoa(c.port)}, "sslmode": {"disable"}}.Encode(),
	}).String()
	return c, nil
}

// pgStart starts the cluster's server and waits until it accepts
// connections. Commits are synchronous (each writes its WAL before it
// returns), so what a test committed survives Stop; fsync stays off, as
// the machine itself does not crash.
func (c *cluster) pgStart() error {
	opts := fmt.Sprintf("-c unix_socket_directories=%s -c listen_addresses=127.0.0.1 -c port=%d -c fsync=off "+
		"-c full_page_writes=off -c max_connections=200", c.dir, c.port)
	if out, err := c.pg("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "log"), "-o", opts,
		"-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

// freePort is a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// own is this binary's running cluster, or a failure of t: Stop, Start and
// PasswordDB need a server the harness started.
func own(t testing.TB) *cluster {
	t.Helper()
	if os.Getenv(EnvURL) != "" {
		t.Fatalf("pgtest: the tests use the server named by %s, which they cannot stop, start or reach by password", EnvURL)
	}
	if _, err := server(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return started
}

// Stop stops this binary's server at once, as a crash or a pulled cable
// would (pg_ctl stop -m immediate: no checkpoint, every connection cut).
// The databases stay; Start brings them back.
func Stop(t testing.TB) {
	t.Helper()
	c := own(t)
	if out, err := c.pg("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
		t.Fatalf("pgtest: pg_ctl stop: %v\n%s", err, out)
	}
}

// Start starts this binary's server again after Stop, on the same socket
// and port, and waits until it accepts connections (crash recovery
// included).
func Start(t testing.TB) {
	t.Helper()
	c := own(t)
	if err := c.pgStart(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// PasswordDB creates a role that may log in with a password and a new
// database it owns (the role has CREATEROLE, as the IT administrator's role
// that owns a TrainPay organisation database needs: its migrations create
// the people's group roles), and returns the URL that reaches them over TCP on
// 127.0.0.1 (password included, sslmode=disable), as an organisation's
// server is reached. Both are dropped when t ends.
func PasswordDB(t testing.TB) (u string, role, password string) {
	t.Helper()
	c := own(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, c.url)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer admin.Close(ctx)
	role = "trainpay_role_" + randomHex(6)
	password = randomHex(12)
	name := "trainpay_test_" + strconv.Itoa(os.Getpid()) + "_" + randomHex(6)
	for _, q := range []string{
		"CREATE ROLE " + pgx.Identifier{role}.Sanitize() + " LOGIN CREATEROLE PASSWORD '" + password + "'",
		"CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " OWNER " + pgx.Identifier{role}.Sanitize(),
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, c.url)
		if err != nil {
			t.Errorf("pgtest: connect to drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		for _, q := range []string{
			"DROP DATABASE " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)",
			"DROP ROLE " + pgx.Identifier{role}.Sanitize(),
		} {
			if _, err := admin.Exec(ctx, q); err != nil {
				t.Errorf("pgtest: %v", err)
			}
		}
	})
	return (&url.URL{
		Scheme: "postgres", User: url.UserPassword(role, password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + name,
		RawQuery: "sslmode=disable",
	}).String(), role, password
}

// pg is PostgreSQL's program name run as the cluster's owner.
func (c *cluster) pg(name string, args ...string) *exec.Cmd {
	prog := filepath.Join(c.bin, name)
	if c.asRoot {
		return exec.Command("runuser", append([]string{"-u", clusterUser, "--", prog}, args...)...)
	}
	return exec.Command(prog, args...)
}

// watchdogScript waits for the process $1 to end, then stops the cluster
// in $2 (with the pg_ctl command that follows) and removes the folder.
const watchdogScript = `parent=$1 dir=$2; shift 2
while kill -0 "$parent" 2>/dev/null; do sleep 1; done
"$@" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
rm -rf "$dir"`

func (c *cluster) startWatchdog() error {
	ctl := c.pg("pg_ctl").Args
	args := append([]string{"-c", watchdogScript, "pgtest-watchdog", strconv.Itoa(os.Getpid()), c.dir}, ctl...)
	w := exec.Command("/bin/sh", args...)
	// Its own process group: a Ctrl-C to the tests must not stop the
	// watchdog before it has cleaned up. No stdio: go test waits for the
	// test binary's output to close, which an heir must not hold open.
	ownProcessGroup(w)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start the cluster's watchdog: %w", err)
	}
	c.watchdog = w
	go w.Wait() // reap it whenever it ends
	return nil
}

// stop ends the cluster and removes its folder.
func (c *cluster) stop() error {
	if c.watchdog != nil {
		c.watchdog.Process.Kill() // we stop it ourselves now
	}
	var errs []error
	data := filepath.Join(c.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		if out, err := c.pg("pg_ctl", "-D", data, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("pg_ctl stop: %v\n%s", err, out))
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// redact drops a password from a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}
