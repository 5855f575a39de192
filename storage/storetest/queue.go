package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// RunQueueStore runs the payment request store's contract (the budget
// owner's "To pay" queue) against the stores open returns: each call must
// give a new, empty database.
func RunQueueStore(t *testing.T, open func(t *testing.T) app.Store) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, app.Store)
	}{
		{"OpeningAgainUpdatesTheOneOpenRequest", openingAgainUpdatesTheOpenRequest},
		{"ConcurrentOpensLeaveOneOpenRequest", concurrentOpensLeaveOneOpenRequest},
		{"AnAnswerClosesTheRequestOnceAndForAll", anAnswerClosesTheRequestOnce},
		{"OpenRequestsAreTheDepartmentsOwnOldestFirst", openRequestsAreTheDepartmentsOwn},
		{"RequestForAnUnknownSessionIsNotFound", requestForUnknownSession},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			site := app.Site{
				Name: "Acme Training", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw",
				Language: "pl", Mode: app.ModeTest, CreatedAt: Clock,
			}
			if err := s.CreateSite(context.Background(), site, app.AdminCredential{Hash: "$argon2id$test"}, nil); err != nil {
				t.Fatal(err)
			}
			c.run(t, s)
		})
	}
}

// queueRequest opens a request of amount for the session and department.
func queueRequest(t *testing.T, s app.Store, session, department, amount int64) app.PaymentRequest {
	t.Helper()
	r := app.PaymentRequest{
		SessionID: session, DepartmentID: department, AmountMinor: amount, Currency: "PLN",
		UpdatedAt: Clock,
	}
	if err := s.OpenPaymentRequest(context.Background(), &r); err != nil {
		t.Fatalf("OpenPaymentRequest(session %d, %d): %v", session, amount, err)
	}
	return r
}

func openingAgainUpdatesTheOpenRequest(t *testing.T, s app.Store) {
	ctx := context.Background()
	d := NewDepartment(t, s, "Sprzedaż", "CC-1")
	ses := DepartmentSession(t, s, d.ID, Clock.Add(72*time.Hour))
	if _, ok, err := s.LatestPaymentRequest(ctx, ses); ok || err != nil {
		t.Fatalf("a new session has a request: %v %v", ok, err)
	}
	first := queueRequest(t, s, ses, d.ID, 34200)
	if first.ID == 0 || first.State != app.RequestOpen || first.AmountMinor != 34200 || first.Currency != "PLN" ||
		!first.CreatedAt.Equal(Clock) || !first.DecidedAt.IsZero() {
		t.Fatalf("opened %+v", first)
	}
	again := queueRequest(t, s, ses, d.ID, 45600)
	if again.ID != first.ID || again.AmountMinor != 45600 || !again.CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("opened again %+v, first %+v", again, first)
	}
	latest, ok, err := s.LatestPaymentRequest(ctx, ses)
	if err != nil || !ok || latest != again {
		t.Fatalf("latest %+v %v %v, want %+v", latest, ok, err, again)
	}
	open, err := s.OpenPaymentRequests(ctx, []int64{d.ID})
	if err != nil || len(open) != 1 || open[0] != again {
		t.Fatalf("open requests %+v %v", open, err)
	}
}

// Eight writers open the same session's request at once, each with its
// own amount: one open request is left, holding one of the amounts.
func concurrentOpensLeaveOneOpenRequest(t *testing.T, s app.Store) {
	ctx := context.Background()
	d := NewDepartment(t, s, "Sprzedaż", "CC-1")
	ses := DepartmentSession(t, s, d.ID, Clock.Add(72*time.Hour))
	const writers = 8
	var wg sync.WaitGroup
	ids := make([]int64, writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := app.PaymentRequest{
				SessionID: ses, DepartmentID: d.ID, AmountMinor: int64(1000 + i), Currency: "PLN",
				UpdatedAt: Clock,
			}
			errs[i] = s.OpenPaymentRequest(ctx, &r)
			ids[i] = r.ID
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
		if ids[i] != ids[0] {
			t.Fatalf("writers got requests %v: more than one open", ids)
		}
	}
	open, err := s.OpenPaymentRequests(ctx, []int64{d.ID})
	if err != nil || len(open) != 1 || open[0].AmountMinor < 1000 || open[0].AmountMinor >= 1000+writers {
		t.Fatalf("open requests %+v %v", open, err)
	}
}

