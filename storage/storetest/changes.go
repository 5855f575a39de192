package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// ChangeDeadline is how soon a screen must show another desktop's change:
// a change set must reach a subscriber well within it.
const ChangeDeadline = 2 * time.Second

// quietFor is how long a test waits to be sure no set is coming: longer
// than any backend's poll interval several times over.
const quietFor = 1500 * time.Millisecond

// ChangeAreaOfTable is the area (app.ChangeAreas) of every table of the
// schema, which both backends' change triggers (migration 00016) tell: a
// table added without an area fails each backend's trigger test until it
// is listed here and a migration gives it its triggers on both.
var ChangeAreaOfTable = map[string]string{
	"session": "sessions", "payperuse_session": "sessions",
	"registration": "registrations", "invoice": "registrations",
	"payment": "payments", "payment_settings": "payments", "payment_request": "payments",
	"promo_code": "promo", "promo_code_session": "promo", "promo_recipient": "promo",
	"promo_redemption": "promo", "smtp_settings": "promo", "promo_mail_template": "promo",
	"budget_settings": "budgets", "department": "budgets", "department_ledger": "budgets",
	"site": "site", "feature": "site", "admin_credential": "site", "audit_log": "site", "demo_data": "site",
	"people": "site", "person_role": "site", "department_owner": "site",
}

// WaitForChange waits up to ChangeDeadline for a set from ch that holds
// want, and returns the union of the sets read until then.
func WaitForChange(t *testing.T, ch <-chan app.ChangeSet, want app.ChangeSet) app.ChangeSet {
	t.Helper()
	deadline := time.After(ChangeDeadline)
	var got app.ChangeSet
	for got&want != want {
		select {
		case set, ok := <-ch:
			if !ok {
				t.Fatalf("the feed closed before %s arrived (got %s)", want, got)
			}
			got |= set
		case <-deadline:
			t.Fatalf("no change of %s within %v (got %q)", want, ChangeDeadline, got)
		}
	}
	return got
}

// WaitUntilQuiet waits for a set holding want, then for the feed to be
// quiet (a change of several commits may be told in more than one set),
// and returns the union of what it read.
func WaitUntilQuiet(t *testing.T, ch <-chan app.ChangeSet, want app.ChangeSet) app.ChangeSet {
	t.Helper()
	got := WaitForChange(t, ch, want)
	for {
		select {
		case set := <-ch:
			got |= set
		case <-time.After(quietFor / 2):
			return got
		}
	}
}

// WantNoChange checks that no set arrives for a while.
func WantNoChange(t *testing.T, ch <-chan app.ChangeSet) {
	t.Helper()
	select {
	case set := <-ch:
		t.Fatalf("a change of %q arrived, none was made", set)
	case <-time.After(quietFor):
	}
}

// RunChangeFeed is the change feed's contract. open returns, on one fresh
// database, a store as another desktop writes it and this desktop's feed
// (open closes both when the test ends).
//
// Every store implements the payment journal, so the journal is what the
// other desktop writes here; which tables name which area is each
// backend's own test (its triggers are its own).
func RunChangeFeed(t *testing.T, open func(t *testing.T) (other app.PaymentStore, feed app.Changes)) {
	ctx := context.Background()

	t.Run("another desktop's payment is told as a payment change", func(t *testing.T) {
		other, feed := open(t)
		ch, stop := feed.Subscribe()
		defer stop()
		sale := NewSale(120_00)
		if err := other.CreatePayment(ctx, &sale); err != nil {
			t.Fatal(err)
		}
		if got := WaitForChange(t, ch, app.ChangedPayments); got != app.ChangedPayments {
			t.Errorf("a new sale was told as %q, want payments alone", got)
		}
		if err := other.SettlePayment(ctx, sale.ID, app.PaymentUpdate{State: app.StateApproved, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		WaitForChange(t, ch, app.ChangedPayments)
	})

	t.Run("a refused write tells nothing", func(t *testing.T) {
		other, feed := open(t)
		ch, stop := feed.Subscribe()
		defer stop()
		sale := Create(t, other, NewSale(50_00), app.StateApproved)
		WaitUntilQuiet(t, ch, app.ChangedPayments) // the set-up, told
		refund := NewChild(app.KindRefund, sale, 60_00)
		WantError(t, other.CreatePayment(ctx, &refund), app.ECONFLICT, "error.payment.refund_exceeds")
		WantNoChange(t, ch)
	})

	t.Run("reads tell nothing", func(t *testing.T) {
		other, feed := open(t)
		ch, stop := feed.Subscribe()
		defer stop()
		sale := Create(t, other, NewSale(10_00), app.StatePending)
		WaitUntilQuiet(t, ch, app.ChangedPayments) // the set-up, told
		for range 5 {
			if _, err := other.Payment(ctx, sale.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := other.Payments(ctx, app.PaymentFilter{}); err != nil {
				t.Fatal(err)
			}
		}
		WantNoChange(t, ch)
	})

	t.Run("every subscriber is told, and one that stopped is not", func(t *testing.T) {
		other, feed := open(t)
		a, stopA := feed.Subscribe()
		b, stopB := feed.Subscribe()
		defer stopB()
		stopA()
		Create(t, other, NewSale(30_00), app.StatePending)
		WaitForChange(t, b, app.ChangedPayments)
		if _, open := <-a; open {
			t.Error("a stopped subscription got a set")
		}
	})
}
