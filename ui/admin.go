package ui

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

// auditPageSize is how many audit entries one page of the log shows.
const auditPageSize = 50

// adminScreen is Site administration. It opens only with the
// administrator's passphrase and locks again when the user leaves it.
type adminScreen struct {
	m     *MainWindow
	deps  Deps
	admin *app.Admin
	root  *fyne.Container

	// Locked view. The Unlock button, and Enter in the passphrase box, work
	// only with a passphrase typed, no check running and no pause in force.
	pass        *widgets.Entry
	unlockBtn   *widgets.Button
	unlockMsg   *widget.Label
	checking    bool
	pausedUntil time.Time
	pauseTimer  *time.Timer

	// Unlocked view.
	tabs      *container.AppTabs
	general   *generalTab
	commerce  *commerceTab
	audit     *auditTab
	security  *securityTab
	methods   *methodsTab
	payments  *paymentsTab
	smtp      *smtpTab   // ui/smtp.go, when promotional codes are wired
	people    *peopleTab // ui/people.go, on the organisation database
	statusMsg *widget.Label
}

func (m *MainWindow) buildAdmin() fyne.CanvasObject {
	if m.admin == nil {
		m.admin = newAdminScreen(m)
	}
	return m.admin.root
}

func newAdminScreen(m *MainWindow) *adminScreen {
	s := &adminScreen{m: m, deps: m.deps, root: container.NewStack()}
	s.showLocked()
	return s
}

// lock ends the administrator's handle (the service forgets it) and stops
// the pause timer; the screen is then dropped or shows the locked view.
func (s *adminScreen) lock() {
	if s.admin != nil {
		s.deps.Site.Lock(s.admin)
		s.admin = nil
	}
	if s.pauseTimer != nil {
		s.pauseTimer.Stop()
		s.pauseTimer = nil
	}
}

// sessionEnded handles the service refusing the handle (it expired after
// the idle time): the locked view comes back, saying why, and asks for the
// passphrase again. It reports whether err was that refusal.
func (s *adminScreen) sessionEnded(err error) bool {
	if !app.AdminRefused(err) {
		return false
	}
	s.showLocked()
	s.unlockMsg.SetText(ErrorText(err))
	return true
}

