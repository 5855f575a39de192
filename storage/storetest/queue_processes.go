package storetest

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// The environment of a queue child process (besides the database, which
// each backend's test passes its own way).
const (
	queueChildRequest = "TRAINPAY_QUEUE_CHILD_REQUEST"
	queueChildSession = "TRAINPAY_QUEUE_CHILD_SESSION"
	queueChildDept    = "TRAINPAY_QUEUE_CHILD_DEPARTMENT"
)

// QueueRace is what RaceQueueAnswers set up: an open request to answer,
// and a second session of the same department whose request every child
// opens at once.
type QueueRace struct {
	Request app.PaymentRequest
	Session int64
	Dept    int64
}

// RaceQueueAnswers is the parent's side of a race of n processes (this
// test binary run again, running test, with env added) on the store s:
// every child opens the second session's request and answers the first
// request, all released together. Exactly one answer closes the request,
// every other child is told it is no longer open, and the second session
// ends with one open request.
func RaceQueueAnswers(t *testing.T, s app.Store, n int, test string, env ...string) {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateSite(ctx, app.Site{
		Name: "Acme Training", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw",
		Language: "pl", Mode: app.ModeTest, CreatedAt: Clock,
	}, app.AdminCredential{Hash: "$argon2id$test"}, nil); err != nil {
		t.Fatal(err)
	}
	d := NewDepartment(t, s, "Sprzedaż", "CC-1")
	first := queueRequest(t, s, DepartmentSession(t, s, d.ID, Clock.Add(72*time.Hour)), d.ID, 34200)
	second := DepartmentSession(t, s, d.ID, Clock.Add(96*time.Hour))
	env = append(env, queueChildRequest+"="+strconv.FormatInt(first.ID, 10),
		queueChildSession+"="+strconv.FormatInt(second, 10), queueChildDept+"="+strconv.FormatInt(d.ID, 10))
	answered, refused := RacePayersRefusedWith(t, n, test, []string{"error.queue.not_open"}, env...)
	if answered != 1 || refused != n-1 {
		t.Fatalf("%d processes answered the request and %d were refused, want 1 and %d", answered, refused, n-1)
	}
	got, err := s.PaymentRequest(ctx, first.ID)
	if err != nil || got.State != app.RequestDeclined || got.Reason == "" {
		t.Fatalf("the answered request: %+v %v", got, err)
	}
	open, err := s.OpenPaymentRequests(ctx, []int64{d.ID})
	if err != nil || len(open) != 1 || open[0].SessionID != second {
		t.Fatalf("the second session's open requests: %+v %v", open, err)
	}
}

// AnswerOnceWhenReleased is one child of RaceQueueAnswers: with its own
// handle s on the database it says READY, waits for its standard input to
// close, opens the second session's request, answers the first and prints
// the outcome as RacePayersRefusedWith reads it ("paid" for the answer
// that closed the request).
func AnswerOnceWhenReleased(t *testing.T, s app.Store) {
	ctx := context.Background()
	num := func(name string) int64 {
		v, err := strconv.ParseInt(os.Getenv(name), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	request, session, dept := num(queueChildRequest), num(queueChildSession), num(queueChildDept)
	me := os.Getenv(ChildIndexEnv)
	fmt.Println("READY")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		t.Fatal(err)
	}
	r := app.PaymentRequest{SessionID: session, DepartmentID: dept, AmountMinor: 10000 + num(ChildIndexEnv), Currency: "PLN"}
	if err := s.OpenPaymentRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	err := s.AnswerPaymentRequest(ctx, request, app.RequestAnswer{
		State:  app.RequestDeclined,
		Reason: "declined by desktop " + me, DecidedBy: "owner-" + me,
	})
	if err == nil {
		fmt.Printf("RESULT paid %d\n", request)
		return
	}
	e := app.AsError(err)
	fmt.Printf("RESULT %s %s %d\n", e.Code, e.Key, request)
}
