package app

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// PaymentSettings are the site's payment methods and card processor. They
// hold nothing secret: merchant credentials live in the SecretStore.
type PaymentSettings struct {
	Processor       Processor // the card processor; "" when none is chosen
	CreditCards     bool
	DebitCards      bool
	ExpressCheckout bool
	// PayPalInvoices lets attendees pay for themselves online, through an
	// invoice PayPal emails them (InvoiceService): in Test mode through the
	// sandbox, in Production with the site's PayPal REST app credentials.
	PayPalInvoices bool
	// Endpoint overrides the processor's Production address (PayPal's
	// live endpoint when empty); Test mode always uses the offline sandbox.
	Endpoint string
}

// PayflowCredentials are a Payflow Pro (or Website Payments Pro UK, Payflow
// edition) merchant login.
type PayflowCredentials struct {
	Partner  string // "PayPal", "PayPalUK" or a reseller's ID
	Vendor   string // the merchant login
	User     string // the API user; the vendor when no extra user exists
	Password string
}

// NVPCredentials are a classic PayPal API signature (Website Payments Pro UK
// on DoDirectPayment).
type NVPCredentials struct {
	User      string
	Password  string
	Signature string
}

// RESTCredentials are a PayPal REST app's client ID and secret (Express
// Checkout through Orders v2).
type RESTCredentials struct {
	ClientID string
	Secret   string
}

// SecretStore keeps merchant credentials out of the database and
// preferences: the OS keychain, or a file encrypted with a key derived from
// the administrator's passphrase where no keychain answers.
type SecretStore interface {
	Set(name, value string) error
	Get(name string) (string, error) // ENOTFOUND when absent
	Delete(name string) error
}

// PaymentSettingsStore persists PaymentSettings with their audit entries.
type PaymentSettingsStore interface {
	// PaymentSettings returns the settings; the zero value before any save.
	PaymentSettings(ctx context.Context) (PaymentSettings, error)
	SavePaymentSettings(ctx context.Context, s PaymentSettings, audit []AuditEntry) error
	// AppendAudit records changes that touch no table (credentials).
	AppendAudit(ctx context.Context, audit []AuditEntry) error
}

// ConnectionTester makes a harmless call with a processor's credentials
// (Payflow inquiry, NVP GetBalance, an OAuth token) in the site's mode.
type ConnectionTester interface {
	TestConnection(ctx context.Context, p Processor) Result
}

// secretName is the SecretStore entry of a processor's credentials.
func secretName(p Processor) string { return "credentials." + string(p) }

// LoadPayflowCredentials reads a Payflow login from secrets.
func LoadPayflowCredentials(s SecretStore, p Processor) (PayflowCredentials, error) {
	var c PayflowCredentials
	return c, loadSecret(s, p, &c)
}

// LoadNVPCredentials reads an API signature from secrets.
func LoadNVPCredentials(s SecretStore) (NVPCredentials, error) {
	var c NVPCredentials
	return c, loadSecret(s, ProcessorWPPUKNVP, &c)
}

// LoadRESTCredentials reads a REST app's credentials from secrets.
func LoadRESTCredentials(s SecretStore) (RESTCredentials, error) {
	var c RESTCredentials
	return c, loadSecret(s, ProcessorPayPalREST, &c)
}

func loadSecret(s SecretStore, p Processor, v any) error {
	raw, err := s.Get(secretName(p))
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(EUNAVAILABLE, "error.methods.no_credentials",
				"no merchant credentials are stored for %s: contact your site administrator", p).
				With(map[string]any{"Processor": string(p)})
		}
		return err
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return Internal(err, "stored credentials are unreadable")
	}
	return nil
}

// MerchantService is the Payment methods page of site administration.
type MerchantService struct {
	Sites SiteStore
	// Admins checks the administrator's handle (the *SiteService that
	// issued it); with none, every administrative call is refused.
	Admins   AdminGate
	Settings PaymentSettingsStore
	Secrets  SecretStore
	Tester   ConnectionTester
	Now      func() time.Time
}

func (m *MerchantService) now() time.Time {
	if m.Now == nil {
		return time.Now().UTC()
	}
	return m.Now().UTC()
}

// ProcessorAllowed reports whether a site may use a processor: Website
// Payments Pro (UK) only for UK sites in GBP; Express Checkout only for
// sites in the USA or Canada in USD or CAD.
func ProcessorAllowed(site Site, p Processor) error {
	switch p {
	case "", ProcessorPayflow:
		return nil
	case ProcessorWPPUKPayflow, ProcessorWPPUKNVP:
		if site.Country != "GB" || site.Currency != "GBP" {
			return Errorf(EINVALID, "error.methods.wpp_uk_only",
				"Website Payments Pro (UK) is offered only to sites in the United Kingdom that charge in GBP")
		}
		return nil
	case ProcessorPayPalREST:
		if !expressCheckoutAllowed(site) {
			return Errorf(EINVALID, "error.methods.express_us_ca_only",
				"PayPal Express Checkout is offered only to sites in the USA or Canada that charge in USD or CAD")
		}
		return nil
	}
	return Errorf(EINVALID, "error.methods.unknown_processor", "unknown processor %q", p)
}

// CardProcessors are the card processors a site may choose, in the order
// they are offered: none, Payflow Pro, then Website Payments Pro (UK) on
// Payflow and on classic NVP where the site is in the United Kingdom and
// charges in GBP.
func CardProcessors(site Site) []Processor {
	var out []Processor
	for _, p := range []Processor{"", ProcessorPayflow, ProcessorWPPUKPayflow, ProcessorWPPUKNVP} {
		if ProcessorAllowed(site, p) == nil {
			out = append(out, p)
		}
	}
	return out
}

