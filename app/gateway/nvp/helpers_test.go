package nvp

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/bojanz/currency"
	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp/nvptest"
)

// Test card numbers (public test numbers; all pass Luhn).
const (
	panVisa     = "4111111111111111"
	panVisa2    = "4012888888881881"
	panMC       = "5555555555554444"
	panMC2      = "2223003122003222"
	panAmex     = "378282246310005"
	panDiscover = "6011111111111117"
	panMaestro  = "6759649826438453"
	panJCB      = "3530111333300000"
	panDiners   = "36227206271667"
)

var allPANs = []string{panVisa, panVisa2, panMC, panMC2, panAmex, panDiscover, panMaestro, panJCB, panDiners}

var expYear = time.Now().Year() + 3

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a client wired to a strict server.
type fixture struct {
	t   *testing.T
	srv *nvptest.Server
	c   *Client
	log *syncBuffer
	ctx context.Context
}

func newFixture(t *testing.T, opts ...nvptest.Option) *fixture {
	t.Helper()
	srv := nvptest.NewServer(t, opts...)
	fx := &fixture{t: t, srv: srv, log: &syncBuffer{}, ctx: context.Background()}
	fx.c = fx.client(func(*Config) {})
	return fx
}

func (fx *fixture) client(mod func(*Config)) *Client {
	fx.t.Helper()
	cfg := Config{
		Endpoint:  fx.srv.URL(),
		User:      nvptest.User,
		Password:  nvptest.Password,
		Signature: nvptest.Signature,
		Timeout:   3 * time.Second,
		SearchLag: NoSearchLag,
		Logger:    slog.New(slog.NewTextHandler(fx.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	mod(&cfg)
	c, err := New(cfg)
	if err != nil {
		fx.t.Fatalf("New: %v", err)
	}
	return c
}

func amount(t testing.TB, n, code string) currency.Amount {
	t.Helper()
	a, err := currency.NewAmount(n, code)
	if err != nil {
		t.Fatalf("NewAmount(%q, %q): %v", n, code, err)
	}
	return a
}

func card(pan string) *app.Card {
	cvv := "123"
	if pan == panAmex {
		cvv = "1234"
	}
	return &app.Card{Number: []byte(pan), CVV: []byte(cvv), ExpMonth: 3, ExpYear: expYear, Holder: "Ada Lovelace"}
}

var invSeq struct {
	sync.Mutex
	n int
}

// newInvoice returns a fresh invoice id (and key) per attempt, as the app
// does.
func newInvoice() string {
	invSeq.Lock()
	defer invSeq.Unlock()
	invSeq.n++
	return fmt.Sprintf("tp-%06d", invSeq.n)
}

func saleReq(inv string, amt currency.Amount, c *app.Card) app.SaleRequest {
	return app.SaleRequest{
		Key:         fmt.Sprintf("%032x", len(inv)),
		InvoiceID:   inv,
		Amount:      amt,
		Description: "Go for payments engineers — 2-day workshop",
		Card:        c,
		Payer: app.Payer{
			FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.org",
			Street: "12 St James's Square", City: "London", PostalCode: "SW1Y 4LB", Country: "GB",
		},
	}
}

func lookupSale(inv string, amt currency.Amount) app.LookupRequest {
	return app.LookupRequest{Kind: app.LookupSale, InvoiceID: inv, Amount: amt}
}

func wantOutcome(t *testing.T, what string, r app.Result, want app.Outcome) {
	t.Helper()
	if r.Outcome != want {
		t.Fatalf("%s: outcome %q, want %q (code %q, message %q)", what, r.Outcome, want, r.Code, r.Message)
	}
}

// approvedSale makes one successful GBP sale and returns its request and
// result.
func (fx *fixture) approvedSale(amt string) (app.SaleRequest, app.Result) {
	fx.t.Helper()
	req := saleReq(newInvoice(), amount(fx.t, amt, "GBP"), card(panVisa))
	r := fx.c.Sale(fx.ctx, req)
	wantOutcome(fx.t, "sale", r, app.OutcomeApproved)
	return req, r
}
