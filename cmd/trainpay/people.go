package main

// trainpay people list|add|roles|disable: the organisation database's
// people, for an IT administrator (the database's owner) or a site
// administrator's login. The server decides: the commands go through
// app.PeopleService, whose Admin handle comes from the signed-in login's
// role (SiteService.AdminByRole), and the database's SECURITY DEFINER
// functions check the caller again.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/trainpay/trainpay/app"
)

const peopleUsage = `  trainpay people list --db postgres://…
  trainpay people add --login LOGIN --name NAME [--email EMAIL] --roles LIST
                      [--owns LIST] --db postgres://…
  trainpay people roles --login LOGIN --roles LIST [--owns LIST] --db postgres://…
  trainpay people disable --login LOGIN --db postgres://…
                                  the organisation database's people, for its
                                  IT administrator or a site administrator: add
                                  creates LOGIN on the server with the password
                                  read from the terminal (or the first line of
                                  standard input), to be given to the person
                                  once; LIST of roles is comma-separated:
                                  administrator, coordinator, budget-owner;
                                  --owns the departments a budget owner owns,
                                  by cost centre or id
`

// peopleStdin is where add reads the new person's password; tests replace
// it.
var peopleStdin io.Reader = os.Stdin

// peopleCommands are the four people commands, two words each.
func peopleCommands() []command {
	var login, name, email, roles, departments string
	loginFlag := func(fs *pflag.FlagSet) { fs.StringVar(&login, "login", "", "the person's database login") }
	rolesFlags := func(fs *pflag.FlagSet) {
		fs.StringVar(&roles, "roles", "", "comma-separated: administrator, coordinator, budget-owner")
		fs.StringVar(&departments, "owns", "", "comma-separated cost centres or ids of the departments a budget owner owns")
	}
	return []command{
		{name: "people list", usage: peopleUsage, define: func(fs *pflag.FlagSet) func(*invocation) int {
			return func(c *invocation) int { return runPeople(c, peopleList) }
		}},
		{name: "people add", usage: peopleUsage, define: func(fs *pflag.FlagSet) func(*invocation) int {
			loginFlag(fs)
			fs.StringVar(&name, "name", "", "the person's name")
			fs.StringVar(&email, "email", "", "the person's email address")
			rolesFlags(fs)
			return func(c *invocation) int {
				return runPeople(c, func(ctx context.Context, c *invocation, s *peopleCLI) error {
					return s.add(ctx, c, app.Person{Login: login, Name: name, Email: email}, roles, departments)
				})
			}
		}},
		{name: "people roles", usage: peopleUsage, define: func(fs *pflag.FlagSet) func(*invocation) int {
			loginFlag(fs)
			rolesFlags(fs)
			return func(c *invocation) int {
				return runPeople(c, func(ctx context.Context, c *invocation, s *peopleCLI) error {
					return s.setRoles(ctx, c, login, roles, departments)
				})
			}
		}},
		{name: "people disable", usage: peopleUsage, define: func(fs *pflag.FlagSet) func(*invocation) int {
			loginFlag(fs)
			return func(c *invocation) int {
				return runPeople(c, func(ctx context.Context, c *invocation, s *peopleCLI) error {
					if err := s.svc.Disable(ctx, s.admin, strings.TrimSpace(login)); err != nil {
						return err
					}
					fmt.Fprintf(c.stdout, "%s may no longer sign in.\n", login)
					return nil
				})
			}
		}},
	}
}

// peopleCLI is an opened organisation database with the people service and
// the Admin handle the signed-in login's role gives.
type peopleCLI struct {
	svc   *app.PeopleService
	admin *app.Admin // nil for list, which needs none
	store app.Store
}

