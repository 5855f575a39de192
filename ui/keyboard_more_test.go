package ui

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
	"github.com/trainpay/trainpay/ui/widgets"
)

// The keyboard on radio choices, the time-zone field and lists, in English
// and Polish: Escape and Enter act on the dialog from them as from any
// other field, the arrows move a radio choice, Enter opens a section.

// shiftTabToLabel presses Shift+Tab until the radio or check item labelled
// label has the focus.
func (k *keyboard) shiftTabToLabel(label string) {
	k.T.Helper()
	k.MoveUntil("the choice "+label, k.ShiftTab, func(f fyne.Focusable) bool { return focusLabel(f) == label })
}

// Escape on the session type's choice closes the schedule form, and
// nothing is scheduled.
func TestKeyboardEscapeOnARadioChoiceClosesTheScheduleForm(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e := newSessionsEnv(t, lang, true, nil)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		kb.Ctrl(fyne.KeyN)
		if m.sessionsScr.form == nil {
			t.Fatal("Ctrl+N opened no schedule form")
		}
		kb.Type("Excel")
		kb.tabToLabel(T("schedule.type_paid"))
		kb.Escape()
		if top := m.Window().Canvas().Overlays().Top(); top != nil {
			t.Fatalf("Escape on the session type left the form open: %q", screenTexts(m.Window()))
		}
		if _, n, err := e.svc.List(context.Background(), app.SessionFilter{When: app.SessionsAll}); err != nil || n != 0 {
			t.Fatalf("sessions after Escape: %d %v", n, err)
		}
	})
}

// Enter on the session type's choice presses Schedule, the form's default
// button.
func TestKeyboardEnterOnARadioChoiceSchedules(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e := newSessionsEnv(t, lang, true, nil)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		kb.Ctrl(fyne.KeyN)
		f := m.sessionsScr.form
		if f == nil {
			t.Fatal("Ctrl+N opened no schedule form")
		}
		kb.Type("Excel")
		kb.TabTo(f.date, "the date")
		kb.Type(dateText(time.Now().AddDate(0, 0, 10)))
		kb.TabTo(f.clock, "the time")
		kb.Type("10:00")
		kb.TabTo(f.capacity, "the places")
		kb.Type("12")
		kb.shiftTabToLabel(T("schedule.type_free"))
		kb.Enter()
		if top := m.Window().Canvas().Overlays().Top(); top != nil {
			t.Fatalf("Enter on the session type left the form open: %q %q", f.message.Text, screenTexts(m.Window()))
		}
		got, n, err := e.svc.List(context.Background(), app.SessionFilter{When: app.SessionsAll})
		if err != nil || n != 1 || got[0].Topic != "Excel" || got[0].Type != app.SessionFree {
			t.Fatalf("sessions after Enter: %+v %d %v", got, n, err)
		}
	})
}

// The arrow keys move the session type's choice, and the focus with it:
// Right picks Paid after Free, Left goes back, Down and Up as well.
func TestKeyboardArrowsMoveARadioChoice(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e := newSessionsEnv(t, lang, true, nil)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		kb.Ctrl(fyne.KeyN)
		f := m.sessionsScr.form
		if f == nil {
			t.Fatal("Ctrl+N opened no schedule form")
		}
		free, paid := T("schedule.type_free"), T("schedule.type_paid")
		kb.tabToLabel(free)
		for _, step := range []struct {
			key  fyne.KeyName
			want string
		}{{fyne.KeyRight, paid}, {fyne.KeyLeft, free}, {fyne.KeyDown, paid}, {fyne.KeyUp, free}} {
			kb.Key(step.key)
			if f.sessionType.Selected != step.want || focusLabel(kb.Focused()) != step.want {
				t.Fatalf("%s: chosen %q, focus on %q; want %q", step.key, f.sessionType.Selected, focusLabel(kb.Focused()), step.want)
			}
		}
		if f.fee.Disabled() {
			kb.Key(fyne.KeyRight)
			if f.fee.Disabled() {
				t.Fatal("Paid chosen by the arrow left the fee disabled")
			}
		}
	})
}

