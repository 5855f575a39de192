package payflowtest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app/gateway/internal/tbrecord"
)

// recorder collects the server's Errorf calls instead of failing, so that
// its strictness itself can be tested.
type recorder = tbrecord.Recorder

const credsBody = "USER[8]=trainpay&VENDOR[8]=trainpay&PARTNER[6]=PayPal&PWD[11]=pilot-Pass1"

func good(trx string) string {
	return "TRXTYPE[1]=" + trx + "&TENDER[1]=C&" + credsBody
}

const goodSale = "TRXTYPE[1]=S&TENDER[1]=C&" + credsBody +
	"&ACCT[16]=4111111111111111&EXPDATE[4]=1230&CVV2[3]=123&AMT[5]=10.00&CURRENCY[3]=USD&INVNUM[3]=I-1"

type rawReq struct {
	body    string
	ctype   string
	id      string
	timeout string
	noClose bool
	chunked bool
}

func send(t *testing.T, url string, r rawReq) string {
	t.Helper()
	var body io.Reader = strings.NewReader(r.body)
	if r.chunked {
		body = io.MultiReader(strings.NewReader(r.body)) // unknown length: chunked
	}
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.ctype == "" {
		r.ctype = "text/namevalue"
	}
	if r.timeout == "" {
		r.timeout = "45"
	}
	req.Header.Set("Content-Type", r.ctype)
	if r.id != "-" {
		req.Header.Set("X-VPS-REQUEST-ID", r.id)
	}
	req.Header.Set("X-VPS-CLIENT-TIMEOUT", r.timeout)
	req.Close = !r.noClose
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestStrictness(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  rawReq
		want string // in the errors; "" means no error
	}{
		{"conforming sale", rawReq{body: goodSale, id: "a1"}, ""},
		{"conforming inquiry", rawReq{body: good("I") + "&ORIGID[12]=PFT000000009", id: "a2"}, ""},
		{"conforming inquiry by customer reference", rawReq{body: good("I") + "&CUSTREF[12]=AB12CD34EF56", id: "a3"}, ""},
		{"card-less sale", rawReq{body: good("S") + "&AMT[5]=10.00&CURRENCY[3]=USD", id: "a4"}, "no ACCT"},
		{"inquiry with card data", rawReq{body: good("I") + "&CUSTREF[3]=AB1&ACCT[16]=4111111111111111", id: "a5"}, "carries ACCT"},
		{"inquiry naming nothing", rawReq{body: good("I"), id: "a6"}, "neither ORIGID nor CUSTREF"},
		{"overlong customer reference", rawReq{body: strings.Replace(goodSale, "INVNUM[3]=I-1", "CUSTREF[13]=ABCDEFGHIJKLM", 1), id: "a7"}, "CUSTREF"},
		{"content type", rawReq{body: goodSale, id: "b1", ctype: "application/x-www-form-urlencoded"}, "Content-Type"},
		{"no request id", rawReq{body: goodSale, id: "-"}, "X-VPS-REQUEST-ID"},
		{"overlong request id", rawReq{body: goodSale, id: strings.Repeat("a", 33)}, "X-VPS-REQUEST-ID"},
		{"no timeout", rawReq{body: goodSale, id: "b2", timeout: "soon"}, "X-VPS-CLIENT-TIMEOUT"},
		{"keep-alive", rawReq{body: goodSale, id: "b3", noClose: true}, "Connection: close"},
		{"chunked", rawReq{body: goodSale, id: "b4", chunked: true}, "Content-Length"},
		{"url-encoded", rawReq{body: "TRXTYPE=S&TENDER=C&COMMENT1=a%20b", id: "b5"}, "no length tag"},
		{"url-encoded tags", rawReq{body: "TRXTYPE%5B1%5D=S", id: "b5b"}, "URL-encoded"},
		{"untagged field", rawReq{body: good("S") + "&AMT=10.00", id: "b6"}, "no length tag"},
		{"short tag", rawReq{body: good("S") + "&COMMENT1[2]=abc", id: "b7"}, "wrong length"},
		{"long tag", rawReq{body: good("S") + "&COMMENT1[9]=abc", id: "b8"}, "shorter than its length tag"},
		{"non-ascii", rawReq{body: good("S") + "&COMMENT1[2]=\xc3\xa9", id: "b9"}, "non-ASCII"},
		{"bad expdate", rawReq{body: strings.Replace(goodSale, "EXPDATE[4]=1230", "EXPDATE[4]=1330", 1), id: "c1"}, "EXPDATE"},
		{"usd digits", rawReq{body: strings.Replace(goodSale, "AMT[5]=10.00", "AMT[4]=10.0", 1), id: "c2"}, "decimals"},
		{"jpy digits", rawReq{body: strings.Replace(strings.Replace(goodSale, "AMT[5]=10.00", "AMT[7]=1000.00", 1), "USD", "JPY", 1), id: "c3"}, "decimals"},
		{"unknown trxtype", rawReq{body: good("Q"), id: "c4"}, "TRXTYPE"},
		{"refund without origid", rawReq{body: good("C") + "&AMT[5]=10.00", id: "c5"}, "ORIGID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			s := NewServer(rec)
			send(t, s.URL, tc.req)
			s.Close()
			got := strings.Join(rec.Take(), "\n")
			if tc.want == "" && got != "" {
				t.Errorf("unexpected errors:\n%s", got)
			}
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("errors %q do not mention %q", got, tc.want)
			}
			if strings.Contains(got, "4111111111111111") {
				t.Errorf("card number in the server's errors")
			}
			for _, r := range s.Requests() {
				if strings.Contains(r.Body, "4111111111111111") || strings.Contains(r.Body, "CVV2[3]=123") {
					t.Errorf("unmasked card data recorded: %s", r.Body)
				}
			}
		})
	}
}

