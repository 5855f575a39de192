package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

// durations offered for a session, in minutes.
var durations = []int{30, 45, 60, 90, 120, 180, 240, 360, 480}

// scheduleForm is the Schedule Training Session form, for a new session or
// an existing one. Every field is checked as it is typed; Schedule stays
// disabled while anything is invalid.
type scheduleForm struct {
	deps     Deps
	win      fyne.Window
	site     app.Site
	existing *app.Session // nil for a new session
	paidErr  error        // why paid sessions are unavailable, nil when they are
	onSaved  func(app.Session)
	dlg      *widgets.Dialog
	content  fyne.CanvasObject

	topic        *widgets.Entry
	description  *widgets.Entry
	date         *widgets.DateEntry
	clock        *widgets.Entry
	duration     *widgets.Select
	sessionType  *widgets.RadioGroup
	types        *options[app.SessionType] // sessionType's choices
	ppuDown      bool                      // pay-per-use is offered but not available now
	fee          *widgets.Entry
	feeFormatted *widget.Label
	feeNote      *widget.Label // the administrator message when paid sessions are off
	register     *widgets.Check
	capacity     *widgets.Entry
	closesDate   *widgets.DateEntry
	closesClock  *widgets.Entry
	mayCancel    *widgets.Check
	cancelHours  *widgets.Entry
	refundPct    *widgets.Entry

	// Pay-per-use: offered when deps.PayPerUse is wired; ppuErr
	// says whom to contact when the feature is off.
	ppuErr      error
	departments []app.Department
	wantDept    int64 // the department to select once departments load
	computers   *widgets.Entry
	tele        *widgets.Entry
	department  *widgets.Select
	ppuNote     *widget.Label
	ppuForm     *widget.Form
	startNow    *widgets.Button
	cancelBtn   *widgets.Button
	closeBtn    *widgets.Button
	body        *fyne.Container // the dialog's content: the form, or the estimate
	scroll      *container.Scroll
	estimate    *estimatePage // the Estimated Session Cost page while it is shown

	errs    map[string]*widget.Label
	message *widget.Label
	save    *widgets.Button
	busy    bool
}

// Fields of the form, for its error labels.
const (
	sfTopic    = "topic"
	sfDesc     = "description"
	sfStart    = "start"
	sfFee      = "fee"
	sfCapacity = "capacity"
	sfCloses   = "closes"
	sfCancel   = "cancel"
	sfPPU      = "pay-per-use" // no label: ppuNote says it
	sfComputer = "computers"
	sfTele     = "teleconference"
)

// newScheduleForm builds the form. paidErr is nil when the site lets hosts
// charge a fee, and otherwise the error that says whom to contact.
func newScheduleForm(deps Deps, w fyne.Window, site app.Site, existing *app.Session, paidErr error, onSaved func(app.Session)) *scheduleForm {
	f := &scheduleForm{
		deps: deps, win: w, site: site, existing: existing, paidErr: paidErr, onSaved: onSaved,
		errs: map[string]*widget.Label{},
	}
	f.build()
	if existing != nil {
		f.fill(*existing)
	}
	f.loadPayPerUse()
	f.revalidate()
	return f
}

// offersPayPerUse: the pay-per-use option is on the form when its service
// is wired (whether the feature is on is ppuErr).
func (f *scheduleForm) offersPayPerUse() bool { return f.deps.PayPerUse != nil }

// loadPayPerUse asks whether pay-per-use is available and which
// departments may pay, off the UI thread.
func (f *scheduleForm) loadPayPerUse() {
	if !f.offersPayPerUse() {
		return
	}
	f.deps.run(func() {
		ctx := context.Background()
		avail := f.deps.PayPerUse.Available(ctx)
		var deps []app.Department
		var err error
		if f.deps.Budgets != nil {
			deps, err = f.deps.Budgets.Departments(ctx)
		}
		fyne.Do(func() {
			f.ppuErr = avail
			if err != nil {
				f.message.SetText(ErrorText(err))
				f.message.Show()
			}
			f.departments = deps
			options := []string{T("schedule.department_none")}
			selected := 0
			for i, d := range deps {
				options = append(options, T("departments.name_cc", map[string]any{"Name": d.Name, "CostCentre": d.CostCentre}))
				if d.ID == f.wantDept {
					selected = i + 1
				}
			}
			f.department.Options = options
			f.department.SetSelectedIndex(selected)
			f.department.Refresh()
			if avail != nil {
				chosen := f.chosenType()
				f.ppuDown = true
				f.types = newOptions(f.typeLabel, f.types.Values()...)
				f.sessionType.Options = f.types.Labels()
				f.sessionType.Selected = f.types.Label(chosen)
				f.sessionType.Refresh()
			}
			f.onTypeChanged()
		})
	})
}

