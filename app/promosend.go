package app

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// SendProgress is reported after each recipient of a sending run.
type SendProgress struct {
	Done, Total  int // recipients handled so far, and in this run
	Sent, Failed int
	Recipient    PromoRecipient
	Err          error // why this recipient's message failed; nil when accepted
}

// SendReport is what a sending run did.
type SendReport struct {
	Total, Sent, Failed int
}

// Template returns a language's message template: the saved one, or the
// built-in one.
func (s *PromoService) Template(ctx context.Context, lang string) (PromoMailTemplate, error) {
	if lang != "pl" {
		lang = "en"
	}
	t, err := s.Store.PromoMailTemplate(ctx, lang)
	if ErrorCode(err) == ENOTFOUND {
		return DefaultPromoMailTemplate(lang), nil
	}
	return t, err
}

// SaveTemplate stores a language's template.
func (s *PromoService) SaveTemplate(ctx context.Context, t PromoMailTemplate) error {
	if err := s.Available(ctx); err != nil {
		return err
	}
	if t.Language != "pl" && t.Language != "en" {
		return Errorf(EINVALID, "error.site.language", "%q is not a supported language", t.Language).With(map[string]any{"Language": t.Language})
	}
	t.Subject, t.Body = TrimLine(t.Subject), TrimText(t.Body)
	if t.Subject == "" || t.Body == "" {
		return Errorf(EINVALID, "error.promo.template_empty", "the message needs a subject and a text")
	}
	if strings.ContainsAny(t.Subject, "\r\n") {
		return Errorf(EINVALID, "error.promo.template_subject", "the subject is one line")
	}
	if err := CheckLine(FieldTemplateSubject, t.Subject); err != nil {
		return err
	}
	if err := CheckText(FieldTemplateBody, t.Body); err != nil {
		return err
	}
	if err := CheckPlaceholders(t); err != nil {
		return err
	}
	return s.Store.SavePromoMailTemplate(ctx, t)
}

// CheckPlaceholders refuses a template that uses a %Placeholder% the
// message cannot fill (EINVALID "error.promo.template_placeholders", Data
// "Names": the unknown ones, comma-separated).
func CheckPlaceholders(t PromoMailTemplate) error {
	unknown := UnknownPlaceholders(t.Subject, t.Body)
	if len(unknown) == 0 {
		return nil
	}
	names := strings.Join(unknown, ", ")
	return Errorf(EINVALID, "error.promo.template_placeholders", "unknown placeholders: %s", names).
		With(map[string]any{"Names": names, "Known": strings.Join(PromoPlaceholders, ", ")})
}

// ResetTemplate forgets a language's saved template: the built-in one is
// used again, and returned.
func (s *PromoService) ResetTemplate(ctx context.Context, lang string) (PromoMailTemplate, error) {
	if err := s.Available(ctx); err != nil {
		return PromoMailTemplate{}, err
	}
	if lang != "pl" {
		lang = "en"
	}
	if err := s.Store.DeletePromoMailTemplate(ctx, lang); err != nil {
		return PromoMailTemplate{}, err
	}
	return DefaultPromoMailTemplate(lang), nil
}

// PreviewTemplate fills a template (saved or not) as the message a sample
// recipient would get for a code: codeID's, or a sample code (15% off,
// every session, valid for 30 more days) when codeID is 0. Placeholders the
// message cannot fill are left as typed, so the preview shows them.
func (s *PromoService) PreviewTemplate(ctx context.Context, t PromoMailTemplate, codeID int64) (MailMessage, error) {
	if err := s.Available(ctx); err != nil {
		return MailMessage{}, err
	}
	if t.Language != "pl" {
		t.Language = "en"
	}
	site, err := s.Site.Site(ctx)
	if err != nil {
		return MailMessage{}, err
	}
	now := s.now()
	c := PromoCode{
		Code: "SPRING-25", Kind: DiscountPercent, PercentBP: 1500, AllSessions: true,
		ValidFrom: now, ValidUntil: now.AddDate(0, 0, 30),
	}
	if codeID != 0 {
		if c, err = s.Store.PromoCode(ctx, codeID, now); err != nil {
			return MailMessage{}, err
		}
	}
	return RenderPromoMail(t, SamplePromoRecipient(t.Language), c, s.sessionTopic(ctx, c, t.Language),
		ExpiryText(c, site.TimeZone, t.Language)), nil
}

