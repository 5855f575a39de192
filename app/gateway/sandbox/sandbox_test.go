package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow"
)

var seq atomic.Int64

func key() string { return fmt.Sprintf("%032x", seq.Add(1)+0x5b000) }

func start(t *testing.T, opts ...Option) (*Sandbox, *payflow.Client) {
	t.Helper()
	sb, err := Start(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	c, err := payflow.New(sb.PayflowConfig())
	if err != nil {
		t.Fatal(err)
	}
	return sb, c
}

func amt(t *testing.T, n, code string) currency.Amount {
	t.Helper()
	a, err := currency.NewAmount(n, code)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func card(number string) *app.Card {
	return &app.Card{Number: []byte(number), CVV: []byte("123"), ExpMonth: 11, ExpYear: 2031}
}

func sell(t *testing.T, c *payflow.Client, k, n, code, number string) app.Result {
	t.Helper()
	return c.Sale(context.Background(), app.SaleRequest{Key: k, InvoiceID: "I" + k[26:], Amount: amt(t, n, code), Description: "Workshop", Card: card(number)})
}

func want(t *testing.T, what string, r app.Result, o app.Outcome) {
	t.Helper()
	if r.Outcome != o {
		t.Errorf("%s: %q, want %q (%s: %s)", what, r.Outcome, o, r.Code, r.Message)
	}
}

func charges(sb *Sandbox) int {
	n := 0
	for _, e := range sb.Ledger() {
		if e.Charged() {
			n++
		}
	}
	return n
}

// TestEndToEnd runs a sale, partial and full refunds, a void and inquiries
// through the real Payflow client over loopback.
func TestEndToEnd(t *testing.T) {
	sb, c := start(t)
	ctx := context.Background()
	if u, _ := url.Parse(sb.PayflowEndpoint()); u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Path != "/payflow" {
		t.Fatalf("endpoint %s", sb.PayflowEndpoint())
	}
	want(t, "test connection", c.TestConnection(ctx), app.OutcomeApproved)

	s := sell(t, c, key(), "120", "GBP", "5555555555554444")
	want(t, "sale", s, app.OutcomeApproved)
	if s.Reference == "" || s.Brand != app.BrandMastercard || s.Last4 != "4444" {
		t.Errorf("sale %+v", s)
	}
	r1 := c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s.Reference, Amount: amt(t, "20", "GBP")})
	want(t, "partial refund", r1, app.OutcomeApproved)
	r2 := c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s.Reference, Amount: amt(t, "100", "GBP"), Full: true})
	want(t, "rest refunded", r2, app.OutcomeApproved)
	want(t, "over-refund", c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s.Reference, Amount: amt(t, "0.01", "GBP")}), app.OutcomeDeclined)
	want(t, "void after refund", c.Void(ctx, app.VoidRequest{Key: key(), OriginalRef: s.Reference}), app.OutcomeDeclined)

	s2 := sell(t, c, key(), "3000", "JPY", "3530111333300000")
	want(t, "JPY sale", s2, app.OutcomeApproved)
	want(t, "void", c.Void(ctx, app.VoidRequest{Key: key(), OriginalRef: s2.Reference}), app.OutcomeApproved)
	want(t, "second void", c.Void(ctx, app.VoidRequest{Key: key(), OriginalRef: s2.Reference}), app.OutcomeDeclined)
	want(t, "refund after void", c.Refund(ctx, app.RefundRequest{Key: key(), OriginalRef: s2.Reference, Amount: amt(t, "1", "JPY")}), app.OutcomeDeclined)
	want(t, "unknown reference", c.Void(ctx, app.VoidRequest{Key: key(), OriginalRef: "SBX999999999"}), app.OutcomeNotProcessed)

	in := c.Inquire(ctx, s.Reference)
	want(t, "inquiry", in, app.OutcomeApproved)
	if in.Reference != s.Reference {
		t.Errorf("inquiry reference %q", in.Reference)
	}
	want(t, "inquiry of nothing", c.Inquire(ctx, "SBX999999999"), app.OutcomeNotFound)

	led := sb.Ledger()
	var sale Entry
	for _, e := range led {
		if e.PNREF == s.Reference {
			sale = e
		}
	}
	if sale.Refunded != "120.00" || sale.Amount != "120.00" || sale.Currency != "GBP" || sale.Brand != app.BrandMastercard || sale.Last4 != "4444" {
		t.Errorf("sale entry %+v", sale)
	}
	if charges(sb) != 2 {
		t.Errorf("%d charges, want 2", charges(sb))
	}
}

