package checkout

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uikit"
)

// The Payment Information page's PayPal invoice: offered where the site's
// Invoicing client can be made, sent for the checkout's total.

// DefaultInvoiceDue is the due date of a PayPal invoice: a week from now, or a minute before registration
// closes when that comes first.
func DefaultInvoiceDue(s app.Session, now time.Time) time.Time {
	due := now.Add(7 * 24 * time.Hour)
	if closes := s.RegistrationDeadline().Add(-time.Minute); closes.Before(due) {
		due = closes
	}
	return due.In(s.Location()).Truncate(time.Minute)
}

// invoiceOffered reports whether the Payment Information page offers the
// PayPal invoice (the site's Invoicing client can be made: the sandbox in
// Test mode, REST credentials in Production). It may start the sandbox:
// call it off the UI thread.
func invoiceOffered(svc Services) bool {
	return svc.Invoices != nil && svc.Invoices.Offered(context.Background())
}

// sendInvoice is the Payment Information page's PayPal invoice: the
// checkout (the code's discount applied) is sent to the attendee as a
// PayPal invoice due a week from now (or before registration closes),
// with the seat held until then.
func (p *PaymentInfo) sendInvoice(co app.Checkout) {
	r := co.Registration
	due := DefaultInvoiceDue(p.session, time.Now())
	p.progress.Show()
	p.progress.Start()
	p.svc.run(func() {
		inv, err := p.svc.Invoices.Send(context.Background(), app.SendRequest{RegistrationID: r.ID, Due: due})
		fyne.Do(func() {
			p.progress.Stop()
			p.progress.Hide()
			p.busy = false
			switch {
			case app.ErrorCode(err) == app.EUNKNOWN:
				// PayPal may have it: the poller finds it by its number.
				p.done, p.checkout = true, nil
				p.showMessage(uikit.ErrorText(err), widget.WarningImportance)
			case err != nil:
				p.Abandon()
				p.showMessage(uikit.ErrorText(err), widget.DangerImportance)
			default:
				p.done, p.checkout = true, nil
				p.showMessage(uikit.T("invoice.requested", map[string]any{
					"Email": r.Email, "Number": inv.Number,
					"Until": uikit.FormatWhen(due, p.session.Location()), "Link": inv.PayerLink,
				}), widget.SuccessImportance)
			}
			p.updatePay()
		})
	})
}
