package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
)

// person is who is signed in, as a PeopleStore's Me would say.
type person app.Person

func (p person) Me(context.Context) (app.Person, error) { return app.Person(p), nil }

// queueOf is the queue as seen by who.
func (p *ppu) queueOf(who app.Person) *app.QueueService {
	return &app.QueueService{People: person(who), PayPerUse: p.svc, Store: p.db, Payments: p.payments}
}

func (p *ppu) owner() app.Person {
	return app.Person{
		ID: 3, Login: "ewa", Name: "Ewa Kowalska", Email: "ewa@example.com",
		Roles: []app.Role{app.RoleBudgetOwner}, Departments: []int64{p.dept.ID},
	}
}

func coordinator() app.Person {
	return app.Person{ID: 2, Login: "jan", Name: "Jan Nowak", Roles: []app.Role{app.RoleCoordinator}}
}

func (p *ppu) change(s *app.Session, minutes int) {
	p.t.Helper()
	s.DurationMinutes = minutes
	if err := p.db.UpdateSession(p.ctx, s); err != nil {
		p.t.Fatal(err)
	}
}

func wantQueueError(t *testing.T, err error, code, key string) {
	t.Helper()
	if e := app.AsError(err); err == nil || e.Code != code || e.Key != key {
		t.Fatalf("got %v, want %s %s", err, code, key)
	}
}

// A scheduled session's estimate goes to its department's budget owner,
// with the budget before and after; only the owner pays it; once paid the
// session may start. A rise after a change goes back to the queue for the
// difference alone; a fall takes nothing from the queue and is refunded on
// the coordinator's word.
func TestQueueAsksTheBudgetOwnerAndFollowsTheSessionsChanges(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10) // 342.00
	p.allocate(p.period(s), "1000.00")
	coord, owner := p.queueOf(coordinator()), p.queueOf(p.owner())

	state, err := coord.Request(p.ctx, s.ID)
	if err != nil || !state.Awaiting() || state.Request.AmountMinor != 34200 || state.Request.DepartmentID != p.dept.ID {
		t.Fatalf("after scheduling: %+v %v", state.Request, err)
	}
	if again, err := coord.Request(p.ctx, s.ID); err != nil || again.Request.ID != state.Request.ID {
		t.Fatalf("asked twice: %+v %v", again.Request, err)
	}
	if items, err := coord.ToPay(p.ctx); err != nil || len(items) != 0 {
		t.Fatalf("the coordinator's queue: %+v %v", items, err)
	}
	items, err := owner.ToPay(p.ctx)
	if err != nil || len(items) != 1 {
		t.Fatalf("the owner's queue: %+v %v", items, err)
	}
	if q := items[0].Quote; q.DueMinor != 34200 || q.RemainingBeforeMinor != 100000 || q.RemainingAfterMinor != 65800 ||
		q.Session.Topic != "Quarterly product training" || q.Department.Name != "Sales Enablement" {
		t.Fatalf("the owner sees %+v", q)
	}
	if err := p.svc.CanStart(p.ctx, s.ID); app.AsError(err).Key != "error.payperuse.unpaid" {
		t.Fatalf("start before paying: %v", err)
	}

	// Someone who does not own the budget cannot pay or decline it.
	_, err = coord.Pay(p.ctx, state.Request.ID, app.MethodCreditCard, testCard(), "Pay-per-use session")
	wantQueueError(t, err, app.EUNAUTHORIZED, "error.queue.not_owner")
	wantQueueError(t, coord.Decline(p.ctx, state.Request.ID, "no"), app.EUNAUTHORIZED, "error.queue.not_owner")

	paid, err := owner.Pay(p.ctx, state.Request.ID, app.MethodCreditCard, testCard(), "Pay-per-use session")
	if err != nil || paid.State != app.StateApproved || paid.AmountMinor != 34200 || paid.PayerName != "Ewa Kowalska" {
		t.Fatalf("paid %+v %v", paid, err)
	}
	state, err = coord.State(p.ctx, s.ID)
	if err != nil || state.Request.State != app.RequestPaid || state.Request.PaymentID != paid.ID || !state.Quote.Paid() {
		t.Fatalf("after paying: %+v %v", state.Request, err)
	}
	if err := p.svc.CanStart(p.ctx, s.ID); err != nil {
		t.Fatalf("a paid session cannot start: %v", err)
	}
	if items, _ := owner.ToPay(p.ctx); len(items) != 0 {
		t.Fatalf("a paid request is still in the queue: %+v", items)
	}
	_, err = owner.Pay(p.ctx, state.Request.ID, app.MethodCreditCard, testCard(), "again")
	wantQueueError(t, err, app.ECONFLICT, "error.queue.not_open")

	// The coordinator lengthens the session: 456.00, 114.00 more.
	p.change(&s, 120)
	state, err = coord.Request(p.ctx, s.ID)
	if err != nil || !state.Awaiting() || state.Request.AmountMinor != 11400 || state.Request.ID == paid.ID {
		t.Fatalf("after the rise: %+v %v", state.Request, err)
	}
	if err := p.svc.CanStart(p.ctx, s.ID); app.AsError(err).Key != "error.payperuse.difference_due" {
		t.Fatalf("start with the difference due: %v", err)
	}
	rise, err := owner.Pay(p.ctx, state.Request.ID, app.MethodCreditCard, testCard(), "Pay-per-use session")
	if err != nil || rise.AmountMinor != 11400 {
		t.Fatalf("paid the rise: %+v %v", rise, err)
	}

	// Shortened again: nothing to pay, nothing in the queue; the excess is
	// the coordinator's to refund, and shown until then.
	p.change(&s, 60) // 228.00
	state, err = coord.Request(p.ctx, s.ID)
	if err != nil || state.Awaiting() || state.Quote.DueMinor != -22800 {
		t.Fatalf("after the fall: %+v due %d %v", state.Request, state.Quote.DueMinor, err)
	}
	if items, _ := owner.ToPay(p.ctx); len(items) != 0 {
		t.Fatalf("a fall is in the queue: %+v", items)
	}
	if refunded, err := p.svc.RefundExcess(p.ctx, s.ID, "estimate fell"); err != nil || refunded != 22800 {
		t.Fatalf("refunded %d %v", refunded, err)
	}
}

