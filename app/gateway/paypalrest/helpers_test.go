package paypalrest

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/paypalrest/paypalresttest"
)

type fixture struct {
	t   *testing.T
	srv *paypalresttest.Server
	c   *Client
	ctx context.Context
	// buyer is the last approvedSale's buyer.
	buyer *buyer
}

func newFixture(t *testing.T, opts ...func(*Config)) *fixture {
	t.Helper()
	srv := paypalresttest.NewServer(t)
	srv.SetHold(600 * time.Millisecond)
	cfg := Config{
		BaseURL: srv.URL, ClientID: paypalresttest.ClientID, Secret: paypalresttest.Secret,
		BrandName: "Acme Training", Timeout: 300 * time.Millisecond, PollInterval: time.Hour,
		RetryDelay: 5 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return &fixture{t: t, srv: srv, c: c, ctx: ctx}
}

func amount(t testing.TB, v, code string) currency.Amount {
	a, err := currency.NewAmount(v, code)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// buyer is the person in the browser: told the approve link, they act.
type buyer struct {
	mu      sync.Mutex
	links   []app.ApprovalLink
	shown   chan app.ApprovalLink
	refs    []string
	journal func(string) error
	// captures are the times the journal was told a capture starts;
	// captureErr, when set, is the journal failing to record one.
	captures   []time.Time
	captureErr error
}

func (b *buyer) captureStart() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.captureErr != nil {
		return b.captureErr
	}
	b.captures = append(b.captures, time.Now())
	return nil
}

func (b *buyer) captureStarts() []time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]time.Time(nil), b.captures...)
}

func newBuyer() *buyer { return &buyer{shown: make(chan app.ApprovalLink, 4)} }

func (b *buyer) approval() *app.BuyerApproval {
	return &app.BuyerApproval{Show: func(l app.ApprovalLink) {
		b.mu.Lock()
		b.links = append(b.links, l)
		b.mu.Unlock()
		b.shown <- l
	}}
}

func (b *buyer) record(ref string) error {
	b.mu.Lock()
	b.refs = append(b.refs, ref)
	b.mu.Unlock()
	if b.journal != nil {
		return b.journal(ref)
	}
	return nil
}

func saleReq(key, inv string, a currency.Amount, b *buyer) app.SaleRequest {
	return app.SaleRequest{
		Key: key, InvoiceID: inv, Amount: a, Description: "Workshop fee",
		Approval: b.approval(), RecordReference: b.record, RecordCaptureStart: b.captureStart,
	}
}

// follow is the browser following PayPal's redirect to TrainPay.
func follow(t testing.TB, url string) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("the browser could not reach %s: %v", url, err)
	}
	resp.Body.Close()
	return resp
}

// saleAsync runs Sale in the background.
func (fx *fixture) saleAsync(ctx context.Context, req app.SaleRequest) <-chan app.Result {
	out := make(chan app.Result, 1)
	go func() { out <- fx.c.Sale(ctx, req) }()
	return out
}

func (fx *fixture) wait(ch <-chan app.Result) app.Result {
	fx.t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(15 * time.Second):
		fx.t.Fatal("Sale did not return")
	}
	return app.Result{}
}

func (fx *fixture) link(b *buyer) app.ApprovalLink {
	fx.t.Helper()
	select {
	case l := <-b.shown:
		return l
	case <-time.After(10 * time.Second):
		fx.t.Fatal("no approve link was shown")
	}
	return app.ApprovalLink{}
}

func wantOutcome(t testing.TB, what string, r app.Result, want app.Outcome) {
	t.Helper()
	if r.Outcome != want {
		t.Fatalf("%s: outcome %s (code %s: %s), want %s", what, r.Outcome, r.Code, r.Message, want)
	}
}

func requestsOf(srv *paypalresttest.Server, op string) []paypalresttest.Request {
	var out []paypalresttest.Request
	for _, r := range srv.Requests() {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}
