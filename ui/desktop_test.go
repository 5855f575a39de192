package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
)

// closeOverlays dismisses every dialog shown over the window.
func closeOverlays(w fyne.Window) {
	for w.Canvas().Overlays().Top() != nil {
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}

// menuItem finds a main-menu item by its label.
func menuItem(menu *fyne.MainMenu, label string) *fyne.MenuItem {
	for _, m := range menu.Items {
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
		}
	}
	return nil
}

func newDesktopWindow(t *testing.T) (*sessionsEnv, *MainWindow, app.Session) {
	t.Helper()
	e := newSessionsEnv(t, "en", true, nil)
	s := e.schedulePaid("Negotiation basics", 249_99, 10)
	e.deps.Database = e.db.Path()
	m := NewMainWindow(e.app, e.deps)
	m.Window().Resize(fyne.NewSize(1100, 800))
	t.Cleanup(func() {
		if m.prefs != nil {
			m.prefs.win.Close()
		}
	})
	return e, m, s
}

// Each frequent command has its shortcut, shown in the menu, and pressing
// it on the window does the command.
func TestShortcutsDoTheirCommands(t *testing.T) {
	e, m, s := newDesktopWindow(t)
	w := m.Window()

	// The menu shows each shortcut next to its command.
	for key, label := range map[fyne.KeyName]string{
		fyne.KeyN: "New session…", fyne.KeyF: "Search sessions",
		fyne.KeyR: "Register attendee…", fyne.KeyP: "Pay", fyne.KeyE: "Export…", fyne.KeyComma: "Preferences…", fyne.KeyQ: "Quit",
	} {
		it := menuItem(w.MainMenu(), label)
		want := (&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}).ShortcutName()
		if it == nil || it.Shortcut == nil || it.Shortcut.ShortcutName() != want {
			t.Errorf("menu item %q: %+v, want shortcut %s", label, it, want)
		}
	}

	// Search: Training sessions opens with the cursor in its search box.
	uitest.PressShortcut(w, fyne.KeyF)
	if m.current != SectionSessions || m.sessionsScr == nil || w.Canvas().Focused() != m.sessionsScr.search {
		t.Fatalf("after search: section %q, focused %T", m.current, w.Canvas().Focused())
	}

	// New session: the Schedule form opens.
	uitest.PressShortcut(w, fyne.KeyN)
	if m.sessionsScr.form == nil || !containsText(screenTexts(w), T("schedule.title")) {
		t.Fatalf("after new session: %q", screenTexts(w))
	}
	closeOverlays(w)

	// Register with nothing selected says what to do; with the session
	// selected it opens the registration.
	uitest.PressShortcut(w, fyne.KeyR)
	if !containsText(screenTexts(w), "Select an upcoming session in Training sessions") {
		t.Fatalf("register with no session: %q", screenTexts(w))
	}
	closeOverlays(w)
	m.sessionsScr.list.Select(0)
	uitest.PressShortcut(w, fyne.KeyR)
	f := m.sessionsScr.register
	if f == nil || f.session.ID != s.ID {
		t.Fatalf("no registration dialog for session %d", s.ID)
	}
	registerAttendee(t, f, "Anna", "Kowalska", "anna@example.com")

	// Pay: Pay on the Payment Information page, which opens the card form.
	if f.payment == nil || f.payment.Card() != nil {
		t.Fatalf("not on Payment Information: %q", f.message.Text)
	}
	uitest.PressShortcut(w, fyne.KeyP)
	if f.payment.Card() == nil {
		t.Fatalf("Pay did not open the card form: %q", f.payment.Widgets().Message.Text)
	}
	closeOverlays(w)

	// Export: the session's registrations, as CSV with CRLF lines, through
	// Fyne's dialog (the one Linux uses), which lists only CSV files.
	dir := t.TempDir()
	for _, name := range []string{"trainpay.db", "trainpay.db-wal", "trainpay.db-shm", "earlier.csv"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m.settings.SetLastFolder(dir)
	uitest.PressShortcut(w, fyne.KeyE)
	shown := screenTexts(w)
	// (The grid shows a name and its extension apart.)
	if !containsText(shown, "earlier") || containsText(shown, "trainpay") || containsText(shown, "-wal") {
		t.Fatalf("the save dialog should list earlier.csv only: %q", shown)
	}
	test.Tap(findButton(w, "Save"))
	name := T("regs.export_file", map[string]any{"ID": s.ID}) + ".csv"
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("export not saved: %v; %q", err, screenTexts(w))
	}
	if !bytes.Contains(data, []byte("Anna")) || !endsLinesWithCRLF(data) {
		t.Fatalf("export %q", data)
	}
	if m.settings.LastFolder() != dir {
		t.Errorf("last folder %q", m.settings.LastFolder())
	}
	closeOverlays(w)

	// Preferences: its window opens.
	uitest.PressShortcut(w, fyne.KeyComma)
	if m.prefs == nil || !hasWindowTitled(e.app, "Preferences") {
		t.Fatal("Preferences did not open")
	}

	// Quit: the window's size is kept and the app ends.
	quit := false
	m.quit = func() { quit = true }
	w.Resize(fyne.NewSize(1000, 740))
	uitest.PressShortcut(w, fyne.KeyQ)
	if !quit || NewSettings(e.app.Preferences()).WindowSize() != w.Canvas().Size() {
		t.Fatalf("quit %v, size kept %v", quit, NewSettings(e.app.Preferences()).WindowSize())
	}
}

