package payflow

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
)

// TestSaleLookupIsAnInquiryByCustomerReference: a sale whose reply was lost
// is settled with an inquiry (TRXTYPE=I) naming the sale's CUSTREF, under a
// request ID of its own and with no card data, never with a second sale.
func TestSaleLookupIsAnInquiryByCustomerReference(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, faultTimeout)
	key := newKey()
	srv.InjectFor(key, payflowtest.FaultReplyLostAfterCharge, payflowtest.FaultReplyLostAfterCharge)
	wantOutcome(t, "sale", sale(t, c, key, "10", "USD", visa), app.OutcomeUnknown)
	saleReq := srv.Requests()[0]
	custref, ok := saleReq.Field("CUSTREF")
	if !ok || len(custref) == 0 || len(custref) > 12 {
		t.Fatalf("the sale carries CUSTREF %q (%v), want 1 to 12 characters", custref, ok)
	}

	lk := c.Lookup(context.Background(), app.LookupRequest{
		Kind: app.LookupSale, Key: key, InvoiceID: "INV-" + key[24:],
		Amount: money(t, "10", "USD"), AttemptedAt: time.Now(),
	})
	wantOutcome(t, "lookup", lk, app.OutcomeApproved)
	if led := srv.Ledger(); len(led) != 1 || lk.Reference != led[0].PNREF {
		t.Errorf("lookup reference %q, ledger %+v", lk.Reference, led)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want the sale, its retry and one inquiry", len(reqs))
	}
	inq := reqs[2]
	if v, _ := inq.Field("TRXTYPE"); v != "I" {
		t.Errorf("lookup TRXTYPE %q, want I", v)
	}
	if v, _ := inq.Field("CUSTREF"); v != custref {
		t.Errorf("lookup CUSTREF %q, want the sale's %q", v, custref)
	}
	for _, f := range []string{"ACCT", "EXPDATE", "CVV2", "ORIGID", "AMT"} {
		if _, ok := inq.Field(f); ok {
			t.Errorf("the inquiry carries %s", f)
		}
	}
	if inq.RequestID == key {
		t.Error("the inquiry reuses the sale's request ID")
	}
}

// TestCustomerReferenceIsUniquePerKeyAndFitsPayflow: CUSTREF is 12
// upper-case letters and digits, the same for a key every time, and
// different for different keys.
func TestCustomerReferenceIsUniquePerKeyAndFitsPayflow(t *testing.T) {
	seen := map[string]string{}
	for i := range 20000 {
		key := newKey()
		if i%2 == 0 {
			key = app.NewKey()
		}
		ref := custRef(key)
		if len(ref) != 12 {
			t.Fatalf("custRef(%q) = %q, want 12 characters", key, ref)
		}
		for _, ch := range []byte(ref) {
			if (ch < 'A' || ch > 'Z') && (ch < '0' || ch > '9') {
				t.Fatalf("custRef(%q) = %q is not upper-case alphanumeric", key, ref)
			}
		}
		if custRef(key) != ref {
			t.Fatalf("custRef(%q) changes between calls", key)
		}
		if other, dup := seen[ref]; dup {
			t.Fatalf("keys %q and %q share CUSTREF %q", other, key, ref)
		}
		seen[ref] = key
	}
}

// TestSaleNotFoundIsFinalOnlyAfterTheLag: an inquiry that finds nothing is
// trusted only once no send of the sale can still be processed, and only
// within the 30 days an inquiry searches.
func TestSaleNotFoundIsFinalOnlyAfterTheLag(t *testing.T) {
	srv := payflowtest.NewServer(t)
	u, v, p, w := srv.Credentials()
	c, err := New(Config{
		Endpoint: srv.URL, User: u, Vendor: v, Partner: p, Password: w, Timeout: faultTimeout,
		InquiryLag: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.retryDelay = time.Millisecond
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	key := newKey()
	srv.InjectFor(key, payflowtest.FaultTimeoutBeforeCharge)
	wantOutcome(t, "sale", sale(t, c, key, "10", "USD", visa), app.OutcomeUnknown)

	look := func(attempted time.Time) app.Result {
		return c.Lookup(context.Background(), app.LookupRequest{Kind: app.LookupSale, Key: key, AttemptedAt: attempted})
	}
	wantOutcome(t, "within the lag", look(now.Add(-30*time.Second)), app.OutcomeUnknown)
	wantOutcome(t, "time of the attempt unknown", look(time.Time{}), app.OutcomeUnknown)
	wantOutcome(t, "after the lag", look(now.Add(-2*time.Minute)), app.OutcomeNotFound)
	wantOutcome(t, "beyond the inquiry's 30 days", look(now.Add(-31*24*time.Hour)), app.OutcomeUnknown)

	// The sandbox and strict servers never process a request late.
	c.inquiryLag = 0
	wantOutcome(t, "no lag", look(time.Time{}), app.OutcomeNotFound)
	if len(srv.Ledger()) != 0 {
		t.Errorf("ledger %+v", srv.Ledger())
	}
}
