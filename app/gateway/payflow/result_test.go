package payflow

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
)

// TestResultMapping drives every RESULT through the wire with PayPal's
// pilot amount rule (AMT = 1000 + RESULT).
func TestResultMapping(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, 0)
	cases := map[app.Outcome][]int{
		app.OutcomeApproved:       {0},
		app.OutcomeHeldForReview:  {126},
		app.OutcomeDeclined:       {12, 13, 50, 51, 112, 114, 115, 117, 125, 128},
		app.OutcomeMerchantConfig: {1, 2, 5, 25, 26, 27, 28},
		app.OutcomeNotProcessed:   {4, 7, 9, 99, 3, 14, 116},
		app.OutcomeUnknown:        {104, 11, 109, 150, 151, 127, 133},
		app.OutcomeInvalidCard:    {23, 24},
	}
	for want, codes := range cases {
		for _, code := range codes {
			amt := strconv.Itoa(1000 + code)
			if code == 0 {
				amt = "10"
			}
			res := sale(t, c, newKey(), amt, "USD", visa)
			wantOutcome(t, fmt.Sprintf("RESULT %d", code), res, want)
			if res.Code != "RESULT="+strconv.Itoa(code) {
				t.Errorf("RESULT %d: code %q", code, res.Code)
			}
			if want == app.OutcomeDeclined && len(res.Message) < 40 {
				t.Errorf("RESULT %d: message %q is not actionable", code, res.Message)
			}
			if code == 23 && res.Field != "number" || code == 24 && res.Field != "expiry" {
				t.Errorf("RESULT %d: field %q", code, res.Field)
			}
		}
	}
	// The ledger holds exactly the approved and the held sale.
	led := srv.Ledger()
	if len(led) != 2 {
		t.Fatalf("ledger has %d charges, want 2: %+v", len(led), led)
	}

	// Card-driven results.
	wantOutcome(t, "unknown card", sale(t, c, newKey(), "10", "USD", "4000000000000002"), app.OutcomeInvalidCard)
	expired := testCard(visa)
	expired.ExpYear = 2020
	res := c.Sale(t.Context(), app.SaleRequest{Key: newKey(), Amount: money(t, "10", "USD"), Card: expired})
	wantOutcome(t, "expired", res, app.OutcomeInvalidCard)
	if res.Field != "expiry" {
		t.Errorf("expired: field %q", res.Field)
	}
}

func TestMapReply(t *testing.T) {
	for _, tc := range []struct {
		reply string
		out   app.Outcome
		dup   bool
	}{
		{"RESULT=0&PNREF=A&RESPMSG=Approved", app.OutcomeApproved, false},
		{"RESULT=0&PNREF=A&RESPMSG=Approved&DUPLICATE=1", app.OutcomeApproved, true},
		{"RESULT=12&PNREF=A&DUPLICATE=1", app.OutcomeDeclined, true},
		{"RESULT=0&PNREF=A&DUPLICATE=-1", app.OutcomeUnknown, false},
		{"RESULT=0&PNREF=A&DUPLICATE=2", app.OutcomeUnknown, false},
		{"RESULT=-1&RESPMSG=Failed to connect to host", app.OutcomeNotProcessed, false},
		{"RESULT=-12", app.OutcomeNotProcessed, false},
		{"RESULT=abc", app.OutcomeUnknown, false},
		{"RESPMSG=Approved", app.OutcomeUnknown, false},
		{"RESULT=999", app.OutcomeNotProcessed, false},
		{"RESULT=1000", app.OutcomeUnknown, false},
	} {
		m, err := ParseReply([]byte(tc.reply))
		if err != nil {
			t.Fatal(err)
		}
		res := mapReply(m)
		if res.Outcome != tc.out || res.Duplicate != tc.dup {
			t.Errorf("%s: %q dup=%v, want %q dup=%v", tc.reply, res.Outcome, res.Duplicate, tc.out, tc.dup)
		}
	}
}

// TestInquiryResult covers both inquiry reply shapes.
func TestInquiryResult(t *testing.T) {
	for _, tc := range []struct {
		reply string
		out   app.Outcome
		ref   string
	}{
		{"RESULT=0&PNREF=INQ&ORIGRESULT=0&ORIGPNREF=ORIG", app.OutcomeApproved, "ORIG"},
		{"RESULT=0&PNREF=INQ&ORIGRESULT=12&ORIGPNREF=ORIG", app.OutcomeDeclined, "ORIG"},
		{"RESULT=0&PNREF=INQ&ORIGRESULT=126", app.OutcomeHeldForReview, "P"},
		{"RESULT=0&PNREF=P", app.OutcomeApproved, "P"},
		{"RESULT=19&RESPMSG=Original transaction ID not found", app.OutcomeNotFound, ""},
		{"RESULT=1&RESPMSG=User authentication failed", app.OutcomeUnknown, ""},
		{"RESULT=0&ORIGRESULT=0&DUPLICATE=-1", app.OutcomeUnknown, ""},
	} {
		m, err := ParseReply([]byte(tc.reply))
		if err != nil {
			t.Fatal(err)
		}
		res := inquiryResult(m, "P")
		if res.Outcome != tc.out || res.Reference != tc.ref {
			t.Errorf("%s: %q ref %q, want %q ref %q", tc.reply, res.Outcome, res.Reference, tc.out, tc.ref)
		}
	}
}
