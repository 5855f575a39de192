// Package registry builds the gateway for each payment: the offline sandbox
// in Test mode, the merchant's processor with credentials from the secret
// store in Production. It implements app.GatewayResolver and
// app.ConnectionTester, and is the only place that knows which protocol
// package serves which processor.
package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp"
	"github.com/trainpay/trainpay/app/gateway/payflow"
	"github.com/trainpay/trainpay/app/gateway/paypalrest"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
)

// Registry resolves gateways. Gateways are cached per processor, mode,
// endpoint and credentials, because a client may keep state between calls
// (the NVP client remembers recent sends to avoid a premature "not found").
type Registry struct {
	Sites    app.SiteStore
	Settings app.PaymentSettingsStore
	Secrets  app.SecretStore
	// SandboxLedger is the file the offline sandbox keeps its ledger in, so
	// that a payment left unknown by a crash in Test mode can be reconciled
	// after a restart. Empty keeps it in memory.
	SandboxLedger string

	mu    sync.Mutex
	sb    *sandbox.Sandbox
	cache map[string]app.Gateway
	// invoicing caches PayPal Invoicing clients (invoice.go).
	invoicing map[string]app.InvoiceGateway
}

var (
	_ app.GatewayResolver  = (*Registry)(nil)
	_ app.ConnectionTester = (*Registry)(nil)
)

// Close stops the offline sandbox if it was started.
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sb != nil {
		err := r.sb.Close()
		r.sb = nil
		return err
	}
	return nil
}

// Sandbox returns the offline sandbox, starting it on first use.
func (r *Registry) Sandbox(ctx context.Context) (*sandbox.Sandbox, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sb != nil {
		return r.sb, nil
	}
	var opts []sandbox.Option
	if r.SandboxLedger != "" {
		opts = append(opts, sandbox.WithLedgerFile(r.SandboxLedger))
	}
	// The sandbox outlives the call that starts it (a PayPal payment's
	// context is cancelled when the person cancels): Close stops it.
	sb, err := sandbox.Start(context.WithoutCancel(ctx), opts...)
	if err != nil {
		return nil, app.Internal(err, "cannot start the offline sandbox")
	}
	r.sb = sb
	return sb, nil
}

// ForMethod returns the gateway for a new payment by method, in the site's
// current mode.
func (r *Registry) ForMethod(ctx context.Context, m app.Method) (app.Gateway, app.Processor, app.Mode, error) {
	site, err := r.Sites.Site(ctx)
	if err != nil {
		return nil, "", "", err
	}
	settings, err := r.Settings.PaymentSettings(ctx)
	if err != nil {
		return nil, "", "", err
	}
	var proc app.Processor
	switch m {
	case app.MethodCreditCard, app.MethodDebitCard:
		if settings.Processor == "" || (m == app.MethodCreditCard && !settings.CreditCards) ||
			(m == app.MethodDebitCard && !settings.DebitCards) {
			return nil, "", "", notOffered(m)
		}
		proc = settings.Processor
	case app.MethodExpressCheckout:
		if !settings.ExpressCheckout {
			return nil, "", "", notOffered(m)
		}
		proc = app.ProcessorPayPalREST
	case app.MethodBudget:
		// Offered under both budget policies (app/budgetcharge.go); no
		// processor, no credentials, the same in Test and Production.
		return internalGateway{}, app.ProcessorInternal, site.Mode, nil
	default:
		return nil, "", "", notOffered(m)
	}
	if err := app.ProcessorAllowed(site, proc); err != nil {
		return nil, "", "", err
	}
	gw, err := r.gateway(ctx, proc, site.Mode, settings)
	if err != nil {
		return nil, "", "", err
	}
	return gw, proc, site.Mode, nil
}

func notOffered(m app.Method) error {
	return app.Errorf(app.EUNAVAILABLE, "error.methods.not_offered",
		"%s is not offered on this site: contact your site administrator", m).With(map[string]any{"Method": string(m)})
}

// ForPayment returns the gateway that handled a journal row: the same
// processor in the same mode, whatever the site uses now.
func (r *Registry) ForPayment(ctx context.Context, p app.Payment) (app.Gateway, error) {
	settings, err := r.Settings.PaymentSettings(ctx)
	if err != nil {
		return nil, err
	}
	return r.gateway(ctx, p.Processor, p.Mode, settings)
}

// TestConnection checks a processor's credentials with a harmless call in
// the site's mode (in Test mode, against the offline sandbox).
func (r *Registry) TestConnection(ctx context.Context, p app.Processor) app.Result {
	site, err := r.Sites.Site(ctx)
	if err != nil {
		return app.Result{Outcome: app.OutcomeNotProcessed, Message: app.ErrorText(err)}
	}
	settings, err := r.Settings.PaymentSettings(ctx)
	if err != nil {
		return app.Result{Outcome: app.OutcomeNotProcessed, Message: app.ErrorText(err)}
	}
	gw, err := r.gateway(ctx, p, site.Mode, settings)
	if err != nil {
		if app.ErrorCode(err) == app.EUNAVAILABLE {
			return app.Result{Outcome: app.OutcomeMerchantConfig, Message: app.ErrorText(err)}
		}
		return app.Result{Outcome: app.OutcomeNotProcessed, Message: app.ErrorText(err)}
	}
	type tester interface {
		TestConnection(ctx context.Context) app.Result
	}
	if t, ok := gw.(tester); ok {
		return t.TestConnection(ctx)
	}
	return app.Result{Outcome: app.OutcomeNotProcessed, Message: fmt.Sprintf("%s cannot test its connection", p)}
}

