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

// CacheDir is where Cached keeps its databases.
func CacheDir() string { return filepath.Join(os.TempDir(), "trainpay-demo") }

// generatorVersion changes whenever Generate writes different data for the
// same options (2: payment methods offered).
const generatorVersion = 2

// Cached returns the path of a database that holds demo data of o's sizes
// and seed, generating it on first use. The file is named after the sizes,
// the seed, the anchor month, the schema's version and fingerprint, and the
// generator's version, so tests and benchmarks of every package share it and
// a new schema or generator builds a new one. A build reports to
// o.Progress (nil is quiet); a file already built is returned at once.
// Callers must not write into it (copy it first). Concurrent callers, in
// this process or others, wait for the one that builds it.
func Cached(ctx context.Context, o Options) (string, error) {
	if o.Now.IsZero() {
		o.Now = Anchor(time.Now())
	}
	o.Force = false
	name := fmt.Sprintf("demo-v%d-%s-g%d-%s-seed%d-s%d-r%d-c%d-d%d.db", storage.SchemaVersion(), storage.SchemaFingerprint(), generatorVersion,
		o.Now.Format("20060102"), o.Seed, o.Sessions, o.Registrations, o.Codes, o.Departments)
	dir := CacheDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", app.Internal(err, "create the demo cache folder")
	}
	path := filepath.Join(dir, name)
	lock := path + ".lock"
	for {
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
		f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", app.Internal(err, "lock the demo cache")
		}
		// Someone else is building it; a lock older than half an hour
		// was left by a process that died.
		if st, err := os.Stat(lock); err == nil && time.Since(st.ModTime()) > 30*time.Minute {
			os.Remove(lock)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	defer os.Remove(lock)
	// Whoever held the lock before may have built it meanwhile.
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	// With the lock held nobody else builds this file: a temporary file of
	// its name was left by a build that was killed.
	if stale, err := filepath.Glob(filepath.Join(dir, "."+name+".demo-*.tmp*")); err == nil {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	// GenerateFile builds it beside path and renames it into place only
	// once it is complete: a build that fails leaves no file that the next
	// caller would take as built.
	if _, err := GenerateFile(ctx, path, o); err != nil {
		return "", err
	}
	return path, nil
}

// CopyTo copies the database at src (closed, checkpointed) to a new file
// dst, for a test that may write into it.
func CopyTo(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o600)
}
