package app_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The environment of a child paying a session of a department: the
// database file, the gateway's address and the sessions (the child pays
// the one at its index).
const (
	budgetChildDB       = "TRAINPAY_BUDGET_CHILD_DB"
	budgetChildURL      = "TRAINPAY_BUDGET_CHILD_URL"
	budgetChildSessions = "TRAINPAY_BUDGET_CHILD_SESSIONS"
)

// budgetCoveringThreeOfEight is a department under the block policy with
// one pay-per-use session for each of the payers (342.00 each) and a
// budget that covers three of them: the sessions' ids, comma-separated,
// and the budget's period.
func budgetCoveringThreeOfEight(t *testing.T) (p *ppu, ids, period string) {
	t.Helper()
	p = newPPU(t)
	p.setPolicy(app.PolicyBlock)
	var list []string
	for range payers {
		s := p.session(90, 25, 10) // 342.00 each
		list = append(list, strconv.FormatInt(s.ID, 10))
		period = p.period(s)
	}
	p.allocate(period, "1026.00") // 3 × 342.00
	return p, strings.Join(list, ","), period
}

// Eight TrainPay processes on one SQLite file each pay a different
// pay-per-use session of one department, at the same instant, through the
// real PayPerUseService and PaymentService against one Payflow server.
// Under the block policy the department's budget covers exactly three of
// them; every process worked out its charge (and passed the policy's check
// in Go) before any paid. The processor charges three times (its own
// ledger is the judge), the five others are refused with the block
// policy's error without reaching it, and the budget is never below zero.
func TestBudgetBlockPolicyHoldsAcrossConcurrentProcesses(t *testing.T) {
	if path := os.Getenv(budgetChildDB); path != "" {
		payDepartmentSessionInChild(t, path)
		return
	}
	const covered = 3
	p, ids, period := budgetCoveringThreeOfEight(t)
	srv := payflowtest.NewServer(t)

	paid, refused := storetest.RacePayersRefusedWith(t, payers, "TestBudgetBlockPolicyHoldsAcrossConcurrentProcesses",
		[]string{"error.budget.exceeded"},
		budgetChildDB+"="+p.db.Path(), budgetChildURL+"="+srv.URL, budgetChildSessions+"="+ids)

	charges := srv.Ledger()
	if len(charges) != covered || paid != covered || refused != payers-covered {
		t.Fatalf("the processor charged %d times; %d processes paid and %d were refused, want %d, %d and %d",
			len(charges), paid, refused, covered, covered, payers-covered)
	}
	if n := len(srv.Requests()); n != covered {
		t.Errorf("the processor got %d requests, want %d: a refused process must not call it", n, covered)
	}
	rows, _, err := p.payments.Payments(p.ctx, app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range rows {
		if r.State != app.StateApproved || r.AmountMinor != 34200 {
			t.Errorf("journal row %+v, want only the approved charges of 342.00", r)
		}
		keys[r.Key] = true
	}
	for _, c := range charges {
		if !keys[c.RequestID] {
			t.Errorf("the processor charged %s, which the journal does not hold", c.RequestID)
		}
	}
	if b := p.budget(period); b.CommittedMinor != covered*34200 || b.RemainingMinor() != 0 {
		t.Fatalf("budget after the race: committed %d, remaining %d; want %d and 0", b.CommittedMinor, b.RemainingMinor(),
			covered*34200)
	}
}

// payDepartmentSessionInChild is one paying process: it opens the
// database and the gateway, works out the charge of its session (the
// block policy's check in Go passes: nothing is paid yet), says READY,
// waits for its standard input to close, pays once and prints the outcome.
func payDepartmentSessionInChild(t *testing.T, path string) {
	ctx := context.Background()
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := storetest.ChildsSession(t, budgetChildSessions)
	payments := app.NewPaymentService(db, oneGateway{gw: payflowClient(t, os.Getenv(budgetChildURL)), proc: app.ProcessorPayflow}, nil)
	svc := &app.PayPerUseService{Site: app.NewSiteService(db), Sessions: db, Store: db, Budgets: db, Payments: payments}
	c, err := svc.PrepareCharge(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	payer := c.Payer
	payer.Country, payer.Street, payer.City, payer.PostalCode = "US", "1 Main St", "Boston", "02101"
	storetest.PayOnceWhenReleased(t, payments, app.ChargeRequest{
		Purpose: c.Purpose, Reference: c.Reference, Amount: c.Amount,
		Method: app.MethodCreditCard, Card: testCard(), Payer: payer, Description: "Pay-per-use session",
		PaidSoFarMinor: &c.PaidSoFarMinor,
	})
}