func (f *scheduleForm) payPerUse() bool {
	return f.offersPayPerUse() && f.chosenType() == app.SessionPayPerUse
}

// chosenType is the session type chosen in the form.
func (f *scheduleForm) chosenType() app.SessionType {
	return f.types.ValueOr(f.sessionType.Selected, app.SessionFree)
}

// typeLabel names a session type in the form.
func (f *scheduleForm) typeLabel(t app.SessionType) string {
	switch t {
	case app.SessionPaid:
		return T("schedule.type_paid")
	case app.SessionPayPerUse:
		if f.ppuDown {
			return T("schedule.type_ppu_unavailable")
		}
		return T("schedule.type_ppu")
	}
	return T("schedule.type_free")
}

func (f *scheduleForm) loc() *time.Location {
	if f.existing != nil {
		return f.existing.Location()
	}
	if loc, err := time.LoadLocation(f.site.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// errLabel is a field's message line; its room is kept from the start
// (withMessage), so that a message appearing moves no field.
func (f *scheduleForm) errLabel(field string) *widget.Label {
	l := newFieldMessage()
	f.errs[field] = l
	return l
}

// withErr is a field with its message line under it.
func (f *scheduleForm) withErr(field string, o fyne.CanvasObject) fyne.CanvasObject {
	return withMessage(o, f.errLabel(field))
}

func (f *scheduleForm) build() {
	changed := func(string) { f.revalidate() }
	f.topic = widgets.NewEntry()
	f.topic.SetPlaceHolder(T("schedule.topic_placeholder"))
	f.topic.OnChanged = changed
	f.description = widgets.NewMultiLineEntry()
	f.description.SetMinRowsVisible(3)
	f.description.Wrapping = fyne.TextWrapWord
	f.description.OnChanged = changed

	f.date = widgets.NewDateEntry()
	f.date.OnChanged = func(*time.Time) { f.revalidate() }
	f.clock = widgets.NewEntry()
	f.clock.SetPlaceHolder(example("14:30"))
	f.clock.OnChanged = changed
	labels := make([]string, len(durations))
	for i, d := range durations {
		labels[i] = durationText(d)
	}
	f.duration = newChoice(labels, func(string) { f.revalidate() })
	f.duration.SetSelectedIndex(2)

	types := []app.SessionType{app.SessionFree, app.SessionPaid}
	if f.offersPayPerUse() {
		types = append(types, app.SessionPayPerUse)
	}
	f.types = newOptions(f.typeLabel, types...)
	f.sessionType = widgets.NewRadioGroup(f.types.Labels(), func(string) { f.onTypeChanged() })
	f.sessionType.Horizontal = true
	f.sessionType.Required = true
	f.sessionType.SetSelected(f.types.Label(app.SessionFree))

	f.fee = widgets.NewEntry()
	feeExample, _ := money.FromMinor(1250, f.site.Currency)
	f.fee.SetPlaceHolder(example(money.FormatNumber(feeExample, Language())))
	f.fee.OnChanged = changed
	f.feeFormatted = widget.NewLabel("")
	f.feeNote = widget.NewLabel("")
	f.feeNote.Wrapping = fyne.TextWrapWord
	f.feeNote.Importance = widget.WarningImportance
	f.feeNote.Hide()
	// The Fee applies to paid sessions only: it is enabled when one is
	// chosen (onTypeChanged). When paid sessions are off it stays visible,
	// disabled, with whom to contact.
	f.fee.Disable()
	if f.paidErr != nil {
		f.feeNote.SetText(T("schedule.fee_disabled"))
		f.feeNote.Show()
	}

	f.register = widgets.NewCheck(T("schedule.registration_required"), func(bool) { f.revalidate() })
	f.capacity = widgets.NewEntry()
	f.capacity.SetPlaceHolder(T("schedule.capacity_placeholder"))
	f.capacity.OnChanged = changed
	f.closesDate = widgets.NewDateEntry()
	f.closesDate.OnChanged = func(*time.Time) { f.revalidate() }
	f.closesClock = widgets.NewEntry()
	f.closesClock.SetPlaceHolder(example("12:00"))
	f.closesClock.OnChanged = changed
	f.mayCancel = widgets.NewCheck(T("schedule.may_cancel"), func(on bool) {
		if on {
			f.cancelHours.Enable()
			f.refundPct.Enable()
		} else {
			f.cancelHours.Disable()
			f.refundPct.Disable()
		}
		f.revalidate()
	})
	f.cancelHours = widgets.NewEntry()
	f.cancelHours.SetText("24")
	f.cancelHours.OnChanged = changed
	f.cancelHours.Disable()
	f.refundPct = widgets.NewEntry()
	f.refundPct.SetText("100")
	f.refundPct.OnChanged = changed
	f.refundPct.Disable()

	f.computers = widgets.NewEntry()
	f.computers.SetPlaceHolder(T("schedule.computers_placeholder"))
	f.computers.OnChanged = changed
	f.tele = widgets.NewEntry()
	f.tele.SetPlaceHolder(example("0"))
	f.tele.OnChanged = changed
	f.department = newChoice(nil, func(string) { f.revalidate() })
	f.ppuNote = widget.NewLabel("")
	f.ppuNote.Importance = widget.WarningImportance
	f.ppuNote.Hide()
	// The pay-per-use fields keep their place whatever the type chosen:
	// enabled for a pay-per-use session only (onTypeChanged), so that
	// choosing a type moves nothing below the pointer.
	f.computers.Disable()
	f.tele.Disable()
	f.department.Disable()
	f.ppuForm = widget.NewForm(
		widget.NewFormItem("", reserve(fieldMessageLines, f.ppuNote)),
		widget.NewFormItem(T("schedule.computers"), f.withErr(sfComputer, f.computers)),
		widget.NewFormItem(T("schedule.teleconference"), f.withErr(sfTele, f.tele)),
		widget.NewFormItem(T("schedule.department"), f.department),
	)
	if !f.offersPayPerUse() {
		f.ppuForm.Hide()
	}
	f.startNow = widgets.NewButton(T("schedule.start_session"), f.onStartNow)
	f.startNow.Disable()
	if !f.offersPayPerUse() {
		f.startNow.Hide()
	}

	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Importance = widget.DangerImportance
	f.message.Hide()
	saveText := T("schedule.schedule")
	if f.existing != nil {
		saveText = T("schedule.save")
	}
	f.save = widgets.NewButton(saveText, f.onSave)
	f.save.Importance = widget.HighImportance

	zone := widget.NewLabel(T("schedule.time_zone", map[string]any{"Zone": f.loc().String()}))
	currencyLabel := widget.NewLabel(f.site.Currency)
	feeRow := container.NewBorder(nil, nil, nil, currencyLabel, f.fee)

	// The fee's line says the amount as understood, or what is wrong with
	// it: one line's room, kept from the start, serves both.
	feeErr := f.errLabel(sfFee)
	feeErr.Truncation = fyne.TextTruncateEllipsis
	f.feeFormatted.Truncation = fyne.TextTruncateEllipsis
	feeLine := reserve(fieldMessageLines, container.NewStack(f.feeFormatted, feeErr))
	form := widget.NewForm(
		widget.NewFormItem(T("schedule.topic"), f.withErr(sfTopic, f.topic)),
		widget.NewFormItem(T("schedule.description"), f.withErr(sfDesc, f.description)),
		widget.NewFormItem(T("schedule.start"), f.withErr(sfStart, container.NewVBox(
			container.NewGridWithColumns(2, f.date, f.clock), zone))),
		widget.NewFormItem(T("schedule.duration"), f.duration),
		widget.NewFormItem(T("schedule.type"), f.sessionType),
		widget.NewFormItem(T("schedule.fee"), container.NewVBox(feeRow, feeLine, f.feeNote)),
	)
	regForm := widget.NewForm(
		widget.NewFormItem("", f.register),
		widget.NewFormItem(T("schedule.capacity"), f.withErr(sfCapacity, f.capacity)),
		widget.NewFormItem(T("schedule.closes"), f.withErr(sfCloses,
			container.NewGridWithColumns(2, f.closesDate, f.closesClock))),
		widget.NewFormItem("", f.mayCancel),
		widget.NewFormItem(T("schedule.cancel_hours"), f.cancelHours),
		widget.NewFormItem(T("schedule.refund_percent"), f.withErr(sfCancel, f.refundPct)),
	)
	title := T("schedule.title")
	if f.existing != nil {
		title = T("schedule.edit_title")
	}
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	regHeading := widget.NewLabelWithStyle(T("schedule.registration"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	f.content = container.NewVBox(heading, form, f.ppuForm, widget.NewSeparator(), regHeading, regForm, f.message)
}

// show opens the form in a dialog over the window. For a pay-per-use
// session the same dialog then shows the Estimated Session Cost page.
func (f *scheduleForm) show() {
	f.cancelBtn = widgets.NewButton(T("dialog.cancel"), func() { f.dlg.Hide() })
	f.closeBtn = widgets.NewButton(T("pay.close"), func() { f.dlg.Hide() })
	f.scroll = container.NewVScroll(f.content)
	f.scroll.SetMinSize(fyne.NewSize(640, 560))
	f.body = container.NewStack(f.scroll)
	d := widgets.NewCustomWithoutButtons(T("schedule.title"), f.body, f.win)
	d.SetButtons(f.formButtons())
	f.dlg = d
	d.Resize(fyne.NewSize(720, 680))
	d.Show()
	f.win.Canvas().Focus(f.topic)
}

func durationText(min int) string {
	h, m := min/60, min%60
	switch {
	case h == 0:
		return T("schedule.minutes", map[string]any{"M": m})
	case m == 0:
		return T("schedule.hours", map[string]any{"H": h})
	}
	return T("schedule.hours_minutes", map[string]any{"H": h, "M": m})
}

func (f *scheduleForm) fill(s app.Session) {
	loc := s.Location()
	f.topic.SetText(s.Topic)
	f.description.SetText(s.Description)
	start := s.StartsAt.In(loc)
	d := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	f.date.SetDate(&d)
	f.clock.SetText(start.Format("15:04"))
	for i, m := range durations {
		if m == s.DurationMinutes {
			f.duration.SetSelectedIndex(i)
		}
	}
	if s.Type == app.SessionPaid {
		f.sessionType.SetSelected(f.types.Label(app.SessionPaid))
		if a, err := money.FromMinor(s.FeeMinor, s.Currency); err == nil {
			f.fee.SetText(money.FormatNumber(a, Language()))
		}
	}
	if s.Type == app.SessionPayPerUse && f.offersPayPerUse() {
		f.sessionType.SetSelected(f.types.Label(app.SessionPayPerUse))
		f.computers.SetText(strconv.Itoa(s.ExpectedComputers))
		f.tele.SetText(strconv.Itoa(s.ExpectedTeleconference))
		f.wantDept = s.DepartmentID
	}
	f.register.SetChecked(s.RegistrationRequired)
	if s.MaxRegistrations > 0 {
		f.capacity.SetText(strconv.Itoa(s.MaxRegistrations))
	}
	if !s.RegistrationClosesAt.IsZero() {
		c := s.RegistrationClosesAt.In(loc)
		cd := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
		f.closesDate.SetDate(&cd)
		f.closesClock.SetText(c.Format("15:04"))
	}
	f.mayCancel.SetChecked(s.AttendeesMayCancel)
	f.cancelHours.SetText(strconv.Itoa(s.CancelHoursBefore))
	f.refundPct.SetText(strconv.Itoa(s.RefundPercent))
}

func (f *scheduleForm) paid() bool { return f.chosenType() == app.SessionPaid }

func (f *scheduleForm) onTypeChanged() {
	if f.register == nil {
		return
	}
	if f.paid() {
		// A paid session requires registration: on, and locked on.
		f.register.SetChecked(true)
		f.register.Disable()
	} else {
		f.register.Enable()
	}
	// Fields that do not apply to the type chosen are disabled, in their
	// place: nothing moves when the type changes.
	setActive(f.fee, f.paid() && f.paidErr == nil)
	ppuOn := f.payPerUse() && f.ppuErr == nil
	setActive(f.computers, ppuOn)
	setActive(f.tele, ppuOn)
	setActive(f.department, ppuOn)
	if f.payPerUse() && f.ppuErr != nil {
		f.ppuNote.SetText(ErrorText(f.ppuErr))
		f.ppuNote.Show()
	} else {
		f.ppuNote.Hide()
	}
	f.revalidate()
}

// formButtons are the dialog's buttons while the form shows.
func (f *scheduleForm) formButtons() []fyne.CanvasObject {
	return []fyne.CanvasObject{f.cancelBtn, f.startNow, f.save}
}

// readPayPerUse reads the pay-per-use fields into s, with a message per
// invalid field; the rules are the domain's (app.Usage.Validate).
func (f *scheduleForm) readPayPerUse(s *app.Session, errs map[string]string) {
	s.Type = app.SessionPayPerUse
	s.Currency = f.site.Currency
	if f.ppuErr != nil {
		errs[sfPPU] = ErrorText(f.ppuErr)
		return
	}
	s.DepartmentID = 0
	if i := f.department.SelectedIndex(); i > 0 && i <= len(f.departments) {
		s.DepartmentID = f.departments[i-1].ID
	}
	whole := func(text string, empty int) (int, bool) {
		text = strings.TrimSpace(text)
		if text == "" {
			return empty, true
		}
		n, err := strconv.Atoi(text)
		return n, err == nil && n <= app.MaxComputers
	}
	computers, ok1 := whole(f.computers.Text, 0)
	tele, ok2 := whole(f.tele.Text, 0)
	switch {
	case strings.TrimSpace(f.computers.Text) == "":
		errs[sfComputer] = T("schedule.computers_required")
	case !ok1:
		errs[sfComputer] = T("error.payperuse.whole_numbers")
	}
	if !ok2 {
		errs[sfTele] = T("error.payperuse.whole_numbers")
	}
	s.ExpectedComputers, s.ExpectedTeleconference = computers, tele
	if errs[sfComputer] != "" || errs[sfTele] != "" {
		return
	}
	if err := app.UsageOf(*s).Validate(); err != nil {
		key := app.AsError(err).Key
		if strings.Contains(key, "teleconference") {
			errs[sfTele] = ErrorText(err)
		} else {
			errs[sfComputer] = ErrorText(err)
		}
	}
}

// parseClock reads "14:30" (or "14.30", "9:05").
func parseClock(s string) (h, m int, ok bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ".", ":"))
	hh, mm, found := strings.Cut(s, ":")
	if !found || len(mm) != 2 || len(hh) < 1 || len(hh) > 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || strings.HasPrefix(hh, "+") || strings.HasPrefix(hh, "-") {
		return 0, 0, false
	}
	return h, m, true
}

// localTime combines a date entry's day and a clock in loc.
func localTime(d *time.Time, clock string, loc *time.Location) (time.Time, bool) {
	if d == nil {
		return time.Time{}, false
	}
	h, m, ok := parseClock(clock)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc), true
}

// parseFee reads the Fee in the UI language: above zero, within the
// currency's digits, and at most app.MaxFeeMajor.
func parseFee(text, cur string) (int64, error) {
	a, err := money.ParsePositive(text, cur, Language())
	if err != nil {
		return 0, err
	}
	minor, err := money.ToMinor(a)
	if err != nil {
		return 0, app.Errorf(app.EINVALID, "error.session.fee_required", "a paid session needs a fee above zero")
	}
	if minor > app.MaxFeeMinor(cur) {
		return 0, app.Errorf(app.EINVALID, "error.session.fee_too_large", "the fee is above the maximum").
			With(map[string]any{"Max": maxFeeText(cur)})
	}
	return minor, nil
}

func maxFeeText(cur string) string {
	a, err := money.FromMinor(app.MaxFeeMinor(cur), cur)
	if err != nil {
		return fmt.Sprint(app.MaxFeeMajor)
	}
	return money.Format(a, Language())
}

// session reads the form; errs holds a message per invalid field.
func (f *scheduleForm) session() (app.Session, map[string]string) {
	errs := map[string]string{}
	s := app.Session{
		Topic: app.TrimLine(f.topic.Text), Description: app.TrimText(f.description.Text),
		TimeZone: f.loc().String(), Type: app.SessionFree,
	}
	if f.existing != nil {
		s.ID = f.existing.ID
		s.ExpectedComputers, s.ExpectedTeleconference = f.existing.ExpectedComputers, f.existing.ExpectedTeleconference
	}
	if s.Topic == "" {
		errs[sfTopic] = T("error.session.topic_required")
	} else if err := app.CheckLine(app.FieldTopic, s.Topic); err != nil {
		errs[sfTopic] = ErrorText(err)
	} else if len([]rune(s.Topic)) > app.MaxTopicLength {
		errs[sfTopic] = T("error.session.topic_too_long", map[string]any{"Max": app.MaxTopicLength})
	}
	if err := app.CheckText(app.FieldDescription, s.Description); err != nil {
		errs[sfDesc] = ErrorText(err)
	}
	start, ok := localTime(f.date.Date, f.clock.Text, f.loc())
	switch {
	case f.date.Date == nil && strings.TrimSpace(f.clock.Text) == "":
		errs[sfStart] = T("error.session.start_required")
	case !ok:
		errs[sfStart] = T("schedule.start_invalid")
	case (f.existing == nil || !start.Equal(f.existing.StartsAt)) && !start.After(time.Now()):
		errs[sfStart] = T("error.session.in_past")
	}
	s.StartsAt = start
	if i := f.duration.SelectedIndex(); i >= 0 {
		s.DurationMinutes = durations[i]
	}
	f.feeFormatted.SetText("")
	f.feeFormatted.Hide()
	if f.payPerUse() {
		f.readPayPerUse(&s, errs)
	}
	if f.paid() {
		s.Type = app.SessionPaid
		s.Currency = f.site.Currency
		if f.paidErr != nil {
			errs[sfFee] = ErrorText(f.paidErr)
		} else if strings.TrimSpace(f.fee.Text) == "" {
			errs[sfFee] = T("error.session.fee_required")
		} else if minor, err := parseFee(f.fee.Text, f.site.Currency); err != nil {
			errs[sfFee] = ErrorText(err)
		} else {
			s.FeeMinor = minor
			a, _ := money.FromMinor(minor, f.site.Currency)
			f.feeFormatted.SetText(T("schedule.fee_shown", map[string]any{"Amount": money.Format(a, Language())}))
			f.feeFormatted.Show()
		}
	}
	s.RegistrationRequired = f.register.Checked || s.Type == app.SessionPaid
	if c := strings.TrimSpace(f.capacity.Text); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 || n > app.MaxRegistrationLimit {
			errs[sfCapacity] = T("error.session.capacity", map[string]any{"Max": app.MaxRegistrationLimit})
		} else {
			s.MaxRegistrations = n
		}
	} else if s.Type == app.SessionPaid {
		errs[sfCapacity] = T("schedule.capacity_required")
	}
	if f.closesDate.Date != nil || strings.TrimSpace(f.closesClock.Text) != "" {
		c, ok := localTime(f.closesDate.Date, f.closesClock.Text, f.loc())
		switch {
		case !ok:
			errs[sfCloses] = T("schedule.start_invalid")
		case !s.StartsAt.IsZero() && c.After(s.StartsAt):
			errs[sfCloses] = T("error.session.closes_after_start")
		default:
			s.RegistrationClosesAt = c
		}
	}
	s.AttendeesMayCancel = f.mayCancel.Checked
	s.RefundPercent = 100
	if s.AttendeesMayCancel {
		h, err1 := strconv.Atoi(strings.TrimSpace(f.cancelHours.Text))
		p, err2 := strconv.Atoi(strings.TrimSpace(f.refundPct.Text))
		switch {
		case err1 != nil || h < 0 || h > app.MaxCancelHours:
			errs[sfCancel] = T("error.session.cancel_hours", map[string]any{"Max": app.MaxCancelHours})
		case err2 != nil || p < 0 || p > 100:
			errs[sfCancel] = T("error.session.refund_percent")
		default:
			s.CancelHoursBefore, s.RefundPercent = h, p
		}
	}
	return s, errs
}

