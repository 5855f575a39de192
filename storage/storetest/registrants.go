package storetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

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
	type child struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		lines chan string
	}
	children := make([]child, n)
	for i := range children {
		cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
		cmd.Env = append(append(os.Environ(), env...), fmt.Sprintf("%s=%d", RegistrantEnv, i))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 64)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		children[i] = child{cmd: cmd, stdin: stdin, lines: lines}
	}
	for i, c := range children {
		if !waitLine(c.lines, "READY", 60*time.Second) {
			t.Fatalf("child %d never got ready", i)
		}
	}
	for _, c := range children {
		c.stdin.Close()
	}
	for i, c := range children {
		var result string
		for line := range c.lines {
			if r, ok := strings.CutPrefix(line, "RESULT "); ok {
				result = r
			}
		}
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
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
