package postgres

import (
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trainpay/trainpay/app"
)

// internalError is app.Internal for the organisation database, except for
// a statement the server's grants refused for this login (EUNAUTHORIZED
// "error.orgdb.not_allowed") and the server not answering (a connection that could not be made or was
// lost, a server shutting down or starting): that is EUNAVAILABLE
// "error.orgdb.lost", so that a screen says the database is away and
// comes back by itself, and the health watcher's banner and the payment
// gate recognise it (IsUnreachable).
func internalError(err error, what string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" {
		// insufficient_privilege: the server's grants or row-level
		// security refused this login (migration 00020).
		return &app.Error{
			Code: app.EUNAUTHORIZED, Key: "error.orgdb.not_allowed",
			Message: "the organisation database does not allow this login to " + what, Err: err,
		}
	}
	if IsUnreachable(err) {
		return &app.Error{
			Code: app.EUNAVAILABLE, Key: "error.orgdb.lost",
			Message: "the connection to the organisation database was lost (" + what + ")", Err: err,
		}
	}
	return app.Internal(err, what)
}

// IsUnreachable says whether err is the organisation database not
// answering: the store's own "unreachable" or "lost", or, under whatever
// wrapped it, a connection that could not be made (pgconn's connect error,
// a network error, an unexpected end of the stream), a connection
// exception (SQLSTATE class 08) or a server shutting down or starting
// (57P01 to 57P03).
func IsUnreachable(err error) bool {
	if err == nil {
		return false
	}
	if e := app.AsError(err); e.Key == "error.orgdb.unreachable" || e.Key == "error.orgdb.lost" {
		return true
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return false
}
