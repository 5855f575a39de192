package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

// cliHome points the user's config folder (so the default database) at a
// temporary folder and returns the default database's path.
func cliHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	setConfigHome(t, dir)
	t.Setenv("LANG", "en_US.UTF-8")
	def, err := storage.DefaultPath()
	if err != nil || !strings.HasPrefix(def, dir) {
		t.Fatalf("default database %q (%v) is not under the test's folder", def, err)
	}
	return def
}

func runIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// provisioned reads which features the database at path has provisioned.
func provisioned(t *testing.T, path string) map[app.Feature]bool {
	t.Helper()
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	states, err := db.Features(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[app.Feature]bool{}
	for _, st := range states {
		got[st.Feature] = st.Provisioned
	}
	return got
}

// The bug this guards against: the standard flag package stopped at
// "false", so --db was never read and the default database lost the
// feature.
func TestProvisionRevokeWithASeparateFalseIsRefusedAndTouchesNoDatabase(t *testing.T) {
	def := cliHome(t)
	db := filepath.Join(t.TempDir(), "site.db")
	if code, _, errOut := runIn(t, "provision", "--features", "promo-codes", "--db", db); code != 0 {
		t.Fatalf("provision: exit %d, %s", code, errOut)
	}
	code, out, errOut := runIn(t, "provision", "--features", "promo-codes", "--revoke", "false", "--db", db)
	if code != 2 || !strings.Contains(errOut, "--revoke=false") || !strings.Contains(errOut, "Usage:") || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Dir(def)); !os.IsNotExist(err) {
		t.Fatalf("the default database's folder was created (%v)", err)
	}
	if !provisioned(t, db)[app.FeaturePromoCodes] {
		t.Fatal("the named database lost the feature")
	}
	// --revoke=false is the way to say it: nothing is revoked.
	if code, _, errOut := runIn(t, "provision", "--features", "promo-codes", "--revoke=false", "--db", db); code != 0 {
		t.Fatalf("--revoke=false: exit %d, %s", code, errOut)
	}
	if !provisioned(t, db)[app.FeaturePromoCodes] {
		t.Fatal("--revoke=false revoked the feature")
	}
}

