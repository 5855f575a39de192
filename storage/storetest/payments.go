// Package storetest is the behaviour every implementation of app's store
// interfaces must show, written once and run against each backend: the
// desktop's SQLite file (package storage) and the organisation's
// PostgreSQL database (package storage/postgres). A backend's own tests
// call the Run functions with a way to open a fresh, empty store; what
// only one backend can show (query plans, file headers, raw SQL from a
// second process) stays in that backend's tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

var paymentSeq atomic.Int64

// NewSale is a registration sale request with a unique key, invoice id and
// reference.
func NewSale(amount int64) app.Payment {
	n := paymentSeq.Add(1)
	return app.Payment{
		Key: fmt.Sprintf("%032x", time.Now().UnixNano()+n), InvoiceID: fmt.Sprintf("INV-%d-%d", time.Now().UnixNano(), n),
		Kind: app.KindSale, Purpose: app.PurposeRegistration, Reference: fmt.Sprintf("registration:%d", 1_000_000+n),
		Method: app.MethodCreditCard, Processor: app.ProcessorPayflow, Mode: app.ModeTest,
		AmountMinor: amount, Currency: "PLN", Description: "Szkolenie", PayerName: "Zofia Nowak",
		PayerEmail: "zofia@example.pl",
	}
}

// NewChild is a refund or void of parent.
func NewChild(kind app.PaymentKind, parent app.Payment, amount int64) app.Payment {
	p := NewSale(amount)
	p.Kind, p.ParentID, p.Currency = kind, parent.ID, parent.Currency
	p.Purpose, p.Reference = parent.Purpose, parent.Reference
	return p
}

// Create stores p and settles it in state (pending: left as created), and
// returns the row as read back.
func Create(t *testing.T, s app.PaymentStore, p app.Payment, state app.PaymentState) app.Payment {
	t.Helper()
	ctx := context.Background()
	if err := s.CreatePayment(ctx, &p); err != nil {
		t.Fatalf("CreatePayment(%s %d): %v", p.Kind, p.AmountMinor, err)
	}
	if state != app.StatePending {
		if err := s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: state, At: time.Now()}); err != nil {
			t.Fatalf("SettlePayment(%d, %s): %v", p.ID, state, err)
		}
	}
	got, err := s.Payment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// WantError checks err's code and key.
func WantError(t *testing.T, err error, code, key string) *app.Error {
	t.Helper()
	var e *app.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *app.Error", err, err)
	}
	if e.Code != code || e.Key != key {
		t.Fatalf("error %q: code %q key %q, want %q %q", err, e.Code, e.Key, code, key)
	}
	return e
}

