package app

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// publishedCard is a test number from PayPal's documentation
// (PayPal's Payflow Pro pilot test cards and its REST sandbox test cards).
type publishedCard struct {
	source, label, number string
	brand                 Brand
}

var publishedCards = []publishedCard{
	// Payflow pilot: every number PayPal publishes.
	{"payflow", "Amex", "378282246310005", BrandAmex},
	{"payflow", "Amex", "371449635398431", BrandAmex},
	{"payflow", "Amex Corporate", "378734493671000", BrandAmex},
	{"payflow", "Diners", "30569309025904", BrandDiners},
	{"payflow", "Discover", "6011111111111117", BrandDiscover},
	{"payflow", "Discover", "6011000990139424", BrandDiscover},
	{"payflow", "JCB", "3530111333300000", BrandJCB},
	{"payflow", "JCB", "3566002020360505", BrandJCB},
	{"payflow", "Mastercard 2-series", "2221000000000009", BrandMastercard},
	{"payflow", "Mastercard 2-series", "2223000048400011", BrandMastercard},
	{"payflow", "Mastercard 2-series", "2223016768739313", BrandMastercard},
	{"payflow", "Mastercard", "5555555555554444", BrandMastercard},
	{"payflow", "Mastercard", "5105105105105100", BrandMastercard},
	{"payflow", "Visa", "4111111111111111", BrandVisa},
	{"payflow", "Visa", "4012888888881881", BrandVisa},
	{"payflow", "Visa 13 digits", "4222222222222", BrandVisa},
	// REST sandbox, including the Maestro numbers.
	{"rest", "Amex", "376680816376961", BrandAmex},
	{"rest", "Diners", "36461510000039", BrandDiners},
	{"rest", "Diners", "36461510000013", BrandDiners},
	{"rest", "Maestro 6304", "6304000000000000", BrandMaestro},
	{"rest", "Maestro 50", "5063516945005047", BrandMaestro},
	{"rest", "Visa", "4005519200000004", BrandVisa},
	{"rest", "Visa", "4012000033330026", BrandVisa},
	{"rest", "Visa", "4012000077777777", BrandVisa},
	{"rest", "Visa", "4217651111111119", BrandVisa},
	{"rest", "Visa", "4500600000000061", BrandVisa},
	{"rest", "Visa", "4772129056533503", BrandVisa},
	{"rest", "Visa", "4915805038587737", BrandVisa},
	// PayPal lists these as "JCB", but IIN 36 is Diners Club International.
	{"rest", "listed as JCB, IIN 36 = Diners", "3636500000000260", BrandDiners},
	{"rest", "listed as JCB, IIN 36 = Diners", "3636500000000989", BrandDiners},
}

// unionPayCards are valid Luhn numbers of a scheme we do not support.
var unionPayCards = []string{"6200680000000004", "6200680000000038"}

// local is a fixed zone east of UTC, so tests do not depend on the machine's
// zone or on tzdata.
var local = time.FixedZone("CET", 3600)

func date(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, local)
}

var testNow = date(2026, time.March, 15, 12, 0, 0)

func validCard(number string) *Card {
	cvv := "123"
	if DetectBrand([]byte(number)) == BrandAmex {
		cvv = "1234"
	}
	return &Card{Number: []byte(number), CVV: []byte(cvv), ExpMonth: 12, ExpYear: 2028, Holder: "Ada Lovelace"}
}

// wantCardError checks err is an EINVALID *Error with key and field.
func wantCardError(t *testing.T, name string, err error, key, field string) *Error {
	t.Helper()
	if key == "" {
		if err != nil {
			t.Errorf("%s: unexpected error %v", name, err)
		}
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%s: got %v, want *Error %s", name, err, key)
		return nil
	}
	if e.Code != EINVALID || e.Key != key || e.Data["Field"] != field {
		t.Errorf("%s: got code %q key %q field %v, want %q %q %q", name, e.Code, e.Key, e.Data["Field"], EINVALID, key, field)
	}
	if e.Err != nil {
		t.Errorf("%s: card errors carry no cause, got %v", name, e.Err)
	}
	return e
}