func (s *adminScreen) showLocked() {
	s.lock()
	s.checking, s.pausedUntil = false, time.Time{}
	s.pass = widgets.NewPasswordEntry()
	s.pass.SetPlaceHolder(T("admin.passphrase"))
	s.pass.OnChanged = func(string) { s.updateUnlock() }
	s.pass.OnSubmitted = func(string) {
		if !s.unlockBtn.Disabled() {
			s.onUnlock()
		}
	}
	s.unlockBtn = widgets.NewButton(T("admin.unlock"), s.onUnlock)
	s.unlockBtn.Importance = widget.HighImportance
	s.updateUnlock()
	s.unlockMsg = widget.NewLabel("")
	s.unlockMsg.Wrapping = fyne.TextWrapWord
	s.unlockMsg.Importance = widget.DangerImportance
	intro := widget.NewLabel(T("admin.locked_intro"))
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(
		widget.NewLabelWithStyle(T("nav.admin"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro, s.pass, s.unlockBtn)
	if s.deps.People != nil {
		box.Add(s.administerByRole()) // ui/people.go: the login's role
	}
	box.Add(s.unlockMsg)
	s.setRoot(container.NewPadded(container.NewBorder(box, nil, nil, nil)))
	s.focusPassphrase()
}

// focusPassphrase puts the cursor in the passphrase box once the locked
// screen is on the window.
func (s *adminScreen) focusPassphrase() {
	if s.admin != nil || s.pass == nil || s.m.content == nil || len(s.m.content.Objects) == 0 || s.m.content.Objects[0] != s.root {
		return
	}
	s.m.win.Canvas().Focus(s.pass)
}

func (s *adminScreen) setRoot(o fyne.CanvasObject) {
	s.root.Objects = []fyne.CanvasObject{o}
	s.root.Refresh()
}

// updateUnlock enables the Unlock button only when a passphrase is typed,
// no check is running and no pause is in force.
func (s *adminScreen) updateUnlock() {
	if s.pass.Text == "" || s.checking || time.Now().Before(s.pausedUntil) {
		s.unlockBtn.Disable()
		return
	}
	s.unlockBtn.Enable()
}

// paused disables Unlock for the pause the service reported and enables it
// again when the pause is over.
func (s *adminScreen) paused(err error) {
	secs, _ := app.AsError(err).Data["Seconds"].(int)
	wait := time.Duration(secs) * time.Second
	s.pausedUntil = time.Now().Add(wait)
	if s.pauseTimer != nil {
		s.pauseTimer.Stop()
	}
	btn := s.unlockBtn
	s.pauseTimer = time.AfterFunc(wait, func() {
		fyne.Do(func() {
			if s.unlockBtn != btn {
				return // the locked view was rebuilt meanwhile
			}
			s.unlockMsg.SetText("")
			s.updateUnlock()
		})
	})
}

func (s *adminScreen) onUnlock() {
	if s.unlockBtn.Disabled() {
		return
	}
	pass := s.pass.Text
	s.checking = true
	s.updateUnlock()
	s.deps.run(func() {
		a, err := s.deps.Site.Unlock(context.Background(), pass)
		fyne.Do(func() {
			s.checking = false
			s.pass.SetText("")
			if a == nil {
				if app.ErrorCode(err) == app.ELOCKED {
					s.paused(err)
				}
				s.unlockMsg.SetText(ErrorText(err))
				s.updateUnlock()
				return
			}
			s.admin = a
			s.showUnlocked()
			if err != nil {
				// Unlocked, but the credentials file could not be opened.
				s.failed(err)
			}
		})
	})
}

func (s *adminScreen) showUnlocked() {
	s.general = newGeneralTab(s)
	s.commerce = newCommerceTab(s)
	s.audit = newAuditTab(s)
	s.security = newSecurityTab(s)
	s.tabs = container.NewAppTabs(
		container.NewTabItem(T("admin.tab.general"), s.general.content),
		container.NewTabItem(T("admin.tab.ecommerce"), s.commerce.content),
	)
	if s.deps.Merchant != nil && s.deps.Payments != nil {
		s.methods = newMethodsTab(s)
		s.payments = newPaymentsTab(s)
		s.tabs.Append(container.NewTabItem(T("admin.tab.methods"), s.methods.content))
		s.tabs.Append(container.NewTabItem(T("admin.tab.payments"), s.payments.content))
	}
	if s.deps.Promo != nil {
		s.smtp = newSMTPTab(s)
		s.tabs.Append(container.NewTabItem(T("admin.tab.smtp"), s.smtp.content))
	}
	if s.deps.People != nil {
		s.people = newPeopleTab(s)
		s.tabs.Append(container.NewTabItem(T("admin.tab.people"), s.people.content))
	}
	s.tabs.Append(container.NewTabItem(T("admin.tab.audit"), s.audit.content))
	s.tabs.Append(container.NewTabItem(T("admin.tab.security"), s.security.content))
	s.tabs.OnSelected = func(ti *container.TabItem) {
		s.clearStatus() // what happened on one tab is not news on the next
		switch {
		case ti.Content == s.audit.content:
			s.audit.load(0)
		case s.methods != nil && ti.Content == s.methods.content:
			s.methods.load()
		case s.payments != nil && ti.Content == s.payments.content:
			s.payments.load(0)
		case s.smtp != nil && ti.Content == s.smtp.content:
			s.smtp.load()
		case s.people != nil && ti.Content == s.people.content:
			s.people.load()
		}
	}
	s.statusMsg = widget.NewLabel("")
	s.statusMsg.Wrapping = fyne.TextWrapWord
	lock := widgets.NewButton(T("admin.lock"), func() { s.showLocked() })
	header := container.NewBorder(nil, nil,
		widget.NewLabelWithStyle(T("nav.admin"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), lock)
	s.setRoot(container.NewBorder(container.NewPadded(header), s.statusMsg, nil, nil, s.tabs))
	s.general.load()
	s.commerce.load()
}

// clearStatus takes away the status line's message: a message says what
// the last action did, until the next action or another tab.
func (s *adminScreen) clearStatus() {
	if s.statusMsg != nil {
		s.statusMsg.SetText("")
	}
}

// refused shows err beside the field it names among errs, or on the
// status line when it names none of them.
func (s *adminScreen) refused(err error, errs map[string]*widget.Label) {
	if l, ok := errs[fieldOf(err)]; ok {
		setFieldMessage(l, ErrorText(err))
		return
	}
	s.failed(err)
}

// clearFields hides every field message of errs.
func clearFields(errs map[string]*widget.Label) {
	for _, l := range errs {
		setFieldMessage(l, "")
	}
}

// changed is called after any saved change: the banner and title follow
// the site, and the status line says what happened.
func (s *adminScreen) changed(msg string) {
	s.statusMsg.Importance = widget.SuccessImportance
	s.statusMsg.SetText(msg)
	s.m.refreshSite()
}

func (s *adminScreen) failed(err error) {
	if s.sessionEnded(err) {
		return
	}
	s.statusMsg.Importance = widget.DangerImportance
	s.statusMsg.SetText(sentence(ErrorText(err)))
}

// generalTab edits the site's name, country, currency, time zone and
// default language.
type generalTab struct {
	s          *adminScreen
	content    fyne.CanvasObject
	name       *widgets.Entry
	country    *widgets.Select
	countryCds []string
	currency   *widgets.Select
	timeZone   *widgets.SelectEntry
	language   *widgets.Select
	save       *widgets.Button
	errs       map[string]*widget.Label // the fields' message lines, by app field
}

func newGeneralTab(s *adminScreen) *generalTab {
	g := &generalTab{s: s, errs: map[string]*widget.Label{}}
	withErr := func(field string, o fyne.CanvasObject) fyne.CanvasObject {
		g.errs[field] = newFieldMessage()
		return withMessage(o, g.errs[field])
	}
	g.name = widgets.NewEntry()
	cs := countries()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
		g.countryCds = append(g.countryCds, c.Code)
	}
	g.country = newChoice(names, nil)
	codes := currency.GetCurrencyCodes()
	sort.Strings(codes)
	g.currency = newChoice(codes, nil)
	g.timeZone = widgets.NewSelectEntry(commonTimeZones)
	g.language = newChoice([]string{"English", "Polski"}, nil)
	g.save = widgets.NewButton(T("admin.save"), g.onSave)
	g.save.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(T("site.name"), withErr(string(app.FieldSiteName), g.name)),
		widget.NewFormItem(T("site.country"), withErr(app.SiteFieldCountry, g.country)),
		widget.NewFormItem(T("site.currency"), withErr(app.SiteFieldCurrency, g.currency)),
		widget.NewFormItem(T("site.time_zone"), withErr(app.SiteFieldTimeZone, g.timeZone)),
		widget.NewFormItem(T("site.language"), withErr(app.SiteFieldLanguage, g.language)),
	)
	g.content = container.NewVScroll(container.NewPadded(container.NewVBox(form, container.NewHBox(g.save))))
	return g
}

func (g *generalTab) load() {
	g.s.deps.run(func() {
		site, err := g.s.deps.Site.Site(context.Background())
		fyne.Do(func() {
			if err != nil {
				g.s.failed(err)
				return
			}
			g.name.SetText(site.Name)
			for i, c := range g.countryCds {
				if c == site.Country {
					g.country.SetSelectedIndex(i)
				}
			}
			g.currency.SetSelected(site.Currency)
			g.timeZone.SetText(site.TimeZone)
			if site.Language == "pl" {
				g.language.SetSelectedIndex(1)
			} else {
				g.language.SetSelectedIndex(0)
			}
		})
	})
}

func (g *generalTab) onSave() {
	site := app.Site{Name: g.name.Text, Currency: g.currency.Selected, TimeZone: g.timeZone.Text, Language: "en"}
	if i := g.country.SelectedIndex(); i >= 0 {
		site.Country = g.countryCds[i]
	}
	if g.language.SelectedIndex() == 1 {
		site.Language = "pl"
	}
	g.save.Disable()
	g.s.clearStatus()
	clearFields(g.errs)
	g.s.deps.run(func() {
		err := g.s.deps.Site.UpdateSite(context.Background(), g.s.admin, site)
		fyne.Do(func() {
			g.save.Enable()
			if err != nil {
				g.s.refused(err, g.errs)
				return
			}
			g.s.changed(T("admin.saved"))
		})
	})
}

// commerceTab holds the e-commerce settings: Test or Production, the three
// features, and the pay-per-use rates.
type commerceTab struct {
	s        *adminScreen
	content  fyne.CanvasObject
	mode     *widgets.RadioGroup
	modes    *options[app.Mode] // mode's choices
	site     app.Site
	checks   map[app.Feature]*widgets.Check
	notes    map[app.Feature]*widget.Label
	person   *widgets.Entry
	tele     *widgets.Entry
	perBox   *fieldBox // person's rate, with its message line
	telBox   *fieldBox // teleconference rate, with its message line
	saveRate *widgets.Button
	// How long before its start a session may be started (0 to 1440).
	lead     *widgets.Entry
	saveLead *widgets.Button
	loading  bool
}

func newCommerceTab(s *adminScreen) *commerceTab {
	c := &commerceTab{s: s, checks: map[app.Feature]*widgets.Check{}, notes: map[app.Feature]*widget.Label{}}
	c.modes = newOptions(func(m app.Mode) string { return T("mode." + string(m)) }, app.ModeTest, app.ModeProduction)
	c.mode = widgets.NewRadioGroup(c.modes.Labels(), c.onMode)
	c.mode.Horizontal = true
	c.mode.Required = true
	modeHelp := widget.NewLabel(T("admin.mode_help"))
	modeHelp.Wrapping = fyne.TextWrapWord

	features := container.NewVBox()
	for _, f := range app.Features {
		f := f
		check := widgets.NewCheck(T("feature."+string(f)), func(on bool) { c.onFeature(f, on) })
		note := widget.NewLabel("")
		note.Wrapping = fyne.TextWrapWord
		c.checks[f], c.notes[f] = check, note
		features.Add(container.NewVBox(check, note))
	}

	c.person = widgets.NewEntry()
	c.tele = widgets.NewEntry()
	c.saveRate = widgets.NewButton(T("admin.save_rates"), c.onSaveRates)
	ratesHelp := widget.NewLabel(T("admin.rates_help"))
	ratesHelp.Wrapping = fyne.TextWrapWord
	c.perBox, c.telBox = newFieldBox(c.person), newFieldBox(c.tele)
	rates := widget.NewForm(
		widget.NewFormItem(T("admin.rate_person_minute"), c.perBox),
		widget.NewFormItem(T("admin.rate_teleconference_minute"), c.telBox),
	)

	heading := func(key string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	c.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		heading("admin.mode"), c.mode, modeHelp, widget.NewSeparator(),
		heading("admin.features"), features, widget.NewSeparator(),
		heading("admin.rates"), ratesHelp, rates, container.NewHBox(c.saveRate),
		widget.NewSeparator(), c.startLeadSection(heading),
	)))
	return c
}

