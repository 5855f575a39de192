package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/secure/precis"

	"github.com/trainpay/trainpay/app"
)

var _ app.PeopleAdminStore = (*DB)(nil)

// peopleGroupKinds maps the app's roles to the kinds of trainpay_group
// (migration 00020): the group roles the server enforces.
var peopleGroupKinds = []struct {
	role app.Role
	kind string
}{
	{app.RoleAdministrator, "admin"},
	{app.RoleCoordinator, "coordinator"},
	{app.RoleBudgetOwner, "budget_owner"},
}

// Me is the person of this connection's login (session_user): their roles
// are the groups the server says the login is in right now, so what the
// app presents is what the server will let them do. The schema's owner
// (the IT administrator who runs migrations, or a superuser) is not one of
// the site's people but holds the administrator's role: that login owns
// every table, and it is how the first administrator gets invited.
func (db *DB) Me(ctx context.Context) (app.Person, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return app.Person{}, err
	}
	defer tx.Rollback(ctx)
	var (
		p     app.Person
		found bool
		owner bool
		held  [3]bool
	)
	err = tx.QueryRow(ctx, `
		SELECT session_user::text,
		       coalesce(p.id, 0), coalesce(p.name, ''), coalesce(p.email, ''), coalesce(p.disabled, false), p.id IS NOT NULL,
		       pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'people'::regclass), 'MEMBER'),
		       trainpay_holds('admin'), trainpay_holds('coordinator'), trainpay_holds('budget_owner')
		FROM (SELECT 1) one LEFT JOIN people p ON p.login = session_user`).
		Scan(&p.Login, &p.ID, &p.Name, &p.Email, &p.Disabled, &found, &owner, &held[0], &held[1], &held[2])
	if err != nil {
		return app.Person{}, app.Internal(err, "read who is signed in")
	}
	for i, g := range peopleGroupKinds {
		if held[i] {
			p.Roles = append(p.Roles, g.role)
		}
	}
	switch {
	case found:
		if p.Departments, err = peopleDepartments(ctx, tx, p.ID); err != nil {
			return app.Person{}, err
		}
	case owner:
		p.Name = p.Login
		if !p.Has(app.RoleAdministrator) {
			p.Roles = append([]app.Role{app.RoleAdministrator}, p.Roles...)
		}
	default:
		return app.Person{}, app.Errorf(app.ENOTFOUND, "error.people.unknown_login",
			"the login %s is not one of this site's people: ask the site administrator", p.Login).
			With(map[string]any{"Login": p.Login})
	}
	return p, nil
}

