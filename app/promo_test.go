package app_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// Acceptance 2: percentage and fixed discounts on fees in USD, GBP, PLN and
// JPY, rounded half-up on the discount before it is subtracted, the total
// never below zero.
func TestPromoDiscountTable(t *testing.T) {
	pct := func(bp int64) app.PromoCode {
		return app.PromoCode{Code: "TEST1", Kind: app.DiscountPercent, PercentBP: bp}
	}
	fixed := func(minor int64, cur string) app.PromoCode {
		return app.PromoCode{Code: "TEST1", Kind: app.DiscountFixed, FixedMinor: minor, Currency: cur}
	}
	for _, tc := range []struct {
		name            string
		code            app.PromoCode
		fee             int64
		cur             string
		discount, total int64
	}{
		{"9.99 USD at 15%", pct(1500), 999, "USD", 150, 849}, // 1.4985 → 1.50
		{"9.99 GBP at 15%", pct(1500), 999, "GBP", 150, 849},
		{"9.99 PLN at 15%", pct(1500), 999, "PLN", 150, 849},
		{"999 JPY at 15%", pct(1500), 999, "JPY", 150, 849}, // 149.85 → 150
		{"100.00 USD at 33.33%", pct(3333), 10000, "USD", 3333, 6667},
		{"10.00 GBP at 33.33%", pct(3333), 1000, "GBP", 333, 667}, // 3.333 → 3.33
		{"0.50 PLN at 33.33%", pct(3333), 50, "PLN", 17, 33},      // 0.16665 → 0.17
		{"1000 JPY at 33.33%", pct(3333), 1000, "JPY", 333, 667},  // 333.3 → 333
		{"15 JPY at 33.33%", pct(3333), 15, "JPY", 5, 10},         // 4.9995 → 5
		{"49.99 USD at 100%", pct(10000), 4999, "USD", 4999, 0},
		{"12.50 PLN at 100%", pct(10000), 1250, "PLN", 1250, 0},
		{"5000 JPY at 100%", pct(10000), 5000, "JPY", 5000, 0},
		{"0.01 USD at 50%", pct(5000), 1, "USD", 1, 0}, // half a cent rounds up
		{"fixed 5.00 off 20.00 USD", fixed(500, "USD"), 2000, "USD", 500, 1500},
		{"fixed 50.00 off 20.00 USD", fixed(5000, "USD"), 2000, "USD", 2000, 0},
		{"fixed 30.00 off 25.00 GBP", fixed(3000, "GBP"), 2500, "GBP", 2500, 0},
		{"fixed 100.00 off 99.99 PLN", fixed(10000, "PLN"), 9999, "PLN", 9999, 0},
		{"fixed 2000 off 1500 JPY", fixed(2000, "JPY"), 1500, "JPY", 1500, 0},
		{"fixed 300 off 1500 JPY", fixed(300, "JPY"), 1500, "JPY", 300, 1200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, total, err := tc.code.Discount(tc.fee, tc.cur)
			if err != nil {
				t.Fatal(err)
			}
			if d != tc.discount || total != tc.total {
				t.Fatalf("discount %d total %d, want %d %d", d, total, tc.discount, tc.total)
			}
			if total < 0 || d+total != tc.fee {
				t.Fatalf("discount %d + total %d != fee %d", d, total, tc.fee)
			}
		})
	}
	if _, _, err := fixed(500, "USD").Discount(1000, "PLN"); app.AsError(err).Key != "error.promo.currency" {
		t.Fatalf("fixed discount in another currency: %v", err)
	}
}

func TestPromoPercentParsingAndText(t *testing.T) {
	for _, tc := range []struct {
		in, lang string
		bp       int64
		ok       bool
	}{
		{"15", "en", 1500, true},
		{"33.33", "en", 3333, true},
		{"33,33", "pl", 3333, true},
		{"100", "en", 10000, true},
		{"12.5%", "en", 1250, true},
		{"0", "en", 0, false},
		{"100.01", "en", 0, false},
		{"33.333", "en", 0, false},
		{"-5", "en", 0, false},
		{"abc", "en", 0, false},
		{"", "en", 0, false},
		{"33,33", "en", 0, false},
	} {
		bp, err := app.ParsePercentBP(tc.in, tc.lang)
		if (err == nil) != tc.ok || bp != tc.bp {
			t.Errorf("%q (%s): %d %v", tc.in, tc.lang, bp, err)
		}
	}
	c := app.PromoCode{Kind: app.DiscountPercent, PercentBP: 3350}
	if c.Percent() != "33.5" || c.DiscountText("pl") != "33,5%" || c.DiscountText("en") != "33.5%" {
		t.Fatalf("%q %q", c.Percent(), c.DiscountText("pl"))
	}
	f := app.PromoCode{Kind: app.DiscountFixed, FixedMinor: 1250, Currency: "PLN"}
	if f.DiscountText("pl") != "12,50\u00a0zł" {
		t.Fatalf("%q", f.DiscountText("pl"))
	}
}

