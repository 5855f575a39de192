package app

import (
	"errors"
	"fmt"
)

// Error codes. The UI turns a code (and the error's Key) into a sentence for a
// person; raw SQL or HTTP errors never reach a dialog.
const (
	ECONFLICT     = "conflict"     // the action conflicts with the current state (already exists, already done)
	EINTERNAL     = "internal"     // a bug or an unexpected failure underneath
	EINVALID      = "invalid"      // the input does not pass validation
	ENOTFOUND     = "not_found"    // the thing does not exist
	EUNAUTHORIZED = "unauthorized" // wrong passphrase, or no administrator session
	ELOCKED       = "locked"       // too many wrong passphrases: wait
	EUNAVAILABLE  = "unavailable"  // a feature that is not provisioned or not enabled
	EDECLINED     = "declined"     // a payment was declined
	EUNKNOWN      = "unknown"      // a payment's outcome is not known yet
)

// Error is the domain's error. Key names a translation (assets/translations)
// whose template may use Data; Message is the English text used in logs and
// as the fallback when a key has no translation. A form reads Field and
// Severity to place and time the message; it never matches keys for that.
type Error struct {
	Code    string
	Key     string
	Message string
	Data    map[string]any
	Err     error // the underlying cause, never shown to a person

	// Field names the input the error is about ("number", "expiry",
	// "postcode", a TextField...), "" when it is about no one input.
	Field string
	// Severity says whether more typing may still mend the input.
	Severity Severity
}

// Severity says how a form should present a validation error. Every
// severity blocks the action the form leads to (Pay, Save).
type Severity uint8

const (
	// SeverityInvalid: the input is wrong as it stands and more typing
	// cannot mend it (letters in a number, a bad check digit, a past
	// date). A form shows it at once.
	SeverityInvalid Severity = iota
	// SeverityIncomplete: the input may be unfinished (too short so far).
	// A form shows it once the person leaves the field.
	SeverityIncomplete
	// SeverityMissing: a required input (or, for a pair of alternatives,
	// both of them) is empty. A form shows it once the person has left the
	// field (each of the alternatives) or asked to go on.
	SeverityMissing
)

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code, translation key and English
// message.
func Errorf(code, key, format string, args ...any) *Error {
	return &Error{Code: code, Key: key, Message: fmt.Sprintf(format, args...)}
}

// With returns a copy of e carrying template data for its translation.
func (e *Error) With(data map[string]any) *Error {
	c := *e
	c.Data = data
	return &c
}

// WithField returns a copy of e about field: Field is set and Data["Field"]
// too, for translations that name the field.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	c.Data = make(map[string]any, len(e.Data)+1)
	for k, v := range e.Data {
		c.Data[k] = v
	}
	c.Data["Field"] = field
	return &c
}

// WithSeverity returns a copy of e with the given severity.
func (e *Error) WithSeverity(s Severity) *Error {
	c := *e
	c.Severity = s
	return &c
}

// Internal wraps an unexpected failure (database, file system) so that a
// person sees a generic sentence while the cause is kept for the log.
func Internal(err error, what string) *Error {
	return &Error{Code: EINTERNAL, Key: "error.internal", Message: what, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// AsError returns the first *Error in err's chain, or wraps err as internal.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err, "unexpected error")
}
