package ui

import (
	"net/url"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"github.com/trainpay/trainpay/ui/widgets"
)

// projectURL is TrainPay's home, linked from Help and About.
const projectURL = "https://github.com/trainpay/trainpay"

// The keyboard shortcuts of the frequent commands. KeyModifierShortcutDefault
// is Ctrl on Windows and Linux and ⌘ on macOS; the menus show them.
// Ctrl+P is Pay, not Print: TrainPay prints nothing itself (receipts and
// reports are saved as PDF).
var (
	shortcutNewSession  = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutSearch      = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutRegister    = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutPay         = &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutExport      = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutPreferences = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutQuit        = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
)

// shortcutKeys writes a shortcut as the menus show it: "Ctrl+N", "⌘N" on
// macOS.
func shortcutKeys(sc *desktop.CustomShortcut) string {
	if onMac {
		return "⌘" + string(sc.KeyName)
	}
	return "Ctrl+" + string(sc.KeyName)
}

// shortcutTip is the tooltip of a command's button: "Shortcut: Ctrl+N".
// Fyne's menus show the shortcuts; the tip shows them where the buttons
// are (on hover, and while the button has the keyboard focus).
func shortcutTip(sc *desktop.CustomShortcut) string {
	return T("shortcut.tooltip", map[string]any{"Keys": shortcutKeys(sc)})
}

// onMac says whether to lay the menus out as macOS expects.
var onMac = runtime.GOOS == "darwin"

// command is one thing the menus and the keyboard do.
type command struct {
	label    string // message ID
	shortcut fyne.Shortcut
	action   func()
}

func (m *MainWindow) commands() (newSession, search, register, pay, export, prefs, quit command) {
	return command{"menu.new_session", shortcutNewSession, m.cmdNewSession},
		command{"menu.search", shortcutSearch, m.cmdSearch},
		command{"menu.register", shortcutRegister, m.cmdRegister},
		command{"menu.pay", shortcutPay, m.cmdPay},
		command{"menu.export", shortcutExport, m.cmdExport},
		command{"menu.preferences", shortcutPreferences, m.ShowPreferences},
		command{"menu.quit", shortcutQuit, m.cmdQuit}
}

func (c command) item() *fyne.MenuItem {
	it := fyne.NewMenuItem(T(c.label), c.action)
	it.Shortcut = c.shortcut
	return it
}

// installMenu sets the window's main menu and binds each command's
// shortcut on the canvas too (the menu's binding serves the desktop
// drivers; the canvas's serves a window without a menu bar, such as the
// headless test window). Called again when the language or the sections
// change.
func (m *MainWindow) installMenu() {
	menu := m.mainMenu(onMac)
	m.win.SetMainMenu(menu)
	newSession, search, register, pay, export, prefs, quit := m.commands()
	for _, c := range []command{newSession, search, register, pay, export, prefs, quit} {
		action := c.action
		m.win.Canvas().AddShortcut(c.shortcut, func(fyne.Shortcut) { action() })
	}
}

// mainMenu is File, Edit, View and Help. For macOS (mac) it follows what
// Fyne's macOS driver does: an item labelled exactly "About" or
// "Settings…" is moved into the application menu, so those two carry these
// fixed names there; Quit is the application menu's own (⌘Q), which closes
// the window as its close button does, so File has none.
func (m *MainWindow) mainMenu(mac bool) *fyne.MainMenu {
	newSession, search, register, pay, export, prefs, quit := m.commands()
	quitItem := quit.item()
	quitItem.IsQuit = true
	prefsItem := prefs.item()
	if mac {
		prefsItem.Label = "Settings…"
	}
	file := fyne.NewMenu(T("menu.file"), newSession.item(), search.item(), register.item(), pay.item(),
		fyne.NewMenuItemSeparator(), export.item(),
		fyne.NewMenuItemSeparator(), prefsItem)
	if !mac {
		file.Items = append(file.Items, fyne.NewMenuItemSeparator(), quitItem)
	}

	edit := fyne.NewMenu(T("menu.edit"),
		m.editItem("menu.cut", &fyne.ShortcutCut{Clipboard: m.app.Clipboard()}),
		m.editItem("menu.copy", &fyne.ShortcutCopy{Clipboard: m.app.Clipboard()}),
		m.editItem("menu.paste", &fyne.ShortcutPaste{Clipboard: m.app.Clipboard()}),
		fyne.NewMenuItemSeparator(),
		m.editItem("menu.select_all", &fyne.ShortcutSelectAll{}))

	view := fyne.NewMenu(T("menu.view"))
	for _, s := range m.sections {
		id := s.id
		view.Items = append(view.Items, fyne.NewMenuItem(T(s.title), func() { m.Open(id) }))
	}

	about := fyne.NewMenuItem(T("menu.about"), m.ShowAbout)
	if mac {
		about.Label = "About"
	}
	help := fyne.NewMenu(T("menu.help"), about, fyne.NewMenuItem(T("menu.website"), m.openWebsite))

	menus := []*fyne.Menu{file, edit}
	if len(view.Items) > 0 {
		menus = append(menus, view)
	}
	return fyne.NewMainMenu(append(menus, help)...)
}

