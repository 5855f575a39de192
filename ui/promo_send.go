package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// promoMailer is what sending codes to their recipients needs.
type promoMailer interface {
	Send(ctx context.Context, codeID int64, lang string, progress func(app.SendProgress)) (app.SendReport, error)
	SendCodes(ctx context.Context, codeIDs []int64, lang string, progress func(app.SendProgress)) (app.SendReport, error)
}

// promoSend sends the selected code, or the batch just generated one code
// per recipient, with its progress and cancel.
type promoSend struct {
	scr *promoScreen
	svc promoMailer

	sendLang   *widgets.Select
	send       *widgets.Button
	sendBatch  *widgets.Button // sends the batch just generated one code per recipient
	batch      []int64         // that batch's codes
	cancelSend *widgets.Button
	progress   *widget.ProgressBar
	sendStatus *widget.Label
	// stopSend cancels the running send (nil when none runs); UI thread only.
	stopSend context.CancelFunc
}

// buildSend makes the sending part of the pane: the language, Send (and
// the batch's Send), the progress and its cancel.
func (s *promoSend) buildSend() fyne.CanvasObject {
	s.sendLang = newChoice([]string{"English", "Polski"}, nil)
	if s.scr.site.Language == "pl" {
		s.sendLang.SetSelectedIndex(1)
	} else {
		s.sendLang.SetSelectedIndex(0)
	}
	s.send = widgets.NewButtonWithIcon(T("promo.send"), theme.MailSendIcon(), s.onSend)
	s.sendBatch = widgets.NewButtonWithIcon("", theme.MailSendIcon(), s.onSendBatch)
	s.sendBatch.Hide()
	s.progress = widget.NewProgressBar()
	s.cancelSend = widgets.NewButtonWithIcon(T("dialog.cancel"), theme.CancelIcon(), s.onCancelSend)
	s.cancelSend.Hide()
	s.progress.Hide()
	s.sendStatus = widget.NewLabel("")
	s.sendStatus.Wrapping = fyne.TextWrapWord
	return container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(T("promo.send_language")), container.NewHBox(s.send, s.sendBatch), s.sendLang),
		container.NewBorder(nil, nil, nil, s.cancelSend, s.progress), s.sendStatus)
}

// showBatch offers to send the batch just generated when code is one of
// its codes.
func (s *promoSend) showBatch(code int64) {
	s.sendBatch.Hide()
	for _, id := range s.batch {
		if id == code {
			s.sendBatch.SetText(T("promo.send_batch", map[string]any{"Number": len(s.batch)}))
			s.sendBatch.Show()
		}
	}
}

func (s *promoSend) onSend() {
	c, ok := s.scr.current()
	if !ok {
		return
	}
	s.runSend([]int64{c.ID})
}

// onSendBatch sends every code of the batch generated one per recipient.
func (s *promoSend) onSendBatch() { s.runSend(s.batch) }

// runSend sends codes' messages off the UI thread with progress and Cancel.
func (s *promoSend) runSend(codeIDs []int64) {
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
	s.scr.deps.run(func() {
		rep, err := s.svc.SendCodes(ctx, codeIDs, lang, func(p app.SendProgress) {
			fyne.Do(func() {
				if p.Total > 0 {
					s.progress.SetValue(float64(p.Done) / float64(p.Total))
				}
				s.sendStatus.SetText(T("promo.send_progress", map[string]any{
					"Done": p.Done, "Total": p.Total,
					"Sent": p.Sent, "Failed": p.Failed,
				}))
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
				s.sendStatus.SetText(T("promo.send_cancelled", map[string]any{
					"Sent": rep.Sent, "Failed": rep.Failed,
					"Left": rep.Total - rep.Sent - rep.Failed,
				}))
			case err != nil:
				s.sendStatus.SetText(T("promo.send_stopped", map[string]any{
					"Sent": rep.Sent, "Failed": rep.Failed,
					"Reason": ErrorText(err),
				}))
			default:
				s.sendStatus.SetText(T("promo.send_done", map[string]any{"Sent": rep.Sent, "Failed": rep.Failed}))
			}
			s.scr.showDetail()
		})
	})
}

// onCancelSend stops the running send after the message in flight; Send
// again resumes with the unsent ones.
func (s *promoSend) onCancelSend() {
	if s.stopSend == nil {
		return
	}
	s.cancelSend.Disable()
	s.sendStatus.SetText(T("promo.send_cancelling"))
	s.stopSend()
}
