package app

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

// PeopleAdminStore is what managing people needs of a store. Only the
// organisation database has it: there each person signs in with a
// database login of their own, and these calls create and change those
// logins on the server (which checks, itself, that the caller may). The
// single-desktop file has one person, its user, and nothing to manage.
type PeopleAdminStore interface {
	PeopleStore
	// AddPerson creates p's login with password, which the administrator
	// gives once (it is sent to the server only as a SCRAM-SHA-256
	// verifier), and records p with its roles and departments. ECONFLICT
	// "error.people.login_taken" when the server already has the login.
	AddPerson(ctx context.Context, p Person, password string) (Person, error)
	// SetPersonRoles replaces a person's roles and departments; ENOTFOUND
	// "error.people.not_found" when there is no such login.
	SetPersonRoles(ctx context.Context, login string, roles []Role, departments []int64) error
	// DisablePerson stops a person from signing in and takes their roles
	// away at the server, open sessions included; ENOTFOUND
	// "error.people.not_found" when there is no such login.
	DisablePerson(ctx context.Context, login string) error
}

// AllRoles is every role, in the order they are shown.
var AllRoles = []Role{RoleAdministrator, RoleCoordinator, RoleBudgetOwner}

// loginPattern is what a person's login may be: a PostgreSQL role name
// that needs no quoting in psql beyond dots and dashes, and that the
// schema's CHECK accepts.
var loginPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,62}$`)

// ValidateLogin checks a new person's login.
func ValidateLogin(login string) error {
	if !loginPattern.MatchString(login) {
		return Errorf(EINVALID, "error.people.login",
			"a login is 1 to 63 lower-case letters, digits, '_', '.' or '-', starting with a letter")
	}
	if strings.HasPrefix(login, "pg_") {
		return Errorf(EINVALID, "error.people.login_reserved", "logins starting with pg_ are PostgreSQL's own")
	}
	return nil
}

// ValidateRoles checks a person's roles and the departments they own: at
// least one known role, and departments only for a budget owner, who owns
// at least one.
func ValidateRoles(roles []Role, departments []int64) error {
	if len(roles) == 0 {
		return Errorf(EINVALID, "error.people.no_role", "give the person at least one role")
	}
	for _, r := range roles {
		if !slices.Contains(AllRoles, r) {
			return Errorf(EINVALID, "error.people.unknown_role", "%q is not a role", string(r)).
				With(map[string]any{"Role": string(r)})
		}
	}
	owner := slices.Contains(roles, RoleBudgetOwner)
	if owner && len(departments) == 0 {
		return Errorf(EINVALID, "error.people.no_department", "a budget owner owns at least one department")
	}
	if !owner && len(departments) > 0 {
		return Errorf(EINVALID, "error.people.departments_not_owner", "only a budget owner owns departments")
	}
	return nil
}

// PeopleService holds the rules of people and roles: who is signed in,
// and the site administrator's management of people.
type PeopleService struct {
	Store PeopleStore
	Gate  AdminGate // checks the Admin handle; refuses all when nil
}

// Me is the person signed in.
func (s *PeopleService) Me(ctx context.Context) (Person, error) { return s.Store.Me(ctx) }

// People lists the site's people, by name.
func (s *PeopleService) People(ctx context.Context) ([]Person, error) { return s.Store.People(ctx) }

// CanManage reports whether this store's people can be managed (the
// organisation database's can; the single-desktop file has one person).
func (s *PeopleService) CanManage() bool {
	_, ok := s.Store.(PeopleAdminStore)
	return ok
}

func (s *PeopleService) admin(a *Admin) (PeopleAdminStore, error) {
	if err := requireAdminOf(s.Gate, a); err != nil {
		return nil, err
	}
	st, ok := s.Store.(PeopleAdminStore)
	if !ok {
		return nil, Errorf(EUNAVAILABLE, "error.people.single_desktop",
			"this database has one person, the desktop's user: people are managed on the organisation database")
	}
	return st, nil
}

// Invite adds a person who will sign in as p.Login with password (given
// once by the administrator, who passes it on).
func (s *PeopleService) Invite(ctx context.Context, a *Admin, p Person, password string) (Person, error) {
	st, err := s.admin(a)
	if err != nil {
		return Person{}, err
	}
	p.Login = strings.TrimSpace(p.Login)
	p.Name = strings.TrimSpace(p.Name)
	p.Email = strings.TrimSpace(p.Email)
	if err := ValidateLogin(p.Login); err != nil {
		return Person{}, err
	}
	if p.Name == "" {
		return Person{}, Errorf(EINVALID, "error.people.name", "give the person's name")
	}
	if err := ValidateRoles(p.Roles, p.Departments); err != nil {
		return Person{}, err
	}
	if err := ValidatePassphrase(password); err != nil {
		return Person{}, err
	}
	return st.AddPerson(ctx, p, password)
}

// SetRoles replaces a person's roles and departments.
func (s *PeopleService) SetRoles(ctx context.Context, a *Admin, login string, roles []Role, departments []int64) error {
	st, err := s.admin(a)
	if err != nil {
		return err
	}
	if err := ValidateRoles(roles, departments); err != nil {
		return err
	}
	return st.SetPersonRoles(ctx, login, roles, departments)
}

// Disable stops a person from signing in.
func (s *PeopleService) Disable(ctx context.Context, a *Admin, login string) error {
	st, err := s.admin(a)
	if err != nil {
		return err
	}
	return st.DisablePerson(ctx, login)
}

// AdminByRole is site administration on the organisation database: the
// administrator's capability comes from the role the server gives the
// signed-in login, not from a passphrase. It returns an Admin handle (the
// same unforgeable kind Unlock makes) when people's Me holds
// RoleAdministrator, EUNAUTHORIZED "error.people.not_administrator"
// otherwise. The server enforces the role on every statement whatever the
// handle says; the handle lets the app present site administration.
//
// Only a store whose people sign in as themselves (a PeopleAdminStore)
// gives the capability by role: on the single-desktop file, whose one
// person holds every role, it stays behind the passphrase (Unlock), and
// AdminByRole refuses with EUNAUTHORIZED "error.people.passphrase_site".
func (s *SiteService) AdminByRole(ctx context.Context, people PeopleStore) (*Admin, error) {
	if _, ok := people.(PeopleAdminStore); !ok {
		return nil, Errorf(EUNAUTHORIZED, "error.people.passphrase_site",
			"this site's administration is unlocked with the administrator's passphrase")
	}
	me, err := people.Me(ctx)
	if err != nil {
		return nil, err
	}
	if me.Disabled || !me.Has(RoleAdministrator) {
		return nil, Errorf(EUNAUTHORIZED, "error.people.not_administrator",
			"%s is not a site administrator of this database", me.Login).With(map[string]any{"Login": me.Login})
	}
	return s.issueAdmin(s.now())
}

// AdminIssuer issues an Admin handle to the signed-in login whose role
// administers the site; *SiteService is the one that does.
type AdminIssuer interface {
	AdminByRole(ctx context.Context, people PeopleStore) (*Admin, error)
}

var _ AdminIssuer = (*SiteService)(nil)

// Administer is the Admin handle of the signed-in login's role
// (AdminIssuer.AdminByRole), when Gate is also the issuer of handles;
// EUNAUTHORIZED otherwise.
func (s *PeopleService) Administer(ctx context.Context) (*Admin, error) {
	site, ok := s.Gate.(AdminIssuer)
	if !ok {
		return nil, adminRequired()
	}
	return site.AdminByRole(ctx, s.Store)
}
