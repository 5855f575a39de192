package demodata

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

// GenerateFile writes demo data into the database file at path, all or
// nothing: a run that fails (a full disk, any error) or is cancelled
// (Ctrl-C) leaves the file exactly as it was, or leaves no file if there
// was none.
//
// It builds the result in a temporary file beside path, a copy of the
// database (VACUUM INTO: a consistent snapshot) or a new one, writes the
// demo data there with Generate, and renames it over path once it is
// complete and on disk: a rename within one folder is atomic. One
// transaction on the file itself would be all or nothing too, but the
// site's set-up goes through the site service, which commits on its own;
// and a transaction of a million registrations writes them twice (the
// WAL, then the checkpoint). The price of the copy is the disk space of a
// second file while it is built.
//
// A rename must not replace a file that another program has open (its
// writes would go to the replaced file, and its -wal file would be read
// against the new one), nor one written while the copy was built. So the
// file must have no -wal or -shm beside it (SQLite removes them when the
// last connection closes), and its size and modification time must be
// the same just before the rename as after the copy; otherwise nothing is
// written. Opening path, as every command does, brings an older schema up
// to date first.
//
// Without Options.Force, a file that holds demo data, real data or a
// configured site is refused before anything is copied.
func GenerateFile(ctx context.Context, path string, o Options) (_ Report, err error) {
	start := time.Now()
	defer func() {
		// A cancelled run fails in whatever it was doing (database/sql
		// rolls the transaction back under it): say why it stopped.
		if err != nil && ctx.Err() != nil {
			err = ctx.Err()
		}
	}()
	if err := o.Validate(); err != nil {
		return Report{}, err
	}
	target, err := filepath.Abs(path)
	if err != nil {
		return Report{}, app.Internal(err, "resolve the database path")
	}
	// Write where a symbolic link points: a rename would replace the link.
	if real, err := filepath.EvalSymlinks(target); err == nil {
		target = real
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return Report{}, app.Internal(err, "create the database folder").With(map[string]any{"Path": target})
	}
	// An empty file: SQLite and storage.Open take it as a new database, and
	// VACUUM INTO writes into it.
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".demo-*.tmp")
	if err != nil {
		return Report{}, app.Internal(err, "create a temporary file beside the database").With(map[string]any{"Path": target})
	}
	tmp := f.Name()
	f.Close()
	done := false
	defer func() {
		if !done {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(tmp + suffix)
			}
		}
	}()

	var before os.FileInfo
	if _, err := os.Stat(target); err == nil {
		if before, err = snapshot(ctx, target, tmp, o.Force); err != nil {
			return Report{}, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Report{}, app.Internal(err, "look at the database file").With(map[string]any{"Path": target})
	}

	db, err := storage.Open(tmp)
	if err != nil {
		return Report{}, err
	}
	rep, err := func() (Report, error) {
		if err := limitPages(ctx, db, o.maxExtraPages); err != nil {
			return Report{}, err
		}
		return Generate(ctx, db, o)
	}()
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return Report{}, err
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	if err := syncFile(tmp); err != nil {
		return Report{}, err
	}

	if err := unchanged(target, before); err != nil {
		return Report{}, err
	}
	if before != nil {
		if err := os.Chmod(tmp, before.Mode().Perm()); err != nil {
			return Report{}, app.Internal(err, "give the new database the file's permissions")
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return Report{}, app.Internal(err, "put the demo database in place").With(map[string]any{"Path": target})
	}
	done = true
	// The rename is durable once the folder is written; the data already is.
	syncFile(filepath.Dir(target))
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// snapshot checks the existing database at target (refusing it without
// force), copies it into tmp, and returns the file's state after the copy.
func snapshot(ctx context.Context, target, tmp string, force bool) (os.FileInfo, error) {
	if err := notInUse(target); err != nil {
		return nil, err
	}
	db, err := storage.Open(target)
	if err != nil {
		return nil, err
	}
	err = func() error {
		if !force {
			if err := refuse(ctx, db); err != nil {
				return err
			}
		}
		if _, err := db.Write().ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
			return app.Internal(err, "copy the database").With(map[string]any{"Path": target})
		}
		return nil
	}()
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := notInUse(target); err != nil {
		return nil, err
	}
	st, err := os.Stat(target)
	if err != nil {
		return nil, app.Internal(err, "look at the database file")
	}
	return st, nil
}

// notInUse refuses a database that another program has open: SQLite
// keeps its -wal and -shm files while any connection is open (or after a
// crash, until the next open recovers them).
func notInUse(target string) error {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(target + suffix); err == nil {
			return app.Errorf(app.ECONFLICT, "error.demo.in_use",
				"the database is open in another program (or was not closed cleanly): close TrainPay and try again").
				With(map[string]any{"Path": target})
		}
	}
	return nil
}

// unchanged refuses the rename when the file at target is no longer what
// was copied (or, for a new file, when one has appeared).
func unchanged(target string, before os.FileInfo) error {
	changed := app.Errorf(app.ECONFLICT, "error.demo.changed",
		"the database changed while the demo data was being built: nothing was written, run demo-data again").
		With(map[string]any{"Path": target})
	if err := notInUse(target); err != nil {
		return err
	}
	now, err := os.Stat(target)
	switch {
	case before == nil && errors.Is(err, fs.ErrNotExist):
		return nil
	case before == nil || err != nil:
		return changed
	case now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()) || !os.SameFile(now, before):
		return changed
	}
	return nil
}

func syncFile(path string) error {
	// Opened for writing: Windows flushes a file (FlushFileBuffers) only
	// through a handle with write access, and refuses a read-only one.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return app.Internal(err, "open the file to sync it")
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return app.Internal(err, "write the file to disk").With(map[string]any{"Path": path})
	}
	return nil
}

// limitPages caps the database at extra pages more than it has (tests).
func limitPages(ctx context.Context, db *storage.DB, extra int) error {
	if extra <= 0 {
		return nil
	}
	var n int
	if err := db.Write().QueryRowContext(ctx, `PRAGMA page_count`).Scan(&n); err != nil {
		return app.Internal(err, "count the pages")
	}
	if _, err := db.Write().ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, n+extra)); err != nil {
		return app.Internal(err, "cap the pages")
	}
	return nil
}
