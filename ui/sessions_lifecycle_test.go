package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// The cancel confirmation says what the attendee gets back: the session's
// policy (here 60% of 80.00), or nothing for a registration nobody paid.
func TestCancelRegistrationConfirmationStatesTheRefund(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	ctx := context.Background()
	s, err := e.svc.Schedule(ctx, app.Session{
		Topic: "Partly refunded", StartsAt: time.Now().Add(240 * time.Hour),
		DurationMinutes: 60, Type: app.SessionPaid, FeeMinor: 80_00, MaxRegistrations: 10,
		AttendeesMayCancel: true, CancelHoursBefore: 48, RefundPercent: 60,
	})
	if err != nil {
		t.Fatal(err)
	}
	paid, err := e.svc.Register(ctx, s.ID, app.Attendee{FirstName: "Piotr", LastName: "Wiśniewski", Email: "piotr@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	card := &app.Card{Number: []byte("4111111111111111"), CVV: []byte("123"), ExpMonth: 12, ExpYear: time.Now().Year() + 3, Holder: "Piotr W"}
	if _, _, err := e.svc.PayByCard(ctx, paid.ID, nil, app.MethodCreditCard, card, app.Payer{FirstName: "Piotr", LastName: "W", Country: "PL", PostalCode: "00-001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Register(ctx, s.ID, app.Attendee{FirstName: "Anna", LastName: "Nowak", Email: "anna@example.com"}); err != nil {
		t.Fatal(err)
	}

	v := showRegistrations(e.deps, e.w, s, nil)
	v.list.Select(0)
	if r, _ := v.current(); r.ID != paid.ID {
		t.Fatalf("selected %d, want the paid registration", r.ID)
	}
	test.Tap(v.cancel)
	if !hasText(screenTexts(e.w), "PLN 48.00 will be refunded") {
		t.Fatalf("the paid registration's confirmation: %q", screenTexts(e.w))
	}
	test.Tap(findButton(e.w, "No"))

	v.list.Select(1)
	test.Tap(v.cancel)
	if !hasText(screenTexts(e.w), "Nothing will be refunded") {
		t.Fatalf("the unpaid registration's confirmation: %q", screenTexts(e.w))
	}
	test.Tap(findButton(e.w, "Yes"))
	if got, _ := e.svc.Registration(ctx, paid.ID); got.Status != app.RegPaid {
		t.Errorf("the paid registration is %s", got.Status)
	}
	if !strings.Contains(v.message.Text, "Anna") {
		t.Errorf("after cancelling the unpaid one: %q", v.message.Text)
	}
}
