package storage

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/trainpay/trainpay/app"
)

// matchTerm is a search term as an FTS5 query for the trigram search
// tables (00014): the folded term as one phrase, which the trigram
// tokenizer matches as a substring. FTS5's own syntax (AND, *, quotes) is
// plain text inside the phrase; its quotes are doubled. A term of fewer
// than app.SearchMinRunes characters has no trigram to look up and is
// refused rather than answered by a scan.
func matchTerm(term string) (string, error) {
	t := fold(strings.TrimSpace(term))
	if utf8.RuneCountInString(t) < app.SearchMinRunes {
		return "", app.SearchTooShort()
	}
	return `"` + strings.ReplaceAll(t, `"`, `""`) + `"`, nil
}

// readError is the error of a read that failed: the context's own error
// when the caller cancelled it (mattn's driver interrupts the statement,
// and SQLite then answers "interrupted"), so that callers can tell an
// abandoned query from a failure with errors.Is(err, context.Canceled);
// otherwise an internal error naming what.
func readError(ctx context.Context, err error, what string) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return app.Internal(err, what)
}
