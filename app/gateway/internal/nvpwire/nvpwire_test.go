package nvpwire

import "testing"

func TestEncodeWritesPayPalsHeadFieldsFirstThenTheRestByName(t *testing.T) {
	got := Encode(map[string]string{
		"L_ERRORCODE0": "10527", "ACK": "Failure", "BUILD": "0", "AMT": "10.00", "VERSION": "124",
		"CORRELATIONID": "abc", "TIMESTAMP": "2026-12-06T05:00:00Z", "L_SHORTMESSAGE0": "Invalid Data & more",
	})
	want := "TIMESTAMP=2026-12-06T05%3A00%3A00Z&CORRELATIONID=abc&ACK=Failure&VERSION=124&BUILD=0" +
		"&AMT=10.00&L_ERRORCODE0=10527&L_SHORTMESSAGE0=Invalid+Data+%26+more"
	if got != want {
		t.Errorf("Encode = %q\nwant     %q", got, want)
	}
	if got := Encode(map[string]string{"B": "2", "A": "1"}); got != "A=1&B=2" {
		t.Errorf("without head fields: %q", got)
	}
}