func peopleDepartments(ctx context.Context, q querier, personID int64) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT department_id FROM department_owner WHERE person_id = $1 ORDER BY department_id`, personID)
	if err != nil {
		return nil, app.Internal(err, "read a person's departments")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, app.Internal(err, "read a person's departments")
	}
	return ids, nil
}

// People lists the site's people, by name, with the roles and departments
// recorded for them.
func (db *DB) People(ctx context.Context) ([]app.Person, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `
		SELECT p.id, p.login, p.name, p.email, p.disabled,
		       coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM person_role r WHERE r.person_id = p.id), '{}'),
		       coalesce((SELECT array_agg(o.department_id ORDER BY o.department_id) FROM department_owner o WHERE o.person_id = p.id), '{}')
		FROM people p ORDER BY lower(p.name), p.login`)
	if err != nil {
		return nil, app.Internal(err, "read the people")
	}
	people, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (app.Person, error) {
		var p app.Person
		var roles []string
		err := row.Scan(&p.ID, &p.Login, &p.Name, &p.Email, &p.Disabled, &roles, &p.Departments)
		for _, g := range peopleGroupKinds { // the app's order, not the alphabet's
			if slices.Contains(roles, string(g.role)) {
				p.Roles = append(p.Roles, g.role)
			}
		}
		return p, err
	})
	if err != nil {
		return nil, app.Internal(err, "read the people")
	}
	return people, nil
}

// AddPerson creates p's login and records p (trainpay_person_add, which the
// server lets only an administrator or the owner run).
func (db *DB) AddPerson(ctx context.Context, p app.Person, password string) (app.Person, error) {
	verifier, err := scramVerifier(password)
	if err != nil {
		return app.Person{}, err
	}
	err = db.pool.QueryRow(ctx, `SELECT trainpay_person_add($1, $2, $3, $4, $5, $6)`,
		p.Login, verifier, p.Name, p.Email, peopleRoleNames(p.Roles), nonNil(p.Departments)).Scan(&p.ID)
	if err != nil {
		return app.Person{}, peopleError(err, p.Login, "add a person")
	}
	return p, nil
}

// SetPersonRoles replaces the roles and departments of login.
func (db *DB) SetPersonRoles(ctx context.Context, login string, roles []app.Role, departments []int64) error {
	_, err := db.pool.Exec(ctx, `SELECT trainpay_person_set_roles($1, $2, $3)`, login, peopleRoleNames(roles), nonNil(departments))
	return peopleError(err, login, "change a person's roles")
}

// DisablePerson stops login from signing in and revokes its groups.
func (db *DB) DisablePerson(ctx context.Context, login string) error {
	_, err := db.pool.Exec(ctx, `SELECT trainpay_person_disable($1)`, login)
	return peopleError(err, login, "disable a person")
}

func peopleRoleNames(roles []app.Role) []string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return names
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// peopleError maps the people functions' refusals to app errors.
func peopleError(err error, login, what string) error {
	if err == nil {
		return nil
	}
	data := map[string]any{"Login": login}
	if pe := pgError(err); pe != nil {
		switch pe.Code {
		case "42501": // insufficient_privilege
			return app.Errorf(app.EUNAUTHORIZED, "error.people.not_administrator",
				"only a site administrator manages people").With(data)
		case "TP021":
			return app.Errorf(app.ECONFLICT, "error.people.login_taken",
				"the database server already has a login %s: choose another", login).With(data)
		case "TP022":
			return app.Errorf(app.ENOTFOUND, "error.people.not_found", "no person signs in as %s", login).With(data)
		case "TP020":
			return app.Errorf(app.EINVALID, "error.people.departments_not_owner", "only a budget owner owns departments").With(data)
		case "23503": // a department that does not exist
			return app.Errorf(app.ENOTFOUND, "error.department.not_found", "department not found")
		}
	}
	return app.Internal(err, what)
}

// scramIterations is PostgreSQL's own default (scram_iterations) for the
// verifiers it computes.
const scramIterations = 4096

// scramVerifier computes the SCRAM-SHA-256 verifier PostgreSQL stores for
// a password (RFC 5802 and 7677, in PostgreSQL's "SCRAM-SHA-256$<iter>:
// <salt>$<StoredKey>:<ServerKey>" form), so the password itself is never
// sent to the server in a statement its log could keep. Hand-written: pgx
// and the standard library have the pieces (PBKDF2, HMAC) but no function
// that gives the stored form; the password is normalised as pgx's SCRAM
// client normalises it when it signs in (PRECIS OpaqueString, the raw
// bytes where that refuses), so the two agree. (pgx also keeps the raw
// bytes of a password with a character Unicode 3.2 had not assigned; such
// a password, a recent emoji say, is normalised here and may not sign in:
// the administrator then gives another.)
func scramVerifier(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", app.Internal(err, "cannot read random bytes")
	}
	salted, err := pbkdf2.Key(sha256.New, scramPassword(password), salt, scramIterations, sha256.Size)
	if err != nil {
		return "", app.Internal(err, "derive the password's key")
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	stored := sha256.Sum256(mac(salted, "Client Key"))
	server := mac(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", scramIterations, b64(salt), b64(stored[:]), b64(server)), nil
}

func scramPassword(password string) string {
	normalized, err := precis.OpaqueString.String(password)
	if err != nil {
		return password
	}
	return normalized
}