func TestRules(t *testing.T) {
	sb, c := start(t)
	for _, tc := range []struct {
		amount, code string
		number       string
		out          app.Outcome
		result       string
	}{
		{"10.00", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"1012.00", "USD", "4111111111111111", app.OutcomeDeclined, "RESULT=12"},
		{"1013.00", "USD", "4111111111111111", app.OutcomeDeclined, "RESULT=13"},
		{"1014.00", "USD", "4111111111111111", app.OutcomeDeclined, "RESULT=114"},
		{"1026.00", "EUR", "4012888888881881", app.OutcomeHeldForReview, "RESULT=126"},
		{"1050.00", "USD", "378282246310005", app.OutcomeDeclined, "RESULT=50"},
		{"1051.00", "USD", "6011111111111117", app.OutcomeDeclined, "RESULT=51"},
		{"101200", "JPY", "4111111111111111", app.OutcomeDeclined, "RESULT=12"},
		{"101300", "KRW", "4111111111111111", app.OutcomeDeclined, "RESULT=13"},
		{"1012.000", "BHD", "4111111111111111", app.OutcomeDeclined, "RESULT=12"},
		// Everyday fees are approved whatever their cents: the old
		// last-two-digits rule declined 12.50 as insufficient funds.
		{"12.50", "PLN", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"99.50", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"12.12", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"10.97", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"1000.00", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"5000", "JPY", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"1012", "JPY", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"100000", "JPY", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"1012.50", "HUF", "4111111111111111", app.OutcomeApproved, "RESULT=0"}, // Payflow: ISO's two decimals
		// Between 1000 and 2000: only the whole values with a rule.
		{"1012.50", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"101250", "JPY", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"1012.500", "BHD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"1099.00", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"1000.01", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		{"2000.00", "USD", "4111111111111111", app.OutcomeApproved, "RESULT=0"},
		// Above 2000: declined, as on PayPal's pilot.
		{"2000.01", "USD", "4111111111111111", app.OutcomeDeclined, "RESULT=12"},
		{"2500.00", "USD", "4111111111111111", app.OutcomeDeclined, "RESULT=12"},
		{"250000", "JPY", "4111111111111111", app.OutcomeDeclined, "RESULT=12"},
		{"99999999999.99", "USD", "4111111111111111", app.OutcomeDeclined, "RESULT=12"},
		// A valid number that is not a test card is refused: no real card can
		// be "charged" in Test mode.
		{"10.00", "USD", "4000000000000002", app.OutcomeInvalidCard, "RESULT=23"},
		{"10.00", "USD", "4242424242424242", app.OutcomeInvalidCard, "RESULT=23"},
	} {
		r := sell(t, c, key(), tc.amount, tc.code, tc.number)
		want(t, tc.amount+" "+tc.code, r, tc.out)
		if r.Code != tc.result {
			t.Errorf("%s %s: %s, want %s", tc.amount, tc.code, r.Code, tc.result)
		}
	}
	cvv := card("4111111111111111")
	cvv.CVV = []byte("000")
	want(t, "cvv 000", c.Sale(context.Background(), app.SaleRequest{Key: key(), Amount: amt(t, "5", "USD"), Card: cvv}), app.OutcomeDeclined)
	// CVV2 000 wins over the amount rules.
	if r := c.Sale(context.Background(), app.SaleRequest{Key: key(), Amount: amt(t, "1012.00", "USD"), Card: cvv}); r.Code != "RESULT=114" {
		t.Errorf("cvv 000 at 1012.00: %s, want RESULT=114", r.Code)
	}
	exp := card("4111111111111111")
	exp.ExpYear = 2021
	r := c.Sale(context.Background(), app.SaleRequest{Key: key(), Amount: amt(t, "5", "USD"), Card: exp})
	want(t, "expired", r, app.OutcomeInvalidCard)
	if r.Field != "expiry" {
		t.Errorf("expired: field %q", r.Field)
	}

	bad := sb.PayflowConfig()
	bad.Password = "invalid"
	bc, _ := payflow.New(bad)
	want(t, "invalid password", bc.TestConnection(context.Background()), app.OutcomeMerchantConfig)
}

// TestLostReplies: 1097.00 charges and loses the reply, 1098.00 drops
// before charging; Lookup settles both, and a replay never charges twice.
func TestLostReplies(t *testing.T) {
	sb, c := start(t)
	ctx := context.Background()

	k := key()
	want(t, "1097 sale", sell(t, c, k, "1097.00", "USD", "4111111111111111"), app.OutcomeUnknown)
	lk := c.Lookup(ctx, app.LookupRequest{Kind: app.LookupSale, Key: k, Amount: amt(t, "1097.00", "USD")})
	want(t, "1097 lookup", lk, app.OutcomeApproved)
	if !lk.Duplicate || lk.Reference == "" {
		t.Errorf("1097 lookup %+v", lk)
	}

	k2 := key()
	want(t, "1098 sale", sell(t, c, k2, "1098.00", "USD", "4111111111111111"), app.OutcomeUnknown)
	want(t, "1098 lookup", c.Lookup(ctx, app.LookupRequest{Kind: app.LookupSale, Key: k2, Amount: amt(t, "1098.00", "USD")}), app.OutcomeNotFound)

	// The same rules for a currency without decimals: ¥109700 and ¥109800.
	k4 := key()
	want(t, "¥109700 sale", sell(t, c, k4, "109700", "JPY", "4111111111111111"), app.OutcomeUnknown)
	want(t, "¥109700 lookup", c.Lookup(ctx, app.LookupRequest{Kind: app.LookupSale, Key: k4, Amount: amt(t, "109700", "JPY")}), app.OutcomeApproved)
	k5 := key()
	want(t, "¥109800 sale", sell(t, c, k5, "109800", "JPY", "4111111111111111"), app.OutcomeUnknown)
	want(t, "¥109800 lookup", c.Lookup(ctx, app.LookupRequest{Kind: app.LookupSale, Key: k5, Amount: amt(t, "109800", "JPY")}), app.OutcomeNotFound)

	// Amounts that merely end in .97 or .98 are everyday fees.
	want(t, "25.97 sale", sell(t, c, key(), "25.97", "USD", "4111111111111111"), app.OutcomeApproved)
	want(t, "25.98 sale", sell(t, c, key(), "25.98", "USD", "4111111111111111"), app.OutcomeApproved)

	// A resend of the identical sale answers the original; a request that
	// reuses its ID with other data is refused (RESULT 133) and charges
	// nothing.
	k3 := key()
	first := sell(t, c, k3, "40", "USD", "4111111111111111")
	again := sell(t, c, k3, "40", "USD", "4111111111111111")
	if again.Outcome != app.OutcomeApproved || !again.Duplicate || again.Reference != first.Reference {
		t.Errorf("replay %+v, want the original with Duplicate", again)
	}
	other := sell(t, c, k3, "99", "USD", "4111111111111111")
	if other.Outcome != app.OutcomeUnknown || other.Code != "RESULT=133" {
		t.Errorf("replay with other data %+v, want RESULT=133", other)
	}
	if n := charges(sb); n != 5 {
		t.Errorf("%d charges, want 5", n)
	}
}

// TestPersistence: a sale left unknown before a restart is reconciled after
// it; the file holds no card number and is written atomically.
func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.json")
	sb1, c1 := start(t, WithLedgerFile(path))
	k := key()
	want(t, "sale before restart", sell(t, c1, k, "1097.00", "USD", "4012888888881881"), app.OutcomeUnknown)
	ok := sell(t, c1, key(), "10", "USD", "371449635398431")
	want(t, "second sale", ok, app.OutcomeApproved)
	if err := sb1.Close(); err != nil {
		t.Fatal(err)
	}

	sb2, c2 := start(t, WithLedgerFile(path))
	if sb2.PayflowEndpoint() == sb1.PayflowEndpoint() {
		t.Log("same port reused; fine")
	}
	lk := c2.Lookup(context.Background(), app.LookupRequest{Kind: app.LookupSale, Key: k, Amount: amt(t, "1097.00", "USD")})
	want(t, "lookup after restart", lk, app.OutcomeApproved)
	if !lk.Duplicate {
		t.Error("lookup after restart should be a duplicate")
	}
	want(t, "refund after restart", c2.Refund(context.Background(), app.RefundRequest{Key: key(), OriginalRef: ok.Reference, Amount: amt(t, "10", "USD")}), app.OutcomeApproved)
	if n := charges(sb2); n != 2 {
		t.Errorf("%d charges after restart, want 2", n)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for number := range TestCards {
		if strings.Contains(string(data), number) {
			t.Errorf("the ledger file holds a card number")
		}
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil || len(st.Entries) != 3 {
		t.Errorf("ledger file: %v, %d entries", err, len(st.Entries))
	}
	// Windows has no Unix modes (Go reports 0666 for any writable file);
	// there the folder's access list decides who may read the file.
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("ledger file mode %v", fi.Mode())
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("temporary files left behind: %v", files)
	}

	// A damaged ledger is an error, not a fresh start.
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), WithLedgerFile(path)); err == nil {
		t.Error("Start accepted a damaged ledger")
	}
}

