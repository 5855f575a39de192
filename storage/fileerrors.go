package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/trainpay/trainpay/app"
)

// The database's file-system failures a person can act on are said as
// such; anything else stays an internal error (a generic sentence, the
// cause in the log). SQLite's result code says which it is; its text does
// not (in a read-only folder SQLite reports "unable to open database file:
// no such file or directory" about a file that is there, since what it
// could not create is the -wal file beside it).

// lockedError: another program (or another TrainPay) held SQLite's lock
// for longer than busyTimeout.
func lockedError(err error) *app.Error {
	return &app.Error{
		Code: app.ECONFLICT, Key: "error.db.locked",
		Message: fmt.Sprintf("the database is in use by another program that kept it locked for over %d seconds", int(busyTimeout/time.Second)),
		Data:    map[string]any{"Seconds": int(busyTimeout / time.Second)}, Err: err,
	}
}

// fullError: the disk (or SQLite's max_page_count) has no room left.
func fullError(err error) *app.Error {
	return &app.Error{
		Code: app.EUNAVAILABLE, Key: "error.db.full",
		Message: "the disk holding the database is full", Err: err,
	}
}

// readOnlyError: the file, or the folder SQLite must create the -wal and
// -shm files in, cannot be written.
func readOnlyError(path string, err error) *app.Error {
	return &app.Error{
		Code: app.EUNAVAILABLE, Key: "error.db.read_only",
		Message: fmt.Sprintf("%s cannot be written: TrainPay must be able to change it and create files beside it in its folder", path),
		Data:    map[string]any{"Path": path}, Err: err,
	}
}

// writeError is the error for a failed write (a statement, BEGIN, COMMIT):
// locked, full, or internal naming what.
func writeError(err error, what string) *app.Error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return lockedError(err)
		case sqlite3.ErrFull:
			return fullError(err)
		}
	}
	return app.Internal(err, what)
}

// openError is the error for a failure to open, read or migrate the
// database at path: damaged, locked, full, read-only, or internal naming
// what.
func openError(path string, err error, what string) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB, sqlite3.ErrCorrupt:
			return &app.Error{
				Code: app.EINVALID, Key: "error.db.damaged",
				Message: fmt.Sprintf("%s is damaged or is not a database", path),
				Data:    map[string]any{"Path": path}, Err: err,
			}
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return lockedError(err)
		case sqlite3.ErrFull:
			return fullError(err)
		case sqlite3.ErrReadonly:
			return readOnlyError(path, err)
		case sqlite3.ErrCantOpen, sqlite3.ErrIoErr, sqlite3.ErrPerm:
			// SQLite's errno is of its last attempt, often not the one
			// that matters: ask the file system itself.
			if notWritable(path) != nil {
				return readOnlyError(path, err)
			}
		}
	}
	if permissionError(err) {
		return readOnlyError(path, err)
	}
	return app.Internal(err, what).With(map[string]any{"Path": path})
}

// notWritable says why path cannot be opened for writing, or a file
// created in its folder, and nil when both can. It writes nothing but an
// empty file it removes at once, and is only asked after a failure.
func notWritable(path string) error {
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".trainpay-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// permissionError reports whether err is the file system refusing a write:
// permissions, or a read-only file system.
func permissionError(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}
