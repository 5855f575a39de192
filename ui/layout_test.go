package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
	"github.com/trainpay/trainpay/ui/widgets"
)

// Forms that hold still: a validation message appearing, or an option
// shown, moves no field, so the next click lands where it was aimed.

// settle lays the window out again as the desktop driver does every frame
// (the test driver lays out only what is resized): every container and
// widget is laid out at its size, each top-level tree grown to its minimum
// size if it needs more.
func settle(t *testing.T, w fyne.Window) {
	t.Helper()
	c := w.Canvas()
	trees := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	for _, o := range trees {
		if o == nil {
			continue
		}
		o.Resize(o.Size().Max(o.MinSize()))
		relayout(t, o)
	}
}

func relayout(t *testing.T, o fyne.CanvasObject) {
	if !o.Visible() {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		if x.Layout != nil {
			x.Layout.Layout(x.Objects, x.Size())
		}
		for _, c := range x.Objects {
			relayout(t, c)
		}
	case fyne.Widget:
		r := test.TempWidgetRenderer(t, x)
		r.Layout(x.Size())
		for _, c := range r.Objects() {
			relayout(t, c)
		}
	}
}

// fieldPositions are the fields' absolute positions in the window.
type fieldPositions map[string]fyne.Position

func positionsOf(fields map[string]fyne.CanvasObject) fieldPositions {
	d := fyne.CurrentApp().Driver()
	out := fieldPositions{}
	for name, o := range fields {
		out[name] = d.AbsolutePositionForObject(o)
		if out[name].IsZero() {
			for _, w := range d.AllWindows() {
				if p := placed(w.Canvas(), o); p != o {
					out[name] = d.AbsolutePositionForObject(p)
				}
			}
		}
		if out[name].IsZero() {
			// Not found on the canvas (as an embedded widget never is):
			// a comparison of zeros would prove nothing.
			panic(fmt.Sprintf("the field %q is not on the canvas", name))
		}
	}
	return out
}

// stayed fails the test for every field that moved since before.
func stayed(t *testing.T, w fyne.Window, step string, before fieldPositions, fields map[string]fyne.CanvasObject) {
	t.Helper()
	settle(t, w)
	after := positionsOf(fields)
	var moved []string
	for name, p := range before {
		if after[name] != p {
			moved = append(moved, fmt.Sprintf("%s %v→%v", name, p, after[name]))
		}
	}
	if len(moved) > 0 {
		t.Errorf("%s moved: %s", step, strings.Join(moved, ", "))
	}
}

// desktopSize is the window of the reports: 1280×800.
var desktopSize = fyne.NewSize(1280, 800)

// The scheduling form: each field's message appears (bad input), the
// session type changes, and no field moves, in English and in Polish.
func TestScheduleFormFieldsHoldStillWhileMessagesAppear(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			pe := newPPUEnv(t)
			SetLanguage(language)
			pe.w.Resize(desktopSize)
			f := newScheduleForm(pe.deps, pe.w, mustSite(t, pe.env), nil, nil, nil)
			f.show()
			fields := map[string]fyne.CanvasObject{
				"topic": f.topic, "description": f.description, "date": f.date, "clock": f.clock,
				"duration": f.duration, "type": f.sessionType, "fee": f.fee, "register": f.register,
				"capacity": f.capacity, "closes date": f.closesDate, "closes clock": f.closesClock,
				"may cancel": f.mayCancel, "cancel hours": f.cancelHours, "refund": f.refundPct,
				"computers": f.computers, "teleconference": f.tele, "department": f.department,
				"schedule": f.save,
			}
			settle(t, pe.w)
			before := positionsOf(fields)
			steps := []struct {
				name string
				do   func()
			}{
				{"a topic too long", func() { f.topic.SetText(strings.Repeat("a", app.MaxTopicLength+1)) }},
				{"a start that is no time", func() { f.clock.SetText("25:99") }},
				{"a paid session", func() { f.sessionType.SetSelected(f.types.Label(app.SessionPaid)) }},
				{"a fee that is no amount", func() { f.fee.SetText("abc") }},
				{"a fee", func() { f.fee.SetText("12,50") }},
				{"a capacity of none", func() { f.capacity.SetText("0") }},
				{"a closing time that is no time", func() { f.closesClock.SetText("99") }},
				{"cancelling allowed", func() { f.mayCancel.SetChecked(true) }},
				{"hours that are no number", func() { f.cancelHours.SetText("abc") }},
				{"a pay-per-use session", func() { f.sessionType.SetSelected(f.types.Label(app.SessionPayPerUse)) }},
				{"computers that are no number", func() { f.computers.SetText("x") }},
				{"teleconference that is no number", func() { f.tele.SetText("x") }},
				{"a free session", func() { f.sessionType.SetSelected(f.types.Label(app.SessionFree)) }},
			}
			shown := 0
			for _, s := range steps {
				s.do()
				stayed(t, pe.w, s.name, before, fields)
			}
			for _, l := range f.errs {
				if l.Visible() {
					shown++
				}
			}
			if shown < 4 {
				t.Fatalf("only %d messages shown: the bad input did not make them appear", shown)
			}
		})
	}
}