// SMTPSettings returns the SMTP settings (ENOTFOUND before any save).
func (s *PromoService) SMTPSettings(ctx context.Context) (SMTPSettings, error) {
	return s.Store.SMTPSettings(ctx)
}

// HasSMTPPassword reports whether a password is stored.
func (s *PromoService) HasSMTPPassword() bool {
	_, err := s.Secrets.Get(SMTPPasswordSecret)
	return err == nil
}

// SaveSMTPSettings stores the settings (site administration only). A
// non-empty password replaces the stored one in the keychain; the audit
// log records that it changed, never the password.
func (s *PromoService) SaveSMTPSettings(ctx context.Context, a *Admin, set SMTPSettings, password string) error {
	if err := requireAdminOf(s.Site, a); err != nil {
		return err
	}
	set.Normalize()
	if err := set.Validate(); err != nil {
		return err
	}
	old, err := s.Store.SMTPSettings(ctx)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	at := s.now()
	var audit []AuditEntry
	add := auditAdder(&audit, at, "")
	add("smtp.host", old.Host, set.Host)
	add("smtp.port", portText(old.Port), portText(set.Port))
	add("smtp.tls", string(old.TLS), string(set.TLS))
	add("smtp.user", old.User, set.User)
	add("smtp.sender", old.Sender, set.Sender)
	add("smtp.sender_name", old.SenderName, set.SenderName)
	if password != "" {
		if err := s.Secrets.Set(SMTPPasswordSecret, password); err != nil {
			return err
		}
		audit = append(audit, AuditEntry{At: at, Actor: ActorAdministrator, Action: "smtp.password", New: "••••••"})
	}
	if len(audit) == 0 {
		return nil
	}
	return s.Store.SaveSMTPSettings(ctx, set, audit)
}

func portText(p int) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(p)
}

// open connects to the configured server.
func (s *PromoService) open(ctx context.Context) (MailSession, error) {
	set, err := s.Store.SMTPSettings(ctx)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(EUNAVAILABLE, "error.smtp.not_set", "no mail server is set up: contact your site administrator")
	}
	if err != nil {
		return nil, err
	}
	password := ""
	if set.User != "" {
		password, err = s.Secrets.Get(SMTPPasswordSecret)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
	}
	return s.Mailer.Open(ctx, set, password)
}

// SendTestMessage sends the test message to an address (site
// administration only).
func (s *PromoService) SendTestMessage(ctx context.Context, a *Admin, to string) error {
	if err := requireAdminOf(s.Site, a); err != nil {
		return err
	}
	r, err := NormalizeRecipient(to, "")
	if err != nil {
		return err
	}
	site, err := s.Site.Site(ctx)
	if err != nil {
		return err
	}
	sess, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer sess.Close()
	return sess.Send(ctx, testMessage(site.Language, r.Email))
}

// Send sends a code's message, in lang, to each of its recipients not yet
// sent to, in the order they were added. Each recipient is recorded as sent
// as soon as the server accepts its message, so a run stopped by a crash,
// a dropped connection or ctx resumes (by calling Send again) with only the
// unsent ones; at most the one message in flight at a crash repeats.
// Cancelling ctx (the Cancel button) stops the run after the message in
// flight, which is recorded as sent or failed like any other; Send then
// returns ctx's error (context.Canceled) with what was done, and a later
// Send resumes with the unsent ones. A
// message the server refuses is recorded as failed with the server's
// answer and the run goes on over a new connection; when no connection can
// be made the run stops with that error. progress (may be nil) is called
// after each recipient, on the sending goroutine.
func (s *PromoService) Send(ctx context.Context, codeID int64, lang string, progress func(SendProgress)) (SendReport, error) {
	return s.SendCodes(ctx, []int64{codeID}, lang, progress)
}

