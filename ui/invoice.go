package ui

import (
	"bytes"
	"context"
	"strings"
	"text/template"
	"time"

	"github.com/trainpay/trainpay/app"
)

// InvoiceReceiptMessage writes the email that carries the receipt of a
// registration paid by PayPal invoice: subject and text in the attendee's
// language (the site's when theirs is not offered), the PDF receipt
// attached. It is app.InvoiceReceipts.Compose.
func InvoiceReceiptMessage(deps Deps) func(ctx context.Context, r app.Registration) (app.MailMessage, error) {
	return func(ctx context.Context, r app.Registration) (app.MailMessage, error) {
		site, s, reg, err := deps.Sessions.ReceiptFor(ctx, r.ID)
		if err != nil {
			return app.MailMessage{}, err
		}
		language := reg.Language
		if !app.ValidLanguage(language) {
			language = site.Language
		}
		var pdf bytes.Buffer
		if err := writeReceipt(ctx, deps, r.ID, &pdf); err != nil {
			return app.MailMessage{}, err
		}
		data := map[string]any{"Name": reg.Name(), "Session": s.Topic, "Site": site.Name, "Number": reg.Confirmation}
		subject, err := messageIn(language, "invoice.receipt.subject", data)
		if err != nil {
			return app.MailMessage{}, err
		}
		body, err := messageIn(language, "invoice.receipt.body", data)
		if err != nil {
			return app.MailMessage{}, err
		}
		file, err := messageIn(language, "invoice.receipt.file", data)
		if err != nil {
			return app.MailMessage{}, err
		}
		return app.MailMessage{To: reg.Email, ToName: reg.Name(), Subject: subject, Body: body,
			Attachments: []app.MailAttachment{{Name: file, ContentType: "application/pdf", Data: pdf.Bytes()}}}, nil
	}
}

// messageIn is a translation in a language other than the interface's
// (an attendee's), filled with data as lang fills the interface's.
func messageIn(language, key string, data map[string]any) (string, error) {
	msgs, err := Messages(language)
	if err != nil {
		return "", app.Internal(err, "read the translations")
	}
	text, _ := msgs[key].(string)
	if text == "" {
		return "", app.Internal(nil, "no translation "+key+" in "+language)
	}
	tpl, err := template.New(key).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", app.Internal(err, "a translation's template")
	}
	var b strings.Builder
	if err := tpl.Execute(&b, data); err != nil {
		return "", app.Internal(err, "a translation's template")
	}
	return b.String(), nil
}

// InvoiceService is app.InvoiceService as the screens use it.
type InvoiceService interface {
	Send(ctx context.Context, req app.SendRequest) (app.Invoice, error)
	SendAll(ctx context.Context, sessionID int64, due time.Time, progress app.BulkProgress) (int, error)
	Remind(ctx context.Context, registrationID int64, note string) error
	Cancel(ctx context.Context, registrationID int64, note string) (app.Invoice, error)
	PayPalDown() (error, time.Time)
}

var _ InvoiceService = (*app.InvoiceService)(nil)
