package app

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// controlCases are characters no name may hold: NUL reached a CSV once,
// BEL rings terminals, a line feed splits a name over two lines, U+202E
// turns the rest of the name around.
var controlCases = map[string]string{"NUL": "\x00", "BEL": "\a", "LF": "\n", "RLO": "\u202e", "DEL": "\x7f"}

// wantTextError checks err is the text rule's refusal naming field.
func wantTextError(t *testing.T, err error, field string) {
	t.Helper()
	key := "error.text.control"
	if field == "description" {
		key = "error.text.control_multiline"
	}
	e := AsError(err)
	if err == nil || e.Code != EINVALID || e.Key != key || e.Data["Field"] != field {
		t.Fatalf("error %v (%+v), want %s for %s", err, e, key, field)
	}
	if e.Data["Char"] == nil || !strings.HasPrefix(e.Data["Char"].(string), "U+") {
		t.Fatalf("error %+v does not name the character", e)
	}
}

func TestAttendeeFieldsWithControlCharactersAreRefused(t *testing.T) {
	for name, c := range controlCases {
		for _, field := range []string{"first_name", "last_name", "company"} {
			t.Run(name+"/"+field, func(t *testing.T) {
				a := Attendee{FirstName: "Anna", LastName: "Nowak", Email: "anna@example.com", Company: "Acme"}
				switch field {
				case "first_name":
					a.FirstName = "An" + c + "na"
				case "last_name":
					a.LastName = "No" + c + "wak"
				case "company":
					a.Company = "Ac" + c + "me"
				}
				a.Normalize()
				wantTextError(t, a.Validate(), field)
			})
		}
	}
}

func TestAttendeeEmailWithControlCharacterIsRefused(t *testing.T) {
	for name, c := range controlCases {
		a := Attendee{FirstName: "Anna", LastName: "Nowak", Email: "an" + c + "na@example.com"}
		a.Normalize()
		if e := AsError(a.Validate()); e == nil || e.Key != "error.registration.email" {
			t.Errorf("%s: %v", name, e)
		}
	}
}

func TestAttendeeNamesAreTrimmedAndKeepLegitimateLetters(t *testing.T) {
	// Zero-width non-joiner and joiner spell Persian and Indic names.
	a := Attendee{FirstName: " \tZofia\u00a0", LastName: "Łęcka-می\u200cخواهم ", Email: " Z@Example.com ", Company: " श्री\u200dराम "}
	a.Normalize()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.FirstName != "Zofia" || a.LastName != "Łęcka-می\u200cخواهم" || a.Company != "श्री\u200dराम" || a.Email != "z@example.com" {
		t.Fatalf("%+v", a)
	}
}

func TestRecipientNameWithControlCharacterIsRefused(t *testing.T) {
	for name, c := range controlCases {
		t.Run(name, func(t *testing.T) {
			_, err := NormalizeRecipient("ola@example.pl", "Ola"+c+"Nowak")
			wantTextError(t, err, "recipient_name")
		})
	}
}

func TestRecipientFileLineWithControlCharacterIsReported(t *testing.T) {
	imp, err := ParseRecipients(strings.NewReader("ola@example.pl,Ola\x00Nowak\njan@example.pl,Jan\aKowalski\n" +
		"ala@example.pl,\"Ala\u202eKot\"\nok@example.pl,Ok\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Recipients) != 1 || imp.Recipients[0].Email != "ok@example.pl" || len(imp.Bad) != 3 {
		t.Fatalf("%+v", imp)
	}
	for i, b := range imp.Bad {
		if b.Line != i+1 || b.Reason != "error.recipient.name_control" {
			t.Errorf("bad line %+v", b)
		}
		// The preview shows where the character was, not the character.
		if HasControl(b.Text) || !strings.Contains(b.Text, "\uFFFD") {
			t.Errorf("preview text %q", b.Text)
		}
	}
}

func TestUsageProblemShowsARefusedValueWithoutItsControlCharacters(t *testing.T) {
	_, problems, err := ParseUsageCSV(strings.NewReader("session:\u202e12,10,5\n"))
	if err != nil || len(problems) != 1 {
		t.Fatalf("%+v %v", problems, err)
	}
	if v := AsError(problems[0].Err).Data["Value"]; v != "session:\uFFFD12" {
		t.Fatalf("value %q", v)
	}
}

func TestDepartmentFieldsWithControlCharactersAreRefused(t *testing.T) {
	for name, c := range controlCases {
		for _, field := range []string{"department_name", "cost_centre", "budget_owner"} {
			t.Run(name+"/"+field, func(t *testing.T) {
				d := Department{Name: "Sales", CostCentre: "CC-4100", OwnerName: "Ewa Nowak", OwnerEmail: "ewa@example.com"}
				switch field {
				case "department_name":
					d.Name = "Sa" + c + "les"
				case "cost_centre":
					d.CostCentre = "CC" + c + "4100"
				case "budget_owner":
					d.OwnerName = "Ewa" + c + "Nowak"
				}
				d.Normalize()
				wantTextError(t, d.Validate(), field)
			})
		}
	}
}

func TestSessionTopicIsOneLineAndDescriptionKeepsLineBreaks(t *testing.T) {
	s := Session{
		Topic: "Go\u202e101", Description: "Line one\r\nLine two\r\tindented\n", StartsAt: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC),
		TimeZone: "Europe/Warsaw", DurationMinutes: 60, Type: SessionFree,
	}
	s.Normalize()
	wantTextError(t, s.Validate(), "topic")
	s.Topic = "Go 101\n"
	s.Normalize()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Topic != "Go 101" || s.Description != "Line one\nLine two\n\tindented" {
		t.Fatalf("%q %q", s.Topic, s.Description)
	}
	for name, c := range map[string]string{"NUL": "\x00", "BEL": "\a", "RLO": "\u202e", "LS": "\u2028"} {
		t.Run(name, func(t *testing.T) {
			s.Description = "Line one" + c + "\nLine two"
			s.Normalize()
			wantTextError(t, s.Validate(), "description")
		})
	}
}

