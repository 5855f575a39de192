package nvp

import (
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
)

func TestParseReplySeveralErrors(t *testing.T) {
	body := "TIMESTAMP=2024%2d05%2d01T10%3a00%3a00Z&CORRELATIONID=8a1f2c3d4e5f6&ACK=Failure&VERSION=124&BUILD=55555" +
		"&L_ERRORCODE0=10527&L_SHORTMESSAGE0=Invalid%20Data&L_LONGMESSAGE0=This%20transaction%20cannot%20be%20processed%2e%20Please%20enter%20a%20valid%20credit%20card%20number%20and%20type%2e&L_SEVERITYCODE0=Error" +
		"&L_ERRORCODE1=10748&L_SHORTMESSAGE1=Invalid+Data&L_LONGMESSAGE1=This+transaction+cannot+be+processed+without+a+Credit+Card+Verification+number.&L_SEVERITYCODE1=Error" +
		"&L_ERRORCODE2=10571&L_SHORTMESSAGE2=Invalid%20Data&L_LONGMESSAGE2=CSC%20format&L_SEVERITYCODE2=Warning" +
		"&L_ERRORCODE4=99999\r\n" // n=3 missing: the list stops at 2
	r, err := ParseReply([]byte(body))
	if err != nil {
		t.Fatalf("ParseReply: %v", err)
	}
	if r.Ack != "Failure" || !r.Failure() || r.Success() || r.CorrelationID != "8a1f2c3d4e5f6" || r.Get("TIMESTAMP") != "2024-05-01T10:00:00Z" {
		t.Errorf("reply %+v", r)
	}
	want := []ReplyError{
		{"10527", "Invalid Data", "This transaction cannot be processed. Please enter a valid credit card number and type.", "Error"},
		{"10748", "Invalid Data", "This transaction cannot be processed without a Credit Card Verification number.", "Error"},
		{"10571", "Invalid Data", "CSC format", "Warning"},
	}
	if !reflect.DeepEqual(r.Errors, want) {
		t.Errorf("errors\n got %+v\nwant %+v", r.Errors, want)
	}
	if !r.HasCode("10748") || r.HasCode("99999") {
		t.Error("HasCode")
	}
	// The decisive error: both are card errors of equal rank, the first
	// wins; the warning does not count.
	i, ci := decisive(r.Errors)
	if i != 0 || ci.field != "number" {
		t.Errorf("decisive = %d %+v", i, ci)
	}
	res := failureResult(app.Result{}, r)
	if res.Outcome != app.OutcomeInvalidCard || res.Field != "number" || res.Code != "L_ERRORCODE0=10527" ||
		!strings.Contains(res.Message, "CORRELATIONID 8a1f2c3d4e5f6") || !strings.Contains(res.Message, "10748") {
		t.Errorf("result %+v", res)
	}
}

func TestParseReplyAcks(t *testing.T) {
	for _, tc := range []struct {
		ack              string
		success, failure bool
	}{
		{"Success", true, false},
		{"SuccessWithWarning", true, false},
		{"SUCCESS", true, false},
		{"Failure", false, true},
		{"FailureWithWarning", false, true},
		{"PartialSuccess", false, false},
		{"Warning", false, false},
	} {
		r, err := ParseReply([]byte("ACK=" + tc.ack))
		if err != nil || r.Success() != tc.success || r.Failure() != tc.failure {
			t.Errorf("%s: success %v failure %v err %v", tc.ack, r.Success(), r.Failure(), err)
		}
	}
}

