package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

// memSecrets is a SecretStore in memory.
type memSecrets map[string]string

func (s memSecrets) Set(n, v string) error { s[n] = v; return nil }
func (s memSecrets) Get(n string) (string, error) {
	if v, ok := s[n]; ok {
		return v, nil
	}
	return "", app.Errorf(app.ENOTFOUND, "error.secret.not_found", "no secret")
}
func (s memSecrets) Delete(n string) error { delete(s, n); return nil }

// okTester answers every connection test with success.
type okTester struct{}

func (okTester) TestConnection(context.Context, app.Processor) app.Result {
	return app.Result{Outcome: app.OutcomeApproved}
}

// noMailer refuses to connect: the test message then fails after the
// administrator's handle was accepted.
type noMailer struct{}

func (noMailer) Open(context.Context, app.SMTPSettings, string) (app.MailSession, error) {
	return nil, errors.New("no mail server in this test")
}

// adminOp is one administrative operation, called with a handle.
type adminOp struct {
	name string
	call func(a *app.Admin) error
}

// adminServices wires every service that has administrative operations to
// one site with the pay-per-use feature on, and lists those operations.
func adminServices(t *testing.T) (*app.SiteService, *clock, []adminOp) {
	t.Helper()
	ctx := context.Background()
	site, clk, _ := newService(t)
	s := validSite()
	s.Country, s.Currency, s.TimeZone, s.Language = "US", "USD", "America/New_York", "en"
	if err := site.Setup(ctx, s, pass); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Provision(ctx, []app.Feature{app.FeaturePayPerUse, app.FeaturePaidSessions}, false); err != nil {
		t.Fatal(err)
	}
	setup, err := site.Unlock(ctx, pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := site.SetFeatureEnabled(ctx, setup, app.FeaturePayPerUse, true); err != nil {
		t.Fatal(err)
	}
	db := site.Store.(*storage.DB)
	budgets := &app.BudgetService{Site: site, Store: db, Sessions: db, Journal: db}
	dept := app.Department{Name: "Sales", CostCentre: "CC-1", OwnerName: "Ewa Kowalska", OwnerEmail: "ewa@example.com"}
	if err := budgets.SaveDepartment(ctx, setup, &dept); err != nil {
		t.Fatal(err)
	}
	_, current, err := budgets.CurrentPeriods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := budgets.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	site.Lock(setup)
	merchant := &app.MerchantService{Sites: db, Admins: site, Settings: db, Secrets: memSecrets{}, Tester: okTester{}}
	promo := &app.PromoService{Store: db, Site: site, Secrets: memSecrets{}, Mailer: noMailer{}}
	ten, _ := currency.NewAmount("10.00", "USD")

	ops := []adminOp{
		{"UpdateSite", func(a *app.Admin) error { return site.UpdateSite(ctx, a, s) }},
		{"SetMode", func(a *app.Admin) error { return site.SetMode(ctx, a, app.ModeProduction) }},
		{"SetRates", func(a *app.Admin) error { return site.SetRates(ctx, a, 1200, 800) }},
		{"SetFeatureEnabled", func(a *app.Admin) error { return site.SetFeatureEnabled(ctx, a, app.FeaturePaidSessions, true) }},
		{"AuditLog", func(a *app.Admin) error { _, _, err := site.AuditLog(ctx, a, 0, 10); return err }},
		{"ChangePassphrase", func(a *app.Admin) error { return site.ChangePassphrase(ctx, a, pass, pass) }},
		{"SavePaymentSettings", func(a *app.Admin) error {
			return merchant.SavePaymentSettings(ctx, a, app.PaymentSettings{Processor: app.ProcessorPayflow, CreditCards: true})
		}},
		{"SaveCredentials", func(a *app.Admin) error {
			return merchant.SaveCredentials(ctx, a, app.ProcessorPayflow, app.PayflowCredentials{Partner: "PayPal", Vendor: "acme", Password: "s3cret"})
		}},
		{"TestConnection", func(a *app.Admin) error { _, err := merchant.TestConnection(ctx, a, app.ProcessorPayflow); return err }},
		{"SaveSMTPSettings", func(a *app.Admin) error {
			return promo.SaveSMTPSettings(ctx, a, app.SMTPSettings{
				Host: "smtp.example.com", Port: 587, TLS: app.SMTPStartTLS,
				Sender: "training@example.com",
			}, "")
		}},
		{"SendTestMessage", func(a *app.Admin) error {
			err := promo.SendTestMessage(ctx, a, "admin@example.com")
			if err != nil && !app.AdminRefused(err) {
				return nil // accepted; the missing mail server is this test's
			}
			return err
		}},
		{"SaveBudgetSettings", func(a *app.Admin) error {
			next := settings
			next.Policy = app.PolicyBlock
			if settings.Policy == app.PolicyBlock {
				next.Policy = app.PolicyWarn
			}
			return budgets.SaveSettings(ctx, a, next)
		}},
		{"SaveDepartment", func(a *app.Admin) error {
			d := dept
			d.OwnerName = "Anna Nowak"
			return budgets.SaveDepartment(ctx, a, &d)
		}},
		{"Allocate", func(a *app.Admin) error {
			_, err := budgets.Allocate(ctx, a, dept.ID, current.Key(), ten, "initial")
			return err
		}},
		{"MarkReimbursed", func(a *app.Admin) error {
			_, err := budgets.MarkReimbursed(ctx, a, dept.ID, current.Key(), ten, "TR-1")
			if app.ErrorCode(err) == app.ECONFLICT {
				return nil // accepted; nothing is owed on this fresh site
			}
			return err
		}},
	}
	return site, clk, ops
}

func wantRefused(t *testing.T, err error, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want the administrator refused with %q", key)
	}
	e := app.AsError(err)
	if !app.AdminRefused(err) || e.Code != app.EUNAUTHORIZED || e.Key != key {
		t.Fatalf("err = %v (code %q key %q), want the administrator refused with %q", err, e.Code, e.Key, key)
	}
}

