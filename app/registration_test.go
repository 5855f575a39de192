package app

import (
	"strings"
	"testing"
	"time"
)

func TestValidEmail(t *testing.T) {
	for _, ok := range []string{"a@example.com", "zofia.łęcka@example.pl", "x+tag@sub.example.co.uk"} {
		if !ValidEmail(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "a@b.", "Anna <a@example.com>", "a @example.com", "@example.com", "a@example.com\n"} {
		if ValidEmail(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzValidEmail(f *testing.F) {
	for _, s := range []string{"a@example.com", "a@b", "<a@b.c>", "a@b.c d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidEmail(s) {
			return
		}
		if strings.ContainsAny(s, " <>\r\n\t") || !strings.Contains(s, "@") {
			t.Fatalf("%q accepted", s)
		}
		a := Attendee{FirstName: "A", LastName: "B", Email: s}
		a.Normalize()
		_ = a.Validate() // never panics
	})
}

func FuzzRegistrationReference(f *testing.F) {
	for _, s := range []string{"registration:1", "registration:-1", "registration:", "registration:99999999999999999999", "pay-per-use:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := parseRegistrationReference(s)
		if !ok {
			return
		}
		if id <= 0 || RegistrationReference(id) != s && !strings.HasPrefix(s, "registration:+") && !strings.HasPrefix(s, "registration:0") {
			t.Fatalf("%q gave %d", s, id)
		}
	})
}

func TestSessionValidate(t *testing.T) {
	start := time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
	ok := Session{
		Topic: "T", StartsAt: start, TimeZone: "Europe/Warsaw", DurationMinutes: 60, Type: SessionPaid,
		FeeMinor: 1250, Currency: "PLN", MaxRegistrations: 5,
	}
	ok.Normalize()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if !ok.RegistrationRequired {
		t.Error("a paid session does not require registration")
	}
	for name, mut := range map[string]func(*Session){
		"zero fee":             func(s *Session) { s.FeeMinor = 0 },
		"fee above maximum":    func(s *Session) { s.FeeMinor = MaxFeeMinor("PLN") + 1 },
		"no capacity":          func(s *Session) { s.MaxRegistrations = 0 },
		"bad zone":             func(s *Session) { s.TimeZone = "Mars/Olympus" },
		"closes after start":   func(s *Session) { s.RegistrationClosesAt = start.Add(time.Minute) },
		"teleconference > pcs": func(s *Session) { s.ExpectedComputers, s.ExpectedTeleconference = 2, 3 },
		"refund over 100":      func(s *Session) { s.RefundPercent = 101 },
	} {
		s := ok
		mut(&s)
		if ErrorCode(s.Validate()) != EINVALID {
			t.Errorf("%s accepted", name)
		}
	}
	if MaxFeeMinor("JPY") != MaxFeeMajor || MaxFeeMinor("PLN") != MaxFeeMajor*100 || MaxFeeMinor("BHD") != MaxFeeMajor*1000 {
		t.Error("MaxFeeMinor ignores the currency's digits")
	}
}
