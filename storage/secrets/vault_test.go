package secrets

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/zalando/go-keyring"
)

// Tests never reach the real keychain: TestMain installs go-keyring's mock
// before anything runs, and every test installs its own mock again.
func TestMain(m *testing.M) {
	keyring.MockInitWithError(errors.New("real keychain disabled in tests"))
	os.Exit(m.Run())
}

// cheap argon2id parameters for tests.
var cheapKDF = app.Argon2Params{Memory: 64, Time: 1, Threads: 1}

const (
	pass    = "correct horse battery staple"
	newPass = "another long passphrase"
)

func noKeychain() {
	keyring.MockInitWithError(errors.New("dbus: no Secret Service"))
}

func fileVault(t *testing.T, path string) *Vault {
	t.Helper()
	v := New(Options{Service: "TrainPay:test", FallbackPath: path, KDF: cheapKDF})
	if got := v.Backend(); got != BackendFile {
		t.Fatalf("Backend() = %q, want file", got)
	}
	return v
}

func wantErr(t *testing.T, err error, code, key string) {
	t.Helper()
	var e *app.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *app.Error %s/%s", err, code, key)
	}
	if e.Code != code || e.Key != key {
		t.Fatalf("error = %s/%s (%v), want %s/%s", e.Code, e.Key, e, code, key)
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	mustNil(t, err)
	return sha256.Sum256(b)
}

// ---- keychain backend ----

func TestKeychainRoundTrip(t *testing.T) {
	keyring.MockInit()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := New(Options{Service: "TrainPay:db1", FallbackPath: path, KDF: cheapKDF})
	if got := v.Backend(); got != BackendKeychain {
		t.Fatalf("Backend() = %q, want keychain", got)
	}
	mustNil(t, v.Unlock("ignored"))
	mustNil(t, v.Set(PayflowPassword, "s3cret-pwd"))
	got, err := v.Get(PayflowPassword)
	mustNil(t, err)
	if got != "s3cret-pwd" {
		t.Fatalf("Get = %q", got)
	}
	mustNil(t, v.Set(PayflowPassword, "changed"))
	if got, _ := v.Get(PayflowPassword); got != "changed" {
		t.Fatalf("Get after overwrite = %q", got)
	}
	mustNil(t, v.Delete(PayflowPassword))
	_, err = v.Get(PayflowPassword)
	wantErr(t, err, app.ENOTFOUND, "error.secret.not_found")
	mustNil(t, v.Delete(PayflowPassword)) // idempotent
	mustNil(t, v.Rekey(pass, newPass))

	// The probe left nothing behind, and no file was written.
	if _, err := keyring.Get("TrainPay:db1", probeName); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("probe entry left in keychain: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("fallback file created with a keychain: %v", err)
	}
}

func TestKeychainServiceIsolation(t *testing.T) {
	keyring.MockInit()
	a := New(Options{Service: "TrainPay:db-a"})
	b := New(Options{Service: "TrainPay:db-b"})
	mustNil(t, a.Set(NVPSignature, "sig-a"))
	_, err := b.Get(NVPSignature)
	wantErr(t, err, app.ENOTFOUND, "error.secret.not_found")
	mustNil(t, b.Set(NVPSignature, "sig-b"))
	if got, _ := a.Get(NVPSignature); got != "sig-a" {
		t.Fatalf("a sees %q", got)
	}
	mustNil(t, b.Delete(NVPSignature))
	if got, _ := a.Get(NVPSignature); got != "sig-a" {
		t.Fatalf("deleting in b removed a's secret: %q", got)
	}
}

// fakeKeyring answers the probe and then fails in a chosen way.
type fakeKeyring struct {
	mu     sync.Mutex
	m      map[string]string
	setErr func(password string) error
}

func (f *fakeKeyring) Set(service, user, password string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if user != probeName && f.setErr != nil {
		return f.setErr(password)
	}
	if f.m == nil {
		f.m = map[string]string{}
	}
	f.m[service+"\x00"+user] = password
	return nil
}

func (f *fakeKeyring) Get(service, user string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.m[service+"\x00"+user]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

func (f *fakeKeyring) Delete(service, user string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, service+"\x00"+user)
	return nil
}

func TestKeychainTooBig(t *testing.T) {
	kr := &fakeKeyring{setErr: func(string) error { return ErrSetDataTooBig }}
	v := New(Options{Service: "TrainPay:x", Keyring: kr})
	err := v.Set(RESTClientSecret, "fits our limit but not this keychain")
	wantErr(t, err, app.EINVALID, "error.secret.too_big")

	// Our own limit applies on every backend.
	err = v.Set(RESTClientSecret, strings.Repeat("x", MaxValueLen+1))
	wantErr(t, err, app.EINVALID, "error.secret.too_big")
}

