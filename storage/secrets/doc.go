// Package secrets stores the merchant's gateway credentials (Payflow USER,
// VENDOR, PARTNER and PWD; NVP API username, password and signature; REST
// client id and secret; the SMTP password) outside the database.
//
// # Where the secrets go
//
// A Vault first tries the operating system's keychain (macOS Keychain,
// Windows Credential Manager, the Secret Service on Linux/BSD) through
// github.com/zalando/go-keyring, one item per secret under a service name
// that is unique to the database ("TrainPay:<db-id>"), so two databases never
// share secrets. When no keychain answers (headless Linux without a Secret
// Service, as on CI) the secrets go to one file next to the database,
// encrypted with a key derived from the site administrator's passphrase. They
// never go to SQLite or to the preferences in clear.
//
// # Threat model
//
// The encrypted file protects against someone who obtains a copy of the
// database and the secrets file (a backup, a stolen disk, a file sent to
// support) but not the administrator's passphrase: without the passphrase
// they must guess it offline against argon2id, which is what makes each guess
// expensive. It does not protect against malware or another person running
// as the same operating-system user while TrainPay is unlocked: such code can
// read the process's memory, log keystrokes or ask the keychain itself.
// The keychain backend has the same limit; it adds whatever the operating
// system offers (per-application access prompts on macOS, the login session
// on Windows and Linux).
//
// Secret values are never logged, never put in error messages and never
// printed by fmt: the decrypted map lives behind a pointer, so %v, %+v and
// %#v of a Vault show an address, not the values. Go strings cannot be wiped,
// so the in-memory hygiene (zeroing keys and plaintext buffers) is best
// effort.
//
// # File format (version 1)
//
// All integers are big-endian.
//
//	offset  size  field
//	0       8     magic "TPSECRET"
//	8       1     format version, 1
//	9       1     KDF, 1 = argon2id
//	10      1     argon2 version, 0x13
//	11      4     argon2 memory in KiB
//	15      4     argon2 passes (time)
//	19      1     argon2 lanes (threads)
//	20      16    salt, random per file and per Rekey
//	36      32    key check: HKDF-SHA256(master, "trainpay secrets v1 key check")
//	68      24    XChaCha20-Poly1305 nonce, random per write
//	92      n+16  sealed JSON object {"name":"value",...}; AAD = bytes 0..91
//	92+n+16 32    SHA-256 of all the bytes before it
//
// master = argon2id(passphrase, salt, params, 32 bytes); the AEAD key is
// HKDF-SHA256(master, "trainpay secrets v1 encryption"). The unkeyed
// checksum tells a damaged file (EINTERNAL) from a wrong passphrase
// (EUNAUTHORIZED, key check mismatch) before any key is derived; a file whose
// checksum and key check pass but whose AEAD tag fails has been tampered with
// and is also reported as damaged. The key check gives an attacker nothing
// the AEAD tag would not: each guess still costs one argon2id derivation.
//
// Writes are atomic: a temporary file in the same directory (mode 0600),
// fsync, rename over the old file, fsync of the directory. A failed write
// leaves the previous file and the in-memory state as they were.
package secrets
