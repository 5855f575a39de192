package ui

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

// promoCodeEditor is what the selected code's pane reads and changes.
type promoCodeEditor interface {
	Code(ctx context.Context, id int64) (app.PromoCode, error)
	UpdateCode(ctx context.Context, id int64, u app.PromoCodeUpdate) error
	SetDisabled(ctx context.Context, id int64, disabled bool) error
	ExtendExpiry(ctx context.Context, id int64, until time.Time) error
	DeleteCode(ctx context.Context, id int64) error
	AddRecipient(ctx context.Context, codeID int64, email, name string) error
	ImportRecipients(ctx context.Context, codeID int64, imp app.RecipientImport) (int, error)
	Recipients(ctx context.Context, codeID int64) ([]app.PromoRecipient, error)
	Reports(ctx context.Context, codeID int64) ([]app.PromoReport, error)
	SessionTopics(ctx context.Context, ids []int64) ([]app.PromoSession, error)
}

// promoDetail is the selected code's pane: its summary, limits, expiry,
// sessions, recipients and report.
type promoDetail struct {
	scr *promoScreen
	svc promoCodeEditor

	detail       *fyne.Container
	detailScroll *container.Scroll // lays detail out (showIn)
	info         *widget.Label
	report       *widget.Label
	reportNote   *widget.Label
	sessions     *widgets.Button
	recipErrs    map[string]*widget.Label // under the recipient's email and name
	edit         *widgets.Button
	extend       *widgets.Button
	disable      *widgets.Button
	remove       *widgets.Button
	recipients   []app.PromoRecipient
	recipList    *widget.List
	email        *widgets.Entry
	name         *widgets.Entry
	add          *widgets.Button
	importBtn    *widgets.Button
	exportRcpt   *widgets.Button

	preview *importPreview // the open import preview, for tests
	picker  *sessionPicker // the open session picker, for tests
}

