package app

import "context"

// InvoiceReceipts emails the receipt of a registration paid by PayPal
// invoice to the attendee, through the site's mail server (the SMTP
// settings of Site administration, the password in the keychain). It is
// InvoiceService.Paid.
type InvoiceReceipts struct {
	SMTP    SMTPSettingsStore
	Secrets SecretStore
	Mailer  Mailer
	// Compose writes the message in the attendee's language with the
	// receipt's PDF attached (the ui package renders it).
	Compose func(ctx context.Context, r Registration) (MailMessage, error)
}

// Send composes and sends r's receipt.
func (m *InvoiceReceipts) Send(ctx context.Context, r Registration) error {
	msg, err := m.Compose(ctx, r)
	if err != nil {
		return err
	}
	set, err := m.SMTP.SMTPSettings(ctx)
	if ErrorCode(err) == ENOTFOUND {
		return Errorf(EUNAVAILABLE, "error.smtp.not_set", "no mail server is set up: contact your site administrator")
	}
	if err != nil {
		return err
	}
	password := ""
	if set.User != "" {
		if password, err = m.Secrets.Get(SMTPPasswordSecret); err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
	}
	sess, err := m.Mailer.Open(ctx, set, password)
	if err != nil {
		return err
	}
	defer sess.Close()
	return sess.Send(ctx, msg)
}
