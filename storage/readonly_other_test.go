//go:build !windows

package storage_test

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// makeReadOnly makes path (a folder or a file) refuse writes by this
// process until the test ends. Permissions do that for a user; root writes
// through them, so as root the file system's immutable attribute (chattr
// +i) does it instead: it binds root too, and refuses creating files in a
// folder as a read-only mount would.
func makeReadOnly(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, fi.Mode().Perm()&^0o222); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(path, fi.Mode().Perm()) })
		return
	}
	if runtime.GOOS != "linux" {
		t.Fatalf("as root on %s this test has no way to make %s read-only", runtime.GOOS, path)
	}
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Fatalf("as root, a read-only folder needs the immutable attribute (chattr +i %s): %v: %s", path, err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
	// The attribute must really stop root, or the test would prove nothing.
	if fi.IsDir() {
		if f, err := os.CreateTemp(path, "probe"); err == nil {
			f.Close()
			os.Remove(f.Name())
			t.Fatalf("%s is still writable", path)
		}
	} else if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		f.Close()
		t.Fatalf("%s is still writable", path)
	}
}
