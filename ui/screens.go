package ui

// Opening each screen and dialog by name, for `trainpay screens` (the
// screenshots of `make screenshots`) and for the clipping test. Each one is
// reached the way a person reaches it: the section is opened from the
// navigation, a session is selected and its button's handler runs, Site
// administration is unlocked with the passphrase. No screen is copied or
// built differently here.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
)

// ScreenOptions are what ShowScreen needs beyond the window.
type ScreenOptions struct {
	// Passphrase unlocks Site administration (the demo site's).
	Passphrase string
	// Timeout bounds the wait for each step's data (default 20 s).
	Timeout time.Duration
}

// screenOpener opens one screen or dialog and returns its window.
type screenOpener struct {
	name string
	open func(m *MainWindow, o ScreenOptions) (fyne.Window, error)
}

// screenOpeners are the screens and dialogs by name, in the order
// ScreenNames lists them.
var screenOpeners = []screenOpener{
	{"overview", openSection(SectionOverview)},
	{"sessions", openSection(SectionSessions)},
	{"registrations", withSession(sessionWithRegistrations, (*sessionsScreen).onRegistrations,
		func(s *sessionsScreen) bool { return s.regsView != nil })},
	{"schedule", withSessionsScreen(func(s *sessionsScreen) { s.onSchedule() },
		func(s *sessionsScreen) bool { return s.form != nil })},
	{"date-picker", withSessionsScreen(func(s *sessionsScreen) { s.onSchedule() },
		func(s *sessionsScreen) bool {
			if s.form == nil {
				return false
			}
			if s.form.date.Calendar() == nil {
				s.form.date.ShowCalendar()
			}
			return s.form.date.Calendar() != nil
		})},
	{"register", withSession(upcomingPaidSession, (*sessionsScreen).onRegister,
		func(s *sessionsScreen) bool { return s.register != nil })},
	{"payment-info", openPaymentInfo},
	{"estimate", withSession(upcomingPayPerUseSession, (*sessionsScreen).onEstimate,
		func(s *sessionsScreen) bool { return s.estimatePage != nil })},
	{"usage", withSession(paidPayPerUseSession, (*sessionsScreen).onActualUsage, nil)},
	{"card", openCardDialog},
	{"paypal", openPayPalDialog},
	{"promo", openSection(SectionPromo)},
	{"promo-send", openPromoSend},
	{"departments", openSection(SectionDepartments)},
	{"reimbursement", openReimbursement},
	{"plan", openSection(SectionPlan)},
	{"to-pay", openSection(SectionToPay)},
	{"department-payment", openDepartmentPayment},
	{"admin-general", adminTab(func(s *adminScreen) fyne.CanvasObject { return s.general.content })},
	{"admin-ecommerce", adminTab(func(s *adminScreen) fyne.CanvasObject { return s.commerce.content })},
	{"admin-methods", adminTab(func(s *adminScreen) fyne.CanvasObject {
		if s.methods == nil {
			return nil
		}
		return s.methods.content
	})},
	{"payments", adminTab(func(s *adminScreen) fyne.CanvasObject {
		if s.payments == nil {
			return nil
		}
		return s.payments.content
	})},
	{"admin-smtp", adminTab(func(s *adminScreen) fyne.CanvasObject {
		if s.smtp == nil {
			return nil
		}
		return s.smtp.content
	})},
	{"admin-audit", adminTab(func(s *adminScreen) fyne.CanvasObject { return s.audit.content })},
	{"preferences", func(m *MainWindow, _ ScreenOptions) (fyne.Window, error) {
		var w fyne.Window
		fyne.DoAndWait(func() {
			m.ShowPreferences()
			w = m.prefs.win
		})
		return w, nil
	}},
	{"about", func(m *MainWindow, _ ScreenOptions) (fyne.Window, error) {
		fyne.DoAndWait(m.ShowAbout)
		return m.win, nil
	}},
	{"file-save", func(m *MainWindow, _ ScreenOptions) (fyne.Window, error) {
		fyne.DoAndWait(func() {
			saveFile(m.win, "promo-codes.csv", []fileKind{kindCSV}, func(wc fyne.URIWriteCloser, _ error) {
				if wc != nil {
					wc.Close()
				}
			})
		})
		return m.win, nil
	}},
}

