package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
)

const wrongPassphrase = "not the passphrase at all"

// setUpSite creates the site on a fresh file and returns a service with the
// real clock.
func setUpSite(t *testing.T) (*app.SiteService, string) {
	t.Helper()
	svc, _, path := newService(t)
	svc.Now = nil
	if err := svc.Setup(context.Background(), validSite(), pass); err != nil {
		t.Fatal(err)
	}
	return svc, path
}

// wantPausedAfter checks that the stored count is n, that a pause is in
// force, and that even the right passphrase is then refused with the pause
// message.
func wantPausedAfter(t *testing.T, svc *app.SiteService, n int) {
	t.Helper()
	ctx := context.Background()
	cred, err := svc.Store.AdminCredential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cred.FailedAttempts != n {
		t.Fatalf("%d wrong attempts counted, want %d", cred.FailedAttempts, n)
	}
	if !time.Now().Before(cred.LockedUntil) {
		t.Fatalf("no pause in force after %d wrong attempts (paused until %v)", n, cred.LockedUntil)
	}
	a, err := svc.Unlock(ctx, pass)
	if a != nil {
		t.Fatal("the right passphrase unlocked during the pause")
	}
	wantCode(t, err, app.ELOCKED, "error.passphrase.locked")
}

func TestConcurrentWrongPassphrasesAreEachCountedAndPause(t *testing.T) {
	svc, _ := setUpSite(t)
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = svc.Unlock(context.Background(), wrongPassphrase) })
	}
	wg.Wait()
	for i, err := range errs {
		if c := app.ErrorCode(err); c != app.EUNAUTHORIZED && c != app.ELOCKED {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	wantPausedAfter(t, svc, n)
}

// unlockChildEnv names the database a re-executed test binary attacks: the
// test binary started with it set is one of the attacking processes.
const unlockChildEnv = "TRAINPAY_TEST_UNLOCK_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(unlockChildEnv); path != "" {
		tries, _ := strconv.Atoi(os.Getenv(unlockChildEnv + "_TRIES"))
		if err := wrongAttempts(path, tries); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// wrongAttempts makes tries concurrent wrong attempts on the database at
// path, as another TrainPay process on the same file would.
func wrongAttempts(path string, tries int) error {
	db, err := storage.Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := testsite.Service(db)
	var wg sync.WaitGroup
	errs := make([]error, tries)
	for i := range tries {
		wg.Go(func() {
			_, err := svc.Unlock(context.Background(), wrongPassphrase)
			if c := app.ErrorCode(err); c != app.EUNAUTHORIZED && c != app.ELOCKED {
				errs[i] = fmt.Errorf("attempt %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestWrongPassphrasesFromSeveralProcessesAreEachCounted(t *testing.T) {
	svc, path := setUpSite(t)
	const procs, tries = 4, 10
	cmds := make([]*exec.Cmd, procs)
	for i := range cmds {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), unlockChildEnv+"="+path, fmt.Sprintf("%s_TRIES=%d", unlockChildEnv, tries))
		cmd.Dir = filepath.Dir(path)
		cmds[i] = cmd
	}
	outs := make([][]byte, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	wantPausedAfter(t, svc, procs*tries)
}