func TestGeneratedCodesAvoidLookAlikes(t *testing.T) {
	codes, err := app.GeneratePromoCodes(1000, 5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 5 || seen[c] || strings.ContainsAny(c, "0O1IL UV") {
			t.Fatalf("bad code %q", c)
		}
		if err := app.ValidatePromoCodeText(c); err != nil {
			t.Fatal(err)
		}
		seen[c] = true
	}
	if _, err := app.GeneratePromoCodes(5, 4); app.AsError(err).Key != "error.promo.code_length" {
		t.Fatalf("length 4: %v", err)
	}
	if err := app.ValidatePromoCodeText("ZNIŻKA"); err == nil {
		t.Fatal("a Polish letter in a code")
	}
}

func TestPromoCodeValidate(t *testing.T) {
	now := time.Now()
	ok := app.PromoCode{
		Code: "ABCDE", Kind: app.DiscountPercent, PercentBP: 1000, PerAttendeeLimit: 1,
		ValidFrom: now, ValidUntil: now.Add(time.Hour), AllSessions: true,
	}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*app.PromoCode){
		"short":        func(c *app.PromoCode) { c.Code = "ABCD" },
		"zero percent": func(c *app.PromoCode) { c.PercentBP = 0 },
		"over 100":     func(c *app.PromoCode) { c.PercentBP = 10001 },
		"no expiry":    func(c *app.PromoCode) { c.ValidUntil = time.Time{} },
		"ends first":   func(c *app.PromoCode) { c.ValidUntil = c.ValidFrom },
		"no sessions":  func(c *app.PromoCode) { c.AllSessions = false },
		"per attendee": func(c *app.PromoCode) { c.PerAttendeeLimit = 0 },
		"limit":        func(c *app.PromoCode) { c.UseLimit = -1 },
		"fixed zero":   func(c *app.PromoCode) { c.Kind, c.PercentBP, c.Currency = app.DiscountFixed, 0, "USD" },
	} {
		c := ok
		mut(&c)
		if err := c.Validate(); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Acceptance 3: an import of a 1,000-line file with 7 bad lines reports
// exactly those 7 with their line numbers.
func TestPromoImportReportsEachBadLine(t *testing.T) {
	bad := map[int]string{
		3:   "not-an-email,Jan",
		100: ",No Email",
		250: "a@b@example.com,Two ats",
		400: "x@example.com,Name,extra",
		555: "attendee0010@example.com,Duplicate of line 10",
		777: "\"unterminated@example.com,Quote",
		999: "someone@localhost",
	}
	reasons := map[int]string{
		3: "error.recipient.email_invalid", 100: "error.recipient.email_missing",
		250: "error.recipient.email_invalid", 400: "error.recipient.too_many_fields", 555: "error.recipient.duplicate",
		777: "error.recipient.quotes", 999: "error.recipient.email_invalid",
	}
	var b bytes.Buffer
	for n := 1; n <= 1000; n++ {
		if line, ok := bad[n]; ok {
			b.WriteString(line + "\r\n")
			continue
		}
		if n%3 == 0 {
			fmt.Fprintf(&b, "attendee%04d@example.com\r\n", n) // email only
		} else {
			fmt.Fprintf(&b, "Attendee%04d@Example.com,\"Kowalski, Jan %d\"\r\n", n, n)
		}
	}
	imp, err := app.ParseRecipients(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Bad) != 7 || len(imp.Recipients) != 993 {
		t.Fatalf("%d bad, %d good: %+v", len(imp.Bad), len(imp.Recipients), imp.Bad)
	}
	for _, e := range imp.Bad {
		if reasons[e.Line] != e.Reason {
			t.Errorf("line %d: %s, want %s", e.Line, e.Reason, reasons[e.Line])
		}
	}
	if imp.Bad[4].DuplicateOf != 10 {
		t.Errorf("duplicate of %d", imp.Bad[4].DuplicateOf)
	}
	if r := imp.Recipients[0]; r.Email != "attendee0001@example.com" || r.Name != "Kowalski, Jan 1" {
		t.Errorf("first %+v", r)
	}
	if r := imp.Recipients[4]; r.Name != "attendee0006" || imp.Lines[4] != 6 {
		t.Errorf("email only: %+v line %d", r, imp.Lines[4])
	}
	// More than 1,000 lines is refused as a whole.
	_, err = app.ParseRecipients(strings.NewReader(strings.Repeat("a@example.com\n", 1001)))
	if app.AsError(err).Key != "error.recipient.too_many_lines" {
		t.Fatalf("1,001 lines: %v", err)
	}
}

func TestParseRecipientsSemicolonsHeaderAndBOM(t *testing.T) {
	imp, err := app.ParseRecipients(strings.NewReader("\xef\xbb\xbfemail;name\n\nola@example.pl;Ola Nowak\njan@example.pl\n"))
	if err != nil || len(imp.Bad) != 0 || len(imp.Recipients) != 2 {
		t.Fatalf("%+v %v", imp, err)
	}
	if imp.Recipients[0].Name != "Ola Nowak" || imp.Recipients[1].Name != "jan" || imp.Lines[1] != 4 {
		t.Fatalf("%+v", imp)
	}
}

func FuzzParseRecipients(f *testing.F) {
	f.Add("a@example.com,Jan\nb@example.com\n")
	f.Add("email,name\n\"x, y\"@example.com,\"q\"\"z\"\n")
	f.Add("a@b;c\n;\n\"\n\xff\n")
	f.Fuzz(func(t *testing.T, in string) {
		imp, err := app.ParseRecipients(strings.NewReader(in))
		if err != nil {
			if app.ErrorCode(err) != app.EINVALID {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(imp.Recipients) != len(imp.Lines) {
			t.Fatal("lines and recipients differ")
		}
		lines := strings.Count(in, "\n") + 1
		seen := map[string]bool{}
		prev := 0
		for i, r := range imp.Recipients {
			if imp.Lines[i] <= prev || imp.Lines[i] > lines {
				t.Fatalf("line %d out of order or range", imp.Lines[i])
			}
			prev = imp.Lines[i]
			if seen[r.Email] {
				t.Fatalf("duplicate %q imported", r.Email)
			}
			seen[r.Email] = true
			if app.HasControl(r.Name) || app.HasControl(r.Email) {
				t.Fatalf("%+v imported with a control character", r)
			}
			again, err := app.NormalizeRecipient(r.Email, r.Name)
			if err != nil || again != r {
				t.Fatalf("%+v does not normalise to itself: %+v %v", r, again, err)
			}
		}
		prev = 0
		for _, b := range imp.Bad {
			if b.Line <= prev || b.Line > lines || !strings.HasPrefix(b.Reason, "error.recipient.") || app.HasControl(b.Text) {
				t.Fatalf("bad line %+v", b)
			}
			prev = b.Line
		}
	})
}

func TestRenderPromoMailAndCSV(t *testing.T) {
	c := app.PromoCode{
		Code: "WIOSNA-25", Kind: app.DiscountPercent, PercentBP: 1500,
		ValidUntil: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
	}
	r := app.PromoRecipient{Email: "ola@example.pl", Name: "Ola"}
	m := app.RenderPromoMail(app.DefaultPromoMailTemplate("pl"), r, c, "Go dla zaawansowanych", app.ExpiryText(c, "UTC", "pl"))
	for _, want := range []string{"Ola", "WIOSNA-25", "15%", "31.03.2026", "Go dla zaawansowanych"} {
		if !strings.Contains(m.Subject+m.Body, want) {
			t.Errorf("message lacks %q:\n%s\n%s", want, m.Subject, m.Body)
		}
	}
	if strings.Contains(m.Body, "%") && strings.Contains(m.Body, "%Promo") {
		t.Errorf("placeholder left: %s", m.Body)
	}
	var b bytes.Buffer
	if err := app.WritePromoRecipientsCSV(&b, []app.PromoRecipient{{Email: "x@example.com", Name: "=HYPERLINK(1)", CodeID: 1}},
		map[int64]string{1: "WIOSNA-25"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "'=HYPERLINK(1)") || !strings.Contains(b.String(), "WIOSNA-25") {
		t.Fatalf("csv %q", b.String())
	}
}
