package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trainpay/trainpay/app"
	"github.com/zalando/go-keyring"
)

// Names of the merchant credentials. Any name made of ASCII letters, digits,
// '.', '_' and '-' (starting with a letter or digit, at most 128 bytes) is
// accepted; these are the ones TrainPay uses.
const (
	PayflowUser     = "payflow.user"
	PayflowVendor   = "payflow.vendor"
	PayflowPartner  = "payflow.partner"
	PayflowPassword = "payflow.pwd"

	NVPUser      = "nvp.user"
	NVPPassword  = "nvp.pwd"
	NVPSignature = "nvp.signature"

	RESTClientID     = "rest.client_id"
	RESTClientSecret = "rest.client_secret"

	SMTPPassword = "smtp.password"
)

// Backends reported by Vault.Backend.
const (
	BackendKeychain = "keychain"
	BackendFile     = "file"
)

// MaxValueLen is the longest value accepted, in bytes, on every backend, so a
// credential that fits on one machine fits on all (Windows Credential Manager
// takes at most 2560 bytes; macOS's security tool limits the whole command to
// 4096 bytes).
const MaxValueLen = 2048

// ErrNotFound and ErrSetDataTooBig are the errors an injected Keyring must
// return for a missing item and for a value the keychain cannot hold. They
// are go-keyring's own errors.
var (
	ErrNotFound      = keyring.ErrNotFound
	ErrSetDataTooBig = keyring.ErrSetDataTooBig
)

// Keyring is the part of go-keyring the Vault uses; tests inject their own.
type Keyring interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// SystemKeyring is the operating system's keychain through go-keyring. It
// calls go-keyring's package functions on every call, so keyring.MockInit
// and keyring.MockInitWithError in tests take effect.
type SystemKeyring struct{}

