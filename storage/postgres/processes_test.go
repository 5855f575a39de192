package postgres_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/bojanz/currency"
	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/storage/postgres"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The environment of a paying child process: the organisation database,
// the gateway's address and the registration to pay.
const (
	payChildDB  = "TRAINPAY_PG_PAY_CHILD_DB"
	payChildURL = "TRAINPAY_PG_PAY_CHILD_URL"
	payChildReg = "TRAINPAY_PG_PAY_CHILD_REG"
)

// payers is how many desktops pay the same registration at once.
const payers = 8

// Eight TrainPay processes (eight desktops) on one organisation database
// pay the same registration at the same instant, through the real
// PaymentService, against one Payflow server: the processor charges once
// (its own ledger is the judge), the journal holds one live sale, the
// registration shows the fee paid by it, and every other process is told
// that a payment for it is already in progress or made, without reaching
// the processor. The processes are this test binary run again; they start
// together when the parent closes their standard input.
func TestOneRegistrationPaidOnceByConcurrentProcesses(t *testing.T) {
	if url := os.Getenv(payChildDB); url != "" {
		payInChild(t, url)
		return
	}
	ctx := context.Background()
	db, url := openTempURL(t)
	regID := pendingRegistration(t, db)
	srv := payflowtest.NewServer(t)
	// Whatever happens below, every row the processes wrote goes to the
	// card data scan of `make test`.
	defer func() {
		dump := dumpRows(t, db)
		pcitest.KeepBytes(t, "organisation-database.json", func() []byte { return dump })
	}()

	paid, refused := storetest.RacePayers(t, payers, "TestOneRegistrationPaidOnceByConcurrentProcesses",
		payChildDB+"="+url, payChildURL+"="+srv.URL, payChildReg+"="+strconv.FormatInt(regID, 10))

	charges := srv.Ledger()
	if len(charges) != 1 || paid != 1 || refused != payers-1 {
		t.Fatalf("the processor charged %d times; %d processes paid and %d were refused, want 1, 1 and %d",
			len(charges), paid, refused, payers-1)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("the processor got %d requests, want 1: a refused process must not call it", n)
	}
	ref := "registration:" + strconv.FormatInt(regID, 10)
	rows, _, err := db.Payments(ctx, app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var live []app.Payment
	for _, p := range rows {
		if p.Kind == app.KindSale && p.Reference == ref && (p.State.Charged() || p.State.Unsettled()) {
			live = append(live, p)
		}
	}
	if len(live) != 1 || live[0].State != app.StateApproved || live[0].Key != charges[0].RequestID {
		t.Fatalf("journal: %d live sales (%+v), want the one approved charge %s", len(live), live, charges[0].RequestID)
	}
	var status string
	var paidMinor, paymentID int64
	if err := db.Pool().QueryRow(ctx, `SELECT status, paid_minor, coalesce(payment_id, 0) FROM registration WHERE id = $1`, regID).
		Scan(&status, &paidMinor, &paymentID); err != nil {
		t.Fatal(err)
	}
	if status != string(app.RegPaid) || paidMinor != 15000 || paymentID != live[0].ID {
		t.Fatalf("registration: status %s, paid %d by payment %d; want paid 15000 by payment %d",
			status, paidMinor, paymentID, live[0].ID)
	}
}

// payInChild is one paying desktop: it opens the organisation database and
// the gateway, says READY, waits for its standard input to close, pays the
// registration once and prints its outcome.
func payInChild(t *testing.T, url string) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	gw, err := payflow.New(payflow.Config{
		Endpoint: os.Getenv(payChildURL), User: payflowtest.User, Vendor: payflowtest.Vendor,
		Partner: payflowtest.Partner, Password: payflowtest.Password, Timeout: 5 * time.Second, InquiryLag: payflow.NoInquiryLag,
	})
	if err != nil {
		t.Fatal(err)
	}
	amount, err := currency.NewAmount("150.00", "USD")
	if err != nil {
		t.Fatal(err)
	}
	svc := app.NewPaymentService(db, oneGateway{gw: gw}, nil)
	req := app.ChargeRequest{
		Purpose: app.PurposeRegistration, Reference: "registration:" + os.Getenv(payChildReg),
		Amount: amount, Method: app.MethodCreditCard,
		Card: &app.Card{
			Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 3,
			Holder: "Anna Nowak",
		},
		Payer: app.Payer{
			FirstName: "Anna", LastName: "Nowak", Country: "US", Street: "1 Main St",
			City: "Boston", PostalCode: "02101", Email: "anna@example.com",
		},
		Description: "Payments that happen once",
	}
	storetest.PayOnceWhenReleased(t, svc, req)
}

// oneGateway resolves every payment to one Payflow client.
type oneGateway struct{ gw app.Gateway }

func (o oneGateway) ForMethod(context.Context, app.Method) (app.Gateway, app.Processor, app.Mode, error) {
	return o.gw, app.ProcessorPayflow, app.ModeProduction, nil
}

func (o oneGateway) ForPayment(context.Context, app.Payment) (app.Gateway, error) { return o.gw, nil }

// pendingRegistration writes, by SQL (the session and registration stores
// are not ported yet), a paid 150.00 USD session and one attendee's
// registration pending payment, and returns the registration's id.
func pendingRegistration(t *testing.T, db *postgres.DB) int64 {
	t.Helper()
	ctx := context.Background()
	var session, reg int64
	if err := db.Pool().QueryRow(ctx, `INSERT INTO session (topic, topic_fold, starts_at, ends_at, time_zone,
		duration_minutes, type, fee_minor, currency, registration_required, max_registrations, created_at, updated_at)
		VALUES ('Payments that happen once', 'payments that happen once', now() + interval '48 hours',
		        now() + interval '49 hours 30 minutes', 'America/New_York', 90, 'paid', 15000, 'USD', true, 10, now(), now())
		RETURNING id`).Scan(&session); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `INSERT INTO registration (session_id, first_name, last_name, email, country,
		status, confirmation, fee_minor, total_minor, currency, hold_until, created_at, updated_at)
		VALUES ($1, 'Anna', 'Nowak', 'anna@example.com', 'US', 'pending-payment', 'TP-CONF-1', 15000, 15000, 'USD',
		        now() + interval '30 minutes', now(), now())
		RETURNING id`, session).Scan(&reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

// dumpRows is every row of every table of db, as JSON.
func dumpRows(t *testing.T, db *postgres.DB) []byte {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Pool().Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, table := range tables {
		var rows string
		if err := db.Pool().QueryRow(ctx, `SELECT coalesce(json_agg(t)::text, '[]') FROM `+pgx.Identifier{table}.Sanitize()+` t`).
			Scan(&rows); err != nil {
			t.Fatal(err)
		}
		out = append(out, table+": "+rows+"\n"...)
	}
	return out
}
