package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// fakeOrg answers as an organisation database would: refusing with err,
// or opening deps.
type fakeOrg struct {
	err        error
	deps       Deps
	tested     []OrgConnection
	remembered []OrgConnection
}

func (f *fakeOrg) Test(_ context.Context, c OrgConnection) error {
	f.tested = append(f.tested, c)
	return f.err
}

func (f *fakeOrg) Remember(c OrgConnection) error {
	f.remembered = append(f.remembered, c)
	return nil
}

func (f *fakeOrg) Open(_ context.Context, c OrgConnection) (Deps, error) {
	f.tested = append(f.tested, c)
	return f.deps, f.err
}

func fillOrg(w fyne.Window, f *orgForm) {
	test.Type(f.host, "db.example.org")
	f.port.SetText("6432")
	test.Type(f.database, "trainpay")
	test.Type(f.user, "anna")
	test.Type(f.password, "p@ss/word")
	f.tls.SetSelectedIndex(1)
	f.remember.SetChecked(true)
}

func TestOrgConnectionURLRoundTripsWithoutThePassword(t *testing.T) {
	c := OrgConnection{Host: "db.example.org", Port: 6432, Database: "trainpay", User: "anna", Password: "p@ss/word", TLS: TLSRequire}
	kept := c.URL(false)
	if strings.Contains(kept, "p@ss") || kept != "postgres://anna@db.example.org:6432/trainpay?sslmode=require" {
		t.Fatalf("kept %q", kept)
	}
	back, ok := ParseOrgConnection(c.URL(true))
	if !ok || back != (OrgConnection{
		Host: "db.example.org", Port: 6432, Database: "trainpay", User: "anna",
		Password: "p@ss/word", TLS: TLSRequire,
	}) {
		t.Fatalf("read back %+v %v", back, ok)
	}
	if _, ok := ParseOrgConnection("/home/anna/trainpay.db"); ok {
		t.Fatal("a file path read as a connection")
	}
}

// The wizard's organisation database: what is missing is said before
// anything is tried; a refusal is said in the user's language and nothing
// is kept; once opened, the main window goes on with the organisation
// database's services, and Preferences keep its address, never its
// password.
func TestWizardOrganisationDatabaseRefusedThenOpened(t *testing.T) {
	e := newEnv(t, "pl")
	other := newEnv(t, "pl")
	other.setUp("PL", "PLN", "Europe/Warsaw")
	org := &fakeOrg{
		err:  app.Errorf(app.EUNAUTHORIZED, "error.orgdb.login", "refused").With(map[string]any{"User": "anna"}),
		deps: other.deps,
	}
	e.deps.Databases = org
	m := NewMainWindow(e.app, e.deps)
	w := m.Window()
	if m.wizard == nil || m.wizard.step != stepWhere {
		t.Fatal("the wizard does not start with where the data is kept")
	}
	m.wizard.where.SetSelected(m.wizard.where.Options[1])
	test.Tap(m.wizard.next)
	if m.wizard.errMsg.Text != "Wpisz nazwę lub adres serwera." || len(org.tested) != 0 {
		t.Fatalf("empty form: %q, %d tries", m.wizard.errMsg.Text, len(org.tested))
	}
	fillOrg(w, m.wizard.org)
	test.Tap(m.wizard.next)
	if !strings.Contains(m.wizard.errMsg.Text, "odrzuciła nazwę użytkownika anna") {
		t.Fatalf("refusal: %q", m.wizard.errMsg.Text)
	}
	s := NewSettings(e.app.Preferences())
	if s.DatabasePath() != "" || len(org.remembered) != 0 || m.wizard.org.host.Text != "db.example.org" {
		t.Fatalf("after a refusal: kept %q, remembered %d, form %q", s.DatabasePath(), len(org.remembered), m.wizard.org.host.Text)
	}

	org.err = nil
	test.Tap(m.wizard.next)
	if m.wizard != nil || m.sections == nil {
		t.Fatal("the organisation database's site (set up already) is not shown")
	}
	if got := s.DatabasePath(); got != "postgres://anna@db.example.org:6432/trainpay?sslmode=require" {
		t.Fatalf("Preferences keep %q", got)
	}
	if !s.OrgPasswordRemembered() || len(org.remembered) != 1 || org.remembered[0].Password != "p@ss/word" {
		t.Fatalf("remembered %+v", org.remembered)
	}
	if strings.Contains(string(dumpPreferences(e.app.Preferences())), "p@ss") {
		t.Fatal("the password is in the preferences")
	}
}

// Preferences: the organisation database is kept for the next start only
// once it answers; a refusal keeps nothing; the form shows what is kept.
func TestPreferencesKeepTheOrganisationDatabaseOnceItAnswers(t *testing.T) {
	e, m, _ := newDesktopWindow(t)
	org := &fakeOrg{err: app.Errorf(app.EUNAVAILABLE, "error.orgdb.tls_not_offered", "no TLS").
		With(map[string]any{"Host": "db.example.org"})}
	m.deps.Databases = org
	m.ShowPreferences()
	p := m.prefs
	p.where.SetSelected(p.where.Options[1])
	if !p.orgBox.Visible() || p.local.Visible() {
		t.Fatal("the organisation database's form is not shown")
	}
	fillOrg(p.win, p.org)
	test.Tap(p.orgSave)
	s := NewSettings(e.app.Preferences())
	if !strings.Contains(p.org.msg.Text, "TLS is required, but the server db.example.org does not offer it") ||
		s.DatabasePath() != "" || len(org.remembered) != 0 {
		t.Fatalf("refused: %q, kept %q", p.org.msg.Text, s.DatabasePath())
	}
	org.err = nil
	test.Tap(p.orgSave)
	if s.DatabasePath() != "postgres://anna@db.example.org:6432/trainpay?sslmode=require" ||
		!strings.Contains(p.org.msg.Text, "trainpay on db.example.org when it is started again") {
		t.Fatalf("kept %q: %q", s.DatabasePath(), p.org.msg.Text)
	}
	test.Tap(p.org.test)
	if !strings.Contains(p.org.msg.Text, "answers") {
		t.Fatalf("test: %q", p.org.msg.Text)
	}
	// Opened again, Preferences show the organisation database chosen,
	// without its password.
	p.win.Close()
	m.ShowPreferences()
	p = m.prefs
	if p.where.Selected != p.where.Options[1] || p.org.host.Text != "db.example.org" || p.org.password.Text != "" ||
		!p.org.remember.Checked {
		t.Fatalf("reopened: %q %q %q %v", p.where.Selected, p.org.host.Text, p.org.password.Text, p.org.remember.Checked)
	}
}

// Opened on the organisation database already (--db, TRAINPAY_DB or
// Preferences), the wizard does not ask where to keep the data: it sets up
// the site there.
func TestWizardOnTheOrganisationDatabaseStartsWithTheSite(t *testing.T) {
	e := newEnv(t, "en")
	e.deps.Databases = &fakeOrg{}
	e.deps.OnOrganisation = true
	m := NewMainWindow(e.app, e.deps)
	if m.wizard == nil || m.wizard.step != 0 || !m.wizard.back.Hidden {
		t.Fatalf("the wizard starts at step %d", m.wizard.step)
	}
}