func (c *commerceTab) load() { c.read(true) }

// refreshLive shows the mode and the features another desktop (or the
// account manager's provisioning) changed; rates being typed are left as
// they are.
func (c *commerceTab) refreshLive() { c.read(false) }

// read reads the site and its features off the UI thread and shows them;
// withRates writes the saved rates into their fields too.
func (c *commerceTab) read(withRates bool) {
	c.s.deps.run(func() {
		ctx := context.Background()
		site, err := c.s.deps.Site.Site(ctx)
		var states []app.FeatureState
		if err == nil {
			states, err = c.s.deps.Site.Features(ctx)
		}
		fyne.Do(func() {
			if err != nil {
				c.s.failed(err)
				return
			}
			c.site = site
			c.loading = true
			defer func() { c.loading = false }()
			if site.Mode == app.ModeProduction {
				c.mode.SetSelected(c.modes.Label(app.ModeProduction))
			} else {
				c.mode.SetSelected(c.modes.Label(app.ModeTest))
			}
			for _, st := range states {
				check, note := c.checks[st.Feature], c.notes[st.Feature]
				if check == nil {
					continue
				}
				check.SetChecked(st.Enabled)
				switch {
				case !st.Provisioned:
					check.Disable()
					note.Importance = widget.WarningImportance
					note.SetText(T("admin.feature_not_provisioned"))
				default:
					check.Enable()
					note.Importance = widget.MediumImportance
					note.SetText(T("admin.feature_provisioned"))
				}
			}
			if !withRates {
				return
			}
			lang := Language()
			c.person.SetText(money.RateFromE4(site.RatePersonMinuteE4, site.Currency).FormatNumber(lang))
			c.tele.SetText(money.RateFromE4(site.RateTeleconferenceMinuteE4, site.Currency).FormatNumber(lang))
			c.person.Validator = c.rateValidator
			c.tele.Validator = c.rateValidator
			c.lead.SetText(strconv.Itoa(site.StartLeadMinutes))
		})
	})
}