// ScreenNames are the names ShowScreen knows.
func ScreenNames() []string {
	names := make([]string, len(screenOpeners))
	for i, s := range screenOpeners {
		names[i] = s.name
	}
	return names
}

// ShowScreen opens the named screen or dialog on m once the main view is
// up, and returns the window that shows it (the main window, or
// Preferences). It waits for the data each step reads, so call it off the
// UI thread (the headless test driver runs it on the test's).
func (m *MainWindow) ShowScreen(name string, o ScreenOptions) (fyne.Window, error) {
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	i := slices.IndexFunc(screenOpeners, func(s screenOpener) bool { return s.name == name })
	if i < 0 {
		return nil, fmt.Errorf("no screen %q; the screens are %v", name, ScreenNames())
	}
	if err := waitUI(o, "the main view", func() bool { return m.sections != nil }); err != nil {
		return nil, err
	}
	return screenOpeners[i].open(m, o)
}

// waitUI polls cond on the UI thread until it holds or o.Timeout passes.
func waitUI(o ScreenOptions, what string, cond func() bool) error {
	deadline := time.Now().Add(o.Timeout)
	for {
		var ok bool
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not come up in %v", what, o.Timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func openSection(id string) func(*MainWindow, ScreenOptions) (fyne.Window, error) {
	return func(m *MainWindow, o ScreenOptions) (fyne.Window, error) {
		fyne.DoAndWait(func() { m.Open(id) })
		if err := waitUI(o, "section "+id, func() bool { return m.current == id }); err != nil {
			return nil, err
		}
		return m.win, nil
	}
}

// withSessionsScreen opens Sessions and runs act on it; shown says the
// dialog act opens is up (nil: at once).
func withSessionsScreen(act func(*sessionsScreen), shown func(*sessionsScreen) bool) func(*MainWindow, ScreenOptions) (fyne.Window, error) {
	return func(m *MainWindow, o ScreenOptions) (fyne.Window, error) {
		if _, err := openSection(SectionSessions)(m, o); err != nil {
			return nil, err
		}
		var s *sessionsScreen
		fyne.DoAndWait(func() {
			s = m.sessionsScr
			act(s)
		})
		if shown != nil {
			if err := waitUI(o, "the dialog", func() bool { return shown(s) }); err != nil {
				return nil, err
			}
		}
		return m.win, nil
	}
}

// withSession selects the first session pick accepts, as a click in the
// list would, then runs act (a button's handler).
func withSession(pick func(app.SessionSummary, time.Time) bool, act func(*sessionsScreen),
	shown func(*sessionsScreen) bool,
) func(*MainWindow, ScreenOptions) (fyne.Window, error) {
	return func(m *MainWindow, o ScreenOptions) (fyne.Window, error) {
		x, err := findSession(m, pick)
		if err != nil {
			return nil, err
		}
		return withSessionsScreen(func(s *sessionsScreen) {
			s.onSelected(x)
			act(s)
		}, shown)(m, o)
	}
}

func findSession(m *MainWindow, pick func(app.SessionSummary, time.Time) bool) (app.SessionSummary, error) {
	if m.deps.Sessions == nil {
		return app.SessionSummary{}, fmt.Errorf("sessions are not wired")
	}
	now := time.Now()
	for _, when := range []app.SessionWhen{app.SessionsUpcoming, app.SessionsPast} {
		rows, _, err := m.deps.Sessions.List(context.Background(),
			app.SessionFilter{When: when, Status: app.SessionScheduled, Now: now, Limit: 500, NoTotal: true})
		if err != nil {
			return app.SessionSummary{}, err
		}
		for _, r := range rows {
			if pick(r, now) {
				return r, nil
			}
		}
	}
	return app.SessionSummary{}, fmt.Errorf("the database has no session for this screen")
}

func sessionWithRegistrations(r app.SessionSummary, _ time.Time) bool {
	return r.Type == app.SessionPaid && r.Registrations > 0
}

func upcomingPaidSession(r app.SessionSummary, now time.Time) bool {
	return r.Type == app.SessionPaid && r.StartsAt.After(now) &&
		(r.MaxRegistrations == 0 || r.Registrations < r.MaxRegistrations)
}

func upcomingPayPerUseSession(r app.SessionSummary, now time.Time) bool {
	return r.Type == app.SessionPayPerUse && r.StartsAt.After(now)
}

func paidPayPerUseSession(r app.SessionSummary, _ time.Time) bool {
	return r.Type == app.SessionPayPerUse && r.PaidPaymentID != 0
}

// openPaymentInfo registers a new attendee for an upcoming paid session
// through the registration dialog: its next page is Payment Information.
func openPaymentInfo(m *MainWindow, o ScreenOptions) (fyne.Window, error) {
	if _, err := withSession(upcomingPaidSession, (*sessionsScreen).onRegister,
		func(s *sessionsScreen) bool { return s.register != nil })(m, o); err != nil {
		return nil, err
	}
	var f *registerFlow
	fyne.DoAndWait(func() {
		f = m.sessionsScr.register
		f.first.SetText("Zofia")
		f.last.SetText("Łukasiewicz-Wójcik")
		f.email.SetText("zofia.lukasiewicz@example.org")
		f.company.SetText("Przedsiębiorstwo Szkoleniowe")
		f.onRegister()
	})
	if err := waitUI(o, "Payment Information", func() bool { return f.payment != nil }); err != nil {
		return nil, err
	}
	return m.win, nil
}

// demoPayment is what the card and PayPal dialogs are shown paying: a
// registration's fee in the site's currency, described as Payment
// Information describes it.
func demoPayment(m *MainWindow) (currency.Amount, app.Payer, error) {
	cur := m.site.Currency
	if cur == "" {
		cur = "USD"
	}
	amount, err := currency.NewAmountFromInt64(24900, cur)
	if err != nil {
		return currency.Amount{}, app.Payer{}, err
	}
	// As the app's own callers do, the payer's country defaults to the
	// site's (a registration carries its attendee's).
	return amount, app.Payer{
		FirstName: "Zofia", LastName: "Łukasiewicz-Wójcik", Email: "zofia.lukasiewicz@example.org",
		Country: m.site.Country,
	}, nil
}

func demoDescription() string {
	return T("payinfo.description", map[string]any{"Topic": "Advanced Excel: Pivot Tables", "Number": "TP-7K2M9Q4R"})
}

func openCardDialog(m *MainWindow, _ ScreenOptions) (fyne.Window, error) {
	amount, payer, err := demoPayment(m)
	if err != nil {
		return nil, err
	}
	methods := []app.Method{app.MethodCreditCard, app.MethodDebitCard}
	rules, err := cardRules(context.Background(), m.deps.Payments, methods)
	if err != nil {
		return nil, err
	}
	fyne.DoAndWait(func() {
		ShowCardDialog(m.win, m.deps, CardPayment{
			Amount: amount, Purpose: app.PurposeRegistration, Description: demoDescription(),
			Payer: payer, Methods: methods, Rules: rules,
		}, func(app.Payment, error) {})
	})
	return m.win, nil
}

func openPayPalDialog(m *MainWindow, _ ScreenOptions) (fyne.Window, error) {
	amount, payer, err := demoPayment(m)
	if err != nil {
		return nil, err
	}
	fyne.DoAndWait(func() {
		ShowPayPalDialog(m.win, m.deps, PayPalPayment{
			Amount: amount, Purpose: app.PurposeRegistration, Description: demoDescription(), Payer: payer,
		}, func(app.Payment, error) {})
	})
	return m.win, nil
}

// openPromoSend selects the first code: its pane holds the sending part.
func openPromoSend(m *MainWindow, o ScreenOptions) (fyne.Window, error) {
	if _, err := openSection(SectionPromo)(m, o); err != nil {
		return nil, err
	}
	if err := waitUI(o, "the codes", func() bool {
		return m.promoScr != nil && m.promoScr.promoList != nil && m.promoScr.list != nil && m.promoScr.length() > 0
	}); err != nil {
		return nil, err
	}
	fyne.DoAndWait(func() { m.promoScr.list.Select(0) })
	if err := waitUI(o, "the code's pane", func() bool { return m.promoScr.code != nil }); err != nil {
		return nil, err
	}
	return m.win, nil
}

// openReimbursement opens a department's reimbursement report.
func openReimbursement(m *MainWindow, o ScreenOptions) (fyne.Window, error) {
	if _, err := openSection(SectionDepartments)(m, o); err != nil {
		return nil, err
	}
	if err := waitUI(o, "the departments", func() bool {
		return m.departments != nil && len(m.departments.budgets) > 0
	}); err != nil {
		return nil, err
	}
	fyne.DoAndWait(func() {
		// The first department that spent something: its report has rows.
		b := m.departments.budgets[0]
		for _, x := range m.departments.budgets {
			if x.SpentMinor > 0 {
				b = x
				break
			}
		}
		m.departments.onReport(b.Department)
	})
	return m.win, nil
}

// openDepartmentPayment opens the first request of "To pay": what its
// budget owner pays for a department's session. An unpaid session's
// request is opened as selecting it in Sessions opens it.
func openDepartmentPayment(m *MainWindow, o ScreenOptions) (fyne.Window, error) {
	x, err := findSession(m, func(r app.SessionSummary, now time.Time) bool {
		return upcomingPayPerUseSession(r, now) && r.DepartmentID != 0 && r.PaidPaymentID == 0
	})
	if err != nil {
		return nil, err
	}
	queueState(m.deps, x.ID)
	if _, err := openSection(SectionToPay)(m, o); err != nil {
		return nil, err
	}
	if err := waitUI(o, "the requests to pay", func() bool {
		return m.queueScr != nil && len(m.queueScr.items) > 0
	}); err != nil {
		return nil, err
	}
	fyne.DoAndWait(func() { m.queueScr.open(0) })
	return m.win, nil
}

// adminTab unlocks Site administration with the passphrase and selects the
// tab whose content tab returns.
func adminTab(tab func(*adminScreen) fyne.CanvasObject) func(*MainWindow, ScreenOptions) (fyne.Window, error) {
	return func(m *MainWindow, o ScreenOptions) (fyne.Window, error) {
		if _, err := openSection(SectionAdmin)(m, o); err != nil {
			return nil, err
		}
		fyne.DoAndWait(func() {
			s := m.admin
			s.pass.SetText(o.Passphrase)
			s.onUnlock()
		})
		if err := waitUI(o, "Site administration", func() bool {
			return m.admin != nil && m.admin.admin != nil && m.admin.tabs != nil
		}); err != nil {
			return nil, err
		}
		var err error
		fyne.DoAndWait(func() {
			s := m.admin
			c := tab(s)
			for _, item := range s.tabs.Items {
				if c != nil && item.Content == c {
					s.tabs.Select(item)
					return
				}
			}
			err = fmt.Errorf("this database has no such Site administration tab")
		})
		if err != nil {
			return nil, err
		}
		return m.win, nil
	}
}

// MinWindowSize is the smallest main window TrainPay is laid out for, and
// the smallest the window can be made: every button, column header and
// column value fits at it, in English and Polish (the clipping test holds
// it to that). It is the default window's width: the sections' lists and
// Site administration's tabs need it (at 800 px the navigation leaves a
// section about 610 px, and each of them then scrolls sideways), and a
// 1024×768 screen, the smallest still sold with a desktop, holds it with
// room for the system's panels.
var MinWindowSize = fyne.NewSize(1024, 640)

// DefaultWindowSize is the main window's size on first start.
var DefaultWindowSize = fyne.NewSize(defaultWindowWidth, defaultWindowHeight)
