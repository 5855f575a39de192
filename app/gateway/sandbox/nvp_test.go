package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp"
	"github.com/trainpay/trainpay/app/gateway/payflow"
)

func startNVP(t *testing.T, opts ...Option) (*Sandbox, *nvp.Client) {
	t.Helper()
	sb, err := Start(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb, nvpClient(t, sb.NVPConfig())
}

func nvpClient(t *testing.T, cfg nvp.Config) *nvp.Client {
	t.Helper()
	cfg.Timeout = 5 * time.Second
	c, err := nvp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func nvpCard(number string) *app.Card {
	cvv := "123"
	if strings.HasPrefix(number, "34") || strings.HasPrefix(number, "37") {
		cvv = "1234" // Amex
	}
	return &app.Card{Number: []byte(number), CVV: []byte(cvv), ExpMonth: 11, ExpYear: time.Now().Year() + 3, Holder: "Ada Lovelace"}
}

func nvpSale(t *testing.T, n, code string, c *app.Card) app.SaleRequest {
	t.Helper()
	k := key()
	return app.SaleRequest{
		Key: k, InvoiceID: "INV-" + k[24:], Amount: amt(t, n, code), Description: "Workshop", Card: c,
		Payer: app.Payer{FirstName: "Ada", LastName: "Lovelace", Country: "GB", PostalCode: "EC1A 1BB", City: "London", Street: "1 Test Street"},
	}
}

func nvpSell(t *testing.T, c *nvp.Client, n, code, number string) (app.SaleRequest, app.Result) {
	t.Helper()
	req := nvpSale(t, n, code, nvpCard(number))
	return req, c.Sale(context.Background(), req)
}

func lookupSale(req app.SaleRequest) app.LookupRequest {
	return app.LookupRequest{Kind: app.LookupSale, Key: req.Key, InvoiceID: req.InvoiceID, Amount: req.Amount}
}

func nvpCharges(sb *Sandbox) int {
	n := 0
	for _, e := range sb.Ledger() {
		if e.Protocol == ProtocolNVP && e.Charged() {
			n++
		}
	}
	return n
}

func entryByRef(sb *Sandbox, ref string) Entry {
	for _, e := range sb.Ledger() {
		if e.PNREF == ref {
			return e
		}
	}
	return Entry{}
}

// postNVP sends a raw NVP call and returns the parsed reply.
func postNVP(t *testing.T, sb *Sandbox, fields url.Values) (nvp.Reply, string) {
	t.Helper()
	resp, err := http.Post(sb.NVPEndpoint(), "application/x-www-form-urlencoded", strings.NewReader(fields.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, b)
	}
	rep, err := nvp.ParseReply(b)
	if err != nil {
		t.Fatalf("reply %q: %v", b, err)
	}
	return rep, string(b)
}

func nvpCall(method string, kv ...string) url.Values {
	v := url.Values{"METHOD": {method}, "VERSION": {"124"}, "USER": {"u"}, "PWD": {"p"}, "SIGNATURE": {"s"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func directPayment(number, typ, amount, code, exp string, kv ...string) url.Values {
	v := nvpCall("DoDirectPayment", "PAYMENTACTION", "Sale", "IPADDRESS", "127.0.0.1", "AMT", amount, "CURRENCYCODE", code,
		"CREDITCARDTYPE", typ, "ACCT", number, "EXPDATE", exp, "CVV2", "123", "FIRSTNAME", "Ada", "LASTNAME", "Lovelace",
		"INVNUM", "RAW-"+key()[24:])
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

var futureExp = "11" + time.Now().AddDate(3, 0, 0).Format("2006")

// TestNVPEndToEnd runs sales, refunds, voids, searches and the balance
// through the real NVP client over loopback.
func TestNVPEndToEnd(t *testing.T) {
	sb, c := startNVP(t)
	ctx := context.Background()
	if u, _ := url.Parse(sb.NVPEndpoint()); u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Path != "/nvp" {
		t.Fatalf("endpoint %s", sb.NVPEndpoint())
	}
	if cfg := sb.NVPConfig(); cfg.Endpoint != sb.NVPEndpoint() || cfg.SearchLag != nvp.NoSearchLag || cfg.User == "" || cfg.Signature == "" || cfg.Password == "" {
		t.Errorf("NVPConfig %+v", cfg)
	}
	want(t, "test connection", c.TestConnection(ctx), app.OutcomeApproved)

	req, s := nvpSell(t, c, "120", "GBP", "5555555555554444")
	want(t, "GBP sale", s, app.OutcomeApproved)
	if s.Reference == "" || s.Brand != app.BrandMastercard || s.Last4 != "4444" || s.Code != "ACK=Success" || !strings.Contains(s.Message, "CORRELATIONID") {
		t.Errorf("sale %+v", s)
	}

	// The same INVNUM again is PayPal's duplicate-invoice refusal (10412,
	// "Payment has already been made for this InvoiceID"); the client finds
	// the first payment and reports it, nothing is charged.
	charged := nvpCharges(sb)
	again := c.Sale(ctx, req)
	if again.Outcome != app.OutcomeApproved || !again.Duplicate || again.Reference != s.Reference || again.Code != "L_ERRORCODE0=10412" {
		t.Errorf("duplicate invoice %+v", again)
	}
	if last := sb.Ledger()[len(sb.Ledger())-1]; last.Result != 10412 || !strings.Contains(last.Message, "Payment has already been made for this InvoiceID") {
		t.Errorf("the refused resend is recorded as %d %q, want 10412", last.Result, last.Message)
	}
	if n := nvpCharges(sb); n != charged {
		t.Errorf("the resend charged: %d charges, want %d", n, charged)
	}

	r1 := c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s.Reference, Amount: amt(t, "20", "GBP")})
	want(t, "partial refund", r1, app.OutcomeApproved)
	if r1.Reference == "" || r1.Duplicate {
		t.Errorf("partial refund %+v", r1)
	}
	want(t, "full after partial", c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s.Reference, Amount: amt(t, "100", "GBP"), Full: true}), app.OutcomeDeclined)
	want(t, "over-refund", c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s.Reference, Amount: amt(t, "100.01", "GBP")}), app.OutcomeDeclined)
	want(t, "rest refunded", c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s.Reference, Amount: amt(t, "100", "GBP")}), app.OutcomeApproved)
	want(t, "refund of a refunded sale", c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s.Reference, Amount: amt(t, "0.01", "GBP")}), app.OutcomeDeclined)
	// Reconciliation still sees the sale as charged (status Refunded; the
	// two refunds are listed first, newest first, and skipped).
	lk := c.Lookup(ctx, lookupSale(req))
	if lk.Outcome != app.OutcomeApproved || lk.Reference != s.Reference || lk.Code != "L_STATUS2=Refunded" {
		t.Errorf("lookup of a refunded sale %+v", lk)
	}

	// A full refund, and the MSGSUBID replay of it.
	req2, s2 := nvpSell(t, c, "3000", "JPY", "4111111111111111")
	want(t, "JPY sale", s2, app.OutcomeApproved)
	rk := key()
	full := c.Refund(ctx, app.RefundRequest{Key: rk, OriginalRef: s2.Reference, Amount: amt(t, "3000", "JPY"), Full: true})
	want(t, "full refund", full, app.OutcomeApproved)
	replay := c.Refund(ctx, app.RefundRequest{Key: rk, OriginalRef: s2.Reference, Amount: amt(t, "3000", "JPY"), Full: true})
	if replay.Outcome != app.OutcomeApproved || !replay.Duplicate || replay.Reference != full.Reference || !strings.Contains(replay.Code, "11607") {
		t.Errorf("MSGSUBID replay %+v, want the original with Duplicate", replay)
	}
	lr := c.Lookup(ctx, app.LookupRequest{Kind: app.LookupRefund, Key: rk, OriginalRef: s2.Reference})
	if lr.Outcome != app.OutcomeApproved || !lr.Duplicate || lr.Reference != full.Reference {
		t.Errorf("refund lookup %+v", lr)
	}
	want(t, "partial after full", c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s2.Reference, Amount: amt(t, "1", "JPY")}), app.OutcomeDeclined)
	refunds := 0
	for _, e := range sb.Ledger() {
		if e.Type == "refund" && e.OrigPNREF == s2.Reference && e.Result == 0 {
			refunds++
		}
	}
	if refunds != 1 {
		t.Errorf("%d refunds of the JPY sale, want 1", refunds)
	}
	if e := entryByRef(sb, s2.Reference); e.Refunded != "3000" || e.InvoiceID != req2.InvoiceID {
		t.Errorf("JPY sale entry %+v", e)
	}

	// Sales are captured at once: DoVoid is refused as for a completed sale.
	v := c.Void(ctx, app.VoidRequest{Key: key(), OriginalRef: s2.Reference})
	if v.Outcome != app.OutcomeDeclined || v.Code != "L_ERRORCODE0=10609" {
		t.Errorf("void of a sale %+v", v)
	}
	want(t, "void of nothing", c.Void(ctx, app.VoidRequest{Key: key(), OriginalRef: "SBX99999999999999"}), app.OutcomeDeclined)
	want(t, "refund of nothing", c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: "SBX99999999999999", Full: true}), app.OutcomeNotProcessed)

	// A refused sale is recorded but never found by the search.
	req3, s3 := nvpSell(t, c, "1012.00", "GBP", "4111111111111111")
	want(t, "declined", s3, app.OutcomeDeclined)
	want(t, "lookup of a declined sale", c.Lookup(ctx, lookupSale(req3)), app.OutcomeNotFound)

	led := sb.Ledger()
	sale := entryByRef(sb, s.Reference)
	if sale.Protocol != ProtocolNVP || sale.RequestID != "" || sale.Refunded != "120.00" || sale.Amount != "120.00" || sale.Currency != "GBP" ||
		sale.Brand != app.BrandMastercard || sale.Last4 != "4444" || sale.InvoiceID != req.InvoiceID {
		t.Errorf("sale entry %+v", sale)
	}
	for _, e := range led {
		if e.Protocol != ProtocolNVP {
			t.Errorf("entry without the NVP protocol: %+v", e)
		}
	}
	if n := nvpCharges(sb); n != 2 {
		t.Errorf("%d charges, want 2", n)
	}

	// GetBalance: what was taken less what was refunded, per currency.
	_, s4 := nvpSell(t, c, "1050.00", "EUR", "378282246310005")
	want(t, "amex EUR", s4, app.OutcomeDeclined) // V = 1050: insufficient funds
	_, s5 := nvpSell(t, c, "15.00", "EUR", "6011111111111117")
	want(t, "discover EUR", s5, app.OutcomeApproved)
	bal, _ := postNVP(t, sb, nvpCall("GetBalance"))
	if bal.Ack != "Success" || bal.Get("L_CURRENCYCODE0") != "EUR" || bal.Get("L_AMT0") != "15.00" ||
		bal.Get("L_CURRENCYCODE1") != "GBP" || bal.Get("L_AMT1") != "0.00" || bal.Get("L_CURRENCYCODE2") != "JPY" || bal.Get("L_AMT2") != "0" {
		t.Errorf("balance %v", bal.Fields)
	}
}

