package registry_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bojanz/currency"
	"github.com/zalando/go-keyring"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/payflow/payflowtest"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/secrets"
)

const pass = "correct horse battery"

type fixture struct {
	db       *storage.DB
	path     string
	site     *app.SiteService
	merchant *app.MerchantService
	reg      *registry.Registry
	pay      *app.PaymentService
	admin    *app.Admin
}

func newFixture(t *testing.T, country, cur string) *fixture {
	t.Helper()
	keyring.MockInit()
	dir := t.TempDir()
	db, path := testsite.OpenIn(t, dir)
	pcitest.Keep(t, filepath.Join(dir, "trainpay.secrets"), filepath.Join(dir, "sandbox.json"))
	vault := secrets.New(secrets.Options{
		Service: "TrainPay:test-" + t.Name(), FallbackPath: filepath.Join(dir, "trainpay.secrets"),
		KDF: app.Argon2Params{Memory: 64, Time: 1, Threads: 1},
	})
	site := testsite.Service(db)
	site.AfterUnlock = vault.Unlock
	ctx := context.Background()
	if err := site.Setup(ctx, app.Site{Name: "Acme", Country: country, Currency: cur, TimeZone: "UTC", Language: "en"}, pass); err != nil {
		t.Fatal(err)
	}
	admin, err := site.Unlock(ctx, pass)
	if err != nil {
		t.Fatal(err)
	}
	reg := &registry.Registry{Sites: db, Settings: db, Secrets: vault, SandboxLedger: filepath.Join(dir, "sandbox.json")}
	t.Cleanup(func() { reg.Close() })
	return &fixture{
		db: db, path: path, site: site, reg: reg, admin: admin,
		merchant: &app.MerchantService{Sites: db, Admins: site, Settings: db, Secrets: vault, Tester: reg},
		pay:      app.NewPaymentService(db, reg, nil),
	}
}

func card() *app.Card {
	return &app.Card{Number: []byte("5555555555554444"), CVV: []byte("737"), ExpMonth: 3, ExpYear: time.Now().Year() + 2, Holder: "Jan Kowalski"}
}

