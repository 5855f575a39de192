package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/trainpay/trainpay/app"
)

// AddPromoRecipients adds recipients to a code; an email already there
// keeps its row (and whether it was sent).
func (db *DB) AddPromoRecipients(ctx context.Context, codeID int64, rs []app.PromoRecipient) (int, error) {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	added := 0
	for _, r := range rs {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO promo_recipient (code_id, email, name) VALUES (?, ?, ?)
			ON CONFLICT (code_id, email) DO NOTHING`, codeID, r.Email, r.Name)
		var se sqlite3.Error
		if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey {
			return 0, promoNotFound(codeID)
		}
		if err != nil {
			return 0, app.Internal(err, "add a recipient")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, app.Internal(err, "add a recipient")
		}
		added += int(n)
	}
	return added, commit(tx)
}

// PromoRecipients lists recipients in the order they were added.
func (db *DB) PromoRecipients(ctx context.Context, codeID int64) ([]app.PromoRecipient, error) {
	where, args := "", []any{}
	if codeID != 0 {
		where, args = "WHERE code_id = ?", append(args, codeID)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, code_id, email, name, coalesce(sent_at, ''), failed_reason
		FROM promo_recipient `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, app.Internal(err, "read the recipients")
	}
	defer rows.Close()
	out := []app.PromoRecipient{}
	for rows.Next() {
		var r app.PromoRecipient
		var sent string
		if err := rows.Scan(&r.ID, &r.CodeID, &r.Email, &r.Name, &sent, &r.FailedReason); err != nil {
			return nil, app.Internal(err, "read the recipients")
		}
		if sent != "" {
			if r.SentAt, err = parseTime(sent); err != nil {
				return nil, app.Internal(err, "read the recipients")
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, app.Internal(err, "read the recipients")
	}
	return out, nil
}

func recipientNotFound(*sql.Tx) error {
	return app.Errorf(app.ENOTFOUND, "error.recipient.not_found", "no such recipient")
}

// DeletePromoRecipient removes one recipient.
func (db *DB) DeletePromoRecipient(ctx context.Context, id int64) error {
	return db.updateOne(ctx, recipientNotFound, "remove a recipient", `DELETE FROM promo_recipient WHERE id = ?`, id)
}

// MarkRecipientSent records that the server accepted the message; it is
// committed (synchronous=FULL) before the next message is sent.
func (db *DB) MarkRecipientSent(ctx context.Context, id int64, at time.Time) error {
	return db.updateOne(ctx, recipientNotFound, "record a sent message",
		`UPDATE promo_recipient SET sent_at = ?, failed_reason = '', failed_at = NULL WHERE id = ?`, formatTime(at), id)
}

// MarkRecipientFailed records why a message was not accepted.
func (db *DB) MarkRecipientFailed(ctx context.Context, id int64, reason string, at time.Time) error {
	if reason == "" {
		reason = "failed"
	}
	return db.updateOne(ctx, recipientNotFound, "record a failed message",
		`UPDATE promo_recipient SET failed_reason = ?, failed_at = ? WHERE id = ? AND sent_at IS NULL`, reason, formatTime(at), id)
}

// SMTPSettings returns the site's mail server.
func (db *DB) SMTPSettings(ctx context.Context) (app.SMTPSettings, error) {
	var s app.SMTPSettings
	var mode string
	err := db.read.QueryRowContext(ctx, `SELECT host, port, tls_mode, username, sender, sender_name FROM smtp_settings WHERE id = 1`).
		Scan(&s.Host, &s.Port, &mode, &s.User, &s.Sender, &s.SenderName)
	if errors.Is(err, sql.ErrNoRows) {
		return s, app.Errorf(app.ENOTFOUND, "error.smtp.not_set", "no mail server is set up: contact your site administrator")
	}
	if err != nil {
		return s, app.Internal(err, "read the mail settings")
	}
	s.TLS = app.SMTPTLSMode(mode)
	return s, nil
}

// SaveSMTPSettings stores the mail server with its audit entries.
func (db *DB) SaveSMTPSettings(ctx context.Context, s app.SMTPSettings, audit []app.AuditEntry) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO smtp_settings (id, host, port, tls_mode, username, sender, sender_name) VALUES (1, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, tls_mode = excluded.tls_mode,
			username = excluded.username, sender = excluded.sender, sender_name = excluded.sender_name`,
		s.Host, s.Port, string(s.TLS), s.User, s.Sender, s.SenderName); err != nil {
		return app.Internal(err, "save the mail settings")
	}
	if err := insertAudit(ctx, tx, audit); err != nil {
		return err
	}
	return commit(tx)
}

// PromoMailTemplate returns a saved template.
func (db *DB) PromoMailTemplate(ctx context.Context, lang string) (app.PromoMailTemplate, error) {
	t := app.PromoMailTemplate{Language: lang}
	err := db.read.QueryRowContext(ctx, `SELECT subject, body FROM promo_mail_template WHERE language = ?`, lang).
		Scan(&t.Subject, &t.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return t, app.Errorf(app.ENOTFOUND, "error.promo.template_not_found", "no saved template")
	}
	if err != nil {
		return t, app.Internal(err, "read the message template")
	}
	return t, nil
}

// SavePromoMailTemplate stores a template.
func (db *DB) SavePromoMailTemplate(ctx context.Context, t app.PromoMailTemplate) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO promo_mail_template (language, subject, body) VALUES (?, ?, ?)
		ON CONFLICT (language) DO UPDATE SET subject = excluded.subject, body = excluded.body`,
		t.Language, t.Subject, t.Body); err != nil {
		return app.Internal(err, "save the message template")
	}
	return commit(tx)
}

// DeletePromoMailTemplate forgets a saved template (the built-in one applies).
func (db *DB) DeletePromoMailTemplate(ctx context.Context, lang string) error {
	tx, err := db.BeginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM promo_mail_template WHERE language = ?`, lang); err != nil {
		return app.Internal(err, "reset the message template")
	}
	return commit(tx)
}
