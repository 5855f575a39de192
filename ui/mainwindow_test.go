package ui

import (
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
)

// The site's mode is said steadily, the same way in both modes: in the
// window title and by the marker under the navigation; Test has its banner
// besides. Switched by another desktop, the marker follows.
func TestWindowSaysTheModeInTestAndInProduction(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			e, m, _ := newDesktopWindow(t)
			SetLanguage(language)
			m.rebuild()
			w := m.Window()
			check := func(mode app.Mode) {
				t.Helper()
				name := T("mode." + string(mode))
				if !strings.Contains(w.Title(), name) {
					t.Errorf("%s: the title %q does not say %q", mode, w.Title(), name)
				}
				marker := T("status.mode", map[string]any{"Mode": name})
				if !containsText(screenTexts(w), marker) {
					t.Errorf("%s: no %q on the window: %q", mode, marker, screenTexts(w))
				}
				if banner := containsText(texts(m.banner), T("banner.test_mode")); banner != (mode == app.ModeTest) {
					t.Errorf("%s: TEST banner shown %v", mode, banner)
				}
			}
			check(app.ModeTest)
			ctx := t.Context()
			a, err := e.env.site.Unlock(ctx, testPassphrase)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.env.site.SetMode(ctx, a, app.ModeProduction); err != nil {
				t.Fatal(err)
			}
			m.changed(app.ChangedSite)
			check(app.ModeProduction)
			if err := e.env.site.SetMode(ctx, a, app.ModeTest); err != nil {
				t.Fatal(err)
			}
			m.changed(app.ChangedSite)
			check(app.ModeTest)
		})
	}
}