func TestKeychainErrorHidesValue(t *testing.T) {
	kr := &fakeKeyring{setErr: func(pw string) error {
		return fmt.Errorf("security: could not add item with -w %s", pw)
	}}
	v := New(Options{Service: "TrainPay:x", Keyring: kr})
	err := v.Set(SMTPPassword, "hunter2-smtp")
	wantErr(t, err, app.EUNAVAILABLE, "error.secret.keychain")
	if strings.Contains(err.Error(), "hunter2-smtp") || strings.Contains(fmt.Sprintf("%+v", err), "hunter2-smtp") {
		t.Fatalf("error leaks the value: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	keyring.MockInit()
	v := New(Options{Service: "TrainPay:x"})
	for _, name := range []string{"", probeName, "a b", ".x", "zażółć", strings.Repeat("a", 129)} {
		wantErr(t, v.Set(name, "v"), app.EINTERNAL, "error.internal")
	}
	wantErr(t, v.Set(PayflowUser, ""), app.EINVALID, "error.secret.empty")
	wantErr(t, v.Set(PayflowUser, "\xff"), app.EINTERNAL, "error.internal")
	wantErr(t, New(Options{}).Set(PayflowUser, "v"), app.EINTERNAL, "error.internal")
}

// ---- choice of backend ----

func TestNoKeychainNoFile(t *testing.T) {
	noKeychain()
	v := New(Options{Service: "TrainPay:x"})
	wantErr(t, v.Unlock(pass), app.EUNAVAILABLE, "error.secret.unavailable")
	wantErr(t, v.Set(PayflowUser, "u"), app.EUNAVAILABLE, "error.secret.unavailable")
}

func TestExistingFileWinsOverKeychain(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	mustNil(t, v.Set(PayflowVendor, "vendor"))

	keyring.MockInit() // a keychain appears later
	w := New(Options{Service: "TrainPay:test", FallbackPath: path, KDF: cheapKDF})
	if got := w.Backend(); got != BackendFile {
		t.Fatalf("Backend() = %q, want file (secrets live there)", got)
	}
	mustNil(t, w.Unlock(pass))
	if got, _ := w.Get(PayflowVendor); got != "vendor" {
		t.Fatalf("Get = %q", got)
	}
}

// ---- file backend ----

func TestFileCreatedPrivate(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("file created before Unlock")
	}
	mustNil(t, v.Unlock(pass))
	fi, err := os.Stat(path)
	mustNil(t, err)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
	mustNil(t, v.Set(PayflowPassword, "pwd"))
	fi, err = os.Stat(path)
	mustNil(t, err)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after write = %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, []byte(magic)) || b[8] != formatVersion {
		t.Fatalf("bad header % x", b[:9])
	}
}

func TestFileLockedBeforeUnlock(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	_, err := v.Get(PayflowUser)
	wantErr(t, err, app.EUNAUTHORIZED, "error.secret.locked")
	wantErr(t, v.Set(PayflowUser, "u"), app.EUNAUTHORIZED, "error.secret.locked")
	wantErr(t, v.Delete(PayflowUser), app.EUNAUTHORIZED, "error.secret.locked")

	mustNil(t, v.Unlock(pass))
	mustNil(t, v.Set(PayflowUser, "u"))
	v.Lock()
	_, err = v.Get(PayflowUser)
	wantErr(t, err, app.EUNAUTHORIZED, "error.secret.locked")
}

func TestFileRoundTripAfterReopen(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	want := map[string]string{
		PayflowUser: "apiuser", PayflowVendor: "vendor", PayflowPartner: "PayPalUK", PayflowPassword: "pwd-ąę€",
		NVPUser: "seller_api1.example.com", NVPPassword: "ABCDEF1234567890", NVPSignature: strings.Repeat("S", 56),
		RESTClientID: "AZid", RESTClientSecret: strings.Repeat("E", 80), SMTPPassword: "smtp",
	}
	for k, val := range want {
		mustNil(t, v.Set(k, val))
	}
	mustNil(t, v.Delete(SMTPPassword))
	delete(want, SMTPPassword)

	w := fileVault(t, path)
	mustNil(t, w.Unlock(pass))
	for k, val := range want {
		got, err := w.Get(k)
		mustNil(t, err)
		if got != val {
			t.Fatalf("%s = %q, want %q", k, got, val)
		}
	}
	_, err := w.Get(SMTPPassword)
	wantErr(t, err, app.ENOTFOUND, "error.secret.not_found")
}

