package pcitest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanFindsPlantedCardData proves the scan can fail.
func TestScanFindsPlantedCardData(t *testing.T) {
	dir := t.TempDir()
	plant := map[string]string{
		"a.db":             "SQLite format 3\x00...4111111111111111...",
		"a.db-wal":         "....5555 5555 5555 4444....",
		"app.log":          "level=INFO msg=sale body=TRXTYPE[1]=S&CVV2[3]=737&AMT[5]=10.00",
		"preferences.json": `{"last":"overview","security_code":"8413"}`,
		"clean.log":        "2026-11-27T04:19:43.123456737Z payment=123 amount=737.00",
	}
	for name, content := range plant {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 5 || len(rep.Hits) != 4 {
		t.Fatalf("scan found %d hits in %d files, want 4 in 5:\n%s", len(rep.Hits), rep.Files, strings.Join(rep.Hits, "\n"))
	}
	for _, h := range rep.Hits {
		if strings.HasPrefix(h, "clean.log") {
			t.Fatalf("a timestamp or amount was taken for a security code: %s", h)
		}
	}
}

// TestNoCardDataAtRest scans what the whole suite kept. `make test` runs it
// after every other package, with TRAINPAY_PCI_SCAN=1.
func TestNoCardDataAtRest(t *testing.T) {
	dir := os.Getenv(EnvDir)
	if dir == "" || os.Getenv("TRAINPAY_PCI_SCAN") == "" {
		t.Skip("run by `make test` after the whole suite, with TRAINPAY_PCI_DIR and TRAINPAY_PCI_SCAN=1")
	}
	rep, err := Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"database", "database WAL", "log", "preferences"} {
		if rep.Kinds[k] == 0 {
			t.Errorf("no %s file was kept: the scan would prove nothing (kept: %v)", k, rep.Kinds)
		}
	}
	for _, h := range rep.Hits {
		t.Error(h)
	}
	t.Logf("scanned %d files %v for %d test card numbers and %d security codes: %d hits",
		rep.Files, rep.Kinds, len(CardNumbers), len(CVVs), len(rep.Hits))
}
