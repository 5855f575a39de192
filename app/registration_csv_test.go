package app

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app/money"
)

// The export spells amounts itself; money.FromMinor(...).Number() is the
// reference it must match.
func TestExportAmountsSpelledAsMoneySpellsThem(t *testing.T) {
	minors := []int64{0, 1, 5, 9, 10, 99, 100, 101, 1250, -1, -5, -99, -100, -1250, 123456789, math.MaxInt64, math.MinInt64 + 1}
	for i := int64(0); i < 2000; i += 7 {
		minors = append(minors, i, -i, i*1_000_003)
	}
	for _, code := range []string{"USD", "PLN", "JPY", "BHD", "CLF"} {
		d := int(money.Digits(code))
		for _, m := range minors {
			a, err := money.FromMinor(m, code)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(appendMinor(nil, m, d)); got != a.Number() {
				t.Errorf("%d %s: %q, money spells %q", m, code, got, a.Number())
			}
		}
	}
	if got := string(appendMinor([]byte("x"), -1250, 0)); got != "x-1250" {
		t.Errorf("no currency: %q", got)
	}
}

func TestExportTimesToTheSecondInUTC(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "",
		"2026-03-01T09:30:00.123456789Z": "2026-03-01T09:30:00Z",
		"2026-03-01T09:30:00Z":           "2026-03-01T09:30:00Z",
		"2026-03-01T09:30:00.5Z":         "2026-03-01T09:30:00Z",
		"2026-03-01T10:30:00.9+01:00":    "2026-03-01T09:30:00Z",
		"not a time":                     "",
	} {
		if got := string(appendRFC3339Seconds(nil, []byte(in))); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// The registrations export is what it was before it streamed: the same
// cells as formatting each field with money and time, now with RFC 4180's
// CRLF line ends.
func TestWriteRegistrationsCSVCellsAndCRLFLineEnds(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 123, time.FixedZone("", 3600))
	regs := []Registration{
		{
			Confirmation: "TP-1", SessionID: 42, Attendee: Attendee{
				FirstName: "Łukasz", LastName: "Nowak",
				Email: "l@example.com", Company: "A, B", Country: "PL",
			}, Status: RegPaid, Currency: "PLN", FeeMinor: 12_50,
			DiscountMinor: 50, TotalMinor: 12_00, PromoCode: "X", PaidMinor: 12_00, Method: MethodCreditCard, Brand: "visa",
			Last4: "1111", GatewayRef: "G1", Mode: ModeTest, CreatedAt: at, PaidAt: at.Add(time.Minute),
		},
		{
			Confirmation: "TP-2", SessionID: 7, Attendee: Attendee{FirstName: "=cmd", LastName: "B", Email: "b@example.com"},
			Status: RegRegistered, CreatedAt: at,
		},
	}
	var b bytes.Buffer
	if err := WriteRegistrationsCSV(&b, regs); err != nil {
		t.Fatal(err)
	}
	want := "confirmation,session_id,first_name,last_name,email,company,country,status,currency,fee,discount,promo_code," +
		"total,paid,refunded,method,brand,last4,gateway_reference,mode,registered_at,paid_at,cancelled_at\r\n" +
		`TP-1,42,Łukasz,Nowak,l@example.com,"A, B",PL,paid,PLN,12.50,0.50,X,12.00,12.00,0.00,credit-card,visa,1111,G1,test,` +
		"2026-03-01T08:30:00Z,2026-03-01T08:31:00Z,\r\n" +
		"TP-2,7,'=cmd,B,b@example.com,,,registered,,0,0,,0,0,0,,,,,,2026-03-01T08:30:00Z,,\r\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// WriteCell's shortcut for plain cells writes what WriteCellString writes.
func FuzzWriteCellMatchesWriteCellString(f *testing.F) {
	for _, s := range append(formulaPayloads, "", "plain", " lead", "trail ", "a,b", "a;b", `q"q`, "Łódź", "-12.50",
		"+3", "x\x00y", "\u202e", "a\r\nb", "~", "\x7f") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast, slow bytes.Buffer
		fw, sw := NewCSVWriter(&fast), NewCSVWriter(&slow)
		fw.WriteCell([]byte(s))
		fw.WriteCell([]byte(s))
		sw.WriteCellString(s)
		sw.WriteCellString(s)
		if err := errors.Join(fw.EndRow(), sw.EndRow(), fw.Flush(), sw.Flush()); err != nil {
			t.Fatal(err)
		}
		if fast.String() != slow.String() {
			t.Fatalf("%q: WriteCell %q, WriteCellString %q", s, fast.String(), slow.String())
		}
		if csvPlainCell([]byte(s)) && CSVCell(s) != s {
			t.Fatalf("%q taken as plain, CSVCell makes it %q", s, CSVCell(s))
		}
	})
}

func BenchmarkRegistrationCSVRow(b *testing.B) {
	row := RegistrationExportRow{
		Confirmation: []byte("TP-27ZFHW25"), SessionID: 4, FirstName: []byte("Marcin"),
		LastName: []byte("Martinez"), Email: []byte("marcin.martinez.2@example.net"), Company: []byte("Wayne Enterprises"),
		Country: []byte("DE"), Status: []byte("refunded"), Currency: []byte("USD"), FeeMinor: 9900, DiscountMinor: 1000,
		PromoCode: []byte("SUMMER-SW2JBRTT"), TotalMinor: 8900, PaidMinor: 8900, RefundedMinor: 8900,
		Method: []byte("debit-card"), Brand: []byte("visa"), Last4: []byte("1111"), GatewayRef: []byte("D1DF73A0920F"),
		Mode: []byte("test"), RegisteredAt: []byte("2025-02-18T04:30:00.000000000Z"),
		PaidAt: []byte("2025-02-18T04:38:28.000000000Z"), CancelledAt: []byte("2025-03-03T02:38:28.000000000Z"),
	}
	var sink bytes.Buffer
	x := newRegistrationCSV(&sink)
	b.ReportAllocs()
	for b.Loop() {
		if err := x.row(&row); err != nil {
			b.Fatal(err)
		}
		if sink.Len() > 1<<20 {
			sink.Reset()
		}
	}
}
