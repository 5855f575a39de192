package ui

import (
	"context"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// Section IDs, stored in preferences as the last open section.
const (
	SectionOverview = "overview"
	SectionAdmin    = "admin"
)

// section is one entry of the navigation.
type section struct {
	id    string
	title string // message ID
	icon  fyne.Resource
	build func() fyne.CanvasObject
}

// MainWindow is TrainPay's window: a TEST MODE banner when the site is in
// Test mode, the navigation on the left and the open section on the right.
// Before the site exists it shows the first-run wizard instead.
type MainWindow struct {
	app      fyne.App
	win      fyne.Window
	deps     Deps
	settings Settings

	site   app.Site
	banner *fyne.Container
	// modeMark says the site's mode under the navigation, in either mode
	// (updateBanner); the window title says it too.
	modeMark *widget.Label
	// offline says the organisation database does not answer: the banner
	// says so until it does again.
	offline  bool
	nav      *widgets.List
	content  *fyne.Container
	sections []section
	current  string

	wizard *wizard
	admin  *adminScreen
	// departments is the shown Departments & budgets screen, whose
	// administrator's handle is locked when it is left.
	departments *departmentsScreen
	// sessionsScr and promoScr are the shown Sessions and Promotional
	// codes screens, which the menu commands work on; nil when not shown.
	sessionsScr *sessionsScreen
	promoScr    *promoScreen
	// queueScr is the shown "To pay" screen (ui/queue.go); nil when not shown.
	queueScr *queueScreen
	// prefs is the Preferences window while it is open.
	prefs *preferencesWindow
	// quit ends the app; nil means the app's Quit (tests record it).
	quit func()
	// stopChanges ends the window's subscription to Deps.Changes (live.go).
	stopChanges func()
}

// NewMainWindow builds the window; call ShowAndRun (or Show) on Window().
func NewMainWindow(a fyne.App, deps Deps) *MainWindow {
	m := &MainWindow{app: a, deps: deps, settings: NewSettings(a.Preferences())}
	SetLanguage(m.settings.LanguageOverride())
	applyTheme(a, m.settings.Theme())
	m.win = a.NewWindow(T("app.title"))
	m.win.Resize(m.settings.WindowSize())
	m.win.SetCloseIntercept(func() {
		m.settings.SetWindowSize(m.win.Canvas().Size())
		m.unwatchChanges()
		m.win.Close()
	})
	m.win.SetContent(container.NewCenter(widget.NewLabel(T("app.loading"))))
	m.installMenu()
	m.start()
	return m
}

// Window returns the Fyne window.
func (m *MainWindow) Window() fyne.Window { return m.win }

// start decides between the wizard and the main view.
func (m *MainWindow) start() {
	m.deps.run(func() {
		ok, err := m.deps.Site.IsSetUp(context.Background())
		fyne.Do(func() {
			if err != nil {
				m.showFatal(err)
				return
			}
			if !ok {
				m.wizard = newWizard(m.deps, m.onSetupDone)
				m.wizard.switched = m.useOrganisation
				m.win.SetContent(m.wizard.content)
				return
			}
			m.loadSiteThenShow()
		})
	})
}

func (m *MainWindow) showFatal(err error) {
	msg := widget.NewLabel(ErrorText(err))
	msg.Wrapping = fyne.TextWrapWord
	m.win.SetContent(container.NewCenter(container.NewVBox(
		widget.NewLabelWithStyle(T("app.cannot_start"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), msg)))
}

func (m *MainWindow) onSetupDone() {
	m.wizard = nil
	m.win.SetTitle(T("app.title"))
	m.loadSiteThenShow()
}

func (m *MainWindow) loadSiteThenShow() {
	m.deps.run(func() {
		site, err := m.deps.Site.Site(context.Background())
		fyne.Do(func() {
			if err != nil {
				m.showFatal(err)
				return
			}
			m.site = site
			m.buildMain()
		})
	})
}

// refreshSite reloads the site after site administration changed it, to
// update the banner and the title.
func (m *MainWindow) refreshSite() {
	m.deps.run(func() {
		site, err := m.deps.Site.Site(context.Background())
		fyne.Do(func() {
			if err != nil {
				widgets.ShowError(errorFor(err), m.win)
				return
			}
			m.site = site
			m.updateBanner()
		})
	})
}

func (m *MainWindow) buildMain() {
	m.sections = []section{
		{id: SectionOverview, title: "nav.overview", icon: theme.HomeIcon(), build: m.buildOverview},
	}
	// Feature sections: each feature appends its own here, when its
	// service is wired.
	if m.deps.Sessions != nil {
		m.sections = append(m.sections, section{
			id: SectionSessions, title: "nav.sessions",
			icon: theme.CalendarIcon(), build: func() fyne.CanvasObject {
				m.sessionsScr = newSessionsScreen(m.deps, m.win, m.site)
				return m.sessionsScr.content
			},
		})
	}
	if m.deps.Queue != nil {
		m.sections = append(m.sections, section{
			id: SectionToPay, title: "nav.to_pay", icon: theme.ConfirmIcon(),
			build: func() fyne.CanvasObject {
				m.queueScr = newQueueScreen(m.deps, m.win)
				return m.queueScr.content
			},
		})
	}
	if m.deps.Budgets != nil {
		m.sections = append(m.sections,
			section{id: SectionDepartments, title: "nav.departments", icon: theme.AccountIcon(), build: m.buildDepartments},
			section{id: SectionPlan, title: "nav.plan", icon: theme.GridIcon(), build: m.buildPlan})
	}
	if m.deps.Promo != nil {
		m.sections = append(m.sections,
			section{id: SectionPromo, title: "nav.promo", icon: theme.MailComposeIcon(), build: m.buildPromo})
	}
	m.sections = append(m.sections,
		section{id: SectionAdmin, title: "nav.admin", icon: theme.SettingsIcon(), build: m.buildAdmin})
	m.banner = container.NewVBox()
	m.updateBanner()
	m.content = container.NewStack()
	m.nav = widgets.NewList(
		func() int { return len(m.sections) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Site administration"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(m.sections[id].icon)
			row.Objects[1].(*widget.Label).SetText(T(m.sections[id].title))
		},
	)
	m.nav.OnSelected = func(id widget.ListItemID) { m.open(m.sections[id].id) }

	langSelect := newLanguageSelect(m.settings, m.languageChanged)
	m.modeMark = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	m.modeMark.Wrapping = fyne.TextWrapWord
	m.updateBanner()
	left := container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), m.modeMark, langSelect), nil, nil, m.nav)
	// A section wider than the window scrolls sideways instead of making
	// the window grow past the screen or squeezing the sections list.
	split := container.NewHSplit(left, container.NewHScroll(m.content))
	split.Offset = 0.22
	// The window is never smaller than the size every screen is laid out
	// for (MinWindowSize).
	floor := canvas.NewRectangle(color.Transparent)
	pad := 2 * theme.Padding() // the window's own padding around its content
	floor.SetMinSize(MinWindowSize.Subtract(fyne.NewSize(pad, pad)))
	m.win.SetContent(widgets.WithTooltips(m.win, container.NewStack(floor, container.NewBorder(m.banner, nil, nil, nil, split))))
	m.installMenu()
	m.watchChanges()

	last := m.settings.LastSection()
	idx := 0
	for i, s := range m.sections {
		if s.id == last {
			idx = i
		}
	}
	m.nav.Select(idx)
}

