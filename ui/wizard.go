package ui

import (
	"context"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// stepWhere is the wizard's first step when organisation databases can be
// reached: where the site's data is kept.
const stepWhere = -1

// wizard is the first-run wizard: where the data is kept (this computer
// only, or the organisation database), the site's details, then the site
// administrator's passphrase, then a summary to confirm. Nothing is written
// until Create; Back keeps every value. Choosing the organisation database
// opens it and goes on there: to the main window when its site is set up
// already, else to the site's details.
type wizard struct {
	deps  Deps
	done  func()
	step  int
	first int

	where *widgets.RadioGroup
	org   *orgForm
	// switched takes the services on the organisation database just opened
	// and the connection chosen (kept in Preferences by the main window).
	switched func(Deps, OrgConnection)
	body     *fyne.Container
	errMsg   *widget.Label
	back     *widgets.Button
	next     *widgets.Button

	content fyne.CanvasObject

	name       *widgets.Entry
	country    *widgets.Select
	countryCds []string
	currency   *widgets.Select
	timeZone   *widgets.SelectEntry
	language   *widgets.Select
	pass       *widgets.Entry
	confirm    *widgets.Entry
	// errs are the fields' message lines, by app field: a refusal is said
	// beside its field, errMsg says the rest.
	errs map[string]*widget.Label
}

func newWizard(deps Deps, done func()) *wizard {
	w := &wizard{deps: deps, done: done, errs: map[string]*widget.Label{}}
	for _, f := range []string{
		string(app.FieldSiteName), app.SiteFieldCountry, app.SiteFieldCurrency, app.SiteFieldTimeZone, app.SiteFieldLanguage,
		app.FieldNewPassphrase, fieldConfirmPassphrase,
	} {
		w.errs[f] = newFieldMessage()
	}
	w.name = widgets.NewEntry()
	w.name.SetPlaceHolder(T("wizard.site_name_placeholder"))

	cs := countries()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
		w.countryCds = append(w.countryCds, c.Code)
	}
	codes := currency.GetCurrencyCodes()
	sort.Strings(codes)
	w.currency = newChoice(codes, nil)
	w.timeZone = widgets.NewSelectEntry(commonTimeZones)
	w.country = newChoice(names, func(string) { w.onCountry() })
	w.language = newChoice([]string{"English", "Polski"}, nil)
	if Language() == "pl" {
		w.language.SetSelectedIndex(1)
	} else {
		w.language.SetSelectedIndex(0)
	}
	// Propose the country of the operating system's locale.
	if region := systemRegion(); region != "" {
		for i, c := range w.countryCds {
			if c == region {
				w.country.SetSelectedIndex(i)
			}
		}
	}
	w.pass = widgets.NewPasswordEntry()
	w.confirm = widgets.NewPasswordEntry()

	w.errMsg = widget.NewLabel("")
	w.errMsg.Wrapping = fyne.TextWrapWord
	w.errMsg.Importance = widget.DangerImportance
	w.back = widgets.NewButton(T("wizard.back"), w.onBack)
	w.next = widgets.NewButton(T("wizard.next"), w.onNext)
	w.next.Importance = widget.HighImportance
	w.body = container.NewStack()
	if deps.Databases != nil && !deps.OnOrganisation {
		w.first = stepWhere
		w.where = widgets.NewRadioGroup([]string{T("orgdb.where_local"), T("orgdb.where_org")}, func(string) { w.show(stepWhere) })
		w.where.Required = true
		w.where.SetSelected(w.where.Options[0])
		w.org = newOrgForm(deps, OrgConnection{TLS: TLSVerifyFull})
	}

	title := widget.NewLabelWithStyle(T("wizard.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(T("wizard.intro"))
	intro.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(w.back, w.next)
	w.content = container.NewPadded(container.NewBorder(
		container.NewVBox(title, intro, widget.NewSeparator()),
		container.NewVBox(w.errMsg, container.NewBorder(nil, nil, nil, buttons)),
		nil, nil, container.NewVScroll(w.body)))
	w.show(w.first)
	return w
}

func (w *wizard) onCountry() {
	i := w.country.SelectedIndex()
	if i < 0 {
		return
	}
	code := w.countryCds[i]
	if cur, ok := app.DefaultCurrency(code); ok {
		w.currency.SetSelected(cur)
	}
	w.timeZone.SetText(defaultTimeZone(code))
}

func (w *wizard) site() app.Site {
	s := app.Site{
		Name:     w.name.Text,
		Currency: w.currency.Selected,
		TimeZone: w.timeZone.Text,
		Language: "en",
		Mode:     app.ModeTest,
	}
	if i := w.country.SelectedIndex(); i >= 0 {
		s.Country = w.countryCds[i]
	}
	if w.language.SelectedIndex() == 1 {
		s.Language = "pl"
	}
	s.Normalize()
	return s
}

// withErr is a field with its message line, whose room is kept.
func (w *wizard) withErr(field string, o fyne.CanvasObject) fyne.CanvasObject {
	return withMessage(o, w.errs[field])
}

// refused says err beside the field it names, else under the steps.
func (w *wizard) refused(err error) {
	if l, ok := w.errs[fieldOf(err)]; ok {
		setFieldMessage(l, ErrorText(err))
		return
	}
	w.errMsg.SetText(sentence(ErrorText(err)))
}

func (w *wizard) show(step int) {
	w.step = step
	w.errMsg.SetText("")
	clearFields(w.errs)
	w.back.Hidden = step == w.first
	w.back.Refresh()
	var page fyne.CanvasObject
	switch step {
	case stepWhere:
		w.next.SetText(T("wizard.next"))
		hint := widget.NewLabel(T("orgdb.where_hint"))
		hint.Wrapping = fyne.TextWrapWord
		objs := []fyne.CanvasObject{hint, w.where}
		if w.organisation() {
			objs = append(objs, w.org.content)
		}
		page = container.NewVBox(objs...)
	case 0:
		w.next.SetText(T("wizard.next"))
		page = widget.NewForm(
			widget.NewFormItem(T("site.name"), w.withErr(string(app.FieldSiteName), w.name)),
			widget.NewFormItem(T("site.country"), w.withErr(app.SiteFieldCountry, w.country)),
			widget.NewFormItem(T("site.currency"), w.withErr(app.SiteFieldCurrency, w.currency)),
			widget.NewFormItem(T("site.time_zone"), w.withErr(app.SiteFieldTimeZone, w.timeZone)),
			widget.NewFormItem(T("site.language"), w.withErr(app.SiteFieldLanguage, w.language)),
		)
	case 1:
		w.next.SetText(T("wizard.next"))
		hint := widget.NewLabel(T("wizard.passphrase_hint", map[string]any{"Min": app.MinPassphraseLen}))
		hint.Wrapping = fyne.TextWrapWord
		page = container.NewVBox(hint, widget.NewForm(
			widget.NewFormItem(T("wizard.passphrase"), w.withErr(app.FieldNewPassphrase, w.pass)),
			widget.NewFormItem(T("wizard.passphrase_confirm"), w.withErr(fieldConfirmPassphrase, w.confirm)),
		))
	case 2:
		w.next.SetText(T("wizard.create"))
		s := w.site()
		summary := widget.NewForm(
			widget.NewFormItem(T("site.name"), widget.NewLabel(s.Name)),
			widget.NewFormItem(T("site.country"), widget.NewLabel(countryName(s.Country))),
			widget.NewFormItem(T("site.currency"), widget.NewLabel(s.Currency)),
			widget.NewFormItem(T("site.time_zone"), widget.NewLabel(s.TimeZone)),
			widget.NewFormItem(T("site.language"), widget.NewLabel(w.language.Selected)),
			widget.NewFormItem(T("site.mode"), widget.NewLabel(T("mode.test"))),
		)
		note := widget.NewLabel(T("wizard.summary_note"))
		note.Wrapping = fyne.TextWrapWord
		page = container.NewVBox(summary, note)
	}
	w.body.Objects = []fyne.CanvasObject{page}
	w.body.Refresh()
}

func (w *wizard) onBack() {
	if w.step > w.first {
		w.show(w.step - 1)
	}
}

// organisation says the organisation database is chosen.
func (w *wizard) organisation() bool {
	return w.where != nil && w.where.Selected == w.where.Options[1]
}

// openOrganisation opens the organisation database typed and hands its
// services to the main window; a refusal is shown and nothing changes.
func (w *wizard) openOrganisation() {
	c := w.org.connection()
	if err := c.Validate(); err != nil {
		w.errMsg.SetText(ErrorText(err))
		return
	}
	w.next.Disable()
	w.org.say("", widget.MediumImportance)
	w.errMsg.SetText(T("orgdb.testing"))
	w.deps.run(func() {
		deps, err := w.deps.Databases.Open(context.Background(), c)
		if err == nil {
			err = w.deps.Databases.Remember(c)
		}
		fyne.Do(func() {
			w.next.Enable()
			if err != nil {
				w.errMsg.SetText(ErrorText(err))
				return
			}
			w.errMsg.SetText("")
			if w.switched != nil {
				w.switched(deps, c)
			}
		})
	})
}

func (w *wizard) onNext() {
	switch w.step {
	case stepWhere:
		if w.organisation() {
			w.openOrganisation()
			return
		}
		w.show(0)
	case 0:
		clearFields(w.errs)
		if err := w.site().Validate(); err != nil {
			w.refused(err)
			return
		}
		w.show(1)
	case 1:
		clearFields(w.errs)
		if err := app.ValidatePassphrase(w.pass.Text); err != nil {
			w.refused(err)
			return
		}
		if w.pass.Text != w.confirm.Text {
			w.refused(app.Errorf(app.EINVALID, "wizard.passphrase_mismatch", "the passphrases differ").WithField(fieldConfirmPassphrase))
			return
		}
		w.show(2)
	case 2:
		w.create()
	}
}

func (w *wizard) create() {
	site, pass := w.site(), w.pass.Text
	w.next.Disable()
	w.back.Disable()
	w.errMsg.SetText(T("wizard.creating"))
	w.deps.run(func() {
		err := w.deps.Site.Setup(context.Background(), site, pass)
		fyne.Do(func() {
			w.next.Enable()
			w.back.Enable()
			if err != nil {
				w.errMsg.SetText(ErrorText(err))
				return
			}
			w.pass.SetText("")
			w.confirm.SetText("")
			w.done()
		})
	})
}

// TLS modes offered for the organisation database, as libpq's sslmode.
const (
	TLSDisable    = "disable"
	TLSRequire    = "require"
	TLSVerifyFull = "verify-full"
)

var tlsModes = []string{TLSDisable, TLSRequire, TLSVerifyFull}

// OrgConnection is what a person types to reach the organisation database.
type OrgConnection struct {
	Host     string
	Port     int
	Database string
	User     string
	Password string
	TLS      string // TLSDisable, TLSRequire or TLSVerifyFull
	// Remember keeps the password in the system keychain.
	Remember bool
}

// URL is c as a postgres:// URL; without the password it is what
// Preferences keep.
func (c OrgConnection) URL(withPassword bool) string {
	u := &url.URL{
		Scheme: "postgres", Host: net.JoinHostPort(strings.TrimSpace(c.Host), strconv.Itoa(c.Port)),
		Path: "/" + strings.TrimSpace(c.Database), User: url.User(strings.TrimSpace(c.User)),
	}
	if withPassword && c.Password != "" {
		u.User = url.UserPassword(strings.TrimSpace(c.User), c.Password)
	}
	tls := c.TLS
	if tls == "" {
		tls = TLSVerifyFull
	}
	u.RawQuery = url.Values{"sslmode": {tls}}.Encode()
	return u.String()
}

// ParseOrgConnection reads back a URL that URL made (the password, if any,
// included); ok is false for anything else, a file path among them.
func ParseOrgConnection(s string) (c OrgConnection, ok bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.User == nil {
		return OrgConnection{}, false
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		port = 5432
	}
	c = OrgConnection{
		Host: u.Hostname(), Port: port, Database: strings.TrimPrefix(u.Path, "/"),
		User: u.User.Username(), TLS: u.Query().Get("sslmode"),
	}
	c.Password, _ = u.User.Password()
	if !slices.Contains(tlsModes, c.TLS) {
		c.TLS = TLSVerifyFull
	}
	return c, true
}

// Validate says what is missing before anything is tried.
func (c OrgConnection) Validate() error {
	field := func(name string) error {
		return app.Errorf(app.EINVALID, "error.orgdb."+name+"_required", "the %s is required", name)
	}
	switch {
	case strings.TrimSpace(c.Host) == "":
		return field("host")
	case c.Port < 1 || c.Port > 65535:
		return app.Errorf(app.EINVALID, "error.orgdb.port", "the port must be a number from 1 to 65535")
	case strings.TrimSpace(c.Database) == "":
		return field("database")
	case strings.TrimSpace(c.User) == "":
		return field("user")
	}
	return nil
}

// OrgDatabases reaches organisation databases for the first-run wizard and
// Preferences; cmd/trainpay wires it. Nil leaves the choice off.
type OrgDatabases interface {
	// Test connects to c and closes again, saying why it cannot; a
	// database it refuses is left as it was.
	Test(ctx context.Context, c OrgConnection) error
	// Remember keeps c's password in the system keychain, or forgets it
	// when c.Remember is false.
	Remember(c OrgConnection) error
	// Open opens c and returns the services on it.
	Open(ctx context.Context, c OrgConnection) (Deps, error)
}

// orgForm is the organisation database's connection form, shared by the
// wizard and Preferences.
type orgForm struct {
	host, port, database, user, password *widgets.Entry
	tls                                  *widgets.Select
	remember                             *widgets.Check
	test                                 *widgets.Button
	msg                                  *widget.Label
	form                                 *widget.Form
	content                              fyne.CanvasObject
}

func tlsLabels() []string {
	return []string{T("orgdb.tls_disable"), T("orgdb.tls_require"), T("orgdb.tls_verify_full")}
}

func newOrgForm(deps Deps, initial OrgConnection) *orgForm {
	f := &orgForm{}
	f.host = widgets.NewEntry()
	f.host.SetPlaceHolder("db.example.org")
	f.port = widgets.NewEntry()
	f.port.SetText("5432")
	f.database = widgets.NewEntry()
	f.database.SetPlaceHolder("trainpay")
	f.user = widgets.NewEntry()
	f.password = widgets.NewPasswordEntry()
	f.tls = newChoice(tlsLabels(), nil)
	f.tls.SetSelectedIndex(2)
	f.remember = widgets.NewCheck(T("orgdb.remember"), nil)
	f.msg = widget.NewLabel("")
	f.msg.Wrapping = fyne.TextWrapWord
	f.set(initial)
	f.test = widgets.NewButton(T("orgdb.test"), func() { f.onTest(deps) })
	if deps.Databases == nil {
		f.test.Disable()
	}
	f.form = widget.NewForm(
		widget.NewFormItem(T("orgdb.host"), f.host),
		widget.NewFormItem(T("orgdb.port"), f.port),
		widget.NewFormItem(T("orgdb.database"), f.database),
		widget.NewFormItem(T("orgdb.user"), f.user),
		widget.NewFormItem(T("orgdb.password"), f.password),
		widget.NewFormItem(T("orgdb.tls"), f.tls),
		widget.NewFormItem("", f.remember),
		widget.NewFormItem("", container.NewHBox(f.test)),
	)
	f.content = container.NewVBox(f.form, f.msg)
	return f
}

func (f *orgForm) set(c OrgConnection) {
	if c.Host != "" {
		f.host.SetText(c.Host)
	}
	if c.Port != 0 {
		f.port.SetText(strconv.Itoa(c.Port))
	}
	f.database.SetText(c.Database)
	f.user.SetText(c.User)
	f.password.SetText(c.Password)
	if i := slices.Index(tlsModes, c.TLS); i >= 0 {
		f.tls.SetSelectedIndex(i)
	}
	f.remember.SetChecked(c.Remember)
}

// connection is what the form holds; a port that is not a number reads as
// 0, which Validate refuses.
func (f *orgForm) connection() OrgConnection {
	port, err := strconv.Atoi(strings.TrimSpace(f.port.Text))
	if err != nil {
		port = 0
	}
	c := OrgConnection{
		Host: strings.TrimSpace(f.host.Text), Port: port, Database: strings.TrimSpace(f.database.Text),
		User: strings.TrimSpace(f.user.Text), Password: f.password.Text, TLS: TLSVerifyFull, Remember: f.remember.Checked,
	}
	if i := f.tls.SelectedIndex(); i >= 0 {
		c.TLS = tlsModes[i]
	}
	return c
}

func (f *orgForm) say(text string, importance widget.Importance) {
	f.msg.Importance = importance
	f.msg.SetText(text)
}

func (f *orgForm) onTest(deps Deps) {
	c := f.connection()
	if err := c.Validate(); err != nil {
		f.say(ErrorText(err), widget.DangerImportance)
		return
	}
	f.test.Disable()
	f.say(T("orgdb.testing"), widget.MediumImportance)
	deps.run(func() {
		err := deps.Databases.Test(context.Background(), c)
		fyne.Do(func() {
			f.test.Enable()
			if err != nil {
				f.say(ErrorText(err), widget.DangerImportance)
				return
			}
			f.say(T("orgdb.test_ok"), widget.SuccessImportance)
		})
	})
}

// ConnectWindow asks again for the organisation database chosen in
// Preferences when it could not be opened at start (a password not kept
// in the keychain, a server away): the reason, the connection's form with
// what Preferences hold, and Connect. Once connected it hands the
// services on to connected and closes.
type ConnectWindow struct {
	win     fyne.Window
	form    *orgForm
	connect *widgets.Button
	errMsg  *widget.Label
}

// NewConnectWindow builds the window; call Show (or ShowAndRun) on
// Window().
func NewConnectWindow(a fyne.App, deps Deps, c OrgConnection, cause error, connected func(Deps, OrgConnection)) *ConnectWindow {
	SetLanguage(NewSettings(a.Preferences()).LanguageOverride())
	cw := &ConnectWindow{win: a.NewWindow(T("app.title")), form: newOrgForm(deps, c)}
	title := widget.NewLabelWithStyle(T("orgdb.connect_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	cw.errMsg = widget.NewLabel(ErrorText(cause))
	cw.errMsg.Wrapping = fyne.TextWrapWord
	cw.errMsg.Importance = widget.DangerImportance
	cw.connect = widgets.NewButton(T("orgdb.connect"), func() {
		c := cw.form.connection()
		if err := c.Validate(); err != nil {
			cw.errMsg.SetText(ErrorText(err))
			return
		}
		cw.connect.Disable()
		cw.errMsg.SetText(T("orgdb.testing"))
		deps.run(func() {
			opened, err := deps.Databases.Open(context.Background(), c)
			if err == nil {
				err = deps.Databases.Remember(c)
			}
			fyne.Do(func() {
				cw.connect.Enable()
				if err != nil {
					cw.errMsg.SetText(ErrorText(err))
					return
				}
				NewSettings(a.Preferences()).SetOrgPasswordRemembered(c.Remember)
				opened.Databases = deps.Databases
				connected(opened, c)
				cw.win.Close()
			})
		})
	})
	cw.connect.Importance = widget.HighImportance
	cw.win.SetContent(container.NewPadded(container.NewBorder(title,
		container.NewVBox(cw.errMsg, container.NewBorder(nil, nil, nil, cw.connect)), nil, nil,
		container.NewVScroll(cw.form.content))))
	cw.win.Resize(fyne.NewSize(720, 560))
	return cw
}

// Window returns the Fyne window.
func (cw *ConnectWindow) Window() fyne.Window { return cw.win }
