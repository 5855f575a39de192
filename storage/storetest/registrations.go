package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// RunRegistrationStore runs the registrations store's contract against the
// stores open returns: each call must give a new, empty database.
func RunRegistrationStore(t *testing.T, open func(t *testing.T) SessionStores) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, SessionStores)
	}{
		{"RegisterTakesASeatAtTheSessionsPrice", registerTakesASeat},
		{"RegisterRefusesCancelledClosedFullAndDuplicate", registerRefusals},
		{"UnpaidSeatIsReleasedAfterItsHoldAndRenewed", unpaidSeatReleasedAndRenewed},
		{"OpenPaymentKeepsTheSeatPastItsHold", openPaymentKeepsTheSeat},
		{"PriceConfirmFreeAndCancel", priceConfirmFreeAndCancel},
		{"SettledSaleAndRefundsMarkTheRegistration", settledSaleAndRefunds},
		{"ConcurrentRegistrationsTakeOnlyTheFreeSeats", concurrentRegistrationsTakeOnlyTheFreeSeats},
		{"PagedByKey", registrationsPagedByKey},
		{"SearchIgnoresCaseAccentsAndPolishLetters", registrationSearchIgnoresAccents},
		{"SearchPagedWithWildcardsAsPlainCharacters", registrationsSearchPaged},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

func registerTakesASeat(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Excel", 120_00, 10))
	a := Attendee(1)
	a.Language = ""
	r := AddRegistration(t, s, x.ID, a)
	if r.ID == 0 || r.Status != app.RegPendingPayment || !r.HoldUntil.Equal(Clock.Add(app.SeatHold)) ||
		r.FeeMinor != 120_00 || r.TotalMinor != 120_00 || r.DiscountMinor != 0 || r.Currency != "PLN" ||
		r.Language != "en" || len(r.Confirmation) != 11 || !strings.HasPrefix(r.Confirmation, "TP-") ||
		!r.CreatedAt.Equal(Clock) {
		t.Fatalf("registered %+v", r)
	}
	got, err := s.Registration(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attendee != r.Attendee || got.Status != r.Status || got.Confirmation != r.Confirmation ||
		!got.HoldUntil.Equal(r.HoldUntil) || got.TotalMinor != r.TotalMinor || !got.CreatedAt.Equal(r.CreatedAt) ||
		got.PaymentID != 0 || !got.PaidAt.IsZero() || !got.CancelledAt.IsZero() || got.Method != "" {
		t.Errorf("read back %+v, want %+v", got, r)
	}
	free := AddSession(t, s, FreeSession("Free", Clock.Add(time.Hour), 60))
	fr := AddRegistration(t, s, free.ID, Attendee(1))
	if fr.Status != app.RegRegistered || !fr.HoldUntil.IsZero() || fr.TotalMinor != 0 {
		t.Errorf("free registration %+v", fr)
	}
	_, err = s.Registration(ctx, 9999)
	WantError(t, err, app.ENOTFOUND, "error.registration.not_found")
	err = s.Register(ctx, &app.Registration{SessionID: 9999, Attendee: Attendee(2)}, Clock)
	WantError(t, err, app.ENOTFOUND, "error.session.not_found")
}

func registerRefusals(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Two seats", 10_00, 2))
	first := AddRegistration(t, s, x.ID, Attendee(1))
	dup := app.Registration{SessionID: x.ID, Attendee: Attendee(1)}
	e := WantError(t, s.Register(ctx, &dup, Clock), app.ECONFLICT, "error.registration.duplicate_pending")
	if e.Data["Email"] != first.Email {
		t.Errorf("duplicate's data %v", e.Data)
	}
	AddRegistration(t, s, x.ID, Attendee(2))
	e = WantError(t, s.Register(ctx, &app.Registration{SessionID: x.ID, Attendee: Attendee(3)}, Clock),
		app.ECONFLICT, "error.registration.full")
	if e.Data["Max"] != 2 {
		t.Errorf("full's data %v", e.Data)
	}
	// A paid registration is a duplicate too, with the plain key.
	Create(t, s, RegistrationSale(first), app.StateApproved)
	WantError(t, s.Register(ctx, &dup, Clock), app.ECONFLICT, "error.registration.duplicate")

	closing := PaidSession("Closing", 10_00, 5)
	closing.RegistrationClosesAt = Clock.Add(time.Hour)
	closing = AddSession(t, s, closing)
	WantError(t, s.Register(ctx, &app.Registration{SessionID: closing.ID, Attendee: Attendee(1)}, Clock.Add(time.Hour)),
		app.ECONFLICT, "error.registration.closed")
	AddRegistration(t, s, closing.ID, Attendee(1)) // before it closes
	if err := s.SetSessionStatus(ctx, closing.ID, app.SessionCancelled); err != nil {
		t.Fatal(err)
	}
	WantError(t, s.Register(ctx, &app.Registration{SessionID: closing.ID, Attendee: Attendee(2)}, Clock),
		app.ECONFLICT, "error.registration.session_cancelled")
}

// A seat left unpaid is given back when its hold runs out; renewing the
// hold takes it again while a seat is free, and not once someone else has
// it.
func unpaidSeatReleasedAndRenewed(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("One seat", 10_00, 1))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	later := Clock.Add(app.SeatHold + 30*time.Second) // past the first hold, within the renewed one
	if err := s.RenewHold(ctx, r.ID, Clock.Add(time.Minute), Clock.Add(time.Minute+app.SeatHold)); err != nil {
		t.Fatalf("renew while held: %v", err)
	}
	if got, _ := s.Registration(ctx, r.ID); !got.HoldUntil.Equal(Clock.Add(time.Minute + app.SeatHold)) {
		t.Errorf("hold until %v", got.HoldUntil)
	}
	// Still held at Clock+SeatHold (renewed), gone after.
	late := Clock.Add(2*app.SeatHold + 2*time.Minute)
	other := app.Registration{SessionID: x.ID, Attendee: Attendee(2)}
	WantError(t, s.Register(ctx, &other, later), app.ECONFLICT, "error.registration.full")
	if err := s.Register(ctx, &other, late); err != nil {
		t.Fatalf("after the hold ran out: %v", err)
	}
	if got, _ := s.Registration(ctx, r.ID); got.Status != app.RegExpired {
		t.Errorf("first registration %s, want expired", got.Status)
	}
	WantError(t, s.RenewHold(ctx, r.ID, late, late.Add(app.SeatHold)), app.ECONFLICT, "error.registration.full")
	// The other's hold runs out too: the first takes its seat back.
	last := late.Add(app.SeatHold + time.Minute)
	if err := s.RenewHold(ctx, r.ID, last, last.Add(app.SeatHold)); err != nil {
		t.Fatalf("renew an expired hold with a seat free: %v", err)
	}
	if got, _ := s.Registration(ctx, r.ID); got.Status != app.RegPendingPayment || !got.HoldUntil.Equal(last.Add(app.SeatHold)) {
		t.Errorf("after renewal: %s until %v", got.Status, got.HoldUntil)
	}
	if got, _ := s.Registration(ctx, other.ID); got.Status != app.RegExpired {
		t.Errorf("other registration %s, want expired", got.Status)
	}
	if err := s.CancelRegistration(ctx, r.ID, last); err != nil {
		t.Fatal(err)
	}
	WantError(t, s.RenewHold(ctx, r.ID, last, last.Add(app.SeatHold)), app.ECONFLICT, "error.registration.not_pending")
	WantError(t, s.RenewHold(ctx, 9999, last, last.Add(app.SeatHold)), app.ENOTFOUND, "error.registration.not_found")
}

// A payment whose outcome is open keeps the seat held past its hold, until
// the journal settles it.
func openPaymentKeepsTheSeat(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("One seat", 10_00, 1))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	sale := Create(t, s, RegistrationSale(r), app.StatePending)
	if err := s.SettlePayment(ctx, sale.ID, app.PaymentUpdate{State: app.StateUnknown, At: Clock}); err != nil {
		t.Fatal(err)
	}
	later := Clock.Add(app.SeatHold + time.Hour)
	WantError(t, s.Register(ctx, &app.Registration{SessionID: x.ID, Attendee: Attendee(2)}, later),
		app.ECONFLICT, "error.registration.full")
	if got, _ := s.Registration(ctx, r.ID); got.Status != app.RegPendingPayment {
		t.Errorf("status %s, want pending-payment", got.Status)
	}
	rows, _ := listSessions(t, s, app.SessionFilter{When: app.SessionsAll, Now: later})
	if len(rows) != 1 || rows[0].Registrations != 1 {
		t.Errorf("seats listed: %+v", rows)
	}
	if err := s.SettlePayment(ctx, sale.ID, app.PaymentUpdate{State: app.StateApproved, At: later}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Registration(ctx, r.ID)
	if got.Status != app.RegPaid || got.PaymentID != sale.ID || got.PaidMinor != 10_00 || !got.HoldUntil.IsZero() {
		t.Errorf("after approval: %+v", got)
	}
}

func priceConfirmFreeAndCancel(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Priced", 100_00, 10))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	WantError(t, s.SetPrice(ctx, r.ID, "HALF", 50_00, 60_00), app.ECONFLICT, "error.registration.not_pending")
	if err := s.SetPrice(ctx, r.ID, "HALF", 50_00, 50_00); err != nil {
		t.Fatal(err)
	}
	WantError(t, s.ConfirmFree(ctx, r.ID, Clock), app.ECONFLICT, "error.registration.not_pending")
	if err := s.SetPrice(ctx, r.ID, "FREE", 100_00, 0); err != nil {
		t.Fatal(err)
	}
	at := Clock.Add(time.Minute)
	if err := s.ConfirmFree(ctx, r.ID, at); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Registration(ctx, r.ID)
	if got.Status != app.RegPaid || got.PromoCode != "FREE" || got.DiscountMinor != 100_00 || got.TotalMinor != 0 ||
		!got.PaidAt.Equal(at) || !got.HoldUntil.IsZero() {
		t.Errorf("confirmed free: %+v", got)
	}
	WantError(t, s.SetPrice(ctx, r.ID, "X", 0, 100_00), app.ECONFLICT, "error.registration.not_pending")
	if err := s.CancelRegistration(ctx, r.ID, at); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Registration(ctx, r.ID)
	if got.Status != app.RegCancelled || !got.CancelledAt.Equal(at) {
		t.Errorf("cancelled: %+v", got)
	}
	WantError(t, s.CancelRegistration(ctx, r.ID, at), app.ECONFLICT, "error.registration.already_cancelled")
	WantError(t, s.CancelRegistration(ctx, 9999, at), app.ENOTFOUND, "error.registration.not_found")
}

// Settling a registration's sale marks it paid with the sale's card
// details; refunds mark it partially refunded, then refunded; the list of
// registrations with money left to refund follows.
func settledSaleAndRefunds(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Refunds", 100_00, 10))
	r := AddRegistration(t, s, x.ID, Attendee(1))
	other := AddRegistration(t, s, x.ID, Attendee(2))
	p := RegistrationSale(r)
	if err := s.CreatePayment(ctx, &p); err != nil {
		t.Fatal(err)
	}
	paidAt := Clock.Add(time.Minute)
	u := app.PaymentUpdate{State: app.StateApproved, GatewayRef: "A10B0C0D0E0F", Brand: app.BrandVisa, Last4: "1111", At: paidAt}
	if err := s.SettlePayment(ctx, p.ID, u); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Registration(ctx, r.ID)
	if got.Status != app.RegPaid || got.PaymentID != p.ID || got.PaidMinor != 100_00 || !got.PaidAt.Equal(paidAt) ||
		got.Brand != app.BrandVisa || got.Last4 != "1111" || got.GatewayRef != "A10B0C0D0E0F" ||
		got.Method != p.Method || got.Mode != p.Mode {
		t.Fatalf("paid: %+v", got)
	}
	sale, _ := s.Payment(ctx, p.ID)
	paid, err := s.PaidRegistrations(ctx, x.ID)
	if err != nil || len(paid) != 1 || paid[0].ID != r.ID {
		t.Fatalf("paid registrations %v, %v", paid, err)
	}
	Create(t, s, NewChild(app.KindRefund, sale, 40_00), app.StateApproved)
	got, _ = s.Registration(ctx, r.ID)
	if got.Status != app.RegPartiallyRefunded || got.RefundedMinor != 40_00 || got.CancelledAt.IsZero() {
		t.Errorf("partly refunded: %+v", got)
	}
	Create(t, s, NewChild(app.KindRefund, sale, 60_00), app.StateApproved)
	got, _ = s.Registration(ctx, r.ID)
	if got.Status != app.RegRefunded || got.RefundedMinor != 100_00 {
		t.Errorf("refunded: %+v", got)
	}
	if paid, err := s.PaidRegistrations(ctx, x.ID); err != nil || len(paid) != 0 {
		t.Errorf("paid registrations after the refunds: %v, %v", paid, err)
	}
	// Settling the sale again changes nothing.
	if err := s.SettlePayment(ctx, p.ID, u); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Registration(ctx, r.ID); again.Status != app.RegRefunded || again.PaidMinor != 100_00 {
		t.Errorf("settled twice: %+v", again)
	}
	if o, _ := s.Registration(ctx, other.ID); o.Status != app.RegPendingPayment || o.PaidMinor != 0 {
		t.Errorf("the other registration changed: %+v", o)
	}
}

// Thirty-two attendees register at once for a session with five seats
// left: five get them, the others are told it is full. The stores decide
// it in the database (a single writer on SQLite, the session's row lock on
// PostgreSQL), with every attendee on a connection of their own.
func concurrentRegistrationsTakeOnlyTheFreeSeats(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Last seats", 10_00, 10))
	for i := range 5 {
		AddRegistration(t, s, x.ID, Attendee(100+i))
	}
	var wg sync.WaitGroup
	errs := make([]error, 32)
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() {
			<-start
			r := app.Registration{SessionID: x.ID, Attendee: Attendee(i)}
			errs[i] = s.Register(ctx, &r, Clock)
		})
	}
	close(start)
	wg.Wait()
	var ok, full int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case app.AsError(err) != nil && app.AsError(err).Key == "error.registration.full":
			full++
		default:
			t.Errorf("register: %v", err)
		}
	}
	rows, total, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID})
	if ok != 5 || full != 27 || err != nil || total != 10 || len(rows) != 10 {
		t.Errorf("%d registered, %d full; %d in the session (%v), want 5, 27, 10", ok, full, total, err)
	}
}