func TestFileWrongPassphrase(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	mustNil(t, v.Set(PayflowPassword, "pwd"))
	before := fileSum(t, path)

	w := fileVault(t, path)
	wantErr(t, w.Unlock("wrong passphrase!"), app.EUNAUTHORIZED, "error.secret.wrong_passphrase")
	wantErr(t, w.Unlock(""), app.EUNAUTHORIZED, "error.secret.wrong_passphrase")
	_, err := w.Get(PayflowPassword)
	wantErr(t, err, app.EUNAUTHORIZED, "error.secret.locked")
	wantErr(t, w.Set(PayflowPassword, "x"), app.EUNAUTHORIZED, "error.secret.locked")
	if fileSum(t, path) != before {
		t.Fatal("file changed after a wrong passphrase")
	}

	// A wrong passphrase does not lock an unlocked vault either.
	wantErr(t, v.Unlock("wrong passphrase!"), app.EUNAUTHORIZED, "error.secret.wrong_passphrase")
	if got, err := v.Get(PayflowPassword); err != nil || got != "pwd" {
		t.Fatalf("Get = %q, %v", got, err)
	}
}

func TestFileDamaged(t *testing.T) {
	noKeychain()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.secrets")
	v := fileVault(t, good)
	mustNil(t, v.Unlock(pass))
	mustNil(t, v.Set(PayflowPassword, "pwd"))
	orig, err := os.ReadFile(good)
	mustNil(t, err)

	resum := func(b []byte) []byte {
		s := sha256.Sum256(b[:len(b)-sumLen])
		copy(b[len(b)-sumLen:], s[:])
		return b
	}
	cases := map[string]struct {
		mutate func([]byte) []byte
		key    string
	}{
		"empty":       {func([]byte) []byte { return nil }, "error.secret.corrupt"},
		"not ours":    {func([]byte) []byte { return []byte("SQLite format 3\x00...") }, "error.secret.corrupt"},
		"truncated":   {func(b []byte) []byte { return b[:len(b)/2] }, "error.secret.corrupt"},
		"bit flip":    {func(b []byte) []byte { b[aadLen+3] ^= 1; return b }, "error.secret.corrupt"},
		"salt flip":   {func(b []byte) []byte { b[25] ^= 1; return b }, "error.secret.corrupt"},
		"tampered":    {func(b []byte) []byte { b[aadLen+3] ^= 1; return resum(b) }, "error.secret.corrupt"},
		"huge memory": {func(b []byte) []byte { copy(b[11:15], []byte{0xff, 0xff, 0xff, 0xff}); return resum(b) }, "error.secret.corrupt"},
		"newer":       {func(b []byte) []byte { b[8] = 2; return resum(b) }, "error.secret.too_new"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".secrets")
			mustNil(t, os.WriteFile(path, c.mutate(bytes.Clone(orig)), 0o600))
			before := fileSum(t, path)
			w := fileVault(t, path)
			err := w.Unlock(pass)
			wantErr(t, err, app.EINTERNAL, c.key)
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("message does not name the file: %v", err)
			}
			wantErr(t, w.Set(PayflowPassword, "x"), app.EUNAUTHORIZED, "error.secret.locked")
			wantErr(t, w.Rekey(pass, newPass), app.EINTERNAL, c.key)
			if fileSum(t, path) != before {
				t.Fatal("damaged file was modified")
			}
		})
	}
}

func TestFileRekey(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	mustNil(t, v.Set(NVPPassword, "nvp-pwd"))
	before := fileSum(t, path)
	oldSalt := readSalt(t, path)

	wantErr(t, v.Rekey("not the passphrase", newPass), app.EUNAUTHORIZED, "error.secret.wrong_passphrase")
	wantErr(t, v.Rekey(pass, "short"), app.EINVALID, "error.passphrase.short")
	if fileSum(t, path) != before {
		t.Fatal("file changed by a refused Rekey")
	}

	mustNil(t, v.Rekey(pass, newPass))
	if bytes.Equal(readSalt(t, path), oldSalt) {
		t.Fatal("Rekey kept the salt")
	}
	if got, err := v.Get(NVPPassword); err != nil || got != "nvp-pwd" {
		t.Fatalf("after Rekey Get = %q, %v", got, err)
	}
	mustNil(t, v.Set(NVPUser, "user")) // still unlocked, under the new key

	w := fileVault(t, path)
	wantErr(t, w.Unlock(pass), app.EUNAUTHORIZED, "error.secret.wrong_passphrase")
	mustNil(t, w.Unlock(newPass))
	for k, want := range map[string]string{NVPPassword: "nvp-pwd", NVPUser: "user"} {
		if got, err := w.Get(k); err != nil || got != want {
			t.Fatalf("%s = %q, %v", k, got, err)
		}
	}

	// Rekey with no file yet is a no-op; the next Unlock creates the file.
	other := filepath.Join(t.TempDir(), "none.secrets")
	mustNil(t, fileVault(t, other).Rekey(pass, newPass))
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Rekey created a file")
	}
}

