package app

import (
	"context"
	"net"
	"regexp"
	"strings"
)

// SMTPTLSMode is how the connection to the mail server is protected.
type SMTPTLSMode string

const (
	// SMTPTLSNone sends in clear text: only for a relay on the local
	// network or the machine itself.
	SMTPTLSNone SMTPTLSMode = "none"
	// SMTPStartTLS connects in clear text and upgrades with STARTTLS
	// (usually port 587); a server that does not offer it is refused, so
	// the password never travels in clear text by accident.
	SMTPStartTLS SMTPTLSMode = "starttls"
	// SMTPTLS speaks TLS from the first byte (implicit TLS, port 465).
	SMTPTLS SMTPTLSMode = "tls"
)

// SMTPTLSModes lists the modes in the order the screen offers them.
var SMTPTLSModes = []SMTPTLSMode{SMTPStartTLS, SMTPTLS, SMTPTLSNone}

// SMTPPasswordSecret is the SecretStore entry of the SMTP password (the
// same name as secrets.SMTPPassword).
const SMTPPasswordSecret = "smtp.password"

// SMTPSettings are the site's outgoing mail server. The password is kept in
// the SecretStore, never here.
type SMTPSettings struct {
	Host       string
	Port       int
	TLS        SMTPTLSMode
	User       string // "" for a server without authentication
	Sender     string // the From address
	SenderName string
}

// Normalize trims the fields (TrimLine).
func (s *SMTPSettings) Normalize() {
	s.Host = TrimLine(s.Host)
	s.User = TrimLine(s.User)
	s.Sender = strings.ToLower(TrimLine(s.Sender))
	s.SenderName = TrimLine(s.SenderName)
}

// The mail server settings' fields, as a refusal names them (Error.Field);
// the sender's name is FieldSenderName.
const (
	SMTPFieldHost   = "smtp_host"
	SMTPFieldPort   = "smtp_port"
	SMTPFieldTLS    = "smtp_tls"
	SMTPFieldSender = "smtp_sender"
)

// Validate checks the settings. The sender's name, which goes into every
// message's From header, is checked by the text rule (CheckLine).
func (s SMTPSettings) Validate() error {
	if err := CheckLine(FieldSenderName, s.SenderName); err != nil {
		return err
	}
	if s.Host == "" || strings.ContainsAny(s.Host, " /:@") && net.ParseIP(s.Host) == nil {
		return Errorf(EINVALID, "error.smtp.host", "enter the mail server's name").WithField(SMTPFieldHost)
	}
	if s.Port < 1 || s.Port > 65535 {
		return Errorf(EINVALID, "error.smtp.port", "the port is a number from 1 to 65535").WithField(SMTPFieldPort)
	}
	switch s.TLS {
	case SMTPTLSNone, SMTPStartTLS, SMTPTLS:
	default:
		return Errorf(EINVALID, "error.smtp.tls", "choose how the connection is protected").WithField(SMTPFieldTLS)
	}
	if checkEmail(s.Sender) != "" {
		return Errorf(EINVALID, "error.smtp.sender", "the sender must be an email address").WithField(SMTPFieldSender)
	}
	return nil
}

// MailMessage is one plain-text message, with files attached.
type MailMessage struct {
	To          string
	ToName      string
	Subject     string
	Body        string
	Attachments []MailAttachment
}

// MailAttachment is a file attached to a message (a receipt's PDF).
type MailAttachment struct {
	Name        string // the file name the recipient sees
	ContentType string // "application/pdf"
	Data        []byte
}

// MailSession is one open connection to the mail server.
type MailSession interface {
	// Send returns nil once the server has accepted the message.
	Send(ctx context.Context, m MailMessage) error
	Close() error
}

// Mailer opens connections to a mail server (app/mail does it with
// wneessen/go-mail).
type Mailer interface {
	Open(ctx context.Context, s SMTPSettings, password string) (MailSession, error)
}

// SMTPSettingsStore persists the SMTP settings and the message templates.
type SMTPSettingsStore interface {
	// SMTPSettings returns the settings; ENOTFOUND "error.smtp.not_set"
	// before any save.
	SMTPSettings(ctx context.Context) (SMTPSettings, error)
	SaveSMTPSettings(ctx context.Context, s SMTPSettings, audit []AuditEntry) error
	// PromoMailTemplate returns a language's saved template; ENOTFOUND
	// when none is saved (the built-in one applies).
	PromoMailTemplate(ctx context.Context, lang string) (PromoMailTemplate, error)
	SavePromoMailTemplate(ctx context.Context, t PromoMailTemplate) error
	// DeletePromoMailTemplate forgets a language's saved template, so the
	// built-in one applies again (idempotent).
	DeletePromoMailTemplate(ctx context.Context, lang string) error
}