// startLeadSection is the start lead time's heading, help, field and Save.
func (c *commerceTab) startLeadSection(heading func(string) fyne.CanvasObject) fyne.CanvasObject {
	c.lead = widgets.NewEntry()
	c.lead.Validator = func(text string) error {
		if _, err := parseStartLead(text); err != nil {
			return errorFor(err)
		}
		return nil
	}
	c.saveLead = widgets.NewButton(T("admin.save_start_lead"), c.onSaveStartLead)
	help := widget.NewLabel(T("admin.start_lead_help"))
	help.Wrapping = fyne.TextWrapWord
	return container.NewVBox(heading("admin.start_lead"), help,
		widget.NewForm(widget.NewFormItem(T("admin.start_lead_minutes"), c.lead)), container.NewHBox(c.saveLead))
}

// parseStartLead reads whole minutes as typed; the range is the domain's
// (app.CheckStartLead).
func parseStartLead(text string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		n = -1
	}
	if err := app.CheckStartLead(n); err != nil {
		return 0, err
	}
	return n, nil
}

func (c *commerceTab) onSaveStartLead() {
	minutes, err := parseStartLead(c.lead.Text)
	if err != nil {
		c.s.failed(err)
		return
	}
	c.saveLead.Disable()
	c.s.deps.run(func() {
		err := c.s.deps.Site.SetStartLead(context.Background(), c.s.admin, minutes)
		fyne.Do(func() {
			c.saveLead.Enable()
			if err != nil {
				c.s.failed(err)
				return
			}
			c.s.changed(T("admin.start_lead_saved", map[string]any{"Minutes": minutes}))
			c.load()
		})
	})
}

