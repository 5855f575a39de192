package app

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzParseCardNumber: NormalizeCardNumber, DetectBrand, Luhn, grouping and
// Validate never panic. A normalized number holds only the input's digits,
// in order, in a slice of its own. Normalizing is idempotent, and grouping
// normalizes back. The brand never changes once a prefix has one. Errors
// never carry four digits of the number.
func FuzzParseCardNumber(f *testing.F) {
	for _, c := range publishedCards {
		f.Add([]byte(c.number))
		f.Add(GroupCardNumber([]byte(c.number), c.brand))
	}
	for _, s := range []string{
		"", " ", "-", "4111-1111-1111-1111", " 4111--1111  1111-1111 ",
		"4111 1111 1111 111O", "4111\u00a01111", "４１１１", "6200680000000004",
		"622126", "62212", "6011", "2720999999999999", "99999999999999999999999",
		"0", "\x00", "\xff4111",
	} {
		f.Add([]byte(s))
	}
	now := date(2026, time.March, 15, 12, 0, 0)
	f.Fuzz(func(t *testing.T, input []byte) {
		orig := bytes.Clone(input)
		digits, err := NormalizeCardNumber(input)
		if !bytes.Equal(input, orig) {
			t.Fatal("input modified")
		}
		// Brand and Luhn on raw input must not panic either.
		_ = DetectBrand(input)
		_ = Luhn(input)
		if err != nil {
			if digits != nil {
				t.Fatal("slice returned with an error")
			}
			if e := AsError(err); e.Code != EINVALID || e.Key != "error.card.number_chars" || strings.ContainsAny(err.Error(), "0123456789") {
				t.Fatalf("bad error %#v", e)
			}
			return
		}
		var want []byte
		for _, c := range input {
			if '0' <= c && c <= '9' {
				want = append(want, c)
			}
		}
		if !bytes.Equal(digits, want) {
			t.Fatalf("NormalizeCardNumber(%q) = %q, want %q", input, digits, want)
		}
		if len(digits) > 0 && len(input) > 0 {
			digits[0] ^= 0xff
			if !bytes.Equal(input, orig) {
				t.Fatal("result aliases input")
			}
			digits[0] ^= 0xff
		}
		again, err := NormalizeCardNumber(digits)
		if err != nil || !bytes.Equal(again, digits) {
			t.Fatalf("not idempotent: %q -> %q, %v", digits, again, err)
		}

		brand := DetectBrand(digits)
		for k := 1; k < len(digits) && k <= 7; k++ {
			if b := DetectBrand(digits[:k]); b != BrandUnknown && b != brand {
				t.Fatalf("brand flips while typing %q: %q then %q", digits, b, brand)
			}
		}
		_ = Luhn(digits)
		_ = ValidLength(brand, len(digits))

		grouped := GroupCardNumber(digits, brand)
		back, err := NormalizeCardNumber(grouped)
		if err != nil || !bytes.Equal(back, digits) {
			t.Fatalf("group %q does not normalize back to %q", grouped, digits)
		}

		c := &Card{Number: digits, CVV: []byte("123"), ExpMonth: 12, ExpYear: 2028, Holder: "A"}
		for _, need := range []bool{false, true} {
			err := c.Validate(now, need)
			if err == nil {
				if !Luhn(digits) || !ValidLength(brand, len(digits)) || brand == BrandUnknown {
					t.Fatalf("Validate accepted %q (brand %q)", digits, brand)
				}
				continue
			}
			e := AsError(err)
			if e.Code != EINVALID || e.Data["Field"] == nil {
				t.Fatalf("bad error %#v", e)
			}
			text := err.Error() + fmt.Sprintf("%+v", *e)
			for j := 0; j+4 <= len(digits); j++ {
				if bytes.Contains([]byte(text), digits[j:j+4]) {
					t.Fatalf("error %q holds %q of the number", text, digits[j:j+4])
				}
			}
		}
		_ = MaskCardNumber(brand, c.Last4())
	})
}

// FuzzParseExpiry: ParseExpiry never panics. On success the month is 1–12
// and the year has four digits, and the canonical "MM/YYYY" parses back to the
// same values. ValidateExpiry never panics and gives only expiry errors.
func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{
		"12/27", "12/2027", "1227", "01/30", "2/28", " 03 / 28 ", "00/27", "13/27",
		"122027", "12/027", "12-27", "+1/27", "١٢/٢٧", "/", "", "99/99", "12/9999", "0999",
	} {
		f.Add(s)
	}
	now := date(2026, time.March, 15, 12, 0, 0)
	f.Fuzz(func(t *testing.T, s string) {
		m, y, err := ParseExpiry(s)
		if err != nil {
			if e := AsError(err); e.Code != EINVALID || e.Key != "error.card.expiry_format" || e.Data["Field"] != "expiry" {
				t.Fatalf("bad error %#v", e)
			}
			if m != 0 || y != 0 {
				t.Fatalf("values with an error: %d %d", m, y)
			}
			return
		}
		if m < 1 || m > 12 || y < 1000 || y > 9999 {
			t.Fatalf("ParseExpiry(%q) = %d, %d", s, m, y)
		}
		for _, canon := range []string{fmt.Sprintf("%02d/%04d", m, y), fmt.Sprintf("%d/%d", m, y)} {
			m2, y2, err := ParseExpiry(canon)
			if err != nil || m2 != m || y2 != y {
				t.Fatalf("%q -> %d/%d, but %q -> %d/%d, %v", s, m, y, canon, m2, y2, err)
			}
		}
		if err := ValidateExpiry(m, y, now); err != nil {
			switch AsError(err).Key {
			case "error.card.expired", "error.card.expiry_far":
			default:
				t.Fatalf("ValidateExpiry(%d, %d): %v", m, y, err)
			}
		}
	})
}
