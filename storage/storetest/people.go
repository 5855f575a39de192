package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
)

// RunPeopleStore runs the people contract against fresh stores from open,
// each opened by whoever sets the site up: the desktop's user on the file,
// the schema's owner (the IT administrator) on the organisation database.
// What only the organisation database does (logins, the server's refusals
// per role) is tested in storage/postgres, which alone has logins.
func RunPeopleStore(t *testing.T, open func(t *testing.T) app.PeopleStore) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, app.PeopleStore)
	}{
		{"TheOpenerHoldsTheAdministratorsRole", peopleOpenerAdministers},
		{"AdministrationByRoleOnlyWherePeopleSignInAsThemselves", peopleAdminByRole},
		{"PeopleAreListedByName", peopleListedByName},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

func peopleOpenerAdministers(t *testing.T, s app.PeopleStore) {
	me, err := s.Me(context.Background())
	if err != nil {
		t.Fatalf("Me: %v", err)
	}
	if me.Login == "" || me.Name == "" || me.Disabled || !me.Has(app.RoleAdministrator) {
		t.Errorf("Me = %+v, want a named, enabled administrator", me)
	}
}

func peopleAdminByRole(t *testing.T, s app.PeopleStore) {
	site := &app.SiteService{}
	a, err := site.AdminByRole(context.Background(), s)
	if _, signsIn := s.(app.PeopleAdminStore); signsIn {
		if err != nil {
			t.Fatalf("AdminByRole for the owner: %v", err)
		}
		if err := site.RequireAdmin(a); err != nil {
			t.Errorf("the handle AdminByRole made is refused: %v", err)
		}
		return
	}
	if e := app.AsError(err); a != nil || e == nil || e.Key != "error.people.passphrase_site" {
		t.Errorf("AdminByRole on a passphrase site = %v, %v; want error.people.passphrase_site", a, err)
	}
}

func peopleListedByName(t *testing.T, s app.PeopleStore) {
	people, err := s.People(context.Background())
	if err != nil {
		t.Fatalf("People: %v", err)
	}
	if !slices.IsSortedFunc(people, func(a, b app.Person) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	}) {
		t.Errorf("People are not by name: %+v", people)
	}
	for _, p := range people {
		if p.Login == "" || len(p.Roles) == 0 {
			t.Errorf("People has %+v: every person has a login and a role", p)
		}
	}
}
