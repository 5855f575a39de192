package postgres_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/postgres"
)

// The environment of a child process making wrong passphrase attempts:
// the organisation database and how many attempts it makes at once.
const (
	unlockChildDB    = "TRAINPAY_PG_UNLOCK_CHILD_DB"
	unlockChildTries = "TRAINPAY_PG_UNLOCK_CHILD_TRIES"
)

const (
	rightPassphrase = "correct horse battery"
	wrongPassphrase = "not the passphrase at all"
)

// cheapArgon2 keeps the tests' hashing quick.
var cheapArgon2 = app.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

// Four desktops on one organisation database each make ten wrong
// passphrase attempts at once: every one of the forty is counted (the
// credential's row is locked while each is counted), the pause is in
// force, and even the right passphrase is then refused.
func TestWrongPassphrasesFromSeveralDesktopsAreEachCounted(t *testing.T) {
	if url := os.Getenv(unlockChildDB); url != "" {
		tries, err := strconv.Atoi(os.Getenv(unlockChildTries))
		if err != nil {
			t.Fatal(err)
		}
		wrongAttemptsInChild(t, url, tries)
		return
	}
	ctx := context.Background()
	db, url := openTempURL(t)
	svc := app.NewSiteService(db)
	svc.Argon2 = cheapArgon2
	if err := svc.Setup(ctx, app.Site{
		Name: "Acme Training", Country: "US", Currency: "USD", TimeZone: "America/New_York",
		Language: "en",
	}, rightPassphrase); err != nil {
		t.Fatal(err)
	}
	const procs, tries = 4, 10
	outs := make([][]byte, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for i := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWrongPassphrasesFromSeveralDesktopsAreEachCounted$")
		cmd.Env = append(os.Environ(), unlockChildDB+"="+url, fmt.Sprintf("%s=%d", unlockChildTries, tries))
		wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	cred, err := db.AdminCredential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cred.FailedAttempts != procs*tries {
		t.Fatalf("%d wrong attempts counted, want %d", cred.FailedAttempts, procs*tries)
	}
	if !time.Now().Before(cred.LockedUntil) {
		t.Fatalf("no pause in force after %d wrong attempts (paused until %v)", procs*tries, cred.LockedUntil)
	}
	admin, err := svc.Unlock(ctx, rightPassphrase)
	if admin != nil {
		t.Fatal("the right passphrase unlocked during the pause")
	}
	wantError(t, err, app.ELOCKED, "error.passphrase.locked")
}

// wrongAttemptsInChild makes tries concurrent wrong attempts, as another
// desktop on the organisation database would.
func wrongAttemptsInChild(t *testing.T, url string, tries int) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &app.SiteService{Store: db, Argon2: cheapArgon2}
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() { _, errs[i] = svc.Unlock(ctx, wrongPassphrase) })
	}
	wg.Wait()
	for i, err := range errs {
		if c := app.ErrorCode(err); c != app.EUNAUTHORIZED && c != app.ELOCKED {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
}