func TestPublishedTestCards(t *testing.T) {
	for _, c := range publishedCards {
		n := []byte(c.number)
		if !Luhn(n) {
			t.Errorf("%s %s %s: Luhn false", c.source, c.label, c.number)
		}
		if got := DetectBrand(n); got != c.brand {
			t.Errorf("%s %s %s: brand %q, want %q", c.source, c.label, c.number, got, c.brand)
		}
		if !ValidLength(c.brand, len(n)) {
			t.Errorf("%s %s %s: length %d not valid for %s", c.source, c.label, c.number, len(n), c.brand)
		}
		if err := validCard(c.number).Validate(testNow, false); err != nil {
			t.Errorf("%s %s %s: Validate: %v", c.source, c.label, c.number, err)
		}
		b, err := ValidateCardNumber(n)
		if err != nil || b != c.brand {
			t.Errorf("%s %s: ValidateCardNumber = %q, %v", c.source, c.label, b, err)
		}
	}
	for _, n := range unionPayCards {
		if !Luhn([]byte(n)) || DetectBrand([]byte(n)) != BrandUnknown {
			t.Errorf("UnionPay %s: Luhn %v brand %q", n, Luhn([]byte(n)), DetectBrand([]byte(n)))
		}
		wantCardError(t, "UnionPay "+n, validCard(n).Validate(testNow, false), "error.card.brand_unsupported", "number")
	}
}