func mustSite(t *testing.T, e *env) app.Site {
	t.Helper()
	s, err := e.db.Site(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openDepartmentForm unlocks and opens the department form over a
// departments screen in language, the budgets wrapped by budgets when it
// is not nil; the form's entries are returned.
func openDepartmentForm(t *testing.T, language string, budgets func(BudgetService) BudgetService) (*ppuEnv, []*widget.Entry) {
	t.Helper()
	pe := newPPUEnv(t)
	SetLanguage(language)
	pe.w.Resize(desktopSize)
	if budgets != nil {
		pe.deps.Budgets = budgets(pe.deps.Budgets)
	}
	scr := newDepartmentsScreen(pe.deps, pe.w, mustSite(t, pe.env))
	pe.w.SetContent(scr.content)
	scr.onEditDepartment(app.Department{})
	box := pe.w.Canvas().Focused()
	if box == nil {
		t.Fatal("no passphrase asked for")
	}
	test.Type(box, testPassphrase)
	pressEnter(box)
	entries := overlayEntries(pe.w)
	if len(entries) < 4 {
		t.Fatalf("the department form has %d entries", len(entries))
	}
	return pe, entries
}

func entryFields(w fyne.Window, names []string, entries []*widget.Entry) map[string]fyne.CanvasObject {
	fields := map[string]fyne.CanvasObject{}
	for i, n := range names {
		fields[n] = entryObject(w, entries[i])
	}
	return fields
}

// entryObject is the object that holds e's place on w's canvas: the
// keyboard's entry (ui/widgets.Entry) that embeds e, or e itself.
func entryObject(w fyne.Window, e *widget.Entry) fyne.CanvasObject { return placed(w.Canvas(), e) }

// placed is the object that holds o's place on c: the keyboard's widget
// (ui/widgets) that embeds o, or o itself. Only it has a position on the
// canvas; the embedded Fyne widget that tests find is never in the tree.
func placed(c fyne.Canvas, o fyne.CanvasObject) fyne.CanvasObject {
	found := o
	visit := func(x fyne.CanvasObject) uitest.Visit {
		var embedded fyne.CanvasObject
		switch x := x.(type) {
		case *widgets.Entry:
			embedded = &x.Entry
		case *widgets.Button:
			embedded = &x.Button
		case *widgets.Select:
			embedded = &x.Select
		case *widgets.Check:
			embedded = &x.Check
		default:
			return uitest.Into
		}
		if embedded == o {
			found = x
		}
		return uitest.Past
	}
	uitest.Walk(c.Content(), false, visit)
	for _, x := range c.Overlays().List() {
		uitest.Walk(x, false, visit)
	}
	return found
}

// The department form: each field's refusal appears under it and no field
// moves, in English and in Polish.
func TestDepartmentFormFieldsHoldStillWhileMessagesAppear(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			pe, entries := openDepartmentForm(t, language, nil)
			fields := entryFields(pe.w, []string{"name", "cost centre", "owner", "email"}, entries)
			fields["save"] = findButton(pe.w, T("departments.save"))
			settle(t, pe.w)
			before := positionsOf(fields)
			for i, name := range []string{"name", "cost centre", "owner"} {
				entries[i].SetText("Dział\u0007")
				pe.w.Canvas().Unfocus()
				stayed(t, pe.w, "a control character in the "+name, before, fields)
			}
			want := sentence(ErrorText(app.CheckLine(app.FieldCostCentre, "\u0007")))
			if b := fieldBoxOf(pe.w, entries[1]); b == nil || !b.msg.Visible() || b.msg.Text != want {
				t.Fatalf("the refusal is not shown under the cost centre (want %q)", want)
			}
		})
	}
}

