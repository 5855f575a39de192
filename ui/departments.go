package ui

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"io"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/app/receipt"
	"github.com/trainpay/trainpay/ui/widgets"
)

// BudgetService is what the UI needs of app.BudgetService.
type BudgetService interface {
	Settings(ctx context.Context) (app.BudgetSettings, error)
	SaveSettings(ctx context.Context, a *app.Admin, s app.BudgetSettings) error
	CurrentPeriods(ctx context.Context) ([]app.Period, app.Period, error)
	Departments(ctx context.Context) ([]app.Department, error)
	SaveDepartment(ctx context.Context, a *app.Admin, d *app.Department) error
	Allocate(ctx context.Context, a *app.Admin, departmentID int64, period string, amount currency.Amount, note string) (app.LedgerEntry, error)
	Budgets(ctx context.Context, period string) ([]app.DepartmentBudget, error)
	Report(ctx context.Context, departmentID int64, period string) (app.ReimbursementReport, error)
	MarkReimbursed(ctx context.Context, a *app.Admin, departmentID int64, period string, amount currency.Amount, reference string) (app.LedgerEntry, error)
}

// SectionDepartments is the "Departments & budgets" section.
const SectionDepartments = "departments"

// departmentsScreen shows every department's budget in a period, with a
// bar per department, and lets the administrator add departments,
// allocate budgets, change the budget rules and reimburse departments.
// Changing anything asks for the administrator's passphrase once per visit.
type departmentsScreen struct {
	deps  Deps
	win   fyne.Window
	site  app.Site
	admin *app.Admin

	content  *fyne.Container
	message  *widget.Label
	period   *widgets.Select
	periods  []app.Period
	rules    *widget.Label
	list     *fyne.Container
	scroll   *container.Scroll // scrolls list
	add      *widgets.Button
	settings *widgets.Button

	budgets  []app.DepartmentBudget
	current  app.BudgetSettings
	selected string // period key
}