func registrationsPagedByKey(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Pages", 10_00, 100))
	y := AddSession(t, s, PaidSession("Other", 10_00, 100))
	var want []int64
	for i := range 23 {
		want = append(want, AddRegistration(t, s, x.ID, Attendee(i)).ID)
		AddRegistration(t, s, y.ID, Attendee(i))
	}
	var walked []int64
	var after int64
	for page := 0; ; page++ {
		rows, total, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID, AfterID: after, Limit: 5, NoTotal: page > 0})
		if err != nil || (page == 0) != (total == 23) || page > 0 && total != -1 {
			t.Fatalf("page %d: total %d, %v", page, total, err)
		}
		for _, r := range rows {
			walked = append(walked, r.ID)
		}
		if len(rows) < 5 {
			break
		}
		after = rows[len(rows)-1].ID
	}
	if !slices.Equal(walked, want) {
		t.Errorf("registrations by key %v, want %v", walked, want)
	}
	// All of them (Limit 0), and searched by key with a jump.
	if rows, total, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID}); err != nil || len(rows) != 23 || total != 23 {
		t.Errorf("all: %d rows, total %d, %v", len(rows), total, err)
	}
	rows, _, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID, Search: "ŁĘCKA 1", AfterID: want[10], Offset: 2, Limit: 3})
	if err != nil || len(rows) != 3 || rows[0].ID != want[13] || rows[2].ID != want[15] {
		t.Errorf("searched jump: %v, %v", rows, err)
	}
}

