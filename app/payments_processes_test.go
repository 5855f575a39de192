package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The environment of a paying child process: the database file, the
// gateway's address and the registration to pay.
const (
	payChildDB  = "TRAINPAY_PAY_CHILD_DB"
	payChildURL = "TRAINPAY_PAY_CHILD_URL"
	payChildReg = "TRAINPAY_PAY_CHILD_REG"
)

// payers is how many TrainPay processes pay the same registration at once.
const payers = 8

// Eight TrainPay processes on one SQLite file pay the same registration at
// the same instant, through the real PaymentService, against one Payflow
// server: the processor charges once, the journal holds one live sale, the
// registration shows one fee, and every other process is told that a
// payment for it is already in progress or made, without reaching the
// processor. The processes are this test binary run again; they start
// together when the parent closes their standard input.
func TestOneRegistrationPaidOnceByConcurrentProcesses(t *testing.T) {
	if path := os.Getenv(payChildDB); path != "" {
		payInChild(t, path)
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pcitest.Keep(t, path)
	reg := paidRegistration(t, db)
	srv := payflowtest.NewServer(t)

	paid, refused := storetest.RacePayers(t, payers, "TestOneRegistrationPaidOnceByConcurrentProcesses",
		payChildDB+"="+path, payChildURL+"="+srv.URL, payChildReg+"="+strconv.FormatInt(reg.ID, 10))

	charges := srv.Ledger()
	if len(charges) != 1 || paid != 1 || refused != payers-1 {
		t.Fatalf("the processor charged %d times; %d processes paid and %d were refused, want 1, 1 and %d",
			len(charges), paid, refused, payers-1)
	}
	if sales := len(srv.Requests()); sales != 1 {
		t.Errorf("the processor got %d requests, want 1: a refused process must not call it", sales)
	}
	rows, _, err := db.Payments(ctx, app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var live []app.Payment
	for _, p := range rows {
		if p.Kind == app.KindSale && p.Reference == reg.Reference() && (p.State.Charged() || p.State.Unsettled()) {
			live = append(live, p)
		}
	}
	if len(live) != 1 || live[0].State != app.StateApproved || live[0].Key != charges[0].RequestID {
		t.Fatalf("journal: %d live sales (%+v), want the one approved charge %s", len(live), live, charges[0].RequestID)
	}
	got, err := db.Registration(ctx, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != app.RegPaid || got.PaidMinor != reg.TotalMinor || got.PaymentID != live[0].ID {
		t.Fatalf("registration: status %s, paid %d by payment %d; want paid %d by payment %d",
			got.Status, got.PaidMinor, got.PaymentID, reg.TotalMinor, live[0].ID)
	}
}

// payInChild is one paying process: it opens the database and the gateway,
// says READY, waits for its standard input to close, pays the registration
// once and prints its outcome.
func payInChild(t *testing.T, path string) {
	ctx := context.Background()
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id, err := strconv.ParseInt(os.Getenv(payChildReg), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := db.Registration(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	svc := app.NewPaymentService(db, oneGateway{gw: payflowClient(t, os.Getenv(payChildURL)), proc: app.ProcessorPayflow}, nil)
	req := chargeRequest(t, "150.00", "USD")
	req.Purpose, req.Reference, req.Description = app.PurposeRegistration, reg.Reference(), reg.Confirmation
	storetest.PayOnceWhenReleased(t, svc, req)
}

// paidRegistration sets up a site with paid sessions and registers one
// attendee for a 150.00 USD session: a registration pending payment.
func paidRegistration(t *testing.T, db *storage.DB) app.Registration {
	t.Helper()
	ctx := context.Background()
	site := testsite.Service(db)
	testsite.SetUp(t, site, testsite.US())
	testsite.Provision(t, site, app.FeaturePaidSessions)
	states, err := db.Features(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range states {
		if states[i].Feature == app.FeaturePaidSessions {
			states[i].Enabled = true
		}
	}
	if err := db.SaveFeatures(ctx, states, nil); err != nil {
		t.Fatal(err)
	}
	sessions := app.NewSessionService(db, db, site, nil, nil)
	s, err := sessions.Schedule(ctx, app.Session{
		Topic: "Payments that happen once", StartsAt: time.Now().Add(48 * time.Hour),
		DurationMinutes: 90, Type: app.SessionPaid, FeeMinor: 15000, MaxRegistrations: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sessions.Register(ctx, s.ID, app.Attendee{
		FirstName: "Anna", LastName: "Nowak",
		Email: "anna@example.com", Country: "US", Language: "en",
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != app.RegPendingPayment || r.TotalMinor != 15000 {
		t.Fatalf("registration %+v, want pending payment of 15000", r)
	}
	return r
}
