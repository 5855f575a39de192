package storetest

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
)

// RaceRegistrants runs n copies of the running test binary, each running
// only the test named test with env added to its environment and
// TRAINPAY_REGISTRANT set to its number (the child's side calls
// RegisterOnceWhenReleased). It waits until every child has opened its
// database and printed READY, releases them together by closing their
// standard input, and counts the children that registered and those told
// the session is full. A child that fails, never gets ready or ends any
// other way fails t.
func RaceRegistrants(t *testing.T, n int, test string, env ...string) (registered, full int) {
	t.Helper()
	for i, result := range raceChildren(t, n, test, RegistrantEnv, env) {
		switch f := strings.Fields(result); {
		case len(f) == 2 && f[0] == "registered":
			registered++
		case len(f) == 2 && f[0] == app.ECONFLICT && f[1] == "error.registration.full":
			full++
		default:
			t.Errorf("child %d: result %q, want registered or full", i, result)
		}
	}
	return registered, full
}

// RegistrantEnv names the environment variable that holds a
// RaceRegistrants child's number.
const RegistrantEnv = "TRAINPAY_REGISTRANT"

// RegisterOnceWhenReleased is one registering child of RaceRegistrants:
// with its database open in s, it says READY, waits for its standard input
// to close, registers its own attendee (Attendee of its number) for the
// session at Clock and prints the outcome.
func RegisterOnceWhenReleased(t *testing.T, s app.RegistrationStore, sessionID int64) {
	var i int
	if _, err := fmt.Sscan(os.Getenv(RegistrantEnv), &i); err != nil {
		t.Fatalf("%s: %v", RegistrantEnv, err)
	}
	fmt.Println("READY")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		t.Fatal(err)
	}
	r := app.Registration{SessionID: sessionID, Attendee: Attendee(i)}
	if err := s.Register(context.Background(), &r, Clock); err != nil {
		e := app.AsError(err)
		fmt.Printf("RESULT %s %s\n", e.Code, e.Key)
		return
	}
	fmt.Printf("RESULT registered %d\n", r.ID)
}