// Escape on the promotional code form's kind closes the form; Enter there
// saves the code.
func TestKeyboardEscapeAndEnterOnThePromoCodeKind(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e, _ := newPromoEnv(t, lang, true)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		kb.openSection(m, SectionPromo)
		s := m.promoScr
		kb.TabToButton(T("promo.custom"))
		kb.Enter()
		if s.form == nil {
			t.Fatal("Enter opened no form")
		}
		kb.tabToLabel(T("promo.kind_percent"))
		kb.Escape()
		if top := m.Window().Canvas().Overlays().Top(); top != nil {
			t.Fatalf("Escape on the kind left the form open: %q", screenTexts(m.Window()))
		}

		kb.TabToButton(T("promo.custom"))
		kb.Enter()
		f := s.form
		kb.TabTo(f.code, "the code")
		kb.Type("RADIO-10")
		kb.TabTo(f.value, "the value")
		kb.Type("10")
		kb.shiftTabToLabel(T("promo.kind_percent"))
		kb.Enter()
		codes, err := e.deps.Promo.Codes(context.Background())
		if err != nil || len(codes) != 1 || codes[0].Code != "RADIO-10" {
			t.Fatalf("codes after Enter on the kind: %+v %v (%q)", codes, err, f.msg.Text)
		}
		if top := m.Window().Canvas().Overlays().Top(); top != nil {
			t.Fatalf("the form is still open: %q", screenTexts(m.Window()))
		}
	})
}

// Enter on the section list opens the highlighted section, as Space does.
func TestKeyboardEnterOpensASection(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e := newSessionsEnv(t, lang, true, nil)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		kb.TabTo(m.nav, "the sections")
		for range m.sections {
			kb.Key(fyne.KeyUp)
		}
		for i, s := range m.sections {
			if i == 0 {
				continue
			}
			kb.Key(fyne.KeyDown)
			kb.Enter()
			if m.current != s.id {
				t.Fatalf("Enter on %q opened %q", s.id, m.current)
			}
			if kb.Focused() == nil {
				kb.TabTo(m.nav, "the sections")
			}
		}
	})
}

// Escape in the list of the promotional code's session chooser closes the
// chooser and leaves the code's form open.
func TestKeyboardEscapeInTheSessionChooserListClosesIt(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e, _ := newPromoSessionsEnv(t, lang)
		e.schedulePaid("Excel for accountants", 200_00, 10)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		kb.openSection(m, SectionPromo)
		s := m.promoScr
		kb.TabToButton(T("promo.custom"))
		kb.Enter()
		f := s.form
		if f == nil {
			t.Fatal("Enter opened no form")
		}
		kb.tabToLabel(T("promo.chosen_sessions"))
		kb.Space()
		kb.TabToButton(T("promo.choose_sessions"))
		kb.Enter()
		c := m.Window().Canvas()
		picker := c.Overlays().Top()
		if f.sessions.dlg == nil || picker == nil {
			t.Fatalf("Enter opened no chooser: %q", screenTexts(m.Window()))
		}
		kb.TabUntil("the chooser's list", func(fc fyne.Focusable) bool {
			_, ok := fc.(fyne.Widget)
			return ok && fc == fyne.Focusable(f.sessions.list)
		})
		kb.Escape()
		if c.Overlays().Top() == picker {
			t.Fatalf("Escape in the list left the chooser open: %q", screenTexts(m.Window()))
		}
		if c.Overlays().Top() == nil {
			t.Fatal("Escape in the chooser's list closed the code's form too")
		}
	})
}

