package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// PeopleService is what the UI needs of app.PeopleService: on the
// organisation database, who is signed in, Site administration opened by
// the login's role, and the People tab. Nil in Deps on a database file,
// which has one person.
type PeopleService interface {
	Me(ctx context.Context) (app.Person, error)
	People(ctx context.Context) ([]app.Person, error)
	Administer(ctx context.Context) (*app.Admin, error)
	Invite(ctx context.Context, a *app.Admin, p app.Person, password string) (app.Person, error)
	SetRoles(ctx context.Context, a *app.Admin, login string, roles []app.Role, departments []int64) error
	Disable(ctx context.Context, a *app.Admin, login string) error
}

// peopleTab is Site administration's People tab: the site's people with
// their roles and departments, inviting one, changing roles, disabling.
// Every control is a button or an entry, reached with Tab and worked with
// Space or Enter.
type peopleTab struct {
	s       *adminScreen
	content fyne.CanvasObject
	list    *fyne.Container
	people  []app.Person
	deps    []app.Department
}

func newPeopleTab(s *adminScreen) *peopleTab {
	p := &peopleTab{s: s, list: container.NewVBox()}
	invite := widgets.NewButton(T("people.invite"), p.onInvite)
	invite.Importance = widget.HighImportance
	intro := widget.NewLabel(T("people.intro"))
	intro.Wrapping = fyne.TextWrapWord
	p.content = container.NewBorder(container.NewVBox(intro, container.NewHBox(invite)), nil, nil, nil,
		container.NewVScroll(p.list))
	return p
}

// load reads the people and the departments and shows them.
func (p *peopleTab) load() {
	p.s.deps.run(func() {
		ctx := context.Background()
		people, err := p.s.deps.People.People(ctx)
		var deps []app.Department
		if err == nil && p.s.deps.Budgets != nil {
			deps, err = p.s.deps.Budgets.Departments(ctx)
		}
		fyne.Do(func() {
			if err != nil {
				p.s.failed(err)
				return
			}
			p.people, p.deps = people, deps
			p.show()
		})
	})
}

// Rows are the people shown (for tests).
func (p *peopleTab) Rows() []app.Person { return p.people }