// TestRequestIDReusedWithOtherData: Payflow answers a request ID with its
// original reply only for a resend of the same request; a request that
// reuses the ID with other data (such as a card-less "lookup" replay of a
// sale) is a deviation, refused with RESULT 133 and not stored.
func TestRequestIDReusedWithOtherData(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	r1 := send(t, s.URL, rawReq{body: goodSale, id: "k1"})
	cardless := good("S") + "&AMT[5]=10.00&CURRENCY[3]=USD&INVNUM[3]=I-1"
	if r2 := send(t, s.URL, rawReq{body: cardless, id: "k1"}); !strings.HasPrefix(r2, "RESULT=133&") {
		t.Errorf("card-less replay %q, want RESULT=133", r2)
	}
	if errs := strings.Join(rec.Take(), "\n"); !strings.Contains(errs, "reused with different data") {
		t.Errorf("errors %q do not report the reuse", errs)
	}
	if r3 := send(t, s.URL, rawReq{body: goodSale, id: "k1"}); r3 != r1+"&DUPLICATE=1" {
		t.Errorf("identical resend after the mismatch %q, want %q", r3, r1+"&DUPLICATE=1")
	}
	if n := len(s.Ledger()); n != 1 {
		t.Errorf("%d charges, want 1", n)
	}
}

// TestInquiryByCustomerReference: an inquiry by CUSTREF answers the latest
// sale that carried it, with its result and PNREF, or RESULT 20.
func TestInquiryByCustomerReference(t *testing.T) {
	s := NewServer(t)
	sale := strings.Replace(goodSale, "INVNUM[3]=I-1", "CUSTREF[6]=REF001", 1)
	r1 := send(t, s.URL, rawReq{body: sale, id: "s1"})
	declined := strings.Replace(strings.Replace(sale, "REF001", "REF002", 1), "AMT[5]=10.00", "AMT[7]=1012.00", 1)
	send(t, s.URL, rawReq{body: declined, id: "s2"})
	led := s.Ledger()
	if len(led) != 1 || !strings.Contains(r1, "PNREF="+led[0].PNREF) {
		t.Fatalf("ledger %+v after %q", led, r1)
	}
	for ref, want := range map[string]string{
		"REF001": "&ORIGRESULT=0&ORIGPNREF=" + led[0].PNREF,
		"REF002": "&ORIGRESULT=12&ORIGPNREF=",
		"REF003": "RESULT=20&",
	} {
		got := send(t, s.URL, rawReq{body: good("I") + "&CUSTREF[6]=" + ref, id: "i-" + ref})
		if !strings.Contains(got, want) {
			t.Errorf("inquiry for %s: %q, want it to contain %q", ref, got, want)
		}
	}
	if n := len(s.Ledger()); n != 1 {
		t.Errorf("inquiries changed the ledger: %+v", s.Ledger())
	}
}

func TestReplayAndRules(t *testing.T) {
	s := NewServer(t)
	r1 := send(t, s.URL, rawReq{body: goodSale, id: "k1"})
	if !strings.HasPrefix(r1, "RESULT=0&PNREF=") || strings.Contains(r1, "DUPLICATE") {
		t.Fatalf("first reply %q", r1)
	}
	// A resend of the identical request gets the original reply.
	if r2 := send(t, s.URL, rawReq{body: goodSale, id: "k1"}); r2 != r1+"&DUPLICATE=1" {
		t.Errorf("replay %q, want %q", r2, r1+"&DUPLICATE=1")
	}
	if n := len(s.Ledger()); n != 1 {
		t.Errorf("%d charges, want 1", n)
	}
	for amt, want := range map[string]string{
		"AMT[7]=1000.00": "RESULT=0&", "AMT[7]=1000.01": "RESULT=0&", "AMT[7]=1012.00": "RESULT=12&",
		"AMT[7]=1013.00": "RESULT=13&", "AMT[7]=1126.00": "RESULT=126&", "AMT[7]=2001.00": "RESULT=12&",
		"AMT[7]=5000.00": "RESULT=12&", "AMT[7]=1104.00": "RESULT=104&",
	} {
		body := strings.Replace(goodSale, "AMT[5]=10.00", amt, 1)
		if got := send(t, s.URL, rawReq{body: body, id: "amt" + amt[7:]}); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %s…", amt, got, want)
		}
	}
	notTest := strings.Replace(goodSale, "4111111111111111", "4000000000000002", 1)
	if got := send(t, s.URL, rawReq{body: notTest, id: "nt"}); !strings.HasPrefix(got, "RESULT=23&") {
		t.Errorf("non-test card: %q", got)
	}
	expired := strings.Replace(goodSale, "EXPDATE[4]=1230", "EXPDATE[4]=0120", 1)
	if got := send(t, s.URL, rawReq{body: expired, id: "ex"}); !strings.HasPrefix(got, "RESULT=24&") {
		t.Errorf("expired: %q", got)
	}
	badPwd := strings.Replace(goodSale, "PWD[11]=pilot-Pass1", "PWD[5]=wrong", 1)
	if got := send(t, s.URL, rawReq{body: badPwd, id: "bp"}); !strings.HasPrefix(got, "RESULT=1&") {
		t.Errorf("bad password: %q", got)
	}
	if s.Seen("bp") {
		t.Error("an authentication failure must not use the request ID")
	}
	// 1000.00 and 1000.01 approved; 1126 held.
	if n := len(s.Ledger()); n != 4 {
		t.Errorf("%d charges, want 4: %+v", n, s.Ledger())
	}
	if r, _ := s.Requests()[0].Field("ACCT"); r != "************1111" {
		t.Errorf("masked ACCT %q", r)
	}
}