// The wizard's time-zone field is reached by Tab and shows the focus ring
// while it has the focus, as the fields around it do; Escape and Enter
// there (no dialog is open) change nothing and keep the focus.
func TestKeyboardTimeZoneFieldShowsTheFocusRing(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e := newEnv(t, lang)
		e.provision(app.FeaturePaidSessions)
		m, kb := mainWindowIn(t, e.app, e.deps, lang)
		wz := m.wizard
		if wz == nil {
			t.Fatal("no wizard")
		}
		kb.TabTo(wz.timeZone, "the time zone")
		before := wz.timeZone.Text
		if !widgets.RingShown(test.WidgetRenderer(wz.timeZone)) {
			t.Fatal("the focused time-zone field shows no focus ring")
		}
		kb.Escape()
		kb.Enter()
		if wz.timeZone.Text != before || kb.Focused() != wz.timeZone {
			t.Fatalf("after Escape and Enter: %q, focus on %s", wz.timeZone.Text, uitest.DescribeFocus(kb.Focused()))
		}
		kb.Tab()
		if widgets.RingShown(test.WidgetRenderer(wz.timeZone)) {
			t.Fatal("the ring stayed after Tab left the time-zone field")
		}
	})
}

// Escape on the theme's choice closes Preferences, as from any other field
// of that window.
func TestKeyboardEscapeOnAChoiceClosesPreferences(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e := newSessionsEnv(t, lang, true, nil)
		m, _ := mainWindowIn(t, e.app, e.deps, lang)
		m.ShowPreferences()
		p := m.prefs
		if p == nil {
			t.Fatal("no Preferences window")
		}
		kb := newKeyboard(t, p.win)
		kb.tabToLabel(T("prefs.theme_dark"))
		kb.Escape()
		if m.prefs != nil {
			t.Fatal("Escape on the theme's choice left Preferences open")
		}
	})
}

// Escape in the list of an import's bad lines closes the preview, and
// nothing is imported (the file is read as the file dialog would hand it
// over).
func TestKeyboardEscapeInTheImportPreviewListClosesIt(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		e, _ := newPromoEnv(t, lang, true)
		s, w := e.promoScreen()
		kb := newKeyboard(t, w)
		kb.TabToButton(T("promo.custom"))
		kb.Enter()
		kb.TabTo(s.form.code, "the code")
		kb.Type("IMPORT-1")
		kb.TabTo(s.form.value, "the value")
		kb.Type("10")
		kb.Enter()
		s.list.Select(0)
		s.previewImport(strings.NewReader("jan@example.pl,Jan\nnot-an-email\n"))
		if s.preview == nil {
			t.Fatal("no preview")
		}
		dlg := w.Canvas().Overlays().Top()
		kb.TabUntil("the bad lines", func(f fyne.Focusable) bool {
			switch f.(type) {
			case *widget.List, *widgets.List:
				return w.Canvas().Overlays().Top() == dlg
			}
			return false
		})
		kb.Escape()
		if w.Canvas().Overlays().Top() == dlg {
			t.Fatalf("Escape in the bad lines left the preview open: %q", screenTexts(w))
		}
		if len(s.recipients) != 0 {
			t.Fatalf("Escape imported %d recipients", len(s.recipients))
		}
	})
}

// Escape in the usage import's preview list closes the import and records
// nothing (the file is read as the file dialog would hand it over).
func TestKeyboardEscapeInTheUsagePreviewListClosesIt(t *testing.T) {
	inLanguages(t, func(t *testing.T, lang string) {
		pe := newPPUEnv(t)
		SetLanguage(lang)
		pe.withSessions()
		s := paidSession(t, pe)
		v := showUsageImport(pe.deps, pe.w, nil)
		v.read("usage.csv", io.NopCloser(strings.NewReader(
			"session,person_minutes,teleconference_minutes\n"+strconv.FormatInt(s.ID, 10)+",2000,1000\nabc,1,1\n")))
		w := pe.w
		kb := newKeyboard(t, w)
		dlg := w.Canvas().Overlays().Top()
		kb.TabUntil("the preview", func(f fyne.Focusable) bool {
			switch f.(type) {
			case *widget.List, *widgets.List:
				return w.Canvas().Overlays().Top() == dlg
			}
			return false
		})
		kb.Escape()
		if w.Canvas().Overlays().Top() == dlg {
			t.Fatalf("Escape in the preview left the import open: %q", screenTexts(w))
		}
		if acc, _ := pe.db.PayPerUseAccount(context.Background(), s.ID); acc.Actual != nil {
			t.Fatal("Escape recorded the usage")
		}
	})
}