// TestUnwritableLedger: when the file cannot be written the request is
// forgotten and answered 500 (the client sees "unknown"; a lookup then finds
// nothing).
func TestUnwritableLedger(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ledger")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sb, c := start(t, WithLedgerFile(filepath.Join(dir, "ledger.json")))
	// Replace the directory by a file: every write now fails, even as root.
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	want(t, "sale", sell(t, c, key(), "10", "USD", "4111111111111111"), app.OutcomeUnknown)
	if len(sb.Ledger()) != 0 {
		t.Error("an unsaved request stayed in the ledger")
	}
}

func TestContextStopsSandbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sb, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := http.Post(sb.PayflowEndpoint(), "text/namevalue", strings.NewReader("X=1")); err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Error("the sandbox still serves after its context ended")
}

// postPayflow posts a raw Payflow body to the sandbox under the request ID
// (none when id is empty) and returns the reply.
func postPayflow(t *testing.T, sb *Sandbox, id, body string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, sb.PayflowEndpoint(), strings.NewReader(body))
	req.Header.Set("Content-Type", "text/namevalue")
	if id != "" {
		req.Header.Set("X-VPS-REQUEST-ID", id)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestPayflowInquiryByCustomerReference: the sandbox answers an inquiry by
// CUSTREF with the latest sale that carried it (ORIGRESULT, ORIGPNREF) or
// RESULT 20, and refuses a card-less "sale" that replays a known request ID
// (RESULT 133: not the identical request) or a new one (RESULT 7), so a
// lookup by replay can neither learn nor charge anything.
func TestPayflowInquiryByCustomerReference(t *testing.T) {
	sb, _ := start(t)
	post := func(id, body string) string { return postPayflow(t, sb, id, body) }
	creds := "USER=a&VENDOR=a&PARTNER=PayPal&PWD=x"
	sale := "TRXTYPE=S&TENDER=C&" + creds + "&ACCT=4111111111111111&EXPDATE=1230&AMT=10.00&CURRENCY=USD&INVNUM=I1"
	approved := post("c1", sale+"&CUSTREF=REF001")
	post("c2", strings.Replace(sale, "AMT=10.00", "AMT=1012.00", 1)+"&CUSTREF=REF002")
	led := sb.Ledger()
	if len(led) != 2 || !strings.Contains(approved, "PNREF="+led[0].PNREF) || led[0].CustRef != "REF001" {
		t.Fatalf("ledger %+v after %q", led, approved)
	}
	for ref, wantReply := range map[string]string{
		"REF001": "&ORIGRESULT=0&ORIGPNREF=" + led[0].PNREF,
		"REF002": "&ORIGRESULT=12&ORIGPNREF=" + led[1].PNREF,
		"REF003": "RESULT=20&",
	} {
		if got := post("i"+ref, "TRXTYPE=I&TENDER=C&"+creds+"&CUSTREF="+ref); !strings.Contains(got, wantReply) {
			t.Errorf("inquiry for %s: %q, want %q in it", ref, got, wantReply)
		}
	}
	if got := post("i0", "TRXTYPE=I&TENDER=C&"+creds); !strings.HasPrefix(got, "RESULT=7&") {
		t.Errorf("inquiry naming nothing: %q", got)
	}
	cardless := "TRXTYPE=S&TENDER=C&" + creds + "&AMT=10.00&CURRENCY=USD&INVNUM=I1"
	if got := post("c1", cardless); !strings.HasPrefix(got, "RESULT=133&") || strings.Contains(got, "DUPLICATE") {
		t.Errorf("card-less replay of a charged sale's ID: %q, want RESULT=133", got)
	}
	if got := post("c1", sale+"&CUSTREF=REF001"); got != approved+"&DUPLICATE=1" {
		t.Errorf("identical resend: %q, want the original with DUPLICATE=1", got)
	}
	if got := post("c3", cardless); !strings.HasPrefix(got, "RESULT=7&") {
		t.Errorf("card-less sale: %q, want RESULT=7", got)
	}
	if n := charges(sb); n != 1 {
		t.Errorf("%d charges, want 1", n)
	}
}

// TestRawProtocol: the sandbox accepts untagged fields too, answers without
// a request ID with an error, and serves only POST /payflow.
func TestRawProtocol(t *testing.T) {
	sb, _ := start(t)
	post := func(id, body string) string { return postPayflow(t, sb, id, body) }
	creds := "USER=a&VENDOR=a&PARTNER=PayPal&PWD=x"
	if got := post("r1", "TRXTYPE=S&TENDER=C&"+creds+"&ACCT=4111111111111111&EXPDATE=1230&AMT=1.00&CURRENCY=USD&COMMENT1[3]=a&b"); !strings.HasPrefix(got, "RESULT=0&") {
		t.Errorf("untagged sale: %q", got)
	}
	if got := post("", "TRXTYPE=S&"+creds); !strings.HasPrefix(got, "RESULT=7&") {
		t.Errorf("no request id: %q", got)
	}
	if got := post("r2", "TRXTYPE=S&"+creds+"&COMMENT1[9]=ab"); !strings.HasPrefix(got, "RESULT=7&") {
		t.Errorf("bad tag: %q", got)
	}
	resp, err := http.Get(sb.PayflowEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /payflow: %d", resp.StatusCode)
	}
}