// Every command reads its flags anywhere among the words, refuses unknown
// flags, words it does not take and switches given a separate value, with
// the usage on stderr and exit 2, and never falls back to the default
// database.
func TestEveryCommandParsesFlagsAnywhereAndRefusesTheRest(t *testing.T) {
	type check func(t *testing.T, db string)
	provisionedPaid := func(t *testing.T, db string) {
		if !provisioned(t, db)[app.FeaturePaidSessions] {
			t.Error("paid-sessions was not provisioned in the named database")
		}
	}
	estimateDB := estimateSite(t, "USD", 1200, 800)
	for _, tc := range []struct {
		name string
		args []string // "DB" stands for the command's database
		code int
		out  string // in stdout on success, in stderr on failure
		then check
	}{
		{"provision flags after the command", []string{"provision", "--features", "paid-sessions", "--db", "DB"}, 0, "paid-sessions  provisioned: true", provisionedPaid},
		{"provision flags before the command", []string{"--db", "DB", "provision", "--features", "paid-sessions"}, 0, "paid-sessions  provisioned: true", provisionedPaid},
		{"provision flags on both sides", []string{"--features=paid-sessions", "provision", "--db=DB"}, 0, "paid-sessions  provisioned: true", provisionedPaid},
		{"provision unknown flag", []string{"provision", "--features", "paid-sessions", "--bogus", "--db", "DB"}, 2, "unknown flag: --bogus", nil},
		{"provision another command's flag", []string{"provision", "--features", "paid-sessions", "--csv", "--db", "DB"}, 2, "unknown flag: --csv", nil},
		{"provision extra word", []string{"provision", "now", "--features", "paid-sessions", "--db", "DB"}, 2, `unexpected argument "now"`, nil},
		{"provision extra word at the end", []string{"provision", "--features", "paid-sessions", "--db", "DB", "now"}, 2, `unexpected argument "now"`, nil},
		{"provision --revoke true", []string{"provision", "--features", "paid-sessions", "--revoke", "true", "--db", "DB"}, 2, "--revoke=false", nil},
		{"provision --db without a value", []string{"provision", "--features", "paid-sessions", "--db"}, 2, "flag needs an argument", nil},
		{"provision single-dash long flag", []string{"provision", "--features", "paid-sessions", "-db", "DB"}, 2, "unknown shorthand flag", nil},

		{"estimate flags before the command", []string{"--db", "ESTIMATE", "--duration", "90m", "estimate", "--computers", "25"}, 0, "total:                  270.00 USD", nil},
		{"estimate unknown flag", []string{"estimate", "--duration", "90m", "--computers", "25", "--bogus", "--db", "ESTIMATE"}, 2, "unknown flag: --bogus", nil},
		{"estimate extra word", []string{"estimate", "--duration", "90m", "25", "--db", "ESTIMATE"}, 2, `unexpected argument "25"`, nil},
		{"estimate --csv false", []string{"estimate", "--duration", "90m", "--computers", "25", "--csv", "false", "--db", "ESTIMATE"}, 2, "--csv=false", nil},
		{"estimate --csv=false", []string{"estimate", "--duration", "90m", "--computers", "25", "--csv=false", "--db", "ESTIMATE"}, 0, "total:", nil},

		{"demo-data flags before the command", []string{"--sessions", "20", "--db", "DB", "demo-data", "--registrations", "40", "--codes", "3", "--departments", "2"}, 0, "40 registrations", nil},
		{"demo-data unknown flag", []string{"demo-data", "--sessions", "20", "--bogus", "--db", "DB"}, 2, "unknown flag: --bogus", nil},
		{"demo-data extra word", []string{"demo-data", "--sessions", "20", "--db", "DB", "please"}, 2, `unexpected argument "please"`, nil},
		{"demo-data --force false", []string{"demo-data", "--sessions", "20", "--force", "false", "--db", "DB"}, 2, "--force=false", nil},

		{"app unknown flag", []string{"--bogus", "--db", "DB"}, 2, "unknown flag: --bogus", nil},
		{"app extra word", []string{"--db", "DB", "now"}, 2, `unknown command "now"`, nil},
		{"app word after the terminator", []string{"--db", "DB", "--", "now"}, 2, `unexpected argument "now"`, nil},
		{"help with a word", []string{"help", "me"}, 2, `unexpected argument "me"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := cliHome(t)
			db := filepath.Join(t.TempDir(), "named.db")
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				a = strings.ReplaceAll(a, "ESTIMATE", estimateDB)
				args[i] = strings.ReplaceAll(a, "DB", db)
			}
			code, out, errOut := runIn(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if tc.code == 0 && !strings.Contains(out, tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, out)
			}
			if tc.code != 0 {
				if !strings.Contains(errOut, tc.out) || !strings.Contains(errOut, "Usage:") {
					t.Errorf("stderr lacks %q or the usage:\n%s", tc.out, errOut)
				}
				if _, err := os.Stat(db); !os.IsNotExist(err) {
					t.Errorf("a refused command created the named database (%v)", err)
				}
			}
			if _, err := os.Stat(filepath.Dir(def)); !os.IsNotExist(err) {
				t.Errorf("the default database's folder was created (%v)", err)
			}
			if tc.then != nil {
				tc.then(t, db)
			}
		})
	}
}

// Without a user configuration folder there is no default database: every
// command that needs one asks for --db instead of making up a path.
func TestWithoutAConfigFolderTheDatabaseMustBeNamed(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	setConfigHome(t, "")
	if _, err := storage.DefaultPath(); err == nil {
		t.Fatal("the test needs os.UserConfigDir to fail")
	}
	for _, args := range [][]string{
		{"provision", "--features", "paid-sessions"},
		{"demo-data", "--sessions", "10", "--registrations", "10"},
		{"estimate", "--duration", "90m", "--computers", "2"},
		{},
	} {
		code, _, errOut := runIn(t, args...)
		if code != 2 || !strings.Contains(errOut, "give --db PATH") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("files created in the working folder: %v", left)
	}
	code, out, _ := runIn(t, "--help")
	if code != 0 || !strings.Contains(out, "no user config folder") {
		t.Fatalf("help: exit %d\n%s", code, out)
	}
}

// The command finder skips a flag's value by the flag's kind: a flag that
// two commands share must be of the same kind in both.
func TestSharedFlagsHaveOneKind(t *testing.T) {
	kinds := map[string]string{}
	for _, cmd := range commands {
		fs := cmd.flagSet()
		fs.VisitAll(func(f *pflag.Flag) {
			if k, ok := kinds[f.Name]; ok && k != f.Value.Type() {
				t.Errorf("--%s is %s in one command and %s in %q", f.Name, k, f.Value.Type(), cmd.name)
			}
			kinds[f.Name] = f.Value.Type()
		})
	}
	if kinds["db"] != "string" || kinds["revoke"] != "bool" {
		t.Fatalf("kinds: %v", kinds)
	}
}