// revalidate shows each field's problem and enables Schedule only when
// there is none.
func (f *scheduleForm) revalidate() bool {
	if f.save == nil || f.refundPct == nil {
		return false
	}
	_, errs := f.session()
	for field, l := range f.errs {
		msg := errs[field]
		// A field's "required" waits until something was typed anywhere;
		// a wrong value shows at once.
		if msg != "" && !f.touchedAny() {
			msg = ""
		}
		setFieldMessage(l, msg)
	}
	// Start Session sets the start itself: only the other fields count.
	startErrs := len(errs)
	if _, ok := errs[sfStart]; ok {
		startErrs--
	}
	setEnabled(f.startNow, f.payPerUse() && startErrs == 0 && !f.busy)
	if len(errs) > 0 || f.busy {
		f.save.Disable()
		return false
	}
	f.save.Enable()
	return true
}

func (f *scheduleForm) touchedAny() bool {
	return f.topic.Text != "" || f.date.Date != nil || f.clock.Text != "" || f.fee.Text != "" || f.capacity.Text != "" ||
		f.computers.Text != ""
}

// onStartNow is Start Session on a pay-per-use session: it starts at the
// next whole minute, which the form's start fields then show, and is saved
// like Schedule; the estimate's Start then starts it once paid.
func (f *scheduleForm) onStartNow() {
	now := time.Now().In(f.loc()).Truncate(time.Minute).Add(time.Minute)
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	f.date.SetDate(&d)
	f.clock.SetText(now.Format("15:04"))
	f.onSave()
}

