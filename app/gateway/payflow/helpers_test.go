package payflow

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
)

const visa = "4111111111111111"

var keySeq atomic.Int64

// newKey returns a fresh 32-hex-character idempotency key.
func newKey() string { return fmt.Sprintf("%032x", keySeq.Add(1)+0xabc000) }

func money(t testing.TB, n, code string) currency.Amount {
	t.Helper()
	a, err := currency.NewAmount(n, code)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func testCard(number string) *app.Card {
	return &app.Card{
		Number:   []byte(number),
		CVV:      []byte("123"),
		ExpMonth: 12,
		ExpYear:  2030,
		Funding:  app.FundingCredit,
	}
}

func clientFor(t testing.TB, srv *payflowtest.Server, timeout time.Duration) *Client {
	t.Helper()
	u, v, p, w := srv.Credentials()
	c, err := New(Config{Endpoint: srv.URL, User: u, Vendor: v, Partner: p, Password: w, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	c.retryDelay = time.Millisecond
	return c
}

func sale(t testing.TB, c *Client, key, amt, code, number string) app.Result {
	t.Helper()
	return c.Sale(context.Background(), app.SaleRequest{
		Key: key, InvoiceID: "INV-" + key[24:], Amount: money(t, amt, code),
		Description: "Go workshop", Card: testCard(number),
	})
}

func wantOutcome(t testing.TB, what string, res app.Result, want app.Outcome) {
	t.Helper()
	if res.Outcome != want {
		t.Errorf("%s: outcome %q, want %q (code %q, message %q)", what, res.Outcome, want, res.Code, res.Message)
	}
}