func runPeople(c *invocation, do func(context.Context, *invocation, *peopleCLI) error) int {
	if !isOrgURL(c.db) {
		fmt.Fprintf(c.stderr, "%s: people are managed on the organisation database (--db postgres://…); "+
			"a database file has one person, its desktop's user\n", c.name)
		return 2
	}
	ctx := context.Background()
	db, err := openDatabase(ctx, c.db)
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
		return 1
	}
	defer db.close()
	people, ok := db.store.(app.PeopleAdminStore)
	if !ok {
		fmt.Fprintf(c.stderr, "%s: this database has no people to manage\n", c.name)
		return 1
	}
	site := app.NewSiteService(db.store)
	s := &peopleCLI{svc: &app.PeopleService{Store: people, Gate: site}, store: db.store}
	if c.cmd.name != "people list" {
		if s.admin, err = site.AdminByRole(ctx, people); err != nil {
			fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
			return 1
		}
		defer site.Lock(s.admin)
	}
	if err := do(ctx, c, s); err != nil {
		fmt.Fprintf(c.stderr, "%s: %v\n", c.name, err)
		if app.ErrorCode(err) == app.EINVALID {
			return 2
		}
		return 1
	}
	return 0
}

func peopleList(ctx context.Context, c *invocation, s *peopleCLI) error {
	people, err := s.svc.People(ctx)
	if err != nil {
		return err
	}
	deps, err := s.store.Departments(ctx)
	if err != nil {
		return err
	}
	centre := map[int64]string{}
	for _, d := range deps {
		centre[d.ID] = d.CostCentre
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "LOGIN\tNAME\tEMAIL\tROLES\tDEPARTMENTS\tSIGNS IN")
	for _, p := range people {
		var roles, owned []string
		for _, r := range p.Roles {
			roles = append(roles, string(r))
		}
		for _, id := range p.Departments {
			owned = append(owned, centre[id])
		}
		signs := "yes"
		if p.Disabled {
			signs = "no (disabled)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Login, p.Name, p.Email, strings.Join(roles, ","), strings.Join(owned, ","), signs)
	}
	return w.Flush()
}

func (s *peopleCLI) add(ctx context.Context, c *invocation, p app.Person, roles, departments string) error {
	var err error
	if p.Roles, p.Departments, err = s.parseRoles(ctx, roles, departments); err != nil {
		return err
	}
	password, err := readNewPassword(c)
	if err != nil {
		return err
	}
	p, err = s.svc.Invite(ctx, s.admin, p, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s (%s) signs in as %s with the password given: pass it on to them once.\n", p.Name, roles, p.Login)
	return nil
}

func (s *peopleCLI) setRoles(ctx context.Context, c *invocation, login, roles, departments string) error {
	r, d, err := s.parseRoles(ctx, roles, departments)
	if err != nil {
		return err
	}
	if err := s.svc.SetRoles(ctx, s.admin, strings.TrimSpace(login), r, d); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s: %s\n", login, roles)
	return nil
}

// parseRoles reads --roles and --owns (cost centres or ids).
func (s *peopleCLI) parseRoles(ctx context.Context, roles, departments string) ([]app.Role, []int64, error) {
	var rs []app.Role
	for _, r := range strings.Split(roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			rs = append(rs, app.Role(r))
		}
	}
	var ids []int64
	if strings.TrimSpace(departments) != "" {
		deps, err := s.store.Departments(ctx)
		if err != nil {
			return nil, nil, err
		}
	next:
		for _, word := range strings.Split(departments, ",") {
			word = strings.TrimSpace(word)
			if word == "" {
				continue
			}
			for _, d := range deps {
				if strings.EqualFold(d.CostCentre, word) || strconv.FormatInt(d.ID, 10) == word {
					ids = append(ids, d.ID)
					continue next
				}
			}
			return nil, nil, app.Errorf(app.EINVALID, "error.people.unknown_department",
				"no department has the cost centre or id %q", word).With(map[string]any{"Department": word})
		}
	}
	return rs, ids, app.ValidateRoles(rs, ids)
}

// readNewPassword reads the new person's password: twice without echo from
// a terminal, else the first line of standard input (for scripts; never a
// flag, which other users of the machine could read in the process list).
func readNewPassword(c *invocation) (string, error) {
	if f, ok := peopleStdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(c.stderr, "Password for the new login: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.stderr)
		if err != nil {
			return "", app.Internal(err, "read the password")
		}
		fmt.Fprint(c.stderr, "The same password again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.stderr)
		if err != nil {
			return "", app.Internal(err, "read the password")
		}
		if string(first) != string(again) {
			return "", app.Errorf(app.EINVALID, "error.people.password_mismatch", "the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(peopleStdin).ReadString('\n')
	if err != nil && line == "" {
		return "", app.Errorf(app.EINVALID, "error.people.no_password",
			"give the new login's password on standard input (one line)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
