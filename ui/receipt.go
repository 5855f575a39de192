package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/receipt"
)

// A registration's PDF receipt: written for the confirmation page and the
// registrations view (saved where the person chooses) and for the email
// that follows a PayPal invoice paid online.

// receiptLabels are the receipt's words in language, from the sessions
// translation files.
func receiptLabels(language string) receipt.Labels {
	msgs, err := Messages(language)
	if err != nil {
		return receipt.Labels{}
	}
	l := receipt.Labels{}
	for k, v := range msgs {
		if rest, ok := strings.CutPrefix(k, "receipt.pdf."); ok {
			if s, ok := v.(string); ok {
				l[rest] = s
			}
		}
	}
	return l
}

// writeReceipt writes a registration's PDF receipt in the attendee's
// language.
func writeReceipt(ctx context.Context, deps Deps, regID int64, w io.Writer) error {
	site, s, r, err := deps.Sessions.ReceiptFor(ctx, regID)
	if err != nil {
		return err
	}
	language := r.Language
	if !app.ValidLanguage(language) {
		language = site.Language
	}
	return receipt.Write(w, receipt.Receipt{
		Language: language, Labels: receiptLabels(language),
		Site: site, Session: s, Registration: r, IssuedAt: time.Now(), Compress: true,
	})
}

// saveReceiptDialog asks where to save a receipt, writes it there and
// offers to open it.
func saveReceiptDialog(deps Deps, w fyne.Window, regID int64) {
	deps.run(func() {
		var buf bytes.Buffer
		err := writeReceipt(context.Background(), deps, regID, &buf)
		_, _, r, _ := deps.Sessions.ReceiptFor(context.Background(), regID)
		fyne.Do(func() {
			if err != nil {
				dialog.ShowError(errorFor(err), w)
				return
			}
			saveFile(w, receiptFileName(r), []fileKind{kindPDF}, func(wc fyne.URIWriteCloser, err error) {
				if err != nil {
					dialog.ShowError(errorFor(app.Internal(err, "choose where to save the receipt")), w)
					return
				}
				if wc == nil {
					return // cancelled
				}
				_, werr := wc.Write(buf.Bytes())
				cerr := wc.Close()
				if err := errors.Join(werr, cerr); err != nil {
					dialog.ShowError(errorFor(app.Internal(err, "save the receipt")), w)
					return
				}
				uri := wc.URI()
				dialog.ShowCustomConfirm(T("receipt.saved_title"), T("receipt.open"), T("pay.close"),
					widget.NewLabel(T("receipt.saved", map[string]any{"Path": localPath(uri)})), func(open bool) {
						if open {
							if err := fyne.CurrentApp().OpenURL(uriURL(uri)); err != nil {
								dialog.ShowError(errorFor(app.Internal(err, "open the receipt")), w)
							}
						}
					}, w)
			})
		})
	})
}

func receiptFileName(r app.Registration) string {
	if r.Confirmation == "" {
		return "receipt.pdf"
	}
	return T("receipt.file_name", map[string]any{"Number": r.Confirmation}) + ".pdf"
}

func uriURL(u fyne.URI) *url.URL {
	parsed, err := url.Parse(u.String())
	if err != nil {
		return &url.URL{Scheme: "file", Path: u.Path()}
	}
	return parsed
}