// SendCodes is Send over several codes in one run (a batch generated one
// code per recipient): each recipient gets the message of its own code,
// codes in the order given, each code's recipients in the order added.
func (s *PromoService) SendCodes(ctx context.Context, codeIDs []int64, lang string, progress func(SendProgress)) (SendReport, error) {
	var rep SendReport
	if err := s.Available(ctx); err != nil {
		return rep, err
	}
	now := s.now()
	t, err := s.Template(ctx, lang)
	if err != nil {
		return rep, err
	}
	site, err := s.Site.Site(ctx)
	if err != nil {
		return rep, err
	}
	// What each code's messages share: the code, its topics, its last day.
	type codeMail struct {
		c             PromoCode
		topic, expiry string
	}
	codes := map[int64]codeMail{}
	var todo []PromoRecipient
	for _, id := range codeIDs {
		if _, dup := codes[id]; dup {
			continue
		}
		c, err := s.Store.PromoCode(ctx, id, now)
		if err != nil {
			return rep, err
		}
		codes[id] = codeMail{c: c, topic: s.sessionTopic(ctx, c, t.Language), expiry: ExpiryText(c, site.TimeZone, t.Language)}
		rs, err := s.Store.PromoRecipients(ctx, id)
		if err != nil {
			return rep, err
		}
		for _, r := range rs {
			if r.SentAt.IsZero() {
				todo = append(todo, r)
			}
		}
	}
	rep.Total = len(todo)
	if len(todo) == 0 {
		return rep, nil
	}
	sess, err := s.open(ctx)
	if err != nil {
		return rep, err
	}
	defer func() {
		if sess != nil {
			sess.Close()
		}
	}()
	for i, r := range todo {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if sess == nil {
			if sess, err = s.open(ctx); err != nil {
				return rep, err
			}
		}
		cm := codes[r.CodeID]
		// The message in flight is not cut off by a cancelled ctx: it is
		// either accepted and recorded, or refused, and the run stops
		// before the next one. Cutting it off mid-DATA would leave it
		// unknown whether the server took it.
		sendErr := sess.Send(context.WithoutCancel(ctx), RenderPromoMail(t, r, cm.c, cm.topic, cm.expiry))
		if sendErr == nil {
			// Recorded at once: the next run must not send it again.
			if err := s.Store.MarkRecipientSent(context.WithoutCancel(ctx), r.ID, s.now()); err != nil {
				return rep, err
			}
			rep.Sent++
		} else {
			if err := s.Store.MarkRecipientFailed(context.WithoutCancel(ctx), r.ID, ErrorText(sendErr), s.now()); err != nil {
				return rep, err
			}
			rep.Failed++
			// The connection may be broken (or the server is refusing
			// this one recipient): the next one gets a new connection.
			sess.Close()
			sess = nil
		}
		if progress != nil {
			progress(SendProgress{Done: i + 1, Total: rep.Total, Sent: rep.Sent, Failed: rep.Failed, Recipient: r, Err: sendErr})
		}
	}
	return rep, nil
}

// sessionTopic is %SessionTopic%: the chosen sessions' topics, or the words
// for every session.
func (s *PromoService) sessionTopic(ctx context.Context, c PromoCode, lang string) string {
	if c.AllSessions || s.Sessions == nil {
		return allSessionsText(lang)
	}
	var topics []string
	for _, id := range c.SessionIDs {
		if sess, err := s.Sessions.PromoSession(ctx, id); err == nil {
			topics = append(topics, sess.Topic)
		}
	}
	if len(topics) == 0 {
		return allSessionsText(lang)
	}
	return strings.Join(topics, ", ")
}

// ExpiryText is the last day a code is valid, in the site's time zone: ISO
// in English ("2026-12-31"), day.month.year in Polish ("31.12.2026").
func ExpiryText(c PromoCode, tz, lang string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	last := c.ValidUntil.Add(-time.Nanosecond).In(loc)
	if lang == "pl" {
		return last.Format("02.01.2006")
	}
	return last.Format("2006-01-02")
}