func (s *promoDetail) buildDetail() {
	s.info = widget.NewLabel("")
	s.info.Wrapping = fyne.TextWrapWord
	s.report = widget.NewLabel("")
	s.report.Wrapping = fyne.TextWrapWord
	s.reportNote = widget.NewLabel(T("promo.report_revenue_note"))
	s.reportNote.Wrapping = fyne.TextWrapWord
	s.reportNote.Importance = widget.LowImportance
	s.sessions = widgets.NewButton(T("promo.edit_sessions"), s.onEditSessions)
	s.edit = widgets.NewButton(T("promo.edit_limits"), s.onEditLimits)
	s.extend = widgets.NewButton(T("promo.extend"), s.onExtend)
	s.disable = widgets.NewButton(T("promo.disable"), s.onToggleDisabled)
	s.remove = widgets.NewButtonWithIcon(T("promo.delete"), theme.DeleteIcon(), s.onDelete)
	s.email = widgets.NewEntry()
	s.email.SetPlaceHolder(T("promo.recipient_email"))
	s.name = widgets.NewEntry()
	s.name.SetPlaceHolder(T("promo.recipient_name"))
	s.add = widgets.NewButton(T("promo.add_recipient"), s.onAddRecipient)
	// A refusal of the recipient is said under the entry it is about.
	s.recipErrs = map[string]*widget.Label{
		app.FieldRecipientEmail: newFieldMessage(), string(app.FieldRecipientName): newFieldMessage(),
	}
	s.importBtn = widgets.NewButtonWithIcon(T("promo.import"), theme.FolderOpenIcon(), s.onImport)
	s.exportRcpt = widgets.NewButtonWithIcon(T("promo.export_recipients"), theme.DocumentSaveIcon(), s.scr.onExportRecipients)
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
	heading := func(key string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	recips := container.NewGridWrap(fyne.NewSize(460, 180), s.recipList)
	s.detail = container.NewVBox(
		s.info, container.NewHBox(s.edit, s.extend, s.sessions, s.disable, s.remove), widget.NewSeparator(),
		heading("promo.recipients"),
		container.NewBorder(nil, nil, nil, s.add, container.NewGridWithColumns(2,
			withMessage(s.email, s.recipErrs[app.FieldRecipientEmail]),
			withMessage(s.name, s.recipErrs[string(app.FieldRecipientName)]))),
		container.NewHBox(s.importBtn, s.exportRcpt), recips, widget.NewSeparator(),
		heading("promo.sending"),
		s.scr.buildSend(), widget.NewSeparator(),
		heading("promo.report"), s.report, s.reportNote,
	)
	s.detail.Hide()
}

func (s *promoDetail) recipientLine(r app.PromoRecipient) string {
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
func (s *promoDetail) showDetail() {
	id := s.scr.selected
	if id == 0 {
		s.scr.code = nil
		s.detail.Hide()
		return
	}
	s.scr.deps.run(func() {
		c, err := s.svc.Code(context.Background(), id)
		fyne.Do(func() {
			if id != s.scr.selected {
				return
			}
			if err != nil {
				s.scr.code = nil
				s.detail.Hide()
				if app.ErrorCode(err) != app.ENOTFOUND {
					s.scr.failed(err)
				}
				return
			}
			s.scr.code = &c
			s.showCode(c)
		})
	})
}

// showCode fills the pane with c and reads its recipients, report and
// sessions' topics off the UI thread.
func (s *promoDetail) showCode(c app.PromoCode) {
	s.info.SetText(s.detailText(c, nil))
	s.scr.showBatch(c.ID)
	if c.Disabled {
		s.disable.SetText(T("promo.enable"))
	} else {
		s.disable.SetText(T("promo.disable"))
	}
	showIn(s.detail, s.detailScroll)
	id := c.ID
	s.scr.deps.run(func() {
		ctx := context.Background()
		rs, err := s.svc.Recipients(ctx, id)
		var rep []app.PromoReport
		if err == nil {
			rep, err = s.svc.Reports(ctx, id)
		}
		var topics []app.PromoSession
		if err == nil && !c.AllSessions {
			topics, err = s.svc.SessionTopics(ctx, c.SessionIDs)
		}
		fyne.Do(func() {
			if err != nil {
				s.scr.failed(err)
				return
			}
			if id != s.scr.selected {
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
func (s *promoDetail) detailText(c app.PromoCode, topics []app.PromoSession) string {
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
	return T(key, map[string]any{
		"Code": c.Code, "Discount": c.DiscountText(lang), "Uses": c.Uses,
		"Limit": c.UseLimit, "PerAttendee": c.PerAttendeeLimit, "Until": app.ExpiryText(c, s.scr.site.TimeZone, lang),
		"Applies": applies,
	})
}

// reportText words a code's report; reportNote says what revenue means.
func (s *promoDetail) reportText(r app.PromoReport) string {
	amount := func(minor int64) string {
		a, err := money.FromMinor(minor, r.Currency)
		if err != nil {
			return strconv.FormatInt(minor, 10)
		}
		return money.Format(a, Language())
	}
	text := T("promo.report_text", map[string]any{
		"Recipients": r.Recipients, "Sent": r.Sent, "Uses": r.Uses,
		"Attendees": r.Attendees, "Revenue": amount(r.RevenueMinor), "Discount": amount(r.DiscountMinor),
	})
	if r.RefundedUses > 0 {
		text += " " + T("promo.report_refunds", map[string]any{
			"Refunded": r.RefundedUses,
			"Charged":  amount(r.ChargedMinor), "RefundedAmount": amount(r.RefundedMinor),
		})
	}
	return text
}

func (s *promoDetail) update(change func(u *app.PromoCodeUpdate) error, okKey string) {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	u := app.PromoCodeUpdate{
		UseLimit: c.UseLimit, PerAttendeeLimit: c.PerAttendeeLimit, ValidUntil: c.ValidUntil,
		Disabled: c.Disabled, AllSessions: c.AllSessions, SessionIDs: c.SessionIDs,
	}
	if err := change(&u); err != nil {
		s.scr.failed(err)
		return
	}
	s.scr.deps.run(func() {
		err := s.svc.UpdateCode(context.Background(), c.ID, u)
		fyne.Do(func() {
			if err != nil {
				s.scr.failed(err)
				return
			}
			s.scr.done(T(okKey, map[string]any{"Code": c.Code}))
			s.scr.reload()
		})
	})
}

// onEditLimits asks for the use limit (0 for unlimited) and the
// per-attendee limit.
func (s *promoDetail) onEditLimits() {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	limit, per := widgets.NewEntry(), widgets.NewEntry()
	limit.SetText(strconv.Itoa(c.UseLimit))
	per.SetText(strconv.Itoa(c.PerAttendeeLimit))
	widgets.ShowForm(T("promo.edit_limits"), T("admin.save"), T("dialog.cancel"), []*widget.FormItem{
		widget.NewFormItem(T("promo.use_limit_field"), limit),
		widget.NewFormItem(T("promo.per_attendee"), per),
	}, func(ok bool) {
		if !ok {
			return
		}
		s.applyLimits(limit.Text, per.Text)
	}, s.scr.win)
}

// applyLimits saves limits typed as text (0 or empty: unlimited).
func (s *promoDetail) applyLimits(limitText, perText string) {
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

func (s *promoDetail) onExtend() {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	until := widgets.NewEntry()
	until.SetText(c.ValidUntil.In(s.scr.location()).AddDate(0, 1, -1).Format(dateLayout))
	widgets.ShowForm(T("promo.extend"), T("admin.save"), T("dialog.cancel"), []*widget.FormItem{
		widget.NewFormItem(T("promo.valid_until"), until),
	}, func(ok bool) {
		if ok {
			s.applyExpiry(until.Text)
		}
	}, s.scr.win)
}

// applyExpiry makes a code valid through the given day.
func (s *promoDetail) applyExpiry(day string) {
	s.update(func(u *app.PromoCodeUpdate) error {
		last, err := s.scr.parseDay(day)
		if err != nil {
			return err
		}
		u.ValidUntil = last.AddDate(0, 0, 1)
		return nil
	}, "promo.saved")
}

// onEditSessions changes the sessions a code applies to, in the session
// picker; choosing none makes it apply to all paid sessions again.
func (s *promoDetail) onEditSessions() {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	if s.scr.deps.Sessions == nil {
		s.scr.failed(app.Errorf(app.EUNAVAILABLE, "error.promo.no_sessions", "paid sessions are not available"))
		return
	}
	var chosen []app.PromoSession
	if !c.AllSessions {
		var err error
		if chosen, err = s.svc.SessionTopics(context.Background(), c.SessionIDs); err != nil {
			s.scr.failed(err)
			return
		}
	}
	p := newSessionPicker(s.scr.deps, s.scr.win, s.scr.site, chosen)
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

func (s *promoDetail) onToggleDisabled() {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	key := "promo.disabled_done"
	if c.Disabled {
		key = "promo.enabled_done"
	}
	s.update(func(u *app.PromoCodeUpdate) error { u.Disabled = !c.Disabled; return nil }, key)
}

func (s *promoDetail) onDelete() {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	d := widgets.NewConfirm(T("promo.delete"), T("promo.delete_confirm", map[string]any{"Code": c.Code}), func(yes bool) {
		if !yes {
			return
		}
		s.scr.deps.run(func() {
			err := s.svc.DeleteCode(context.Background(), c.ID)
			fyne.Do(func() {
				if err != nil {
					s.scr.failed(err)
					return
				}
				s.scr.selected = 0
				s.scr.done(T("promo.deleted", map[string]any{"Code": c.Code}))
				s.scr.reload()
			})
		})
	}, s.scr.win)
	d.SetConfirmText(T("promo.delete"))
	d.SetDismissText(T("dialog.cancel"))
	d.Show()
}

func (s *promoDetail) onAddRecipient() {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	email, name := s.email.Text, s.name.Text
	for _, l := range s.recipErrs {
		setFieldMessage(l, "")
	}
	s.scr.status.SetText("") // the last action's message is not this one's
	s.scr.deps.run(func() {
		err := s.svc.AddRecipient(context.Background(), c.ID, email, name)
		fyne.Do(func() {
			if l, ok := s.recipErrs[fieldOf(err)]; ok && err != nil {
				setFieldMessage(l, ErrorText(err))
				return
			}
			if err != nil {
				s.scr.failed(err)
				return
			}
			s.email.SetText("")
			s.name.SetText("")
			s.scr.done(T("promo.recipient_added"))
			s.showDetail()
		})
	})
}

func (s *promoDetail) onImport() {
	openFile(s.scr.win, []fileKind{kindCSV, kindText}, func(r fyne.URIReadCloser, err error) {
		if err != nil {
			s.scr.failed(err)
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
func (s *promoDetail) previewImport(r io.Reader) {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	imp, err := app.ParseRecipients(r)
	if err != nil {
		s.scr.failed(err)
		return
	}
	lines := make([]string, 0, len(imp.Bad))
	for _, b := range imp.Bad {
		data := map[string]any{"Line": b.Line, "Reason": T(b.Reason, map[string]any{"Line": b.DuplicateOf, "Max": 100}), "Text": b.Text}
		lines = append(lines, T("promo.bad_line", data))
	}
	badList := widgets.NewList(func() int { return len(lines) },
		func() fyne.CanvasObject {
			return newCellLabel("")
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*cellLabel).SetText(lines[id]) })
	summary := widget.NewLabel(T("promo.import_summary", map[string]any{"Good": len(imp.Recipients), "Bad": len(imp.Bad)}))
	summary.Wrapping = fyne.TextWrapWord
	content := container.NewBorder(summary, nil, nil, nil, badList)
	d := widgets.NewCustomConfirm(T("promo.import_preview"), T("promo.import_do", map[string]any{"Good": len(imp.Recipients)}),
		T("dialog.cancel"), content, func(yes bool) {
			if !yes || len(imp.Recipients) == 0 {
				return
			}
			s.scr.deps.run(func() {
				n, err := s.svc.ImportRecipients(context.Background(), c.ID, imp)
				fyne.Do(func() {
					if err != nil {
						s.scr.failed(err)
						return
					}
					s.scr.done(T("promo.imported", map[string]any{"Number": n}))
					s.showDetail()
				})
			})
		}, s.scr.win)
	d.Resize(fyne.NewSize(620, 420))
	s.preview = &importPreview{imp: imp, lines: lines, dlg: d}
	d.Show()
}

// importPreview is the open preview, for tests.
type importPreview struct {
	imp   app.RecipientImport
	lines []string
	dlg   *widgets.Dialog
}
