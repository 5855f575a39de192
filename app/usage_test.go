package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

func TestParseUsageCSV(t *testing.T) {
	in := "\ufeffsession,person_minutes,teleconference_minutes\r\n" +
		"12,2250,900\r\n" +
		"\r\n" +
		"session:13, 1800 ,0\r\n" +
		"x,1,1\r\n" +
		"14,10\r\n" +
		"15,10,11\r\n" +
		"16,-1,0\r\n" +
		"12,1,1\r\n" +
		"\"17\",\"60\",\"30\"\r\n" +
		"18,144000001,0\r\n" +
		"#19,0,0\r\n" +
		"\"20,1,1\r\n"
	lines, problems, err := app.ParseUsageCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []app.UsageLine{{2, 12, 2250, 900}, {4, 13, 1800, 0}, {10, 17, 60, 30}, {12, 19, 0, 0}}
	if len(lines) != len(want) {
		t.Fatalf("lines: %+v", lines)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, lines[i], want[i])
		}
	}
	wantProblems := map[int]string{
		5: "error.usage.session", 6: "error.usage.fields", 7: "error.usage.tele_above_person",
		8: "error.usage.minutes", 9: "error.usage.duplicate", 11: "error.payperuse.too_large", 13: "error.usage.quotes",
	}
	if len(problems) != len(wantProblems) {
		t.Fatalf("problems: %+v", problems)
	}
	for _, p := range problems {
		if got := app.AsError(p.Err).Key; got != wantProblems[p.Line] {
			t.Errorf("line %d: %s, want %s", p.Line, got, wantProblems[p.Line])
		}
	}
	// Semicolons, as a spreadsheet with a decimal comma writes them, and no header.
	lines, problems, err = app.ParseUsageCSV(strings.NewReader("7;90;30\n8;60;0"))
	if err != nil || len(problems) != 0 || len(lines) != 2 || lines[1] != (app.UsageLine{2, 8, 60, 0}) {
		t.Fatalf("semicolons: %+v %+v %v", lines, problems, err)
	}
	for name, in := range map[string]string{
		"empty": "", "header only": "session,person_minutes,teleconference_minutes\n",
		"too many lines": strings.Repeat("\n", app.MaxUsageLines+1),
	} {
		if _, _, err := app.ParseUsageCSV(strings.NewReader(in)); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzParseUsageCSV: whatever the file, the parser never panics, every line
// is reported once (good or bad) in order, and every good line is usage
// that the true-up can price.
func FuzzParseUsageCSV(f *testing.F) {
	for _, s := range []string{
		"session,person_minutes,teleconference_minutes\n12,2250,900\n", "1;2;1", "\"1\",\"2\",\"3\"",
		"1,2,3\n1,2,1\n", "\ufeff\r\n\r\n5,0,0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 2048 {
			// Long enough for a line above the limit; longer inputs only
			// slow the fuzzer's minimizing down.
			t.Skip()
		}
		lines, problems, err := app.ParseUsageCSV(strings.NewReader(in))
		if err != nil {
			if app.ErrorCode(err) != app.EINVALID || (len(lines)+len(problems)) != 0 {
				t.Fatalf("error %v with %d lines", err, len(lines)+len(problems))
			}
			return
		}
		n := strings.Count(in, "\n") + 1
		seen := map[int]bool{}
		ids := map[int64]bool{}
		for _, l := range lines {
			if l.Line < 1 || l.Line > n || seen[l.Line] || ids[l.SessionID] || l.SessionID <= 0 ||
				l.TeleconferenceMinutes < 0 || l.TeleconferenceMinutes > l.PersonMinutes ||
				l.PersonMinutes > app.MaxSessionMinutes*app.MaxComputers {
				t.Fatalf("bad line %+v (of %d)", l, n)
			}
			seen[l.Line], ids[l.SessionID] = true, true
			if _, err := app.ActualCost(l.PersonMinutes, l.TeleconferenceMinutes, app.Rates{
				PersonMinuteE4:         app.MaxRateE4,
				TeleconferenceMinuteE4: app.MaxRateE4, Currency: "JPY",
			}); err != nil && app.AsError(err).Key != "error.payperuse.too_large" {
				t.Fatalf("%+v cannot be priced: %v", l, err)
			}
		}
		for _, p := range problems {
			e := app.AsError(p.Err)
			if p.Line < 1 || p.Line > n || seen[p.Line] || e.Code != app.EINVALID || e.Key == "" {
				t.Fatalf("bad problem %+v: %v", p, p.Err)
			}
			seen[p.Line] = true
		}
	})
}

