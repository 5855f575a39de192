// Package mail sends TrainPay's messages (promotional codes, the SMTP test
// message) through the site's SMTP server with wneessen/go-mail. It
// implements app.Mailer; the domain decides what is sent and records what
// the server accepted.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/trainpay/trainpay/app"
)

// Timeout bounds connecting and each SMTP command, so a server that stops
// answering ends a run instead of hanging it.
const Timeout = 30 * time.Second

// Mailer is app.Mailer over SMTP.
type Mailer struct {
	// TLSConfig overrides the TLS settings (tests trust their own
	// certificate with it); nil verifies the server against the system's
	// roots by its host name.
	TLSConfig *tls.Config
	// Timeout overrides [Timeout] when non-zero.
	Timeout time.Duration
}

var _ app.Mailer = (*Mailer)(nil)

// Open connects and authenticates to the server.
func (m *Mailer) Open(ctx context.Context, s app.SMTPSettings, password string) (app.MailSession, error) {
	timeout := m.Timeout
	if timeout == 0 {
		timeout = Timeout
	}
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(timeout)}
	switch s.TLS {
	case app.SMTPTLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case app.SMTPStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case app.SMTPTLS:
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, app.Errorf(app.EINVALID, "error.smtp.tls", "choose how the connection is protected")
	}
	if s.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.User), gomail.WithPassword(password))
	}
	if m.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(m.TLSConfig))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, connectError(err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, connectError(err)
	}
	return &session{c: c, from: s.Sender, fromName: s.SenderName}, nil
}

type session struct {
	c        *gomail.Client
	from     string
	fromName string
}

// Send sends one message and returns nil once the server accepted it.
func (s *session) Send(ctx context.Context, m app.MailMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg := gomail.NewMsg()
	var err error
	if s.fromName != "" {
		err = msg.FromFormat(s.fromName, s.from)
	} else {
		err = msg.From(s.from)
	}
	if err != nil {
		return app.Errorf(app.EINVALID, "error.smtp.sender", "the sender must be an email address")
	}
	if m.ToName != "" {
		err = msg.AddToFormat(m.ToName, m.To)
	} else {
		err = msg.To(m.To)
	}
	if err != nil {
		return app.Errorf(app.EINVALID, "error.recipient.email_invalid", "%q is not an email address", m.To).
			WithField(app.FieldRecipientEmail)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return app.Internal(err, "attach a file to a message")
		}
	}
	if err := s.c.Send(msg); err != nil {
		return sendError(err)
	}
	return nil
}

func (s *session) Close() error { return s.c.Close() }

// connectError words a failure to reach or log in to the server.
func connectError(err error) error {
	msg := err.Error()
	key := "error.smtp.connect"
	switch {
	case strings.Contains(msg, "auth"), strings.Contains(msg, "535"):
		key = "error.smtp.auth"
	case strings.Contains(msg, "STARTTLS"), strings.Contains(msg, "tls"), strings.Contains(msg, "TLS"):
		key = "error.smtp.tls_failed"
	}
	return &app.Error{
		Code: app.EUNAVAILABLE, Key: key, Message: "the mail server could not be used", Err: err,
		Data: map[string]any{"Reason": cutReason(msg)},
	}
}

// sendError keeps the server's answer as the reason: the administrator
// sees it per recipient.
func sendError(err error) error {
	var se *gomail.SendError
	temp := errors.As(err, &se) && se.IsTemp()
	return &app.Error{
		Code: app.EUNAVAILABLE, Key: "error.smtp.send", Message: cutReason(err.Error()), Err: err,
		Data: map[string]any{"Reason": cutReason(err.Error()), "Temporary": temp},
	}
}

func cutReason(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
