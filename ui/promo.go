package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

// SectionPromo is the promotional codes section's ID.
const SectionPromo = "promo"

// PromoCodeService is what the UI needs of app.PromoService.
type PromoCodeService interface {
	Available(ctx context.Context) error
	CreateCode(ctx context.Context, c app.PromoCode) (app.PromoCode, error)
	GenerateCodes(ctx context.Context, proto app.PromoCode, n, length int) ([]app.PromoCode, error)
	Codes(ctx context.Context) ([]app.PromoCode, error)
	CodePage(ctx context.Context, f app.PromoCodeFilter) ([]app.PromoCode, int, error)
	Code(ctx context.Context, id int64) (app.PromoCode, error)
	UpdateCode(ctx context.Context, id int64, u app.PromoCodeUpdate) error
	SetDisabled(ctx context.Context, id int64, disabled bool) error
	ExtendExpiry(ctx context.Context, id int64, until time.Time) error
	DeleteCode(ctx context.Context, id int64) error
	AddRecipient(ctx context.Context, codeID int64, email, name string) error
	ImportRecipients(ctx context.Context, codeID int64, imp app.RecipientImport) (int, error)
	Recipients(ctx context.Context, codeID int64) ([]app.PromoRecipient, error)
	Send(ctx context.Context, codeID int64, lang string, progress func(app.SendProgress)) (app.SendReport, error)
	SendCodes(ctx context.Context, codeIDs []int64, lang string, progress func(app.SendProgress)) (app.SendReport, error)
	GenerateForRecipients(ctx context.Context, proto app.PromoCode, length int, rs []app.PromoRecipient) ([]app.PromoCode, error)
	Reports(ctx context.Context, codeID int64) ([]app.PromoReport, error)
	SMTPSettings(ctx context.Context) (app.SMTPSettings, error)
	HasSMTPPassword() bool
	SaveSMTPSettings(ctx context.Context, a *app.Admin, s app.SMTPSettings, password string) error
	SendTestMessage(ctx context.Context, a *app.Admin, to string) error
	SessionTopics(ctx context.Context, ids []int64) ([]app.PromoSession, error)
	Template(ctx context.Context, lang string) (app.PromoMailTemplate, error)
	SaveTemplate(ctx context.Context, t app.PromoMailTemplate) error
	ResetTemplate(ctx context.Context, lang string) (app.PromoMailTemplate, error)
	PreviewTemplate(ctx context.Context, t app.PromoMailTemplate, codeID int64) (app.MailMessage, error)
}

func (m *MainWindow) buildPromo() fyne.CanvasObject {
	m.promoScr = newPromoScreen(m.deps, m.win, m.site)
	return m.promoScr.root
}

// The codes list reads pages of promoPageSize codes as it scrolls and
// keeps at most promoPagesKept of them: a hundred thousand codes never sit
// in memory.
const (
	promoPageSize  = 100
	promoPagesKept = 8
)

// promoScreen lists the codes and works on the selected one: limits,
// expiry, recipients, sending and its report.
type promoScreen struct {
	deps Deps
	win  fyne.Window
	site app.Site
	root *fyne.Container

	search   *widget.Entry
	count    *widget.Label
	list     *widgets.PagedList[app.PromoCode, int64]
	selected int64
	code     *app.PromoCode // the selected code, read by its id; UI thread only
	status   *widget.Label

	generate, custom, exportCodes, exportReport, templateBtn *widget.Button

	// The selected code's pane.
	detail       *fyne.Container
	detailScroll *container.Scroll // lays detail out (showIn)
	info         *widget.Label
	report       *widget.Label
	reportNote   *widget.Label
	sessions     *widget.Button
	edit         *widget.Button
	extend       *widget.Button
	disable      *widget.Button
	remove       *widget.Button
	recipients   []app.PromoRecipient
	recipList    *widget.List
	email        *widget.Entry
	name         *widget.Entry
	add          *widget.Button
	importBtn    *widget.Button
	exportRcpt   *widget.Button
	sendLang     *widget.Select
	send         *widget.Button
	sendBatch    *widget.Button // sends the batch just generated one code per recipient
	batch        []int64        // that batch's codes
	cancelSend   *widget.Button
	progress     *widget.ProgressBar
	sendStatus   *widget.Label
	// stopSend cancels the running send (nil when none runs); UI thread only.
	stopSend context.CancelFunc

	form     *promoCodeForm  // the open create/generate dialog, for tests
	preview  *importPreview  // the open import preview, for tests
	template *templateEditor // the open template editor, for tests
	picker   *sessionPicker  // the detail pane's open session picker, for tests
}

func newPromoScreen(deps Deps, w fyne.Window, site app.Site) *promoScreen {
	s := &promoScreen{deps: deps, win: w, site: site, root: container.NewStack()}
	s.root.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(T("app.loading")))}
	deps.run(func() {
		err := deps.Promo.Available(context.Background())
		fyne.Do(func() {
			if err != nil {
				msg := widget.NewLabel(ErrorText(err))
				msg.Wrapping = fyne.TextWrapWord
				s.root.Objects = []fyne.CanvasObject{container.NewPadded(container.NewVBox(
					widget.NewLabelWithStyle(T("nav.promo"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), msg))}
				s.root.Refresh()
				return
			}
			s.build()
			s.reload()
		})
	})
	return s
}

