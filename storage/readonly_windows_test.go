package storage_test

import (
	"os"
	"testing"

	"golang.org/x/sys/windows"
)

// makeReadOnly makes path (a folder or a file) refuse writes by this
// process until the test ends. On Windows the read-only attribute does not
// stop anyone creating files in a folder, so, for a folder and a file
// alike, an entry denying this user writes (and, in a folder, creating
// files and folders) goes first in its access list, as an administrator
// locking it would do; the list is put back afterwards.
func makeReadOnly(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := sd.DACL()
	if err != nil {
		t.Fatal(err)
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	// FILE_WRITE_DATA is FILE_ADD_FILE on a folder, FILE_APPEND_DATA is
	// FILE_ADD_SUBDIRECTORY.
	const deny = windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA | windows.FILE_WRITE_EA | windows.FILE_WRITE_ATTRIBUTES
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: deny,
		AccessMode:        windows.DENY_ACCESS,
		Inheritance:       windows.NO_INHERITANCE,
		Trustee: windows.TRUSTEE{
			TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_USER,
			TrusteeValue: windows.TrusteeValueFromSID(user.User.Sid),
		},
	}}, old)
	if err != nil {
		t.Fatal(err)
	}
	if err := windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION,
		nil, nil, acl, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION, nil, nil, old, nil)
	})
	// The entry must really stop this process, or the test would prove nothing.
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
