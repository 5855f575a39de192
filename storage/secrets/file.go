package secrets

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/trainpay/trainpay/app"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// The layout is described in the package documentation.
const (
	magic         = "TPSECRET"
	formatVersion = 1
	kdfArgon2id   = 1

	saltLen   = 16
	checkLen  = 32
	headerLen = 8 + 1 + 1 + 1 + 4 + 4 + 1 + saltLen + checkLen // 68
	nonceLen  = chacha20poly1305.NonceSizeX                    // 24
	aadLen    = headerLen + nonceLen                           // 92
	sumLen    = sha256.Size
	minLen    = aadLen + chacha20poly1305.Overhead + sumLen

	// maxFileLen bounds what is read: a few dozen secrets of at most
	// MaxValueLen bytes take far less.
	maxFileLen = 4 << 20

	infoKey   = "trainpay secrets v1 encryption"
	infoCheck = "trainpay secrets v1 key check"
)

// Bounds on the argon2id parameters read from a file (or given in Options),
// so that a damaged or hostile file cannot make TrainPay allocate gigabytes
// or spin for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	maxThreads   = 64
)

// fileState is an unlocked file: its KDF header (salt, parameters, key
// check), the AEAD key derived from the passphrase and the decrypted secrets.
type fileState struct {
	params app.Argon2Params
	salt   [saltLen]byte
	check  [checkLen]byte
	key    [chacha20poly1305.KeySize]byte
	data   map[string]string
}

// String keeps the state out of any accidental print.
func (*fileState) String() string   { return "secrets.fileState(redacted)" }
func (*fileState) GoString() string { return "secrets.fileState(redacted)" }

func (st *fileState) wipe() {
	clear(st.key[:])
	st.data = nil
}

func checkParams(p app.Argon2Params) error {
	if p.Threads < 1 || p.Threads > maxThreads || p.Time < 1 || p.Time > maxTime ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB {
		return fmt.Errorf("argon2id parameters out of range (m=%d KiB, t=%d, p=%d)", p.Memory, p.Time, p.Threads)
	}
	return nil
}

// derive returns the AEAD key and the key check for a passphrase.
func derive(passphrase string, p app.Argon2Params, salt []byte) (key [chacha20poly1305.KeySize]byte, check [checkLen]byte, err error) {
	pw := []byte(passphrase)
	master := argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, 32)
	clear(pw)
	defer clear(master)
	k, err := hkdf.Key(sha256.New, master, nil, infoKey, len(key))
	if err != nil {
		return key, check, app.Internal(err, "cannot derive the secrets key")
	}
	c, err := hkdf.Key(sha256.New, master, nil, infoCheck, len(check))
	if err != nil {
		return key, check, app.Internal(err, "cannot derive the secrets key")
	}
	copy(key[:], k)
	copy(check[:], c)
	clear(k)
	return key, check, nil
}