// Allocating: an amount that is no amount is refused under the field,
// which moves nothing.
func TestAllocateFormFieldsHoldStillWhileMessagesAppear(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			pe := newPPUEnv(t)
			SetLanguage(language)
			pe.w.Resize(desktopSize)
			scr := newDepartmentsScreen(pe.deps, pe.w, mustSite(t, pe.env))
			scr.admin = pe.admin
			pe.w.SetContent(scr.content)
			scr.onAllocate(pe.dept)
			entries := overlayEntries(pe.w)
			if len(entries) < 2 {
				t.Fatalf("the allocation form has %d entries", len(entries))
			}
			fields := entryFields(pe.w, []string{"amount", "note"}, entries)
			settle(t, pe.w)
			before := positionsOf(fields)
			entries[0].SetText("abc")
			stayed(t, pe.w, "an amount that is no amount", before, fields)
			entries[1].SetText("a\u0007")
			stayed(t, pe.w, "a control character in the note", before, fields)
		})
	}
}

// A department the service refuses comes back with the reason beside the
// field it names, as a sentence, and no error dialog.
func TestDepartmentRefusalShowsBesideItsField(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			pe, entries := openDepartmentForm(t, language, nil)
			for i, v := range []string{"Dział Szkoleń", "CC-7700", "Jan Nowak", "jan(at)example.com"} {
				test.Type(entries[i], v)
			}
			test.Tap(findButton(pe.w, T("departments.save")))
			d := app.Department{Name: "Dział Szkoleń", CostCentre: "CC-7700", OwnerName: "Jan Nowak", OwnerEmail: "jan(at)example.com"}
			want := sentence(ErrorText(d.Validate()))
			box := fieldBoxOf(pe.w, overlayEntries(pe.w)[3])
			if box == nil || !box.msg.Visible() || box.msg.Text != want {
				t.Fatalf("the email's refusal is not beside it: %v, want %q; screen %q", box, want, screenTexts(pe.w))
			}
			if n := len(pe.w.Canvas().Overlays().List()); n != 1 {
				t.Errorf("%d overlays: an error dialog as well as the form", n)
			}
		})
	}
}

// fieldBoxOf is the fieldBox holding e in the window's overlays.
func fieldBoxOf(w fyne.Window, e *widget.Entry) *fieldBox {
	var found *fieldBox
	for _, o := range w.Canvas().Overlays().List() {
		if uitest.Walk(o, false, func(o fyne.CanvasObject) uitest.Visit {
			if b, ok := o.(*fieldBox); ok && &b.entry.Entry == e {
				found = b
				return uitest.Stop
			}
			return uitest.Into
		}) {
			break
		}
	}
	return found
}