func (SystemKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

func (SystemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }

func (SystemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// Options configure a Vault.
type Options struct {
	// Service is the keychain service name, unique per database, e.g.
	// "TrainPay:<db-id>". Required.
	Service string
	// FallbackPath is the encrypted file used when no keychain answers,
	// e.g. next to the database: "trainpay.secrets". Without it a machine
	// with no keychain has no place for secrets (EUNAVAILABLE).
	FallbackPath string
	// Keyring is the keychain; nil means SystemKeyring.
	Keyring Keyring
	// KDF are the argon2id parameters for a new file and for Rekey; the
	// zero value means app.DefaultArgon2. An existing file keeps the
	// parameters stored in it until the next Rekey.
	KDF app.Argon2Params
}

// Vault keeps named secrets in the keychain or in the encrypted file. It is
// safe for concurrent use. The backend is chosen once, on first use.
type Vault struct {
	opts Options

	mu      sync.Mutex
	chosen  bool
	backend string
	// st holds the file backend's key and decrypted secrets; nil while
	// locked. It is a pointer so that fmt never prints its contents.
	st *fileState
	// beforeRename, when set by tests, runs after the temporary file is
	// written and synced and before it replaces the old file.
	beforeRename func(tmp string) error
}

// New returns a Vault. It does not touch the keychain or the disk yet.
func New(opts Options) *Vault {
	if opts.Keyring == nil {
		opts.Keyring = SystemKeyring{}
	}
	if opts.KDF == (app.Argon2Params{}) {
		opts.KDF = app.DefaultArgon2
	}
	return &Vault{opts: opts}
}

// String describes the vault without any secret.
func (v *Vault) String() string {
	return fmt.Sprintf("secrets.Vault(service=%q)", v.opts.Service)
}

// probeName cannot be the name of a real secret (see checkName).
const probeName = "#probe"

// choose picks the backend once; v.mu is held.
//
// An existing fallback file wins over the keychain: the secrets were put
// there when no keychain answered, and switching silently would make them
// disappear. Otherwise the keychain is probed with a throw-away item.
func (v *Vault) choose() {
	if v.chosen {
		return
	}
	v.chosen = true
	if v.opts.FallbackPath != "" {
		if _, err := os.Lstat(v.opts.FallbackPath); err == nil || !errors.Is(err, os.ErrNotExist) {
			v.backend = BackendFile
			return
		}
	}
	if v.probe() == nil {
		v.backend = BackendKeychain
	} else {
		v.backend = BackendFile
	}
}

func (v *Vault) probe() error {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	want := hex.EncodeToString(b)
	kr := v.opts.Keyring
	if err := kr.Set(v.opts.Service, probeName, want); err != nil {
		return err
	}
	got, err := kr.Get(v.opts.Service, probeName)
	if err != nil {
		_ = kr.Delete(v.opts.Service, probeName)
		return err
	}
	if err := kr.Delete(v.opts.Service, probeName); err != nil {
		return err
	}
	if got != want {
		return errors.New("keychain returned a different value")
	}
	return nil
}

// start checks the configuration and chooses the backend; v.mu is held.
func (v *Vault) start() error {
	if v.opts.Service == "" {
		return app.Errorf(app.EINTERNAL, "error.internal", "secrets: Options.Service is empty")
	}
	v.choose()
	if v.backend == BackendFile && v.opts.FallbackPath == "" {
		return app.Errorf(app.EUNAVAILABLE, "error.secret.unavailable",
			"no system keychain answered and no file is configured for the secrets")
	}
	return nil
}

// Backend reports where the secrets are kept: "keychain" or "file".
func (v *Vault) Backend() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.opts.Service != "" {
		v.choose()
	}
	return v.backend
}

// Set stores a secret, replacing any previous value.
func (v *Vault) Set(name, value string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if value == "" {
		return app.Errorf(app.EINVALID, "error.secret.empty", "the value of secret %q is empty", name)
	}
	if len(value) > MaxValueLen {
		return tooBig(name)
	}
	if !utf8.ValidString(value) {
		// Typed values are always UTF-8; JSON would silently alter others.
		return app.Errorf(app.EINTERNAL, "error.internal", "the value of secret %q is not valid UTF-8", name)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.start(); err != nil {
		return err
	}
	if v.backend == BackendKeychain {
		err := v.opts.Keyring.Set(v.opts.Service, name, value)
		if errors.Is(err, keyring.ErrSetDataTooBig) {
			return tooBig(name)
		}
		return keychainError(err, value)
	}
	if v.st == nil {
		return locked()
	}
	if cur, ok := v.st.data[name]; ok && cur == value {
		return nil
	}
	next := maps.Clone(v.st.data)
	next[name] = value
	if err := v.write(v.st, next); err != nil {
		return err
	}
	v.st.data = next
	return nil
}

// Get returns a secret, or ENOTFOUND.
func (v *Vault) Get(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.start(); err != nil {
		return "", err
	}
	if v.backend == BackendKeychain {
		s, err := v.opts.Keyring.Get(v.opts.Service, name)
		if errors.Is(err, keyring.ErrNotFound) {
			return "", notFound(name)
		}
		if err != nil {
			return "", keychainError(err, "")
		}
		return s, nil
	}
	if v.st == nil {
		return "", locked()
	}
	s, ok := v.st.data[name]
	if !ok {
		return "", notFound(name)
	}
	return s, nil
}

// Delete removes a secret. Deleting a missing secret is not an error.
func (v *Vault) Delete(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.start(); err != nil {
		return err
	}
	if v.backend == BackendKeychain {
		err := v.opts.Keyring.Delete(v.opts.Service, name)
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		return keychainError(err, "")
	}
	if v.st == nil {
		return locked()
	}
	if _, ok := v.st.data[name]; !ok {
		return nil
	}
	next := maps.Clone(v.st.data)
	delete(next, name)
	if err := v.write(v.st, next); err != nil {
		return err
	}
	v.st.data = next
	return nil
}

// Unlock opens the file backend with the administrator's passphrase; the
// keychain backend ignores it. If the file does not exist yet it is created,
// empty, under this passphrase: check the passphrase against the stored
// administrator hash first. A wrong passphrase (EUNAUTHORIZED) or a damaged
// file (EINTERNAL) leaves the file and the vault's state as they were.
func (v *Vault) Unlock(passphrase string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.start(); err != nil {
		return err
	}
	if v.backend == BackendKeychain {
		return nil
	}
	if passphrase == "" {
		return wrongPassphrase()
	}
	raw, err := readFile(v.opts.FallbackPath)
	if errors.Is(err, os.ErrNotExist) {
		st, err := newFileState(passphrase, v.opts.KDF)
		if err != nil {
			return err
		}
		if err := v.write(st, st.data); err != nil {
			st.wipe()
			return err
		}
		v.replace(st)
		return nil
	}
	if err != nil {
		return err
	}
	st, err := openFile(v.opts.FallbackPath, raw, passphrase)
	if err != nil {
		return err
	}
	v.replace(st)
	return nil
}

// Lock forgets the file backend's key and secrets until the next Unlock.
func (v *Vault) Lock() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.replace(nil)
}

// Rekey re-encrypts the file under a new passphrase, with a new salt and the
// current Options.KDF, when the administrator changes the passphrase; it
// leaves the vault unlocked. The keychain backend ignores it, and so does a
// file backend whose file does not exist yet (the next Unlock creates it).
//
// The passphrase hash in the database and this file cannot change in one
// transaction: Rekey first, then store the new hash, and if that fails call
// Rekey(newPass, oldPass).
func (v *Vault) Rekey(oldPass, newPass string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.start(); err != nil {
		return err
	}
	if v.backend == BackendKeychain {
		return nil
	}
	if err := app.ValidatePassphrase(newPass); err != nil {
		return err
	}
	if oldPass == "" {
		return wrongPassphrase()
	}
	raw, err := readFile(v.opts.FallbackPath)
	if errors.Is(err, os.ErrNotExist) {
		v.replace(nil)
		return nil
	}
	if err != nil {
		return err
	}
	old, err := openFile(v.opts.FallbackPath, raw, oldPass)
	if err != nil {
		return err
	}
	defer old.wipe()
	st, err := newFileState(newPass, v.opts.KDF)
	if err != nil {
		return err
	}
	st.data = old.data
	if err := v.write(st, st.data); err != nil {
		st.wipe()
		return err
	}
	v.replace(st)
	return nil
}

// replace swaps the file state, wiping the old key; v.mu is held.
func (v *Vault) replace(st *fileState) {
	if v.st != nil && v.st != st {
		v.st.wipe()
	}
	v.st = st
}

// write seals data under st's key and replaces the file atomically; v.mu is
// held.
func (v *Vault) write(st *fileState, data map[string]string) error {
	b, err := st.seal(data)
	if err != nil {
		return err
	}
	return writeAtomic(v.opts.FallbackPath, b, v.beforeRename)
}

// checkName accepts ASCII letters, digits, '.', '_' and '-', starting with a
// letter or a digit. Names come from code, so a bad one is a bug.
func checkName(name string) error {
	ok := name != "" && len(name) <= 128 && utf8.ValidString(name)
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		ok = alnum || i > 0 && (c == '.' || c == '_' || c == '-')
	}
	if !ok {
		return app.Errorf(app.EINTERNAL, "error.internal", "secrets: invalid secret name %q", name)
	}
	return nil
}

