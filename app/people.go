package app

import (
	"context"
	"slices"
)

// Role is what a person may do on an organisation database. The roles
// are enforced by the database server (grants, row-level security and
// security-definer functions), not by this client; the app asks for them
// only to present what a person may do.
type Role string

const (
	// RoleAdministrator configures e-commerce: features, mode, rates,
	// payment methods, merchant credentials, people and budgets.
	RoleAdministrator Role = "administrator"
	// RoleCoordinator schedules sessions, registers attendees and takes
	// their payments.
	RoleCoordinator Role = "coordinator"
	// RoleBudgetOwner pays for (or declines) the pay-per-use sessions of
	// the departments whose budgets they own.
	RoleBudgetOwner Role = "budget-owner"
)

// Person is someone who signs in to the organisation database with a
// login of their own. On the single-desktop file there is one person, the
// desktop's user, who holds every role (the administrator's part still
// behind the site passphrase).
type Person struct {
	ID    int64
	Login string // the database login (a PostgreSQL role name)
	Name  string
	Email string
	Roles []Role
	// Departments are the departments whose budgets the person owns
	// (budget owners only).
	Departments []int64
	Disabled    bool
}

// Has reports whether the person holds role r.
func (p Person) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// Owns reports whether the person owns the budget of department id.
func (p Person) Owns(departmentID int64) bool {
	return p.Has(RoleBudgetOwner) && slices.Contains(p.Departments, departmentID)
}

// PeopleStore keeps the people of a site and says who is signed in.
type PeopleStore interface {
	// Me is the person signed in on this connection, as the database
	// session says (never a name typed in); ENOTFOUND
	// "error.people.unknown_login" when the login is not one of the
	// site's people.
	Me(ctx context.Context) (Person, error)
	// People lists the site's people, by name.
	People(ctx context.Context) ([]Person, error)
}