// TestNVPRules checks each amount and card rule and the Outcome the NVP
// client makes of it.
func TestNVPRules(t *testing.T) {
	sb, c := startNVP(t)
	ctx := context.Background()
	for _, tc := range []struct {
		amount, code string
		number       string
		out          app.Outcome
		result       string
		field        string
	}{
		{"10.00", "GBP", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		{"1012.00", "GBP", "4111111111111111", app.OutcomeDeclined, "L_ERRORCODE0=10417", ""},
		{"1013.00", "GBP", "4111111111111111", app.OutcomeDeclined, "L_ERRORCODE0=10752", ""},
		{"1014.00", "GBP", "4111111111111111", app.OutcomeInvalidCard, "L_ERRORCODE0=15004", "cvv"},
		{"1026.00", "EUR", "4012888888881881", app.OutcomeHeldForReview, "L_ERRORCODE0=11610", ""},
		{"1050.00", "GBP", "378282246310005", app.OutcomeDeclined, "L_ERRORCODE0=15005", ""},
		{"1051.00", "GBP", "6011111111111117", app.OutcomeDeclined, "L_ERRORCODE0=10553", ""},
		{"101200", "JPY", "5105105105105100", app.OutcomeDeclined, "L_ERRORCODE0=10417", ""},
		{"102600", "HUF", "4111111111111111", app.OutcomeHeldForReview, "L_ERRORCODE0=11610", ""}, // PayPal: HUF without decimals
		{"105000", "TWD", "4111111111111111", app.OutcomeDeclined, "L_ERRORCODE0=15005", ""},
		// Everyday fees are approved whatever their cents: the old
		// last-two-digits rule declined 12.50 as insufficient funds.
		{"12.50", "PLN", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		{"99.50", "GBP", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		{"12.12", "GBP", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		{"10.26", "EUR", "4012888888881881", app.OutcomeApproved, "ACK=Success", ""},
		{"1000.00", "GBP", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		{"5000", "JPY", "2223000048400011", app.OutcomeApproved, "ACK=Success", ""},
		{"1012", "JPY", "2223000048400011", app.OutcomeApproved, "ACK=Success", ""},
		{"1226", "HUF", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		// Between 1000 and 2000: only the whole values with a rule.
		{"1012.50", "GBP", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		{"101250", "JPY", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		{"1099.00", "GBP", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		{"2000.00", "GBP", "4111111111111111", app.OutcomeApproved, "ACK=Success", ""},
		// Above 2000: declined, as on PayPal's pilot.
		{"2000.01", "GBP", "4111111111111111", app.OutcomeDeclined, "L_ERRORCODE0=10417", ""},
		{"2500.00", "GBP", "4111111111111111", app.OutcomeDeclined, "L_ERRORCODE0=10417", ""},
		{"250000", "JPY", "4111111111111111", app.OutcomeDeclined, "L_ERRORCODE0=10417", ""},
		// A valid number that is not a test card is refused: no real card
		// can be "charged" in Test mode.
		{"10.00", "GBP", "4000000000000002", app.OutcomeInvalidCard, "L_ERRORCODE0=10527", "number"},
		{"10.00", "GBP", "4242424242424242", app.OutcomeInvalidCard, "L_ERRORCODE0=10527", "number"},
		{"10.00", "GBP", "5454545454545454", app.OutcomeInvalidCard, "L_ERRORCODE0=10527", "number"},
	} {
		req, r := nvpSell(t, c, tc.amount, tc.code, tc.number)
		what := tc.amount + " " + tc.code
		want(t, what, r, tc.out)
		if r.Code != tc.result || r.Field != tc.field {
			t.Errorf("%s: %s field %q, want %s %q", what, r.Code, r.Field, tc.result, tc.field)
		}
		// Lookup agrees: what charged is found, what did not is not.
		lk := c.Lookup(ctx, lookupSale(req))
		if r.Charged() != (lk.Outcome == app.OutcomeApproved) || !r.Charged() && lk.Outcome != app.OutcomeNotFound {
			t.Errorf("%s: lookup %q after %q", what, lk.Outcome, r.Outcome)
		}
		if r.Charged() && (lk.Reference != r.Reference || !lk.Duplicate) {
			t.Errorf("%s: lookup %+v, sale %s", what, lk, r.Reference)
		}
	}
	var held Entry
	for _, e := range sb.Ledger() {
		if e.Result == 11610 && e.Currency == "EUR" {
			held = e
		}
	}
	if !held.Charged() || held.Message == "" {
		t.Errorf("held entry %+v", held)
	}

	cvv := nvpCard("4111111111111111")
	cvv.CVV = []byte("000")
	r := c.Sale(ctx, nvpSale(t, "5.00", "GBP", cvv))
	want(t, "cvv 000", r, app.OutcomeInvalidCard)
	if r.Field != "cvv" || r.Code != "L_ERRORCODE0=15004" {
		t.Errorf("cvv 000: %s field %q", r.Code, r.Field)
	}

	bad := sb.NVPConfig()
	bad.Password = "invalid"
	bc := nvpClient(t, bad)
	want(t, "invalid password", bc.TestConnection(ctx), app.OutcomeMerchantConfig)
	want(t, "sale with an invalid password", bc.Sale(ctx, nvpSale(t, "5.00", "GBP", nvpCard("4111111111111111"))), app.OutcomeMerchantConfig)

	// An expiry in the past by the sandbox's clock (the client's own check
	// sees a valid card): 10502.
	later, lc := startNVP(t, WithClock(func() time.Time { return time.Now().AddDate(10, 0, 0) }))
	r = lc.Sale(ctx, nvpSale(t, "5.00", "GBP", nvpCard("4111111111111111")))
	want(t, "expired", r, app.OutcomeInvalidCard)
	if r.Field != "expiry" || r.Code != "L_ERRORCODE0=10502" {
		t.Errorf("expired: %s field %q", r.Code, r.Field)
	}
	if e := later.Ledger(); len(e) != 1 || e[0].Charged() || e[0].Last4 != "1111" {
		t.Errorf("expired card ledger %+v", e)
	}
	if n := nvpCharges(sb); n != 15 {
		t.Errorf("%d charges, want 15", n)
	}
}

// TestNVPLostReplies: 1097.00 charges and loses the reply, 1098.00 drops
// before charging; Lookup settles both, and a resend never charges twice.
func TestNVPLostReplies(t *testing.T) {
	sb, c := startNVP(t)
	ctx := context.Background()

	req, r := nvpSell(t, c, "1097.00", "GBP", "4111111111111111")
	want(t, "1097 sale", r, app.OutcomeUnknown)
	if r.Brand != app.BrandVisa || r.Last4 != "1111" {
		t.Errorf("1097 sale %+v", r)
	}
	lk := c.Lookup(ctx, lookupSale(req))
	want(t, "1097 lookup", lk, app.OutcomeApproved)
	if !lk.Duplicate || lk.Reference == "" || entryByRef(sb, lk.Reference).InvoiceID != req.InvoiceID {
		t.Errorf("1097 lookup %+v", lk)
	}
	// A resend of the same attempt is the duplicate invoice (and, carrying
	// card data, loses its reply too): still one charge.
	want(t, "1097 resend", c.Sale(ctx, req), app.OutcomeUnknown)

	req2, r2 := nvpSell(t, c, "1098.00", "GBP", "4111111111111111")
	want(t, "1098 sale", r2, app.OutcomeUnknown)
	want(t, "1098 lookup", c.Lookup(ctx, lookupSale(req2)), app.OutcomeNotFound)

	// The same rules for currencies without decimals (HUF as PayPal
	// takes it): 109700 and 109800.
	req3, r3 := nvpSell(t, c, "109700", "JPY", "4111111111111111")
	want(t, "¥109700 sale", r3, app.OutcomeUnknown)
	want(t, "¥109700 lookup", c.Lookup(ctx, lookupSale(req3)), app.OutcomeApproved)
	req4, r4 := nvpSell(t, c, "109800", "HUF", "4111111111111111")
	want(t, "109800 HUF sale", r4, app.OutcomeUnknown)
	want(t, "109800 HUF lookup", c.Lookup(ctx, lookupSale(req4)), app.OutcomeNotFound)

	// Amounts that merely end in .97 or .98 are everyday fees.
	_, r5 := nvpSell(t, c, "25.97", "GBP", "4111111111111111")
	want(t, "25.97 sale", r5, app.OutcomeApproved)
	_, r6 := nvpSell(t, c, "25.98", "GBP", "4111111111111111")
	want(t, "25.98 sale", r6, app.OutcomeApproved)

	if n := nvpCharges(sb); n != 4 {
		t.Errorf("%d charges, want 4", n)
	}
	for _, e := range sb.Ledger() {
		if e.InvoiceID == req2.InvoiceID || e.InvoiceID == req4.InvoiceID {
			t.Errorf("1098 left an entry: %+v", e)
		}
	}
}

// TestNVPPersistence: an NVP sale left unknown before a restart is
// reconciled after it, MSGSUBIDs survive it, a ledger written before NVP
// existed still reads as Payflow's, and the file holds no card number.
func TestNVPPersistence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.json")

	// A ledger as the Payflow-only sandbox wrote it: no protocol field.
	old := `{"version":1,"seq":1,"entries":[{"request_id":"0123456789abcdef","type":"sale","pnref":"SBX000000001","result":0,` +
		`"message":"Approved","amount":"10.00","currency":"USD","brand":"visa","last4":"1111","refunded":"0.00",` +
		`"time":"2025-01-02T03:04:05Z","reply":"RESULT=0&PNREF=SBX000000001&RESPMSG=Approved"}]}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	sb1, c1 := startNVP(t, WithLedgerFile(path))
	if l := sb1.Ledger(); len(l) != 1 || l[0].Protocol != ProtocolPayflow || !l[0].Charged() {
		t.Fatalf("old ledger read as %+v", l)
	}
	req, r := nvpSell(t, c1, "1097.00", "GBP", "4012888888881881")
	want(t, "sale before restart", r, app.OutcomeUnknown)
	_, ok := nvpSell(t, c1, "10.00", "GBP", "371449635398431")
	want(t, "second sale", ok, app.OutcomeApproved)
	rk := key()
	first := c1.Refund(context.Background(), app.RefundRequest{Key: rk, OriginalRef: ok.Reference, Amount: amt(t, "4.00", "GBP")})
	want(t, "refund before restart", first, app.OutcomeApproved)
	if err := sb1.Close(); err != nil {
		t.Fatal(err)
	}

	sb2, c2 := startNVP(t, WithLedgerFile(path))
	ctx := context.Background()
	lk := c2.Lookup(ctx, lookupSale(req))
	want(t, "lookup after restart", lk, app.OutcomeApproved)
	if !lk.Duplicate || lk.Reference == "" {
		t.Errorf("lookup after restart %+v", lk)
	}
	rep := c2.Refund(ctx, app.RefundRequest{Key: rk, OriginalRef: ok.Reference, Amount: amt(t, "4.00", "GBP")})
	if rep.Outcome != app.OutcomeApproved || !rep.Duplicate || rep.Reference != first.Reference {
		t.Errorf("MSGSUBID replay after restart %+v", rep)
	}
	want(t, "rest refunded after restart", c2.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: ok.Reference, Amount: amt(t, "6.00", "GBP")}), app.OutcomeApproved)
	if n := nvpCharges(sb2); n != 2 {
		t.Errorf("%d NVP charges after restart, want 2", n)
	}
	// The Payflow entry is still Payflow's: the NVP search does not list
	// it, the Payflow client finds it.
	if s, _ := postNVP(t, sb2, nvpCall("TransactionSearch", "STARTDATE", "2000-01-01T00:00:00Z", "TRANSACTIONID", "SBX000000001")); s.Get("L_TRANSACTIONID0") != "" {
		t.Errorf("the NVP search lists a Payflow sale: %v", s.Fields)
	}
	pc := payflowClient(t, sb2)
	want(t, "payflow inquiry of the old sale", pc.Inquire(ctx, "SBX000000001"), app.OutcomeApproved)

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	noCardNumber(t, "the ledger file", string(data))
	var st state
	if err := json.Unmarshal(data, &st); err != nil || len(st.Entries) != 5 {
		t.Errorf("ledger file: %v, %d entries", err, len(st.Entries))
	}
	if !strings.Contains(string(data), `"protocol": "nvp"`) || strings.Count(string(data), `"protocol"`) != 4 {
		t.Errorf("protocol fields in the ledger file:\n%s", data)
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("temporary files left behind: %v", files)
	}
}

func payflowClient(t *testing.T, sb *Sandbox) *payflow.Client {
	t.Helper()
	c, err := payflow.New(sb.PayflowConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noCardNumber fails if s holds any test card number, or the part of one
// that is never shown (all but the last four digits).
func noCardNumber(t *testing.T, what, s string) {
	t.Helper()
	for number := range TestCards {
		if strings.Contains(s, number) || strings.Contains(s, number[:len(number)-4]) {
			t.Errorf("%s holds a card number", what)
			return
		}
	}
	for _, number := range []string{"4000000000000002", "4242424242424242"} {
		if strings.Contains(s, number[:len(number)-4]) {
			t.Errorf("%s holds a card number", what)
			return
		}
	}
}

// TestNVPNoCardData drives every kind of reply through a recording proxy
// and checks that no card number is in any reply, Result or the ledger.
func TestNVPNoCardData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.json")
	sb, _ := startNVP(t, WithLedgerFile(path))
	target, _ := url.Parse(sb.NVPEndpoint())
	var mu sync.Mutex
	var replies []string
	proxy := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.URL.Path = target.Path },
		ModifyResponse: func(resp *http.Response) error {
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			mu.Lock()
			replies = append(replies, string(b))
			mu.Unlock()
			resp.Body = io.NopCloser(bytes.NewReader(b))
			return nil
		},
		ErrorLog: log.New(io.Discard, "", 0), // 1097/1098 drops are expected
	})
	t.Cleanup(proxy.Close)
	cfg := sb.NVPConfig()
	cfg.Endpoint = proxy.URL + "/nvp"
	c := nvpClient(t, cfg)
	ctx := context.Background()

	var results []app.Result
	for _, number := range []string{
		"4111111111111111", "4012888888881881", "4222222222222", "5555555555554444", "5105105105105100",
		"2221000000000009", "2223000048400011", "2223016768739313", "378282246310005", "371449635398431", "378734493671000",
		"6011111111111117", "6011000990139424", "4000000000000002", "4242424242424242",
	} {
		for _, a := range []string{"10.00", "1012.00", "1013.00", "1014.00", "1026.00", "1050.00", "1051.00", "1097.00", "1098.00", "2500.00"} {
			req := nvpSale(t, a, "GBP", nvpCard(number))
			r := c.Sale(ctx, req)
			results = append(results, r, c.Lookup(ctx, lookupSale(req)))
			if r.Charged() {
				results = append(results, c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: r.Reference, Full: true}))
			}
		}
	}
	cvv := nvpCard("4111111111111111")
	cvv.CVV = []byte("000")
	results = append(results, c.Sale(ctx, nvpSale(t, "1.00", "GBP", cvv)), c.TestConnection(ctx))
	// Raw calls the client would not make: JCB, Diners, a bad type, a bad
	// expiry; their refusals quote nothing.
	for _, v := range []url.Values{
		directPayment("3530111333300000", "Visa", "1.00", "GBP", futureExp),
		directPayment("30569309025904", "Visa", "1.00", "GBP", futureExp),
		directPayment("4111111111111111", "Amex", "1.00", "GBP", futureExp),
		directPayment("4111111111111111", "Visa", "1.00", "GBP", "4111111111111111"),
		directPayment("4111111111111111", "Visa", "1.0", "GBP", futureExp),
	} {
		rep, body := postNVP(t, sb, v)
		if rep.Ack != "Failure" {
			t.Errorf("raw refusal answered %s", body)
		}
		replies = append(replies, body)
	}

	if len(replies) < 100 {
		t.Fatalf("only %d replies recorded", len(replies))
	}
	for _, b := range replies {
		noCardNumber(t, "a reply", b)
	}
	for _, r := range results {
		noCardNumber(t, "a Result", r.Message+" "+r.Code+" "+r.Reference)
	}
	led, _ := json.Marshal(sb.Ledger())
	noCardNumber(t, "the ledger", string(led))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	noCardNumber(t, "the ledger file", string(data))
	for _, e := range sb.Ledger() {
		if e.Type == "sale" && e.Brand == "" && e.Last4 != "" {
			t.Errorf("a refused number left digits: %+v", e)
		}
	}
}

// TestNVPRawProtocol checks the wire: reply fields, credentials, version,
// malformed bodies, card type, expiry format, searches and the route.
func TestNVPRawProtocol(t *testing.T) {
	sb, _ := startNVP(t)

	rep, body := postNVP(t, sb, directPayment("4111111111111111", "Visa", "12.34", "GBP", futureExp))
	for _, f := range []string{"ACK", "CORRELATIONID", "TIMESTAMP", "VERSION", "BUILD", "TRANSACTIONID", "AMT", "CURRENCYCODE", "AVSCODE", "CVV2MATCH"} {
		if rep.Get(f) == "" {
			t.Errorf("approved reply without %s: %s", f, body)
		}
	}
	if rep.Ack != "Success" || rep.Get("AMT") != "12.34" || rep.Get("CURRENCYCODE") != "GBP" || rep.Get("VERSION") != "124" || len(rep.Get("TRANSACTIONID")) != 17 {
		t.Errorf("approved reply %s", body)
	}
	if _, err := time.Parse(time.RFC3339, rep.Get("TIMESTAMP")); err != nil {
		t.Errorf("TIMESTAMP %q", rep.Get("TIMESTAMP"))
	}
	if !strings.HasPrefix(body, "TIMESTAMP=") {
		t.Errorf("common fields not first: %s", body)
	}
	id := rep.Get("TRANSACTIONID")

	for _, tc := range []struct {
		what string
		v    url.Values
		code string
	}{
		{"no signature", func() url.Values { v := nvpCall("GetBalance"); v.Del("SIGNATURE"); return v }(), "10002"},
		{"invalid password", nvpCall("GetBalance", "PWD", "invalid"), "10002"},
		{"no version", func() url.Values { v := nvpCall("GetBalance"); v.Del("VERSION"); return v }(), "10006"},
		{"unknown method", nvpCall("DoCapture"), "81002"},
		{"JCB", directPayment("3530111333300000", "Visa", "1.00", "GBP", futureExp), "10510"},
		{"wrong card type", directPayment("4111111111111111", "MasterCard", "1.00", "GBP", futureExp), "10527"},
		{"MMYY expiry", directPayment("4111111111111111", "Visa", "1.00", "GBP", "1130"), "10508"},
		{"past expiry", directPayment("4111111111111111", "Visa", "1.00", "GBP", "012020"), "10502"},
		{"no card", func() url.Values {
			v := directPayment("4111111111111111", "Visa", "1.00", "GBP", futureExp)
			v.Del("ACCT")
			return v
		}(), "10519"},
		{"no IP address", func() url.Values {
			v := directPayment("4111111111111111", "Visa", "1.00", "GBP", futureExp)
			v.Del("IPADDRESS")
			return v
		}(), "10509"},
		{"amount with one decimal", directPayment("4111111111111111", "Visa", "1.0", "GBP", futureExp), "10004"},
		{"authorization", directPayment("4111111111111111", "Visa", "1.00", "GBP", futureExp, "PAYMENTACTION", "Authorization"), "10004"},
		{"zero amount", directPayment("4111111111111111", "Visa", "0.00", "GBP", futureExp), "10525"},
		{"search without a start", nvpCall("TransactionSearch", "INVNUM", "x"), "10004"},
		{"refund type", nvpCall("RefundTransaction", "TRANSACTIONID", id, "REFUNDTYPE", "Other"), "10004"},
		{"full refund with an amount", nvpCall("RefundTransaction", "TRANSACTIONID", id, "REFUNDTYPE", "Full", "AMT", "1.00"), "10004"},
		{"partial refund in another currency", nvpCall("RefundTransaction", "TRANSACTIONID", id, "REFUNDTYPE", "Partial", "AMT", "1.00", "CURRENCYCODE", "EUR"), "10009"},
		{"void of a sale", nvpCall("DoVoid", "AUTHORIZATIONID", id, "MSGSUBID", "v1"), "10609"},
	} {
		rep, body := postNVP(t, sb, tc.v)
		if rep.Ack != "Failure" || rep.Get("L_ERRORCODE0") != tc.code || rep.Get("L_SEVERITYCODE0") != "Error" || rep.CorrelationID == "" {
			t.Errorf("%s: %s, want %s", tc.what, body, tc.code)
		}
	}

	// A malformed body is refused whole.
	resp, err := http.Post(sb.NVPEndpoint(), "application/x-www-form-urlencoded", strings.NewReader("METHOD=GetBalance&USER=a&USER=b&PWD=p&SIGNATURE=s&VERSION=124"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if r, err := nvp.ParseReply(b); err != nil || r.Get("L_ERRORCODE0") != "10004" {
		t.Errorf("repeated name: %s", b)
	}

	// The search: by INVNUM and TRANSACTIONID; nothing found is Success
	// with no rows.
	s, _ := postNVP(t, sb, nvpCall("TransactionSearch", "STARTDATE", "2000-01-01T00:00:00Z", "TRANSACTIONID", id))
	if s.Ack != "Success" || s.Get("L_TRANSACTIONID0") != id || s.Get("L_STATUS0") != "Completed" || s.Get("L_AMT0") != "12.34" ||
		s.Get("L_CURRENCYCODE0") != "GBP" || s.Get("L_TYPE0") != "Payment" || s.Get("L_TRANSACTIONID1") != "" {
		t.Errorf("search by id %v", s.Fields)
	}
	refund, _ := postNVP(t, sb, nvpCall("RefundTransaction", "TRANSACTIONID", id, "REFUNDTYPE", "Partial", "AMT", "2.34", "CURRENCYCODE", "GBP", "MSGSUBID", "m1"))
	if refund.Ack != "Success" || refund.Get("TOTALREFUNDEDAMOUNT") != "2.34" || refund.Get("MSGSUBID") != "m1" {
		t.Errorf("partial refund %v", refund.Fields)
	}
	// A replay ignores the new data.
	again, _ := postNVP(t, sb, nvpCall("RefundTransaction", "TRANSACTIONID", id, "REFUNDTYPE", "Partial", "AMT", "9.00", "CURRENCYCODE", "GBP", "MSGSUBID", "m1"))
	if again.Ack != "SuccessWithWarning" || again.Get("L_ERRORCODE0") != "11607" || again.Get("L_SEVERITYCODE0") != "Warning" ||
		again.Get("REFUNDTRANSACTIONID") != refund.Get("REFUNDTRANSACTIONID") || again.Get("GROSSREFUNDAMT") != "2.34" || again.CorrelationID == refund.CorrelationID {
		t.Errorf("replay %v", again.Fields)
	}
	inv := ""
	for _, e := range sb.Ledger() {
		if e.PNREF == id {
			inv = e.InvoiceID
		}
	}
	s, _ = postNVP(t, sb, nvpCall("TransactionSearch", "STARTDATE", "2000-01-01T00:00:00Z", "INVNUM", inv))
	if s.Get("L_TYPE0") != "Refund" || s.Get("L_AMT0") != "-2.34" || s.Get("L_TRANSACTIONID1") != id || s.Get("L_STATUS1") != "Partially Refunded" {
		t.Errorf("search by invoice %v", s.Fields)
	}
	for _, v := range []url.Values{
		nvpCall("TransactionSearch", "STARTDATE", "2000-01-01T00:00:00Z", "INVNUM", "nothing"),
		nvpCall("TransactionSearch", "STARTDATE", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "INVNUM", inv),
	} {
		if none, body := postNVP(t, sb, v); none.Ack != "Success" || none.Get("L_TRANSACTIONID0") != "" || len(none.Errors) != 0 {
			t.Errorf("empty search %s", body)
		}
	}

	// Only POST /nvp.
	r, err := http.Get(sb.NVPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /nvp: %d", r.StatusCode)
	}
}

// TestNVPUnwritableLedger: when the file cannot be written the sale is
// forgotten and answered 500 (unknown; a lookup then finds nothing).
func TestNVPUnwritableLedger(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sb, c := startNVP(t, WithLedgerFile(filepath.Join(dir, "ledger.json")))
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	req, r := nvpSell(t, c, "10.00", "GBP", "4111111111111111")
	want(t, "sale", r, app.OutcomeUnknown)
	want(t, "lookup", c.Lookup(context.Background(), lookupSale(req)), app.OutcomeNotFound)
	if len(sb.Ledger()) != 0 {
		t.Error("an unsaved request stayed in the ledger")
	}
}

func TestParseFormInPlace(t *testing.T) {
	body := []byte("A=1%2B2&B=x+y&&ACCT=4111111111111111&C=%41%62")
	m, err := parseForm(body)
	if err != nil {
		t.Fatal(err)
	}
	if string(m["A"]) != "1+2" || string(m["B"]) != "x y" || string(m["C"]) != "Ab" || string(m["ACCT"]) != "4111111111111111" {
		t.Errorf("parsed %q", m)
	}
	// The values are the body's own bytes: zeroing it zeroes them.
	clear(body)
	if !bytes.Equal(m["ACCT"], make([]byte, 16)) {
		t.Error("the card number was copied out of the body")
	}
	for _, bad := range []string{"A", "=1", "A=%4", "A=%zz", "A=1&A=2", "A-B=1"} {
		if _, err := parseForm([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