// languageChanged redraws the main window, its menu and Preferences in the
// language just chosen.
func (m *MainWindow) languageChanged() {
	if m.sections != nil {
		m.rebuild()
	} else {
		m.win.SetTitle(T("app.title"))
		m.installMenu()
	}
	if m.prefs != nil {
		m.prefs.build()
	}
}

// rebuild redraws every screen, after the UI language changed.
func (m *MainWindow) rebuild() {
	if m.admin != nil {
		m.admin.lock()
		m.admin = nil
	}
	if m.departments != nil {
		m.departments.lock()
		m.departments = nil
	}
	m.win.SetTitle(T("app.title"))
	m.buildMain()
}

// Open shows a section by its ID.
func (m *MainWindow) Open(id string) {
	for i, s := range m.sections {
		if s.id == id {
			m.nav.Select(i)
			return
		}
	}
}

func (m *MainWindow) open(id string) {
	for _, s := range m.sections {
		if s.id == id {
			if id != SectionAdmin && m.admin != nil {
				m.admin.lock() // leaving Site administration locks it
				m.admin = nil
			}
			if m.departments != nil {
				m.departments.lock()
				m.departments = nil
			}
			m.sessionsScr, m.promoScr, m.queueScr = nil, nil, nil
			m.current = id
			m.settings.SetLastSection(id)
			m.content.Objects = []fyne.CanvasObject{s.build()}
			m.content.Refresh()
			if id == SectionAdmin && m.admin != nil {
				m.admin.focusPassphrase()
			}
			if m.queueScr != nil {
				m.queueScr.focus()
			}
			return
		}
	}
}