func registrationSearchIgnoresAccents(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Search", 50_00, 10))
	for i := range 3 {
		AddRegistration(t, s, x.ID, Attendee(i))
	}
	a := app.Attendee{FirstName: "Łukasz", LastName: "Woźniak", Email: "l.wozniak@example.pl", Country: "PL", Language: "pl"}
	r := AddRegistration(t, s, x.ID, a)
	for _, term := range []string{
		"lukasz", "LUKASZ WOZ", "wozniak", "Woźniak", "l.woz", r.Confirmation[3:],
		"tp-" + r.Confirmation[3:6], strings.ToLower(r.Confirmation),
	} {
		rows, total, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID, Search: term})
		if err != nil || total != 1 || len(rows) != 1 || rows[0].ID != r.ID {
			t.Errorf("search %q: %d rows (total %d), %v", term, len(rows), total, err)
		}
	}
	// The term is looked for inside the name, the email or the number,
	// not across them.
	for _, term := range []string{"lecka", "ŁĘCKA", "zofia"} {
		if _, total, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID, Search: term}); err != nil || total != 3 {
			t.Errorf("search %q: %d, %v", term, total, err)
		}
	}
	if _, total, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID, Search: "wozniak l.woz"}); err != nil || total != 0 {
		t.Errorf("search across the name and the email: %d, %v", total, err)
	}
}