func hasWindowTitled(a fyne.App, title string) bool {
	for _, w := range a.Driver().AllWindows() {
		if w.Title() == title {
			return true
		}
	}
	return false
}

// Preferences: the theme applies at once and is kept; the database for the
// next start must be a full path and is kept.
func TestPreferencesThemeAndDatabase(t *testing.T) {
	e, m, _ := newDesktopWindow(t)
	m.ShowPreferences()
	p := m.prefs
	// (A long path wraps onto two lines.)
	if !strings.Contains(strings.Join(texts(p.win.Content()), ""), e.db.Path()) {
		t.Fatalf("the database in use is not shown: %q", texts(p.win.Content()))
	}
	darkBG := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	p.theme.SetSelected("Dark")
	if NewSettings(e.app.Preferences()).Theme() != ThemeDark {
		t.Fatal("dark theme not kept")
	}
	if got := e.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight); got != darkBG {
		t.Fatalf("background %v, want the dark %v", got, darkBG)
	}
	p.theme.SetSelected("Light")
	lightBG := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight)
	if got := e.app.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark); got != lightBG {
		t.Fatalf("background %v, want the light %v", got, lightBG)
	}

	p.dbNext.SetText("relative/site.db")
	test.Tap(p.dbSave)
	if NewSettings(e.app.Preferences()).DatabasePath() != "" || p.dbMsg.Importance != widget.DangerImportance {
		t.Fatalf("a relative path was kept: %q", p.dbMsg.Text)
	}
	other := filepath.Join(t.TempDir(), "other.db")
	p.dbNext.SetText(other)
	test.Tap(p.dbSave)
	if NewSettings(e.app.Preferences()).DatabasePath() != other || !strings.Contains(p.dbMsg.Text, "started again") {
		t.Fatalf("kept %q: %q", NewSettings(e.app.Preferences()).DatabasePath(), p.dbMsg.Text)
	}
	test.Tap(findButton(p.win, "Use the default"))
	if NewSettings(e.app.Preferences()).DatabasePath() != "" {
		t.Fatal("default not restored")
	}

	// Switching the language redraws the menu and this window in Polish.
	p.language.SetSelected("Polski")
	if m.prefs.win.Title() != "Preferencje" || m.Window().MainMenu().Items[0].Label != "Plik" {
		t.Fatalf("title %q, menu %q", m.prefs.win.Title(), m.Window().MainMenu().Items[0].Label)
	}
}

// On macOS About and Preferences carry the names Fyne's macOS driver moves
// into the application menu; elsewhere they are translated, with
// Preferences in File and About in Help.
func TestMenuLayoutPerPlatform(t *testing.T) {
	_, m, _ := newDesktopWindow(t)
	mac := m.mainMenu(true)
	if menuItem(mac, "About") == nil || menuItem(mac, "Settings…") == nil || menuItem(mac, "Quit") != nil {
		t.Fatalf("macOS menu: About and Settings… for the application menu, and no Quit of its own")
	}
	other := m.mainMenu(false)
	file, help := other.Items[0], other.Items[len(other.Items)-1]
	if file.Label != "File" || help.Label != "Help" || help.Items[0].Label != "About TrainPay" {
		t.Fatalf("menus %q / %q", file.Label, help.Label)
	}
	last := file.Items[len(file.Items)-1]
	if !last.IsQuit || menuItem(other, "Preferences…") == nil {
		t.Fatalf("File ends with %+v", last)
	}
	var labels []string
	for _, it := range other.Items[2].Items {
		labels = append(labels, it.Label)
	}
	if other.Items[2].Label != "View" || strings.Join(labels, "|") != "Overview|Training sessions|Site administration" {
		t.Fatalf("View: %q", labels)
	}
}

// About shows the version and build from the app's metadata, the licences
// and the project's link.
func TestAboutShowsVersionLicencesAndLink(t *testing.T) {
	newEnv(t, "en")
	SetLanguage("en")
	o := aboutContent(fyne.AppMetadata{Name: "TrainPay", Version: "0.1.0", Build: 7}, nil)
	all := texts(o)
	for _, want := range []string{
		"TrainPay", "Version 0.1.0 (build 7)", "Fyne (fyne.io/fyne/v2) — BSD-3-Clause",
		"Noto Sans — SIL Open Font License 1.1", "github.com/trainpay/trainpay",
	} {
		if !containsText(all, want) {
			t.Errorf("About lacks %q: %q", want, all)
		}
	}
	SetLanguage("pl")
	if !containsText(texts(aboutContent(fyne.AppMetadata{Version: "0.1.0", Build: 7}, nil)), "Wersja 0.1.0 (kompilacja 7)") {
		t.Error("About is not in Polish")
	}
}
