package ui

import (
	"fmt"
	"testing"

	"github.com/trainpay/trainpay/app"
)

func TestParseClock(t *testing.T) {
	for in, want := range map[string]string{"14:30": "14:30", "9:05": "09:05", " 07.45 ": "07:45", "23:59": "23:59", "0:00": "00:00"} {
		h, m, ok := parseClock(in)
		if !ok || fmt.Sprintf("%02d:%02d", h, m) != want {
			t.Errorf("%q: %d:%d %v", in, h, m, ok)
		}
	}
	for _, in := range []string{"", "24:00", "12:60", "1230", "12:3", "+1:30", "-1:30", "ab:cd", "12:30:00", "123:00"} {
		if _, _, ok := parseClock(in); ok {
			t.Errorf("%q accepted", in)
		}
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"14:30", "9:05", "07.45", "24:00", "+1:30", "１２:３０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, ok := parseClock(s)
		if !ok {
			return
		}
		if h < 0 || h > 23 || m < 0 || m > 59 {
			t.Fatalf("%q gave %d:%d", s, h, m)
		}
		// What was read reads back the same.
		h2, m2, ok2 := parseClock(fmt.Sprintf("%d:%02d", h, m))
		if !ok2 || h2 != h || m2 != m {
			t.Fatalf("%q: %d:%d does not round-trip", s, h, m)
		}
	})
}

// The Fee applies to paid sessions only: disabled, in its place, for a
// free or a pay-per-use session, and so are the pay-per-use fields for any
// other type.
func TestScheduleFormEnablesOnlyTheFieldsOfTheChosenType(t *testing.T) {
	pe := newPPUEnv(t)
	f := newScheduleForm(pe.deps, pe.w, mustSite(t, pe.env), nil, nil, nil)
	f.show()
	for _, c := range []struct {
		typ       app.SessionType
		fee, ppu  bool
		startShow bool
	}{
		{app.SessionPayPerUse, false, true, true},
		{app.SessionPaid, true, false, true},
		{app.SessionFree, false, false, true},
		{app.SessionPayPerUse, false, true, true},
	} {
		f.sessionType.SetSelected(f.types.Label(c.typ))
		if f.fee.Disabled() == c.fee || !f.fee.Visible() {
			t.Errorf("%s: fee enabled %v, visible %v", c.typ, !f.fee.Disabled(), f.fee.Visible())
		}
		if f.computers.Disabled() == c.ppu || f.tele.Disabled() == c.ppu || f.department.Disabled() == c.ppu || !f.ppuForm.Visible() {
			t.Errorf("%s: pay-per-use fields enabled %v, visible %v", c.typ, !f.computers.Disabled(), f.ppuForm.Visible())
		}
		if f.startNow.Visible() != c.startShow {
			t.Errorf("%s: Start Session visible %v", c.typ, f.startNow.Visible())
		}
	}
}
