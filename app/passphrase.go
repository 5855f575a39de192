package app

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. DefaultArgon2 follows the
// RFC 9106 second recommendation scaled for a desktop (64 MiB, 3 passes);
// tests use cheaper ones. The parameters are stored in each hash, so raising
// them later still verifies old hashes.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// MinPassphraseLen is the shortest administrator passphrase accepted.
const MinPassphraseLen = 10

// The passphrase fields, as a refusal names them (Error.Field).
const (
	FieldNewPassphrase     = "new_passphrase"
	FieldCurrentPassphrase = "current_passphrase"
)

// ValidatePassphrase checks a new passphrase.
func ValidatePassphrase(p string) error {
	if utf8.RuneCountInString(p) < MinPassphraseLen {
		return Errorf(EINVALID, "error.passphrase.short", "the passphrase must have at least %d characters", MinPassphraseLen).
			With(map[string]any{"Min": MinPassphraseLen}).WithField(FieldNewPassphrase)
	}
	if utf8.RuneCountInString(p) > 1024 {
		return Errorf(EINVALID, "error.passphrase.long", "the passphrase must have at most 1024 characters").WithField(FieldNewPassphrase)
	}
	return nil
}

// HashPassphrase returns a PHC-formatted argon2id hash with a random salt.
func HashPassphrase(p string, params Argon2Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", Internal(err, "cannot read random bytes")
	}
	key := argon2.IDKey([]byte(p), salt, params.Time, params.Memory, params.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, params.Memory, params.Time, params.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassphrase reports whether p matches a hash made by HashPassphrase,
// in constant time.
func VerifyPassphrase(p, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, Errorf(EINTERNAL, "error.internal", "stored passphrase hash has an unknown format")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, Errorf(EINTERNAL, "error.internal", "stored passphrase hash has an unknown version")
	}
	var params Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &params.Memory, &params.Time, &params.Threads); err != nil {
		return false, Errorf(EINTERNAL, "error.internal", "stored passphrase hash has bad parameters")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, Errorf(EINTERNAL, "error.internal", "stored passphrase hash has a bad salt")
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, Errorf(EINTERNAL, "error.internal", "stored passphrase hash has a bad key")
	}
	got := argon2.IDKey([]byte(p), salt, params.Time, params.Memory, params.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
