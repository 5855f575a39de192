package main

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
)

// Merchant credentials on the organisation database: never in it. Each
// payment desktop is enrolled once by a site administrator, who enters the
// credentials there (Site administration → Payment methods); they go to
// that desktop's keychain, or to its encrypted file where no keychain
// answers, and the desktop's payments read them from there. A dump of the
// database (pg_dump, a backup, a coordinator's SELECTs) holds no secret
// that could charge a card.
//
// The vault is the desktop's and the database's, not the login's: whoever
// signs in on an enrolled desktop (a coordinator taking a registration's
// fee, a budget owner paying a session) charges with the credentials the
// administrator left there, and a second person signing in does not make
// the desktop ask for them again. The operating-system account is the
// boundary, as it is for the file (the keychain answers that account's
// processes); the server still decides who may record which payment.

// merchantVault is the keychain service and the encrypted file's path of
// the organisation database at a, for every login: server, port and
// database name, not the user. configRoot is the folder that holds each
// address's own folder (orgFolders).
func merchantVault(a orgAddress, configRoot string) (service, secretsPath string) {
	db := orgAddress{Host: a.Host, Port: a.Port, Database: a.Database}
	sum := sha256.Sum256([]byte(db.key()))
	return "TrainPay:org:" + hex.EncodeToString(sum[:8]), filepath.Join(configRoot, "credentials-"+db.key(), "trainpay.secrets")
}
