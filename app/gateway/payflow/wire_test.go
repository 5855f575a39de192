package payflow

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
)

const creds = "USER[8]=trainpay&VENDOR[8]=trainpay&PARTNER[6]=PayPal&PWD[11]=pilot-Pass1"

func TestSaleWire(t *testing.T) {
	for _, tc := range []struct {
		amt, code, wantAMT string
	}{
		{"10", "USD", "AMT[5]=10.00&CURRENCY[3]=USD"},
		{"10.5", "GBP", "AMT[5]=10.50&CURRENCY[3]=GBP"},
		{"1000", "JPY", "AMT[4]=1000&CURRENCY[3]=JPY"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			srv := payflowtest.NewServer(t)
			c := clientFor(t, srv, 0)
			key := newKey()
			res := c.Sale(context.Background(), app.SaleRequest{
				Key: key, InvoiceID: "INV-1", Amount: money(t, tc.amt, tc.code),
				Description: "Go workshop",
				Card:        testCard(visa),
				Payer: app.Payer{
					FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
					Street: "12 St James's Sq", PostalCode: "SW1Y 4JH", IP: "192.0.2.7",
				},
			})
			wantOutcome(t, "sale", res, app.OutcomeApproved)
			if res.Reference == "" || res.AuthCode == "" || res.Brand != app.BrandVisa || res.Last4 != "1111" ||
				res.Funding != app.FundingCredit || res.Code != "RESULT=0" || res.Duplicate {
				t.Errorf("result %+v", res)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			want := "TRXTYPE[1]=S&TENDER[1]=C&" + creds +
				"&ACCT[16]=************1111&EXPDATE[4]=1230&CVV2[3]=***&" + tc.wantAMT +
				"&INVNUM[5]=INV-1&CUSTREF[12]=" + custRef(key) + "&COMMENT1[11]=Go workshop&FIRSTNAME[3]=Ada&LASTNAME[8]=Lovelace" +
				"&STREET[16]=12 St James's Sq&ZIP[8]=SW1Y 4JH&EMAIL[15]=ada@example.com&CUSTIP[9]=192.0.2.7"
			if reqs[0].Body != want {
				t.Errorf("body\n got %s\nwant %s", reqs[0].Body, want)
			}
			h := reqs[0].Header
			if h.Get("Content-Type") != "text/namevalue" || h.Get("X-VPS-REQUEST-ID") != key ||
				h.Get("X-VPS-CLIENT-TIMEOUT") != "45" || h.Get("Connection") != "close" {
				t.Errorf("headers %v", h)
			}
			led := srv.Ledger()
			if len(led) != 1 || led[0].RequestID != key || !led[0].Amount.Equal(money(t, tc.amt, tc.code)) ||
				led[0].Amount.CurrencyCode() != tc.code || led[0].PNREF != res.Reference {
				t.Errorf("ledger %+v", led)
			}
		})
	}
}