// The passphrase box of the departments' unlock dialog is wide enough to
// see a passphrase of several words as it is typed.
func TestDepartmentPassphraseBoxIsWide(t *testing.T) {
	pe := newPPUEnv(t)
	pe.w.Resize(desktopSize)
	askPassphrase(pe.deps, pe.w, nil, func(*app.Admin) {})
	settle(t, pe.w)
	entries := overlayEntries(pe.w)
	if len(entries) != 1 {
		t.Fatalf("%d entries", len(entries))
	}
	if w := entries[0].Size().Width; w < 380 {
		t.Errorf("the passphrase box is %.0f wide", w)
	}
}

// The promotional code forms (a custom code, generated codes): each
// field's refusal appears beside it, as a sentence, and no field moves, in
// English and in Polish.
func TestPromoCodeFormFieldsHoldStillWhileMessagesAppear(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		for _, generated := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s generated=%v", language, generated), func(t *testing.T) {
				e, _ := newPromoEnv(t, language, true)
				s, w := e.promoScreen()
				w.Resize(desktopSize)
				if generated {
					test.Tap(s.generate)
				} else {
					test.Tap(s.custom)
				}
				f := s.form
				fields := map[string]fyne.CanvasObject{
					"kind": f.kind, "value": f.value, "usage": f.usage, "usage n": f.usageN, "per attendee": f.perAtt,
					"from": f.from, "until": f.until, "applies": f.applies, "choose": f.sessions.choose, "submit": f.submit,
				}
				if generated {
					fields["quantity"], fields["length"], fields["per recipient"] = f.quantity, f.length, f.perRecipient
				} else {
					fields["code"] = f.code
					f.code.SetText("GOOD-CODE")
				}
				settle(t, w)
				before := positionsOf(fields)
				steps := []struct {
					field string
					do    func()
				}{
					{app.PromoFieldValue, func() { f.value.SetText("abc") }},
					{app.PromoFieldUseLimit, func() { f.value.SetText("10"); f.usage.SetSelectedIndex(1); f.usageN.SetText("x") }},
					{app.PromoFieldPerAttendee, func() { f.usageN.SetText("3"); f.perAtt.SetText("0") }},
					{app.PromoFieldValidFrom, func() { f.perAtt.SetText("1"); f.from.SetText("yesterday") }},
					{app.PromoFieldValidUntil, func() { f.from.SetText("2030-01-10"); f.until.SetText("2030-01-01") }},
					{app.PromoFieldSessions, func() {
						f.until.SetText("2030-02-01")
						f.applies.SetSelected(f.scopes.Label(false))
					}},
				}
				if generated {
					steps = append(steps, struct {
						field string
						do    func()
					}{app.PromoFieldLength, func() { f.applies.SetSelected(f.scopes.Label(true)); f.length.SetText("2") }})
				} else {
					steps = append(steps, struct {
						field string
						do    func()
					}{app.PromoFieldCode, func() { f.applies.SetSelected(f.scopes.Label(true)); f.code.SetText("ZŁY KOD") }})
				}
				for _, st := range steps {
					st.do()
					test.Tap(f.submit)
					stayed(t, w, "a bad "+st.field, before, fields)
					l := f.errs[st.field]
					if l == nil || !l.Visible() || l.Text == "" || l.Text != sentence(l.Text) {
						t.Errorf("the %s's refusal is not beside it; under the form %q", st.field, f.msg.Text)
					}
					if f.msg.Visible() {
						t.Errorf("a refusal naming the %s is under the form: %q", st.field, f.msg.Text)
					}
				}
			})
		}
	}
}

