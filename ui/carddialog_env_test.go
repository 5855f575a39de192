package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
	"github.com/trainpay/trainpay/ui/checkout"
	"github.com/trainpay/trainpay/ui/uitest"
)

// payEnv is env with a Test-mode site whose card payments go through the
// gateway registry to the offline sandbox (Payflow), and a window for the
// screens that pay.
type payEnv struct {
	*env
	sb  *sandbox.Sandbox
	log *uitest.LockedBuffer
	w   fyne.Window
}

func newPayEnv(t *testing.T, wrap func(app.Gateway) app.Gateway) *payEnv {
	t.Helper()
	return newPayEnvAt(t, "PL", "PLN", "Europe/Warsaw", app.ProcessorPayflow, wrap)
}

// newPayEnvAt is newPayEnv for a site in country charging in cur, whose
// cards go to proc.
func newPayEnvAt(t *testing.T, country, cur, tz string, proc app.Processor, wrap func(app.Gateway) app.Gateway) *payEnv {
	t.Helper()
	e := newEnv(t, "en")
	pay := uitest.SetUp(t, e.db, e.site, country, cur, tz, proc, wrap)
	SetLanguage("en")
	e.deps.Payments = pay.Service
	w := test.NewWindow(widget.NewLabel(""))
	w.Resize(fyne.NewSize(800, 900))
	t.Cleanup(w.Close)
	return &payEnv{env: e, sb: pay.Sandbox, log: pay.Log, w: w}
}

// pln formats an amount, in złoty, as the dialogs do.
func pln(t *testing.T, amount string) string { return uitest.PLN(t, amount) }

// paid is the result line of a payment that went through.
func paid(t *testing.T, amount, brandID, last4 string) string {
	return uitest.Paid(t, amount, brandID, last4)
}

// firstWords is the start of a message, which fits on a wrapped label's
// first line.
func firstWords(s string) string { return uitest.FirstWords(s) }

// typeInto focuses e as a click would, types text and leaves the field.
func typeInto(w fyne.Window, e uitest.Field, text string) { uitest.TypeInto(w, e, text) }

// replace clears e and types text into it.
func replace(w fyne.Window, e uitest.Field, text string) { uitest.Replace(w, e, text) }

func futureExpiry() string { return uitest.FutureExpiry() }

// fillCard types a whole card; the holder and postcode come pre-filled.
func fillCard(w fyne.Window, d *CardDialog, number, cvv string) {
	f := d.Widgets()
	typeInto(w, f.Number, number)
	typeInto(w, f.Expiry, futureExpiry())
	typeInto(w, f.CVV, cvv)
}

// payByCard pays on the card dialog that Pay on p opened: the test Visa,
// the postcode typed where the site left it empty, then Pay.
func payByCard(t *testing.T, w fyne.Window, p *checkout.PaymentInfo) *CardDialog {
	t.Helper()
	d := p.Card()
	if d == nil {
		t.Fatalf("no card dialog: %q", p.Widgets().Message.Text)
	}
	fillCard(w, d, "4111111111111111", "123")
	if d.Widgets().Postcode.Text == "" {
		replace(w, d.Widgets().Postcode, "00-001")
	}
	test.Tap(d.Widgets().Pay)
	return d
}

func (pe *payEnv) journal() []app.Payment { return uitest.Journal(pe.t, pe.db) }

func (pe *payEnv) charges() int { return uitest.Charges(pe.sb) }
