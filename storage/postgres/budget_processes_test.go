package postgres_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The environment of a desktop paying a session of a department: the
// organisation database, the gateway's address and the sessions (the
// child pays the one at its index).
const (
	budgetChildDB       = "TRAINPAY_PG_BUDGET_CHILD_DB"
	budgetChildURL      = "TRAINPAY_PG_BUDGET_CHILD_URL"
	budgetChildSessions = "TRAINPAY_PG_BUDGET_CHILD_SESSIONS"
)

// budgetRace is a department under the block policy with one pay-per-use
// session of 342.00 for each of the payers and a budget that covers three.
type budgetRace struct {
	db     *postgres.DB
	url    string
	ids    string // the sessions' ids, comma-separated
	period string // the budget's period
}

func newBudgetRace(t *testing.T) budgetRace {
	t.Helper()
	const covered, price = 3, 342_00
	ctx := context.Background()
	db, url := openTempURL(t)
	site := app.Site{
		Name: "Acme Training", Country: "US", Currency: "USD", TimeZone: "America/New_York", Language: "en",
		Mode: app.ModeTest, RatePersonMinuteE4: 1200, RateTeleconferenceMinuteE4: 800, CreatedAt: time.Now(),
	}
	if err := db.CreateSite(ctx, site, app.AdminCredential{Hash: "h"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveFeatures(ctx, []app.FeatureState{{Feature: app.FeaturePayPerUse, Provisioned: true, Enabled: true}}, nil); err != nil {
		t.Fatal(err)
	}
	settings := app.BudgetSettings{Period: app.PeriodFiscalYear, FiscalYearStart: time.July, Policy: app.PolicyBlock}
	if err := db.SaveBudgetSettings(ctx, settings, nil); err != nil {
		t.Fatal(err)
	}
	d := storetest.NewDepartment(t, db, "Sales Enablement", "CC-4100")
	start := time.Now().Add(7 * 24 * time.Hour).Truncate(time.Minute)
	var ids []string
	for range payers {
		s := storetest.AddSession(t, db, app.Session{
			Topic: "Quarterly product training", StartsAt: start,
			TimeZone: "America/New_York", DurationMinutes: 90, Type: app.SessionPayPerUse, Currency: "USD",
			ExpectedComputers: 25, ExpectedTeleconference: 10, DepartmentID: d.ID, Status: app.SessionScheduled,
		})
		ids = append(ids, strconv.FormatInt(s.ID, 10))
	}
	loc, _ := time.LoadLocation("America/New_York")
	period := settings.PeriodOf(start, loc).Key()
	if err := db.AddLedgerEntry(ctx, &app.LedgerEntry{
		DepartmentID: d.ID, Period: period, Kind: app.LedgerAllocation,
		AmountMinor: covered * price, Currency: "USD",
	}, nil); err != nil {
		t.Fatal(err)
	}
	return budgetRace{db: db, url: url, ids: strings.Join(ids, ","), period: period}
}

// wantSpent checks that the race left the budget committed to want and
// nothing remaining.
func (r budgetRace) wantSpent(t *testing.T, want int64) {
	t.Helper()
	budgets, err := r.db.Budgets(context.Background(), r.period, time.Now())
	if err != nil || len(budgets) != 1 {
		t.Fatalf("budgets %+v, %v", budgets, err)
	}
	if b := budgets[0]; b.CommittedMinor != want || b.RemainingMinor() != 0 {
		t.Fatalf("budget after the race: committed %d, remaining %d; want %d and 0", b.CommittedMinor, b.RemainingMinor(), want)
	}
}

// Eight TrainPay processes (eight desktops) on one organisation database
// each pay a different pay-per-use session of one department, at the same
// instant, through the real PayPerUseService and PaymentService against
// one Payflow server. Under the block policy the department's budget
// covers exactly three of them; every process worked out its charge (and
// passed the policy's check in Go) before any paid. The processor charges
// three times (its own ledger is the judge), the five others are refused
// with the block policy's error without reaching it, and the budget is
// never below zero.
func TestBudgetBlockPolicyHoldsAcrossConcurrentProcesses(t *testing.T) {
	if url := os.Getenv(budgetChildDB); url != "" {
		payDepartmentSessionInChild(t, url)
		return
	}
	const covered, price = 3, 342_00
	ctx := context.Background()
	race := newBudgetRace(t)
	db, url := race.db, race.url
	srv := payflowtest.NewServer(t)
	defer func() {
		dump := dumpRows(t, db)
		pcitest.KeepBytes(t, "organisation-database-budget.json", func() []byte { return dump })
	}()

	paid, refused := storetest.RacePayersRefusedWith(t, payers, "TestBudgetBlockPolicyHoldsAcrossConcurrentProcesses",
		[]string{"error.budget.exceeded"},
		budgetChildDB+"="+url, budgetChildURL+"="+srv.URL, budgetChildSessions+"="+race.ids)

	charges := srv.Ledger()
	if len(charges) != covered || paid != covered || refused != payers-covered {
		t.Fatalf("the processor charged %d times; %d processes paid and %d were refused, want %d, %d and %d",
			len(charges), paid, refused, covered, covered, payers-covered)
	}
	if n := len(srv.Requests()); n != covered {
		t.Errorf("the processor got %d requests, want %d: a refused process must not call it", n, covered)
	}
	rows, _, err := db.Payments(ctx, app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range rows {
		if r.State != app.StateApproved || r.AmountMinor != price {
			t.Errorf("journal row %+v, want only the approved charges of 342.00", r)
		}
		keys[r.Key] = true
	}
	for _, c := range charges {
		if !keys[c.RequestID] {
			t.Errorf("the processor charged %s, which the journal does not hold", c.RequestID)
		}
	}
	race.wantSpent(t, covered*price)
}

// payDepartmentSessionInChild is one paying desktop: it opens the
// organisation database and the gateway, works out the charge of its
// session (the block policy's check in Go passes: nothing is paid yet),
// says READY, waits for its standard input to close, pays once and prints
// the outcome.
func payDepartmentSessionInChild(t *testing.T, url string) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := storetest.ChildsSession(t, budgetChildSessions)
	gw, err := payflow.New(payflow.Config{
		Endpoint: os.Getenv(budgetChildURL), User: payflowtest.User, Vendor: payflowtest.Vendor,
		Partner: payflowtest.Partner, Password: payflowtest.Password, Timeout: 5 * time.Second, InquiryLag: payflow.NoInquiryLag,
	})
	if err != nil {
		t.Fatal(err)
	}
	payments := app.NewPaymentService(db, oneGateway{gw: gw}, nil)
	svc := &app.PayPerUseService{Site: app.NewSiteService(db), Sessions: db, Store: db, Budgets: db, Payments: payments}
	c, err := svc.PrepareCharge(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	payer := c.Payer
	payer.Country, payer.Street, payer.City, payer.PostalCode = "US", "1 Main St", "Boston", "02101"
	storetest.PayOnceWhenReleased(t, payments, app.ChargeRequest{
		Purpose: c.Purpose, Reference: c.Reference, Amount: c.Amount,
		Method: app.MethodCreditCard, Payer: payer, Description: "Pay-per-use session", PaidSoFarMinor: &c.PaidSoFarMinor,
		Card: &app.Card{
			Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 3,
			Holder: "Ewa Kowalska",
		},
	})
}