// TestSaleRawBytes checks the unmasked bytes on the wire, that Content-Length
// is sent, and that the body buffer is zeroed afterwards.
func TestSaleRawBytes(t *testing.T) {
	var mu sync.Mutex
	var raw []byte
	var hdr http.Header
	var contentLength int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		raw, hdr, contentLength = b, r.Header.Clone(), r.ContentLength
		mu.Unlock()
		_, _ = w.Write([]byte("RESULT=0&PNREF=A1B2C3D4E5F6&RESPMSG=Approved&AUTHCODE=010101"))
	}))
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL, User: "u", Vendor: "v", Partner: "PayPal", Password: "p&w=d", Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	wiped := make(chan []byte, 1)
	c.afterWipe = func(b []byte) { wiped <- b }
	card := testCard("4012888888881881")
	card.StartMonth, card.StartYear, card.IssueNumber = 3, 2021, "2"
	res := c.Sale(context.Background(), app.SaleRequest{Key: "k1", Amount: money(t, "1000", "JPY"), Card: card})
	wantOutcome(t, "sale", res, app.OutcomeApproved)
	want := "TRXTYPE[1]=S&TENDER[1]=C&USER[1]=u&VENDOR[1]=v&PARTNER[6]=PayPal&PWD[5]=p&w=d" +
		"&ACCT[16]=4012888888881881&EXPDATE[4]=1230&CVV2[3]=123&CARDSTART[4]=0321&CARDISSUE[1]=2&AMT[4]=1000&CURRENCY[3]=JPY" +
		"&CUSTREF[12]=" + custRef("k1")
	mu.Lock()
	defer mu.Unlock()
	if string(raw) != want {
		t.Errorf("raw body\n got %s\nwant %s", raw, want)
	}
	if contentLength != int64(len(want)) || hdr.Get("X-VPS-CLIENT-TIMEOUT") != "20" {
		t.Errorf("Content-Length %d, timeout %q", contentLength, hdr.Get("X-VPS-CLIENT-TIMEOUT"))
	}
	select {
	case b := <-wiped:
		if len(b) != len(want) || !bytes.Equal(b, make([]byte, len(b))) {
			t.Errorf("body buffer not zeroed: %q", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("body buffer never wiped")
	}
	if string(card.Number) != "4012888888881881" {
		t.Error("the caller's card must be left to the caller to wipe")
	}
}

func TestLengthTagsAmpersandEquals(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, 0)
	desc := "Level=5 & Ruff & Johnson [x]"
	res := c.Sale(context.Background(), app.SaleRequest{Key: newKey(), Amount: money(t, "25", "USD"), Description: desc, Card: testCard(visa)})
	wantOutcome(t, "sale", res, app.OutcomeApproved)
	r := srv.Requests()[0]
	if got, _ := r.Field("COMMENT1"); got != desc {
		t.Errorf("COMMENT1 %q, want %q", got, desc)
	}
	if !strings.Contains(r.Body, "&COMMENT1[28]="+desc) {
		t.Errorf("body %s", r.Body)
	}
}

func TestTransliteration(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, 0)
	res := c.Sale(context.Background(), app.SaleRequest{
		Key: newKey(), Amount: money(t, "25", "PLN"), Description: "Szkolenie „Go”\tdzień 1\n",
		Card:  testCard(visa),
		Payer: app.Payer{FirstName: "Zażółć", LastName: "Müller-Łęcka", Street: "Straße 5"},
	})
	wantOutcome(t, "sale", res, app.OutcomeApproved)
	r := srv.Requests()[0]
	for name, want := range map[string]string{
		"COMMENT1": `Szkolenie "Go" dzien 1`, "FIRSTNAME": "Zazolc", "LASTNAME": "Muller-Lecka", "STREET": "Strasse 5",
	} {
		if got, _ := r.Field(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// Decomposed accents lose their combining marks too.
	if got, _, ok := toASCII("Jose\u0301"); !ok || got != "Jose" {
		t.Errorf("decomposed: %q %v", got, ok)
	}

	// What cannot be transliterated is refused before sending.
	for _, p := range []app.Payer{{FirstName: "王"}, {LastName: "bad\x01"}, {Email: "zoë@example.com"}} {
		res := c.Sale(context.Background(), app.SaleRequest{Key: newKey(), Amount: money(t, "25", "USD"), Card: testCard(visa), Payer: p})
		wantOutcome(t, "untransliterable", res, app.OutcomeNotProcessed)
		if !strings.Contains(res.Message, "nothing was sent") {
			t.Errorf("message %q", res.Message)
		}
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests reached the server, want 1", n)
	}
}

func TestLocalValidation(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, 0)
	ctx := context.Background()
	bad := func(mod func(*app.Card)) *app.Card { cd := testCard(visa); mod(cd); return cd }
	for _, tc := range []struct {
		name  string
		req   app.SaleRequest
		out   app.Outcome
		field string
	}{
		{"luhn", app.SaleRequest{Card: testCard("4111111111111112")}, app.OutcomeInvalidCard, "number"},
		{"short", app.SaleRequest{Card: testCard("41111")}, app.OutcomeInvalidCard, "number"},
		{"month", app.SaleRequest{Card: bad(func(c *app.Card) { c.ExpMonth = 13 })}, app.OutcomeInvalidCard, "expiry"},
		{"cvv", app.SaleRequest{Card: bad(func(c *app.Card) { c.CVV = []byte("12") })}, app.OutcomeInvalidCard, "cvv"},
		{"start", app.SaleRequest{Card: bad(func(c *app.Card) { c.StartMonth = 14; c.StartYear = 2020 })}, app.OutcomeInvalidCard, "start"},
		{"issue", app.SaleRequest{Card: bad(func(c *app.Card) { c.IssueNumber = "A" })}, app.OutcomeInvalidCard, "issue"},
		{"no card", app.SaleRequest{}, app.OutcomeNotProcessed, ""},
		{"decimals", app.SaleRequest{Card: testCard(visa), Amount: money(t, "10.005", "USD")}, app.OutcomeNotProcessed, ""},
		{"jpy decimals", app.SaleRequest{Card: testCard(visa), Amount: money(t, "1000.5", "JPY")}, app.OutcomeNotProcessed, ""},
		{"zero", app.SaleRequest{Card: testCard(visa), Amount: money(t, "0", "USD")}, app.OutcomeNotProcessed, ""},
		{"no key", app.SaleRequest{Card: testCard(visa)}, app.OutcomeNotProcessed, ""},
		{"long key", app.SaleRequest{Key: strings.Repeat("a", 33), Card: testCard(visa), Amount: money(t, "1", "USD")}, app.OutcomeNotProcessed, ""},
	} {
		if tc.req.Key == "" && tc.name != "no key" {
			tc.req.Key = newKey()
		}
		if tc.req.Amount.CurrencyCode() == "" && tc.name != "no key" {
			tc.req.Amount = money(t, "10", "USD")
		}
		res := c.Sale(ctx, tc.req)
		wantOutcome(t, tc.name, res, tc.out)
		if res.Field != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, res.Field, tc.field)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the server, want 0", n)
	}
}

