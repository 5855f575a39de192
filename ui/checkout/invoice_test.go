package checkout

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/ui/uitest"
)

// newPayPalSessionsEnv is a US site in USD, in Test mode, that offers
// cards and PayPal Express Checkout, with paid sessions and promotional
// codes enabled behind the real session and promo services, in language.
func newPayPalSessionsEnv(t *testing.T, language string) *sessionsEnv {
	t.Helper()
	pe := newPayEnvAt(t, "US", "USD", "America/New_York", app.ProcessorPayflow, nil)
	merchant := &app.MerchantService{Sites: pe.db, Admins: pe.site, Settings: pe.db}
	if err := merchant.SavePaymentSettings(context.Background(), testsite.Unlock(t, pe.site), app.PaymentSettings{
		Processor: app.ProcessorPayflow, CreditCards: true, DebitCards: true, ExpressCheckout: true,
	}); err != nil {
		t.Fatal(err)
	}
	promo := &app.PromoService{Store: pe.db, Site: pe.site, Sessions: pe.db}
	e := newSessionsEnvOn(t, pe, promo, app.FeaturePromoCodes)
	e.promo = promo
	SetLanguage(language)
	return e
}

// code makes a 20 % code for every session.
func (e *sessionsEnv) code(code string) { uitest.PercentCode(e.t, e.promo, code) }

// TestPaymentInformationOffersThePayPalInvoiceForTheTotalAfterTheCode: the
// Payment Information page offers the PayPal invoice beside cards and
// Express Checkout; with a 20 % code applied, Pay sends PayPal an invoice
// for the total after the code, numbered with the confirmation number,
// and says where the attendee pays and until when the seat is held.
func TestPaymentInformationOffersThePayPalInvoiceForTheTotalAfterTheCode(t *testing.T) {
	for _, lang := range []string{"en", "pl"} {
		t.Run(lang, func(t *testing.T) {
			e := newPayPalSessionsEnv(t, lang)
			ctx := context.Background()
			reg := &registry.Registry{Sites: e.db, Settings: e.db}
			t.Cleanup(func() { reg.Close() })
			e.svc.Invoices = &app.InvoiceService{Store: e.db, Gateways: reg, Settings: enableInvoices(t, e.db)}
			s := e.schedulePaid("Kubernetes day", 200_00, 10)
			e.code("TWENTY")
			p, _ := e.paymentInfo(s, "Mary", "Smith", "mary@example.com")
			invoice := T("method.paypal-invoice")
			if want := []string{T("pay.method.credit"), T("pay.method.debit"), T("payinfo.method_paypal"), invoice}; !slices.Equal(p.methods.Options, want) {
				t.Fatalf("methods %q, want %q", p.methods.Options, want)
			}
			test.Type(p.code, "TWENTY")
			test.Tap(p.apply)
			p.methods.SetSelected(invoice)
			test.Tap(p.pay)
			regs, _, _ := e.db.Registrations(ctx, app.RegistrationFilter{SessionID: s.ID})
			if len(regs) != 1 {
				t.Fatalf("%d registrations", len(regs))
			}
			r := regs[0]
			inv, err := e.svc.Invoices.(*app.InvoiceService).Invoice(ctx, r.ID)
			if err != nil || inv.State != app.InvoiceAwaitingPayment {
				t.Fatalf("invoice %+v, %v; page says %q", inv, err, p.message.Text)
			}
			sb, _ := reg.Sandbox(ctx)
			var remote []int64
			for _, x := range sb.Invoices() {
				if x.Number == r.Confirmation {
					remote = append(remote, x.Total)
				}
			}
			if len(remote) != 1 || remote[0] != 160_00 || r.TotalMinor != 160_00 {
				t.Errorf("PayPal's invoices for %s: %v; registration total %d", r.Confirmation, remote, r.TotalMinor)
			}
			if !strings.Contains(p.message.Text, inv.PayerLink) || !strings.Contains(p.message.Text, "mary@example.com") ||
				!p.pay.Disabled() {
				t.Errorf("page says %q, pay enabled=%v", p.message.Text, !p.pay.Disabled())
			}
		})
	}
}

// enableInvoices turns payment by PayPal invoice on, as the administrator
// does on the Payment methods page, keeping the other settings.
func enableInvoices(t *testing.T, db app.PaymentSettingsStore) app.PaymentSettingsStore {
	return uitest.EnableInvoices(t, db)
}