// showEstimate turns the dialog into the Estimated Session Cost page of
// the saved session.
func (f *scheduleForm) showEstimate(id int64) {
	f.estimate = newEstimatePage(f.deps, f.win, id, f.onChangeEstimate, f.onEstimateStarted)
	if f.body == nil {
		return
	}
	f.body.Objects = []fyne.CanvasObject{container.NewVScroll(f.estimate.content)}
	f.body.Refresh()
	if f.dlg != nil {
		f.dlg.SetButtons([]fyne.CanvasObject{f.closeBtn})
		// The field that had the focus is gone: the page's first button
		// takes it, so that Tab goes on from there.
		f.win.Canvas().Unfocus()
		f.win.Canvas().FocusNext()
	}
}

// onChangeEstimate is the estimate's Change: back to the form, every value
// as it was typed; Schedule or Start Session then saves the changes.
func (f *scheduleForm) onChangeEstimate() {
	f.estimate = nil
	if f.body != nil {
		f.body.Objects = []fyne.CanvasObject{f.scroll}
		f.body.Refresh()
	}
	if f.dlg != nil {
		f.dlg.SetButtons(f.formButtons())
		f.win.Canvas().Focus(f.topic)
	}
	f.revalidate()
}

func (f *scheduleForm) onEstimateStarted() {
	if f.onSaved != nil && f.existing != nil {
		f.onSaved(*f.existing)
	}
}