func anAnswerClosesTheRequestOnce(t *testing.T, s app.Store) {
	ctx := context.Background()
	d := NewDepartment(t, s, "Sprzedaż", "CC-1")
	ses := DepartmentSession(t, s, d.ID, Clock.Add(72*time.Hour))
	r := queueRequest(t, s, ses, d.ID, 34200)
	at := Clock.Add(time.Hour)
	if err := s.AnswerPaymentRequest(ctx, r.ID, app.RequestAnswer{
		State: app.RequestDeclined, Reason: "Za drogo",
		DecidedBy: "ewa", At: at,
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.PaymentRequest(ctx, r.ID)
	if err != nil || got.State != app.RequestDeclined || got.Reason != "Za drogo" || got.DecidedBy != "ewa" ||
		!got.DecidedAt.Equal(at) || got.AmountMinor != 34200 {
		t.Fatalf("declined %+v %v", got, err)
	}
	// A second answer, paid this time, finds it closed and changes nothing.
	sale := Create(t, s, PayPerUseSale(app.PurposePayPerUse, ses, 34200), app.StateApproved)
	err = s.AnswerPaymentRequest(ctx, r.ID, app.RequestAnswer{State: app.RequestPaid, PaymentID: sale.ID, At: at})
	WantError(t, err, app.ECONFLICT, "error.queue.not_open")
	if again, _ := s.PaymentRequest(ctx, r.ID); again != got {
		t.Fatalf("a closed request changed: %+v, was %+v", again, got)
	}
	err = s.AnswerPaymentRequest(ctx, r.ID+1000, app.RequestAnswer{State: app.RequestWithdrawn, At: at})
	WantError(t, err, app.ENOTFOUND, "error.queue.not_found")
	_, err = s.PaymentRequest(ctx, r.ID+1000)
	WantError(t, err, app.ENOTFOUND, "error.queue.not_found")
	if open, err := s.OpenPaymentRequests(ctx, []int64{d.ID}); err != nil || len(open) != 0 {
		t.Fatalf("a declined request is still open: %+v %v", open, err)
	}

	// After the decline, the session may be asked for again: a new request.
	next := queueRequest(t, s, ses, d.ID, 45600)
	if next.ID == r.ID || next.State != app.RequestOpen {
		t.Fatalf("asked again: %+v", next)
	}
	if err := s.AnswerPaymentRequest(ctx, next.ID, app.RequestAnswer{
		State: app.RequestPaid, PaymentID: sale.ID,
		DecidedBy: "ewa", At: at,
	}); err != nil {
		t.Fatal(err)
	}
	latest, ok, err := s.LatestPaymentRequest(ctx, ses)
	if err != nil || !ok || latest.ID != next.ID || latest.State != app.RequestPaid || latest.PaymentID != sale.ID {
		t.Fatalf("latest %+v %v %v", latest, ok, err)
	}
}

func openRequestsAreTheDepartmentsOwn(t *testing.T, s app.Store) {
	ctx := context.Background()
	sales := NewDepartment(t, s, "Sprzedaż", "CC-1")
	hr := NewDepartment(t, s, "Kadry", "CC-2")
	other := NewDepartment(t, s, "Zakupy", "CC-3")
	a := queueRequest(t, s, DepartmentSession(t, s, sales.ID, Clock.Add(72*time.Hour)), sales.ID, 100)
	b := queueRequest(t, s, DepartmentSession(t, s, hr.ID, Clock.Add(24*time.Hour)), hr.ID, 200)
	queueRequest(t, s, DepartmentSession(t, s, other.ID, Clock.Add(24*time.Hour)), other.ID, 300)
	c := queueRequest(t, s, DepartmentSession(t, s, sales.ID, Clock.Add(48*time.Hour)), sales.ID, 400)
	gone := queueRequest(t, s, DepartmentSession(t, s, hr.ID, Clock.Add(48*time.Hour)), hr.ID, 500)
	if err := s.AnswerPaymentRequest(ctx, gone.ID, app.RequestAnswer{State: app.RequestWithdrawn, At: Clock}); err != nil {
		t.Fatal(err)
	}
	got, err := s.OpenPaymentRequests(ctx, []int64{sales.ID, hr.ID})
	if err != nil || len(got) != 3 || got[0].ID != a.ID || got[1].ID != b.ID || got[2].ID != c.ID {
		t.Fatalf("open requests of two departments: %+v %v", got, err)
	}
	if none, err := s.OpenPaymentRequests(ctx, nil); err != nil || len(none) != 0 {
		t.Fatalf("no departments: %+v %v", none, err)
	}
}

func requestForUnknownSession(t *testing.T, s app.Store) {
	d := NewDepartment(t, s, "Sprzedaż", "CC-1")
	r := app.PaymentRequest{SessionID: 4242, DepartmentID: d.ID, AmountMinor: 100, Currency: "PLN", UpdatedAt: Clock}
	WantError(t, s.OpenPaymentRequest(context.Background(), &r), app.ENOTFOUND, "error.session.not_found")
}
