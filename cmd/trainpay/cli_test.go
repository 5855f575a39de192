package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	setConfigHome(t, dir)
	t.Setenv("LANG", "en_US.UTF-8")
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		code, out, _ := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "trainpay provision --features") || !strings.Contains(out, "--db PATH") {
			t.Fatalf("%v: exit %d, %q", args, code, out)
		}
	}
	code, _, errOut := runCLI(t, "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: exit %d, %q", code, errOut)
	}
}

func TestProvisionBeforeTheFirstRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	code, out, errOut := runCLI(t, "provision", "--features", "paid-sessions, pay-per-use", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "paid-sessions  provisioned: true  enabled: false") ||
		!strings.Contains(out, "promo-codes    provisioned: false enabled: false") {
		t.Fatalf("output:\n%s", out)
	}
	code, _, _ = runCLI(t, "provision", "--features", "pay-per-use", "--revoke", "--db", db)
	if code != 0 {
		t.Fatal("revoke failed")
	}
	s, err := storage.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	states, _ := s.Features(context.Background())
	want := map[app.Feature]bool{app.FeaturePaidSessions: true, app.FeaturePromoCodes: false, app.FeaturePayPerUse: false}
	for _, st := range states {
		if st.Provisioned != want[st.Feature] {
			t.Fatalf("%s provisioned = %v", st.Feature, st.Provisioned)
		}
	}
}

func TestProvisionRefusesBadInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	for _, args := range [][]string{
		{"provision", "--db", db},
		{"provision", "--features", "refunds", "--db", db},
		{"provision", "--features", "paid-sessions", "--db", db, "--bogus"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatal("refused commands created the database")
	}
}

func TestForeignFileIsRefusedUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	content := []byte("These are my notes, not a database.\n")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	before := sha256.Sum256(content)
	for _, args := range [][]string{{"--db", path}, {"provision", "--features", "promo-codes", "--db", path}} {
		code, _, errOut := runCLI(t, args...)
		if code != 1 || !strings.Contains(errOut, "is not a TrainPay database") {
			t.Fatalf("%v: exit %d, %q", args, code, errOut)
		}
	}
	after, _ := os.ReadFile(path)
	if sha256.Sum256(after) != before {
		t.Fatal("the file was changed")
	}
	if m, _ := filepath.Glob(path + "-*"); len(m) != 0 {
		t.Fatalf("left behind: %v", m)
	}
}
