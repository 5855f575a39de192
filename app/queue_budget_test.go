package app_test

import (
	"testing"

	"github.com/trainpay/trainpay/app"
)

// Under the block policy the budget owner charges a request to the
// department's budget: a journal sale through the internal processor, with
// no card, approved at once, committing the budget as a card payment does;
// a request above what is left is refused by the database and moves
// nothing; a refund of the excess credits the budget back.
func TestQueueChargesARequestToTheBudgetWithinWhatIsLeft(t *testing.T) {
	p := newPPU(t)
	p.setPolicy(app.PolicyBlock)
	s := p.session(90, 25, 10) // 342.00
	p.allocate(p.period(s), "500.00")
	coord, owner := p.queueOf(coordinator()), p.queueOf(p.owner())

	state, err := coord.Request(p.ctx, s.ID)
	if err != nil || !state.Awaiting() {
		t.Fatalf("request: %+v %v", state.Request, err)
	}
	paid, err := owner.Pay(p.ctx, state.Request.ID, app.MethodBudget, nil, "Pay-per-use session")
	if err != nil || paid.State != app.StateApproved || paid.Processor != app.ProcessorInternal ||
		paid.Method != app.MethodBudget || paid.AmountMinor != 34200 || paid.Last4 != "" {
		t.Fatalf("charged to the budget: %+v %v", paid, err)
	}
	if b := p.budget(p.period(s)); b.CommittedMinor != 34200 {
		t.Fatalf("after the charge the budget holds %+v", b)
	}
	if err := p.svc.CanStart(p.ctx, s.ID); err != nil {
		t.Fatalf("a session paid from the budget cannot start: %v", err)
	}
	rows, _, err := p.payments.Payments(p.ctx, app.PaymentFilter{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("journal: %d rows (%v), want the one sale", len(rows), err)
	}

	// 158.00 left: a second session of 342.00 is refused, nothing recorded.
	s2 := p.session(90, 25, 10)
	state2, err := coord.Request(p.ctx, s2.ID)
	if err != nil || !state2.Awaiting() {
		t.Fatalf("second request: %+v %v", state2.Request, err)
	}
	_, err = owner.Pay(p.ctx, state2.Request.ID, app.MethodBudget, nil, "Pay-per-use session")
	wantKey(t, err, "error.budget.exceeded")
	if b := p.budget(p.period(s)); b.CommittedMinor != 34200 {
		t.Fatalf("a refused charge moved the budget: %+v", b)
	}

	// Shortened to 228.00: the 114.00 excess goes back to the budget.
	p.change(&s, 60)
	if refunded, err := p.svc.RefundExcess(p.ctx, s.ID, "estimate fell"); err != nil || refunded != 11400 {
		t.Fatalf("refunded %d %v", refunded, err)
	}
	if b := p.budget(p.period(s)); b.CommittedMinor != 22800 {
		t.Fatalf("after the refund the budget holds %+v", b)
	}
}

// Only a department's payment may be charged to a budget: an attendee's
// registration fee cannot.
func TestOnlyADepartmentsPaymentIsChargedToABudget(t *testing.T) {
	p := newPPU(t)
	_, err := p.payments.Charge(p.ctx, app.ChargeRequest{
		Purpose: app.PurposeRegistration, Reference: "R-1",
		Amount: p.usd("10.00"), Method: app.MethodBudget, Description: "fee",
	})
	wantKey(t, err, "error.payment.budget_purpose")
}