// A decline reaches the coordinator with its reason and stays until the
// session changes; then the new amount is asked for.
func TestQueueDeclineKeepsItsReasonUntilTheSessionChanges(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10)
	coord, owner := p.queueOf(coordinator()), p.queueOf(p.owner())
	state, err := coord.Request(p.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := state.Request.ID
	wantQueueError(t, owner.Decline(p.ctx, id, "  "), app.EINVALID, "error.queue.reason_required")
	wantQueueError(t, owner.Decline(p.ctx, id, strings.Repeat("x", app.MaxDeclineReason+1)), app.EINVALID, "error.queue.reason_too_long")
	if err := owner.Decline(p.ctx, id, " Not this quarter: ask again in July "); err != nil {
		t.Fatal(err)
	}
	wantQueueError(t, owner.Decline(p.ctx, id, "twice"), app.ECONFLICT, "error.queue.not_open")
	_, err = owner.Pay(p.ctx, id, app.MethodCreditCard, testCard(), "after the decline")
	wantQueueError(t, err, app.ECONFLICT, "error.queue.not_open")

	state, err = coord.Request(p.ctx, s.ID) // the coordinator's screen reads it again
	if err != nil || !state.Declined() || state.Request.Reason != "Not this quarter: ask again in July" ||
		state.Request.DecidedBy != "ewa" || state.Request.ID != id {
		t.Fatalf("declined: %+v %v", state.Request, err)
	}
	if items, _ := owner.ToPay(p.ctx); len(items) != 0 {
		t.Fatalf("a declined request is in the queue: %+v", items)
	}
	p.change(&s, 60)
	state, err = coord.Request(p.ctx, s.ID)
	if err != nil || !state.Awaiting() || state.Request.ID == id || state.Request.AmountMinor != 22800 {
		t.Fatalf("after the change: %+v %v", state.Request, err)
	}
}

// The coordinator changes the session while the budget owner has the pay
// dialog open: the owner is told, nothing is charged, and the queue shows
// the new amount.
func TestQueuePayRefusesAnAmountThatChangedMeanwhile(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10)
	coord, owner := p.queueOf(coordinator()), p.queueOf(p.owner())
	state, err := coord.Request(p.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.change(&s, 120)
	_, err = owner.Pay(p.ctx, state.Request.ID, app.MethodCreditCard, testCard(), "Pay-per-use session")
	wantQueueError(t, err, app.ECONFLICT, "error.queue.amount_changed")
	if acc, _ := p.db.PayPerUseAccount(p.ctx, s.ID); acc.PaidMinor != 0 || acc.OpenMinor != 0 {
		t.Fatalf("something was charged: %+v", acc)
	}
	items, err := owner.ToPay(p.ctx)
	if err != nil || len(items) != 1 || items[0].Request.AmountMinor != 45600 || items[0].Request.ID != state.Request.ID {
		t.Fatalf("the queue after the change: %+v %v", items, err)
	}
}

// A cancelled session, or one that no longer names a department, leaves
// the queue.
func TestQueueWithdrawsTheRequestOfACancelledSession(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10)
	coord, owner := p.queueOf(coordinator()), p.queueOf(p.owner())
	if _, err := coord.Request(p.ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.db.SetSessionStatus(p.ctx, s.ID, app.SessionCancelled); err != nil {
		t.Fatal(err)
	}
	state, err := coord.Request(p.ctx, s.ID)
	if err != nil || state.Request.State != app.RequestWithdrawn {
		t.Fatalf("cancelled: %+v %v", state.Request, err)
	}
	if items, _ := owner.ToPay(p.ctx); len(items) != 0 {
		t.Fatalf("a cancelled session is in the queue: %+v", items)
	}
}