func (c *commerceTab) rateValidator(s string) error {
	if _, err := money.ParseRate(s, c.site.Currency, Language()); err != nil {
		return errorFor(err)
	}
	return nil
}

func (c *commerceTab) onMode(selected string) {
	if c.loading || selected == "" {
		return
	}
	mode := c.modes.ValueOr(selected, app.ModeTest)
	if mode == c.site.Mode {
		return
	}
	c.s.clearStatus()
	apply := func() {
		c.s.deps.run(func() {
			err := c.s.deps.Site.SetMode(context.Background(), c.s.admin, mode)
			fyne.Do(func() {
				if err != nil {
					c.s.failed(err)
				} else {
					c.s.changed(T("admin.mode_saved", map[string]any{"Mode": selected}))
				}
				c.load()
			})
		})
	}
	if mode == app.ModeProduction {
		d := widgets.NewConfirm(T("admin.production_confirm_title"), T("admin.production_confirm"), func(ok bool) {
			if ok {
				apply()
				return
			}
			c.load()
		}, c.s.m.win)
		d.SetConfirmText(T("admin.production_confirm_yes"))
		d.SetDismissText(T("dialog.cancel"))
		d.Show()
		return
	}
	apply()
}

func (c *commerceTab) onFeature(f app.Feature, on bool) {
	if c.loading {
		return
	}
	c.s.clearStatus()
	c.s.deps.run(func() {
		err := c.s.deps.Site.SetFeatureEnabled(context.Background(), c.s.admin, f, on)
		fyne.Do(func() {
			if err != nil {
				c.s.failed(err)
			} else {
				key := "admin.feature_disabled"
				if on {
					key = "admin.feature_enabled"
				}
				c.s.changed(T(key, map[string]any{"Feature": T("feature." + string(f))}))
			}
			c.load()
		})
	})
}

