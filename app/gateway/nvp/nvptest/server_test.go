package nvptest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app/gateway/internal/tbrecord"
)

// recorder collects the server's Errorf calls instead of failing, so that
// its strictness itself can be tested.
type recorder = tbrecord.Recorder

var year = time.Now().Year() + 2

func goodSale() url.Values {
	return url.Values{
		"METHOD": {"DoDirectPayment"}, "VERSION": {"124"}, "USER": {User}, "PWD": {Password}, "SIGNATURE": {Signature},
		"PAYMENTACTION": {"Sale"}, "IPADDRESS": {"127.0.0.1"}, "AMT": {"10.00"}, "CURRENCYCODE": {"GBP"},
		"CREDITCARDTYPE": {"Visa"}, "ACCT": {"4111111111111111"}, "EXPDATE": {fmt.Sprintf("05%d", year)}, "CVV2": {"123"},
		"FIRSTNAME": {"Ada"}, "LASTNAME": {"Lovelace"}, "STREET": {"1 Road"}, "CITY": {"London"}, "ZIP": {"N1 1AA"},
		"COUNTRYCODE": {"GB"}, "INVNUM": {"inv-1"},
	}
}

func post(t *testing.T, s *Server, ct string, v url.Values) url.Values {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", ct)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out, err := url.ParseQuery(string(b))
	if err != nil {
		t.Fatalf("reply %q: %v", b, err)
	}
	return out
}

func TestStrictness(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name string
		ct   string
		mod  func(url.Values)
		want string // substring of the deviation
	}{
		{"no USER", form, func(v url.Values) { v.Del("USER") }, "USER is missing"},
		{"no PWD", form, func(v url.Values) { v.Del("PWD") }, "PWD is missing"},
		{"no SIGNATURE", form, func(v url.Values) { v.Del("SIGNATURE") }, "SIGNATURE is missing"},
		{"no VERSION", form, func(v url.Values) { v.Del("VERSION") }, "VERSION is missing"},
		{"old VERSION", form, func(v url.Values) { v.Set("VERSION", "56.0") }, "at least 94"},
		{"no METHOD", form, func(v url.Values) { v.Del("METHOD") }, "METHOD is missing"},
		{"json", "application/json", func(url.Values) {}, "Content-Type"},
		{"EXPDATE MMYY", form, func(v url.Values) { v.Set("EXPDATE", "0529") }, "EXPDATE"},
		{"EXPDATE YYYYMM", form, func(v url.Values) { v.Set("EXPDATE", fmt.Sprintf("%d05", year)) }, "EXPDATE"},
		{"no IPADDRESS", form, func(v url.Values) { v.Del("IPADDRESS") }, "IPADDRESS is missing"},
		{"long IPADDRESS", form, func(v url.Values) { v.Set("IPADDRESS", "2001:db8::1234:5678") }, "15"},
		{"GBP 10", form, func(v url.Values) { v.Set("AMT", "10") }, "2 decimals"},
		{"GBP 10.5", form, func(v url.Values) { v.Set("AMT", "10.5") }, "2 decimals"},
		{"JPY 1000.00", form, func(v url.Values) { v.Set("CURRENCYCODE", "JPY"); v.Set("AMT", "1000.00") }, "0 decimals"},
		{"thousands separator", form, func(v url.Values) { v.Set("AMT", "1,000.00") }, "decimals"},
		{"type vs number", form, func(v url.Values) { v.Set("CREDITCARDTYPE", "MasterCard") }, "does not match"},
		{"unknown type", form, func(v url.Values) { v.Set("CREDITCARDTYPE", "JCB") }, "CREDITCARDTYPE"},
		{"maestro bare", form, func(v url.Values) {
			v.Set("CREDITCARDTYPE", "Maestro")
			v.Set("ACCT", "6759649826438453")
		}, "Maestro without STARTDATE or ISSUENUMBER"},
		{"maestro EUR", form, func(v url.Values) {
			v.Set("CREDITCARDTYPE", "Maestro")
			v.Set("ACCT", "6759649826438453")
			v.Set("ISSUENUMBER", "1")
			v.Set("CURRENCYCODE", "EUR")
		}, "GBP only"},
		{"startdate on visa", form, func(v url.Values) { v.Set("STARTDATE", "012020") }, "STARTDATE/ISSUENUMBER"},
		{"no INVNUM", form, func(v url.Values) { v.Del("INVNUM") }, "INVNUM is missing"},
		{"amex cvv 3", form, func(v url.Values) {
			v.Set("CREDITCARDTYPE", "Amex")
			v.Set("ACCT", "378282246310005")
		}, "CVV2 is not 4 digits"},
		{"empty field", form, func(v url.Values) { v.Set("EMAIL", "") }, "sent empty"},
		{"long name", form, func(v url.Values) { v.Set("FIRSTNAME", strings.Repeat("a", 26)) }, "FIRSTNAME"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			s := NewServer(rec)
			v := goodSale()
			tc.mod(v)
			reply := post(t, s, tc.ct, v)
			errs := rec.Take()
			found := false
			for _, e := range errs {
				found = found || strings.Contains(e, tc.want)
				if strings.Contains(e, "4111111111111111") || strings.Contains(e, "6759649826438453") {
					t.Errorf("deviation quotes the card number: %s", e)
				}
			}
			if !found {
				t.Errorf("deviations %q, want one containing %q", errs, tc.want)
			}
			if reply.Get("ACK") == "Success" {
				t.Errorf("a deviating request was processed")
			}
			if len(s.Ledger()) != 0 {
				t.Errorf("ledger %+v", s.Ledger())
			}
		})
	}
}

