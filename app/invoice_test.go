package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice/ppinvoicetest"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
)

// invoiceGateways is the site's invoice gateway in Test mode.
type invoiceGateways struct{ gw app.InvoiceGateway }

func (g invoiceGateways) InvoiceGateway(context.Context) (app.InvoiceGateway, app.Mode, error) {
	return g.gw, app.ModeTest, nil
}

// invoiceClock is the service's time, moved by the tests.
type invoiceClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *invoiceClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.off)
}

func (c *invoiceClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

type invoiceFixture struct {
	db    *storage.DB
	path  string
	sb    *sandbox.Sandbox
	proxy *ppinvoicetest.Proxy
	svc   *app.InvoiceService
	clock *invoiceClock
	paid  chan app.Registration
}

// newInvoiceFixture is a SQLite file, the offline sandbox behind the
// proxy that checks every exchange against PayPal's description, and the
// service, with one paid session of capacity seats at fee (major units).
func newInvoiceFixture(t *testing.T) *invoiceFixture {
	t.Helper()
	db, path := testsite.Open(t)
	sb, err := sandbox.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	proxy := ppinvoicetest.NewProxy(t, sb.InvoicingBase())
	cfg := sb.InvoicingConfig()
	cfg.BaseURL, cfg.RetryDelay = proxy.URL, 5*time.Millisecond
	c, err := ppinvoice.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &invoiceFixture{db: db, path: path, sb: sb, proxy: proxy, clock: &invoiceClock{}, paid: make(chan app.Registration, 10)}
	if err := db.SavePaymentSettings(context.Background(), app.PaymentSettings{PayPalInvoices: true}, nil); err != nil {
		t.Fatal(err)
	}
	f.svc = &app.InvoiceService{
		Store: db, Gateways: invoiceGateways{ppinvoice.Gateway{C: c}}, Settings: db, Now: f.clock.Now,
		Paid: func(_ context.Context, r app.Registration) error { f.paid <- r; return nil },
	}
	return f
}

func (f *invoiceFixture) session(t *testing.T, feeMinor int64, seats int) app.Session {
	t.Helper()
	s := app.Session{
		Topic: "Kubernetes w praktyce", StartsAt: time.Now().UTC().Add(72 * time.Hour), TimeZone: "Europe/Warsaw",
		DurationMinutes: 120, Type: app.SessionPaid, FeeMinor: feeMinor, Currency: "USD", MaxRegistrations: seats,
	}
	s.Normalize()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateSession(context.Background(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *invoiceFixture) register(t *testing.T, sessionID int64, email, lang string) app.Registration {
	t.Helper()
	r := app.Registration{SessionID: sessionID, Attendee: app.Attendee{
		FirstName: "Zofia", LastName: "Łęcka",
		Email: email, Language: lang,
	}}
	if err := f.db.Register(context.Background(), &r, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

// payOnPage pays an invoice on the sandbox's payer page with a test card,
// as the attendee's browser posts it (never through TrainPay).
func (f *invoiceFixture) payOnPage(t *testing.T, paypalID string) {
	t.Helper()
	resp, err := http.PostForm(f.sb.InvoicingBase()+"/invoice/p/"+paypalID+"/pay", url.Values{
		"method": {"card"},
		"number": {"378282246310005"}, "expiry": {"01/" + time.Now().AddDate(3, 0, 0).Format("06")}, "cvv": {"1234"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("paying on the page: %d", resp.StatusCode)
	}
}

func (f *invoiceFixture) sandboxInvoice(t *testing.T, number string) sandbox.Invoice {
	t.Helper()
	var found []sandbox.Invoice
	for _, inv := range f.sb.Invoices() {
		if inv.Number == number {
			found = append(found, inv)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the sandbox has %d invoices numbered %s, want 1", len(found), number)
	}
	return found[0]
}

func (f *invoiceFixture) sales(t *testing.T) []app.Payment {
	t.Helper()
	rows, _, err := f.db.Payments(context.Background(), app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestInvoiceSentPaidOnPayPalsPageMarksTheRegistrationPaidOnce: the
// invoice is PayPal's for the registration's total with the confirmation
// number, the seat is held until the due time, the payer pays on the
// sandbox's page, and one poll records the capture in the journal with
// the registration paid; polling again records nothing more.
func TestInvoiceSentPaidOnPayPalsPageMarksTheRegistrationPaidOnce(t *testing.T) {
	f := newInvoiceFixture(t)
	ctx := context.Background()
	s := f.session(t, 250_00, 10)
	r := f.register(t, s.ID, "zofia@example.pl", "pl")
	due := f.clock.Now().Add(48 * time.Hour)
	inv, err := f.svc.Send(ctx, app.SendRequest{RegistrationID: r.ID, Due: due})
	if err != nil {
		t.Fatal(err)
	}
	if inv.State != app.InvoiceAwaitingPayment || inv.PayPalID == "" || inv.PayerLink == "" || inv.Number != r.Confirmation {
		t.Fatalf("sent %+v", inv)
	}
	remote := f.sandboxInvoice(t, r.Confirmation)
	if remote.Total != 250_00 || remote.Currency != "USD" || remote.Status != "SENT" || remote.Email != r.Email ||
		remote.Language != "pl-PL" || len(remote.Items) != 1 || remote.Items[0].Name != s.Topic {
		t.Errorf("PayPal's invoice %+v", remote)
	}
	if reg, _ := f.db.Registration(ctx, r.ID); !reg.HoldUntil.Equal(due.Truncate(time.Nanosecond)) && reg.HoldUntil.Sub(due).Abs() > time.Microsecond {
		t.Errorf("the seat is held until %v, want the due time %v", reg.HoldUntil, due)
	}
	// Before payment a poll changes nothing.
	if rep, err := f.svc.Poll(ctx); err != nil || rep.Paid != 0 || rep.Read != 1 {
		t.Fatalf("poll before payment: %+v, %v", rep, err)
	}
	f.payOnPage(t, inv.PayPalID)
	f.clock.Advance(InvoicePollPause)
	rep, err := f.svc.Poll(ctx)
	if err != nil || rep.Paid != 1 {
		t.Fatalf("poll after payment: %+v, %v", rep, err)
	}
	reg, _ := f.db.Registration(ctx, r.ID)
	if reg.Status != app.RegPaid || reg.Method != app.MethodPayPalInvoice || reg.PaidMinor != 250_00 || reg.GatewayRef == "" {
		t.Errorf("registration %+v", reg)
	}
	select {
	case got := <-f.paid:
		if got.ID != r.ID || got.Status != app.RegPaid {
			t.Errorf("receipt told of %+v", got)
		}
	default:
		t.Error("the receipt was not asked for")
	}
	got, _ := f.db.InvoiceFor(ctx, r.ID)
	if got.State != app.InvoicePaid || got.CaptureID != reg.GatewayRef {
		t.Errorf("invoice %+v", got)
	}
	f.clock.Advance(time.Hour)
	if rep, err := f.svc.Poll(ctx); err != nil || rep.Read != 0 {
		t.Errorf("a paid invoice was polled again: %+v, %v", rep, err)
	}
	if sales := f.sales(t); len(sales) != 1 || sales[0].AmountMinor != 250_00 || !sales[0].State.Charged() {
		t.Errorf("journal %+v", sales)
	}
	pcitest.Snapshot(t, f.path)
}

// InvoicePollPause is more than the shortest pause between reads of one
// invoice.
const InvoicePollPause = app.InvoicePollMin + time.Second

// TestInvoiceCreateWhoseAnswersAreLostMakesOneInvoice: every answer to the
// create is lost after PayPal acted (each resend under the same
// PayPal-Request-Id too); the service finds the invoice by its number
// and sends it: one invoice at PayPal, one email.
func TestInvoiceCreateWhoseAnswersAreLostMakesOneInvoice(t *testing.T) {
	f := newInvoiceFixture(t)
	ctx := context.Background()
	s := f.session(t, 80_00, 10)
	r := f.register(t, s.ID, "jan@example.pl", "pl")
	f.proxy.Inject(ppinvoicetest.OpCreate, ppinvoicetest.FaultReplyLostAfter, ppinvoicetest.FaultReplyLostAfter,
		ppinvoicetest.FaultReplyLostAfter)
	inv, err := f.svc.Send(ctx, app.SendRequest{RegistrationID: r.ID, Due: f.clock.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	creates := f.proxy.RequestsOf(ppinvoicetest.OpCreate)
	if len(creates) != 3 {
		t.Fatalf("%d creates sent, want 3 (the first and two resends)", len(creates))
	}
	for _, c := range creates {
		if c.RequestID != app.InvoiceRequestID(r.Confirmation) {
			t.Errorf("a create under %q", c.RequestID)
		}
	}
	remote := f.sandboxInvoice(t, r.Confirmation)
	if inv.PayPalID != remote.ID || inv.State != app.InvoiceAwaitingPayment || remote.Status != "SENT" {
		t.Errorf("invoice %+v, PayPal's %+v", inv, remote)
	}
	if n := len(f.proxy.RequestsOf(ppinvoicetest.OpSend)); n != 1 {
		t.Errorf("%d sends", n)
	}
}

// TestInvoiceRowLeftBeforePayPalAnsweredIsFoundByItsNumber: a TrainPay
// that stopped after PayPal created the invoice but before the answer was
// recorded left the row without PayPal's id; the next poll finds the
// invoice by its number, records it and sends it, and makes no second one.
func TestInvoiceRowLeftBeforePayPalAnsweredIsFoundByItsNumber(t *testing.T) {
	f := newInvoiceFixture(t)
	ctx := context.Background()
	s := f.session(t, 80_00, 10)
	r := f.register(t, s.ID, "ewa@example.pl", "en")
	due := f.clock.Now().Add(24 * time.Hour)
	if err := f.db.RenewHold(ctx, r.ID, f.clock.Now(), due); err != nil {
		t.Fatal(err)
	}
	row := app.Invoice{RegistrationID: r.ID, Number: r.Confirmation, DueDate: due.Format(time.DateOnly), CreatedAt: f.clock.Now()}
	if err := f.db.CreateInvoice(ctx, &row); err != nil {
		t.Fatal(err)
	}
	// PayPal made it; the process died before recording the answer.
	_, err := ppinvoice.Gateway{C: mustClient(t, f)}.CreateInvoice(ctx, app.InvoiceContent{
		RequestID: app.InvoiceRequestID(r.Confirmation),
		Number:    r.Confirmation, Item: s.Topic, AmountMinor: 80_00, Currency: "USD", PayerEmail: r.Email, Due: due,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.Poll(ctx)
	if err != nil || rep.Read != 1 || rep.Errors != 0 {
		t.Fatalf("poll: %+v, %v", rep, err)
	}
	remote := f.sandboxInvoice(t, r.Confirmation)
	got, _ := f.db.InvoiceFor(ctx, r.ID)
	if got.PayPalID != remote.ID || got.State != app.InvoiceAwaitingPayment || remote.Status != "SENT" {
		t.Errorf("after the poll: %+v; PayPal's %+v", got, remote)
	}
	if n := len(f.proxy.RequestsOf(ppinvoicetest.OpCreate)); n != 0 {
		t.Errorf("%d creates through TrainPay's poll, want none", n)
	}
}

func mustClient(t *testing.T, f *invoiceFixture) *ppinvoice.Client {
	t.Helper()
	c, err := ppinvoice.New(f.sb.InvoicingConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestInvoicePollWithPayPalDownKeepsTheStatusAndRecovers: PayPal answers
// 502 to every read; the invoice keeps its status, the registration its
// seat, PayPalDown reports it, and once PayPal answers again the next poll
// records the payment and clears it.
func TestInvoicePollWithPayPalDownKeepsTheStatusAndRecovers(t *testing.T) {
	f := newInvoiceFixture(t)
	ctx := context.Background()
	s := f.session(t, 120_00, 10)
	r := f.register(t, s.ID, "ola@example.pl", "pl")
	inv, err := f.svc.Send(ctx, app.SendRequest{RegistrationID: r.ID, Due: f.clock.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f.payOnPage(t, inv.PayPalID)
	f.proxy.Inject(ppinvoicetest.OpGet, ppinvoicetest.Fault5xxHTMLBefore, ppinvoicetest.Fault5xxHTMLBefore,
		ppinvoicetest.Fault5xxHTMLBefore)
	rep, err := f.svc.Poll(ctx)
	if err != nil || rep.Errors != 1 || rep.Paid != 0 {
		t.Fatalf("poll with PayPal down: %+v, %v", rep, err)
	}
	if since, down := f.svc.PayPalDown(); down == nil || since.IsZero() {
		t.Error("PayPal down is not reported")
	}
	got, _ := f.db.InvoiceFor(ctx, r.ID)
	reg, _ := f.db.Registration(ctx, r.ID)
	if got.State != app.InvoiceAwaitingPayment || reg.Status != app.RegPendingPayment {
		t.Errorf("while PayPal is down: invoice %s, registration %s", got.State, reg.Status)
	}
	// The lease holds the invoice back for the down pause, then it is read.
	if rep, _ := f.svc.Poll(ctx); rep.Read != 0 {
		t.Errorf("read again at once while PayPal is down: %+v", rep)
	}
	f.clock.Advance(time.Minute)
	rep, err = f.svc.Poll(ctx)
	if err != nil || rep.Paid != 1 {
		t.Fatalf("poll after PayPal is back: %+v, %v", rep, err)
	}
	if _, down := f.svc.PayPalDown(); down != nil {
		t.Errorf("still reported down: %v", down)
	}
	if reg, _ := f.db.Registration(ctx, r.ID); reg.Status != app.RegPaid {
		t.Errorf("registration %s after recovery", reg.Status)
	}
}

// TestInvoicePaidAfterTheHoldExpired follows LatePaymentRule: with a seat
// free the late payer gets it; with the session full since, the payment is
// refunded through its capture and both the journal and PayPal show it.
func TestInvoicePaidAfterTheHoldExpired(t *testing.T) {
	for _, full := range []bool{false, true} {
		name := "SeatFreeIsGiven"
		if full {
			name = "SessionFullIsRefunded"
		}
		t.Run(name, func(t *testing.T) {
			f := newInvoiceFixture(t)
			ctx := context.Background()
			s := f.session(t, 99_00, 1)
			r := f.register(t, s.ID, "late@example.pl", "pl")
			inv, err := f.svc.Send(ctx, app.SendRequest{RegistrationID: r.ID, Due: f.clock.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			// TrainPay is closed; the attendee pays; the due time passes.
			f.payOnPage(t, inv.PayPalID)
			f.clock.Advance(2 * time.Hour)
			var other app.Registration
			if full {
				other = f.register(t, s.ID, "other@example.pl", "en")
			}
			rep, err := f.svc.Poll(ctx)
			if err != nil || rep.Paid != 1 {
				t.Fatalf("poll: %+v, %v", rep, err)
			}
			reg, _ := f.db.Registration(ctx, r.ID)
			got, _ := f.db.InvoiceFor(ctx, r.ID)
			remote := f.sandboxInvoice(t, r.Confirmation)
			sales := f.sales(t)
			if !full {
				if reg.Status != app.RegPaid || got.State != app.InvoicePaid || remote.Status != "PAID" || len(sales) != 1 {
					t.Errorf("seat free: registration %s, invoice %s, PayPal %s, %d journal rows", reg.Status, got.State,
						remote.Status, len(sales))
				}
				return
			}
			if reg.Status != app.RegExpired || got.State != app.InvoiceRefunded || remote.Status != "REFUNDED" ||
				remote.RefundedMn != 99_00 {
				t.Errorf("session full: registration %s, invoice %s, PayPal %s refunded %d", reg.Status, got.State,
					remote.Status, remote.RefundedMn)
			}
			if len(sales) != 2 || sales[0].Kind != app.KindRefund || sales[0].State != app.StateApproved ||
				sales[1].Kind != app.KindSale || !sales[1].State.Charged() || sales[1].RefundedMinor != 99_00 {
				t.Errorf("journal %+v", sales)
			}
			if o, _ := f.db.Registration(ctx, other.ID); o.Status != app.RegPendingPayment {
				t.Errorf("the other attendee's seat: %s", o.Status)
			}
			select {
			case p := <-f.paid:
				t.Errorf("a receipt for a refunded payment: %+v", p)
			default:
			}
		})
	}
}

// TestUnpaidInvoiceCancelledAtPayPalGivesBackTheSeat and a paid one is
// refunded through its capture.
func TestInvoiceCancelBeforeAndAfterPayment(t *testing.T) {
	f := newInvoiceFixture(t)
	ctx := context.Background()
	s := f.session(t, 50_00, 1)
	r := f.register(t, s.ID, "a@example.pl", "pl")
	if _, err := f.svc.Send(ctx, app.SendRequest{RegistrationID: r.ID, Due: f.clock.Now().Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Cancel(ctx, r.ID, "")
	if err != nil || got.State != app.InvoiceCancelled {
		t.Fatalf("cancel: %+v, %v", got, err)
	}
	if remote := f.sandboxInvoice(t, r.Confirmation); remote.Status != "CANCELLED" {
		t.Errorf("PayPal's invoice %s", remote.Status)
	}
	b := f.register(t, s.ID, "b@example.pl", "en") // the seat is free again
	inv, err := f.svc.Send(ctx, app.SendRequest{RegistrationID: b.ID, Due: f.clock.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f.payOnPage(t, inv.PayPalID)
	if _, err := f.svc.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = f.svc.Cancel(ctx, b.ID, "")
	if err != nil || got.State != app.InvoiceRefunded {
		t.Fatalf("cancel of a paid invoice: %+v, %v", got, err)
	}
	reg, _ := f.db.Registration(ctx, b.ID)
	if reg.Status != app.RegRefunded || reg.RefundedMinor != 50_00 {
		t.Errorf("registration after the refund %+v", reg)
	}
	if remote := f.sandboxInvoice(t, b.Confirmation); remote.Status != "REFUNDED" {
		t.Errorf("PayPal's invoice %s", remote.Status)
	}
}

// invoiceChildEnv names the database a re-executed test binary polls: the
// process started with it set dies (kill -9) once PayPal has said PAID,
// before the journal commits it.
const invoiceChildEnv = "TRAINPAY_TEST_INVOICE_CHILD_DB"

// dyingInvoiceStore is the store of a process killed between PayPal's PAID
// and the commit that records it.
type dyingInvoiceStore struct{ *storage.DB }

func (d dyingInvoiceStore) SettleInvoicePaid(context.Context, int64, app.Payment, string, time.Time) (app.InvoicePayment, error) {
	fmt.Println("PAID-READ")
	os.Stdout.Sync()
	killSelf()
	select {} // killSelf does not return
}

func runInvoiceChild(t *testing.T, path string) {
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := ppinvoice.New(ppinvoice.Config{
		BaseURL: os.Getenv(invoiceChildEnv + "_PAYPAL"), ClientID: sandbox.OrdersClientID,
		Secret: sandbox.OrdersSecret, RetryDelay: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := &app.InvoiceService{Store: dyingInvoiceStore{db}, Gateways: invoiceGateways{ppinvoice.Gateway{C: c}}, Owner: "child"}
	_, err = svc.Poll(context.Background())
	t.Fatalf("the poll returned (%v) instead of dying", err)
}

// TestInvoiceKilledBetweenPaidAndTheJournalCommitIsSettledOnce: a TrainPay
// process reads PAID and is killed (SIGKILL; TerminateProcess on Windows)
// before the journal records it. Nothing is half-written: the registration
// is still waiting and the journal empty; once the dead process's lease
// runs out, the next poll records the payment once, and another records
// nothing more.
func TestInvoiceKilledBetweenPaidAndTheJournalCommitIsSettledOnce(t *testing.T) {
	if path := os.Getenv(invoiceChildEnv); path != "" {
		runInvoiceChild(t, path)
		return
	}
	f := newInvoiceFixture(t)
	ctx := context.Background()
	s := f.session(t, 75_00, 5)
	r := f.register(t, s.ID, "kill@example.pl", "pl")
	inv, err := f.svc.Send(ctx, app.SendRequest{RegistrationID: r.ID, Due: f.clock.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f.payOnPage(t, inv.PayPalID)

	cmd := exec.Command(os.Args[0], "-test.run=^TestInvoiceKilledBetweenPaidAndTheJournalCommitIsSettledOnce$", "-test.v")
	cmd.Env = append(os.Environ(), invoiceChildEnv+"="+f.path, invoiceChildEnv+"_PAYPAL="+f.sb.InvoicingBase())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !diedOfKillSelf(exit.ProcessState) || !strings.Contains(string(out), "PAID-READ") {
		t.Fatalf("the child did not die on PAID: %v\n%s", err, out)
	}
	reg, _ := f.db.Registration(ctx, r.ID)
	got, _ := f.db.InvoiceFor(ctx, r.ID)
	if reg.Status != app.RegPendingPayment || len(f.sales(t)) != 0 || got.State != app.InvoiceAwaitingPayment ||
		got.LeaseOwner != "child" {
		t.Fatalf("after the kill: registration %s, %d journal rows, invoice %+v", reg.Status, len(f.sales(t)), got)
	}
	// The dead process's lease keeps others off until it runs out.
	if rep, _ := f.svc.Poll(ctx); rep.Read != 0 {
		t.Errorf("read under the dead process's lease: %+v", rep)
	}
	f.clock.Advance(app.InvoiceLease + time.Second)
	if rep, err := f.svc.Poll(ctx); err != nil || rep.Paid != 1 {
		t.Fatalf("reconcile: %+v, %v", rep, err)
	}
	f.clock.Advance(time.Hour)
	if rep, err := f.svc.Poll(ctx); err != nil || rep.Read != 0 {
		t.Errorf("polled after settling: %+v, %v", rep, err)
	}
	sales := f.sales(t)
	reg, _ = f.db.Registration(ctx, r.ID)
	if len(sales) != 1 || !sales[0].State.Charged() || reg.Status != app.RegPaid || reg.PaymentID != sales[0].ID {
		t.Errorf("journal %+v, registration %+v", sales, reg)
	}
	if n := len(f.sandboxInvoice(t, r.Confirmation).Payments); n != 1 {
		t.Errorf("PayPal has %d payments", n)
	}
}

// Until the administrator turns PayPal invoices on, the method is not
// offered and no invoice is sent (the refusal says whom to ask); an
// invoice sent before it was turned off is still followed to its payment.
func TestInvoiceSentOnlyOnceTheAdministratorTurnedItOn(t *testing.T) {
	f := newInvoiceFixture(t)
	ctx := context.Background()
	s := f.session(t, 120_00, 10)
	before := f.register(t, s.ID, "jan@example.pl", "pl")
	inv, err := f.svc.Send(ctx, app.SendRequest{RegistrationID: before.ID, Due: f.clock.Now().Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	if err := f.db.SavePaymentSettings(ctx, app.PaymentSettings{PayPalInvoices: false}, nil); err != nil {
		t.Fatal(err)
	}
	if f.svc.Offered(ctx) {
		t.Error("offered while turned off")
	}
	after := f.register(t, s.ID, "ola@example.pl", "pl")
	_, err = f.svc.Send(ctx, app.SendRequest{RegistrationID: after.ID, Due: f.clock.Now().Add(48 * time.Hour)})
	if app.ErrorCode(err) != app.ECONFLICT || app.AsError(err).Key != "error.invoice.not_enabled" {
		t.Fatalf("sent while turned off: %v", err)
	}
	if _, err := f.svc.SendAll(ctx, s.ID, f.clock.Now().Add(48*time.Hour), nil); app.AsError(err).Key != "error.invoice.not_enabled" {
		t.Fatalf("sent to every unpaid while turned off: %v", err)
	}
	if _, err := f.db.InvoiceFor(ctx, after.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("an invoice row for the refused one: %v", err)
	}

	f.payOnPage(t, inv.PayPalID)
	f.clock.Advance(InvoicePollPause)
	if rep, err := f.svc.Poll(ctx); err != nil || rep.Paid != 1 {
		t.Fatalf("the invoice sent before was not followed: %+v, %v", rep, err)
	}
}
