package ui

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/trainpay/trainpay/ui/widgets"
)

var kindDatabase = fileKind{name: "file.kind_db", ext: ".db"}

// preferencesWindow is the Preferences window: the UI language, the theme,
// and the database file to open at the next start.
type preferencesWindow struct {
	m   *MainWindow
	win fyne.Window

	language *widgets.Select
	theme    *widgets.RadioGroup
	dbNext   *widgets.Entry
	dbSave   *widgets.Button
	dbMsg    *widget.Label

	// where chooses this computer's file or the organisation database for
	// the next start; org is the organisation database's form.
	where   *widgets.RadioGroup
	local   *fyne.Container
	org     *orgForm
	orgBox  *fyne.Container
	orgSave *widgets.Button
}

var (
	languageCodes = []string{"", "en", "pl"}
	themeChoices  = []string{ThemeSystem, ThemeLight, ThemeDark}
)

// ShowPreferences opens the Preferences window, or brings it forward.
func (m *MainWindow) ShowPreferences() {
	if m.prefs != nil {
		m.prefs.win.RequestFocus()
		return
	}
	p := &preferencesWindow{m: m, win: m.app.NewWindow(T("prefs.title"))}
	p.build()
	p.win.SetOnClosed(func() { m.prefs = nil })
	p.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			p.win.Close()
		}
	})
	p.win.Resize(fyne.NewSize(620, 460))
	m.prefs = p
	p.win.Show()
}

func (p *preferencesWindow) build() {
	s := p.m.settings
	p.win.SetTitle(T("prefs.title"))

	p.language = newChoice([]string{T("lang.system"), "English", "Polski"}, nil)
	for i, c := range languageCodes {
		if c == s.LanguageOverride() {
			p.language.SetSelectedIndex(i)
		}
	}
	p.language.OnChanged = func(string) { p.setLanguage(languageCodes[p.language.SelectedIndex()]) }

	p.theme = widgets.NewRadioGroup([]string{T("prefs.theme_system"), T("prefs.theme_light"), T("prefs.theme_dark")}, nil)
	p.theme.Horizontal = true
	p.theme.Required = true
	for i, t := range themeChoices {
		if t == s.Theme() {
			p.theme.SetSelected(p.theme.Options[i])
		}
	}
	p.theme.OnChanged = func(label string) {
		for i, o := range p.theme.Options {
			if o == label {
				s.SetTheme(themeChoices[i])
				applyTheme(p.m.app, themeChoices[i])
			}
		}
	}

	inUse := p.m.deps.Database
	if inUse == "" {
		inUse = T("prefs.db_unknown")
	}
	current := widget.NewLabel(inUse)
	current.Wrapping = fyne.TextWrapBreak
	p.dbNext = widgets.NewEntry()
	p.dbNext.SetPlaceHolder(T("prefs.db_default"))
	p.dbNext.SetText(s.DatabasePath())
	p.dbMsg = widget.NewLabel("")
	p.dbMsg.Wrapping = fyne.TextWrapWord
	p.dbMsg.Hide() // shown once there is something to say
	choose := widgets.NewButton(T("prefs.db_choose"), p.onChooseDatabase)
	useDefault := widgets.NewButton(T("prefs.db_use_default"), func() {
		p.dbNext.SetText("")
		p.saveDatabase()
	})
	p.dbSave = widgets.NewButton(T("prefs.db_save"), p.saveDatabase)
	p.dbSave.Importance = widget.HighImportance
	hint := widget.NewLabel(T("prefs.db_hint"))
	hint.Wrapping = fyne.TextWrapWord

	// One form, so that every label lines up.
	form := widget.NewForm(
		widget.NewFormItem(T("prefs.language"), p.language),
		widget.NewFormItem(T("prefs.theme"), p.theme),
		widget.NewFormItem(T("prefs.db_in_use"), current),
	)
	p.local = container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("prefs.db_next"), container.NewBorder(nil, nil, nil, choose, p.dbNext)),
		widget.NewFormItem("", container.NewHBox(useDefault, p.dbSave)),
	), hint)
	body := container.NewVBox(form)
	if p.m.deps.Databases != nil {
		chosen, isOrg := ParseOrgConnection(s.DatabasePath())
		if isOrg {
			p.dbNext.SetText("")
			chosen.Remember = s.OrgPasswordRemembered()
		}
		p.org = newOrgForm(p.m.deps, chosen)
		p.orgSave = widgets.NewButton(T("prefs.db_save"), p.saveOrganisation)
		p.orgSave.Importance = widget.HighImportance
		orgHint := widget.NewLabel(T("orgdb.prefs_hint"))
		orgHint.Wrapping = fyne.TextWrapWord
		p.orgBox = container.NewVBox(p.org.content, container.NewHBox(p.orgSave), orgHint)
		p.where = widgets.NewRadioGroup([]string{T("orgdb.where_local"), T("orgdb.where_org")}, func(string) { p.showWhere() })
		p.where.Required = true
		p.where.Horizontal = true
		if isOrg {
			p.where.SetSelected(p.where.Options[1])
		} else {
			p.where.SetSelected(p.where.Options[0])
		}
		body.Add(widget.NewForm(widget.NewFormItem(T("orgdb.where"), p.where)))
		body.Add(p.local)
		body.Add(p.orgBox)
		p.showWhere()
	} else {
		body.Add(p.local)
	}
	body.Add(p.dbMsg)
	p.win.SetContent(container.NewPadded(container.NewVScroll(body)))
}

