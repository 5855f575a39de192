package storage

import (
	"context"
	"os"
	"os/user"

	"github.com/trainpay/trainpay/app"
)

var _ app.PeopleStore = (*DB)(nil)

// Me is the single-desktop file's one person: the desktop's user, who holds
// every role and owns every department's budget. The file has no logins
// (migration 00020 creates the people tables only so that the two schemas
// match); the administrator's part is still behind the site passphrase
// (SiteService.Unlock), whatever Me says. Login and Name are the operating
// system's user name, for display.
func (db *DB) Me(ctx context.Context) (app.Person, error) {
	deps, err := db.Departments(ctx)
	if err != nil {
		return app.Person{}, err
	}
	name := desktopUserName()
	p := app.Person{Login: name, Name: name, Roles: append([]app.Role(nil), app.AllRoles...)}
	for _, d := range deps {
		p.Departments = append(p.Departments, d.ID)
	}
	return p, nil
}

// People is the one person of the file.
func (db *DB) People(ctx context.Context) ([]app.Person, error) {
	me, err := db.Me(ctx)
	if err != nil {
		return nil, err
	}
	return []app.Person{me}, nil
}

func desktopUserName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "USERNAME"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return "desktop"
}