func (c *commerceTab) onSaveRates() {
	lang := Language()
	c.s.clearStatus()
	person, err := money.ParseRate(c.person.Text, c.site.Currency, lang)
	if err != nil {
		c.perBox.refuse(err)
		return
	}
	tele, err := money.ParseRate(c.tele.Text, c.site.Currency, lang)
	if err != nil {
		c.telBox.refuse(err)
		return
	}
	c.saveRate.Disable()
	c.s.deps.run(func() {
		err := c.s.deps.Site.SetRates(context.Background(), c.s.admin, person.E4(), tele.E4())
		fyne.Do(func() {
			c.saveRate.Enable()
			if err != nil {
				c.s.failed(err)
				return
			}
			c.s.changed(T("admin.rates_saved"))
			c.load()
		})
	})
}

// auditTab lists the audit log newest first, a page at a time.
type auditTab struct {
	s       *adminScreen
	content fyne.CanvasObject
	list    *widget.List
	rows    []app.AuditEntry
	offset  int
	total   int
	page    *widget.Label
	newer   *widgets.Button
	older   *widgets.Button
}

func newAuditTab(s *adminScreen) *auditTab {
	a := &auditTab{s: s}
	a.list = widget.NewList(
		func() int { return len(a.rows) },
		func() fyne.CanvasObject {
			when := widget.NewLabel("2006-01-02 15:04:05")
			by := widget.NewLabel("")
			what := newCellLabel("")
			return container.NewBorder(nil, nil, container.NewVBox(when, by), nil, what)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(a.rows) {
				return
			}
			e := a.rows[id]
			row := o.(*fyne.Container)
			left := row.Objects[1].(*fyne.Container)
			left.Objects[0].(*widget.Label).SetText(a.when(e.At))
			left.Objects[1].(*widget.Label).SetText(AuditLogin(e))
			row.Objects[0].(*cellLabel).SetText(AuditText(e))
		},
	)
	a.page = widget.NewLabel("")
	a.newer = widgets.NewButton(T("audit.newer"), func() { a.load(a.offset - auditPageSize) })
	a.older = widgets.NewButton(T("audit.older"), func() { a.load(a.offset + auditPageSize) })
	a.content = container.NewBorder(nil, container.NewHBox(a.newer, a.older, a.page), nil, nil, a.list)
	return a
}

func (a *auditTab) when(t time.Time) string {
	if loc, err := time.LoadLocation(a.s.m.site.TimeZone); err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04:05")
}

func (a *auditTab) load(offset int) {
	if offset < 0 {
		offset = 0
	}
	a.s.deps.run(func() {
		rows, total, err := a.s.deps.Site.AuditLog(context.Background(), a.s.admin, offset, auditPageSize)
		fyne.Do(func() {
			if err != nil {
				a.s.failed(err)
				return
			}
			a.rows, a.total, a.offset = rows, total, offset
			a.list.Refresh()
			a.list.ScrollToTop()
			if offset > 0 {
				a.newer.Enable()
			} else {
				a.newer.Disable()
			}
			if offset+len(rows) < total {
				a.older.Enable()
			} else {
				a.older.Disable()
			}
			from := offset + 1
			if total == 0 {
				from = 0
			}
			a.page.SetText(T("audit.page", map[string]any{"From": from, "To": offset + len(rows), "Total": total}))
		})
	})
}

// Rows returns the entries on the page shown (for tests and export).
func (a *auditTab) Rows() []app.AuditEntry { return a.rows }

// AuditLogin names the login that made an audit entry; entries written
// before logins were recorded name none.
func AuditLogin(e app.AuditEntry) string {
	if e.Login == "" {
		return ""
	}
	return T("audit.by", map[string]any{"Login": e.Login})
}

