package uitest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/ui/uikit"
)

// WrappedGateways hands out the registry's gateways through Wrap.
type WrappedGateways struct {
	*registry.Registry
	Wrap func(app.Gateway) app.Gateway
}

// ForMethod is the registry's gateway for m, wrapped.
func (r WrappedGateways) ForMethod(ctx context.Context, m app.Method) (app.Gateway, app.Processor, app.Mode, error) {
	gw, p, mode, err := r.Registry.ForMethod(ctx, m)
	if err != nil {
		return nil, "", "", err
	}
	return r.Wrap(gw), p, mode, nil
}

// LockedBuffer collects the payment service's log.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Payments are a Test-mode site's payments: the payment service over the
// gateway registry, whose cards go to the offline sandbox, and its log
// (kept for the suite's scan for card data).
type Payments struct {
	Service  *app.PaymentService
	Registry *registry.Registry
	Sandbox  *sandbox.Sandbox
	Log      *LockedBuffer
}

// SetUp sets up the site on db in country, charging in cur, in time zone
// tz, with credit and debit cards going to proc, and returns its payments;
// wrap, when not nil, wraps every gateway the registry hands out.
func SetUp(t testing.TB, db *storage.DB, site *app.SiteService, country, cur, tz string, proc app.Processor,
	wrap func(app.Gateway) app.Gateway,
) Payments {
	t.Helper()
	ctx := context.Background()
	testsite.SetUp(t, site, testsite.Site(country, cur, tz))
	err := db.SavePaymentSettings(ctx, app.PaymentSettings{Processor: proc, CreditCards: true, DebitCards: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := &registry.Registry{Sites: db, Settings: db}
	t.Cleanup(func() { reg.Close() })
	sb, err := reg.Sandbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gateways app.GatewayResolver = reg
	if wrap != nil {
		gateways = WrappedGateways{reg, wrap}
	}
	log := &LockedBuffer{}
	pcitest.KeepBytes(t, "payments.log", func() []byte { return []byte(log.String()) })
	svc := app.NewPaymentService(db, gateways, slog.New(slog.NewTextHandler(log, nil)))
	return Payments{Service: svc, Registry: reg, Sandbox: sb, Log: log}
}

// Field is a card dialog field that tests type into.
type Field interface {
	fyne.Focusable
	SetText(string)
}

// TypeInto focuses e as a click would, types text and leaves the field.
func TypeInto(w fyne.Window, e Field, text string) {
	w.Canvas().Focus(e)
	for _, r := range text {
		e.TypedRune(r)
	}
	w.Canvas().Unfocus()
}

// Replace clears e and types text into it.
func Replace(w fyne.Window, e Field, text string) {
	w.Canvas().Focus(e)
	e.SetText("")
	for _, r := range text {
		e.TypedRune(r)
	}
	w.Canvas().Unfocus()
}

// FutureExpiry is an expiry date three years from now, as typed: "MM/YY".
func FutureExpiry() string {
	f := time.Now().AddDate(3, 0, 0)
	return fmt.Sprintf("%02d/%02d", int(f.Month()), f.Year()%100)
}

// PLN writes amount, in złoty, as the dialogs do in the UI language.
func PLN(t testing.TB, amount string) string {
	t.Helper()
	a, err := currency.NewAmount(amount, "PLN")
	if err != nil {
		t.Fatal(err)
	}
	return money.Format(a, uikit.Language())
}

// Paid is the card dialog's line for a payment of amount (in złoty) that
// went through, with the card of brandID (its message ID) ending in last4.
func Paid(t testing.TB, amount, brandID, last4 string) string {
	t.Helper()
	return uikit.T("pay.paid", map[string]any{"Amount": PLN(t, amount), "Brand": uikit.T(brandID), "Card": "•••• " + last4})
}

// FirstWords is the start of a message, which fits on a wrapped label's
// first line.
func FirstWords(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20])
	}
	return s
}