// useOrganisation goes on with the organisation database the wizard
// opened: it is kept in Preferences for the next start (without its
// password), and its site is shown, or set up when it has none yet.
func (m *MainWindow) useOrganisation(deps Deps, c OrgConnection) {
	m.settings.SetDatabasePath(c.URL(false))
	m.settings.SetOrgPasswordRemembered(c.Remember)
	deps.Databases = m.deps.Databases
	deps.OnOrganisation = true
	if deps.Go == nil {
		deps.Go = m.deps.Go
	}
	m.deps = deps
	m.wizard = nil
	m.start()
}

// SetDatabaseReachable shows the organisation database's banner while it
// cannot be reached, and takes it away when it answers again.
func (m *MainWindow) SetDatabaseReachable(reachable bool) {
	m.offline = !reachable
	m.updateBanner()
}

func (m *MainWindow) updateBanner() {
	if m.banner == nil {
		return
	}
	m.banner.Objects = nil
	if m.offline {
		m.banner.Objects = append(m.banner.Objects, offlineBanner())
	}
	if m.deps.SharedFile {
		m.banner.Objects = append(m.banner.Objects, sharedFileBanner())
	}
	if m.site.Mode == app.ModeTest {
		m.banner.Objects = append(m.banner.Objects, testModeBanner())
	}
	m.banner.Refresh()
	m.markMode()
}

// markMode says the site's mode steadily, the same way in Test and in
// Production: in the window title and under the navigation. Test has its
// banner besides; Production's marker is discreet and says payments are
// real.
func (m *MainWindow) markMode() {
	mode := T("mode." + string(m.site.Mode))
	m.win.SetTitle(T("app.title_mode", map[string]any{"Mode": mode}))
	if m.modeMark == nil {
		return
	}
	text := T("status.mode", map[string]any{"Mode": mode})
	m.modeMark.Importance = widget.WarningImportance
	if m.site.Mode == app.ModeProduction {
		text += "\n" + T("status.mode_production_detail")
		m.modeMark.Importance = widget.SuccessImportance
	}
	m.modeMark.SetText(text)
}

// sharedFileBanner is the strip across the top while another TrainPay
// window on this computer has the same file open: safe, but a person
// should know.
func sharedFileBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{R: 0x1F, G: 0x5F, B: 0x99, A: 0xFF})
	text := canvas.NewText(T("banner.shared_file"), color.White)
	text.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewStack(bg, container.NewPadded(text))
}

// offlineBanner is the strip across the top while the organisation
// database cannot be reached.
func offlineBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{R: 0xC0, G: 0x39, B: 0x2B, A: 0xFF})
	text := canvas.NewText(T("banner.orgdb_offline"), color.White)
	text.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewStack(bg, container.NewPadded(text))
}

// testModeBanner is the strip across the top of every screen in Test mode.
func testModeBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{R: 0xE6, G: 0x7E, B: 0x22, A: 0xFF})
	title := canvas.NewText(T("banner.test_mode"), color.White)
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.TextSize = theme.TextSize() * 1.15
	detail := canvas.NewText(T("banner.test_mode_detail"), color.White)
	return container.NewStack(bg, container.NewPadded(container.NewHBox(title, detail)))
}

// newLanguageSelect lets the user override the OS language.
func newLanguageSelect(s Settings, changed func()) fyne.CanvasObject {
	options := []string{T("lang.system"), "English", "Polski"}
	codes := []string{"", "en", "pl"}
	sel := newChoice(options, nil)
	for i, c := range codes {
		if c == s.LanguageOverride() {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		code := codes[sel.SelectedIndex()]
		if code == s.LanguageOverride() {
			return
		}
		s.SetLanguageOverride(code)
		SetLanguage(code)
		changed()
	}
	return container.NewVBox(widget.NewLabel(T("lang.label")), sel)
}

// errorFor wraps an error so that Fyne's error dialog shows ErrorText.
func errorFor(err error) error { return personError{err} }

type personError struct{ err error }

func (p personError) Error() string { return ErrorText(p.err) }
func (p personError) Unwrap() error { return p.err }