func (p *peopleTab) show() {
	p.list.Objects = nil
	if len(p.people) == 0 {
		p.list.Add(widget.NewLabel(T("people.none")))
	}
	for _, person := range p.people {
		person := person
		state := ""
		if person.Disabled {
			state = " · " + T("people.disabled")
		}
		head := widget.NewLabelWithStyle(person.Name+" ("+person.Login+")"+state, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		detail := widget.NewLabel(p.describe(person))
		detail.Wrapping = fyne.TextWrapWord
		roles := widgets.NewButton(T("people.change_roles"), func() { p.onRoles(person) })
		disable := widgets.NewButton(T("people.disable"), func() { p.onDisable(person) })
		if person.Disabled {
			roles.Disable()
			disable.Disable()
		}
		p.list.Add(container.NewVBox(head, detail, container.NewHBox(roles, disable), widget.NewSeparator()))
	}
	p.list.Refresh()
}

// describe words a person's roles, departments and email.
func (p *peopleTab) describe(person app.Person) string {
	var parts []string
	for _, r := range person.Roles {
		parts = append(parts, T("people.role."+string(r)))
	}
	text := strings.Join(parts, ", ")
	if len(person.Departments) > 0 {
		var names []string
		for _, id := range person.Departments {
			names = append(names, p.departmentName(id))
		}
		text += " · " + T("people.owns", map[string]any{"Departments": strings.Join(names, ", ")})
	}
	if person.Email != "" {
		text += " · " + person.Email
	}
	return text
}

func (p *peopleTab) departmentName(id int64) string {
	for _, d := range p.deps {
		if d.ID == id {
			return d.Name + " (" + d.CostCentre + ")"
		}
	}
	return "#" + strconv.FormatInt(id, 10)
}

// roleChoices are the roles' check boxes and the departments' (for a
// budget owner), set to a person's.
type roleChoices struct {
	roles *widget.CheckGroup
	deps  *widget.CheckGroup
	p     *peopleTab
}

func (p *peopleTab) newRoleChoices(person app.Person) *roleChoices {
	c := &roleChoices{p: p}
	var roleLabels []string
	for _, r := range app.AllRoles {
		roleLabels = append(roleLabels, T("people.role."+string(r)))
	}
	c.roles = widget.NewCheckGroup(roleLabels, nil)
	var depLabels []string
	for _, d := range p.deps {
		depLabels = append(depLabels, d.Name+" ("+d.CostCentre+")")
	}
	c.deps = widget.NewCheckGroup(depLabels, nil)
	var selRoles, selDeps []string
	for i, r := range app.AllRoles {
		if person.Has(r) {
			selRoles = append(selRoles, roleLabels[i])
		}
	}
	for i, d := range p.deps {
		if slices.Contains(person.Departments, d.ID) {
			selDeps = append(selDeps, depLabels[i])
		}
	}
	c.roles.SetSelected(selRoles)
	c.deps.SetSelected(selDeps)
	return c
}

// chosen reads the check boxes; departments count for a budget owner only.
func (c *roleChoices) chosen() ([]app.Role, []int64) {
	var roles []app.Role
	for _, r := range app.AllRoles {
		if slices.Contains(c.roles.Selected, T("people.role."+string(r))) {
			roles = append(roles, r)
		}
	}
	var ids []int64
	if slices.Contains(roles, app.RoleBudgetOwner) {
		for _, d := range c.p.deps {
			if slices.Contains(c.deps.Selected, d.Name+" ("+d.CostCentre+")") {
				ids = append(ids, d.ID)
			}
		}
	}
	return roles, ids
}

func (p *peopleTab) onInvite() {
	login := widgets.NewEntry()
	login.SetPlaceHolder("jan.nowak")
	name := widgets.NewEntry()
	email := widgets.NewEntry()
	pass := widgets.NewPasswordEntry()
	choices := p.newRoleChoices(app.Person{})
	items := []*widget.FormItem{
		widget.NewFormItem(T("people.login"), login),
		widget.NewFormItem(T("people.name"), name),
		widget.NewFormItem(T("people.email"), email),
		{Text: T("people.password"), Widget: pass, HintText: T("people.password_hint")},
		widget.NewFormItem(T("people.roles"), choices.roles),
		widget.NewFormItem(T("people.departments"), choices.deps),
	}
	d := widgets.NewForm(T("people.invite_title"), T("people.invite"), T("dialog.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		roles, deps := choices.chosen()
		person := app.Person{Login: login.Text, Name: name.Text, Email: email.Text, Roles: roles, Departments: deps}
		password := pass.Text
		p.s.deps.run(func() {
			added, err := p.s.deps.People.Invite(context.Background(), p.s.admin, person, password)
			fyne.Do(func() {
				if err != nil {
					p.s.failed(err)
					return
				}
				p.s.changed(T("people.invited", map[string]any{"Name": added.Name, "Login": added.Login}))
				p.load()
			})
		})
	}, p.s.m.win)
	d.Resize(fyne.NewSize(520, 560))
	d.Show()
	p.s.m.win.Canvas().Focus(login)
}

func (p *peopleTab) onRoles(person app.Person) {
	choices := p.newRoleChoices(person)
	items := []*widget.FormItem{
		widget.NewFormItem(T("people.roles"), choices.roles),
		widget.NewFormItem(T("people.departments"), choices.deps),
	}
	widgets.ShowForm(T("people.roles_title", map[string]any{"Name": person.Name}), T("people.save"), T("dialog.cancel"), items,
		func(ok bool) {
			if !ok {
				return
			}
			roles, deps := choices.chosen()
			p.s.deps.run(func() {
				err := p.s.deps.People.SetRoles(context.Background(), p.s.admin, person.Login, roles, deps)
				fyne.Do(func() {
					if err != nil {
						p.s.failed(err)
						return
					}
					p.s.changed(T("people.roles_saved", map[string]any{"Name": person.Name}))
					p.load()
				})
			})
		}, p.s.m.win)
}

func (p *peopleTab) onDisable(person app.Person) {
	widgets.ShowConfirm(T("people.disable_title"), T("people.disable_confirm", map[string]any{"Name": person.Name, "Login": person.Login}),
		func(ok bool) {
			if !ok {
				return
			}
			p.s.deps.run(func() {
				err := p.s.deps.People.Disable(context.Background(), p.s.admin, person.Login)
				fyne.Do(func() {
					if err != nil {
						p.s.failed(err)
						return
					}
					p.s.changed(T("people.disabled_done", map[string]any{"Name": person.Name}))
					p.load()
				})
			})
		}, p.s.m.win)
}

// administerByRole is the locked Site administration's way in on the
// organisation database: the signed-in login's administrator role, which
// the server gives, opens it without the passphrase (the passphrase still
// opens the credentials file where no keychain answers).
func (s *adminScreen) administerByRole() fyne.CanvasObject {
	hint := widget.NewLabel(T("people.administer_hint"))
	hint.Wrapping = fyne.TextWrapWord
	btn := widgets.NewButton(T("people.administer"), nil)
	btn.OnTapped = func() {
		btn.Disable()
		s.deps.run(func() {
			a, err := s.deps.People.Administer(context.Background())
			fyne.Do(func() {
				btn.Enable()
				if err != nil {
					s.unlockMsg.SetText(ErrorText(err))
					return
				}
				s.admin = a
				s.showUnlocked()
			})
		})
	}
	return container.NewVBox(widget.NewSeparator(), hint, btn)
}