// editItem hands a clipboard shortcut to the focused widget, as the
// keyboard does.
func (m *MainWindow) editItem(label string, sc fyne.Shortcut) *fyne.MenuItem {
	it := fyne.NewMenuItem(T(label), func() {
		if f, ok := m.win.Canvas().Focused().(fyne.Shortcutable); ok {
			f.TypedShortcut(sc)
		}
	})
	it.Shortcut = sc
	return it
}

// tell shows a short note when a command has nothing to work on.
func (m *MainWindow) tell(messageID string) {
	widgets.ShowInformation(T("app.title"), T(messageID), m.win)
}

// cmdNewSession opens Sessions and its Schedule form.
func (m *MainWindow) cmdNewSession() {
	if !m.openSessions() {
		return
	}
	m.sessionsScr.onSchedule()
}

// cmdSearch opens Sessions and puts the cursor in its search box.
func (m *MainWindow) cmdSearch() {
	if !m.openSessions() {
		return
	}
	m.win.Canvas().Focus(m.sessionsScr.search)
}

// cmdRegister registers an attendee on the session selected in Sessions.
func (m *MainWindow) cmdRegister() {
	s := m.sessionsScr
	if m.current != SectionSessions || s == nil || s.selected == nil || s.reg.Disabled() {
		m.tell("menu.select_session_register")
		return
	}
	s.onRegister()
}

// cmdPay presses Pay on the Payment Information page of the registration
// being made.
func (m *MainWindow) cmdPay() {
	s := m.sessionsScr
	if s == nil || s.register == nil || s.register.payment == nil {
		m.tell("menu.nothing_to_pay")
		return
	}
	s.register.payment.PressPay()
}

// cmdExport exports what the open section shows: the registrations of the
// selected session, or the promotional codes; anywhere else it opens the
// site-wide accounting export.
func (m *MainWindow) cmdExport() {
	switch {
	case m.current == SectionSessions && m.sessionsScr != nil && m.sessionsScr.selected != nil:
		exportSession(m.win, m.deps, m.sessionsScr.selected.ID, func(text string, imp widget.Importance) {
			if imp == widget.DangerImportance {
				widgets.ShowError(plainError(text), m.win)
				return
			}
			widgets.ShowInformation(T("menu.export_title"), text, m.win)
		})
	case m.current == SectionPromo && m.promoScr != nil:
		m.promoScr.onExportCodes()
	default:
		m.ShowExportWindow()
	}
}

// cmdQuit remembers the window's size and ends the app.
func (m *MainWindow) cmdQuit() {
	m.settings.SetWindowSize(m.win.Canvas().Size())
	if m.quit != nil {
		m.quit()
		return
	}
	m.app.Quit()
}

// openSessions opens the Sessions section; false (and a note) when the
// site has no Sessions.
func (m *MainWindow) openSessions() bool {
	for _, s := range m.sections {
		if s.id == SectionSessions {
			if m.current != SectionSessions {
				m.Open(SectionSessions)
			}
			return m.sessionsScr != nil
		}
	}
	m.tell("menu.no_sessions")
	return false
}

func (m *MainWindow) openWebsite() {
	u, _ := url.Parse(projectURL)
	if err := m.app.OpenURL(u); err != nil {
		fyne.LogError("open the project's page", err)
	}
}

// plainError is an error whose text is already for a person.
type plainError string

func (e plainError) Error() string { return string(e) }