func TestGoodSaleLedgerAndMasking(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	reply := post(t, s, "application/x-www-form-urlencoded", goodSale())
	if errs := rec.Take(); len(errs) > 0 {
		t.Fatalf("deviations %q", errs)
	}
	if reply.Get("ACK") != "Success" || reply.Get("TRANSACTIONID") == "" || reply.Get("CORRELATIONID") == "" {
		t.Fatalf("reply %v", reply)
	}
	l := s.Ledger()
	if len(l) != 1 || l[0].InvNum != "inv-1" || l[0].Amount != "10.00" || l[0].Currency != "GBP" || l[0].Last4 != "1111" ||
		l[0].TransactionID != reply.Get("TRANSACTIONID") {
		t.Errorf("ledger %+v", l)
	}
	rq, _ := s.LastRequest("DoDirectPayment")
	if rq.Fields["ACCT"] != "************1111" || rq.Fields["CVV2"] != "***" || rq.Fields["PWD"] != "***" || rq.Fields["SIGNATURE"] != "***" {
		t.Errorf("masked fields %v", rq.Fields)
	}
	// Duplicate INVNUM: 10412, not a deviation.
	reply = post(t, s, "application/x-www-form-urlencoded", goodSale())
	if reply.Get("ACK") != "Failure" || reply.Get("L_ERRORCODE0") != "10412" || len(rec.Take()) != 0 {
		t.Errorf("duplicate: %v", reply)
	}
	// Search by INVNUM.
	reply = post(t, s, "application/x-www-form-urlencoded", url.Values{
		"METHOD": {"TransactionSearch"}, "VERSION": {"124"}, "USER": {User}, "PWD": {Password}, "SIGNATURE": {Signature},
		"STARTDATE": {"2000-01-01T00:00:00Z"}, "INVNUM": {"inv-1"},
	})
	if reply.Get("L_TRANSACTIONID0") != l[0].TransactionID || reply.Get("L_STATUS0") != "Completed" || reply.Get("L_AMT0") != "10.00" {
		t.Errorf("search %v", reply)
	}
	// Bad Luhn and wrong credentials are PayPal answers, not deviations.
	v := goodSale()
	v.Set("ACCT", "4111111111111112")
	v.Set("INVNUM", "inv-2")
	if r := post(t, s, "application/x-www-form-urlencoded", v); r.Get("L_ERRORCODE0") != "10527" {
		t.Errorf("luhn: %v", r)
	}
	v = goodSale()
	v.Set("PWD", "nope")
	if r := post(t, s, "application/x-www-form-urlencoded", v); r.Get("L_ERRORCODE0") != "10002" {
		t.Errorf("credentials: %v", r)
	}
	if errs := rec.Take(); len(errs) > 0 {
		t.Errorf("deviations %q", errs)
	}
}

