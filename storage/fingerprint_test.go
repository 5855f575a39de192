package storage

import (
	"testing"
	"testing/fstest"
)

// TestSchemaFingerprintTellsApartMigrationsOfOneVersion: two migration sets
// that reach the same version by different files have different
// fingerprints, and the same set always has the same one.
func TestSchemaFingerprintTellsApartMigrationsOfOneVersion(t *testing.T) {
	a := fstest.MapFS{
		"00011_money.sql":   {Data: []byte("-- +goose Up\nCREATE TABLE a (x);\n")},
		"00012_capture.sql": {Data: []byte("-- +goose Up\nCREATE TABLE b (x);\n")},
	}
	b := fstest.MapFS{
		"00012_capture.sql": {Data: []byte("-- +goose Up\nCREATE TABLE b (x);\n")},
	}
	fa, err := fingerprint(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := fingerprint(b)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := fingerprint(a)
	if fa == fb || fa != again || len(fa) != 12 {
		t.Errorf("fingerprints %q, %q, again %q: want two different 12-digit ones, the same again", fa, fb, again)
	}
	if SchemaFingerprint() == "" {
		t.Error("the embedded migrations have no fingerprint")
	}
}