// count is how many journal rows there are.
func count(t *testing.T, s app.PaymentStore) int {
	t.Helper()
	_, n, err := s.Payments(context.Background(), app.PaymentFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var allStates = []app.PaymentState{
	app.StatePending, app.StateApproved, app.StateHeld, app.StateDeclined,
	app.StateFailed, app.StateUnknown, app.StateNeedsReview,
}

// RunPaymentStore runs the payment journal's contract against the stores
// open returns: each call must give a new, empty journal.
func RunPaymentStore(t *testing.T, open func(t *testing.T) app.PaymentStore) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, app.PaymentStore)
	}{
		{"RoundTrip", paymentRoundTrip},
		{"DuplicateKey", paymentDuplicateKey},
		{"RefundRules", refundRules},
		{"ConcurrentRefundsStopAtTheLimit", concurrentRefundsStopAtTheLimit},
		{"SettleRules", settleRules},
		{"UnsettledOldestFirst", unsettledOldestFirst},
		{"PagingAndFilter", pagingAndFilter},
		{"PageIsAHundredUnlessAskedAndAThousandAtMost", pageSizes},
		{"OneLiveSalePerPurposeAndReference", oneLiveSalePerPurposeAndReference},
		{"ConcurrentSalesOfOneRegistrationRecordOne", concurrentSalesOfOneRegistrationRecordOne},
		{"PayPerUseSaleOnAStaleBasisIsRefused", payPerUseSaleOnAStaleBasisIsRefused},
		{"CaptureStartedMovesForward", captureStartedMovesForward},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

func paymentRoundTrip(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	// Whole microseconds: PostgreSQL keeps no finer time.
	created := time.Date(2025, 3, 30, 1, 59, 59, 123456000, time.FixedZone("CEST", 2*3600))
	p := app.Payment{
		Key: "0123456789abcdef0123456789abcdef", InvoiceID: "TP-2025-000001",
		Kind: app.KindSale, Purpose: app.PurposePayPerUse, Reference: "session:7",
		Method: app.MethodDebitCard, Processor: app.ProcessorWPPUKNVP, Mode: app.ModeProduction,
		AmountMinor: 12345, Currency: "GBP", Description: "Sesja „Wprowadzenie”", PayerName: "Jan Kowalski",
		PayerEmail: "jan@example.co.uk",
		State:      app.StateApproved, // ignored: a new row is pending
		Brand:      app.BrandMaestro, Last4: "0004", Funding: app.FundingDebit,
		CreatedAt: created,
	}
	if err := s.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || p.State != app.StatePending || !p.CreatedAt.Equal(created) || p.CreatedAt.Location() != time.UTC ||
		!p.UpdatedAt.Equal(p.CreatedAt) {
		t.Fatalf("after CreatePayment: %+v", p)
	}
	got, err := s.Payment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != p {
		t.Fatalf("Payment() = %+v\nwant        %+v", got, p)
	}

	at1 := time.Date(2025, 3, 30, 2, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{at1, at1.Add(time.Second)} {
		if err := s.MarkAttempt(ctx, p.ID, at); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Payment(ctx, p.ID)
		if got.Attempts != i+1 || !got.UpdatedAt.Equal(at) {
			t.Fatalf("after attempt %d: attempts %d, updated %v", i+1, got.Attempts, got.UpdatedAt)
		}
	}
	settled := at1.Add(3 * time.Second)
	u := app.PaymentUpdate{
		State: app.StateApproved, GatewayRef: "A10E1234", AuthCode: "010010",
		Brand: app.BrandMaestro, Last4: "0004", Funding: app.FundingDebit, ResultCode: "ACK=Success",
		Message: "Approved", At: settled,
	}
	if err := s.SettlePayment(ctx, p.ID, u); err != nil {
		t.Fatal(err)
	}
	want := p
	want.State, want.GatewayRef, want.AuthCode, want.ResultCode, want.Message = u.State, u.GatewayRef, u.AuthCode, u.ResultCode, u.Message
	want.Attempts, want.UpdatedAt = 2, settled
	if got, _ = s.Payment(ctx, p.ID); got != want {
		t.Fatalf("settled: %+v\nwant     %+v", got, want)
	}
	// A later answer that does not repeat the reference or card details
	// keeps them; result code, message and field are the latest.
	if err := s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, ResultCode: "lookup", Field: "cvv", At: settled}); err != nil {
		t.Fatal(err)
	}
	want.ResultCode, want.Message, want.Field = "lookup", "", "cvv"
	if got, _ = s.Payment(ctx, p.ID); got != want {
		t.Fatalf("re-settled: %+v\nwant        %+v", got, want)
	}

	r := NewChild(app.KindRefund, got, 2345)
	r.Method, r.Processor, r.Mode = got.Method, got.Processor, got.Mode
	if err := s.CreatePayment(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if gotR, _ := s.Payment(ctx, r.ID); gotR != r || gotR.ParentID != p.ID || gotR.RefundedMinor != 0 {
		t.Errorf("refund: %+v\nwant    %+v", gotR, r)
	}
	if got, _ = s.Payment(ctx, p.ID); got.RefundedMinor != 2345 {
		t.Errorf("RefundedMinor = %d, want 2345", got.RefundedMinor)
	}
	before := time.Now().UTC().Truncate(time.Microsecond)
	if err := s.MarkAttempt(ctx, r.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if gotR, _ := s.Payment(ctx, r.ID); gotR.UpdatedAt.Before(before) || gotR.UpdatedAt.Location() != time.UTC {
		t.Errorf("MarkAttempt with zero time: updated %v, before %v", gotR.UpdatedAt, before)
	}

	_, err = s.Payment(ctx, 999999)
	WantError(t, err, app.ENOTFOUND, "error.payment.not_found")
	WantError(t, s.MarkAttempt(ctx, 999999, time.Now()), app.ENOTFOUND, "error.payment.not_found")
	WantError(t, s.SettlePayment(ctx, 999999, app.PaymentUpdate{State: app.StateFailed}), app.ENOTFOUND, "error.payment.not_found")
}

func paymentDuplicateKey(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	first := Create(t, s, NewSale(100), app.StatePending)
	sameKey := NewSale(100)
	sameKey.Key = first.Key
	WantError(t, s.CreatePayment(ctx, &sameKey), app.ECONFLICT, "error.payment.duplicate_key")
	sameInvoice := NewSale(100)
	sameInvoice.InvoiceID = first.InvoiceID
	WantError(t, s.CreatePayment(ctx, &sameInvoice), app.ECONFLICT, "error.payment.duplicate_key")
	if sameKey.ID != 0 || sameInvoice.ID != 0 {
		t.Error("a refused payment got an id")
	}
	if n := count(t, s); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	// Other constraint failures are not duplicates.
	long := NewSale(100)
	long.Key = strings.Repeat("a", 33)
	if err := s.CreatePayment(ctx, &long); app.ErrorCode(err) != app.EINTERNAL {
		t.Errorf("a 33-character key: %v", err)
	}
}

func refundRules(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	sale := Create(t, s, NewSale(10000), app.StateApproved)
	// Unsettled and charged refunds count; declined and failed ones do not.
	Create(t, s, NewChild(app.KindRefund, sale, 1000), app.StateApproved)
	Create(t, s, NewChild(app.KindRefund, sale, 1000), app.StateHeld)
	Create(t, s, NewChild(app.KindRefund, sale, 1000), app.StatePending)
	Create(t, s, NewChild(app.KindRefund, sale, 1000), app.StateUnknown)
	Create(t, s, NewChild(app.KindRefund, sale, 1000), app.StateNeedsReview)
	Create(t, s, NewChild(app.KindRefund, sale, 5000), app.StateDeclined)
	Create(t, s, NewChild(app.KindRefund, sale, 5000), app.StateFailed)
	if got, _ := s.Payment(ctx, sale.ID); got.RefundedMinor != 5000 {
		t.Fatalf("RefundedMinor = %d, want 5000", got.RefundedMinor)
	}
	over := NewChild(app.KindRefund, sale, 5001)
	e := WantError(t, s.CreatePayment(ctx, &over), app.ECONFLICT, "error.payment.refund_exceeds")
	if left, ok := e.Data["Left"].(int64); !ok || left != 5000 {
		t.Errorf("Data %v, want Left int64 5000", e.Data)
	}
	exact := Create(t, s, NewChild(app.KindRefund, sale, 5000), app.StateApproved)
	one := NewChild(app.KindRefund, sale, 1)
	e = WantError(t, s.CreatePayment(ctx, &one), app.ECONFLICT, "error.payment.refund_exceeds")
	if e.Data["Left"] != int64(0) {
		t.Errorf("Data %v, want Left 0", e.Data)
	}
	// Only a charged sale can be refunded.
	for _, st := range []app.PaymentState{app.StateDeclined, app.StateFailed, app.StatePending, app.StateUnknown, app.StateNeedsReview} {
		uncharged := Create(t, s, NewSale(1000), st)
		r := NewChild(app.KindRefund, uncharged, 100)
		WantError(t, s.CreatePayment(ctx, &r), app.ECONFLICT, "error.payment.not_refundable")
	}
	held := Create(t, s, NewSale(1000), app.StateHeld)
	Create(t, s, NewChild(app.KindRefund, held, 1000), app.StatePending)
	r := NewChild(app.KindRefund, exact, 1)
	WantError(t, s.CreatePayment(ctx, &r), app.ECONFLICT, "error.payment.not_refundable")
	voided := Create(t, s, NewSale(1000), app.StateApproved)
	Create(t, s, NewChild(app.KindVoid, voided, 1000), app.StateUnknown)
	r = NewChild(app.KindRefund, voided, 100)
	WantError(t, s.CreatePayment(ctx, &r), app.ECONFLICT, "error.payment.not_refundable")
	voidDeclined := Create(t, s, NewSale(1000), app.StateApproved)
	Create(t, s, NewChild(app.KindVoid, voidDeclined, 1000), app.StateDeclined)
	Create(t, s, NewChild(app.KindRefund, voidDeclined, 100), app.StatePending)
	other := Create(t, s, NewSale(1000), app.StateApproved)
	r = NewChild(app.KindRefund, other, 100)
	r.Currency = "EUR"
	e = WantError(t, s.CreatePayment(ctx, &r), app.EINVALID, "error.payment.currency_mismatch")
	if e.Data["Currency"] != "PLN" {
		t.Errorf("Data %v", e.Data)
	}
	r = NewChild(app.KindRefund, app.Payment{ID: 999999, Currency: "PLN"}, 100)
	WantError(t, s.CreatePayment(ctx, &r), app.ENOTFOUND, "error.payment.not_found")
	v := NewChild(app.KindVoid, exact, 0)
	WantError(t, s.CreatePayment(ctx, &v), app.ECONFLICT, "error.payment.not_voidable")
	v = NewChild(app.KindVoid, app.Payment{ID: 999999}, 0)
	WantError(t, s.CreatePayment(ctx, &v), app.ENOTFOUND, "error.payment.not_found")
	Create(t, s, NewChild(app.KindVoid, Create(t, s, NewSale(1000), app.StateHeld), 1000), app.StatePending)
}

func concurrentRefundsStopAtTheLimit(t *testing.T, s app.PaymentStore) { RaceRefunds(t, s) }

// RaceRefunds has 32 refunds of 10.00 race for a 100.00 sale, sent in turn
// through each of handles (stores on one journal, the first recording the
// sale): exactly ten get in, the others get the typed error with nothing
// left.
func RaceRefunds(t *testing.T, handles ...app.PaymentStore) {
	t.Helper()
	ctx := context.Background()
	sale := Create(t, handles[0], NewSale(10000), app.StateApproved)
	var wg sync.WaitGroup
	errs := make([]error, 32)
	start := make(chan struct{})
	for i := range errs {
		h := handles[i%len(handles)]
		wg.Go(func() {
			r := NewChild(app.KindRefund, sale, 1000)
			<-start
			errs[i] = h.CreatePayment(ctx, &r)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		e := WantError(t, err, app.ECONFLICT, "error.payment.refund_exceeds")
		if e.Data["Left"] != int64(0) {
			t.Errorf("Left %v, want 0", e.Data["Left"])
		}
	}
	if got, _ := handles[0].Payment(ctx, sale.ID); ok != 10 || got.RefundedMinor != 10000 {
		t.Errorf("%d refunds in, RefundedMinor %d; want 10 and 10000", ok, got.RefundedMinor)
	}
}

func settleRules(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	refusal := func(from, to app.PaymentState) string {
		switch from {
		case app.StateApproved:
			if to != app.StateApproved {
				return "error.payment.settled"
			}
		case app.StateHeld:
			if to != app.StateApproved && to != app.StateHeld {
				return "error.payment.settled"
			}
		case app.StateNeedsReview:
			if !slices.Contains([]app.PaymentState{app.StateApproved, app.StateHeld, app.StateDeclined, app.StateFailed}, to) {
				return "error.payment.needs_review"
			}
		}
		return ""
	}
	for _, from := range allStates {
		for _, to := range allStates {
			p := Create(t, s, NewSale(500), from)
			err := s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: to, Message: "second answer"})
			got, _ := s.Payment(ctx, p.ID)
			if key := refusal(from, to); key != "" {
				if err == nil {
					t.Errorf("%s -> %s was allowed", from, to)
					continue
				}
				WantError(t, err, app.ECONFLICT, key)
				if got.State != from || got.Message != "" {
					t.Errorf("%s -> %s refused but the row is %s %q", from, to, got.State, got.Message)
				}
			} else if err != nil {
				t.Errorf("%s -> %s: %v", from, to, err)
			} else if got.State != to || got.Message != "second answer" {
				t.Errorf("%s -> %s: row is %s %q", from, to, got.State, got.Message)
			}
		}
	}
	p := Create(t, s, NewSale(700), app.StateUnknown)
	if err := s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, GatewayRef: "B1"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Payment(ctx, p.ID); got.State != app.StateApproved || got.GatewayRef != "B1" {
		t.Errorf("unknown -> approved: %+v", got)
	}
	// A bad value is a bug underneath, refused by the table.
	if err := s.SettlePayment(ctx, p.ID, app.PaymentUpdate{State: app.StateApproved, Last4: "4111111111111111"}); app.ErrorCode(err) != app.EINTERNAL {
		t.Errorf("a card number as last4: %v", err)
	}
}

func unsettledOldestFirst(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	if got, err := s.UnsettledPayments(ctx); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty journal: %v, %v", got, err)
	}
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var want []int64
	for i, st := range []app.PaymentState{
		app.StatePending, app.StateApproved, app.StateUnknown, app.StateNeedsReview,
		app.StateDeclined, app.StatePending, app.StateFailed, app.StateHeld, app.StateUnknown,
	} {
		p := NewSale(100)
		p.CreatedAt = base.Add(-time.Duration(i) * time.Minute) // a clock set back: id order still wins
		p = Create(t, s, p, st)
		if st == app.StatePending || st == app.StateUnknown {
			want = append(want, p.ID)
		}
	}
	got, err := s.UnsettledPayments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("unsettled ids %v, want %v (oldest first)", ids, want)
	}
}

