package postgres

import (
	"context"

	"github.com/trainpay/trainpay/app"
)

// Me is the signed-in login (the session's current_user), holding every
// role and owning every department's budget until people and roles are
// kept on the organisation database. (A stand-in for the people store: the
// "To pay" queue asks who is signed in only through app.Me.)
func (db *DB) Me(ctx context.Context) (app.Person, error) {
	var login string
	if err := db.pool.QueryRow(ctx, `SELECT current_user`).Scan(&login); err != nil {
		return app.Person{}, db.unreachable(err)
	}
	deps, err := db.Departments(ctx)
	if err != nil {
		return app.Person{}, err
	}
	p := app.Person{Login: login, Roles: []app.Role{app.RoleAdministrator, app.RoleCoordinator, app.RoleBudgetOwner}}
	for _, d := range deps {
		p.Departments = append(p.Departments, d.ID)
	}
	return p, nil
}