// AuditText words an audit entry for a person: who did what, old → new.
func AuditText(e app.AuditEntry) string {
	who := T("actor." + e.Actor)
	target := auditValue("feature", e.Target)
	if strings.HasPrefix(e.Action, "methods.") {
		target = processorName(app.Processor(e.Target))
	}
	if strings.HasPrefix(e.Action, "person.") {
		target = e.Target // the person's login
	}
	what := T("audit."+e.Action, map[string]any{"Target": target})
	switch e.Action {
	case "site.created", "admin.passphrase", "methods.credentials":
		return fmt.Sprintf("%s · %s", who, what)
	case "admin.paused":
		return fmt.Sprintf("%s · %s", who, T("audit.admin.paused", map[string]any{"Count": e.New}))
	}
	return fmt.Sprintf("%s · %s: %s ⟶ %s", who, what, auditValue(e.Action, e.Old), auditValue(e.Action, e.New))
}

// auditValue words a stored value: booleans and modes are translated,
// anything else is shown as stored.
func auditValue(action, v string) string {
	switch action {
	case "feature":
		if v == "" {
			return ""
		}
		return T("feature." + v)
	case "site.mode":
		if v == "" {
			return "—"
		}
		return T("mode." + v)
	case "methods.processor":
		return processorName(app.Processor(v))
	case "feature.enabled", "feature.provisioned", "methods.credit_cards", "methods.debit_cards", "methods.express_checkout":
		if b, err := strconv.ParseBool(v); err == nil {
			if b {
				return T("audit.yes")
			}
			return T("audit.no")
		}
	}
	if v == "" {
		return "—"
	}
	return v
}

// securityTab changes the administrator's passphrase.
type securityTab struct {
	s       *adminScreen
	content fyne.CanvasObject
	current *widgets.Entry
	pass    *widgets.Entry
	confirm *widgets.Entry
	save    *widgets.Button
	// boxes show each field's refusal under it, by app field.
	boxes map[string]*fieldBox
}

func newSecurityTab(s *adminScreen) *securityTab {
	t := &securityTab{s: s, current: widgets.NewPasswordEntry(), pass: widgets.NewPasswordEntry(), confirm: widgets.NewPasswordEntry()}
	t.save = widgets.NewButton(T("admin.change_passphrase"), t.onSave)
	t.boxes = map[string]*fieldBox{
		app.FieldCurrentPassphrase: newFieldBox(t.current), app.FieldNewPassphrase: newFieldBox(t.pass),
		fieldConfirmPassphrase: newFieldBox(t.confirm),
	}
	form := widget.NewForm(
		widget.NewFormItem(T("admin.current_passphrase"), t.boxes[app.FieldCurrentPassphrase]),
		widget.NewFormItem(T("admin.new_passphrase"), t.boxes[app.FieldNewPassphrase]),
		widget.NewFormItem(T("wizard.passphrase_confirm"), t.boxes[fieldConfirmPassphrase]),
	)
	t.content = container.NewPadded(container.NewVBox(form, container.NewHBox(t.save)))
	return t
}

// fieldConfirmPassphrase is the passphrase typed again, which the form
// itself compares.
const fieldConfirmPassphrase = "confirm_passphrase"

// refused shows err under the field it names, or on the status line.
func (t *securityTab) refused(err error) {
	if b, ok := t.boxes[fieldOf(err)]; ok {
		b.refuse(err)
		return
	}
	t.s.failed(err)
}

func (t *securityTab) onSave() {
	t.s.clearStatus()
	if t.pass.Text != t.confirm.Text {
		t.refused(app.Errorf(app.EINVALID, "wizard.passphrase_mismatch", "the passphrases differ").WithField(fieldConfirmPassphrase))
		return
	}
	current, pass := t.current.Text, t.pass.Text
	t.save.Disable()
	t.s.deps.run(func() {
		err := t.s.deps.Site.ChangePassphrase(context.Background(), t.s.admin, current, pass)
		fyne.Do(func() {
			t.save.Enable()
			if err != nil {
				t.refused(err)
				return
			}
			t.current.SetText("")
			t.pass.SetText("")
			t.confirm.SetText("")
			t.s.changed(T("admin.passphrase_changed"))
		})
	})
}