func TestRefundVoidInquiryWire(t *testing.T) {
	srv := payflowtest.NewServer(t)
	c := clientFor(t, srv, 0)
	ctx := context.Background()
	s := sale(t, c, newKey(), "100", "USD", visa)
	wantOutcome(t, "sale", s, app.OutcomeApproved)

	// Partial refund.
	rk := newKey()
	r1 := c.Refund(ctx, app.RefundRequest{Key: rk, OriginalRef: s.Reference, Amount: money(t, "40", "USD"), Description: "1 seat"})
	wantOutcome(t, "partial refund", r1, app.OutcomeApproved)
	reqs := srv.Requests()
	want := "TRXTYPE[1]=C&TENDER[1]=C&" + creds + "&ORIGID[12]=" + s.Reference + "&AMT[5]=40.00&CURRENCY[3]=USD&COMMENT1[6]=1 seat"
	if got := reqs[len(reqs)-1]; got.Body != want || got.RequestID != rk {
		t.Errorf("refund body\n got %s\nwant %s", got.Body, want)
	}
	// Full refund of the rest: AMT is still sent.
	r2 := c.Refund(ctx, app.RefundRequest{Key: newKey(), OriginalRef: s.Reference, Amount: money(t, "60", "USD"), Full: true})
	wantOutcome(t, "full refund", r2, app.OutcomeApproved)
	// Nothing is left.
	r3 := c.Refund(ctx, app.RefundRequest{Key: newKey(), OriginalRef: s.Reference, Amount: money(t, "0.01", "USD")})
	wantOutcome(t, "over-refund", r3, app.OutcomeDeclined)
	if r3.Code != "RESULT=105" {
		t.Errorf("over-refund code %q", r3.Code)
	}
	led := srv.Ledger()
	if len(led) != 1 || led[0].Refunded.Number() != "100.00" || len(led[0].Refunds) != 2 {
		t.Errorf("ledger %+v", led)
	}

	// Void.
	s2 := sale(t, c, newKey(), "30", "GBP", "5555555555554444")
	vk := newKey()
	v := c.Void(ctx, app.VoidRequest{Key: vk, OriginalRef: s2.Reference})
	wantOutcome(t, "void", v, app.OutcomeApproved)
	reqs = srv.Requests()
	if got, want := reqs[len(reqs)-1].Body, "TRXTYPE[1]=V&TENDER[1]=C&"+creds+"&ORIGID[12]="+s2.Reference; got != want {
		t.Errorf("void body\n got %s\nwant %s", got, want)
	}
	wantOutcome(t, "second void", c.Void(ctx, app.VoidRequest{Key: newKey(), OriginalRef: s2.Reference}), app.OutcomeDeclined)
	wantOutcome(t, "refund of unknown", c.Refund(ctx, app.RefundRequest{Key: newKey(), OriginalRef: "NOSUCHPNREF1", Amount: money(t, "1", "USD")}), app.OutcomeNotProcessed)
	if led := srv.Ledger(); !led[1].Voided {
		t.Errorf("void not in ledger: %+v", led[1])
	}

	// Inquiry.
	in := c.Inquire(ctx, s.Reference)
	wantOutcome(t, "inquiry", in, app.OutcomeApproved)
	if in.Reference != s.Reference {
		t.Errorf("inquiry reference %q, want %q", in.Reference, s.Reference)
	}
	reqs = srv.Requests()
	last := reqs[len(reqs)-1]
	if want := "TRXTYPE[1]=I&TENDER[1]=C&" + creds + "&ORIGID[12]=" + s.Reference; last.Body != want {
		t.Errorf("inquiry body\n got %s\nwant %s", last.Body, want)
	}
	if len(last.RequestID) != 32 || last.RequestID == s.Reference {
		t.Errorf("inquiry request id %q must be fresh", last.RequestID)
	}
	wantOutcome(t, "inquiry unknown", c.Inquire(ctx, "NOSUCHPNREF1"), app.OutcomeNotFound)
	declined := sale(t, c, newKey(), "1012", "USD", visa)
	wantOutcome(t, "inquiry declined", c.Inquire(ctx, declined.Reference), app.OutcomeDeclined)
	// Lookup of a sale whose reference is known uses the inquiry.
	wantOutcome(t, "lookup by ref", c.Lookup(ctx, app.LookupRequest{Kind: app.LookupSale, OriginalRef: s.Reference}), app.OutcomeApproved)
}