func TestRefundStrictness(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	sale := post(t, s, "application/x-www-form-urlencoded", goodSale()).Get("TRANSACTIONID")
	base := func() url.Values {
		return url.Values{
			"METHOD": {"RefundTransaction"}, "VERSION": {"124"}, "USER": {User}, "PWD": {Password},
			"SIGNATURE": {Signature}, "TRANSACTIONID": {sale}, "REFUNDTYPE": {"Partial"}, "AMT": {"1.00"}, "CURRENCYCODE": {"GBP"},
			"MSGSUBID": {"m1"},
		}
	}
	for name, tc := range map[string]struct {
		mod  func(url.Values)
		want string
	}{
		"no MSGSUBID":      {func(v url.Values) { v.Del("MSGSUBID") }, "without MSGSUBID"},
		"full with amount": {func(v url.Values) { v.Set("REFUNDTYPE", "Full") }, "Full with AMT"},
		"partial bare":     {func(v url.Values) { v.Del("AMT") }, "without AMT"},
		"digits":           {func(v url.Values) { v.Set("AMT", "1.5") }, "decimals"},
		"type":             {func(v url.Values) { v.Set("REFUNDTYPE", "Some") }, "REFUNDTYPE"},
	} {
		v := base()
		tc.mod(v)
		post(t, s, "application/x-www-form-urlencoded", v)
		errs := rec.Take()
		if len(errs) == 0 || !strings.Contains(strings.Join(errs, "|"), tc.want) {
			t.Errorf("%s: deviations %q, want %q", name, errs, tc.want)
		}
	}
	if len(s.Refunds(sale)) != 0 {
		t.Errorf("refunds %+v", s.Refunds(sale))
	}
	first := post(t, s, "application/x-www-form-urlencoded", base())
	again := post(t, s, "application/x-www-form-urlencoded", base())
	if first.Get("ACK") != "Success" || again.Get("ACK") != "SuccessWithWarning" || again.Get("L_ERRORCODE0") != "11607" ||
		again.Get("REFUNDTRANSACTIONID") != first.Get("REFUNDTRANSACTIONID") || len(s.Refunds(sale)) != 1 {
		t.Errorf("replay: first %v again %v", first, again)
	}
	if errs := rec.Take(); len(errs) > 0 {
		t.Errorf("deviations %q", errs)
	}
}

// TestDeliveredTwice: the request is processed twice but recorded once; a
// DoDirectPayment charges once and is answered with the duplicate-invoice
// refusal, 10412.
func TestDeliveredTwice(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	s.Inject("DoDirectPayment", DeliveredTwice)
	reply := post(t, s, "application/x-www-form-urlencoded", goodSale())
	if errs := rec.Take(); len(errs) > 0 {
		t.Fatalf("deviations %q", errs)
	}
	if reply.Get("ACK") != "Failure" || reply.Get("L_ERRORCODE0") != "10412" ||
		reply.Get("L_LONGMESSAGE0") != "Payment has already been made for this InvoiceID." {
		t.Errorf("reply %v, want the duplicate-invoice refusal", reply)
	}
	if n := len(s.Sales("inv-1")); n != 1 {
		t.Errorf("%d payments for the invoice, want 1", n)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests recorded, want 1", n)
	}
}
