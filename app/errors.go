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
// as the fallback when a key has no translation.
type Error struct {
	Code    string
	Key     string
	Message string
	Data    map[string]any
	Err     error // the underlying cause, never shown to a person
}

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
