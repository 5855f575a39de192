package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// InvoiceStores is what the invoice suite drives: the invoice table with
// the registrations, sessions and journal it settles into.
type InvoiceStores interface {
	SessionStores
	app.InvoiceStore
}

// RunInvoiceStore runs the invoice store's contract against the stores
// open returns: each call must give a new, empty database.
func RunInvoiceStore(t *testing.T, open func(t *testing.T) InvoiceStores) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, InvoiceStores)
	}{
		{"RowIsWrittenFirstAndOnePerRegistration", invoiceRowFirstAndOne},
		{"PayPalsAnswersAreKeptAndIDsNeverChange", invoiceUpdatesKeepIDs},
		{"EachOpenInvoiceIsLeasedToOnePollerAtATime", invoiceLeasedToOne},
		{"PaidInvoiceMarksTheRegistrationPaidOnce", invoicePaidOnce},
		{"PaidAfterTheHoldTakesAFreeSeat", invoicePaidLateSeatFree},
		{"PaidAfterTheHoldWithTheSessionFullKeepsNoSeat", invoicePaidLateSessionFull},
		{"CancelledInvoiceGivesBackTheSeat", invoiceReleaseGivesBackTheSeat},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

// NewInvoice is the row of registration r's invoice, due dueDays after Clock.
func NewInvoice(r app.Registration) app.Invoice {
	return app.Invoice{
		RegistrationID: r.ID, Number: r.Confirmation, DueDate: Clock.AddDate(0, 0, 1).Format(time.DateOnly),
		CreatedAt: Clock,
	}
}

// InvoiceSale is the journal's sale of a paid invoice of r.
func InvoiceSale(r app.Registration, paypalID string) app.Payment {
	p := RegistrationSale(r)
	p.Key = fmt.Sprintf("%032x", len(paypalID)*7919+int(r.ID))
	p.InvoiceID, p.Method, p.Processor = paypalID, app.MethodPayPalInvoice, app.ProcessorPayPalREST
	return p
}

func addInvoice(t *testing.T, s InvoiceStores, r app.Registration, paypalID string) app.Invoice {
	t.Helper()
	ctx := context.Background()
	inv := NewInvoice(r)
	if err := s.CreateInvoice(ctx, &inv); err != nil {
		t.Fatalf("CreateInvoice: %v", err)
	}
	if paypalID != "" {
		if err := s.UpdateInvoice(ctx, inv.ID, app.InvoiceUpdate{
			PayPalID: paypalID, State: app.InvoiceAwaitingPayment,
			RawStatus: "SENT", PayerLink: "https://pay.example/" + paypalID, At: Clock,
		}); err != nil {
			t.Fatalf("UpdateInvoice: %v", err)
		}
	}
	got, err := s.InvoiceFor(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func invoiceRowFirstAndOne(t *testing.T, s InvoiceStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Go", 100_00, 5))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	_, err := s.InvoiceFor(ctx, r.ID)
	WantError(t, err, app.ENOTFOUND, "error.invoice.not_found")
	inv := NewInvoice(r)
	if err := s.CreateInvoice(ctx, &inv); err != nil {
		t.Fatal(err)
	}
	if inv.ID == 0 || inv.State != app.InvoiceCreating || inv.PayPalID != "" || inv.Number != r.Confirmation ||
		inv.DueDate != "2030-03-02" || !inv.CreatedAt.Equal(Clock) || inv.LeaseOwner != "" || !inv.LeaseUntil.IsZero() {
		t.Fatalf("created %+v", inv)
	}
	got, err := s.InvoiceFor(ctx, r.ID)
	if err != nil || got != inv {
		t.Fatalf("read back %+v, %v; want %+v", got, err, inv)
	}
	again := NewInvoice(r)
	again.Number = "TP-OTHER"
	WantError(t, s.CreateInvoice(ctx, &again), app.ECONFLICT, "error.invoice.exists")
	r2 := AddRegistration(t, s, x.ID, Attendee(2))
	same := NewInvoice(r2)
	same.Number = r.Confirmation
	WantError(t, s.CreateInvoice(ctx, &same), app.ECONFLICT, "error.invoice.exists")
}

func invoiceUpdatesKeepIDs(t *testing.T, s InvoiceStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Go", 100_00, 5))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	inv := addInvoice(t, s, r, "INV2-KEEP-0001")
	if inv.PayPalID != "INV2-KEEP-0001" || inv.State != app.InvoiceAwaitingPayment || inv.RawStatus != "SENT" ||
		inv.PayerLink != "https://pay.example/INV2-KEEP-0001" {
		t.Fatalf("after the send %+v", inv)
	}
	// A later answer without the id and link keeps them.
	if err := s.UpdateInvoice(ctx, inv.ID, app.InvoiceUpdate{
		State: app.InvoicePaymentPending, RawStatus: "PAYMENT_PENDING",
		At: Clock.Add(time.Minute),
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.InvoiceFor(ctx, r.ID)
	if got.PayPalID != inv.PayPalID || got.PayerLink != inv.PayerLink || got.State != app.InvoicePaymentPending ||
		!got.UpdatedAt.Equal(Clock.Add(time.Minute)) {
		t.Errorf("after a bare status %+v", got)
	}
	if err := s.UpdateInvoice(ctx, inv.ID, app.InvoiceUpdate{
		PayPalID: "INV2-OTHER", State: app.InvoiceAwaitingPayment,
		At: Clock,
	}); err == nil {
		t.Error("PayPal's id was changed")
	}
	WantError(t, s.UpdateInvoice(ctx, 9999, app.InvoiceUpdate{State: app.InvoiceDraft}), app.ENOTFOUND, "error.invoice.not_found")
	none := AddRegistration(t, s, x.ID, Attendee(2))
	states, err := s.InvoiceStates(ctx, []int64{r.ID, none.ID, 9999})
	if err != nil || len(states) != 1 || states[r.ID] != app.InvoicePaymentPending {
		t.Errorf("InvoiceStates: %v, %v", states, err)
	}
	if states, err := s.InvoiceStates(ctx, nil); err != nil || len(states) != 0 {
		t.Errorf("InvoiceStates of none: %v, %v", states, err)
	}
}

func invoiceLeasedToOne(t *testing.T, s InvoiceStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Go", 100_00, 20))
	const n = 8
	for i := range n {
		r := AddRegistration(t, s, x.ID, Attendee(i+1))
		addInvoice(t, s, r, fmt.Sprintf("INV2-LEASE-%04d", i))
	}
	// Four pollers lease at once: every invoice goes to exactly one.
	var mu sync.Mutex
	got := map[int64]string{}
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			owner := fmt.Sprintf("poller-%d", p)
			rows, err := s.LeaseInvoices(ctx, owner, Clock, Clock.Add(time.Minute), n)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, inv := range rows {
				if prev, ok := got[inv.ID]; ok {
					t.Errorf("invoice %d leased to %s and %s", inv.ID, prev, owner)
				}
				if inv.LeaseOwner != owner || !inv.LeaseUntil.Equal(Clock.Add(time.Minute)) {
					t.Errorf("leased row %+v", inv)
				}
				got[inv.ID] = owner
			}
		})
	}
	wg.Wait()
	if len(got) != n {
		t.Fatalf("%d of %d invoices leased", len(got), n)
	}
	// Nothing is free until the leases run out.
	if rows, err := s.LeaseInvoices(ctx, "late", Clock.Add(30*time.Second), Clock.Add(time.Hour), n); err != nil || len(rows) != 0 {
		t.Fatalf("leased before the leases ran out: %d, %v", len(rows), err)
	}
	var id int64
	var owner string
	for id, owner = range got {
		break
	}
	WantError(t, s.RenewInvoiceLease(ctx, id, "someone-else", Clock.Add(time.Hour)), app.ECONFLICT, "error.invoice.lease_lost")
	if err := s.RenewInvoiceLease(ctx, id, owner, Clock.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rows, err := s.LeaseInvoices(ctx, "late", Clock.Add(2*time.Minute), Clock.Add(3*time.Minute), n)
	if err != nil || len(rows) != n-1 {
		t.Fatalf("after the leases ran out: %d rows, %v; want %d (one renewed)", len(rows), err, n-1)
	}
	for _, inv := range rows {
		if inv.ID == id {
			t.Error("the renewed lease was taken")
		}
	}
}

func invoicePaidOnce(t *testing.T, s InvoiceStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Go", 100_00, 5))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	inv := addInvoice(t, s, r, "INV2-PAID-0001")
	at := Clock.Add(5 * time.Minute)
	res, err := s.SettleInvoicePaid(ctx, inv.ID, InvoiceSale(r, inv.PayPalID), "CAPTURE-1", at)
	if err != nil || !res.Seated || res.Already || res.SaleID == 0 {
		t.Fatalf("settled: %+v, %v", res, err)
	}
	got, _ := s.InvoiceFor(ctx, r.ID)
	if got.State != app.InvoicePaid || got.CaptureID != "CAPTURE-1" || got.LeaseOwner != "" {
		t.Errorf("invoice after payment %+v", got)
	}
	reg, _ := s.Registration(ctx, r.ID)
	if reg.Status != app.RegPaid || reg.PaymentID != res.SaleID || reg.PaidMinor != 100_00 || reg.Method != app.MethodPayPalInvoice ||
		reg.GatewayRef != "CAPTURE-1" || !reg.PaidAt.Equal(at) {
		t.Errorf("registration after payment %+v", reg)
	}
	sale, _ := s.Payment(ctx, res.SaleID)
	if sale.State != app.StateApproved || sale.GatewayRef != "CAPTURE-1" || sale.AmountMinor != 100_00 || sale.Kind != app.KindSale {
		t.Errorf("journal's sale %+v", sale)
	}
	// Read PAID again (a restart, another desktop): nothing is recorded twice.
	again, err := s.SettleInvoicePaid(ctx, inv.ID, InvoiceSale(r, inv.PayPalID), "CAPTURE-1", at.Add(time.Minute))
	if err != nil || !again.Already || again.SaleID != res.SaleID {
		t.Fatalf("settled again: %+v, %v", again, err)
	}
	if _, total, _ := s.Payments(ctx, app.PaymentFilter{}); total != 1 {
		t.Errorf("%d journal rows, want 1", total)
	}
	if rows, _ := s.LeaseInvoices(ctx, "p", at.Add(time.Hour), at.Add(2*time.Hour), 10); len(rows) != 0 {
		t.Errorf("a paid invoice was leased for polling: %+v", rows)
	}
}

func invoicePaidLateSeatFree(t *testing.T, s InvoiceStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Go", 100_00, 1))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	inv := addInvoice(t, s, r, "INV2-LATE-0001")
	late := Clock.Add(app.SeatHold + time.Hour)
	res, err := s.SettleInvoicePaid(ctx, inv.ID, InvoiceSale(r, inv.PayPalID), "CAPTURE-L1", late)
	if err != nil || !res.Seated {
		t.Fatalf("paid late with the seat free: %+v, %v", res, err)
	}
	if reg, _ := s.Registration(ctx, r.ID); reg.Status != app.RegPaid {
		t.Errorf("registration %s, want paid", reg.Status)
	}
	// The seat is the paid attendee's.
	err = s.Register(ctx, &app.Registration{SessionID: x.ID, Attendee: Attendee(2)}, late)
	WantError(t, err, app.ECONFLICT, "error.registration.full")
}

func invoicePaidLateSessionFull(t *testing.T, s InvoiceStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Go", 100_00, 1))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	inv := addInvoice(t, s, r, "INV2-LATE-0002")
	late := Clock.Add(app.SeatHold + time.Hour)
	other := app.Registration{SessionID: x.ID, Attendee: Attendee(2)}
	if err := s.Register(ctx, &other, late.Add(-time.Minute)); err != nil {
		t.Fatalf("the freed seat: %v", err)
	}
	res, err := s.SettleInvoicePaid(ctx, inv.ID, InvoiceSale(r, inv.PayPalID), "CAPTURE-L2", late)
	if err != nil || res.Seated || res.Already || res.SaleID == 0 {
		t.Fatalf("paid late with the session full: %+v, %v", res, err)
	}
	reg, _ := s.Registration(ctx, r.ID)
	if reg.Status != app.RegExpired || reg.PaymentID != 0 {
		t.Errorf("registration %+v, want expired with no payment", reg)
	}
	sale, _ := s.Payment(ctx, res.SaleID)
	if !sale.State.Charged() || sale.GatewayRef != "CAPTURE-L2" {
		t.Errorf("the money that moved is not in the journal: %+v", sale)
	}
	if got, _ := s.Registration(ctx, other.ID); got.Status != app.RegPendingPayment {
		t.Errorf("the other attendee lost the seat: %s", got.Status)
	}
	// The journal takes the refund of it.
	ref := NewChild(app.KindRefund, sale, sale.AmountMinor)
	Create(t, s, ref, app.StateApproved)
}

func invoiceReleaseGivesBackTheSeat(t *testing.T, s InvoiceStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Go", 100_00, 1))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	inv := addInvoice(t, s, r, "INV2-CANCEL-0001")
	if err := s.RenewHold(ctx, r.ID, Clock, Clock.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	WantError(t, s.Register(ctx, &app.Registration{SessionID: x.ID, Attendee: Attendee(2)}, Clock.Add(time.Hour)),
		app.ECONFLICT, "error.registration.full")
	if err := s.ReleaseInvoiceSeat(ctx, inv.ID, app.InvoiceCancelled, "CANCELLED", Clock.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.InvoiceFor(ctx, r.ID)
	reg, _ := s.Registration(ctx, r.ID)
	if got.State != app.InvoiceCancelled || reg.Status != app.RegExpired {
		t.Errorf("after the cancel: invoice %s, registration %s", got.State, reg.Status)
	}
	if err := s.Register(ctx, &app.Registration{SessionID: x.ID, Attendee: Attendee(2)}, Clock.Add(time.Hour)); err != nil {
		t.Errorf("the seat was not given back: %v", err)
	}
}