func (s *promoScreen) build() {
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.generate = widget.NewButtonWithIcon(T("promo.generate"), theme.ContentAddIcon(), s.onGenerate)
	s.generate.Importance = widget.HighImportance
	s.custom = widget.NewButton(T("promo.custom"), s.onCustom)
	s.exportCodes = widget.NewButtonWithIcon(T("promo.export_codes"), theme.DocumentSaveIcon(), s.onExportCodes)
	s.exportReport = widget.NewButtonWithIcon(T("promo.export_report"), theme.DocumentSaveIcon(), s.onExportReport)
	s.templateBtn = widget.NewButtonWithIcon(T("promo.template_edit"), theme.MailComposeIcon(), s.onTemplate)
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(T("promo.search"))
	s.search.OnChanged = func(string) { s.onSearch() }
	s.count = widget.NewLabel("")
	s.list = widgets.NewPagedList(widgets.PagedListOptions[app.PromoCode, int64]{
		PageSize: promoPageSize, PagesKept: promoPagesKept, Fetch: s.fetchPage, Run: s.deps.run,
		ID:      func(c app.PromoCode) int64 { return c.ID },
		Columns: []widgets.Column[app.PromoCode]{{Weight: 1, Text: s.codeLine}},
		OnLoaded: func(total int, _ bool, err error) {
			if err != nil {
				s.failed(err)
			} else {
				s.count.SetText(T("promo.count", map[string]any{"Count": total}))
			}
		},
		OnSelected: func(c app.PromoCode) {
			s.selected = c.ID
			s.showDetail()
		},
		OnUnselected: func() { s.showDetail() },
	})
	s.buildDetail()
	// The actions scroll sideways rather than widen the window (five
	// buttons are wider than the default window, more so in Polish).
	top := container.NewHScroll(container.NewHBox(s.generate, s.custom, s.templateBtn, s.exportCodes, s.exportReport))
	codes := container.NewBorder(container.NewBorder(nil, nil, nil, s.count, s.search), nil, nil, nil, s.list)
	s.detailScroll = container.NewVScroll(s.detail)
	split := container.NewHSplit(codes, s.detailScroll)
	split.Offset = 0.5
	s.root.Objects = []fyne.CanvasObject{container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle(T("nav.promo"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), top),
		s.status, nil, nil, split)}
	s.root.Refresh()
}

// codeLine is a code's row: code, discount, uses of the limit, last day.
func (s *promoScreen) codeLine(c app.PromoCode) string {
	key := "promo.code_line_unlimited"
	if c.UseLimit > 0 {
		key = "promo.code_line"
	}
	line := T(key, map[string]any{"Code": c.Code, "Discount": c.DiscountText(Language()),
		"Uses": c.Uses, "Limit": c.UseLimit, "Until": app.ExpiryText(c, s.site.TimeZone, Language())})
	if c.Disabled {
		line += " · " + T("promo.disabled")
	}
	return line
}

func (s *promoScreen) failed(err error) {
	s.status.Importance = widget.DangerImportance
	s.status.SetText(ErrorText(err))
}

func (s *promoScreen) done(msg string) {
	s.status.Importance = widget.SuccessImportance
	s.status.SetText(msg)
}

// onSearch starts the list over for the new search, after the search
// box's delay (searchDelay); the selected code's pane stays.
func (s *promoScreen) onSearch() {
	if s.list == nil {
		return
	}
	s.list.Restart(searchDelay)
	s.showDetail()
}

// reload reads the list again (the count and the pages in sight, the
// selection kept by the code's id) and the selected code, all off the UI
// thread.
func (s *promoScreen) reload() {
	if s.list == nil {
		return
	}
	s.list.Reload()
	if _, ok := s.list.Selected(); !ok {
		s.showDetail() // a code chosen before a search: its pane stays
	}
}

// fetchPage reads one page of codes (off the UI thread).
func (s *promoScreen) fetchPage(q widgets.PageQuery[app.PromoCode]) (widgets.Page[app.PromoCode], error) {
	f := app.PromoCodeFilter{Search: s.search.Text, Limit: q.Limit, Offset: q.Skip, NoTotal: !q.Count}
	if q.After != nil {
		f.AfterID = q.After.ID
	}
	rows, total, err := s.deps.Promo.CodePage(q.Ctx, f)
	return widgets.Page[app.PromoCode]{Rows: rows, Total: total}, err
}

func (s *promoScreen) length() int { return s.list.Length() }

// current is the selected code as last read.
func (s *promoScreen) current() (app.PromoCode, bool) {
	if s.code == nil || s.code.ID != s.selected || s.selected == 0 {
		return app.PromoCode{}, false
	}
	return *s.code, true
}

