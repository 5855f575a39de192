package storetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// RacePayers runs n copies of the running test binary, each running only
// the test named test with env added to its environment (the child's side
// calls PayOnceWhenReleased). It waits until every child has opened its
// database and gateway and printed READY, releases them together by closing
// their standard input, and counts the children that paid and those
// refused because a payment for the same thing was in progress or made. A
// child that fails, never gets ready or ends any other way fails t.
func RacePayers(t *testing.T, n int, test string, env ...string) (paid, refused int) {
	t.Helper()
	return RacePayersRefusedWith(t, n, test, []string{"error.payment.in_progress", "error.payment.already_paid"}, env...)
}

// ChildIndexEnv names, in each child's environment, its index among
// RacePayersRefusedWith's children (0 to n-1), for children that pay
// different things.
const ChildIndexEnv = "TRAINPAY_RACE_CHILD"

// RacePayersRefusedWith is RacePayers where a refused child is one told
// ECONFLICT with one of the keys refusals; each child's environment also
// holds its index (ChildIndexEnv).
func RacePayersRefusedWith(t *testing.T, n int, test string, refusals []string, env ...string) (paid, refused int) {
	t.Helper()
	for i, result := range raceChildren(t, n, test, ChildIndexEnv, env) {
		switch f := strings.Fields(result); {
		case len(f) == 2 && f[0] == "paid":
			paid++
		case len(f) == 3 && f[0] == app.ECONFLICT && slices.Contains(refusals, f[1]):
			refused++
		default:
			t.Errorf("child %d: result %q, want paid or a conflict saying %s", i, result, strings.Join(refusals, " or "))
		}
	}
	return paid, refused
}

// raceChildren runs n copies of the running test binary, each running only
// the test named test with env added to its environment and its number
// (0 to n-1) in indexEnv. It waits until every child has opened what it
// needs and printed READY, releases them together by closing their
// standard input, and returns what each printed after "RESULT " (the last
// such line; "" when none). A child that never gets ready fails t at
// once; one that exits with an error fails t. Children still running when
// t ends are killed.
func raceChildren(t *testing.T, n int, test, indexEnv string, env []string) []string {
	t.Helper()
	type child struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		lines chan string
	}
	children := make([]child, n)
	for i := range children {
		cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
		cmd.Env = append(append(os.Environ(), env...), fmt.Sprintf("%s=%d", indexEnv, i))
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
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
		})
	}
	// The barrier: every child waits on its standard input; closing them
	// all lets them go together.
	for i, c := range children {
		if !waitLine(c.lines, "READY", 60*time.Second) {
			t.Fatalf("child %d never got ready", i)
		}
	}
	for _, c := range children {
		c.stdin.Close()
	}
	results := make([]string, n)
	for i, c := range children {
		for line := range c.lines {
			if r, ok := strings.CutPrefix(line, "RESULT "); ok {
				results[i] = r
			}
		}
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	return results
}

// PayOnceWhenReleased is one paying child of RacePayers: with its database
// and gateway open in svc, it says READY, waits for its standard input to
// close, charges req once and prints the outcome.
func PayOnceWhenReleased(t *testing.T, svc *app.PaymentService, req app.ChargeRequest) {
	fmt.Println("READY")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Charge(context.Background(), req)
	if err == nil {
		fmt.Printf("RESULT paid %d\n", p.ID)
		return
	}
	e := app.AsError(err)
	fmt.Printf("RESULT %s %s %d\n", e.Code, e.Key, p.ID)
}

// waitLine waits for a line equal to want on lines.
func waitLine(lines <-chan string, want string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return false
			}
			if line == want {
				return true
			}
		case <-deadline:
			return false
		}
	}
}