// PromoMailTemplate is the promotional message in one language. Subject and
// Body may use %AttendeeName%, %PromoCode%, %Discount%, %ExpiryDate% and
// %SessionTopic%.
type PromoMailTemplate struct {
	Language string
	Subject  string
	Body     string
}

// PromoPlaceholders are the fields a template may use.
var PromoPlaceholders = []string{"%AttendeeName%", "%PromoCode%", "%Discount%", "%ExpiryDate%", "%SessionTopic%"}

// placeholderPattern is what looks like a placeholder: a word between two
// percent signs. "15% off, 20% more" has a space inside, so it is not one.
var placeholderPattern = regexp.MustCompile(`%[A-Za-z][A-Za-z0-9_]*%`)

// UnknownPlaceholders lists, once each and in the order they first appear,
// the %Words% of a template's text that are not PromoPlaceholders (a typo
// such as %PromoKod% or %attendeename% would otherwise reach attendees as
// it is).
func UnknownPlaceholders(texts ...string) []string {
	known := map[string]bool{}
	for _, p := range PromoPlaceholders {
		known[p] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, m := range placeholderPattern.FindAllString(t, -1) {
			if !known[m] && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// SamplePromoRecipient is who the template preview is addressed to.
func SamplePromoRecipient(lang string) PromoRecipient {
	if lang == "pl" {
		return PromoRecipient{Email: "anna.kowalska@example.pl", Name: "Anna Kowalska"}
	}
	return PromoRecipient{Email: "jane.smith@example.com", Name: "Jane Smith"}
}

// DefaultPromoMailTemplate is the built-in message of a language (English
// for any language but Polish). Message content, not UI text: it is what
// attendees read, in the language the sender chooses.
func DefaultPromoMailTemplate(lang string) PromoMailTemplate {
	if lang == "pl" {
		return PromoMailTemplate{
			Language: "pl",
			Subject:  "Kod rabatowy %PromoCode%: %Discount% zniżki",
			Body: "Dzień dobry, %AttendeeName%!\n\n" +
				"Mamy dla Ciebie kod rabatowy %PromoCode%, który obniża opłatę o %Discount%.\n" +
				"Dotyczy: %SessionTopic%.\n" +
				"Wpisz go na stronie płatności przy rejestracji. Kod jest ważny do %ExpiryDate%.\n\n" +
				"Pozdrawiamy\n",
		}
	}
	return PromoMailTemplate{
		Language: "en",
		Subject:  "Your promotional code %PromoCode%: %Discount% off",
		Body: "Dear %AttendeeName%,\n\n" +
			"Here is your promotional code %PromoCode%, worth %Discount% off the fee.\n" +
			"It applies to: %SessionTopic%.\n" +
			"Enter it on the Payment Information page when you register. It is valid until %ExpiryDate%.\n\n" +
			"Kind regards\n",
	}
}

// allSessionsText is %SessionTopic% for a code valid for every session.
func allSessionsText(lang string) string {
	if lang == "pl" {
		return "wszystkie płatne sesje szkoleniowe"
	}
	return "all paid training sessions"
}

// testMessage is the "Send test message" mail.
func testMessage(lang, to string) MailMessage {
	if lang == "pl" {
		return MailMessage{
			To: to, Subject: "TrainPay: wiadomość testowa",
			Body: "Ta wiadomość potwierdza, że TrainPay wysyła pocztę przez skonfigurowany serwer SMTP.\n",
		}
	}
	return MailMessage{
		To: to, Subject: "TrainPay: test message",
		Body: "This message confirms that TrainPay sends mail through the configured SMTP server.\n",
	}
}

// RenderPromoMail fills a template for one recipient.
func RenderPromoMail(t PromoMailTemplate, r PromoRecipient, c PromoCode, topic, expiry string) MailMessage {
	rep := strings.NewReplacer(
		"%AttendeeName%", r.Name,
		"%PromoCode%", c.Code,
		"%Discount%", c.DiscountText(t.Language),
		"%ExpiryDate%", expiry,
		"%SessionTopic%", topic,
	)
	// A subject is one line whatever a name or topic holds.
	subject := strings.Join(strings.Fields(rep.Replace(t.Subject)), " ")
	return MailMessage{To: r.Email, ToName: r.Name, Subject: subject, Body: rep.Replace(t.Body)}
}