// A session's registrations are searched in any letter case, Polish
// letters included, and paged within the search; LIKE's wildcards in the
// term are plain characters; a blank search lists all.
func registrationsSearchPaged(t *testing.T, s SessionStores) {
	ctx := context.Background()
	x := AddSession(t, s, PaidSession("Search", 50_00, 100))
	for i := range 30 {
		a := Attendee(i)
		if i == 17 {
			a = app.Attendee{FirstName: "Łukasz", LastName: "Żółć", Email: "lukasz.zolc@example.pl", Country: "PL", Language: "pl"}
		}
		AddRegistration(t, s, x.ID, a)
	}
	find := func(term string, offset, limit int) ([]string, int) {
		rows, total, err := s.Registrations(ctx, app.RegistrationFilter{SessionID: x.ID, Search: term, Offset: offset, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rows {
			names = append(names, r.Name())
		}
		return names, total
	}
	for _, term := range []string{"ŁUKASZ", "żÓŁĆ", "asz ż", "LUKASZ.ZOLC@"} {
		if names, total := find(term, 0, 10); total != 1 || len(names) != 1 || names[0] != "Łukasz Żółć" {
			t.Errorf("search %q: %q (%d)", term, names, total)
		}
	}
	// "łęcka 1" matches 1 and 10..19 but not 17 (renamed): ten, in pages.
	first, total := find("ŁĘCKA 1", 0, 6)
	second, _ := find("ŁĘCKA 1", 6, 6)
	if total != 10 || len(first) != 6 || len(second) != 4 || first[0] != "Zofia Łęcka 1" || slices.Contains(second, first[5]) {
		t.Errorf("paged search: %d, %q then %q", total, first, second)
	}
	for _, term := range []string{"100%_", "zofia1_@", "%ęck"} {
		if _, total := find(term, 0, 10); total != 0 {
			t.Errorf("search %q: %d, want none (wildcards are plain characters)", term, total)
		}
	}
	if _, total := find("  ", 0, 10); total != 30 {
		t.Errorf("a blank search lists all: %d", total)
	}
}
