package storage

import (
	"context"

	"github.com/trainpay/trainpay/app"
)

// Me is the desktop's user: on the single-desktop file the one person,
// holding every role and owning every department's budget. (A stand-in
// for the people store: the "To pay" queue asks who is signed in only
// through app.Me.)
func (db *DB) Me(ctx context.Context) (app.Person, error) {
	deps, err := db.Departments(ctx)
	if err != nil {
		return app.Person{}, err
	}
	p := app.Person{Login: "desktop", Roles: []app.Role{app.RoleAdministrator, app.RoleCoordinator, app.RoleBudgetOwner}}
	for _, d := range deps {
		p.Departments = append(p.Departments, d.ID)
	}
	return p, nil
}