func (s *promoScreen) buildDetail() {
	s.info = widget.NewLabel("")
	s.info.Wrapping = fyne.TextWrapWord
	s.report = widget.NewLabel("")
	s.report.Wrapping = fyne.TextWrapWord
	s.reportNote = widget.NewLabel(T("promo.report_revenue_note"))
	s.reportNote.Wrapping = fyne.TextWrapWord
	s.reportNote.Importance = widget.LowImportance
	s.sessions = widget.NewButton(T("promo.edit_sessions"), s.onEditSessions)
	s.edit = widget.NewButton(T("promo.edit_limits"), s.onEditLimits)
	s.extend = widget.NewButton(T("promo.extend"), s.onExtend)
	s.disable = widget.NewButton(T("promo.disable"), s.onToggleDisabled)
	s.remove = widget.NewButtonWithIcon(T("promo.delete"), theme.DeleteIcon(), s.onDelete)
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(T("promo.recipient_email"))
	s.name = widget.NewEntry()
	s.name.SetPlaceHolder(T("promo.recipient_name"))
	s.add = widget.NewButton(T("promo.add_recipient"), s.onAddRecipient)
	s.importBtn = widget.NewButtonWithIcon(T("promo.import"), theme.FolderOpenIcon(), s.onImport)
	s.exportRcpt = widget.NewButtonWithIcon(T("promo.export_recipients"), theme.DocumentSaveIcon(), s.onExportRecipients)
	s.recipList = widget.NewList(
		func() int { return len(s.recipients) },
		func() fyne.CanvasObject {
			return newCellLabel("someone@example.com · Name · sent")
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(s.recipients) {
				o.(*cellLabel).SetText(s.recipientLine(s.recipients[id]))
			}
		})
	s.sendLang = newSelect([]string{"English", "Polski"}, nil)
	if s.site.Language == "pl" {
		s.sendLang.SetSelectedIndex(1)
	} else {
		s.sendLang.SetSelectedIndex(0)
	}
	s.send = widget.NewButtonWithIcon(T("promo.send"), theme.MailSendIcon(), s.onSend)
	s.sendBatch = widget.NewButtonWithIcon("", theme.MailSendIcon(), s.onSendBatch)
	s.sendBatch.Hide()
	s.progress = widget.NewProgressBar()
	s.cancelSend = widget.NewButtonWithIcon(T("dialog.cancel"), theme.CancelIcon(), s.onCancelSend)
	s.cancelSend.Hide()
	s.progress.Hide()
	s.sendStatus = widget.NewLabel("")
	s.sendStatus.Wrapping = fyne.TextWrapWord
	heading := func(key string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	recips := container.NewGridWrap(fyne.NewSize(460, 180), s.recipList)
	s.detail = container.NewVBox(
		s.info, container.NewHBox(s.edit, s.extend, s.sessions, s.disable, s.remove), widget.NewSeparator(),
		heading("promo.recipients"),
		container.NewBorder(nil, nil, nil, s.add, container.NewGridWithColumns(2, s.email, s.name)),
		container.NewHBox(s.importBtn, s.exportRcpt), recips, widget.NewSeparator(),
		heading("promo.sending"),
		container.NewBorder(nil, nil, widget.NewLabel(T("promo.send_language")), container.NewHBox(s.send, s.sendBatch), s.sendLang),
		container.NewBorder(nil, nil, nil, s.cancelSend, s.progress), s.sendStatus, widget.NewSeparator(),
		heading("promo.report"), s.report, s.reportNote,
	)
	s.detail.Hide()
}

func (s *promoScreen) recipientLine(r app.PromoRecipient) string {
	state := T("promo.not_sent")
	switch {
	case !r.SentAt.IsZero():
		state = T("promo.sent")
	case r.FailedReason != "":
		state = T("promo.failed", map[string]any{"Reason": r.FailedReason})
	}
	return fmt.Sprintf("%s · %s · %s", r.Email, r.Name, state)
}

// showDetail reads the selected code by its id off the UI thread, then
// shows its pane.
func (s *promoScreen) showDetail() {
	id := s.selected
	if id == 0 {
		s.code = nil
		s.detail.Hide()
		return
	}
	s.deps.run(func() {
		c, err := s.deps.Promo.Code(context.Background(), id)
		fyne.Do(func() {
			if id != s.selected {
				return
			}
			if err != nil {
				s.code = nil
				s.detail.Hide()
				if app.ErrorCode(err) != app.ENOTFOUND {
					s.failed(err)
				}
				return
			}
			s.code = &c
			s.showCode(c)
		})
	})
}

// showCode fills the pane with c and reads its recipients, report and
// sessions' topics off the UI thread.
func (s *promoScreen) showCode(c app.PromoCode) {
	s.info.SetText(s.detailText(c, nil))
	s.sendBatch.Hide()
	for _, id := range s.batch {
		if id == c.ID {
			s.sendBatch.SetText(T("promo.send_batch", map[string]any{"Number": len(s.batch)}))
			s.sendBatch.Show()
		}
	}
	if c.Disabled {
		s.disable.SetText(T("promo.enable"))
	} else {
		s.disable.SetText(T("promo.disable"))
	}
	showIn(s.detail, s.detailScroll)
	id := c.ID
	s.deps.run(func() {
		ctx := context.Background()
		rs, err := s.deps.Promo.Recipients(ctx, id)
		var rep []app.PromoReport
		if err == nil {
			rep, err = s.deps.Promo.Reports(ctx, id)
		}
		var topics []app.PromoSession
		if err == nil && !c.AllSessions {
			topics, err = s.deps.Promo.SessionTopics(ctx, c.SessionIDs)
		}
		fyne.Do(func() {
			if err != nil {
				s.failed(err)
				return
			}
			if id != s.selected {
				return
			}
			if !c.AllSessions {
				s.info.SetText(s.detailText(c, topics))
			}
			s.recipients = rs
			s.recipList.Refresh()
			if len(rep) == 1 {
				s.report.SetText(s.reportText(rep[0]))
			}
		})
	})
}

// detailText is the selected code's summary. topics are its chosen
// sessions' (nil while they load: the sessions are then named by number).
func (s *promoScreen) detailText(c app.PromoCode, topics []app.PromoSession) string {
	lang := Language()
	applies := T("promo.applies_all")
	if !c.AllSessions {
		if topics == nil {
			for _, id := range c.SessionIDs {
				topics = append(topics, app.PromoSession{ID: id})
			}
		}
		applies = sessionTopicsText(topics)
	}
	key := "promo.detail_unlimited"
	if c.UseLimit > 0 {
		key = "promo.detail"
	}
	return T(key, map[string]any{"Code": c.Code, "Discount": c.DiscountText(lang), "Uses": c.Uses,
		"Limit": c.UseLimit, "PerAttendee": c.PerAttendeeLimit, "Until": app.ExpiryText(c, s.site.TimeZone, lang),
		"Applies": applies})
}

// reportText words a code's report; reportNote says what revenue means.
func (s *promoScreen) reportText(r app.PromoReport) string {
	amount := func(minor int64) string {
		a, err := money.FromMinor(minor, r.Currency)
		if err != nil {
			return strconv.FormatInt(minor, 10)
		}
		return money.Format(a, Language())
	}
	text := T("promo.report_text", map[string]any{"Recipients": r.Recipients, "Sent": r.Sent, "Uses": r.Uses,
		"Attendees": r.Attendees, "Revenue": amount(r.RevenueMinor), "Discount": amount(r.DiscountMinor)})
	if r.RefundedUses > 0 {
		text += " " + T("promo.report_refunds", map[string]any{"Refunded": r.RefundedUses,
			"Charged": amount(r.ChargedMinor), "RefundedAmount": amount(r.RefundedMinor)})
	}
	return text
}

// ---- creating codes ----

// promoCodeForm is the dialog that makes codes: one custom code, or N
// generated ones.
type promoCodeForm struct {
	generated bool
	code      *widget.Entry
	quantity  *widget.Entry
	length    *widget.Entry
	kind      *widget.RadioGroup
	kinds     *options[app.DiscountKind] // kind's choices
	value     *widget.Entry
	usage     *widget.Select
	usageN    *widget.Entry
	perAtt    *widget.Entry
	from      *widget.Entry
	until     *widget.Entry
	applies   *widget.RadioGroup
	scopes    *options[bool] // applies' choices: to every session?
	sessions  *sessionPicker
	// One code per recipient of an imported list (generated codes only).
	perRecipient *widget.Check
	recipFile    *widget.Button
	recipInfo    *widget.Label
	recipients   []app.PromoRecipient
	msg          *widget.Label
	dlg          dialog.Dialog
	submit       *widget.Button
}

const dateLayout = "2006-01-02"

func (s *promoScreen) onGenerate() { s.openForm(true) }
func (s *promoScreen) onCustom()   { s.openForm(false) }

func (s *promoScreen) openForm(generated bool) {
	f := &promoCodeForm{generated: generated}
	s.form = f
	loc := s.location()
	today := time.Now().In(loc)
	f.code = widget.NewEntry()
	f.quantity = widget.NewEntry()
	f.quantity.SetText("10")
	f.length = widget.NewEntry()
	f.length.SetText("8")
	f.kinds = newOptions(func(k app.DiscountKind) string {
		if k == app.DiscountFixed {
			return T("promo.kind_fixed", map[string]any{"Currency": s.site.Currency})
		}
		return T("promo.kind_percent")
	}, app.DiscountPercent, app.DiscountFixed)
	f.kind = widget.NewRadioGroup(f.kinds.Labels(), nil)
	f.kind.Horizontal = true
	f.kind.Required = true
	f.kind.SetSelected(f.kinds.Label(app.DiscountPercent))
	f.value = widget.NewEntry()
	f.value.SetPlaceHolder("15")
	f.usage = newSelect([]string{T("promo.usage_once"), T("promo.usage_n"), T("promo.usage_unlimited")}, nil)
	f.usage.SetSelectedIndex(0)
	f.usageN = widget.NewEntry()
	f.usageN.SetPlaceHolder("10")
	f.perAtt = widget.NewEntry()
	f.perAtt.SetText("1")
	f.from = widget.NewEntry()
	f.from.SetText(today.Format(dateLayout))
	f.until = widget.NewEntry()
	f.until.SetText(today.AddDate(0, 1, 0).Format(dateLayout))
	f.sessions = newSessionPicker(s.deps, s.win, s.site, nil)
	f.scopes = newOptions(func(all bool) string {
		if all {
			return T("promo.all_sessions")
		}
		return T("promo.chosen_sessions")
	}, true, false)
	f.applies = widget.NewRadioGroup(f.scopes.Labels(), func(choice string) {
		if !f.scopes.ValueOr(choice, true) {
			f.sessions.summary.Show()
			f.sessions.choose.Show()
		} else {
			f.sessions.summary.Hide()
			f.sessions.choose.Hide()
		}
	})
	f.applies.Required = true
	f.applies.SetSelected(f.scopes.Label(true))
	f.msg = widget.NewLabel("")
	f.msg.Wrapping = fyne.TextWrapWord
	f.msg.Importance = widget.DangerImportance
	f.recipInfo = widget.NewLabel("")
	f.recipInfo.Wrapping = fyne.TextWrapWord
	f.recipFile = widget.NewButtonWithIcon(T("promo.import"), theme.FolderOpenIcon(), func() { s.onFormRecipientsFile(f) })
	f.recipFile.Hide()
	f.perRecipient = widget.NewCheck(T("promo.per_recipient"), func(on bool) {
		if on {
			f.recipFile.Show()
			f.quantity.Disable()
			if f.recipients == nil {
				s.onFormRecipientsFile(f)
			}
		} else {
			f.recipFile.Hide()
			f.quantity.Enable()
			f.recipients = nil
			f.recipInfo.SetText("")
		}
	})
	var items []*widget.FormItem
	if generated {
		items = append(items, widget.NewFormItem(T("promo.quantity"), container.NewVBox(f.quantity, f.perRecipient,
			container.NewBorder(nil, nil, nil, f.recipFile, f.recipInfo))), widget.NewFormItem(T("promo.length"), f.length))
	} else {
		items = append(items, widget.NewFormItem(T("promo.code"), f.code))
	}
	items = append(items,
		widget.NewFormItem(T("promo.discount"), container.NewVBox(f.kind, f.value)),
		widget.NewFormItem(T("promo.usage"), container.NewGridWithColumns(2, f.usage, f.usageN)),
		widget.NewFormItem(T("promo.per_attendee"), f.perAtt),
		widget.NewFormItem(T("promo.valid_from"), f.from),
		widget.NewFormItem(T("promo.valid_until"), f.until),
		widget.NewFormItem(T("promo.applies_to"), container.NewVBox(f.applies,
			container.NewBorder(nil, nil, nil, f.sessions.choose, f.sessions.summary))),
	)
	title := T("promo.custom")
	if generated {
		title = T("promo.generate")
	}
	f.submit = widget.NewButton(title, func() { s.onSubmitForm(f) })
	f.submit.Importance = widget.HighImportance
	cancel := widget.NewButton(T("dialog.cancel"), func() { f.dlg.Hide() })
	body := container.NewVBox(widget.NewForm(items...), f.msg, container.NewHBox(cancel, f.submit))
	f.dlg = dialog.NewCustomWithoutButtons(title, body, s.win)
	f.dlg.Resize(fyne.NewSize(560, 560))
	f.dlg.Show()
}

func (s *promoScreen) location() *time.Location {
	if loc, err := time.LoadLocation(s.site.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// parseDay reads a date (YYYY-MM-DD) as the start of that day in the
// site's time zone.
func (s *promoScreen) parseDay(text string) (time.Time, error) {
	d, err := time.ParseInLocation(dateLayout, strings.TrimSpace(text), s.location())
	if err != nil {
		return time.Time{}, app.Errorf(app.EINVALID, "error.promo.date", "write a date as YYYY-MM-DD")
	}
	return d, nil
}

func positiveInt(text, key string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 1 {
		return 0, app.Errorf(app.EINVALID, key, "enter a whole number above zero")
	}
	return n, nil
}

// read turns the form into a code (without its text for a generated one).
func (s *promoScreen) read(f *promoCodeForm) (app.PromoCode, error) {
	c := app.PromoCode{Code: f.code.Text, AllSessions: f.scopes.ValueOr(f.applies.Selected, true)}
	if f.kinds.ValueOr(f.kind.Selected, app.DiscountPercent) == app.DiscountPercent {
		bp, err := app.ParsePercentBP(f.value.Text, Language())
		if err != nil {
			return c, err
		}
		c.Kind, c.PercentBP = app.DiscountPercent, bp
	} else {
		a, err := money.ParsePositive(f.value.Text, s.site.Currency, Language())
		if err != nil {
			return c, err
		}
		if c.FixedMinor, err = money.ToMinor(a); err != nil {
			return c, app.Errorf(app.EINVALID, "error.promo.fixed", "a fixed discount is above zero")
		}
		c.Kind = app.DiscountFixed
	}
	switch f.usage.SelectedIndex() {
	case 0:
		c.UseLimit = 1
	case 1:
		n, err := positiveInt(f.usageN.Text, "error.promo.use_limit_n")
		if err != nil {
			return c, err
		}
		c.UseLimit = n
	default:
		c.UseLimit = 0
	}
	per, err := positiveInt(f.perAtt.Text, "error.promo.per_attendee")
	if err != nil {
		return c, err
	}
	c.PerAttendeeLimit = per
	if c.ValidFrom, err = s.parseDay(f.from.Text); err != nil {
		return c, err
	}
	last, err := s.parseDay(f.until.Text)
	if err != nil {
		return c, err
	}
	c.ValidUntil = last.AddDate(0, 0, 1) // valid through the last day
	if !c.AllSessions {
		if c.SessionIDs = f.sessions.ids(); len(c.SessionIDs) == 0 {
			return c, app.Errorf(app.EINVALID, "error.promo.sessions_required", "choose at least one session, or all sessions")
		}
	}
	return c, nil
}

func (s *promoScreen) onSubmitForm(f *promoCodeForm) {
	f.msg.SetText("")
	c, err := s.read(f)
	if err != nil {
		f.msg.SetText(ErrorText(err))
		return
	}
	if f.generated && f.perRecipient.Checked && len(f.recipients) == 0 {
		f.msg.SetText(T("error.promo.no_recipients"))
		return
	}
	// The service says what is wrong with a quantity or length.
	n, _ := strconv.Atoi(strings.TrimSpace(f.quantity.Text))
	length, _ := strconv.Atoi(strings.TrimSpace(f.length.Text))
	f.submit.Disable()
	s.deps.run(func() {
		ctx := context.Background()
		var made int
		var err error
		var batch []int64
		if f.generated && f.perRecipient.Checked {
			var codes []app.PromoCode
			codes, err = s.deps.Promo.GenerateForRecipients(ctx, c, length, f.recipients)
			made = len(codes)
			for _, c := range codes {
				batch = append(batch, c.ID)
			}
		} else if f.generated {
			var codes []app.PromoCode
			codes, err = s.deps.Promo.GenerateCodes(ctx, c, n, length)
			made = len(codes)
		} else {
			_, err = s.deps.Promo.CreateCode(ctx, c)
			made = 1
		}
		fyne.Do(func() {
			f.submit.Enable()
			if err != nil {
				f.msg.SetText(ErrorText(err))
				return
			}
			f.dlg.Hide()
			if batch != nil {
				// The batch is shown by its newest code, with the
				// button that sends every code to its recipient.
				s.batch, s.selected = batch, batch[len(batch)-1]
				s.done(T("promo.created_per_recipient", map[string]any{"Number": made}))
			} else {
				s.done(T("promo.created", map[string]any{"Number": made}))
			}
			s.reload()
		})
	})
}

// ---- editing ----

func (s *promoScreen) update(change func(u *app.PromoCodeUpdate) error, okKey string) {
	c, ok := s.current()
	if !ok {
		return
	}
	u := app.PromoCodeUpdate{UseLimit: c.UseLimit, PerAttendeeLimit: c.PerAttendeeLimit, ValidUntil: c.ValidUntil,
		Disabled: c.Disabled, AllSessions: c.AllSessions, SessionIDs: c.SessionIDs}
	if err := change(&u); err != nil {
		s.failed(err)
		return
	}
	s.deps.run(func() {
		err := s.deps.Promo.UpdateCode(context.Background(), c.ID, u)
		fyne.Do(func() {
			if err != nil {
				s.failed(err)
				return
			}
			s.done(T(okKey, map[string]any{"Code": c.Code}))
			s.reload()
		})
	})
}

// onEditLimits asks for the use limit (0 for unlimited) and the
// per-attendee limit.
func (s *promoScreen) onEditLimits() {
	c, ok := s.current()
	if !ok {
		return
	}
	limit, per := widget.NewEntry(), widget.NewEntry()
	limit.SetText(strconv.Itoa(c.UseLimit))
	per.SetText(strconv.Itoa(c.PerAttendeeLimit))
	dialog.ShowForm(T("promo.edit_limits"), T("admin.save"), T("dialog.cancel"), []*widget.FormItem{
		widget.NewFormItem(T("promo.use_limit_field"), limit),
		widget.NewFormItem(T("promo.per_attendee"), per),
	}, func(ok bool) {
		if !ok {
			return
		}
		s.applyLimits(limit.Text, per.Text)
	}, s.win)
}

// applyLimits saves limits typed as text (0 or empty: unlimited).
func (s *promoScreen) applyLimits(limitText, perText string) {
	s.update(func(u *app.PromoCodeUpdate) error {
		limitText = strings.TrimSpace(limitText)
		n := 0
		if limitText != "" {
			var err error
			if n, err = strconv.Atoi(limitText); err != nil || n < 0 {
				return app.Errorf(app.EINVALID, "error.promo.use_limit_n", "enter a whole number above zero")
			}
		}
		per, err := positiveInt(perText, "error.promo.per_attendee")
		if err != nil {
			return err
		}
		u.UseLimit, u.PerAttendeeLimit = n, per
		return nil
	}, "promo.saved")
}

func (s *promoScreen) onExtend() {
	c, ok := s.current()
	if !ok {
		return
	}
	until := widget.NewEntry()
	until.SetText(c.ValidUntil.In(s.location()).AddDate(0, 1, -1).Format(dateLayout))
	dialog.ShowForm(T("promo.extend"), T("admin.save"), T("dialog.cancel"), []*widget.FormItem{
		widget.NewFormItem(T("promo.valid_until"), until),
	}, func(ok bool) {
		if ok {
			s.applyExpiry(until.Text)
		}
	}, s.win)
}

// applyExpiry makes a code valid through the given day.
func (s *promoScreen) applyExpiry(day string) {
	s.update(func(u *app.PromoCodeUpdate) error {
		last, err := s.parseDay(day)
		if err != nil {
			return err
		}
		u.ValidUntil = last.AddDate(0, 0, 1)
		return nil
	}, "promo.saved")
}

// onEditSessions changes the sessions a code applies to, in the session
// picker; choosing none makes it apply to all paid sessions again.
func (s *promoScreen) onEditSessions() {
	c, ok := s.current()
	if !ok {
		return
	}
	if s.deps.Sessions == nil {
		s.failed(app.Errorf(app.EUNAVAILABLE, "error.promo.no_sessions", "paid sessions are not available"))
		return
	}
	var chosen []app.PromoSession
	if !c.AllSessions {
		var err error
		if chosen, err = s.deps.Promo.SessionTopics(context.Background(), c.SessionIDs); err != nil {
			s.failed(err)
			return
		}
	}
	p := newSessionPicker(s.deps, s.win, s.site, chosen)
	s.picker = p
	p.applied = func() {
		ids := p.ids()
		s.update(func(u *app.PromoCodeUpdate) error {
			u.AllSessions, u.SessionIDs = len(ids) == 0, ids
			return nil
		}, "promo.saved")
	}
	p.open()
}

func (s *promoScreen) onToggleDisabled() {
	c, ok := s.current()
	if !ok {
		return
	}
	key := "promo.disabled_done"
	if c.Disabled {
		key = "promo.enabled_done"
	}
	s.update(func(u *app.PromoCodeUpdate) error { u.Disabled = !c.Disabled; return nil }, key)
}

func (s *promoScreen) onDelete() {
	c, ok := s.current()
	if !ok {
		return
	}
	d := dialog.NewConfirm(T("promo.delete"), T("promo.delete_confirm", map[string]any{"Code": c.Code}), func(yes bool) {
		if !yes {
			return
		}
		s.deps.run(func() {
			err := s.deps.Promo.DeleteCode(context.Background(), c.ID)
			fyne.Do(func() {
				if err != nil {
					s.failed(err)
					return
				}
				s.selected = 0
				s.done(T("promo.deleted", map[string]any{"Code": c.Code}))
				s.reload()
			})
		})
	}, s.win)
	d.SetConfirmText(T("promo.delete"))
	d.SetDismissText(T("dialog.cancel"))
	d.Show()
}

// ---- recipients ----

func (s *promoScreen) onAddRecipient() {
	c, ok := s.current()
	if !ok {
		return
	}
	email, name := s.email.Text, s.name.Text
	s.deps.run(func() {
		err := s.deps.Promo.AddRecipient(context.Background(), c.ID, email, name)
		fyne.Do(func() {
			if err != nil {
				s.failed(err)
				return
			}
			s.email.SetText("")
			s.name.SetText("")
			s.done(T("promo.recipient_added"))
			s.showDetail()
		})
	})
}

func (s *promoScreen) onImport() {
	openFile(s.win, []fileKind{kindCSV, kindText}, func(r fyne.URIReadCloser, err error) {
		if err != nil {
			s.failed(err)
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		s.previewImport(r)
	})
}

// previewImport parses a file and shows what would be imported and every
// bad line, before anything is stored.
func (s *promoScreen) previewImport(r io.Reader) {
	c, ok := s.current()
	if !ok {
		return
	}
	imp, err := app.ParseRecipients(r)
	if err != nil {
		s.failed(err)
		return
	}
	lines := make([]string, 0, len(imp.Bad))
	for _, b := range imp.Bad {
		data := map[string]any{"Line": b.Line, "Reason": T(b.Reason, map[string]any{"Line": b.DuplicateOf, "Max": 100}), "Text": b.Text}
		lines = append(lines, T("promo.bad_line", data))
	}
	badList := widget.NewList(func() int { return len(lines) },
		func() fyne.CanvasObject {
			return newCellLabel("")
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*cellLabel).SetText(lines[id]) })
	summary := widget.NewLabel(T("promo.import_summary", map[string]any{"Good": len(imp.Recipients), "Bad": len(imp.Bad)}))
	summary.Wrapping = fyne.TextWrapWord
	content := container.NewBorder(summary, nil, nil, nil, badList)
	d := dialog.NewCustomConfirm(T("promo.import_preview"), T("promo.import_do", map[string]any{"Good": len(imp.Recipients)}),
		T("dialog.cancel"), content, func(yes bool) {
			if !yes || len(imp.Recipients) == 0 {
				return
			}
			s.deps.run(func() {
				n, err := s.deps.Promo.ImportRecipients(context.Background(), c.ID, imp)
				fyne.Do(func() {
					if err != nil {
						s.failed(err)
						return
					}
					s.done(T("promo.imported", map[string]any{"Number": n}))
					s.showDetail()
				})
			})
		}, s.win)
	d.Resize(fyne.NewSize(620, 420))
	s.preview = &importPreview{imp: imp, lines: lines, dlg: d}
	d.Show()
}

// onFormRecipientsFile asks for the list that "one code per recipient"
// generates codes for.
func (s *promoScreen) onFormRecipientsFile(f *promoCodeForm) {
	openFile(s.win, []fileKind{kindCSV, kindText}, func(r fyne.URIReadCloser, err error) {
		if err != nil {
			f.msg.SetText(ErrorText(err))
			return
		}
		if r == nil {
			if f.recipients == nil {
				f.perRecipient.SetChecked(false)
			}
			return
		}
		defer r.Close()
		s.formRecipients(f, r)
	})
}

// formRecipients reads the list: N, the number of codes, is the number of
// good lines; the bad ones are counted and the first is named.
func (s *promoScreen) formRecipients(f *promoCodeForm, r io.Reader) {
	imp, err := app.ParseRecipients(r)
	if err != nil {
		f.msg.SetText(ErrorText(err))
		return
	}
	f.recipients = imp.Recipients
	f.quantity.SetText(strconv.Itoa(len(imp.Recipients)))
	info := T("promo.per_recipient_info", map[string]any{"Number": len(imp.Recipients), "Bad": len(imp.Bad)})
	if len(imp.Bad) > 0 {
		b := imp.Bad[0]
		info += " " + T("promo.bad_line", map[string]any{"Line": b.Line,
			"Reason": T(b.Reason, map[string]any{"Line": b.DuplicateOf, "Max": 100}), "Text": b.Text})
	}
	f.recipInfo.SetText(info)
}

// importPreview is the open preview, for tests.
type importPreview struct {
	imp   app.RecipientImport
	lines []string
	dlg   *dialog.ConfirmDialog
}

// ---- sending ----

func (s *promoScreen) onSend() {
	c, ok := s.current()
	if !ok {
		return
	}
	s.runSend([]int64{c.ID})
}

// onSendBatch sends every code of the batch generated one per recipient.
func (s *promoScreen) onSendBatch() { s.runSend(s.batch) }

// runSend sends codes' messages off the UI thread with progress and Cancel.
func (s *promoScreen) runSend(codeIDs []int64) {
	lang := "en"
	if s.sendLang.SelectedIndex() == 1 {
		lang = "pl"
	}
	ctx, stop := context.WithCancel(context.Background())
	s.stopSend = stop
	s.send.Disable()
	s.sendBatch.Disable()
	s.cancelSend.Enable()
	s.cancelSend.Show()
	s.progress.SetValue(0)
	s.progress.Show()
	s.sendStatus.SetText(T("promo.sending_now"))
	s.deps.run(func() {
		rep, err := s.deps.Promo.SendCodes(ctx, codeIDs, lang, func(p app.SendProgress) {
			fyne.Do(func() {
				if p.Total > 0 {
					s.progress.SetValue(float64(p.Done) / float64(p.Total))
				}
				s.sendStatus.SetText(T("promo.send_progress", map[string]any{"Done": p.Done, "Total": p.Total,
					"Sent": p.Sent, "Failed": p.Failed}))
			})
		})
		fyne.Do(func() {
			stop()
			s.stopSend = nil
			s.send.Enable()
			s.sendBatch.Enable()
			s.cancelSend.Hide()
			s.progress.Hide()
			switch {
			case errors.Is(err, context.Canceled):
				s.sendStatus.SetText(T("promo.send_cancelled", map[string]any{"Sent": rep.Sent, "Failed": rep.Failed,
					"Left": rep.Total - rep.Sent - rep.Failed}))
			case err != nil:
				s.sendStatus.SetText(T("promo.send_stopped", map[string]any{"Sent": rep.Sent, "Failed": rep.Failed,
					"Reason": ErrorText(err)}))
			default:
				s.sendStatus.SetText(T("promo.send_done", map[string]any{"Sent": rep.Sent, "Failed": rep.Failed}))
			}
			s.showDetail()
		})
	})
}

// onCancelSend stops the running send after the message in flight; Send
// again resumes with the unsent ones.
func (s *promoScreen) onCancelSend() {
	if s.stopSend == nil {
		return
	}
	s.cancelSend.Disable()
	s.sendStatus.SetText(T("promo.send_cancelling"))
	s.stopSend()
}

// ---- exports ----

// save asks for a file and writes what write produces into it.
func (s *promoScreen) save(name string, write func(io.Writer) error) {
	saveFile(s.win, name, []fileKind{kindCSV}, func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.failed(err)
			return
		}
		if w == nil {
			return
		}
		defer w.Close()
		if err := write(w); err != nil {
			s.failed(err)
			return
		}
		s.done(T("promo.exported", map[string]any{"File": w.URI().Name()}))
	})
}

func (s *promoScreen) onExportCodes() { s.save("promo-codes.csv", s.writeCodes) }

func (s *promoScreen) writeCodes(w io.Writer) error {
	codes, err := s.deps.Promo.Codes(context.Background())
	if err != nil {
		return err
	}
	return app.WritePromoCodesCSV(w, codes, s.site.TimeZone)
}

func (s *promoScreen) onExportReport() { s.save("promo-report.csv", s.writeReport) }

func (s *promoScreen) writeReport(w io.Writer) error {
	reps, err := s.deps.Promo.Reports(context.Background(), 0)
	if err != nil {
		return err
	}
	return app.WritePromoReportsCSV(w, reps)
}

func (s *promoScreen) onExportRecipients() {
	c, ok := s.current()
	if !ok {
		return
	}
	s.save(strings.ToLower(c.Code)+"-recipients.csv", func(w io.Writer) error { return s.writeRecipients(w, c.ID) })
}

func (s *promoScreen) writeRecipients(w io.Writer, codeID int64) error {
	rs, err := s.deps.Promo.Recipients(context.Background(), codeID)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	if c, ok := s.current(); ok {
		names[c.ID] = c.Code
	}
	var b bytes.Buffer
	if err := app.WritePromoRecipientsCSV(&b, rs, names); err != nil {
		return err
	}
	_, err = w.Write(b.Bytes())
	return err
}
