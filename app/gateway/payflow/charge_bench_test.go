package payflow

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/internal/benchcmp"
)

// BenchmarkScaleCardCharge is the app's time per card charge (encode the
// sale, post it under its request ID, read and map the reply) against a
// loopback Payflow server, next to a bare net/http round trip of the same
// bytes (the same body and headers, a new request ID and CUSTREF each
// time, and "Connection: close" as the client sends).
func BenchmarkScaleCardCharge(b *testing.B) {
	srv := payflowtest.NewServer(b)
	c := clientFor(b, srv, 10*time.Second)
	ctx := context.Background()
	if res := sale(b, c, newKey(), "10.00", "USD", visa); res.Outcome != app.OutcomeApproved {
		b.Fatalf("first sale: %+v", res)
	}
	reqs := srv.Requests()
	rec := reqs[len(reqs)-1]
	body := rec.Body
	// The recorded body masks the card number and the security code:
	// put the real ones back (same lengths, so the length tags hold).
	for field, real := range map[string]string{"ACCT": visa, "CVV2": "123"} {
		masked, ok := rec.Field(field)
		if !ok || len(masked) != len(real) {
			b.Fatalf("%s: %q in %q", field, masked, rec.Body)
		}
		i := strings.Index(body, field)
		j := i + strings.Index(body[i:], masked)
		body = body[:j] + real + body[j+len(masked):]
	}
	// Each sale carries a CUSTREF of its own (the server refuses one reused
	// by another request, as an inquiry could not tell them apart): the
	// baseline puts a fresh one of the same length in each body.
	ref, ok := rec.Field("CUSTREF")
	if !ok {
		b.Fatalf("no CUSTREF in %q", rec.Body)
	}
	at := strings.Index(body, "CUSTREF")
	at += strings.Index(body[at:], ref)
	head, tail := body[:at], body[at+len(ref):]
	var n int
	bare := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	amount := money(b, "10.00", "USD")
	benchcmp.Pair(b, 1.2, func(b *testing.B) {
		for b.Loop() {
			key := newKey()
			res := c.Sale(ctx, app.SaleRequest{
				Key: key, InvoiceID: "INV-" + key[24:], Amount: amount,
				Description: "Go workshop", Card: testCard(visa),
			})
			if res.Outcome != app.OutcomeApproved {
				b.Fatalf("%+v", res)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			n++
			body := head + fmt.Sprintf("%0*X", len(ref), n) + tail
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			req.Header = rec.Header.Clone()
			req.Header.Set("X-VPS-REQUEST-ID", newKey())
			resp, err := bare.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			reply, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(reply), "RESULT=0") {
				b.Fatalf("%s", reply)
			}
		}
	})
}