// newFileState makes an empty state with a fresh salt for a new file or a
// Rekey.
func newFileState(passphrase string, p app.Argon2Params) (*fileState, error) {
	if err := checkParams(p); err != nil {
		return nil, app.Internal(err, "secrets: bad Options.KDF")
	}
	st := &fileState{params: p, data: map[string]string{}}
	if _, err := rand.Read(st.salt[:]); err != nil {
		return nil, app.Internal(err, "cannot read random bytes")
	}
	var err error
	st.key, st.check, err = derive(passphrase, p, st.salt[:])
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (st *fileState) header() []byte {
	h := make([]byte, 0, minLen)
	h = append(h, magic...)
	h = append(h, formatVersion, kdfArgon2id, argon2.Version)
	h = binary.BigEndian.AppendUint32(h, st.params.Memory)
	h = binary.BigEndian.AppendUint32(h, st.params.Time)
	h = append(h, st.params.Threads)
	h = append(h, st.salt[:]...)
	h = append(h, st.check[:]...)
	return h
}

// seal returns the whole file for data, with a fresh nonce.
func (st *fileState) seal(data map[string]string) ([]byte, error) {
	plain, err := json.Marshal(data)
	if err != nil {
		return nil, app.Internal(err, "cannot encode the secrets")
	}
	defer clear(plain)
	aead, err := chacha20poly1305.NewX(st.key[:])
	if err != nil {
		return nil, app.Internal(err, "cannot start the cipher")
	}
	b := st.header()
	nonce := make([]byte, nonceLen)
	if _, err := rand.Read(nonce); err != nil {
		return nil, app.Internal(err, "cannot read random bytes")
	}
	b = append(b, nonce...)
	b = aead.Seal(b, nonce, plain, b[:aadLen])
	sum := sha256.Sum256(b)
	return append(b, sum[:]...), nil
}

// openFile parses and decrypts a file's bytes.
func openFile(path string, raw []byte, passphrase string) (*fileState, error) {
	if len(raw) < len(magic) || string(raw[:len(magic)]) != magic {
		return nil, damaged(path, "it is not a TrainPay secrets file")
	}
	if len(raw) < minLen {
		return nil, damaged(path, "it is truncated")
	}
	body, sum := raw[:len(raw)-sumLen], raw[len(raw)-sumLen:]
	if want := sha256.Sum256(body); !bytes.Equal(want[:], sum) {
		return nil, damaged(path, "its checksum does not match")
	}
	if v := raw[8]; v != formatVersion {
		return nil, app.Errorf(app.EINTERNAL, "error.secret.too_new",
			"the secrets file %s has format version %d; this TrainPay reads version %d", path, v, formatVersion).
			With(map[string]any{"Path": path, "Version": int(v), "Supported": formatVersion})
	}
	if raw[9] != kdfArgon2id || raw[10] != argon2.Version {
		return nil, damaged(path, "its key derivation is unknown")
	}
	st := &fileState{params: app.Argon2Params{
		Memory:  binary.BigEndian.Uint32(raw[11:15]),
		Time:    binary.BigEndian.Uint32(raw[15:19]),
		Threads: raw[19],
	}}
	if err := checkParams(st.params); err != nil {
		return nil, damaged(path, err.Error())
	}
	copy(st.salt[:], raw[20:36])
	copy(st.check[:], raw[36:68])

	key, check, err := derive(passphrase, st.params, st.salt[:])
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(check[:], st.check[:]) != 1 {
		clear(key[:])
		return nil, wrongPassphrase()
	}
	st.key = key
	aead, err := chacha20poly1305.NewX(st.key[:])
	if err != nil {
		st.wipe()
		return nil, app.Internal(err, "cannot start the cipher")
	}
	plain, err := aead.Open(nil, body[headerLen:aadLen], body[aadLen:], body[:aadLen])
	if err != nil {
		st.wipe()
		return nil, damaged(path, "its contents fail authentication")
	}
	defer clear(plain)
	if err := json.Unmarshal(plain, &st.data); err != nil || st.data == nil {
		st.wipe()
		return nil, damaged(path, "its contents cannot be decoded")
	}
	return st, nil
}

func damaged(path, why string) error {
	return app.Errorf(app.EINTERNAL, "error.secret.corrupt",
		"the secrets file %s is damaged (%s); it was left untouched", path, why).
		With(map[string]any{"Path": path})
}

// readFile reads at most maxFileLen bytes; a missing file gives an error
// matching os.ErrNotExist.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, app.Internal(err, "cannot open the secrets file")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileLen+1))
	if err != nil {
		return nil, app.Internal(err, "cannot read the secrets file")
	}
	if len(b) > maxFileLen {
		return nil, damaged(path, "it is too large")
	}
	return b, nil
}

// writeAtomic replaces path with b: a temporary file in the same directory
// (mode 0600), fsync, rename, fsync of the directory. On any failure before
// the rename the old file is untouched and the temporary file removed.
func writeAtomic(path string, b []byte, beforeRename func(string) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return app.Internal(err, "cannot write the secrets file")
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return app.Internal(err, "cannot write the secrets file")
	}
	if _, err := f.Write(b); err != nil {
		return app.Internal(err, "cannot write the secrets file")
	}
	if err := f.Sync(); err != nil {
		return app.Internal(err, "cannot write the secrets file")
	}
	if err := f.Close(); err != nil {
		return app.Internal(err, "cannot write the secrets file")
	}
	if beforeRename != nil {
		if err := beforeRename(tmp); err != nil {
			return app.Internal(err, "cannot write the secrets file")
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return app.Internal(err, "cannot write the secrets file")
	}
	// The new file is in place; a failed directory sync only weakens
	// durability across a power cut, so it is not reported. Windows cannot
	// sync a directory.
	if runtime.GOOS != "windows" {
		if d, err := os.Open(dir); err == nil {
			_ = d.Sync()
			d.Close()
		}
	}
	return nil
}
