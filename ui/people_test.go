package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// peopleStoreFake is an organisation database's people in memory: me is
// the signed-in login.
type peopleStoreFake struct {
	me     app.Person
	people []app.Person
}

func (f *peopleStoreFake) Me(context.Context) (app.Person, error) { return f.me, nil }
func (f *peopleStoreFake) People(context.Context) ([]app.Person, error) {
	return slices.Clone(f.people), nil
}

func (f *peopleStoreFake) AddPerson(_ context.Context, p app.Person, _ string) (app.Person, error) {
	f.people = append(f.people, p)
	return p, nil
}

func (f *peopleStoreFake) SetPersonRoles(_ context.Context, login string, roles []app.Role, deps []int64) error {
	for i := range f.people {
		if f.people[i].Login == login {
			f.people[i].Roles, f.people[i].Departments = roles, deps
		}
	}
	return nil
}

func (f *peopleStoreFake) DisablePerson(_ context.Context, login string) error {
	for i := range f.people {
		if f.people[i].Login == login {
			f.people[i].Disabled = true
		}
	}
	return nil
}

// On the organisation database a coordinator's login is told, in Polish,
// that it is not an administrator; an administrator's login opens Site
// administration by its role, without the passphrase, and the People tab
// lists the people with their roles in Polish; Disable asks first and
// then disables.
func TestPeopleTabOpensByTheLoginsRoleAndListsPeopleInPolish(t *testing.T) {
	e := newEnv(t, "pl")
	e.setUp("PL", "PLN", "Europe/Warsaw")
	store := &peopleStoreFake{
		me: app.Person{Login: "cez", Name: "Cezary", Roles: []app.Role{app.RoleCoordinator}},
		people: []app.Person{
			{Login: "ada", Name: "Ada Admin", Roles: []app.Role{app.RoleAdministrator}},
			{Login: "ben", Name: "Ben Budżet", Roles: []app.Role{app.RoleBudgetOwner}, Departments: []int64{7}},
		},
	}
	e.deps.People = &app.PeopleService{Store: store, Gate: e.site}
	m := NewMainWindow(e.app, e.deps)
	m.Open(SectionAdmin)
	adm := m.admin
	byRole := findButton(m.Window(), T("people.administer"))
	if byRole == nil {
		t.Fatalf("no way in by the login's role: %q", screenTexts(m.Window()))
	}
	test.Tap(byRole)
	if adm.admin != nil || adm.unlockMsg.Text != "cez nie jest administratorem witryny tej bazy danych." {
		t.Fatalf("a coordinator's login: admin %v, message %q", adm.admin, adm.unlockMsg.Text)
	}

	store.me = store.people[0]
	test.Tap(findButton(m.Window(), T("people.administer")))
	if adm.admin == nil || adm.people == nil {
		t.Fatalf("an administrator's login did not open Site administration: %q", adm.unlockMsg.Text)
	}
	var tab bool
	for _, ti := range adm.tabs.Items {
		if ti.Text == "Osoby" {
			adm.tabs.Select(ti)
			tab = true
		}
	}
	if !tab {
		t.Fatal("no People tab")
	}
	all := screenTexts(m.Window())
	for _, want := range []string{"Ada Admin (ada)", "Administrator witryny", "Ben Budżet (ben)", "Właściciel budżetu · właściciel budżetu: #7"} {
		if !containsText(all, want) {
			t.Errorf("the People tab lacks %q: %q", want, all)
		}
	}
	adm.people.onDisable(adm.people.Rows()[1])
	yes := findButton(m.Window(), "Tak")
	if yes == nil {
		t.Fatalf("no confirmation: %q", screenTexts(m.Window()))
	}
	test.Tap(yes)
	if !store.people[1].Disabled || !containsText(screenTexts(m.Window()), "Ben Budżet (ben) · wyłączona: nie może się zalogować") {
		t.Errorf("after Disable: %+v, %q", store.people[1], screenTexts(m.Window()))
	}
}