func TestForgedAdminHandlesAreRefusedByEveryAdministrativeOperation(t *testing.T) {
	site, _, ops := adminServices(t)
	// A handle issued by another service on the same database is not this
	// service's either.
	other := &app.SiteService{Store: site.Store, Now: site.Now, Argon2: site.Argon2}
	foreign, err := other.Unlock(context.Background(), pass)
	if err != nil {
		t.Fatal(err)
	}
	forged := map[string]*app.Admin{"nil": nil, "composite literal": {}, "new": new(app.Admin), "another service's": foreign}
	for _, op := range ops {
		for name, a := range forged {
			t.Run(op.name+"/"+name, func(t *testing.T) {
				wantRefused(t, op.call(a), "error.admin.required")
			})
		}
	}
	real, err := site.Unlock(context.Background(), pass)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if err := op.call(real); err != nil {
			t.Fatalf("%s with the unlocked handle: %v", op.name, err)
		}
	}
}

func TestAdminHandleExpiresWhenIdleAndEachActionExtendsIt(t *testing.T) {
	site, clk, ops := adminServices(t)
	a, err := site.Unlock(context.Background(), pass)
	if err != nil {
		t.Fatal(err)
	}
	// Each action starts the idle time again: an action every 14 minutes
	// keeps the handle alive well past 15 minutes after the unlock.
	for _, op := range ops[:3] {
		clk.now = clk.now.Add(app.AdminIdleTimeout - time.Minute)
		if err := op.call(a); err != nil {
			t.Fatalf("%s 14 minutes after the last action: %v", op.name, err)
		}
	}
	clk.now = clk.now.Add(app.AdminIdleTimeout)
	err = ops[0].call(a)
	wantRefused(t, err, "error.admin.expired")
	if m := app.AsError(err).Data["Minutes"]; m != 15 {
		t.Fatalf("expiry message says %v minutes, want 15", m)
	}
	// Expired stays expired, whatever the operation and the clock.
	clk.now = clk.now.Add(-time.Hour)
	for _, op := range ops {
		wantRefused(t, op.call(a), "error.admin.required")
	}
}

func TestLockRevokesTheAdminHandle(t *testing.T) {
	site, _, ops := adminServices(t)
	a, err := site.Unlock(context.Background(), pass)
	if err != nil {
		t.Fatal(err)
	}
	b, err := site.Unlock(context.Background(), pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := ops[0].call(a); err != nil {
		t.Fatal(err)
	}
	site.Lock(a)
	for _, op := range ops {
		wantRefused(t, op.call(a), "error.admin.required")
	}
	// Locking one handle leaves another unlock's handle working.
	if err := ops[0].call(b); err != nil {
		t.Fatalf("a second handle after the first was locked: %v", err)
	}
}
