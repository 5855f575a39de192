package main

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/ui"
)

// The app opens the database given with --db, else the one chosen in
// Preferences, else the default one.
func TestGUIDatabaseFollowsFlagThenPreferencesThenDefault(t *testing.T) {
	s := ui.NewSettings(test.NewTempApp(t).Preferences())
	if p, fromPrefs := guiDatabase("/data/default.db", false, s); p != "/data/default.db" || fromPrefs {
		t.Fatalf("nothing chosen: %q %v", p, fromPrefs)
	}
	s.SetDatabasePath("/data/other.db")
	if p, fromPrefs := guiDatabase("/data/default.db", false, s); p != "/data/other.db" || !fromPrefs {
		t.Fatalf("chosen in Preferences: %q %v", p, fromPrefs)
	}
	if p, fromPrefs := guiDatabase("/data/given.db", true, s); p != "/data/given.db" || fromPrefs {
		t.Fatalf("given with --db: %q %v", p, fromPrefs)
	}
}
