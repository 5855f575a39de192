package ui

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/ui/uitest"
)

var cheapArgon2 = testsite.CheapArgon2

const testPassphrase = testsite.Passphrase

// env is one headless TrainPay on a real SQLite file in a temp folder.
type env struct {
	t    *testing.T
	db   *storage.DB
	site *app.SiteService
	app  fyne.App
	deps Deps
}

func newEnv(t *testing.T, language string) *env {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	db, _ := testsite.OpenIn(t, dir)
	svc := testsite.Service(db)
	a := test.NewTempApp(t)
	// What the screens wrote to preferences joins the suite's scan for card
	// data at rest (the database file is in it already).
	pcitest.KeepBytes(t, "preferences.json", func() []byte { return dumpPreferences(a.Preferences()) })
	a.Preferences().SetString(prefLanguage, language)
	t.Cleanup(func() { SetLanguage("en") })
	return &env{t: t, db: db, site: svc, app: a, deps: Deps{
		Site: svc, Export: app.RegistrationExporter{Store: db},
		Go: func(f func()) { f() },
	}}
}

// dumpPreferences writes every preference as JSON.
func dumpPreferences(p fyne.Preferences) []byte {
	values := map[string]any{}
	if r, ok := p.(interface{ ReadValues(func(map[string]any)) }); ok {
		r.ReadValues(func(m map[string]any) {
			for k, v := range m {
				values[k] = v
			}
		})
	}
	out, _ := json.Marshal(values)
	return out
}

// setUp creates the site as the wizard would, without the UI.
func (e *env) setUp(country, cur, tz string) {
	e.t.Helper()
	testsite.SetUp(e.t, e.site, testsite.Site(country, cur, tz))
}

func (e *env) provision(features ...app.Feature) {
	e.t.Helper()
	testsite.Provision(e.t, e.site, features...)
}

// The names the tests read the screen by.

func texts(o fyne.CanvasObject) []string                   { return uitest.Texts(o) }
func screenTexts(w fyne.Window) []string                   { return uitest.ScreenTexts(w) }
func containsText(all []string, want string) bool          { return uitest.ContainsText(all, want) }
func findButton(w fyne.Window, text string) *widget.Button { return uitest.FindButton(w, text) }

func TestMain(m *testing.M) {
	// Windows and macOS would show the system's file dialog, which no test
	// can answer: Fyne's is driven instead, everywhere.
	nativeDialogs = false
	// The organisation database's tests start a throwaway PostgreSQL when
	// the first of them asks for a database; Run stops it.
	uitest.Main("trainpay-ui-test", func() int { return pgtest.Run(m) })
}