func notFound(name string) error {
	return app.Errorf(app.ENOTFOUND, "error.secret.not_found", "secret %q is not stored", name).
		With(map[string]any{"Name": name})
}

func locked() error {
	return app.Errorf(app.EUNAUTHORIZED, "error.secret.locked",
		"the secrets file is locked: unlock it with the administrator's passphrase")
}

func wrongPassphrase() error {
	return app.Errorf(app.EUNAUTHORIZED, "error.secret.wrong_passphrase",
		"the passphrase does not unlock the secrets file")
}

func tooBig(name string) error {
	return app.Errorf(app.EINVALID, "error.secret.too_big",
		"the value of secret %q is too long for the keychain (at most %d bytes)", name, MaxValueLen).
		With(map[string]any{"Max": MaxValueLen})
}

// keychainError wraps a keychain failure. The cause goes to the log only, and
// any copy of value in it is masked first.
func keychainError(err error, value string) error {
	if err == nil {
		return nil
	}
	return &app.Error{
		Code:    app.EUNAVAILABLE,
		Key:     "error.secret.keychain",
		Message: "the system keychain did not answer",
		Err:     scrub(err, value),
	}
}

func scrub(err error, value string) error {
	if value == "" || !strings.Contains(err.Error(), value) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), value, "[REDACTED]"))
}

// Redact returns a form of a stored secret fit to show in the UI: bullets,
// plus the last two characters when the secret is long enough (12 or more
// characters) for them to give little away. It returns "" for "".
func Redact(s string) string {
	if s == "" {
		return ""
	}
	const mask = "••••"
	if utf8.RuneCountInString(s) < 12 {
		return mask
	}
	r := []rune(s)
	return mask + string(r[len(r)-2:])
}
