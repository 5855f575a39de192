package payflow

import (
	"bytes"
	"sort"
	"strconv"
	"testing"
)

func TestParseReply(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
	}{
		{"RESULT=0&PNREF=EFHP0D426A53&RESPMSG=APPROVED", map[string]string{"RESULT": "0", "PNREF": "EFHP0D426A53", "RESPMSG": "APPROVED"}},
		{"RESULT=0&RESPMSG=Approved&TOKEN[20]=EC-97J718043X120051H", map[string]string{"RESULT": "0", "RESPMSG": "Approved", "TOKEN": "EC-97J718043X120051H"}},
		{"RESULT=12&RESPMSG[21]=Declined: A=1 & B=2 x&PNREF=P", map[string]string{"RESULT": "12", "RESPMSG": "Declined: A=1 & B=2 x", "PNREF": "P"}},
		{"RESULT=0&RESPMSG=a=b", map[string]string{"RESULT": "0", "RESPMSG": "a=b"}},
		{"RESULT=0&", map[string]string{"RESULT": "0"}},
		{"RESULT=0\r\n", map[string]string{"RESULT": "0"}},
		{"RESULT[1]=0\n", map[string]string{"RESULT": "0"}},
		{"RESULT=0&EMPTY=&E2[0]=", map[string]string{"RESULT": "0", "EMPTY": "", "E2": ""}},
	} {
		got, err := ParseReply([]byte(tc.in))
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%q: %s=%q, want %q", tc.in, k, got[k], v)
			}
		}
	}
	for _, bad := range []string{
		"", "&", "RESULT", "RESULT&X=1", "=0", "RESULT=0&&X=1", "RESULT=0&RESULT=1",
		"X[5]=abc", "X[3]=abcd&Y=1", "X[]=a", "X[3=abc", "X[-1]=", "X[9999999]=a",
		"<html>", "RESULT=0&ba d=1", "X[2]x=ab",
	} {
		if m, err := ParseReply([]byte(bad)); err == nil {
			t.Errorf("%q parsed as %v, want an error", bad, m)
		}
	}
}

// encodeTagged writes m with every field length-tagged, in name order.
func encodeTagged(m map[string]string) []byte {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for i, k := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "[" + strconv.Itoa(len(m[k])) + "]=" + m[k])
	}
	return b.Bytes()
}

// FuzzParseReply: the parser never panics, and whatever it accepts survives
// a round trip through length-tagged encoding unchanged.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{
		"RESULT=0&PNREF=EFHP0D426A53&RESPMSG=APPROVED&AUTHCODE=25TEST&AVSADDR=Y&AVSZIP=N&CVV2MATCH=Y",
		"RESULT=0&RESPMSG=Approved&TOKEN[20]=EC-97J718043X120051H&TIMESTAMP[20]=2012-10-11T15:19:37Z",
		"RESULT=126&PNREF=A&RESPMSG[26]=Under review & A=B by FPS&DUPLICATE=1",
		"RESULT=-1&RESPMSG=Failed to connect to host",
		"RESULT[2]=12&",
		"X[3]=ab",
		"<html><body>503</body></html>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseReply(data)
		if err != nil {
			return
		}
		again, err := ParseReply(encodeTagged(m))
		if err != nil {
			t.Fatalf("re-encoded reply does not parse: %v", err)
		}
		if len(again) != len(m) {
			t.Fatalf("round trip changed the field count: %v vs %v", m, again)
		}
		for k, v := range m {
			if again[k] != v {
				t.Fatalf("round trip changed %s: %q vs %q", k, v, again[k])
			}
		}
		// Whatever parses maps to a Result without panicking, and never with
		// raw control characters in its message.
		res := mapReply(m)
		for _, c := range []byte(res.Message) {
			if c < 0x20 {
				t.Fatalf("control character in message %q", res.Message)
			}
		}
	})
}

func TestParseReplyErrorsRedact(t *testing.T) {
	for _, in := range []string{"4111111111111111", "RESULT=0&4111111111111111", "4111111111111111[9]=x", "X=1&4111111111111111=1&4111111111111111=2"} {
		_, err := ParseReply([]byte(in))
		if err == nil || bytes.Contains([]byte(err.Error()), []byte("4111111111111111")) {
			t.Errorf("%q: error %v", in, err)
		}
	}
}
