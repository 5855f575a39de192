package ui

import "fyne.io/fyne/v2"

// Preference keys and defaults. Only per-user view state lives in
// preferences; site data (fees, codes, rates) lives in the database.
const (
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
	prefLastSection  = "window.section"
	prefLanguage     = "ui.language"
	prefTheme        = "ui.theme"
	prefLastFolder   = "files.folder"
	// prefDatabase is the database file to open at the next start when no
	// --db is given; "" means the default one.
	prefDatabase = "db.path"

	defaultWindowWidth  = 1024
	defaultWindowHeight = 700
)

// Theme choices, as stored under prefTheme.
const (
	ThemeSystem = "system" // follow the operating system (the default)
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// Settings is the typed view of the user's preferences.
type Settings struct{ p fyne.Preferences }

// NewSettings wraps an app's preferences.
func NewSettings(p fyne.Preferences) Settings { return Settings{p: p} }

// WindowSize is the size the main window had when it was last closed.
func (s Settings) WindowSize() fyne.Size {
	w := s.p.FloatWithFallback(prefWindowWidth, defaultWindowWidth)
	h := s.p.FloatWithFallback(prefWindowHeight, defaultWindowHeight)
	if w < 640 || h < 480 {
		w, h = defaultWindowWidth, defaultWindowHeight
	}
	return fyne.NewSize(float32(w), float32(h))
}

// SetWindowSize remembers the main window's size.
func (s Settings) SetWindowSize(size fyne.Size) {
	s.p.SetFloat(prefWindowWidth, float64(size.Width))
	s.p.SetFloat(prefWindowHeight, float64(size.Height))
}

// LastSection is the navigation section that was open last.
func (s Settings) LastSection() string { return s.p.String(prefLastSection) }

// SetLastSection remembers the open section.
func (s Settings) SetLastSection(id string) { s.p.SetString(prefLastSection, id) }

// LanguageOverride is "en", "pl", or "" to follow the operating system.
func (s Settings) LanguageOverride() string { return s.p.String(prefLanguage) }

// SetLanguageOverride sets the UI language ("" follows the OS).
func (s Settings) SetLanguageOverride(l string) { s.p.SetString(prefLanguage, l) }

// Theme is ThemeSystem, ThemeLight or ThemeDark; anything else stored reads
// as ThemeSystem.
func (s Settings) Theme() string {
	switch t := s.p.StringWithFallback(prefTheme, ThemeSystem); t {
	case ThemeLight, ThemeDark:
		return t
	default:
		return ThemeSystem
	}
}

// SetTheme remembers the theme choice.
func (s Settings) SetTheme(t string) { s.p.SetString(prefTheme, t) }

// DatabasePath is the database file chosen for the next start, or "" for
// the default one.
func (s Settings) DatabasePath() string { return s.p.String(prefDatabase) }

// SetDatabasePath chooses the database file for the next start ("" goes
// back to the default one).
func (s Settings) SetDatabasePath(path string) { s.p.SetString(prefDatabase, path) }

// LastFolder is the folder of the file last saved or opened, or "".
func (s Settings) LastFolder() string { return s.p.String(prefLastFolder) }

// SetLastFolder remembers the folder of a file saved or opened.
func (s Settings) SetLastFolder(dir string) { s.p.SetString(prefLastFolder, dir) }
