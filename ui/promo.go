package ui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// SectionPromo is the promotional codes section's ID.
const SectionPromo = "promo"

// PromoCodeService is what the UI needs of app.PromoService: the narrow
// interfaces of the promotional codes screen's parts, and the mail
// settings and template the SMTP tab and the template editor use.
type PromoCodeService interface {
	Available(ctx context.Context) error
	promoCodePager
	promoCodeEditor
	promoCodeMaker
	promoMailer
	promoExporter
	SMTPSettings(ctx context.Context) (app.SMTPSettings, error)
	HasSMTPPassword() bool
	SaveSMTPSettings(ctx context.Context, a *app.Admin, s app.SMTPSettings, password string) error
	SendTestMessage(ctx context.Context, a *app.Admin, to string) error
	Template(ctx context.Context, lang string) (app.PromoMailTemplate, error)
	SaveTemplate(ctx context.Context, t app.PromoMailTemplate) error
	ResetTemplate(ctx context.Context, lang string) (app.PromoMailTemplate, error)
	PreviewTemplate(ctx context.Context, t app.PromoMailTemplate, codeID int64) (app.MailMessage, error)
}

// promoExporter is what the screen's CSV exports read.
type promoExporter interface {
	Codes(ctx context.Context) ([]app.PromoCode, error)
	Reports(ctx context.Context, codeID int64) ([]app.PromoReport, error)
	Recipients(ctx context.Context, codeID int64) ([]app.PromoRecipient, error)
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
// expiry, recipients, sending and its report. It holds what its parts
// share (the selected code, the status line, the window) and lays them
// out; each part (promo_list.go, promo_detail.go, promo_send.go,
// promo_form.go) works through its own narrow service interface.
type promoScreen struct {
	deps Deps
	win  fyne.Window
	site app.Site
	root *fyne.Container

	selected int64
	code     *app.PromoCode // the selected code, read by its id; UI thread only
	status   *widget.Label

	generate, custom, exportCodes, exportReport, templateBtn *widgets.Button

	*promoList   // the codes
	*promoDetail // the selected code's pane
	*promoSend   // sending the selected code (or a batch) to its recipients
	*promoMaker  // the dialog that makes codes

	template *templateEditor // the open template editor, for tests
}

func newPromoScreen(deps Deps, w fyne.Window, site app.Site) *promoScreen {
	s := &promoScreen{deps: deps, win: w, site: site, root: container.NewStack()}
	s.promoList = &promoList{scr: s, svc: deps.Promo}
	s.promoDetail = &promoDetail{scr: s, svc: deps.Promo}
	s.promoSend = &promoSend{scr: s, svc: deps.Promo}
	s.promoMaker = &promoMaker{scr: s, svc: deps.Promo}
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
	s.generate = widgets.NewButtonWithIcon(T("promo.generate"), theme.ContentAddIcon(), s.onGenerate)
	s.generate.Importance = widget.HighImportance
	s.custom = widgets.NewButton(T("promo.custom"), s.onCustom)
	s.exportCodes = widgets.NewButtonWithIcon(T("promo.export_codes"), theme.DocumentSaveIcon(), s.onExportCodes)
	s.exportCodes.Tooltip = shortcutTip(shortcutExport)
	s.exportReport = widgets.NewButtonWithIcon(T("promo.export_report"), theme.DocumentSaveIcon(), s.onExportReport)
	s.templateBtn = widgets.NewButtonWithIcon(T("promo.template_edit"), theme.MailComposeIcon(), s.onTemplate)
	s.buildDetail()
	// The actions scroll sideways rather than widen the window (five
	// buttons are wider than the default window, more so in Polish).
	top := container.NewHScroll(container.NewHBox(s.generate, s.custom, s.templateBtn, s.exportCodes, s.exportReport))
	codes := s.buildList()
	s.detailScroll = container.NewVScroll(s.detail)
	split := container.NewHSplit(codes, s.detailScroll)
	split.Offset = 0.5
	s.root.Objects = []fyne.CanvasObject{container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle(T("nav.promo"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), top),
		s.status, nil, nil, split)}
	s.root.Refresh()
}

func (s *promoScreen) failed(err error) {
	s.status.Importance = widget.DangerImportance
	s.status.SetText(sentence(ErrorText(err)))
}

func (s *promoScreen) done(msg string) {
	s.status.Importance = widget.SuccessImportance
	s.status.SetText(msg)
}

// changed refreshes the codes list when another desktop changed codes or
// their uses (live.go): read again, keeping the scroll offset and the
// selected code (found again by its id). The selected code's pane, which
// holds what is being typed (a recipient, a sending), is left as it is.
func (s *promoScreen) changed(set app.ChangeSet) {
	if set.Any(app.ChangedPromo) && s.list != nil {
		s.list.Reload()
	}
}

// current is the selected code as last read.
func (s *promoScreen) current() (app.PromoCode, bool) {
	if s.code == nil || s.code.ID != s.selected || s.selected == 0 {
		return app.PromoCode{}, false
	}
	return *s.code, true
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
