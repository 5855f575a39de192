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
//     (locale C.UTF-8, trust authentication, no TCP: a Unix socket in that
//     folder only, fsync off since nothing in it must survive) and starts it
//     with pg_ctl. Main stops it and removes the folder when the package's
//     tests end. Should the test binary die without reaching that (a panic
//     in a test, a timeout, a kill), a watchdog process started with the
//     cluster notices its parent is gone and stops it all the same.
//     PostgreSQL refuses to run as root, so as root the cluster belongs to
//     the postgres user (initdb and pg_ctl run through runuser, and the
//     folder is given to that user); as anyone else it is theirs.
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
	if out, err := c.pg("initdb", "-D", data, "-U", clusterUser, "--auth=trust",
		"--locale=C.UTF-8", "--encoding=UTF8", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(c.dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// The watchdog first: from here on, a dying test binary takes the
	// cluster and the folder with it.
	if err := c.startWatchdog(); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	opts := fmt.Sprintf("-c unix_socket_directories=%s -c listen_addresses='' -c fsync=off "+
		"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.dir)
	if out, err := c.pg("pg_ctl", "-D", data, "-l", filepath.Join(c.dir, "log"), "-o", opts,
		"-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.stop()
		return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	c.url = (&url.URL{Scheme: "postgres", User: url.User(clusterUser), Path: "/postgres",
		RawQuery: url.Values{"host": {c.dir}, "sslmode": {"disable"}}.Encode()}).String()
	return c, nil
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
