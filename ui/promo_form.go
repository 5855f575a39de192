package ui

import (
	"context"
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

// promoCodeMaker is what making codes needs.
type promoCodeMaker interface {
	CreateCode(ctx context.Context, c app.PromoCode) (app.PromoCode, error)
	GenerateCodes(ctx context.Context, proto app.PromoCode, n, length int) ([]app.PromoCode, error)
	GenerateForRecipients(ctx context.Context, proto app.PromoCode, length int, rs []app.PromoRecipient) ([]app.PromoCode, error)
}

// promoMaker opens the dialog that makes codes and makes them.
type promoMaker struct {
	scr *promoScreen
	svc promoCodeMaker

	form *promoCodeForm // the open create/generate dialog, for tests
}

// promoCodeForm is the dialog that makes codes: one custom code, or N
// generated ones.
type promoCodeForm struct {
	generated bool
	code      *widgets.Entry
	quantity  *widgets.Entry
	length    *widgets.Entry
	kind      *widgets.RadioGroup
	kinds     *options[app.DiscountKind] // kind's choices
	value     *widgets.Entry
	usage     *widgets.Select
	usageN    *widgets.Entry
	perAtt    *widgets.Entry
	from      *widgets.Entry
	until     *widgets.Entry
	applies   *widgets.RadioGroup
	scopes    *options[bool] // applies' choices: to every session?
	sessions  *sessionPicker
	// One code per recipient of an imported list (generated codes only).
	perRecipient *widgets.Check
	recipFile    *widgets.Button
	recipInfo    *widget.Label
	recipients   []app.PromoRecipient
	msg          *widget.Label // a refusal that names no field
	// errs are the fields' message lines, by app.PromoField*.
	errs   map[string]*widget.Label
	dlg    *widgets.Dialog
	submit *widgets.Button
}

const dateLayout = "2006-01-02"

func (s *promoMaker) onGenerate() { s.openForm(true) }

func (s *promoMaker) onCustom() { s.openForm(false) }

func (s *promoMaker) openForm(generated bool) {
	f := &promoCodeForm{generated: generated, errs: map[string]*widget.Label{}}
	// withErr is a field with its message line, whose room is kept from
	// the start: a refusal appearing moves nothing.
	withErr := func(field string, o fyne.CanvasObject) fyne.CanvasObject {
		l := newFieldMessage()
		f.errs[field] = l
		return withMessage(o, l)
	}
	s.form = f
	loc := s.scr.location()
	today := time.Now().In(loc)
	f.code = widgets.NewEntry()
	f.quantity = widgets.NewEntry()
	f.quantity.SetText("10")
	f.length = widgets.NewEntry()
	f.length.SetText("8")
	f.kinds = newOptions(func(k app.DiscountKind) string {
		if k == app.DiscountFixed {
			return T("promo.kind_fixed", map[string]any{"Currency": s.scr.site.Currency})
		}
		return T("promo.kind_percent")
	}, app.DiscountPercent, app.DiscountFixed)
	f.kind = widgets.NewRadioGroup(f.kinds.Labels(), nil)
	f.kind.Horizontal = true
	f.kind.Required = true
	f.kind.SetSelected(f.kinds.Label(app.DiscountPercent))
	f.value = widgets.NewEntry()
	f.value.SetPlaceHolder(example("15"))
	f.usage = newChoice([]string{T("promo.usage_once"), T("promo.usage_n"), T("promo.usage_unlimited")}, nil)
	f.usage.SetSelectedIndex(0)
	f.usageN = widgets.NewEntry()
	f.usageN.SetPlaceHolder(example("10"))
	f.perAtt = widgets.NewEntry()
	f.perAtt.SetText("1")
	f.from = widgets.NewEntry()
	f.from.SetText(today.Format(dateLayout))
	f.until = widgets.NewEntry()
	f.until.SetText(today.AddDate(0, 1, 0).Format(dateLayout))
	f.sessions = newSessionPicker(s.scr.deps, s.scr.win, s.scr.site, nil)
	f.scopes = newOptions(func(all bool) string {
		if all {
			return T("promo.all_sessions")
		}
		return T("promo.chosen_sessions")
	}, true, false)
	// Choosing sessions is disabled, in its place, for a code for every
	// session: the choice moves nothing.
	noSessions := f.sessions.choose.Disabled()
	f.applies = widgets.NewRadioGroup(f.scopes.Labels(), func(choice string) {
		chosen := !f.scopes.ValueOr(choice, true)
		setActive(f.sessions.choose, !noSessions && chosen)
		// The summary says the sessions chosen, or why none can be; its
		// room stays while it is hidden (reserve).
		if chosen || noSessions {
			f.sessions.summary.Show()
		} else {
			f.sessions.summary.Hide()
		}
	})
	f.applies.Required = true
	f.applies.SetSelected(f.scopes.Label(true))
	f.msg = newFieldMessage()
	f.recipInfo = widget.NewLabel("")
	f.recipInfo.Wrapping = fyne.TextWrapWord
	f.recipFile = widgets.NewButtonWithIcon(T("promo.import"), theme.FolderOpenIcon(), func() { s.onFormRecipientsFile(f) })
	f.recipFile.Disable() // in its place, enabled with "one code per recipient"
	f.perRecipient = widgets.NewCheck(T("promo.per_recipient"), func(on bool) {
		if on {
			f.recipFile.Enable()
			f.quantity.Disable()
			if f.recipients == nil {
				s.onFormRecipientsFile(f)
			}
		} else {
			f.recipFile.Disable()
			f.quantity.Enable()
			f.recipients = nil
			f.recipInfo.SetText("")
		}
	})
	var items []*widget.FormItem
	if generated {
		items = append(items, widget.NewFormItem(T("promo.quantity"), container.NewVBox(withErr(app.PromoFieldQuantity, f.quantity), f.perRecipient,
			container.NewBorder(nil, nil, nil, f.recipFile, reserve(fieldMessageLines, f.recipInfo)))), widget.NewFormItem(T("promo.length"), withErr(app.PromoFieldLength, f.length)))
	} else {
		items = append(items, widget.NewFormItem(T("promo.code"), withErr(app.PromoFieldCode, f.code)))
	}
	items = append(items,
		widget.NewFormItem(T("promo.discount"), container.NewVBox(f.kind, withErr(app.PromoFieldValue, f.value))),
		widget.NewFormItem(T("promo.usage"), withErr(app.PromoFieldUseLimit, container.NewGridWithColumns(2, f.usage, f.usageN))),
		widget.NewFormItem(T("promo.per_attendee"), withErr(app.PromoFieldPerAttendee, f.perAtt)),
		widget.NewFormItem(T("promo.valid_from"), withErr(app.PromoFieldValidFrom, f.from)),
		widget.NewFormItem(T("promo.valid_until"), withErr(app.PromoFieldValidUntil, f.until)),
		widget.NewFormItem(T("promo.applies_to"), container.NewVBox(f.applies,
			withErr(app.PromoFieldSessions, container.NewBorder(nil, nil, nil, f.sessions.choose,
				reserve(fieldMessageLines, f.sessions.summary))))),
	)
	f.applies.OnChanged(f.applies.Selected)
	title := T("promo.custom")
	if generated {
		title = T("promo.generate")
	}
	f.submit = widgets.NewButton(title, func() { s.onSubmitForm(f) })
	f.submit.Importance = widget.HighImportance
	cancel := widgets.NewButton(T("dialog.cancel"), func() { f.dlg.Hide() })
	body := container.NewVBox(widget.NewForm(items...), reserve(fieldMessageLines, f.msg), container.NewHBox(cancel, f.submit))
	f.dlg = widgets.NewCustomWithoutButtons(title, body, s.scr.win)
	f.dlg.SetDefault(f.submit)
	f.dlg.SetCancel(cancel)
	f.dlg.Resize(fyne.NewSize(560, 560))
	f.dlg.Show()
}

func positiveInt(text, key string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 1 {
		return 0, app.Errorf(app.EINVALID, key, "enter a whole number above zero")
	}
	return n, nil
}

// read turns the form into a code (without its text for a generated one).
func (s *promoMaker) read(f *promoCodeForm) (app.PromoCode, error) {
	c := app.PromoCode{Code: f.code.Text, AllSessions: f.scopes.ValueOr(f.applies.Selected, true)}
	if f.kinds.ValueOr(f.kind.Selected, app.DiscountPercent) == app.DiscountPercent {
		bp, err := app.ParsePercentBP(f.value.Text, Language())
		if err != nil {
			return c, onField(app.PromoFieldValue, err)
		}
		c.Kind, c.PercentBP = app.DiscountPercent, bp
	} else {
		a, err := money.ParsePositive(f.value.Text, s.scr.site.Currency, Language())
		if err != nil {
			return c, onField(app.PromoFieldValue, err)
		}
		if c.FixedMinor, err = money.ToMinor(a); err != nil {
			return c, app.Errorf(app.EINVALID, "error.promo.fixed", "a fixed discount is above zero").WithField(app.PromoFieldValue)
		}
		c.Kind = app.DiscountFixed
	}
	switch f.usage.SelectedIndex() {
	case 0:
		c.UseLimit = 1
	case 1:
		n, err := positiveInt(f.usageN.Text, "error.promo.use_limit_n")
		if err != nil {
			return c, onField(app.PromoFieldUseLimit, err)
		}
		c.UseLimit = n
	default:
		c.UseLimit = 0
	}
	per, err := positiveInt(f.perAtt.Text, "error.promo.per_attendee")
	if err != nil {
		return c, onField(app.PromoFieldPerAttendee, err)
	}
	c.PerAttendeeLimit = per
	if c.ValidFrom, err = s.scr.parseDay(f.from.Text); err != nil {
		return c, onField(app.PromoFieldValidFrom, err)
	}
	last, err := s.scr.parseDay(f.until.Text)
	if err != nil {
		return c, onField(app.PromoFieldValidUntil, err)
	}
	c.ValidUntil = last.AddDate(0, 0, 1) // valid through the last day
	if !c.AllSessions {
		if c.SessionIDs = f.sessions.ids(); len(c.SessionIDs) == 0 {
			return c, app.Errorf(app.EINVALID, "error.promo.sessions_required", "choose at least one session, or all sessions").
				WithField(app.PromoFieldSessions)
		}
	}
	return c, nil
}

// refused shows err beside the field it names, or under the form when it
// names none; nil clears every message.
func (f *promoCodeForm) refused(err error) {
	for _, l := range f.errs {
		setFieldMessage(l, "")
	}
	setFieldMessage(f.msg, "")
	if err == nil {
		return
	}
	if l, ok := f.errs[fieldOf(err)]; ok {
		setFieldMessage(l, ErrorText(err))
		return
	}
	setFieldMessage(f.msg, ErrorText(err))
}

func (s *promoMaker) onSubmitForm(f *promoCodeForm) {
	f.refused(nil)
	c, err := s.read(f)
	if err != nil {
		f.refused(err)
		return
	}
	if f.generated && f.perRecipient.Checked && len(f.recipients) == 0 {
		f.refused(app.Errorf(app.EINVALID, "error.promo.no_recipients", "import the recipients first").WithField(app.PromoFieldQuantity))
		return
	}
	// The service says what is wrong with a quantity or length.
	n, _ := strconv.Atoi(strings.TrimSpace(f.quantity.Text))
	length, _ := strconv.Atoi(strings.TrimSpace(f.length.Text))
	f.submit.Disable()
	s.scr.deps.run(func() {
		ctx := context.Background()
		var made int
		var err error
		var batch []int64
		if f.generated && f.perRecipient.Checked {
			var codes []app.PromoCode
			codes, err = s.svc.GenerateForRecipients(ctx, c, length, f.recipients)
			made = len(codes)
			for _, c := range codes {
				batch = append(batch, c.ID)
			}
		} else if f.generated {
			var codes []app.PromoCode
			codes, err = s.svc.GenerateCodes(ctx, c, n, length)
			made = len(codes)
		} else {
			_, err = s.svc.CreateCode(ctx, c)
			made = 1
		}
		fyne.Do(func() {
			f.submit.Enable()
			if err != nil {
				f.refused(err)
				return
			}
			f.dlg.Hide()
			if batch != nil {
				// The batch is shown by its newest code, with the
				// button that sends every code to its recipient.
				s.scr.batch, s.scr.selected = batch, batch[len(batch)-1]
				s.scr.done(T("promo.created_per_recipient", map[string]any{"Number": made}))
			} else {
				s.scr.done(T("promo.created", map[string]any{"Number": made}))
			}
			s.scr.reload()
		})
	})
}

// onFormRecipientsFile asks for the list that "one code per recipient"
// generates codes for.
func (s *promoMaker) onFormRecipientsFile(f *promoCodeForm) {
	openFile(s.scr.win, []fileKind{kindCSV, kindText}, func(r fyne.URIReadCloser, err error) {
		if err != nil {
			f.refused(err)
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
func (s *promoMaker) formRecipients(f *promoCodeForm, r io.Reader) {
	imp, err := app.ParseRecipients(r)
	if err != nil {
		f.refused(onField(app.PromoFieldQuantity, err))
		return
	}
	f.recipients = imp.Recipients
	f.quantity.SetText(strconv.Itoa(len(imp.Recipients)))
	info := T("promo.per_recipient_info", map[string]any{"Number": len(imp.Recipients), "Bad": len(imp.Bad)})
	if len(imp.Bad) > 0 {
		b := imp.Bad[0]
		info += " " + T("promo.bad_line", map[string]any{
			"Line":   b.Line,
			"Reason": T(b.Reason, map[string]any{"Line": b.DuplicateOf, "Max": 100}), "Text": b.Text,
		})
	}
	f.recipInfo.SetText(info)
}