func amount(t *testing.T, n, code string) currency.Amount {
	a, err := currency.NewAmount(n, code)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTestModePaysThroughTheSandbox(t *testing.T) {
	for _, tc := range []struct {
		proc          app.Processor
		country, code string
	}{
		{app.ProcessorPayflow, "US", "USD"},
		{app.ProcessorWPPUKPayflow, "GB", "GBP"},
		{app.ProcessorWPPUKNVP, "GB", "GBP"},
	} {
		t.Run(string(tc.proc), func(t *testing.T) {
			f := newFixture(t, tc.country, tc.code)
			ctx := context.Background()
			if err := f.merchant.SavePaymentSettings(ctx, f.admin, app.PaymentSettings{Processor: tc.proc, CreditCards: true}); err != nil {
				t.Fatal(err)
			}
			// No credentials are needed in Test mode.
			sale, err := f.pay.Charge(ctx, app.ChargeRequest{
				Purpose: app.PurposeTestPayment, Reference: "t",
				Amount: amount(t, "12.00", tc.code), Method: app.MethodCreditCard, Card: card(),
				Payer: app.Payer{FirstName: "Jan", LastName: "Kowalski", Country: tc.country, Street: "1 High St", City: "London", PostalCode: "SW1A 1AA"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if sale.Mode != app.ModeTest || sale.Processor != tc.proc || sale.State != app.StateApproved {
				t.Fatalf("sale = %+v", sale)
			}
			if _, err := f.pay.Refund(ctx, sale.ID, amount(t, "12.00", tc.code), "refund"); err != nil {
				t.Fatal(err)
			}
			sb, _ := f.reg.Sandbox(ctx)
			if n := len(sb.Ledger()); n != 2 {
				t.Fatalf("sandbox ledger has %d entries, want sale and refund", n)
			}
			_, err = f.pay.Charge(ctx, app.ChargeRequest{
				Purpose: app.PurposeTestPayment, Reference: "t",
				Amount: amount(t, "1.00", tc.code), Method: app.MethodDebitCard, Card: card(),
			})
			if app.ErrorCode(err) != app.EUNAVAILABLE {
				t.Fatalf("debit cards are not offered: %v", err)
			}
			if res := f.reg.TestConnection(ctx, tc.proc); res.Outcome != app.OutcomeApproved {
				t.Fatalf("Test connection in Test mode: %+v", res)
			}
		})
	}
}

func TestProductionUsesStoredCredentials(t *testing.T) {
	f := newFixture(t, "US", "USD")
	ctx := context.Background()
	srv := payflowtest.NewServer(t)
	if err := f.merchant.SavePaymentSettings(ctx, f.admin, app.PaymentSettings{
		Processor:   app.ProcessorPayflow,
		CreditCards: true, DebitCards: true, Endpoint: srv.URL,
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.site.SetMode(ctx, f.admin, app.ModeProduction); err != nil {
		t.Fatal(err)
	}
	req := func() app.ChargeRequest {
		return app.ChargeRequest{
			Purpose: app.PurposeTestPayment, Reference: "t", Amount: amount(t, "40.00", "USD"),
			Method: app.MethodDebitCard, Card: card(), Payer: app.Payer{FirstName: "Jan", LastName: "Kowalski"},
		}
	}
	// Without credentials the payment is refused before any journal row.
	_, err := f.pay.Charge(ctx, req())
	if app.AsError(err).Key != "error.methods.no_credentials" {
		t.Fatalf("no credentials: %v", err)
	}
	if has, _ := f.merchant.HasCredentials(app.ProcessorPayflow); has {
		t.Fatal("credentials reported before any were saved")
	}
	user, vendor, partner, password := srv.Credentials()
	if err := f.merchant.SaveCredentials(ctx, f.admin, app.ProcessorPayflow,
		app.PayflowCredentials{Partner: partner, Vendor: vendor, User: user, Password: "wrong-password"}); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.merchant.TestConnection(ctx, f.admin, app.ProcessorPayflow); res.Outcome != app.OutcomeMerchantConfig {
		t.Fatalf("wrong password: %+v", res)
	}
	if err := f.merchant.SaveCredentials(ctx, f.admin, app.ProcessorPayflow,
		app.PayflowCredentials{Partner: partner, Vendor: vendor, User: user, Password: password}); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.merchant.TestConnection(ctx, f.admin, app.ProcessorPayflow); res.Outcome != app.OutcomeApproved {
		t.Fatalf("right password: %+v", res)
	}
	sale, err := f.pay.Charge(ctx, req())
	if err != nil {
		t.Fatal(err)
	}
	if sale.Mode != app.ModeProduction || sale.Funding != app.FundingDebit || len(srv.Ledger()) != 1 {
		t.Fatalf("sale = %+v, ledger %d", sale, len(srv.Ledger()))
	}
	// Credentials never reach the database file, its WAL or the audit log.
	f.db.Close()
	for _, name := range []string{f.path, f.path + "-wal"} {
		raw, err := os.ReadFile(name)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, secret := range []string{password, "wrong-password"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Fatalf("%s holds a merchant password", filepath.Base(name))
			}
		}
	}
}

func TestMethodsFollowTheSitesCountry(t *testing.T) {
	ctx := context.Background()
	pl := newFixture(t, "PL", "PLN")
	err := pl.merchant.SavePaymentSettings(ctx, pl.admin, app.PaymentSettings{Processor: app.ProcessorWPPUKNVP, CreditCards: true})
	if app.AsError(err).Key != "error.methods.wpp_uk_only" {
		t.Fatalf("WPP UK for a Polish site: %v", err)
	}
	err = pl.merchant.SavePaymentSettings(ctx, pl.admin, app.PaymentSettings{Processor: app.ProcessorPayflow, ExpressCheckout: true})
	if app.AsError(err).Key != "error.methods.express_us_ca_only" {
		t.Fatalf("Express Checkout for a Polish site: %v", err)
	}
	err = pl.merchant.SavePaymentSettings(ctx, pl.admin, app.PaymentSettings{CreditCards: true})
	if app.AsError(err).Key != "error.methods.processor_required" {
		t.Fatalf("cards without a processor: %v", err)
	}
	if err := pl.merchant.SavePaymentSettings(ctx, pl.admin, app.PaymentSettings{Processor: app.ProcessorPayflow, CreditCards: true, DebitCards: true}); err != nil {
		t.Fatal(err)
	}
	methods, _ := pl.merchant.OfferedMethods(ctx)
	if len(methods) != 2 || methods[0] != app.MethodCreditCard || methods[1] != app.MethodDebitCard {
		t.Fatalf("offered = %v", methods)
	}
	uk := newFixture(t, "GB", "GBP")
	err = uk.merchant.SavePaymentSettings(ctx, uk.admin, app.PaymentSettings{Processor: app.ProcessorWPPUKNVP, CreditCards: true, ExpressCheckout: true})
	if app.AsError(err).Key != "error.methods.express_us_ca_only" {
		t.Fatalf("Express Checkout for a UK site: %v", err)
	}
	entries, _, _ := uk.site.AuditLog(ctx, uk.admin, 0, 10)
	for _, e := range entries {
		if e.Action == "methods.express_checkout" {
			t.Fatal("a refused change was audited")
		}
	}
}