func TestDetectBrandPartial(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		want   Brand
	}{
		{"", BrandUnknown},
		{"0", BrandUnknown},
		{"1", BrandUnknown},
		{"9", BrandUnknown},
		{"4", BrandVisa},
		{"41", BrandVisa},
		{"2", BrandUnknown},
		{"22", BrandUnknown},
		{"222", BrandUnknown},
		{"2220", BrandUnknown},
		{"2221", BrandMastercard},
		{"2720", BrandMastercard},
		{"2721", BrandUnknown},
		{"5", BrandUnknown},
		{"50", BrandMaestro},
		{"51", BrandMastercard},
		{"55", BrandMastercard},
		{"56", BrandMaestro},
		{"58", BrandMaestro},
		{"59", BrandUnknown},
		{"3", BrandUnknown},
		{"34", BrandAmex},
		{"37", BrandAmex},
		{"33", BrandUnknown},
		{"35", BrandUnknown},
		{"352", BrandUnknown},
		{"3527", BrandUnknown},
		{"3528", BrandJCB},
		{"3589", BrandJCB},
		{"3590", BrandUnknown},
		{"30", BrandUnknown},
		{"300", BrandDiners},
		{"305", BrandDiners},
		{"306", BrandUnknown},
		{"36", BrandDiners},
		{"38", BrandDiners},
		{"39", BrandDiners},
		{"6", BrandUnknown},
		{"60", BrandUnknown},
		{"601", BrandUnknown},
		{"6011", BrandDiscover},
		{"6012", BrandUnknown},
		{"62", BrandUnknown},
		{"6221", BrandUnknown},
		{"62212", BrandUnknown},
		{"622125", BrandUnknown},
		{"622126", BrandDiscover},
		{"622925", BrandDiscover},
		{"622926", BrandUnknown},
		{"620068", BrandUnknown},
		{"63", BrandUnknown},
		{"630", BrandUnknown},
		{"6304", BrandMaestro},
		{"6305", BrandUnknown},
		{"64", BrandUnknown},
		{"643", BrandUnknown},
		{"644", BrandDiscover},
		{"649", BrandDiscover},
		{"65", BrandDiscover},
		{"66", BrandUnknown},
		{"67", BrandMaestro},
		{"6759", BrandMaestro},
		{"6761", BrandMaestro},
		{"6763", BrandMaestro},
		{"6767", BrandMaestro},
		// Non-digits in the deciding prefix match nothing.
		{"a4", BrandUnknown},
		{" 4", BrandUnknown},
		{"6O11", BrandUnknown},
	} {
		if got := DetectBrand([]byte(tc.prefix)); got != tc.want {
			t.Errorf("DetectBrand(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
	// Every published card: the brand appears by its sixth digit and stays.
	for _, c := range publishedCards {
		if got := DetectBrand([]byte(c.number[:6])); got != c.brand {
			t.Errorf("%s first six: %q, want %q", c.number, got, c.brand)
		}
	}
}

// TestIINRulesDisjoint: no two rules of different brands cover the same
// six-digit prefix, so the table's order is precedence by specificity only.
func TestIINRulesDisjoint(t *testing.T) {
	span := func(r iinRule) (lo, hi int) {
		scale := 1
		for i := r.Digits; i < 6; i++ {
			scale *= 10
		}
		return r.Lo * scale, (r.Hi+1)*scale - 1
	}
	for i, a := range iinRules {
		if a.Digits < 1 || a.Digits > 6 || a.Lo > a.Hi {
			t.Errorf("rule %d malformed: %+v", i, a)
		}
		for _, b := range iinRules[i+1:] {
			alo, ahi := span(a)
			blo, bhi := span(b)
			if alo <= bhi && blo <= ahi && a.Brand != b.Brand {
				t.Errorf("rules overlap with different brands: %+v and %+v", a, b)
			}
			if b.Digits > a.Digits {
				t.Errorf("rules not ordered longest prefix first: %+v before %+v", a, b)
			}
		}
	}
}

// TestDetectBrandStableWhileTyping: once a prefix has a brand, every longer
// prefix has the same brand, so the dialog's brand logo never flips.
func TestDetectBrandStableWhileTyping(t *testing.T) {
	buf := make([]byte, 6)
	limit := 1
	for k := 1; k <= 5; k++ {
		limit *= 10
		for p := 0; p < limit; p++ {
			v := p
			for i := k - 1; i >= 0; i-- {
				buf[i] = byte('0' + v%10)
				v /= 10
			}
			b := DetectBrand(buf[:k])
			if b == BrandUnknown {
				continue
			}
			for d := byte('0'); d <= '9'; d++ {
				buf[k] = d
				if got := DetectBrand(buf[:k+1]); got != b {
					t.Fatalf("%s is %q but %s is %q", buf[:k], b, buf[:k+1], got)
				}
			}
		}
	}
}

func TestValidLength(t *testing.T) {
	want := map[Brand][]int{
		BrandVisa:       {13, 16, 19},
		BrandMastercard: {16},
		BrandAmex:       {15},
		BrandDiscover:   {16, 17, 18, 19},
		BrandJCB:        {16, 17, 18, 19},
		BrandDiners:     {14, 15, 16, 17, 18, 19},
		BrandMaestro:    {12, 13, 14, 15, 16, 17, 18, 19},
		BrandUnknown:    nil,
	}
	for brand, lengths := range want {
		for n := 0; n <= 25; n++ {
			ok := false
			for _, l := range lengths {
				ok = ok || l == n
			}
			if ValidLength(brand, n) != ok {
				t.Errorf("ValidLength(%q, %d) = %v, want %v", brand, n, !ok, ok)
			}
		}
	}
}

func TestLuhn(t *testing.T) {
	for _, tc := range []struct {
		n    string
		want bool
	}{
		{"79927398713", true},
		{"79927398710", false},
		{"0", true},
		{"00", true},
		{"", false},
		{"4111 1111 1111 1111", false},
		{"411111111111111a", false},
		{"4111111111111112", false},
		{"4111111111111121", false},
	} {
		if got := Luhn([]byte(tc.n)); got != tc.want {
			t.Errorf("Luhn(%q) = %v, want %v", tc.n, got, tc.want)
		}
	}
	// Changing any single digit of a valid number breaks the check.
	for _, c := range publishedCards {
		n := []byte(c.number)
		for i := range n {
			orig := n[i]
			n[i] = '0' + (orig-'0'+1)%10
			if Luhn(n) {
				t.Errorf("%s with digit %d changed still passes Luhn", c.number, i)
			}
			n[i] = orig
		}
	}
}

func TestNormalizeCardNumber(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"4111111111111111", "4111111111111111", true},
		{"4111 1111 1111 1111", "4111111111111111", true},
		{"4111-1111-1111-1111", "4111111111111111", true},
		{"3782 822463 10005", "378282246310005", true},
		{" 4111--1111  1111-1111 ", "4111111111111111", true},
		{"", "", true},
		{" - ", "", true},
		{"4111 1111 1111 111O", "", false}, // letter O
		{"4111.1111.1111.1111", "", false},
		{"4111\t1111", "", false},
		{"4111\u00a01111", "", false}, // no-break space
		{"4111 1111 ١١١١", "", false}, // Arabic-Indic digits
		{"４１１１", "", false},           // full-width digits
		{"+44111", "", false},
		{"4111/1111", "", false},
		{"4111\x001111", "", false},
	} {
		in := []byte(tc.in)
		inCopy := bytes.Clone(in)
		got, err := NormalizeCardNumber(in)
		if !bytes.Equal(in, inCopy) {
			t.Errorf("NormalizeCardNumber(%q) modified its input", tc.in)
		}
		if !tc.ok {
			wantCardError(t, fmt.Sprintf("NormalizeCardNumber(%q)", tc.in), err, "error.card.number_chars", "number")
			if got != nil {
				t.Errorf("NormalizeCardNumber(%q) returned %q with an error", tc.in, got)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("NormalizeCardNumber(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			continue
		}
		if got == nil {
			t.Errorf("NormalizeCardNumber(%q) returned nil", tc.in)
		}
		// A new slice: wiping it leaves the input alone, and vice versa.
		for i := range got {
			got[i] = 0
		}
		if !bytes.Equal(in, inCopy) {
			t.Errorf("NormalizeCardNumber(%q) result aliases its input", tc.in)
		}
	}
}

func TestValidateCardNumber(t *testing.T) {
	for _, tc := range []struct {
		name, n, key string
	}{
		{"empty", "", "error.card.number_required"},
		{"space inside", "4111 1111 1111 1111", "error.card.number_chars"},
		{"letter", "411111111111111a", "error.card.number_chars"},
		{"one digit", "4", "error.card.number_length"},
		{"11 digits", "41111111111", "error.card.number_length"},
		{"20 digits", "41111111111111111113", "error.card.number_length"},
		{"unknown scheme", "9999999999999995", "error.card.brand_unsupported"},
		{"unknown 12 digits", "100000000008", "error.card.brand_unsupported"},
		{"Visa 14", "41111111111113", "error.card.number_length"},
		{"Visa 15", "411111111111116", "error.card.number_length"},
		{"Visa 17", "41111111111111114", "error.card.number_length"},
		{"Visa 19 ok", "4111111111111111110", ""},
		{"MC 15", "555555555555443", "error.card.number_length"},
		{"MC 19", "5555555555555555557", "error.card.number_length"},
		{"Amex 16", "3782822463100051", "error.card.number_length"},
		{"Amex 14", "37828224631005", "error.card.number_length"},
		{"Diners 13", "3056930902590", "error.card.number_length"},
		{"Discover 15", "601111111111111", "error.card.number_length"},
		{"JCB 15", "353011133330000", "error.card.number_length"},
		{"Maestro 12 ok", "500000000009", ""},
		{"Visa Luhn", "4111111111111112", "error.card.number_luhn"},
		{"Amex Luhn", "378282246310006", "error.card.number_luhn"},
		{"MC Luhn", "5555555555554440", "error.card.number_luhn"},
		{"Maestro Luhn", "6304000000000001", "error.card.number_luhn"},
		{"Diners Luhn", "30569309025905", "error.card.number_luhn"},
	} {
		_, err := ValidateCardNumber([]byte(tc.n))
		wantCardError(t, tc.name, err, tc.key, "number")
	}
}

func TestParseExpiry(t *testing.T) {
	for _, tc := range []struct {
		in          string
		month, year int
		ok          bool
	}{
		{"12/27", 12, 2027, true},
		{"12/2027", 12, 2027, true},
		{"1227", 12, 2027, true},
		{"01/30", 1, 2030, true},
		{"0130", 1, 2030, true},
		{"02/00", 2, 2000, true},
		{"2/28", 2, 2028, true},
		{" 03 / 28 ", 3, 2028, true},
		{"09/1999", 9, 1999, true},
		{"", 0, 0, false},
		{"/", 0, 0, false},
		{"00/27", 0, 0, false},
		{"13/27", 0, 0, false},
		{"0027", 0, 0, false},
		{"1327", 0, 0, false},
		{"1/2", 0, 0, false},
		{"12/027", 0, 0, false},
		{"12/20270", 0, 0, false},
		{"12/0999", 0, 0, false},
		{"122027", 0, 0, false},
		{"127", 0, 0, false},
		{"12-27", 0, 0, false},
		{"12.27", 0, 0, false},
		{"12/27/", 0, 0, false},
		{"12//27", 0, 0, false},
		{"ab/cd", 0, 0, false},
		{"+1/27", 0, 0, false},
		{"-1/27", 0, 0, false},
		{"012/27", 0, 0, false},
		{"12/ 2 7", 0, 0, false},
		{"١٢/٢٧", 0, 0, false},
		{"12/２７", 0, 0, false},
	} {
		m, y, err := ParseExpiry(tc.in)
		if !tc.ok {
			wantCardError(t, fmt.Sprintf("ParseExpiry(%q)", tc.in), err, "error.card.expiry_format", "expiry")
			if m != 0 || y != 0 {
				t.Errorf("ParseExpiry(%q) = %d, %d with an error", tc.in, m, y)
			}
			continue
		}
		if err != nil || m != tc.month || y != tc.year {
			t.Errorf("ParseExpiry(%q) = %d, %d, %v; want %d, %d", tc.in, m, y, err, tc.month, tc.year)
		}
	}
}

func TestValidateExpiry(t *testing.T) {
	for _, tc := range []struct {
		name        string
		month, year int
		now         time.Time
		key         string
	}{
		{"last instant of the expiry month", 1, 2026, time.Date(2026, 1, 31, 23, 59, 59, 999999999, local), ""},
		{"first instant after", 1, 2026, date(2026, 2, 1, 0, 0, 0), "error.card.expired"},
		{"next month still fine", 2, 2026, date(2026, 2, 1, 0, 0, 0), ""},
		{"Dec, last second of the year", 12, 2025, date(2025, 12, 31, 23, 59, 59), ""},
		{"Dec, New Year", 12, 2025, date(2026, 1, 1, 0, 0, 0), "error.card.expired"},
		{"Jan after New Year", 1, 2026, date(2026, 1, 1, 0, 0, 0), ""},
		{"Nov vs Jan next year", 11, 2025, date(2026, 1, 1, 0, 0, 0), "error.card.expired"},
		{"Feb leap day", 2, 2028, date(2028, 2, 29, 23, 59, 59), ""},
		{"Feb leap, Mar 1", 2, 2028, date(2028, 3, 1, 0, 0, 0), "error.card.expired"},
		{"Feb non-leap 28th", 2, 2026, date(2026, 2, 28, 23, 59, 59), ""},
		{"Feb non-leap, Mar 1", 2, 2026, date(2026, 3, 1, 0, 0, 0), "error.card.expired"},
		{"year ago", 3, 2025, testNow, "error.card.expired"},
		{"exactly 20 years", 3, 2046, testNow, ""},
		{"20 years and a month", 4, 2046, testNow, "error.card.expiry_far"},
		{"2099", 12, 2099, testNow, "error.card.expiry_far"},
		{"month 0", 0, 2027, testNow, "error.card.expiry_format"},
		{"month 13", 13, 2027, testNow, "error.card.expiry_format"},
		{"month -1", -1, 2027, testNow, "error.card.expiry_format"},
		{"two-digit year", 12, 27, testNow, "error.card.expiry_format"},
		{"year 0", 12, 0, testNow, "error.card.expiry_format"},
		{"five-digit year", 12, 20270, testNow, "error.card.expiry_format"},
	} {
		wantCardError(t, tc.name, ValidateExpiry(tc.month, tc.year, tc.now), tc.key, "expiry")
	}
	// 2-digit years through ParseExpiry: "03/26" is still valid in March 2026.
	for _, s := range []string{"03/26", "0326", "03/2026"} {
		m, y, err := ParseExpiry(s)
		if err != nil {
			t.Fatal(err)
		}
		wantCardError(t, s, ValidateExpiry(m, y, testNow), "", "")
	}
	m, y, _ := ParseExpiry("02/26")
	wantCardError(t, "02/26", ValidateExpiry(m, y, testNow), "error.card.expired", "expiry")

	// The far error says how far.
	e := wantCardError(t, "far data", ValidateExpiry(1, 2050, testNow), "error.card.expiry_far", "expiry")
	if e != nil && e.Data["Years"] != 20 {
		t.Errorf("expiry_far Data = %v", e.Data)
	}
}

// TestValidateExpiryTimeZone: the month is read in now's location. 00:30 on
// 1 February in CET is still 31 January in UTC.
func TestValidateExpiryTimeZone(t *testing.T) {
	instant := date(2026, 2, 1, 0, 30, 0)
	wantCardError(t, "local calendar", ValidateExpiry(1, 2026, instant), "error.card.expired", "expiry")
	wantCardError(t, "UTC calendar", ValidateExpiry(1, 2026, instant.UTC()), "", "")
}

func TestCVV(t *testing.T) {
	for brand, n := range map[Brand]int{
		BrandAmex: 4, BrandVisa: 3, BrandMastercard: 3, BrandDiscover: 3,
		BrandJCB: 3, BrandDiners: 3, BrandMaestro: 3, BrandUnknown: 3,
	} {
		if CVVLength(brand) != n {
			t.Errorf("CVVLength(%q) = %d, want %d", brand, CVVLength(brand), n)
		}
	}
	for _, tc := range []struct {
		brand Brand
		cvv   string
		ok    bool
	}{
		{BrandAmex, "1234", true},
		{BrandAmex, "0000", true},
		{BrandAmex, "123", false},
		{BrandAmex, "12345", false},
		{BrandAmex, "12a4", false},
		{BrandVisa, "123", true},
		{BrandVisa, "000", true},
		{BrandVisa, "1234", false},
		{BrandVisa, "12", false},
		{BrandVisa, "", false},
		{BrandVisa, " 12", false},
		{BrandVisa, "１２３", false},
		{BrandMastercard, "999", true},
		{BrandDiscover, "123", true},
		{BrandJCB, "123", true},
		{BrandDiners, "123", true},
		{BrandMaestro, "123", true},
		{BrandMaestro, "1234", false},
	} {
		err := ValidateCVV(tc.brand, []byte(tc.cvv))
		name := fmt.Sprintf("ValidateCVV(%q, %q)", tc.brand, tc.cvv)
		if tc.ok {
			wantCardError(t, name, err, "", "")
			continue
		}
		if e := wantCardError(t, name, err, "error.card.cvv_length", "cvv"); e != nil && e.Data["Length"] != CVVLength(tc.brand) {
			t.Errorf("%s: Data %v, want Length %d", name, e.Data, CVVLength(tc.brand))
		}
	}
}

func TestCardValidate(t *testing.T) {
	visa := "4111111111111111"
	amex := "378282246310005"
	maestro := "6304000000000000"
	for _, tc := range []struct {
		name  string
		edit  func(c *Card)
		base  string
		need  bool
		key   string
		field string
	}{
		{"valid Visa", nil, visa, false, "", ""},
		{"valid Amex", nil, amex, false, "", ""},
		{"no number", func(c *Card) { c.Number = nil }, visa, false, "error.card.number_required", "number"},
		{"spaced number", func(c *Card) { c.Number = []byte("4111 1111 1111 1111") }, visa, false, "error.card.number_chars", "number"},
		{"short", func(c *Card) { c.Number = c.Number[:12] }, visa, false, "error.card.number_length", "number"},
		{"Luhn", func(c *Card) { c.Number[15] = '2' }, visa, false, "error.card.number_luhn", "number"},
		{"unsupported", func(c *Card) { c.Number = []byte("6200680000000004") }, visa, false, "error.card.brand_unsupported", "number"},
		{"expiry zero", func(c *Card) { c.ExpMonth, c.ExpYear = 0, 0 }, visa, false, "error.card.expiry_format", "expiry"},
		{"expired", func(c *Card) { c.ExpMonth, c.ExpYear = 2, 2026 }, visa, false, "error.card.expired", "expiry"},
		{"expires this month", func(c *Card) { c.ExpMonth, c.ExpYear = 3, 2026 }, visa, false, "", ""},
		{"far", func(c *Card) { c.ExpYear = 2099 }, visa, false, "error.card.expiry_far", "expiry"},
		{"Visa 4-digit CVV", func(c *Card) { c.CVV = []byte("1234") }, visa, false, "error.card.cvv_length", "cvv"},
		{"Amex 3-digit CVV", func(c *Card) { c.CVV = []byte("123") }, amex, false, "error.card.cvv_length", "cvv"},
		{"no CVV", func(c *Card) { c.CVV = nil }, visa, false, "error.card.cvv_length", "cvv"},
		{"holder empty", func(c *Card) { c.Holder = "" }, visa, false, "error.card.holder_required", "holder"},
		{"holder blank", func(c *Card) { c.Holder = " \t\u00a0" }, visa, false, "error.card.holder_required", "holder"},
		// Maestro extras.
		{"Maestro not needed", nil, maestro, false, "", ""},
		{"Maestro needed, none", nil, maestro, true, "error.card.maestro_start", "start"},
		{"Maestro needed, start", func(c *Card) { c.StartMonth, c.StartYear = 1, 2024 }, maestro, true, "", ""},
		{"Maestro needed, start this month", func(c *Card) { c.StartMonth, c.StartYear = 3, 2026 }, maestro, true, "", ""},
		{"Maestro start next month", func(c *Card) { c.StartMonth, c.StartYear = 4, 2026 }, maestro, true, "error.card.maestro_start", "start"},
		{"Maestro start future, not needed", func(c *Card) { c.StartMonth, c.StartYear = 1, 2027 }, maestro, false, "error.card.maestro_start", "start"},
		{"Maestro start month 13", func(c *Card) { c.StartMonth, c.StartYear = 13, 2024 }, maestro, true, "error.card.maestro_start", "start"},
		{"Maestro start year only", func(c *Card) { c.StartYear = 2024 }, maestro, true, "error.card.maestro_start", "start"},
		{"Maestro start 2-digit year", func(c *Card) { c.StartMonth, c.StartYear = 1, 24 }, maestro, true, "error.card.maestro_start", "start"},
		{"Maestro needed, issue 1", func(c *Card) { c.IssueNumber = "1" }, maestro, true, "", ""},
		{"Maestro needed, issue 01", func(c *Card) { c.IssueNumber = "01" }, maestro, true, "", ""},
		{"Maestro needed, issue 12", func(c *Card) { c.IssueNumber = "12" }, maestro, true, "", ""},
		{"Maestro issue 123", func(c *Card) { c.IssueNumber = "123" }, maestro, true, "error.card.maestro_issue", "issue"},
		{"Maestro issue letter", func(c *Card) { c.IssueNumber = "1a" }, maestro, true, "error.card.maestro_issue", "issue"},
		{"Maestro issue space", func(c *Card) { c.IssueNumber = " " }, maestro, true, "error.card.maestro_issue", "issue"},
		{"Maestro issue bad, not needed", func(c *Card) { c.IssueNumber = "x" }, maestro, false, "error.card.maestro_issue", "issue"},
		{"Maestro both", func(c *Card) { c.StartMonth, c.StartYear, c.IssueNumber = 5, 2025, "3" }, maestro, true, "", ""},
		{"Maestro 50 needed, none", func(c *Card) { c.Number = []byte("5063516945005047") }, maestro, true, "error.card.maestro_start", "start"},
		{"Visa: extras ignored", func(c *Card) { c.StartMonth, c.IssueNumber = 13, "xyz" }, visa, true, "", ""},
		// Order: the first problem wins, in form order.
		{"number before expiry", func(c *Card) { c.Number[15] = '2'; c.ExpMonth = 13 }, visa, false, "error.card.number_luhn", "number"},
		{"expiry before CVV", func(c *Card) { c.ExpMonth = 13; c.CVV = nil }, visa, false, "error.card.expiry_format", "expiry"},
		{"CVV before holder", func(c *Card) { c.CVV = nil; c.Holder = "" }, visa, false, "error.card.cvv_length", "cvv"},
		{"holder before Maestro", func(c *Card) { c.Holder = "" }, maestro, true, "error.card.holder_required", "holder"},
	} {
		c := validCard(tc.base)
		if tc.edit != nil {
			tc.edit(c)
		}
		e := wantCardError(t, tc.name, c.Validate(testNow, tc.need), tc.key, tc.field)
		if e != nil && tc.name == "Maestro needed, none" && e.Data["Required"] != true {
			t.Errorf("%s: Data %v lacks Required", tc.name, e.Data)
		}
	}
	var nilCard *Card
	wantCardError(t, "nil card", nilCard.Validate(testNow, false), "error.card.number_required", "number")
	if err := ValidateMaestroExtras(nil, testNow, true); err != nil {
		t.Errorf("ValidateMaestroExtras(nil) = %v", err)
	}
	// Validate returns a true nil, not a typed nil pointer.
	if err := validCard(visa).Validate(testNow, false); err != nil {
		t.Errorf("valid card: %#v", err)
	}
}

// TestErrorsNeverCarryCardData: no error text, Data or %+v rendering holds
// any run of four digits from the number, nor the CVV.
func TestErrorsNeverCarryCardData(t *testing.T) {
	edits := []func(c *Card){
		func(c *Card) {},
		func(c *Card) { c.Number[len(c.Number)-1] ^= 1 }, // Luhn
		func(c *Card) { c.Number = c.Number[:len(c.Number)-2] },
		func(c *Card) { c.Number = append(c.Number, '0', '0', '0', '0', '0') },
		func(c *Card) { c.Number[3] = 'x' },
		func(c *Card) { c.ExpMonth = 0 },
		func(c *Card) { c.ExpYear = 2000 },
		func(c *Card) { c.ExpYear = 2090 },
		func(c *Card) { c.CVV = append(c.CVV, '7') },
		func(c *Card) { c.CVV = c.CVV[:2] },
		func(c *Card) { c.Holder = "" },
		func(c *Card) { c.StartMonth, c.StartYear = 12, 2030 },
		func(c *Card) { c.IssueNumber = "999" },
	}
	all := append([]string{}, unionPayCards...)
	for _, c := range publishedCards {
		all = append(all, c.number)
	}
	errs := 0
	for _, number := range all {
		for i, edit := range edits {
			c := validCard(number)
			c.CVV = []byte("8675")[:CVVLength(DetectBrand(c.Number))]
			edit(c)
			num, cvv := string(c.Number), string(c.CVV)
			err := c.Validate(testNow, true)
			if err == nil {
				continue
			}
			errs++
			e := AsError(err)
			texts := []string{err.Error(), fmt.Sprintf("%+v", *e), fmt.Sprintf("%#v", e.Data), e.Message}
			for _, text := range texts {
				for j := 0; j+4 <= len(num); j++ {
					if strings.Contains(text, num[j:j+4]) {
						t.Errorf("%s edit %d: %q contains %q from the number", number[:4], i, text, num[j:j+4])
					}
				}
				if len(cvv) >= 3 && strings.Contains(text, cvv) {
					t.Errorf("%s edit %d: %q contains the CVV", number[:4], i, text)
				}
			}
		}
	}
	// Normalization errors too.
	for _, c := range publishedCards {
		_, err := NormalizeCardNumber([]byte(c.number + "x"))
		if err == nil || strings.ContainsAny(err.Error(), "0123456789") {
			t.Errorf("NormalizeCardNumber error %v", err)
		}
	}
	if errs < len(all)*(len(edits)-3) {
		t.Errorf("only %d errors produced: the edits no longer exercise the checks", errs)
	}
}

func TestGroupCardNumber(t *testing.T) {
	for _, tc := range []struct {
		digits string
		brand  Brand
		want   string
	}{
		{"", BrandUnknown, ""},
		{"4", BrandVisa, "4"},
		{"4111", BrandVisa, "4111"},
		{"41111", BrandVisa, "4111 1"},
		{"4111111111111111", BrandVisa, "4111 1111 1111 1111"},
		{"4222222222222", BrandVisa, "4222 2222 2222 2"},
		{"4111111111111111113", BrandVisa, "4111 1111 1111 1111 113"},
		{"378282246310005", BrandAmex, "3782 822463 10005"},
		{"3782822", BrandAmex, "3782 822"},
		{"3782822463", BrandAmex, "3782 822463"},
		{"37828224631", BrandAmex, "3782 822463 1"},
		{"3782822463100051", BrandAmex, "3782 822463 10005 1"},
		{"30569309025904", BrandDiners, "3056 930902 5904"},
		{"30569", BrandDiners, "3056 9"},
		{"3636500000000260", BrandDiners, "3636 5000 0000 0260"},
		{"6011111111111117", BrandDiscover, "6011 1111 1111 1117"},
		{"500000000009", BrandMaestro, "5000 0000 0009"},
		{"12345", BrandUnknown, "1234 5"},
	} {
		in := []byte(tc.digits)
		got := GroupCardNumber(in, tc.brand)
		if string(got) != tc.want {
			t.Errorf("GroupCardNumber(%q, %q) = %q, want %q", tc.digits, tc.brand, got, tc.want)
		}
		if cap(got) != len(got) {
			t.Errorf("GroupCardNumber(%q): cap %d, len %d (not allocated exactly)", tc.digits, cap(got), len(got))
		}
		back, err := NormalizeCardNumber(got)
		if err != nil || !bytes.Equal(back, in) {
			t.Errorf("GroupCardNumber(%q) does not normalize back: %q, %v", tc.digits, back, err)
		}
		if len(in) > 0 {
			got[0] = 'x'
			if in[0] == 'x' {
				t.Errorf("GroupCardNumber(%q) aliases its input", tc.digits)
			}
		}
	}
}

func TestMaskCardNumber(t *testing.T) {
	for _, tc := range []struct {
		brand       Brand
		last4, want string
	}{
		{BrandVisa, "4242", "•••• 4242"},
		{BrandAmex, "0005", "•••• 0005"},
		{BrandUnknown, "1234", "•••• 1234"},
		{BrandVisa, "4111111111111111", "•••• 1111"},
		{BrandVisa, "", "••••"},
		{BrandVisa, "424", "••••"},
		{BrandVisa, "42a2", "••••"},
		{BrandVisa, "４２４２", "••••"},
	} {
		if got := MaskCardNumber(tc.brand, tc.last4); got != tc.want {
			t.Errorf("MaskCardNumber(%q, %q) = %q, want %q", tc.brand, tc.last4, got, tc.want)
		}
	}
	c := validCard("4111111111111111")
	if got := MaskCardNumber(DetectBrand(c.Number), c.Last4()); got != "•••• 1111" {
		t.Errorf("mask of Last4 = %q", got)
	}
}
