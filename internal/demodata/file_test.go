package demodata

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/storage"
)

var smallSizes = Options{
	Sessions: 200, Registrations: 2_000, Codes: 50, Departments: 3, Seed: 4,
	Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
}

// files lists a folder's file names.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// contents reads what a database holds: rows of the tables the generator
// writes and its demo markers.
func contents(t *testing.T, path string) string {
	t.Helper()
	db, err := storage.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out string
	if err := db.Read().QueryRow(`SELECT (SELECT count(*) FROM demo_data) || '/' || (SELECT count(*) FROM session)
		|| '/' || (SELECT count(*) FROM registration) || '/' || (SELECT count(*) FROM payment)
		|| '/' || (SELECT count(*) FROM promo_code) || '/' || (SELECT count(*) FROM department)
		|| '/' || (SELECT count(*) FROM audit_log)`).Scan(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A run that stops midway (the disk full, the person pressing Ctrl-C)
// leaves the file exactly as it was: a new file is not created, an
// existing one keeps its bytes, and no marker says it holds the new data.
func TestGenerateFileStoppedMidwayLeavesTheFileAsItWas(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing bool
		stop     func(o *Options, cancel context.CancelFunc)
		want     string
	}{
		{"disk full, new file", false, func(o *Options, _ context.CancelFunc) { o.maxExtraPages = 120 }, "full"},
		{"disk full, forced into demo data", true, func(o *Options, _ context.CancelFunc) { o.maxExtraPages = 120 }, "full"},
		{"cancelled, new file", false, cancelAfterSessions, "context canceled"},
		{"cancelled, forced into demo data", true, cancelAfterSessions, "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "site.db")
			var before []byte
			var beforeRows string
			if tc.existing {
				if _, err := GenerateFile(context.Background(), path, smallSizes); err != nil {
					t.Fatal(err)
				}
				beforeRows = contents(t, path)
				var err error
				if before, err = os.ReadFile(path); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := smallSizes
			o.Seed, o.Force = 5, true
			tc.stop(&o, cancel)
			_, err := GenerateFile(ctx, path, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if !tc.existing {
				if left := files(t, dir); len(left) != 0 {
					t.Fatalf("left behind: %v", left)
				}
				return
			}
			if left := files(t, dir); !slices.Equal(left, []string{"site.db"}) {
				t.Fatalf("files after the failed run: %v", left)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Fatalf("the file changed: %x → %x", sha256.Sum256(before), sha256.Sum256(after))
			}
			if got := contents(t, path); got != beforeRows {
				t.Fatalf("rows %s, were %s", got, beforeRows)
			}
		})
	}
}

// cancelAfterSessions cancels the run once the sessions are written, as
// Ctrl-C would.
func cancelAfterSessions(o *Options, cancel context.CancelFunc) {
	o.Progress = progressFunc(func(p []byte) {
		if bytes.HasPrefix(p, []byte("sessions")) {
			cancel()
		}
	})
}

type progressFunc func([]byte)

func (f progressFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// The cache builds its file the same way: a failed build leaves no file
// that a later call would take as built.
func TestCachedLeavesNothingAfterAFailedBuild(t *testing.T) {
	// A cache of its own: os.TempDir reads TMPDIR on Unix, TMP (then TEMP)
	// on Windows.
	tmp := t.TempDir()
	for _, name := range []string{"TMPDIR", "TMP", "TEMP"} {
		t.Setenv(name, tmp)
	}
	ctx, cancel := context.WithCancel(context.Background())
	o := smallSizes
	o.Seed = 77
	o.Progress = nil
	cancel()
	if _, err := Cached(ctx, o); err == nil {
		t.Fatal("a cancelled build succeeded")
	}
	if left := files(t, CacheDir()); len(left) != 0 {
		t.Fatalf("left in the cache: %v", left)
	}
	path, err := Cached(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(t, path); !strings.HasPrefix(got, "1/200/2000/") {
		t.Fatalf("cached database holds %s", got)
	}
}

// The file is put in place only if nobody else has it open and nobody
// wrote to it while the demo data was built: their writes would be lost.
func TestGenerateFileLeavesADatabaseInUseOrChangedAlone(t *testing.T) {
	ctx := context.Background()
	t.Run("open in another program", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "site.db")
		other, err := storage.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		o := smallSizes
		o.Force = true
		_, err = GenerateFile(ctx, path, o)
		if err == nil || !strings.Contains(err.Error(), "open in another program") {
			t.Fatalf("error %v", err)
		}
		if left := files(t, filepath.Dir(path)); !slices.Equal(left, []string{"site.db", "site.db-shm", "site.db-wal"}) {
			t.Fatalf("files: %v", left)
		}
	})
	t.Run("written while building", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "site.db")
		if _, err := GenerateFile(ctx, path, smallSizes); err != nil {
			t.Fatal(err)
		}
		o := smallSizes
		o.Seed, o.Force = 6, true
		var wrote bool
		o.Progress = progressFunc(func(p []byte) {
			if wrote || !bytes.HasPrefix(p, []byte("sessions")) {
				return
			}
			wrote = true
			// Another program writes to the file meanwhile.
			db, err := storage.Open(path)
			if err != nil {
				t.Error(err)
				return
			}
			defer db.Close()
			if _, err := db.Write().Exec(`DELETE FROM promo_code_session`); err != nil {
				t.Error(err)
			}
		})
		_, err := GenerateFile(ctx, path, o)
		if err == nil || !strings.Contains(err.Error(), "changed while the demo data was being built") {
			t.Fatalf("error %v", err)
		}
		if left := files(t, dir); !slices.Equal(left, []string{"site.db"}) {
			t.Fatalf("files: %v", left)
		}
		if got := contents(t, path); !strings.HasPrefix(got, "1/200/2000/") {
			t.Fatalf("the other program's file was replaced: %s", got)
		}
	})
}
