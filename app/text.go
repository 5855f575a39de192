package app

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The one rule for text a person types or a file brings in (names, company,
// topic, cost centre, notes, message templates...):
//
//   - leading and trailing white space is trimmed (TrimLine, TrimText);
//   - a single-line field (CheckLine) holds no control character at all:
//     Unicode category Cc (NUL, BEL, tab, line feed, carriage return, DEL,
//     the C1 controls), nor the line and paragraph separators U+2028 and
//     U+2029, which break lines as a line feed does;
//   - a multi-line field (CheckText: a session's description, a message's
//     text) allows line feeds and tabs and nothing else of the above; a
//     carriage return is not refused but turned into a line feed by
//     TrimText (Windows' "\r\n" and old Macs' "\r" both become "\n");
//   - neither holds an invisible format character (category Cf) but the
//     zero-width non-joiner and joiner. Cf holds the bidirectional
//     overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069)
//     and marks (U+200E, U+200F, U+061C) that make "Anna", U+202E, "gnp.exe"
//     read as "Annaexe.png" in a list, a CSV or a receipt, and the zero-width
//     space, word joiner, soft hyphen and byte-order mark that make two
//     names look alike while differing. No name needs them. The
//     zero-width non-joiner and joiner (U+200C, U+200D) are allowed: Persian
//     and Indic names are spelt with them, and emoji sequences use the
//     joiner;
//   - the text is valid UTF-8.
//
// A refused field is an EINVALID *Error "error.text.control" (a
// multi-line field's "error.text.control_multiline"; text that is not
// UTF-8 "error.text.encoding") whose Data names the field ("Field": a
// TextField, which the UI shows as "field.<name>" in the reader's
// language) and the character ("Char": "U+0007").

// TextField names a field of free text in messages: the UI translates it as
// "field." + the name.
type TextField string

// The fields the rule checks.
const (
	FieldFirstName       TextField = "first_name"
	FieldLastName        TextField = "last_name"
	FieldCompany         TextField = "company"
	FieldRecipientName   TextField = "recipient_name"
	FieldDepartmentName  TextField = "department_name"
	FieldCostCentre      TextField = "cost_centre"
	FieldBudgetOwner     TextField = "budget_owner"
	FieldTopic           TextField = "topic"
	FieldDescription     TextField = "description"
	FieldSiteName        TextField = "site_name"
	FieldNote            TextField = "note"
	FieldReference       TextField = "reference"
	FieldTemplateSubject TextField = "template_subject"
	FieldTemplateBody    TextField = "template_body"
	FieldSenderName      TextField = "sender_name"
	FieldCardholder      TextField = "holder"
)

// englishFieldNames are the fields' names in the English message kept for
// logs.
var englishFieldNames = map[TextField]string{
	FieldFirstName: "first name", FieldLastName: "last name", FieldCompany: "company",
	FieldRecipientName: "recipient's name", FieldDepartmentName: "department name",
	FieldCostCentre: "cost centre", FieldBudgetOwner: "budget owner", FieldTopic: "topic",
	FieldDescription: "description", FieldSiteName: "site name", FieldNote: "note", FieldReference: "reference",
	FieldTemplateSubject: "subject", FieldTemplateBody: "message text", FieldSenderName: "sender's name",
	FieldCardholder: "cardholder's name",
}

// TextFields lists every field the rule checks (for the UI's translations
// of their names).
func TextFields() []TextField {
	out := make([]TextField, 0, len(englishFieldNames))
	for f := range englishFieldNames {
		out = append(out, f)
	}
	return out
}

// TrimLine is how a single-line field is stored: without leading and
// trailing white space.
func TrimLine(s string) string { return strings.TrimSpace(s) }

// TrimText is how a multi-line field is stored: line breaks as "\n", and
// without leading and trailing white space.
func TrimText(s string) string {
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return strings.TrimSpace(s)
}

// CheckLine refuses a single-line field (after TrimLine) that holds a
// control or format character, or is not UTF-8.
func CheckLine(field TextField, s string) error { return checkText(field, s, false) }

// CheckText refuses a multi-line field (after TrimText) that holds a
// control or format character other than a line feed or a tab, or is not
// UTF-8.
func CheckText(field TextField, s string) error { return checkText(field, s, true) }

// fieldText is a field and its text, for checkLines.
type fieldText struct {
	field TextField
	text  string
}

// checkLines checks single-line fields in order with CheckLine; the first
// refusal is returned.
func checkLines(fs ...fieldText) error {
	for _, f := range fs {
		if err := CheckLine(f.field, f.text); err != nil {
			return err
		}
	}
	return nil
}

func checkText(field TextField, s string, multiLine bool) error {
	name := englishFieldNames[field]
	if name == "" {
		name = string(field)
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return Errorf(EINVALID, "error.text.encoding", "the %s is not UTF-8 text", name).
					WithField(string(field))
			}
		}
		if multiLine && (r == '\n' || r == '\t') {
			continue
		}
		if forbiddenRune(r) {
			key := "error.text.control"
			if multiLine {
				key = "error.text.control_multiline" // the message says line breaks and tabs are fine
			}
			return Errorf(EINVALID, key, "the %s contains the control character %s", name, runeName(r)).
				With(map[string]any{"Char": runeName(r)}).WithField(string(field))
		}
	}
	return nil
}

// forbiddenRune reports whether r may not appear in any field of text
// (see the rule above; line feeds and tabs are the multi-line fields'
// exception, made by the caller).
func forbiddenRune(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r <= 0x9f: // Cc
		return true
	case r < 0x7f:
		return false
	case r == '\u200c' || r == '\u200d':
		return false
	case r == '\u2028' || r == '\u2029':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// HasControl reports whether s holds a character no field of text may
// hold, line feeds and tabs included (for checks such as an email
// address's, which have their own message).
func HasControl(s string) bool {
	for _, r := range s {
		if forbiddenRune(r) {
			return true
		}
	}
	return false
}

// VisibleText returns s with every character the text rule forbids (line
// feeds and tabs included) and every byte that is not UTF-8 replaced by
// U+FFFD, for echoing refused input in a message or a preview: the person
// sees where the character was, and a right-to-left override in it cannot
// turn the preview around.
func VisibleText(s string) string { return replaceForbidden(s, "") }

// replaceForbidden replaces the characters forbiddenRune refuses, but those
// in keep, and bytes that are not UTF-8, with U+FFFD.
func replaceForbidden(s, keep string) string {
	if !HasControl(s) && utf8.ValidString(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if forbiddenRune(r) && !strings.ContainsRune(keep, r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

func runeName(r rune) string { return fmt.Sprintf("U+%04X", r) }