func (f *scheduleForm) onSave() {
	s, errs := f.session()
	if len(errs) > 0 || f.busy {
		f.revalidate()
		return
	}
	f.busy = true
	f.save.Disable()
	f.startNow.Disable()
	f.message.Hide()
	f.deps.run(func() {
		var saved app.Session
		var err error
		if f.existing == nil {
			saved, err = f.deps.Sessions.Schedule(context.Background(), s)
		} else {
			saved, err = f.deps.Sessions.Update(context.Background(), s)
		}
		fyne.Do(func() {
			f.busy = false
			if err != nil {
				f.revalidate()
				f.refused(err)
				return
			}
			if saved.Type == app.SessionPayPerUse {
				// The estimate comes next; a second Schedule saves changes.
				f.existing = &saved
				if f.onSaved != nil {
					f.onSaved(saved)
				}
				f.showEstimate(saved.ID)
				return
			}
			if f.dlg != nil {
				f.dlg.Hide()
			}
			if f.onSaved != nil {
				f.onSaved(saved)
			}
		})
	})
}

// refused shows the service's refusal beside the field it names (app.Error's
// Field), or under the form when it names none.
func (f *scheduleForm) refused(err error) {
	if l, ok := f.errs[fieldOf(err)]; ok {
		setFieldMessage(l, ErrorText(err))
		return
	}
	f.message.SetText(sentence(ErrorText(err)))
	f.message.Show()
}
