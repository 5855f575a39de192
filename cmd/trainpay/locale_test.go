package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/internal/pgtest"
)

// Run as a child with TRAINPAY_TEST_MAIN set, the test binary is the
// trainpay command (it has the same imports, so the same package
// initialisation order). Otherwise the tests run with a throwaway
// PostgreSQL for the organisation database's tests.
func TestMain(m *testing.M) {
	if os.Getenv("TRAINPAY_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	pgtest.Main(m) // the organisation database's tests get a throwaway PostgreSQL
}

// Under LANG=C.UTF-8 (containers, CI) the command starts without Fyne's
// "Error parsing user locale C", which Fyne logs from its package
// initialisation unless internal/clocale has run first.
func TestLocaleCMeansEnglish(t *testing.T) {
	cmd := exec.Command(os.Args[0], "--help")
	cmd.Env = append(os.Environ(), "TRAINPAY_TEST_MAIN=1", "LANG=C.UTF-8", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=",
		"HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(string(out), "Error parsing user locale") || !strings.Contains(string(out), "trainpay provision") {
		t.Errorf("output under LANG=C.UTF-8:\n%s", out)
	}
}
