package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// PromoRecipient is a person a code is sent to.
type PromoRecipient struct {
	ID           int64
	CodeID       int64
	Email        string // lower case
	Name         string
	SentAt       time.Time // zero until the server accepted the message
	FailedReason string    // the last failure, "" when none
}

// Limits of a recipient line.
const (
	maxRecipientLine  = 1024
	maxRecipientName  = 100
	maxRecipientEmail = 254
)

// RecipientLineError is one line of an import that cannot be imported.
type RecipientLineError struct {
	Line   int    // 1-based line number in the file
	Reason string // a translation key: error.recipient.*
	Text   string // the line as read, cut to 80 characters, with VisibleText's U+FFFD for forbidden characters
	// DuplicateOf is the earlier line with the same email, for
	// "error.recipient.duplicate".
	DuplicateOf int
}

// RecipientImport is the preview of an import: what would be imported and
// every bad line, in line order.
type RecipientImport struct {
	Recipients []PromoRecipient
	Lines      []int // Recipients[i] came from line Lines[i]
	Bad        []RecipientLineError
}

// FieldRecipientEmail is a recipient's email address, as a refusal names it
// (Error.Field).
const FieldRecipientEmail = "recipient_email"

// NormalizeRecipient checks one typed recipient: a plain address (lower
// cased) and a name, which defaults to the part before "@". The name is
// trimmed and checked by the text rule (TrimLine, CheckLine:
// "error.text.control" naming FieldRecipientName), so a line feed or tab
// in it is refused, not turned into a space. Any other error is an
// EINVALID *Error with an error.recipient.* key.
func NormalizeRecipient(email, name string) (PromoRecipient, error) {
	email = strings.ToLower(TrimLine(email))
	name = TrimLine(name)
	if key := checkEmail(email); key != "" {
		return PromoRecipient{}, Errorf(EINVALID, key, "%q is not an email address", email).WithField(FieldRecipientEmail)
	}
	if err := CheckLine(FieldRecipientName, name); err != nil {
		return PromoRecipient{}, err
	}
	if utf8.RuneCountInString(name) > maxRecipientName {
		return PromoRecipient{}, Errorf(EINVALID, "error.recipient.name_too_long", "the name is longer than %d characters", maxRecipientName).
			With(map[string]any{"Max": maxRecipientName}).WithField(string(FieldRecipientName))
	}
	if name == "" {
		name = email[:strings.IndexByte(email, '@')]
	}
	return PromoRecipient{Email: email, Name: name}, nil
}

// checkEmail returns the reason key why s is not a plain address, or "".
func checkEmail(s string) string {
	if s == "" {
		return "error.recipient.email_missing"
	}
	if len(s) > maxRecipientEmail || !utf8.ValidString(s) || HasControl(s) {
		return "error.recipient.email_invalid"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "error.recipient.email_invalid"
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") || strings.ContainsAny(s, " \t\"") {
		return "error.recipient.email_invalid"
	}
	return ""
}

// ParseRecipients reads a .txt or .csv file of recipients, one per line:
// "email" or "email,name" (a semicolon separates too, as spreadsheets in
// Polish locales write it; a name with the separator is quoted). Blank
// lines and a first line "email,name" are skipped. It never stops at a bad
// line: every bad line is reported with its number and reason, so that the
// person sees the whole preview before anything is imported. A file of more
// than MaxPromoRecipients lines is refused as a whole (EINVALID
// "error.recipient.too_many_lines").
func ParseRecipients(r io.Reader) (RecipientImport, error) {
	var out RecipientImport
	data, err := io.ReadAll(io.LimitReader(r, int64(MaxPromoRecipients+1)*maxRecipientLine*2))
	if err != nil {
		return out, Internal(err, "read the recipients file")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from spreadsheet exports
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), len(data)+1)
	var lines []string
	for sc.Scan() {
		lines = append(lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return out, Internal(err, "read the recipients file")
	}
	if len(lines) > MaxPromoRecipients {
		return out, Errorf(EINVALID, "error.recipient.too_many_lines", "the file has %d lines; at most %d are imported at once",
			len(lines), MaxPromoRecipients).With(map[string]any{"Lines": len(lines), "Max": MaxPromoRecipients})
	}
	// The separator is the one more lines use: a spreadsheet in a Polish
	// locale writes "email;name".
	commas, semis := 0, 0
	for _, l := range lines {
		if strings.Contains(l, ",") {
			commas++
		}
		if strings.Contains(l, ";") {
			semis++
		}
	}
	sep := ','
	if semis > commas {
		sep = ';'
	}
	seen := map[string]int{}
	first := true
	for i, line := range lines {
		n := i + 1
		if strings.TrimSpace(line) == "" {
			continue
		}
		bad := func(key string) {
			out.Bad = append(out.Bad, RecipientLineError{Line: n, Reason: key, Text: cut(VisibleText(line), 80)})
		}
		if !utf8.ValidString(line) {
			bad("error.recipient.encoding")
			continue
		}
		if len(line) > maxRecipientLine {
			bad("error.recipient.line_too_long")
			continue
		}
		cr := csv.NewReader(strings.NewReader(line))
		cr.Comma = sep
		cr.FieldsPerRecord = -1
		cr.TrimLeadingSpace = true
		fields, err := cr.Read()
		if err != nil {
			bad("error.recipient.quotes")
			continue
		}
		isHeader := first && strings.EqualFold(strings.TrimSpace(fields[0]), "email")
		first = false
		if isHeader {
			continue
		}
		if len(fields) > 2 {
			bad("error.recipient.too_many_fields")
			continue
		}
		name := ""
		if len(fields) == 2 {
			name = fields[1]
		}
		rec, err := NormalizeRecipient(fields[0], name)
		if err != nil {
			key := AsError(err).Key
			if strings.HasPrefix(key, "error.text.") {
				key = "error.recipient.name_control" // a line's reason names its problem alone
			}
			bad(key)
			continue
		}
		if prev, dup := seen[rec.Email]; dup {
			out.Bad = append(out.Bad, RecipientLineError{Line: n, Reason: "error.recipient.duplicate", Text: cut(VisibleText(line), 80), DuplicateOf: prev})
			continue
		}
		seen[rec.Email] = n
		out.Recipients = append(out.Recipients, rec)
		out.Lines = append(out.Lines, n)
	}
	return out, nil
}

// cut shortens s to at most n runes for a preview.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// PromoRecipientStore keeps recipients and what was sent to them.
type PromoRecipientStore interface {
	// AddPromoRecipients adds recipients to a code in one transaction; an
	// email already there keeps its row. It returns how many were added.
	AddPromoRecipients(ctx context.Context, codeID int64, rs []PromoRecipient) (added int, err error)
	// PromoRecipients lists a code's recipients (codeID 0: every code's) in
	// the order they were added.
	PromoRecipients(ctx context.Context, codeID int64) ([]PromoRecipient, error)
	// DeletePromoRecipient removes one recipient.
	DeletePromoRecipient(ctx context.Context, id int64) error
	// MarkRecipientSent records that the server accepted the message.
	MarkRecipientSent(ctx context.Context, id int64, at time.Time) error
	// MarkRecipientFailed records why a message was not accepted.
	MarkRecipientFailed(ctx context.Context, id int64, reason string, at time.Time) error
}