// Importing usage: a preview records nothing and names each bad line;
// applying records the true-up, which is then charged or refunded.
func TestUsageImportPreviewThenApply(t *testing.T) {
	p := newPPU(t)
	paid := p.session(90, 25, 10)    // 342.00
	other := p.session(60, 10, 0)    // never paid
	p.pay(mustCharge(t, p, paid.ID)) // 342.00
	csv := "session,person_minutes,teleconference_minutes\n" +
		"session:" + itoa(paid.ID) + ",2000,1000\n" + // 240.00 + 80.00 = 320.00: 22.00 back
		itoa(other.ID) + ",100,0\n" +
		"999,1,1\n" +
		"oops\n"
	lines, problems, err := app.ParseUsageCSV(strings.NewReader(csv))
	if err != nil || len(lines) != 3 || len(problems) != 1 || problems[0].Line != 5 {
		t.Fatalf("parse: %+v %+v %v", lines, problems, err)
	}
	previews, refused, err := p.svc.PreviewUsage(p.ctx, lines)
	if err != nil {
		t.Fatal(err)
	}
	if len(previews) != 1 || previews[0].TrueUp.Actual.TotalMinor != 32000 || previews[0].TrueUp.DiffMinor != -2200 {
		t.Fatalf("preview: %+v", previews)
	}
	keys := map[int]string{}
	for _, r := range refused {
		keys[r.Line] = app.AsError(r.Err).Key
	}
	if keys[3] != "error.usage.unpaid" || keys[4] != "error.usage.no_session" {
		t.Fatalf("refused: %v", keys)
	}
	if _, err := p.svc.TrueUp(p.ctx, paid.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the preview recorded the usage: %v", err)
	}
	tus, refused, err := p.svc.ApplyUsage(p.ctx, []app.UsageLine{previews[0].UsageLine})
	if err != nil || len(refused) != 0 || len(tus) != 1 || tus[0].DiffMinor != -2200 {
		t.Fatalf("apply: %+v %+v %v", tus, refused, err)
	}
	acc, _ := p.db.PayPerUseAccount(p.ctx, paid.ID)
	if acc.Actual == nil || acc.Actual.Source != app.UsageSourceImport || acc.Actual.PersonMinutes != 2000 {
		t.Fatalf("recorded: %+v", acc.Actual)
	}
	if n, err := p.svc.RefundExcess(p.ctx, paid.ID, "true-up"); err != nil || n != 2200 {
		t.Fatalf("refund: %d %v", n, err)
	}
}

// The domain checks a pay-per-use session as the form does: the feature
// must be enabled, at least one computer, and not more on the
// teleconference than connected; once paid, its type and department stay;
// with the feature off, nothing is priced.
func TestSchedulePayPerUseRules(t *testing.T) {
	p := newPPU(t)
	sessions := app.NewSessionService(p.db, p.db, p.site, p.payments, nil)
	base := app.Session{
		Topic: "Onboarding", StartsAt: time.Now().Add(48 * time.Hour), DurationMinutes: 90,
		Type: app.SessionPayPerUse, ExpectedComputers: 25, ExpectedTeleconference: 10, DepartmentID: p.dept.ID,
	}
	bad := base
	bad.ExpectedTeleconference = 26
	if _, err := sessions.Schedule(p.ctx, bad); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("teleconference above computers: %v", err)
	}
	bad = base
	bad.ExpectedComputers, bad.ExpectedTeleconference = 0, 0
	if _, err := sessions.Schedule(p.ctx, bad); app.AsError(err).Key != "error.payperuse.computers_positive" {
		t.Fatalf("no computers: %v", err)
	}
	s, err := sessions.Schedule(p.ctx, base)
	if err != nil || s.Currency != "USD" {
		t.Fatalf("schedule: %+v %v", s, err)
	}
	// Unpaid, the department may change (to none here).
	s.DepartmentID = 0
	if s, err = sessions.Update(p.ctx, s); err != nil || s.DepartmentID != 0 {
		t.Fatalf("department: %+v %v", s, err)
	}
	s.DepartmentID = p.dept.ID
	if s, err = sessions.Update(p.ctx, s); err != nil {
		t.Fatal(err)
	}
	p.pay(mustCharge(t, p, s.ID))
	s, _ = sessions.Session(p.ctx, s.ID)
	moved := s
	moved.DepartmentID = 0
	if _, err := sessions.Update(p.ctx, moved); app.AsError(err).Key != "error.payperuse.department_locked" {
		t.Fatalf("department after paying: %v", err)
	}
	free := s
	free.Type = app.SessionFree
	if _, err := sessions.Update(p.ctx, free); app.AsError(err).Key != "error.payperuse.type_locked" {
		t.Fatalf("type after paying: %v", err)
	}
	// Switched off by the site administrator, the feature refuses the
	// estimate with whom to contact: the one who switches it back on.
	if err := p.site.SetFeatureEnabled(p.ctx, p.admin, app.FeaturePayPerUse, false); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.Quote(p.ctx, s.ID); app.AsError(err).Key != "error.feature.contact_site_admin" {
		t.Fatalf("feature off: %v", err)
	}
	if err := p.svc.Available(p.ctx); app.AsError(err).Key != "error.feature.contact_site_admin" {
		t.Fatalf("available: %v", err)
	}
}

func mustCharge(t *testing.T, p *ppu, id int64) app.PayPerUseCharge {
	t.Helper()
	c, err := p.svc.PrepareCharge(p.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
