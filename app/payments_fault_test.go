package app_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp"
	"github.com/trainpay/trainpay/app/gateway/nvp/nvptest"
	"github.com/trainpay/trainpay/app/gateway/payflow"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/app/gateway/paypalrest"
	"github.com/trainpay/trainpay/app/gateway/paypalrest/paypalresttest"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/storage"
)

// The payment fault matrix: for each protocol and each way a payment can
// go wrong between the app and the processor, charge once, reconcile, and
// compare the journal with the processor's own ledger. A payment that may
// have happened is never forgotten (0 lost) and never made twice (0
// doubled).

// oneGateway resolves every payment to one gateway.
type oneGateway struct {
	gw   app.Gateway
	proc app.Processor
}

func (o oneGateway) ForMethod(context.Context, app.Method) (app.Gateway, app.Processor, app.Mode, error) {
	return o.gw, o.proc, app.ModeProduction, nil
}

func (o oneGateway) ForPayment(context.Context, app.Payment) (app.Gateway, error) { return o.gw, nil }

// processor is one protocol under test: its strict server and a client.
type processor struct {
	name   string
	proc   app.Processor
	amount string
	code   string
	url    string
	client func(t testing.TB, url string) app.Gateway
	inject func(fault string)
	// charges returns how many charges the processor's ledger holds for a
	// journal row (by request ID or invoice number).
	charges func(p app.Payment) int
	// request makes the charge; nil: a card charge (chargeRequest).
	request func(t testing.TB, amount, code string) app.ChargeRequest
	// chargedAgo dates the charge back (the journal's clock), so that the
	// restart's reconciliation comes that long after it.
	chargedAgo time.Duration
}

var faults = []string{
	"none", "reply-lost-after-charge", "timeout-before-charge", "connection-reset",
	"5xx-html-before-charge", "5xx-html-after-charge", "malformed-after-charge", "kill-9-before-journal-commit",
}

func payflowProcessor(t *testing.T) *processor {
	srv := payflowtest.NewServer(t)
	return &processor{
		name: "Payflow Pro", proc: app.ProcessorPayflow, amount: "25.00", code: "USD", url: srv.URL,
		client: payflowClient,
		inject: func(f string) {
			switch f {
			case "reply-lost-after-charge": // the client retries once under the same ID
				srv.InjectNext(payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge)
			case "timeout-before-charge":
				srv.InjectNext(payflowtest.FaultTimeoutBeforeCharge)
			case "connection-reset":
				srv.InjectNext(payflowtest.FaultReset, payflowtest.FaultReset)
			case "5xx-html-before-charge":
				srv.InjectNext(payflowtest.Fault5xxHTML)
			case "5xx-html-after-charge":
				srv.InjectNext(payflowtest.Fault5xxHTMLAfterCharge)
			case "malformed-after-charge":
				srv.InjectNext(payflowtest.FaultMalformed)
			}
		},
		charges: func(p app.Payment) int {
			n := 0
			for _, c := range srv.Ledger() {
				if c.RequestID == p.Key && !c.Voided {
					n++
				}
			}
			if len(srv.DoubleCharges()) > 0 {
				t.Errorf("payflow server reports double charges: %v", srv.DoubleCharges())
			}
			return n
		},
	}
}