func TestSiteNameWithControlCharacterIsRefused(t *testing.T) {
	s := Site{Name: "Acme\x00Training", Country: "PL", Currency: "PLN", TimeZone: "Europe/Warsaw", Language: "pl", Mode: ModeTest}
	s.Normalize()
	wantTextError(t, s.Validate(), "site_name")
}

func TestSMTPSenderNameWithControlCharacterIsRefused(t *testing.T) {
	s := SMTPSettings{
		Host: "smtp.example.com", Port: 587, TLS: SMTPStartTLS, Sender: "kursy@example.com",
		SenderName: "Acme\r\nBcc: x@example.com",
	}
	s.Normalize()
	wantTextError(t, s.Validate(), "sender_name")
}

func TestCardholderWithControlCharacterIsRefusedNextToTheHolderField(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &Card{Number: []byte("4111111111111111"), ExpMonth: 12, ExpYear: 2030, CVV: []byte("123"), Holder: "Anna\u202eNowak"}
	wantTextError(t, c.Validate(now, false), "holder")
	c.Holder = "Anna Nowak"
	if err := c.Validate(now, false); err != nil {
		t.Fatal(err)
	}
}

func TestTextRuleDecisions(t *testing.T) {
	for _, ok := range []string{"Zofia Łęcka", "می\u200cخواهم", "👩\u200d💻", "O'Brien-Smith", "Ærø \u00a0x", "日本語"} {
		if err := CheckLine(FieldFirstName, ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for name, bad := range map[string]string{
		"NUL": "a\x00", "BEL": "a\a", "LF": "a\nb", "CR": "a\rb", "tab": "a\tb",
		"DEL": "a\x7f", "C1 NEL": "a\u0085b", "RLO": "a\u202eb", "LRI": "a\u2066b", "RLM": "a\u200fb", "ZWSP": "a\u200bb",
		"BOM": "a\ufeffb", "soft hyphen": "a\u00adb", "line separator": "a\u2028b", "tag": "a\U000E0041b",
	} {
		if CheckLine(FieldFirstName, bad) == nil {
			t.Errorf("%s accepted in a single line", name)
		}
	}
	if err := CheckText(FieldDescription, "one\n\ttwo"); err != nil {
		t.Errorf("multi-line refused a line feed or tab: %v", err)
	}
	for name, bad := range map[string]string{"NUL": "a\x00", "CR": "a\rb", "RLO": "a\u202eb", "paragraph separator": "a\u2029b"} {
		if CheckText(FieldDescription, bad) == nil {
			t.Errorf("%s accepted in multi-line text", name)
		}
	}
	if got := TrimText("\r\n one\r\ntwo\rthree \n"); got != "one\ntwo\nthree" {
		t.Errorf("TrimText: %q", got)
	}
	if e := AsError(CheckLine(FieldCompany, "a\xffb")); e == nil || e.Key != "error.text.encoding" || e.Data["Field"] != "company" {
		t.Errorf("invalid UTF-8: %+v", e)
	}
}

// FuzzCheckLine: the name validator never panics and never accepts a
// control character (Cc), a format character (Cf) other than the
// zero-width non-joiner and joiner, a line or paragraph separator, or
// text that is not UTF-8; the multi-line check differs only by line feeds
// and tabs; trimming is idempotent and leaves no carriage return in
// multi-line text.
func FuzzCheckLine(f *testing.F) {
	for _, s := range []string{"Anna", "An\x00na", "a\u202eb", "a\nb", "\t", "می\u200cخواهم", "\xff", "a\u2028", "\r\n x \r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lineErr := CheckLine(FieldFirstName, s)
		textErr := CheckText(FieldDescription, s)
		for _, err := range []error{lineErr, textErr} {
			if err != nil && (ErrorCode(err) != EINVALID || !strings.HasPrefix(AsError(err).Key, "error.text.")) {
				t.Fatalf("unexpected error %v", err)
			}
		}
		bad := func(r rune, multiLine bool) bool {
			if multiLine && (r == '\n' || r == '\t') {
				return false
			}
			return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d' ||
				r == '\u2028' || r == '\u2029'
		}
		if lineErr == nil || textErr == nil {
			if !utf8.ValidString(s) {
				t.Fatalf("%q is not UTF-8 but was accepted", s)
			}
			for _, r := range s {
				if lineErr == nil && bad(r, false) || textErr == nil && bad(r, true) {
					t.Fatalf("%q accepted with %U", s, r)
				}
			}
		}
		if lineErr == nil && textErr != nil {
			t.Fatalf("%q is a good line but bad text: %v", s, textErr)
		}
		if TrimLine(TrimLine(s)) != TrimLine(s) || TrimText(TrimText(s)) != TrimText(s) || strings.ContainsRune(TrimText(s), '\r') {
			t.Fatalf("trimming %q is not stable", s)
		}
	})
}