func expressCheckoutAllowed(site Site) bool {
	return (site.Country == "US" || site.Country == "CA") && (site.Currency == "USD" || site.Currency == "CAD")
}

// Validate checks settings against the site.
func (s PaymentSettings) Validate(site Site) error {
	if err := ProcessorAllowed(site, s.Processor); err != nil {
		return err
	}
	if (s.CreditCards || s.DebitCards) && s.Processor == "" {
		return Errorf(EINVALID, "error.methods.processor_required", "choose the card processor before offering card payments")
	}
	if s.ExpressCheckout {
		if err := ProcessorAllowed(site, ProcessorPayPalREST); err != nil {
			return err
		}
	}
	return nil
}

// PaymentSettings returns the site's payment settings.
func (m *MerchantService) PaymentSettings(ctx context.Context) (PaymentSettings, error) {
	return m.Settings.PaymentSettings(ctx)
}

// SavePaymentSettings validates and saves the settings, auditing each change.
func (m *MerchantService) SavePaymentSettings(ctx context.Context, a *Admin, next PaymentSettings) error {
	if err := requireAdminOf(m.Admins, a); err != nil {
		return err
	}
	site, err := m.Sites.Site(ctx)
	if err != nil {
		return err
	}
	if err := next.Validate(site); err != nil {
		return err
	}
	old, err := m.Settings.PaymentSettings(ctx)
	if err != nil {
		return err
	}
	at := m.now()
	var audit []AuditEntry
	add := auditAdder(&audit, at, "")
	add("methods.processor", string(old.Processor), string(next.Processor))
	add("methods.credit_cards", strconv.FormatBool(old.CreditCards), strconv.FormatBool(next.CreditCards))
	add("methods.debit_cards", strconv.FormatBool(old.DebitCards), strconv.FormatBool(next.DebitCards))
	add("methods.express_checkout", strconv.FormatBool(old.ExpressCheckout), strconv.FormatBool(next.ExpressCheckout))
	add("methods.paypal_invoices", strconv.FormatBool(old.PayPalInvoices), strconv.FormatBool(next.PayPalInvoices))
	add("methods.endpoint", old.Endpoint, next.Endpoint)
	if len(audit) == 0 {
		return nil
	}
	return m.Settings.SavePaymentSettings(ctx, next, audit)
}

// SaveCredentials stores a processor's credentials in the SecretStore. The
// audit log records that they changed, never what they are.
func (m *MerchantService) SaveCredentials(ctx context.Context, a *Admin, p Processor, creds any) error {
	if err := requireAdminOf(m.Admins, a); err != nil {
		return err
	}
	switch c := creds.(type) {
	case PayflowCredentials:
		if p != ProcessorPayflow && p != ProcessorWPPUKPayflow {
			return Errorf(EINVALID, "error.methods.wrong_credentials", "these credentials do not fit %s", p)
		}
		if c.Partner == "" || c.Vendor == "" || c.Password == "" {
			return Errorf(EINVALID, "error.methods.payflow_incomplete", "enter the partner, vendor and password")
		}
		if c.User == "" {
			c.User = c.Vendor
		}
		creds = c
	case NVPCredentials:
		if p != ProcessorWPPUKNVP {
			return Errorf(EINVALID, "error.methods.wrong_credentials", "these credentials do not fit %s", p)
		}
		if c.User == "" || c.Password == "" || c.Signature == "" {
			return Errorf(EINVALID, "error.methods.nvp_incomplete", "enter the API user name, password and signature")
		}
	case RESTCredentials:
		if p != ProcessorPayPalREST {
			return Errorf(EINVALID, "error.methods.wrong_credentials", "these credentials do not fit %s", p)
		}
		if c.ClientID == "" || c.Secret == "" {
			return Errorf(EINVALID, "error.methods.rest_incomplete", "enter the client ID and secret")
		}
	default:
		return Errorf(EINVALID, "error.methods.wrong_credentials", "these credentials do not fit %s", p)
	}
	raw, err := json.Marshal(creds)
	if err != nil {
		return Internal(err, "cannot encode credentials")
	}
	if err := m.Secrets.Set(secretName(p), string(raw)); err != nil {
		return err
	}
	return m.Settings.AppendAudit(ctx, []AuditEntry{{
		At: m.now(), Actor: ActorAdministrator,
		Action: "methods.credentials", Target: string(p), New: "changed",
	}})
}

// HasCredentials reports whether a processor's credentials are stored.
func (m *MerchantService) HasCredentials(p Processor) (bool, error) {
	_, err := m.Secrets.Get(secretName(p))
	switch ErrorCode(err) {
	case "":
		return true, nil
	case ENOTFOUND:
		return false, nil
	}
	return false, err
}

// TestConnection checks a processor's stored credentials with a harmless
// call, in the site's current mode.
func (m *MerchantService) TestConnection(ctx context.Context, a *Admin, p Processor) (Result, error) {
	if err := requireAdminOf(m.Admins, a); err != nil {
		return Result{}, err
	}
	return m.Tester.TestConnection(ctx, p), nil
}

// OfferedMethods returns the methods an attendee or host may choose now.
func (m *MerchantService) OfferedMethods(ctx context.Context) ([]Method, error) {
	site, err := m.Sites.Site(ctx)
	if err != nil {
		return nil, err
	}
	s, err := m.Settings.PaymentSettings(ctx)
	if err != nil {
		return nil, err
	}
	var out []Method
	if s.Processor != "" && ProcessorAllowed(site, s.Processor) == nil {
		if s.CreditCards {
			out = append(out, MethodCreditCard)
		}
		if s.DebitCards {
			out = append(out, MethodDebitCard)
		}
	}
	if s.ExpressCheckout && expressCheckoutAllowed(site) {
		out = append(out, MethodExpressCheckout)
	}
	return out, nil
}