func TestParseReplyRejects(t *testing.T) {
	for name, body := range map[string]string{
		"empty":          "",
		"html":           "<html><body><h1>503 Service Unavailable</h1></body></html>",
		"no ack":         "CORRELATIONID=abc&TRANSACTIONID=1",
		"empty ack":      "ACK=&TRANSACTIONID=1",
		"truncated":      "TIMESTAMP=2024%2d01%2d01T00%3a00%3a00Z&CORRELATIONID=abc&AC",
		"bad escape":     "ACK=Succ%ZZess",
		"duplicate":      "ACK=Failure&ACK=Success",
		"bad name":       "ACK=Success&TRANSACTION ID=1",
		"json":           `{"ACK":"Success"}`,
		"only newline":   "\r\n",
		"name with dash": "ACK=Success&X-Y=1",
	} {
		if _, err := ParseReply([]byte(body)); err == nil {
			t.Errorf("%s: parsed", name)
		} else if strings.Contains(err.Error(), "Succ") || strings.Contains(err.Error(), "html") {
			t.Errorf("%s: error quotes the body: %v", name, err)
		}
	}
	if _, err := ParseReply([]byte("ACK=Success&" + strings.Repeat("A", maxReplyBytes))); err == nil {
		t.Error("huge reply parsed")
	}
}

// encodeReply is the inverse of ParseReply for the fuzz property.
func encodeReply(fields map[string]string) []byte {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(fields)) {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(fields[k]))
	}
	return []byte(b.String())
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{
		"TIMESTAMP=2024%2d05%2d01T10%3a00%3a00Z&CORRELATIONID=8a1f2c3d4e5f6&ACK=Success&VERSION=124&BUILD=1&AMT=10%2e00&CURRENCYCODE=GBP&AVSCODE=X&CVV2MATCH=M&TRANSACTIONID=5UX12345AB678901C",
		"ACK=Failure&CORRELATIONID=x&L_ERRORCODE0=10001&L_SHORTMESSAGE0=Internal%20Error&L_LONGMESSAGE0=Timeout%20processing%20request&L_SEVERITYCODE0=Error&L_ERRORCODE1=10752&L_SEVERITYCODE1=Error",
		"ACK=SuccessWithWarning&L_ERRORCODE0=11607&L_SHORTMESSAGE0=Duplicate%20Request&L_SEVERITYCODE0=Warning&REFUNDTRANSACTIONID=RF1",
		"ACK=Failure&L_ERRORCODE0=10412&L_LONGMESSAGE0=Payment%20has%20already%20been%20made%20for%20this%20InvoiceID.",
		"ACK=Success&L_TRANSACTIONID0=A&L_STATUS0=Completed&L_AMT0=10.00&L_TYPE0=Payment&L_TRANSACTIONID1=B&L_AMT1=-10.00&L_TYPE1=Refund",
		"ACK=Failure&L_ERRORCODE0=10527&L_LONGMESSAGE0=card%204111%201111%201111%201111%20refused",
		"<html><body>502 Bad Gateway</body></html>",
		"ACK=Succ%ZZ",
		"ACK=Success&&&ACK=Failure",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseReply(data)
		if err != nil {
			return
		}
		if r.Ack == "" || r.Fields["ACK"] != r.Ack || r.Fields["CORRELATIONID"] != r.CorrelationID {
			t.Fatalf("inconsistent reply %+v", r)
		}
		for i, e := range r.Errors {
			if r.Fields["L_ERRORCODE"+strconv.Itoa(i)] != e.Code {
				t.Fatalf("error %d does not match its field", i)
			}
		}
		if _, ok := r.Fields["L_ERRORCODE"+strconv.Itoa(len(r.Errors))]; ok {
			t.Fatalf("error list stopped early")
		}
		// Round trip: what we parsed re-encodes to the same fields.
		again, err := ParseReply(encodeReply(r.Fields))
		if err != nil || !reflect.DeepEqual(again.Fields, r.Fields) {
			t.Fatalf("round trip: %v\n got %q\nwant %q", err, again.Fields, r.Fields)
		}
		// Whatever PayPal sends, no card-number-like digit run reaches a
		// Result.Message.
		for _, res := range []app.Result{
			failureResult(app.Result{}, r),
			idempotentReply(app.Result{}, r, "REFUNDTRANSACTIONID", "ok"),
		} {
			if longDigits.MatchString(res.Message) || longDigits.MatchString(res.Code) {
				t.Fatalf("digit run in result %+v", res)
			}
		}
	})
}