// Payment methods: ticking Express Checkout shows its PayPal section, and
// choosing a processor its credentials, without moving Save or any other
// field, in English and in Polish.
func TestPaymentMethodsSaveHoldsStillWhenExpressCheckoutIsTicked(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			a := newSiteAdminEnv(t, language, "US", "USD", "America/New_York")
			a.m.Window().Resize(desktopSize)
			a.tab(T("admin.tab.methods"))
			mt := a.m.admin.methods
			if !mt.express.Visible() || mt.express.Disabled() {
				t.Fatal("Express Checkout is not offered")
			}
			fields := map[string]fyne.CanvasObject{
				"processor": mt.processor, "credit": mt.credit, "debit": mt.debit, "invoices": mt.invoices,
				"express": mt.express, "endpoint": mt.endpoint, "save": mt.save,
				"save credentials": mt.saveCreds, "test connection": mt.testConn,
			}
			settle(t, a.m.Window())
			before := positionsOf(fields)
			test.Tap(mt.express)
			if !mt.paypal.box.Visible() {
				t.Fatal("the PayPal section is not shown")
			}
			stayed(t, a.m.Window(), "ticking Express Checkout", before, fields)
			test.Tap(mt.express)
			stayed(t, a.m.Window(), "unticking Express Checkout", before, fields)
			mt.processor.SetSelected(processorName(app.ProcessorPayflow))
			stayed(t, a.m.Window(), "choosing Payflow Pro", before, fields)
			mt.processor.SetSelected(processorName(""))
			stayed(t, a.m.Window(), "choosing no processor", before, fields)
		})
	}
}

// Site settings (General): a refused name or time zone is said beside its
// field, as a sentence, and no field moves, in English and in Polish.
func TestSiteSettingsFieldsHoldStillAndSayRefusalsBesideThem(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			a := newAdminEnvIn(t, language)
			a.m.Window().Resize(desktopSize)
			a.tab(T("admin.tab.general"))
			g := a.m.admin.general
			fields := map[string]fyne.CanvasObject{
				"name": g.name, "country": g.country, "currency": g.currency, "time zone": g.timeZone,
				"language": g.language, "save": g.save,
			}
			settle(t, a.m.Window())
			before := positionsOf(fields)
			for _, c := range []struct {
				field string
				do    func()
			}{
				{string(app.FieldSiteName), func() { g.name.SetText("") }},
				{app.SiteFieldTimeZone, func() { g.name.SetText("Acme Szkolenia"); g.timeZone.SetText("Mars/Olympus_Mons") }},
			} {
				c.do()
				test.Tap(g.save)
				stayed(t, a.m.Window(), "a refused "+c.field, before, fields)
				l := g.errs[c.field]
				if l == nil || !l.Visible() || l.Text == "" || l.Text != sentence(l.Text) {
					t.Errorf("the %s's refusal is not beside it; status line %q", c.field, a.m.admin.statusMsg.Text)
				}
				if a.m.admin.statusMsg.Text != "" {
					t.Errorf("a refusal naming the %s is on the status line: %q", c.field, a.m.admin.statusMsg.Text)
				}
			}
		})
	}
}

// Security and the pay-per-use rates: each refusal is said under its field
// and no field moves, in English and in Polish.
func TestAdminPassphraseAndRatesSayRefusalsBesideTheirFields(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			a := newAdminEnvIn(t, language)
			w := a.m.Window()
			w.Resize(desktopSize)
			a.tab(T("admin.tab.security"))
			sec := a.m.admin.security
			fields := map[string]fyne.CanvasObject{"current": sec.current, "new": sec.pass, "confirm": sec.confirm, "save": sec.save}
			settle(t, w)
			before := positionsOf(fields)
			for _, c := range []struct {
				field                  string
				current, pass, confirm string
			}{
				{fieldConfirmPassphrase, testPassphrase, "a longer passphrase", "another one"},
				{app.FieldNewPassphrase, testPassphrase, "short", "short"},
				{app.FieldCurrentPassphrase, "not the passphrase", "a longer passphrase", "a longer passphrase"},
			} {
				sec.current.SetText(c.current)
				sec.pass.SetText(c.pass)
				sec.confirm.SetText(c.confirm)
				test.Tap(sec.save)
				stayed(t, w, "a refused "+c.field, before, fields)
				b := sec.boxes[c.field]
				if !b.msg.Visible() || b.msg.Text == "" || b.msg.Text != sentence(b.msg.Text) {
					t.Errorf("the %s's refusal is not beside it: %q; status line %q", c.field, b.msg.Text, a.m.admin.statusMsg.Text)
				}
				if a.m.admin.statusMsg.Text != "" {
					t.Errorf("a refusal naming the %s is on the status line: %q", c.field, a.m.admin.statusMsg.Text)
				}
			}

			a.tab(T("admin.tab.ecommerce"))
			c := a.m.admin.commerce
			fields = map[string]fyne.CanvasObject{"person": c.person, "teleconference": c.tele, "save": c.saveRate}
			settle(t, w)
			before = positionsOf(fields)
			c.person.SetText("abc")
			test.Tap(c.saveRate)
			stayed(t, w, "a rate that is no number", before, fields)
			if !c.perBox.msg.Visible() || a.m.admin.statusMsg.Text != "" {
				t.Errorf("the rate's refusal: beside it %q, status line %q", c.perBox.msg.Text, a.m.admin.statusMsg.Text)
			}
		})
	}
}