// payflowClient has no inquiry lag: the strict server never processes a
// request after its connection is gone, so an inquiry that finds nothing
// is final at once (as NVP's search lag is off against nvptest).
func payflowClient(t testing.TB, url string) app.Gateway {
	c, err := payflow.New(payflow.Config{
		Endpoint: url, User: payflowtest.User, Vendor: payflowtest.Vendor,
		Partner: payflowtest.Partner, Password: payflowtest.Password, Timeout: time.Second, InquiryLag: payflow.NoInquiryLag,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func nvpProcessor(t *testing.T) *processor {
	srv := nvptest.NewServer(t)
	return &processor{
		name: "Website Payments Pro UK (NVP)", proc: app.ProcessorWPPUKNVP, amount: "25.00", code: "GBP", url: srv.URL(),
		client: nvpClient,
		inject: func(f string) {
			m := "DoDirectPayment"
			switch f {
			case "reply-lost-after-charge":
				srv.Inject(m, nvptest.LostReplyAfterProcessing)
			case "timeout-before-charge":
				srv.Inject(m, nvptest.TimeoutBeforeProcessing)
			case "connection-reset":
				srv.Inject(m, nvptest.ResetBeforeProcessing)
			case "5xx-html-before-charge":
				srv.Inject(m, nvptest.HTTP503BeforeProcessing)
			case "5xx-html-after-charge":
				srv.Inject(m, nvptest.HTTP500AfterProcessing)
			case "malformed-after-charge":
				srv.Inject(m, nvptest.MalformedAfterProcessing)
			}
		},
		charges: func(p app.Payment) int {
			n := 0
			for _, e := range srv.Sales(p.InvoiceID) {
				if e.Status != "Voided" {
					n++
				}
			}
			return n
		},
	}
}

func nvpClient(t testing.TB, url string) app.Gateway {
	c, err := nvp.New(nvp.Config{
		Endpoint: url, User: nvptest.User, Password: nvptest.Password,
		Signature: nvptest.Signature, Timeout: time.Second, SearchLag: nvp.NoSearchLag,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// paypalRESTProcessor is Express Checkout on Orders v2. The charge is the
// capture, after the buyer approved on the strict server; every send of
// the capture meets the fault (and the read that would confirm it fails
// once), so the sale ends as the fault leaves it and reconciliation (GET
// the order journalled before capture) settles it.
func paypalRESTProcessor(t *testing.T) *processor {
	srv := paypalresttest.NewServer(t)
	srv.SetHold(1500 * time.Millisecond)
	return &processor{
		name: "PayPal Express Checkout (REST)", proc: app.ProcessorPayPalREST, amount: "25.00", code: "USD", url: srv.URL,
		client:  paypalRESTClient,
		request: paypalRESTRequest,
		inject: func(f string) {
			var fault paypalresttest.Fault
			switch f {
			case "reply-lost-after-charge":
				fault = paypalresttest.FaultReplyLostAfter
			case "timeout-before-charge":
				fault = paypalresttest.FaultTimeoutBefore
			case "connection-reset":
				fault = paypalresttest.FaultResetBefore
			case "5xx-html-before-charge":
				fault = paypalresttest.Fault5xxHTMLBefore
			case "5xx-html-after-charge":
				fault = paypalresttest.Fault5xxHTMLAfter
			case "malformed-after-charge":
				fault = paypalresttest.FaultMalformedAfter
			default:
				return
			}
			srv.Inject(paypalresttest.OpCapture, fault, fault, fault) // the first send and both resends
			srv.Inject(paypalresttest.OpGet, paypalresttest.Fault5xxHTMLBefore)
		},
		charges: func(p app.Payment) int { return srv.CapturesFor(p.Key) },
		// After the guard that keeps an order whose capture was just sent
		// unknown (TestRestartDoesNotFailARecentCapture covers the restart
		// within it).
		chargedAgo: time.Hour,
	}
}

func paypalRESTClient(t testing.TB, url string) app.Gateway {
	c, err := paypalrest.New(paypalrest.Config{
		BaseURL: url, ClientID: paypalresttest.ClientID, Secret: paypalresttest.Secret,
		Timeout: time.Second, PollInterval: time.Hour, RetryDelay: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// paypalRESTRequest is a PayPal charge whose buyer approves at once.
func paypalRESTRequest(t testing.TB, amount, code string) app.ChargeRequest {
	req := chargeRequest(t, amount, code)
	req.Method, req.Card = app.MethodExpressCheckout, nil
	req.Approval = &app.BuyerApproval{Show: func(l app.ApprovalLink) {
		go func() {
			if err := paypalresttest.Press(l.URL, "approve"); err != nil {
				fmt.Fprintln(os.Stderr, "the buyer could not approve:", err)
			}
		}()
	}}
	return req
}

func testCard() *app.Card {
	return &app.Card{
		Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 3,
		Holder: "Anna Nowak",
	}
}

func chargeRequest(t testing.TB, amount, code string) app.ChargeRequest {
	a, err := currency.NewAmount(amount, code)
	if err != nil {
		t.Fatal(err)
	}
	return app.ChargeRequest{
		Purpose: app.PurposeTestPayment, Reference: "fault-matrix", Amount: a, Method: app.MethodCreditCard,
		Card: testCard(), Payer: app.Payer{
			FirstName: "Anna", LastName: "Nowak", Country: "GB", Street: "1 High St",
			City: "London", PostalCode: "SW1A 1AA", Email: "anna@example.com",
		}, Description: "Fault matrix",
	}
}

type matrixRow struct {
	protocol, fault, before, after string
	ledger                         int
	lost, doubled                  int
}

func TestPaymentFaultMatrix(t *testing.T) {
	var mu sync.Mutex
	var rows []matrixRow
	for _, mk := range []func(*testing.T) *processor{payflowProcessor, nvpProcessor, paypalRESTProcessor} {
		p := mk(t)
		for _, fault := range faults {
			t.Run(p.name+"/"+fault, func(t *testing.T) {
				row := runFault(t, p, fault)
				mu.Lock()
				rows = append(rows, row)
				mu.Unlock()
				if row.lost != 0 || row.doubled != 0 {
					t.Errorf("%s %s: %d lost, %d doubled", p.name, fault, row.lost, row.doubled)
				}
			})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].protocol < rows[j].protocol })
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-30s %-30s %-14s %-14s %7s %5s %8s\n", "protocol", "fault", "after call", "reconciled", "charges", "lost", "doubled")
	lost, doubled := 0, 0
	for _, r := range rows {
		fmt.Fprintf(&b, "%-30s %-30s %-14s %-14s %7d %5d %8d\n", r.protocol, r.fault, r.before, r.after, r.ledger, r.lost, r.doubled)
		lost += r.lost
		doubled += r.doubled
	}
	fmt.Fprintf(&b, "total: %d lost, %d doubled\n", lost, doubled)
	t.Log(b.String())
}

// runFault charges once with the fault injected, reconciles as the app does
// on start-up, and compares the journal with the processor's ledger.
func runFault(t *testing.T, p *processor, fault string) matrixRow {
	path := filepath.Join(t.TempDir(), "trainpay.db")
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	row := matrixRow{protocol: p.name, fault: fault}

	var id int64
	if fault == "kill-9-before-journal-commit" {
		id = chargeInChild(t, p, path)
	} else {
		p.inject(fault)
		svc := app.NewPaymentService(db, oneGateway{gw: p.client(t, p.url), proc: p.proc}, testLogger(t))
		if p.chargedAgo > 0 {
			svc.Now = func() time.Time { return time.Now().Add(-p.chargedAgo) }
		}
		req := chargeRequest(t, p.amount, p.code)
		if p.request != nil {
			req = p.request(t, p.amount, p.code)
		}
		pay, _ := svc.Charge(ctx, req)
		id = pay.ID
	}
	before, err := db.Payment(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	row.before = string(before.State)

	// Restart: a new service (and client) on the same database reconciles.
	svc := app.NewPaymentService(db, oneGateway{gw: p.client(t, p.url), proc: p.proc}, nil)
	if _, err := svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := db.Payment(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	row.after = string(after.State)
	row.ledger = p.charges(after)
	switch {
	case row.ledger > 1:
		row.doubled = row.ledger - 1
	case row.ledger == 1 && !after.State.Charged():
		row.lost = 1 // the processor took money the journal does not know of
	case row.ledger == 0 && after.State.Charged():
		row.doubled = 0
		t.Errorf("the journal says charged but the processor has nothing")
	}
	if after.State.Unsettled() {
		t.Errorf("still unsettled after reconciliation: %s", after.State)
	}
	if after.State.Charged() && after.GatewayRef == "" {
		t.Errorf("charged without a gateway reference")
	}
	// A second reconciliation changes nothing and charges nothing.
	if _, err := svc.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if again := p.charges(after); again != row.ledger {
		t.Errorf("reconciling again changed the ledger: %d → %d", row.ledger, again)
	}
	pcitest.Snapshot(t, path)
	return row
}

// killingStore is the journal of a process that dies (kill -9, or
// TerminateProcess on Windows: see killSelf) right after
// the gateway answered, before the answer is committed. A reference
// recorded while the row is still pending (a PayPal order id, before
// capture) is committed: the process dies on the answer.
type killingStore struct{ app.PaymentStore }

func (k killingStore) SettlePayment(ctx context.Context, id int64, u app.PaymentUpdate) error {
	if u.State == app.StatePending {
		return k.PaymentStore.SettlePayment(ctx, id, u)
	}
	fmt.Println("ANSWERED") // the parent reads this to know the gateway was called
	os.Stdout.Sync()
	killSelf()
	select {}
}

func chargeInChild(t *testing.T, p *processor, path string) int64 {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFaultChild$", "-test.v")
	cmd.Env = append(os.Environ(), "TRAINPAY_FAULT_CHILD=1", "TRAINPAY_FAULT_DB="+path,
		"TRAINPAY_FAULT_URL="+p.url, "TRAINPAY_FAULT_PROC="+string(p.proc), "TRAINPAY_FAULT_AMOUNT="+p.amount,
		"TRAINPAY_FAULT_CURRENCY="+p.code)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	answered := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "ANSWERED" {
			answered = true
		}
	}
	err = cmd.Wait()
	if !diedOfKillSelf(cmd.ProcessState) {
		t.Fatalf("the child did not die of its own kill: %v", err)
	}
	if !answered {
		t.Fatal("the child died before the gateway answered")
	}
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.UnsettledPayments(context.Background())
	if err != nil || len(rows) != 1 || rows[0].State != app.StatePending {
		t.Fatalf("after the kill the journal holds %v (%v), want one pending row", rows, err)
	}
	return rows[0].ID
}

// TestFaultChild is the child process of the kill -9 case; it does nothing
// in a normal run.
func TestFaultChild(t *testing.T) {
	if os.Getenv("TRAINPAY_FAULT_CHILD") == "" {
		t.Skip("run by TestPaymentFaultMatrix as a child process")
	}
	db, err := storage.Open(os.Getenv("TRAINPAY_FAULT_DB"))
	if err != nil {
		t.Fatal(err)
	}
	url := os.Getenv("TRAINPAY_FAULT_URL")
	proc := app.Processor(os.Getenv("TRAINPAY_FAULT_PROC"))
	var gw app.Gateway
	req := chargeRequest(t, os.Getenv("TRAINPAY_FAULT_AMOUNT"), os.Getenv("TRAINPAY_FAULT_CURRENCY"))
	switch proc {
	case app.ProcessorPayflow:
		gw = payflowClient(t, url)
	case app.ProcessorPayPalREST:
		gw = paypalRESTClient(t, url)
		req = paypalRESTRequest(t, os.Getenv("TRAINPAY_FAULT_AMOUNT"), os.Getenv("TRAINPAY_FAULT_CURRENCY"))
	default:
		gw = nvpClient(t, url)
	}
	svc := app.NewPaymentService(killingStore{db}, oneGateway{gw: gw, proc: proc}, nil)
	svc.Charge(context.Background(), req)
	t.Fatal("the child survived its own kill")
}