// gateway builds (or reuses) the gateway for a processor in a mode.
func (r *Registry) gateway(ctx context.Context, proc app.Processor, mode app.Mode, settings app.PaymentSettings) (app.Gateway, error) {
	if proc == app.ProcessorInternal {
		return internalGateway{}, nil
	}
	if mode == app.ModeTest {
		return r.sandboxGateway(ctx, proc)
	}
	switch proc {
	case app.ProcessorPayflow, app.ProcessorWPPUKPayflow:
		creds, err := app.LoadPayflowCredentials(r.Secrets, proc)
		if err != nil {
			return nil, err
		}
		endpoint := settings.Endpoint
		if endpoint == "" {
			endpoint = payflow.LiveEndpoint
		}
		cfg := payflow.Config{Endpoint: endpoint, User: creds.User, Vendor: creds.Vendor, Partner: creds.Partner, Password: creds.Password}
		return r.cached(string(proc)+"|live|"+fingerprint(cfg), func() (app.Gateway, error) { return payflow.New(cfg) })
	case app.ProcessorWPPUKNVP:
		creds, err := app.LoadNVPCredentials(r.Secrets)
		if err != nil {
			return nil, err
		}
		endpoint := settings.Endpoint
		if endpoint == "" {
			endpoint = nvp.LiveEndpoint
		}
		cfg := nvp.Config{Endpoint: endpoint, User: creds.User, Password: creds.Password, Signature: creds.Signature}
		return r.cached(string(proc)+"|live|"+fingerprint(cfg), func() (app.Gateway, error) { return nvp.New(cfg) })
	case app.ProcessorPayPalREST:
		creds, err := app.LoadRESTCredentials(r.Secrets)
		if err != nil {
			return nil, err
		}
		// settings.Endpoint is the card processor's override; Orders v2
		// always goes to PayPal's live REST host in Production.
		cfg := paypalrest.Config{
			BaseURL: paypalrest.LiveBase, ClientID: creds.ClientID, Secret: creds.Secret,
			BrandName: r.brandName(ctx),
		}
		return r.cached(string(proc)+"|live|"+fingerprint(cfg), func() (app.Gateway, error) { return paypalrest.New(cfg) })
	}
	return nil, app.Errorf(app.EUNAVAILABLE, "error.methods.unknown_processor", "no gateway for processor %q", proc)
}

func (r *Registry) sandboxGateway(ctx context.Context, proc app.Processor) (app.Gateway, error) {
	sb, err := r.Sandbox(ctx)
	if err != nil {
		return nil, err
	}
	switch proc {
	case app.ProcessorPayflow, app.ProcessorWPPUKPayflow:
		cfg := sb.PayflowConfig()
		if proc == app.ProcessorWPPUKPayflow {
			cfg.Partner = "PayPalUK"
		}
		return r.cached(string(proc)+"|test|"+fingerprint(cfg), func() (app.Gateway, error) { return payflow.New(cfg) })
	case app.ProcessorWPPUKNVP:
		cfg := sb.NVPConfig()
		return r.cached(string(proc)+"|test|"+fingerprint(cfg), func() (app.Gateway, error) { return nvp.New(cfg) })
	case app.ProcessorPayPalREST:
		cfg := sb.OrdersConfig()
		cfg.BrandName = r.brandName(ctx)
		return r.cached(string(proc)+"|test|"+fingerprint(cfg), func() (app.Gateway, error) { return paypalrest.New(cfg) })
	}
	return nil, app.Errorf(app.EUNAVAILABLE, "error.methods.unknown_processor", "no gateway for processor %q", proc)
}

// brandName is what PayPal shows the buyer: the site's name.
func (r *Registry) brandName(ctx context.Context) string {
	if site, err := r.Sites.Site(ctx); err == nil && site.Name != "" {
		return site.Name
	}
	return "TrainPay"
}

func (r *Registry) cached(key string, build func() (app.Gateway, error)) (app.Gateway, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gw, ok := r.cache[key]; ok {
		return gw, nil
	}
	gw, err := build()
	if err != nil {
		return nil, err
	}
	if r.cache == nil {
		r.cache = map[string]app.Gateway{}
	}
	r.cache[key] = gw
	return gw, nil
}

// fingerprint identifies a configuration in the cache without keeping its
// secrets readable in the cache's keys.
func fingerprint(cfg any) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%#v", cfg)))
	return hex.EncodeToString(sum[:8])
}