// Outgoing mail: a test message to what is not an address, or settings
// the rules refuse, are said under their field as a sentence (not raw and
// lower-case on the status line), and no field moves, in English and in
// Polish.
func TestOutgoingMailSaysRefusalsBesideTheirFields(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			e, _ := newPromoEnv(t, language, true)
			m := NewMainWindow(e.app, e.deps)
			w := m.Window()
			w.Resize(desktopSize)
			m.Open(SectionAdmin)
			m.admin.pass.SetText(testPassphrase)
			test.Tap(m.admin.unlockBtn)
			adm := m.admin
			for i, it := range adm.tabs.Items {
				if it.Text == T("admin.tab.smtp") {
					adm.tabs.SelectIndex(i)
				}
			}
			st := adm.smtp
			fields := map[string]fyne.CanvasObject{
				"host": st.host, "port": st.port, "tls": st.tls, "user": st.user, "password": st.password,
				"sender": st.sender, "sender name": st.senderName, "save": st.save, "to": st.testTo, "send": st.test,
			}
			settle(t, w)
			before := positionsOf(fields)
			for _, c := range []struct {
				field string
				do    func()
				tap   *widgets.Button
			}{
				{app.FieldRecipientEmail, func() { st.testTo.SetText("not-an-address") }, st.test},
				{app.SMTPFieldHost, func() { st.host.SetText("") }, st.save},
				{app.SMTPFieldPort, func() { st.host.SetText("smtp.example.com"); st.port.SetText("0") }, st.save},
				{app.SMTPFieldSender, func() { st.port.SetText("587"); st.sender.SetText("nobody") }, st.save},
			} {
				c.do()
				test.Tap(c.tap)
				stayed(t, w, "a refused "+c.field, before, fields)
				l := st.errs[c.field]
				if l == nil || !l.Visible() || l.Text == "" || l.Text != sentence(l.Text) {
					t.Errorf("the %s's refusal is not beside it as a sentence; status line %q", c.field, adm.statusMsg.Text)
				}
				if adm.statusMsg.Text != "" {
					t.Errorf("a refusal naming the %s is on the status line: %q", c.field, adm.statusMsg.Text)
				}
				if c.field == app.FieldRecipientEmail && l.Text != sentence(T("error.recipient.email_invalid")) {
					t.Errorf("the test address's refusal reads %q", l.Text)
				}
			}
		})
	}
}

// A recipient typed on a code's pane that is not an address is refused
// under the address, as a sentence.
func TestPromoRecipientRefusalShowsUnderTheAddress(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			e, _ := newPromoEnv(t, language, true)
			s, w := e.promoScreen()
			w.Resize(desktopSize)
			test.Tap(s.custom)
			s.form.code.SetText("RECIPIENTS")
			s.form.value.SetText("10")
			test.Tap(s.form.submit)
			s.list.Select(0)
			settle(t, w)
			fields := map[string]fyne.CanvasObject{"email": s.email, "name": s.name, "add": s.add, "import": s.importBtn}
			before := positionsOf(fields)
			s.email.SetText("not-an-address")
			test.Tap(s.add)
			stayed(t, w, "a refused address", before, fields)
			l := s.recipErrs[app.FieldRecipientEmail]
			if !l.Visible() || l.Text != sentence(T("error.recipient.email_invalid")) {
				t.Errorf("under the address %q; status line %q", l.Text, s.status.Text)
			}
			if s.status.Text != "" {
				t.Errorf("the status line says %q", s.status.Text)
			}
		})
	}
}