func readSalt(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	mustNil(t, err)
	return b[20:36]
}

func TestFileConcurrentSet(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				name := fmt.Sprintf("g%d.s%d", g, i)
				if err := v.Set(name, "value-"+name); err != nil {
					t.Error(err)
				}
				if _, err := v.Get(name); err != nil {
					t.Error(err)
				}
				_ = v.Backend()
			}
		}()
	}
	wg.Wait()

	w := fileVault(t, path)
	mustNil(t, w.Unlock(pass))
	for g := range 8 {
		for i := range 5 {
			name := fmt.Sprintf("g%d.s%d", g, i)
			if got, err := w.Get(name); err != nil || got != "value-"+name {
				t.Fatalf("%s = %q, %v", name, got, err)
			}
		}
	}
}

func TestFileFailedWriteKeepsOldFile(t *testing.T) {
	noKeychain()
	dir := t.TempDir()
	path := filepath.Join(dir, "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	mustNil(t, v.Set(PayflowPassword, "old"))
	before := fileSum(t, path)

	// A failure after the temporary file is fully written (a crash, a full
	// disk at rename time) leaves the old file and no temporary file.
	v.beforeRename = func(tmp string) error {
		if _, err := os.Stat(tmp); err != nil {
			t.Errorf("temporary file missing: %v", err)
		}
		return errors.New("simulated crash before rename")
	}
	wantErr(t, v.Set(PayflowPassword, "new"), app.EINTERNAL, "error.internal")
	wantErr(t, v.Delete(PayflowPassword), app.EINTERNAL, "error.internal")
	if fileSum(t, path) != before {
		t.Fatal("old file changed")
	}
	if got, _ := v.Get(PayflowPassword); got != "old" {
		t.Fatalf("in-memory value = %q after a failed write", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("leftover files: %v", entries)
	}
	v.beforeRename = nil
	mustNil(t, v.Set(PayflowPassword, "new"))
}

func TestFileReadOnlyDirKeepsOldFile(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs a non-root POSIX user for a read-only directory")
	}
	noKeychain()
	dir := t.TempDir()
	path := filepath.Join(dir, "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	mustNil(t, v.Set(PayflowPassword, "old"))
	before := fileSum(t, path)
	mustNil(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { os.Chmod(dir, 0o700) })

	wantErr(t, v.Set(PayflowPassword, "new"), app.EINTERNAL, "error.internal")
	if fileSum(t, path) != before {
		t.Fatal("old file changed")
	}
	if got, _ := v.Get(PayflowPassword); got != "old" {
		t.Fatalf("in-memory value = %q after a failed write", got)
	}
}

func TestFileHoldsNoPlaintext(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	secretsIn := map[string]string{
		PayflowPassword:  "PLAINTEXT-payflow-pwd-7f3a",
		NVPSignature:     "PLAINTEXT-signature-AFcWxV21C7fd0v3bYYYRCpSSRl31A",
		RESTClientSecret: "PLAINTEXT-rest-secret-EJ0h",
	}
	for k, val := range secretsIn {
		mustNil(t, v.Set(k, val))
	}
	b, err := os.ReadFile(path)
	mustNil(t, err)
	for k, val := range secretsIn {
		for _, needle := range []string{val, k, "PLAINTEXT", pass} {
			if bytes.Contains(b, []byte(needle)) {
				t.Fatalf("file contains %q (from %s)", needle, k)
			}
		}
	}

	// Each write uses a fresh nonce: the same contents never give the same
	// bytes.
	mustNil(t, v.Delete(PayflowPassword))
	mustNil(t, v.Set(PayflowPassword, secretsIn[PayflowPassword]))
	b2, _ := os.ReadFile(path)
	if bytes.Equal(b[headerLen:aadLen], b2[headerLen:aadLen]) || bytes.Equal(b, b2) {
		t.Fatal("nonce reused")
	}
}

func TestPrintingVaultHidesValues(t *testing.T) {
	noKeychain()
	path := filepath.Join(t.TempDir(), "trainpay.secrets")
	v := fileVault(t, path)
	mustNil(t, v.Unlock(pass))
	mustNil(t, v.Set(PayflowPassword, "do-not-print-me"))
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, v); strings.Contains(s, "do-not-print-me") {
			t.Fatalf("%s prints the secret: %s", f, s)
		}
	}
	if s := fmt.Sprintf("%+v %#v", v.st, v.st); strings.Contains(s, "do-not-print-me") {
		t.Fatalf("state prints the secret: %s", s)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"":                             "",
		"short":                        "••••",
		"elevenchars":                  "••••",
		"twelve-chars":                 "••••rs",
		"EJ0h0ZxQ-secret-ąę":           "••••ąę",
		strings.Repeat("x", 80) + "yz": "••••yz",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