func pagingAndFilter(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	states := []app.PaymentState{app.StateApproved, app.StateDeclined, app.StatePending, app.StateFailed, app.StateHeld}
	var ids []int64
	for i := range 25 {
		ids = append(ids, Create(t, s, NewSale(int64(100+i)), states[i%len(states)]).ID)
	}
	all := PageThrough(t, 25, func(offset, limit int) ([]app.Payment, int, error) {
		return s.Payments(ctx, app.PaymentFilter{Offset: offset, Limit: limit})
	})
	for i, p := range all {
		if p.ID != ids[24-i] || p.AmountMinor != int64(124-i) {
			t.Errorf("row %d: id %d amount %d, want id %d (newest first)", i, p.ID, p.AmountMinor, ids[24-i])
		}
	}
	page, total, err := s.Payments(ctx, app.PaymentFilter{States: []app.PaymentState{app.StateDeclined, app.StateFailed}, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if total != 10 || len(page) != 3 {
		t.Fatalf("declined or failed: %d rows of %d, want 3 of 10", len(page), total)
	}
	for i, p := range page {
		if p.State != app.StateDeclined && p.State != app.StateFailed || i > 0 && p.ID >= page[i-1].ID {
			t.Errorf("filtered row %d: %d %s", i, p.ID, p.State)
		}
	}
	if page, total, err := s.Payments(ctx, app.PaymentFilter{States: []app.PaymentState{app.StateNeedsReview}}); err != nil || total != 0 || page == nil || len(page) != 0 {
		t.Errorf("no match: %v, %d, %v", page, total, err)
	}
	if page, total, _ := s.Payments(ctx, app.PaymentFilter{Offset: 30, Limit: 10}); len(page) != 0 || total != 25 {
		t.Errorf("past the end: %d rows, total %d", len(page), total)
	}
	if page, _, _ := s.Payments(ctx, app.PaymentFilter{Offset: -5, Limit: 2}); len(page) != 2 || page[0].ID != ids[24] {
		t.Errorf("negative offset: %v", page)
	}
}

// PageThrough reads every row through page, ten at a time from the
// first, each page reporting want rows in all, and checks it read want.
func PageThrough[T any](t *testing.T, want int, page func(offset, limit int) ([]T, int, error)) []T {
	t.Helper()
	var all []T
	for offset := 0; ; offset += 10 {
		rows, total, err := page(offset, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != want {
			t.Fatalf("total %d, want %d", total, want)
		}
		if len(rows) == 0 {
			break
		}
		all = append(all, rows...)
	}
	if len(all) != want {
		t.Fatalf("paged through %d rows, want %d", len(all), want)
	}
	return all
}

// A page is 100 rows when no limit is asked for, and never more than 1000.
func pageSizes(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	for i := range 1001 {
		p := NewSale(int64(1 + i))
		if err := s.CreatePayment(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	if page, total, err := s.Payments(ctx, app.PaymentFilter{}); err != nil || len(page) != 100 || total != 1001 {
		t.Errorf("default page: %d rows of %d (%v), want 100 of 1001", len(page), total, err)
	}
	if page, _, err := s.Payments(ctx, app.PaymentFilter{Limit: 5000}); err != nil || len(page) != 1000 {
		t.Errorf("limit 5000: %d rows (%v), want 1000", len(page), err)
	}
}

// A second sale for the same purpose and reference is refused while the
// first is open and, for a registration, once it is charged; a declined or
// failed first sale leaves room for a new attempt; test payments never
// block each other. A declined sale reopened beside a live one, and a
// declined refund reopened beyond what is left, are refused too.
func oneLiveSalePerPurposeAndReference(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	open := map[app.PaymentState]bool{app.StatePending: true, app.StateUnknown: true, app.StateNeedsReview: true}
	openOrCharged := map[app.PaymentState]bool{
		app.StatePending: true, app.StateUnknown: true,
		app.StateNeedsReview: true, app.StateApproved: true, app.StateHeld: true,
	}
	blocks := map[app.Purpose]map[app.PaymentState]bool{
		app.PurposeRegistration: openOrCharged,
		app.PurposePayPerUse:    open,
		app.PurposeTrueUp:       open,
		app.PurposeTestPayment:  {},
	}
	for purpose, blocked := range blocks {
		for _, st := range allStates {
			first := NewSale(5000)
			first.Purpose = purpose
			first = Create(t, s, first, st)
			second := NewSale(5000)
			second.Purpose, second.Reference = purpose, first.Reference
			before := count(t, s)
			err := s.CreatePayment(ctx, &second)
			switch {
			case !blocked[st] && err != nil:
				t.Errorf("%s after a %s sale: %v, want a new attempt allowed", purpose, st, err)
			case blocked[st]:
				key := "error.payment.in_progress"
				if st.Charged() {
					key = "error.payment.already_paid"
				}
				if err == nil {
					t.Errorf("%s after a %s sale: a second sale was recorded", purpose, st)
					continue
				}
				e := WantError(t, err, app.ECONFLICT, key)
				if e.Data["ID"] != first.ID {
					t.Errorf("%s after a %s sale: Data %v, want ID %d", purpose, st, e.Data, first.ID)
				}
				if n := count(t, s); n != before {
					t.Errorf("%s after a %s sale: %d rows, want %d", purpose, st, n, before)
				}
			}
		}
	}
	sale := Create(t, s, NewSale(5000), app.StateApproved)
	Create(t, s, NewChild(app.KindRefund, sale, 100), app.StatePending)
	Create(t, s, NewChild(app.KindVoid, sale, 5000), app.StatePending)

	declined := Create(t, s, NewSale(5000), app.StateDeclined)
	live := NewSale(5000)
	live.Reference = declined.Reference
	live = Create(t, s, live, app.StateUnknown)
	e := WantError(t, s.SettlePayment(ctx, declined.ID, app.PaymentUpdate{State: app.StatePending}),
		app.ECONFLICT, "error.payment.in_progress")
	if e.Data["ID"] != live.ID {
		t.Errorf("Data %v, want ID %d", e.Data, live.ID)
	}
	refunded := Create(t, s, NewSale(5000), app.StateApproved)
	refund := Create(t, s, NewChild(app.KindRefund, refunded, 4900), app.StateDeclined)
	Create(t, s, NewChild(app.KindRefund, refunded, 4900), app.StateApproved)
	e = WantError(t, s.SettlePayment(ctx, refund.ID, app.PaymentUpdate{State: app.StatePending}),
		app.ECONFLICT, "error.payment.refund_exceeds")
	if e.Data["Left"] != int64(100) {
		t.Errorf("Data %v, want Left 100", e.Data)
	}
}

// 16 sales of one registration race: exactly one is recorded, every other
// is told a payment is in progress, naming the one recorded.
func concurrentSalesOfOneRegistrationRecordOne(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	ref := NewSale(1).Reference
	var wg sync.WaitGroup
	sales := make([]app.Payment, 16)
	errs := make([]error, len(sales))
	start := make(chan struct{})
	for i := range sales {
		wg.Go(func() {
			sales[i] = NewSale(5000)
			sales[i].Reference = ref
			<-start
			errs[i] = s.CreatePayment(ctx, &sales[i])
		})
	}
	close(start)
	wg.Wait()
	var winner int64
	for i, err := range errs {
		if err == nil {
			if winner != 0 {
				t.Fatalf("two sales recorded for %s: %d and %d", ref, winner, sales[i].ID)
			}
			winner = sales[i].ID
		}
	}
	if winner == 0 {
		t.Fatalf("no sale recorded: %v", errs)
	}
	for _, err := range errs {
		if err != nil {
			e := WantError(t, err, app.ECONFLICT, "error.payment.in_progress")
			if e.Data["ID"] != winner {
				t.Errorf("Data %v, want ID %d", e.Data, winner)
			}
		}
	}
	if n := count(t, s); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}

// A pay-per-use or true-up sale carries what the session had paid when its
// amount due was worked out; the journal refuses it once that changed.
func payPerUseSaleOnAStaleBasisIsRefused(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	basis := func(v int64) *int64 { return &v }
	ppu := func(purpose app.Purpose, ref string, amount int64, paid *int64) app.Payment {
		p := NewSale(amount)
		p.Purpose, p.Reference, p.PaidBeforeMinor = purpose, ref, paid
		return p
	}
	const ref = "session:7"
	first := Create(t, s, ppu(app.PurposePayPerUse, ref, 120_00, basis(0)), app.StateApproved)
	before := count(t, s)
	second := ppu(app.PurposePayPerUse, ref, 120_00, basis(0))
	WantError(t, s.CreatePayment(ctx, &second), app.ECONFLICT, "error.payperuse.paid_changed")
	if n := count(t, s); n != before {
		t.Fatalf("%d rows after the refusal, want %d", n, before)
	}
	Create(t, s, ppu(app.PurposePayPerUse, ref, 30_00, basis(120_00)), app.StateApproved)
	Create(t, s, NewChild(app.KindRefund, first, 20_00), app.StateApproved)
	stale := ppu(app.PurposeTrueUp, ref, 10_00, basis(150_00))
	WantError(t, s.CreatePayment(ctx, &stale), app.ECONFLICT, "error.payperuse.paid_changed")
	Create(t, s, ppu(app.PurposeTrueUp, ref, 10_00, basis(130_00)), app.StateApproved)
	Create(t, s, ppu(app.PurposeTrueUp, ref, 5_00, basis(140_00)), app.StateDeclined)
	Create(t, s, ppu(app.PurposePayPerUse, "session:8", 5_00, basis(0)), app.StateApproved)
	Create(t, s, ppu(app.PurposeTrueUp, ref, 5_00, basis(140_00)), app.StateApproved)
	Create(t, s, ppu(app.PurposePayPerUse, ref, 1_00, nil), app.StateApproved)
}

func captureStartedMovesForward(t *testing.T, s app.PaymentStore) {
	ctx := context.Background()
	p := NewSale(1000)
	if err := s.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Payment(ctx, p.ID); err != nil || !got.CaptureStartedAt.IsZero() {
		t.Fatalf("new row: capture started %v (%v), want none", got.CaptureStartedAt, err)
	}
	t1 := time.Date(2026, 5, 4, 10, 0, 0, 123000, time.UTC)
	for _, at := range []time.Time{t1, t1.Add(-time.Minute)} {
		if err := s.MarkCaptureStarted(ctx, p.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Payment(ctx, p.ID); !got.CaptureStartedAt.Equal(t1) {
		t.Errorf("after an earlier time: %v, want %v", got.CaptureStartedAt, t1)
	}
	t2 := t1.Add(time.Hour)
	if err := s.MarkCaptureStarted(ctx, p.ID, t2); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Payment(ctx, p.ID); !got.CaptureStartedAt.Equal(t2) || got.CaptureStartedAt.Location() != time.UTC {
		t.Errorf("after a later run: %v, want %v", got.CaptureStartedAt, t2)
	}
	if err := s.MarkCaptureStarted(ctx, 1<<40, t2); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("unknown payment: %v, want not found", err)
	}
}