// The first-run wizard: a refused site detail or passphrase is said beside
// its field and no field moves, in English and in Polish.
func TestWizardSaysRefusalsBesideTheirFields(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			e := newEnv(t, language)
			m := NewMainWindow(e.app, e.deps)
			w := m.Window()
			w.Resize(desktopSize)
			wz := m.wizard
			if wz == nil {
				t.Fatal("no wizard")
			}
			fields := map[string]fyne.CanvasObject{
				"name": wz.name, "country": wz.country, "currency": wz.currency, "time zone": wz.timeZone,
				"language": wz.language, "next": wz.next,
			}
			settle(t, w)
			before := positionsOf(fields)
			check := func(field string) {
				t.Helper()
				test.Tap(wz.next)
				stayed(t, w, "a refused "+field, before, fields)
				l := wz.errs[field]
				if !l.Visible() || l.Text == "" || l.Text != sentence(l.Text) || wz.errMsg.Text != "" {
					t.Errorf("the %s's refusal: beside it %q, under the steps %q", field, l.Text, wz.errMsg.Text)
				}
			}
			check(string(app.FieldSiteName))
			wz.name.SetText("Acme Szkolenia")
			selectCountry(t, wz.country, wz.countryCds, "PL")
			wz.timeZone.SetText("Mars/Olympus_Mons")
			check(app.SiteFieldTimeZone)
			wz.timeZone.SetText("Europe/Warsaw")
			test.Tap(wz.next)
			if wz.step != 1 {
				t.Fatalf("step %d", wz.step)
			}
			fields = map[string]fyne.CanvasObject{"passphrase": wz.pass, "confirm": wz.confirm, "next": wz.next, "back": wz.back}
			settle(t, w)
			before = positionsOf(fields)
			wz.pass.SetText("short")
			check(app.FieldNewPassphrase)
			wz.pass.SetText(testPassphrase)
			wz.confirm.SetText("something else entirely")
			check(fieldConfirmPassphrase)
		})
	}
}

// Registering an attendee: an address that is not one, and a control
// character in the company, are refused beside their field and no field
// moves, in English and in Polish.
func TestRegistrationSaysRefusalsBesideTheirFields(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			e := newSessionsEnv(t, language, true, nil)
			s := e.schedulePaid("Negocjacje", 100_00, 10)
			e.w.Resize(desktopSize)
			f := showRegisterDialog(e.deps, e.w, s, nil)
			fields := map[string]fyne.CanvasObject{
				"first": f.first, "last": f.last, "email": f.email, "company": f.company,
				"country": f.country, "language": f.language, "next": f.next,
			}
			settle(t, e.w)
			before := positionsOf(fields)
			f.first.SetText("Jan")
			f.last.SetText("Nowak")
			f.email.SetText("jan(at)example.pl")
			stayed(t, e.w, "an address that is not one", before, fields)
			if l := f.errs[app.FieldAttendeeEmail]; !l.Visible() || l.Text != sentence(l.Text) || f.message.Visible() {
				t.Errorf("the address's refusal: beside it %q, under the form %q", l.Text, f.message.Text)
			}
			f.email.SetText("jan@example.pl")
			f.company.SetText("Acme\u0007")
			stayed(t, e.w, "a control character in the company", before, fields)
			if l := f.errs[string(app.FieldCompany)]; !l.Visible() || f.errs[app.FieldAttendeeEmail].Visible() {
				t.Errorf("the company's refusal: beside it %q; the address's still %q", l.Text, f.errs[app.FieldAttendeeEmail].Text)
			}
		})
	}
}