// showWhere shows the file's controls or the organisation database's form.
func (p *preferencesWindow) showWhere() {
	if p.where.Selected == p.where.Options[1] {
		p.local.Hide()
		p.orgBox.Show()
	} else {
		p.orgBox.Hide()
		p.local.Show()
	}
}

// saveOrganisation keeps the organisation database for the next start,
// once it answers: its address without the password in the preferences,
// the password in the system keychain when asked to (else it is asked for
// again). A refusal is shown and nothing is kept.
func (p *preferencesWindow) saveOrganisation() {
	c := p.org.connection()
	if err := c.Validate(); err != nil {
		p.org.say(ErrorText(err), widget.DangerImportance)
		return
	}
	p.orgSave.Disable()
	p.org.say(T("orgdb.testing"), widget.MediumImportance)
	deps := p.m.deps
	deps.run(func() {
		err := deps.Databases.Test(context.Background(), c)
		if err == nil {
			err = deps.Databases.Remember(c)
		}
		fyne.Do(func() {
			p.orgSave.Enable()
			if err != nil {
				p.org.say(ErrorText(err), widget.DangerImportance)
				return
			}
			p.m.settings.SetDatabasePath(c.URL(false))
			p.m.settings.SetOrgPasswordRemembered(c.Remember)
			p.org.say(T("orgdb.saved", map[string]any{"Database": c.Database, "Host": c.Host}), widget.SuccessImportance)
		})
	})
}

// prefOrgRemember says the organisation database's password is in the
// system keychain.
const prefOrgRemember = "db.org_remember"

// OrgPasswordRemembered says the organisation database's password was kept
// in the system keychain.
func (s Settings) OrgPasswordRemembered() bool { return s.p.Bool(prefOrgRemember) }

// SetOrgPasswordRemembered records whether the password was kept.
func (s Settings) SetOrgPasswordRemembered(v bool) { s.p.SetBool(prefOrgRemember, v) }

// setLanguage switches the UI language at once, in the main window and
// here.
func (p *preferencesWindow) setLanguage(code string) {
	s := p.m.settings
	if code == s.LanguageOverride() {
		return
	}
	s.SetLanguageOverride(code)
	SetLanguage(code)
	p.m.languageChanged() // rebuilds this window too
}

func (p *preferencesWindow) onChooseDatabase() {
	openFile(p.win, []fileKind{kindDatabase}, func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			p.dbMsg.SetText(ErrorText(err))
			return
		}
		if rc == nil {
			return
		}
		path := localPath(rc.URI())
		rc.Close()
		p.dbNext.SetText(path)
		p.saveDatabase()
	})
}

// saveDatabase keeps the database for the next start: a full path, or
// empty for the default one.
func (p *preferencesWindow) saveDatabase() {
	path := strings.TrimSpace(p.dbNext.Text)
	p.dbMsg.Show()
	if path != "" && !filepath.IsAbs(path) {
		p.dbMsg.Importance = widget.DangerImportance
		p.dbMsg.SetText(T("prefs.db_not_absolute"))
		return
	}
	if path != "" {
		path = filepath.Clean(path)
	}
	p.m.settings.SetDatabasePath(path)
	p.dbMsg.Importance = widget.SuccessImportance
	switch {
	case path == "":
		p.dbMsg.SetText(T("prefs.db_saved_default"))
	case path == p.m.deps.Database:
		p.dbMsg.SetText(T("prefs.db_saved_same"))
	default:
		p.dbMsg.SetText(T("prefs.db_saved", map[string]any{"Path": path}))
	}
}
