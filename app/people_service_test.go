package app_test

import (
	"context"
	"testing"

	"github.com/trainpay/trainpay/app"
)

// peopleFake is a store whose people sign in as themselves: me is who is
// signed in; added counts the people the service let through.
type peopleFake struct {
	me    app.Person
	added []app.Person
}

func (f *peopleFake) Me(context.Context) (app.Person, error)       { return f.me, nil }
func (f *peopleFake) People(context.Context) ([]app.Person, error) { return []app.Person{f.me}, nil }

func (f *peopleFake) AddPerson(_ context.Context, p app.Person, _ string) (app.Person, error) {
	f.added = append(f.added, p)
	return p, nil
}

func (f *peopleFake) SetPersonRoles(context.Context, string, []app.Role, []int64) error { return nil }

func (f *peopleFake) DisablePerson(context.Context, string) error { return nil }

func TestAdminByRoleMintsAHandleOnlyForTheAdministratorsRole(t *testing.T) {
	ctx := context.Background()
	site := app.NewSiteService(nil)
	coord := &peopleFake{me: app.Person{Login: "cezary", Roles: []app.Role{app.RoleCoordinator, app.RoleBudgetOwner}}}
	if a, err := site.AdminByRole(ctx, coord); a != nil || app.AsError(err) == nil || app.AsError(err).Key != "error.people.not_administrator" {
		t.Errorf("AdminByRole for a coordinator = %v, %v", a, err)
	}
	disabled := &peopleFake{me: app.Person{Login: "ada", Roles: []app.Role{app.RoleAdministrator}, Disabled: true}}
	if a, err := site.AdminByRole(ctx, disabled); a != nil || err == nil {
		t.Errorf("AdminByRole for a disabled administrator = %v, %v", a, err)
	}
	admin := &peopleFake{me: app.Person{Login: "ada", Roles: []app.Role{app.RoleAdministrator}}}
	a, err := site.AdminByRole(ctx, admin)
	if err != nil || site.RequireAdmin(a) != nil {
		t.Fatalf("AdminByRole for an administrator = %v, %v", a, err)
	}
	// The handle is the site service's, as Unlock's are: another service
	// does not know it, and a forged one is refused.
	if err := app.NewSiteService(nil).RequireAdmin(a); !app.AdminRefused(err) {
		t.Errorf("another service accepted the handle: %v", err)
	}
	site.Lock(a)
	if err := site.RequireAdmin(a); !app.AdminRefused(err) {
		t.Errorf("a locked handle still works: %v", err)
	}
}

func TestPeopleServiceInviteChecksTheHandleAndTheInputBeforeTheStore(t *testing.T) {
	ctx := context.Background()
	site := app.NewSiteService(nil)
	store := &peopleFake{me: app.Person{Login: "ada", Roles: []app.Role{app.RoleAdministrator}}}
	svc := &app.PeopleService{Store: store, Gate: site}
	good := app.Person{Login: "jan.nowak", Name: "Jan Nowak", Roles: []app.Role{app.RoleBudgetOwner}, Departments: []int64{3}}
	const password = "a long enough password"

	if _, err := svc.Invite(ctx, &app.Admin{}, good, password); !app.AdminRefused(err) {
		t.Errorf("Invite with a forged handle: %v", err)
	}
	a, err := site.AdminByRole(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		p        app.Person
		password string
		key      string
	}{
		{"upper-case login", app.Person{Login: "Jan", Name: "J", Roles: good.Roles, Departments: good.Departments}, password, "error.people.login"},
		{"quote in login", app.Person{Login: `jan"; drop`, Name: "J", Roles: good.Roles, Departments: good.Departments}, password, "error.people.login"},
		{"PostgreSQL's prefix", app.Person{Login: "pg_admin", Name: "J", Roles: good.Roles, Departments: good.Departments}, password, "error.people.login_reserved"},
		{"no name", app.Person{Login: "jan", Roles: good.Roles, Departments: good.Departments}, password, "error.people.name"},
		{"no role", app.Person{Login: "jan", Name: "J"}, password, "error.people.no_role"},
		{"unknown role", app.Person{Login: "jan", Name: "J", Roles: []app.Role{"owner"}}, password, "error.people.unknown_role"},
		{"owner of nothing", app.Person{Login: "jan", Name: "J", Roles: []app.Role{app.RoleBudgetOwner}}, password, "error.people.no_department"},
		{"departments without the role", app.Person{Login: "jan", Name: "J", Roles: []app.Role{app.RoleCoordinator}, Departments: []int64{1}}, password, "error.people.departments_not_owner"},
		{"short password", good, "short", "error.passphrase.short"},
	} {
		if _, err := svc.Invite(ctx, a, c.p, c.password); app.AsError(err) == nil || app.AsError(err).Key != c.key {
			t.Errorf("%s: %v, want %s", c.name, err, c.key)
		}
	}
	if len(store.added) != 0 {
		t.Fatalf("refused invitations reached the store: %+v", store.added)
	}
	if _, err := svc.Invite(ctx, a, good, password); err != nil || len(store.added) != 1 {
		t.Errorf("Invite = %v, added %+v", err, store.added)
	}
}
