// Package pcitest proves that card data never rests on disk. Tests that pay
// with test cards hand the files they wrote (databases and their WAL, logs,
// preferences, sandbox ledgers, secrets files) to Keep; `make test` points
// TRAINPAY_PCI_DIR at a fresh folder for the whole suite, and once every
// package has run, TestNoCardDataAtRest scans everything kept for every
// test card number and security code used.
package pcitest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/trainpay/trainpay/app"
)

// EnvDir names the folder that collects files for the scan; unset, Keep does
// nothing.
const EnvDir = "TRAINPAY_PCI_DIR"

// CardNumbers are the test card numbers the suite pays with: every Payflow
// test card, and the Maestro numbers of PayPal's REST sandbox.
var CardNumbers = func() []string {
	out := []string{"6304000000000000", "5063516945005047"}
	for n := range app.PayflowTestCards {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}()

// CVVs are the security codes the suite pays with, matched as whole tokens
// (not part of a longer run of digits) so that timestamps and amounts do not
// count.
var CVVs = []string{"123", "737", "1234", "4321", "8413"}

var seq atomic.Int64

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// Keep copies the named files (and each one's -wal and -shm) into the scan
// folder when the test ends, before t.TempDir is removed. Cleanups run last
// first: call it after registering the database's Close, so that the copy
// is made while the WAL still exists.
func Keep(t testing.TB, paths ...string) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		return
	}
	t.Cleanup(func() { Snapshot(t, paths...) })
}

// Snapshot copies the named files (and each one's -wal and -shm) into the
// scan folder now: for a database still open, whose WAL is gone once it is
// closed.
func Snapshot(t testing.TB, paths ...string) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		return
	}
	dest := filepath.Join(dir, fmt.Sprintf("%s-%d", unsafeName.ReplaceAllString(t.Name(), "_"), seq.Add(1)))
	for _, p := range paths {
		for _, f := range []string{p, p + "-wal", p + "-shm"} {
			if err := copyFile(f, filepath.Join(dest, filepath.Base(f))); err != nil && !os.IsNotExist(err) {
				t.Errorf("pcitest: keeping %s: %v", f, err)
			}
		}
	}
}

// KeepBytes writes data (a captured log, dumped preferences) into the scan
// folder when the test ends.
func KeepBytes(t testing.TB, name string, data func() []byte) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		return
	}
	t.Cleanup(func() {
		dest := filepath.Join(dir, fmt.Sprintf("%s-%d", unsafeName.ReplaceAllString(t.Name(), "_"), seq.Add(1)))
		if err := os.MkdirAll(dest, 0o700); err != nil {
			t.Errorf("pcitest: %v", err)
			return
		}
		if err := os.WriteFile(filepath.Join(dest, name), data(), 0o600); err != nil {
			t.Errorf("pcitest: %v", err)
		}
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