func newDepartmentsScreen(deps Deps, w fyne.Window, site app.Site) *departmentsScreen {
	s := &departmentsScreen{deps: deps, win: w, site: site}
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord
	s.message.Hide()
	s.period = newChoice(nil, func(string) { s.onPeriod() })
	s.rules = widget.NewLabel("")
	s.rules.Wrapping = fyne.TextWrapWord
	s.list = container.NewVBox()
	s.add = widgets.NewButtonWithIcon(T("departments.add"), theme.ContentAddIcon(), func() { s.onEditDepartment(app.Department{}) })
	s.settings = widgets.NewButtonWithIcon(T("departments.settings"), theme.SettingsIcon(), s.onSettings)
	title := widget.NewLabelWithStyle(T("departments.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewVBox(title,
		container.NewBorder(nil, nil, widget.NewLabel(T("departments.period")), container.NewHBox(s.add, s.settings), s.period),
		s.rules, s.message, widget.NewSeparator())
	s.scroll = container.NewVScroll(s.list)
	s.content = container.NewBorder(top, nil, nil, nil, s.scroll)
	s.load("")
	return s
}

// load reads the periods, the settings and the budgets of period ("" for
// the current one) off the UI thread.
func (s *departmentsScreen) load(period string) { s.loadThen(period, nil) }

// changed reads the budgets again when another desktop changed them, or
// the sessions and payments they count (live.go), keeping the period
// chosen and the scroll offset; a department's dialog being filled in is
// left as it is.
func (s *departmentsScreen) changed(set app.ChangeSet) {
	if !set.Any(app.ChangedBudgets | app.ChangedSessions | app.ChangedPayments) {
		return
	}
	offset := s.scroll.Offset
	s.loadThen(s.selected, func() { s.scroll.ScrollToOffset(offset) })
}

// loadThen is load, then calls then (when not nil) on the UI thread once
// the budgets are shown.
func (s *departmentsScreen) loadThen(period string, then func()) {
	s.deps.run(func() {
		ctx := context.Background()
		periods, cur, err := s.deps.Budgets.CurrentPeriods(ctx)
		var settings app.BudgetSettings
		var budgets []app.DepartmentBudget
		if err == nil {
			if period == "" {
				period = cur.Key()
			}
			settings, err = s.deps.Budgets.Settings(ctx)
		}
		if err == nil {
			budgets, err = s.deps.Budgets.Budgets(ctx, period)
		}
		fyne.Do(func() {
			if err != nil {
				s.showMessage(ErrorText(err), widget.WarningImportance)
				s.add.Disable()
				s.settings.Disable()
				return
			}
			s.periods, s.current, s.budgets, s.selected = periods, settings, budgets, period
			s.show()
			if then != nil {
				then()
			}
		})
	})
}

func (s *departmentsScreen) showMessage(text string, imp widget.Importance) {
	s.message.SetText(text)
	s.message.Importance = imp
	s.message.Show()
	s.message.Refresh()
}

func (s *departmentsScreen) show() {
	opts := make([]string, len(s.periods))
	found := false
	for i, p := range s.periods {
		opts[i] = p.Key()
		found = found || p.Key() == s.selected
	}
	if !found {
		opts = append(opts, s.selected)
	}
	s.period.OnChanged = nil
	s.period.SetOptions(opts)
	s.period.SetSelected(s.selected)
	s.period.OnChanged = func(string) { s.onPeriod() }
	s.rules.SetText(T("departments.rules", map[string]any{
		"Period": T("budget.period." + string(s.current.Period)),
		"Month":  monthName(s.current.FiscalYearStart),
		"Policy": T("budget.policy." + string(s.current.Policy)),
	}))
	s.list.Objects = nil
	if len(s.budgets) == 0 {
		s.list.Add(widget.NewLabel(T("departments.none")))
	}
	scale := int64(1)
	for _, b := range s.budgets {
		scale = max(scale, b.AllocatedMinor, b.SpentMinor+b.CommittedMinor)
	}
	for _, b := range s.budgets {
		s.list.Add(s.departmentCard(b, scale))
	}
	s.list.Refresh()
}

func (s *departmentsScreen) money(minor int64) string {
	a, err := money.FromMinor(minor, s.site.Currency)
	if err != nil {
		return strconv.FormatInt(minor, 10)
	}
	return money.Format(a, Language())
}

// departmentCard is one department: its figures, its bar and its actions.
func (s *departmentsScreen) departmentCard(b app.DepartmentBudget, scale int64) fyne.CanvasObject {
	d := b.Department
	name := widget.NewLabelWithStyle(T("departments.name_cc", map[string]any{"Name": d.Name, "CostCentre": d.CostCentre}),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	owner := widget.NewLabel(T("departments.owner", map[string]any{"Name": d.OwnerName, "Email": d.OwnerEmail}))
	remaining := widget.NewLabel(T("budget.remaining", map[string]any{"Amount": s.money(b.RemainingMinor())}))
	if b.RemainingMinor() < 0 {
		remaining.Importance = widget.DangerImportance
	}
	figures := container.NewGridWithColumns(4,
		widget.NewLabel(T("budget.allocated", map[string]any{"Amount": s.money(b.AllocatedMinor)})),
		widget.NewLabel(T("budget.spent", map[string]any{"Amount": s.money(b.SpentMinor)})),
		widget.NewLabel(T("budget.committed", map[string]any{"Amount": s.money(b.CommittedMinor)})),
		remaining)
	actions := container.NewHBox(
		widgets.NewButton(T("departments.allocate"), func() { s.onAllocate(d) }),
		widgets.NewButton(T("departments.edit"), func() { s.onEditDepartment(d) }),
		widgets.NewButton(T("departments.report"), func() { s.onReport(d) }))
	return container.NewVBox(name, owner, figures, newBudgetBar(b, scale), actions, widget.NewSeparator())
}

func (s *departmentsScreen) onPeriod() {
	if s.period.Selected != "" && s.period.Selected != s.selected {
		s.load(s.period.Selected)
	}
}

// withAdmin runs then with the administrator's handle, asking for the
// passphrase first if this visit has not.
func (s *departmentsScreen) withAdmin(then func(*app.Admin)) {
	if s.admin != nil {
		then(s.admin)
		return
	}
	askPassphrase(s.deps, s.win, nil, func(a *app.Admin) {
		s.admin = a
		then(a)
	})
}

// lock ends this visit's administrator's handle.
func (s *departmentsScreen) lock() {
	if s.admin != nil {
		s.deps.Site.Lock(s.admin)
		s.admin = nil
	}
}

// adminCall runs call with the handle, and done with its error on the UI
// thread.
func (s *departmentsScreen) adminCall(a *app.Admin, call func(*app.Admin) error, done func(error)) {
	adminCall(s.deps, s.win, a, func(a *app.Admin) { s.admin = a }, call, done)
}

// askPassphrase asks for the administrator's passphrase in a dialog and
// runs got with the handle once unlocked. why, when set, is the error that
// made the handle end (it expired), shown above the passphrase. The
// dialog's Unlock button, and Enter in the passphrase box, work only with a
// passphrase typed.
func askPassphrase(deps Deps, win fyne.Window, why error, got func(*app.Admin)) *widgets.FormDialog {
	pass := widgets.NewPasswordEntry()
	pass.Validator = func(p string) error {
		if p == "" {
			return errors.New(T("error.admin.required"))
		}
		return nil
	}
	var items []*widget.FormItem
	if why != nil {
		msg := widget.NewLabel(ErrorText(why))
		msg.Wrapping = fyne.TextWrapWord
		msg.Importance = widget.WarningImportance
		items = append(items, widget.NewFormItem("", msg))
	}
	items = append(items, widget.NewFormItem(T("admin.passphrase"), newFieldBox(pass)))
	dlg := widgets.NewForm(T("departments.admin_needed"), T("departments.unlock"), T("dialog.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		p := pass.Text
		pass.SetText("")
		deps.run(func() {
			a, err := deps.Site.Unlock(context.Background(), p)
			fyne.Do(func() {
				if a == nil {
					widgets.ShowError(errorFor(err), win)
					return
				}
				got(a)
			})
		})
	}, win)
	// Submit does nothing while the Unlock button is disabled.
	pass.OnSubmitted = func(string) { dlg.Submit() }
	// Wide enough for a passphrase of several words to be seen as typed.
	dlg.Resize(fyne.NewSize(640, 0))
	dlg.Show()
	win.Canvas().Focus(pass)
	return dlg
}

// adminCall runs call off the UI thread with the handle a, then done with
// its error on the UI thread. When the service refuses the handle (it
// expired after the idle time), set forgets it and the passphrase is asked
// for again, saying why; once given, call runs again with the new handle.
func adminCall(deps Deps, win fyne.Window, a *app.Admin, set func(*app.Admin), call func(*app.Admin) error, done func(error)) {
	deps.run(func() {
		err := call(a)
		fyne.Do(func() {
			if !app.AdminRefused(err) {
				done(err)
				return
			}
			set(nil)
			askPassphrase(deps, win, err, func(a *app.Admin) {
				set(a)
				adminCall(deps, win, a, set, call, done)
			})
		})
	})
}

// onEditDepartment adds (zero ID) or edits a department.
func (s *departmentsScreen) onEditDepartment(d app.Department) { s.editDepartment(d, nil) }

// editDepartment is the department's form; refused, when set, is the
// service's refusal of what was typed, shown beside the field it names
// (app.Error's Field) and in a dialog when it names none.
func (s *departmentsScreen) editDepartment(d app.Department, refused error) {
	s.withAdmin(func(a *app.Admin) {
		name, cc, owner, email := widgets.NewEntry(), widgets.NewEntry(), widgets.NewEntry(), widgets.NewEntry()
		name.SetText(d.Name)
		cc.SetText(d.CostCentre)
		owner.SetText(d.OwnerName)
		email.SetText(d.OwnerEmail)
		checkLines(map[*widgets.Entry]app.TextField{name: app.FieldDepartmentName, cc: app.FieldCostCentre, owner: app.FieldBudgetOwner})
		boxes := map[string]*fieldBox{
			string(app.FieldDepartmentName): newFieldBox(name), string(app.FieldCostCentre): newFieldBox(cc),
			string(app.FieldBudgetOwner): newFieldBox(owner), app.FieldOwnerEmail: newFieldBox(email),
		}
		items := []*widget.FormItem{
			widget.NewFormItem(T("department.name"), boxes[string(app.FieldDepartmentName)]),
			widget.NewFormItem(T("department.cost_centre"), boxes[string(app.FieldCostCentre)]),
			widget.NewFormItem(T("department.owner_name"), boxes[string(app.FieldBudgetOwner)]),
			widget.NewFormItem(T("department.owner_email"), boxes[app.FieldOwnerEmail]),
		}
		if b, ok := boxes[fieldOf(refused)]; ok {
			b.refuse(refused)
		} else if refused != nil {
			defer widgets.ShowError(errorFor(refused), s.win)
		}
		title := T("departments.add")
		if d.ID != 0 {
			title = T("departments.edit")
		}
		dlg := widgets.NewForm(title, T("departments.save"), T("dialog.cancel"), items, func(ok bool) {
			if !ok {
				return
			}
			next := d
			next.Name, next.CostCentre, next.OwnerName, next.OwnerEmail = name.Text, cc.Text, owner.Text, email.Text
			s.adminCall(a, func(a *app.Admin) error {
				return s.deps.Budgets.SaveDepartment(context.Background(), a, &next)
			}, func(err error) {
				if err != nil {
					// The form closed on Save: it comes back with what
					// was typed, and the reason beside its field.
					s.editDepartment(next, err)
					return
				}
				s.load(s.selected)
			})
		}, s.win)
		dlg.Resize(fyne.NewSize(520, 0))
		dlg.Show()
	})
}

// onAllocate gives the department budget for the selected period.
func (s *departmentsScreen) onAllocate(d app.Department) {
	s.withAdmin(func(a *app.Admin) {
		amount, note := widgets.NewEntry(), widgets.NewEntry()
		amount.SetPlaceHolder(example(money.FormatNumber(mustZero(s.site.Currency), Language())))
		amount.Validator = amountValidator(s.site.Currency)
		note.Validator = lineValidator(app.FieldNote)
		items := []*widget.FormItem{
			widget.NewFormItem(T("budget.amount", map[string]any{"Currency": s.site.Currency}), newFieldBox(amount)),
			widget.NewFormItem(T("budget.note"), newFieldBox(note)),
		}
		period := s.selected
		widgets.ShowForm(T("departments.allocate_title", map[string]any{"Name": d.Name, "Period": period}),
			T("departments.allocate"), T("dialog.cancel"), items, func(ok bool) {
				if !ok {
					return
				}
				v, err := money.ParsePositive(amount.Text, s.site.Currency, Language())
				if err != nil {
					widgets.ShowError(errorFor(err), s.win)
					return
				}
				text := note.Text
				s.adminCall(a, func(a *app.Admin) error {
					_, err := s.deps.Budgets.Allocate(context.Background(), a, d.ID, period, v, text)
					return err
				}, func(err error) {
					if err != nil {
						widgets.ShowError(errorFor(err), s.win)
						return
					}
					s.load(period)
				})
			}, s.win)
	})
}

// onSettings changes the period kind, the fiscal year's start and the
// policy.
func (s *departmentsScreen) onSettings() {
	s.withAdmin(func(a *app.Admin) {
		kinds := []app.PeriodKind{app.PeriodFiscalYear, app.PeriodQuarter}
		policies := []app.BudgetPolicy{app.PolicyWarn, app.PolicyBlock}
		kindOpts := []string{T("budget.period.fiscal-year"), T("budget.period.quarter")}
		policyOpts := []string{T("budget.policy.warn"), T("budget.policy.block")}
		kind := widgets.NewRadioGroup(kindOpts, nil)
		policy := widgets.NewRadioGroup(policyOpts, nil)
		var months []string
		for m := time.January; m <= time.December; m++ {
			months = append(months, monthName(m))
		}
		month := newChoice(months, nil)
		for i, k := range kinds {
			if k == s.current.Period {
				kind.SetSelected(kindOpts[i])
			}
		}
		for i, p := range policies {
			if p == s.current.Policy {
				policy.SetSelected(policyOpts[i])
			}
		}
		month.SetSelectedIndex(int(s.current.FiscalYearStart) - 1)
		items := []*widget.FormItem{
			widget.NewFormItem(T("budget.period_kind"), kind),
			widget.NewFormItem(T("budget.fiscal_start"), month),
			widget.NewFormItem(T("budget.policy"), policy),
		}
		widgets.ShowForm(T("departments.settings"), T("departments.save"), T("dialog.cancel"), items, func(ok bool) {
			if !ok {
				return
			}
			next := s.current
			for i, o := range kindOpts {
				if kind.Selected == o {
					next.Period = kinds[i]
				}
			}
			for i, o := range policyOpts {
				if policy.Selected == o {
					next.Policy = policies[i]
				}
			}
			next.FiscalYearStart = time.Month(month.SelectedIndex() + 1)
			s.adminCall(a, func(a *app.Admin) error {
				return s.deps.Budgets.SaveSettings(context.Background(), a, next)
			}, func(err error) {
				if err != nil {
					widgets.ShowError(errorFor(err), s.win)
					return
				}
				s.load("")
			})
		}, s.win)
	})
}

func (s *departmentsScreen) onReport(d app.Department) {
	showReimbursement(s.deps, s.win, s.site, d.ID, s.selected, func() *app.Admin { return s.admin }, func(a *app.Admin) { s.admin = a },
		func() { s.load(s.selected) })
}

func mustZero(code string) currency.Amount {
	z, err := money.Zero(code)
	if err != nil {
		z, _ = currency.NewAmount("0", "USD")
	}
	return z
}

// monthName is a month's name in the UI language.
func monthName(m time.Month) string {
	if m < time.January || m > time.December {
		m = time.January
	}
	return T("month." + strconv.Itoa(int(m)))
}

// budgetBar is a department's budget drawn as one horizontal bar: spent,
// then committed, then what remains, scaled to the largest budget on the
// screen so that departments compare at a glance. fyne.io/x/fyne has no
// chart widget (its only published version, which builds with Fyne 2.8,
// has no charts package), so the bar is three canvas.Rectangles in a
// layout.
type budgetBar struct {
	widget.BaseWidget
	budget app.DepartmentBudget
	scale  int64
}

func newBudgetBar(b app.DepartmentBudget, scale int64) *budgetBar {
	bar := &budgetBar{budget: b, scale: max(scale, 1)}
	bar.ExtendBaseWidget(bar)
	return bar
}

// Bar colours: spent is solid, committed lighter, the rest of the
// allocation a pale track; overspending shows red.
var (
	barSpent     = color.NRGBA{R: 0x2E, G: 0x6D, B: 0xB4, A: 0xFF}
	barCommitted = color.NRGBA{R: 0x8C, G: 0xB6, B: 0xE3, A: 0xFF}
	barTrack     = color.NRGBA{R: 0xDD, G: 0xE3, B: 0xEA, A: 0xFF}
	barOver      = color.NRGBA{R: 0xC0, G: 0x39, B: 0x2B, A: 0xFF}
)

func (b *budgetBar) CreateRenderer() fyne.WidgetRenderer {
	r := &budgetBarRenderer{
		bar:       b,
		track:     canvas.NewRectangle(barTrack),
		spent:     canvas.NewRectangle(barSpent),
		committed: canvas.NewRectangle(barCommitted),
		over:      canvas.NewRectangle(barOver),
	}
	return r
}

type budgetBarRenderer struct {
	bar                           *budgetBar
	track, spent, committed, over *canvas.Rectangle
}

func (r *budgetBarRenderer) Layout(size fyne.Size) {
	b := r.bar.budget
	w := func(minor int64) float32 {
		if minor <= 0 {
			return 0
		}
		return size.Width * float32(float64(minor)/float64(r.bar.scale))
	}
	h := size.Height
	r.track.Move(fyne.NewPos(0, 0))
	r.track.Resize(fyne.NewSize(w(b.AllocatedMinor), h))
	spent := w(b.SpentMinor)
	r.spent.Move(fyne.NewPos(0, 0))
	r.spent.Resize(fyne.NewSize(spent, h))
	r.committed.Move(fyne.NewPos(spent, 0))
	r.committed.Resize(fyne.NewSize(w(b.CommittedMinor), h))
	over := b.SpentMinor + b.CommittedMinor - b.AllocatedMinor
	r.over.Move(fyne.NewPos(w(b.AllocatedMinor), h*0.7))
	r.over.Resize(fyne.NewSize(w(over), h*0.3))
}

func (r *budgetBarRenderer) MinSize() fyne.Size { return fyne.NewSize(120, 18) }
func (r *budgetBarRenderer) Refresh() {
	r.Layout(r.bar.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *budgetBarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.spent, r.committed, r.over}
}
func (r *budgetBarRenderer) Destroy() {}

// reportLabels are the reimbursement report's texts in the UI language.
func reportLabels() app.ReportLabels {
	lang := Language()
	return app.ReportLabels{
		Title: T("report.title"), Department: T("report.department"), CostCentre: T("department.cost_centre"),
		Owner: T("report.owner"), Period: T("departments.period"), Session: T("report.session"), Topic: T("report.topic"),
		Date: T("report.date"), Paid: T("report.paid"), References: T("report.references"),
		TotalPaid: T("report.total_paid"), Reimbursed: T("report.reimbursed"), Owed: T("report.owed"),
		Reimbursement: T("report.reimbursements"), NoSessions: T("report.no_sessions"),
		TimeZone: T("report.time_zone"), TestMode: T("report.test_mode"), TestNote: T("report.test_note"),
		Money:    func(a currency.Amount) string { return money.Format(a, lang) },
		DateTime: func(t time.Time) string { return t.Format("2006-01-02 15:04") },
	}
}

// reportPDF writes the report as PDF in the UI language.
func reportPDF(r app.ReimbursementReport, w io.Writer) error {
	return receipt.Reimbursement(w, r, reportLabels())
}

// reportCSV writes the report as CSV.
func reportCSV(r app.ReimbursementReport, w io.Writer) error {
	return r.WriteCSV(w, reportLabels())
}

// reimbursementView is the report of one department and period, with
// its exports and "Mark reimbursed".
type reimbursementView struct {
	deps     Deps
	win      fyne.Window
	site     app.Site
	report   app.ReimbursementReport
	dlg      *widgets.Dialog
	body     *fyne.Container
	getAdmin func() *app.Admin
	setAdmin func(*app.Admin)
	changed  func()
	markBtn  *widgets.Button
}

func showReimbursement(deps Deps, w fyne.Window, site app.Site, departmentID int64, period string,
	getAdmin func() *app.Admin, setAdmin func(*app.Admin), changed func(),
) *reimbursementView {
	v := &reimbursementView{
		deps: deps, win: w, site: site, getAdmin: getAdmin, setAdmin: setAdmin, changed: changed,
		body: container.NewVBox(widget.NewLabel(T("app.loading"))),
	}
	v.dlg = widgets.NewCustom(T("report.title"), T("departments.close"), container.NewVScroll(v.body), w)
	v.dlg.Resize(fyne.NewSize(760, 560))
	v.dlg.Show()
	v.load(departmentID, period)
	return v
}

func (v *reimbursementView) load(departmentID int64, period string) {
	v.deps.run(func() {
		r, err := v.deps.Budgets.Report(context.Background(), departmentID, period)
		fyne.Do(func() {
			if err != nil {
				v.body.Objects = []fyne.CanvasObject{widget.NewLabel(ErrorText(err))}
				v.body.Refresh()
				return
			}
			v.report = r
			v.show()
		})
	})
}

func (v *reimbursementView) money(minor int64) string {
	a, _ := money.FromMinor(minor, v.report.Currency)
	return money.Format(a, Language())
}

func (v *reimbursementView) show() {
	r := v.report
	head := widget.NewLabelWithStyle(T("report.heading", map[string]any{
		"Name":       r.Department.Name,
		"CostCentre": r.Department.CostCentre, "Period": r.Period,
	}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	zone := widget.NewLabel(T("report.time_zone") + " " + r.TimeZone)
	rows := container.NewVBox()
	if len(r.Lines) == 0 {
		rows.Add(widget.NewLabel(T("report.no_sessions")))
	}
	for _, l := range r.Lines {
		date := ""
		if !l.StartsAt.IsZero() {
			date = l.StartsAt.In(siteLocation(v.site)).Format("2006-01-02 15:04")
		}
		refText := joinRefs(l.References)
		if l.Test {
			refText = T("report.test_mode") + " " + refText
		}
		refs := widget.NewLabel(refText)
		refs.Wrapping = fyne.TextWrapWord
		topic := widget.NewLabel(l.Topic)
		topic.Wrapping = fyne.TextWrapWord // on one line, a long topic widened the grid's four columns past the window
		rows.Add(container.NewGridWithColumns(4, topic, widget.NewLabel(date),
			widget.NewLabelWithStyle(v.money(l.PaidMinor), fyne.TextAlignTrailing, fyne.TextStyle{}), refs))
	}
	totals := widget.NewForm(
		widget.NewFormItem(T("report.total_paid"), widget.NewLabel(v.money(r.PaidMinor))),
		widget.NewFormItem(T("report.reimbursed"), widget.NewLabel(v.money(r.ReimbursedMinor))),
		widget.NewFormItem(T("report.owed"), widget.NewLabelWithStyle(v.money(r.OwedMinor()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
	)
	v.markBtn = widgets.NewButtonWithIcon(T("report.mark_reimbursed"), theme.ConfirmIcon(), v.onMarkReimbursed)
	if r.OwedMinor() <= 0 {
		v.markBtn.Disable()
	}
	exports := container.NewHBox(
		widgets.NewButtonWithIcon(T("report.export_csv"), theme.DocumentSaveIcon(), func() { v.onExport("csv") }),
		widgets.NewButtonWithIcon(T("report.export_pdf"), theme.DocumentSaveIcon(), func() { v.onExport("pdf") }),
		v.markBtn)
	header := container.NewGridWithColumns(4,
		widget.NewLabelWithStyle(T("report.topic"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(T("report.date"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(T("report.paid"), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(T("report.references"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	v.body.Objects = []fyne.CanvasObject{head, zone}
	if r.Test() {
		note := widget.NewLabelWithStyle(T("report.test_note"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		note.Importance = widget.DangerImportance
		note.Wrapping = fyne.TextWrapWord
		v.body.Objects = append(v.body.Objects, note)
	}
	v.body.Objects = append(v.body.Objects, header, rows, widget.NewSeparator(), totals, exports)
	v.body.Refresh()
}

func joinRefs(refs []string) string {
	var b bytes.Buffer
	for i, r := range refs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r)
	}
	return b.String()
}

func siteLocation(s app.Site) *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// reportFileName is "reimbursement-CC-4100-FY2026.csv".
func reportFileName(r app.ReimbursementReport, ext string) string {
	return "reimbursement-" + r.Department.CostCentre + "-" + r.Period + "." + ext
}

func (v *reimbursementView) onExport(kind string) {
	kinds := []fileKind{kindCSV}
	if kind == "pdf" {
		kinds = []fileKind{kindPDF}
	}
	saveFile(v.win, reportFileName(v.report, kind), kinds, func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			widgets.ShowError(errorFor(err), v.win)
			return
		}
		if w == nil {
			return // cancelled
		}
		defer w.Close()
		if kind == "pdf" {
			err = reportPDF(v.report, w)
		} else {
			err = reportCSV(v.report, w)
		}
		if err != nil {
			widgets.ShowError(errorFor(err), v.win)
		}
	})
}

func (v *reimbursementView) onMarkReimbursed() {
	run := func(a *app.Admin) {
		amount, ref := widgets.NewEntry(), widgets.NewEntry()
		owed, _ := money.FromMinor(v.report.OwedMinor(), v.report.Currency)
		amount.SetText(money.FormatNumber(owed, Language()))
		ref.SetPlaceHolder(T("report.reference_placeholder"))
		ref.Validator = lineValidator(app.FieldReference)
		amount.Validator = amountValidator(v.report.Currency)
		items := []*widget.FormItem{
			widget.NewFormItem(T("budget.amount", map[string]any{"Currency": v.report.Currency}), newFieldBox(amount)),
			widget.NewFormItem(T("report.reference"), newFieldBox(ref)),
		}
		widgets.ShowForm(T("report.mark_reimbursed"), T("report.mark_reimbursed"), T("dialog.cancel"), items, func(ok bool) {
			if !ok {
				return
			}
			val, err := money.ParsePositive(amount.Text, v.report.Currency, Language())
			if err != nil {
				widgets.ShowError(errorFor(err), v.win)
				return
			}
			v.markReimbursed(a, val, ref.Text)
		}, v.win)
	}
	if a := v.getAdmin(); a != nil {
		run(a)
		return
	}
	askPassphrase(v.deps, v.win, nil, func(a *app.Admin) {
		v.setAdmin(a)
		run(a)
	})
}

// markReimbursed records the reimbursement and reloads the report.
func (v *reimbursementView) markReimbursed(a *app.Admin, amount currency.Amount, reference string) {
	r := v.report
	adminCall(v.deps, v.win, a, v.setAdmin, func(a *app.Admin) error {
		_, err := v.deps.Budgets.MarkReimbursed(context.Background(), a, r.Department.ID, r.Period, amount, reference)
		return err
	}, func(err error) {
		if err != nil {
			widgets.ShowError(errorFor(err), v.win)
			return
		}
		v.load(r.Department.ID, r.Period)
		if v.changed != nil {
			v.changed()
		}
	})
}

// buildDepartments is the "Departments & budgets" section.
func (m *MainWindow) buildDepartments() fyne.CanvasObject {
	m.departments = newDepartmentsScreen(m.deps, m.win, m.site)
	return m.departments.content
}

// amountValidator refuses what is not an amount above zero in cur, in the
// UI language, with the parser's reason as a sentence.
func amountValidator(cur string) fyne.StringValidator {
	return func(text string) error {
		if _, err := money.ParsePositive(text, cur, Language()); err != nil {
			return errors.New(sentence(ErrorText(err)))
		}
		return nil
	}
}