func TestTaggedReplies(t *testing.T) {
	srv := payflowtest.NewServer(t, payflowtest.WithTaggedReplies())
	c := clientFor(t, srv, 0)
	res := sale(t, c, newKey(), "12.34", "EUR", "378282246310005")
	wantOutcome(t, "sale", res, app.OutcomeApproved)
	if res.Brand != app.BrandAmex || res.Last4 != "0005" {
		t.Errorf("result %+v", res)
	}
}

func TestTestConnection(t *testing.T) {
	srv := payflowtest.NewServer(t)
	ctx := context.Background()
	res := clientFor(t, srv, 0).TestConnection(ctx)
	wantOutcome(t, "good credentials", res, app.OutcomeApproved)
	if res.Code != "RESULT=19" {
		t.Errorf("code %q", res.Code)
	}
	bad, _ := New(Config{Endpoint: srv.URL, User: payflowtest.User, Vendor: payflowtest.Vendor, Partner: payflowtest.Partner, Password: "wrong"})
	res = bad.TestConnection(ctx)
	wantOutcome(t, "bad credentials", res, app.OutcomeMerchantConfig)
	if res.Code != "RESULT=1" {
		t.Errorf("code %q", res.Code)
	}
	wantOutcome(t, "bad credentials sale", sale(t, bad, newKey(), "10", "USD", visa), app.OutcomeMerchantConfig)
	down, _ := New(Config{Endpoint: closedEndpoint(t), User: "u", Vendor: "v", Partner: "p", Password: "w"})
	wantOutcome(t, "unreachable", down.TestConnection(ctx), app.OutcomeNotProcessed)
	if len(srv.Ledger()) != 0 {
		t.Error("a connection test must not charge")
	}
}

