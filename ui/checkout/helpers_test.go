package checkout

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/ui/uikit"
	"github.com/trainpay/trainpay/ui/uitest"
)

// The names the tests read the screen and the UI language by.

func T(id string, data ...map[string]any) string  { return uikit.T(id, data...) }
func ErrorText(err error) string                  { return uikit.ErrorText(err) }
func SetLanguage(choice string) string            { return uikit.SetLanguage(choice) }
func Language() string                            { return uikit.Language() }
func screenTexts(w fyne.Window) []string          { return uitest.ScreenTexts(w) }
func containsText(all []string, want string) bool { return uitest.ContainsText(all, want) }
func hasText(all []string, want string) bool      { return uitest.HasText(all, want) }
func findButton(w fyne.Window, text string) *widget.Button {
	return uitest.FindButton(w, text)
}

func typeInto(w fyne.Window, e uitest.Field, text string) { uitest.TypeInto(w, e, text) }
func replace(w fyne.Window, e uitest.Field, text string)  { uitest.Replace(w, e, text) }
func futureExpiry() string                                { return uitest.FutureExpiry() }

// fillCard types a whole card; the holder and postcode come pre-filled.
func fillCard(w fyne.Window, d *CardDialog, number, cvv string) {
	typeInto(w, d.number, number)
	typeInto(w, d.expiry, futureExpiry())
	typeInto(w, d.cvv, cvv)
}

// payEnv is a headless TrainPay on a real SQLite file: a Test-mode site
// whose card payments go through the gateway registry to the offline
// sandbox, and a window for the dialogs.
type payEnv struct {
	t    *testing.T
	db   *storage.DB
	site *app.SiteService
	pay  uitest.Payments
	svc  Services
	w    fyne.Window
	log  *uitest.LockedBuffer
}

func newPayEnv(t *testing.T, wrap func(app.Gateway) app.Gateway) *payEnv {
	t.Helper()
	return newPayEnvAt(t, "PL", "PLN", "Europe/Warsaw", app.ProcessorPayflow, wrap)
}

// newPayEnvAt is newPayEnv for a site in country charging in cur, whose
// cards go to proc.
func newPayEnvAt(t *testing.T, country, cur, tz string, proc app.Processor, wrap func(app.Gateway) app.Gateway) *payEnv {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	db, _ := testsite.OpenIn(t, dir)
	site := testsite.Service(db)
	test.NewTempApp(t)
	SetLanguage("en")
	t.Cleanup(func() { SetLanguage("en") })
	pay := uitest.SetUp(t, db, site, country, cur, tz, proc, wrap)
	w := test.NewWindow(widget.NewLabel(""))
	w.Resize(fyne.NewSize(800, 900))
	t.Cleanup(w.Close)
	return &payEnv{
		t: t, db: db, site: site, pay: pay, w: w, log: pay.Log,
		svc: Services{Payments: pay.Service, Go: func(f func()) { f() }},
	}
}

func TestMain(m *testing.M) { uitest.Main("trainpay-checkout-test", m.Run) }