func TestNewConfig(t *testing.T) {
	ok := Config{User: "u", Vendor: "v", Partner: "PayPal", Password: "p"}
	for _, tc := range []struct {
		endpoint string
		mod      func(*Config)
		good     bool
	}{
		{PilotEndpoint, nil, true},
		{LiveEndpoint + "/transaction", nil, true},
		{"http://127.0.0.1:8080/payflow", nil, true},
		{"http://[::1]:8080", nil, true},
		{"http://payflowpro.paypal.com", nil, false},
		{"ftp://x", nil, false},
		{"", nil, false},
		{PilotEndpoint, func(c *Config) { c.Password = "" }, false},
		{PilotEndpoint, func(c *Config) { c.User = "ü" }, false},
	} {
		cfg := ok
		cfg.Endpoint = tc.endpoint
		if tc.mod != nil {
			tc.mod(&cfg)
		}
		_, err := New(cfg)
		if (err == nil) != tc.good {
			t.Errorf("%q: err %v", tc.endpoint, err)
		}
		if err != nil && app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%q: code %q", tc.endpoint, app.ErrorCode(err))
		}
	}
	if EndpointFor(true) != PilotEndpoint || EndpointFor(false) != LiveEndpoint {
		t.Error("EndpointFor")
	}
	c, _ := New(Config{Endpoint: PilotEndpoint, User: "u", Vendor: "v", Partner: "p", Password: "w", Timeout: 300 * time.Millisecond})
	if c.timeoutSeconds != 1 || c.httpTimeout <= 300*time.Millisecond {
		t.Errorf("timeout %d s / %s", c.timeoutSeconds, c.httpTimeout)
	}
	c, _ = New(Config{Endpoint: PilotEndpoint, User: "u", Vendor: "v", Partner: "p", Password: "w"})
	if c.timeoutSeconds != 45 || c.httpTimeout <= 45*time.Second || c.httpTimeout > 50*time.Second {
		t.Errorf("default timeout %d s / %s", c.timeoutSeconds, c.httpTimeout)
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct{ n, code, want string }{
		{"10", "USD", "10.00"},
		{"10.5", "GBP", "10.50"},
		{"0.01", "EUR", "0.01"},
		{"1000", "JPY", "1000"},
		{"1.5", "BHD", "1.500"},
		{"1234567.89", "USD", "1234567.89"},
		{"10.000", "USD", "10.00"},
	} {
		got, err := formatAmount(money(t, tc.n, tc.code))
		if err != nil || got != tc.want {
			t.Errorf("%s %s: %q %v, want %q", tc.n, tc.code, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ n, code string }{{"10.005", "USD"}, {"1000.5", "JPY"}, {"0", "USD"}, {"-5", "USD"}} {
		if got, err := formatAmount(money(t, tc.n, tc.code)); err == nil {
			t.Errorf("%s %s: %q, want an error", tc.n, tc.code, got)
		}
	}
}

func TestBrandOf(t *testing.T) {
	for number, want := range payflowtest.TestCards {
		if got := brandOf([]byte(number)); got != want {
			t.Errorf("%s…: %q, want %q", number[:6], got, want)
		}
		if !app.Luhn([]byte(number)) {
			t.Errorf("%s… fails Luhn", number[:6])
		}
	}
	if brandOf([]byte("6759649826438453")) != app.BrandMaestro {
		t.Error("maestro")
	}
}

// An attempt's copy of the body is zeroed by whoever is last to hold it:
// the transport once it has written the request, or the attempt when no
// connection was made; never while the transport may still read it.
func TestWireBodyWipedByItsLastHolder(t *testing.T) {
	zero := func(w *wireBody) bool { return bytes.Equal(w.buf, make([]byte, len(w.buf))) }
	src := []byte("ACCT[16]=4111111111111111")

	w := newWireBody(src)
	w.done()
	if !zero(w) {
		t.Error("no connection: the attempt must wipe its copy")
	}
	w = newWireBody(src)
	w.connect()
	w.done()
	if zero(w) {
		t.Error("connected: the copy was wiped while the transport may still read it")
	}
	w.written()
	if !zero(w) {
		t.Error("written: the copy must be wiped")
	}
	if string(src) != "ACCT[16]=4111111111111111" || &w.buf[0] == &src[0] {
		t.Error("the attempt must work on a copy")
	}
}

// A server that answers before reading the body and hangs up: the call
// ends, the transport's late reads and the wipes do not race (run with
// -race), and the body is zeroed.
func TestEarlyAnswerBeforeBodyIsRead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		_, _ = w.Write([]byte("RESULT=0&PNREF=A1B2C3D4E5F6&RESPMSG=Approved"))
	}))
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL, User: "u", Vendor: "v", Partner: "PayPal", Password: "pw", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	wiped := make(chan []byte, 1)
	c.afterWipe = func(b []byte) { wiped <- b }
	long := strings.Repeat("Go workshop ", 20)
	for range 20 {
		res := c.Sale(context.Background(), app.SaleRequest{
			Key: newKey(), Amount: money(t, "10.00", "USD"),
			Description: long, Card: testCard(visa),
		})
		wantOutcome(t, "early answer", res, app.OutcomeApproved)
		if b := <-wiped; !bytes.Equal(b, make([]byte, len(b))) {
			t.Fatal("body buffer not zeroed")
		}
	}
}
