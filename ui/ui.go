// Package ui is TrainPay's Fyne user interface: the main window, the
// first-run wizard, site administration and, as features land, their
// screens. Screens talk to the domain only through the small interfaces
// declared here; they never see SQL or HTTP.
package ui

import (
	"context"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// SiteService is what the UI needs of app.SiteService.
type SiteService interface {
	IsSetUp(ctx context.Context) (bool, error)
	Site(ctx context.Context) (app.Site, error)
	Setup(ctx context.Context, site app.Site, passphrase string) error
	Unlock(ctx context.Context, passphrase string) (*app.Admin, error)
	Lock(a *app.Admin)
	UpdateSite(ctx context.Context, a *app.Admin, site app.Site) error
	SetMode(ctx context.Context, a *app.Admin, mode app.Mode) error
	SetRates(ctx context.Context, a *app.Admin, personE4, teleconferenceE4 int64) error
	SetStartLead(ctx context.Context, a *app.Admin, minutes int) error
	Features(ctx context.Context) ([]app.FeatureState, error)
	SetFeatureEnabled(ctx context.Context, a *app.Admin, f app.Feature, enabled bool) error
	AuditLog(ctx context.Context, a *app.Admin, offset, limit int) ([]app.AuditEntry, int, error)
	ChangePassphrase(ctx context.Context, a *app.Admin, current, passphrase string) error
}

// PaymentService is what the UI needs of app.PaymentService.
type PaymentService interface {
	Charge(ctx context.Context, req app.ChargeRequest) (app.Payment, error)
	Refund(ctx context.Context, saleID int64, amount currency.Amount, description string) (app.Payment, error)
	Reconcile(ctx context.Context) (app.ReconcileReport, error)
	Payments(ctx context.Context, f app.PaymentFilter) ([]app.Payment, int, error)
	CardRules(ctx context.Context, m app.Method) (app.CardRules, error)
}

// MerchantService is what the UI needs of app.MerchantService.
type MerchantService interface {
	PaymentSettings(ctx context.Context) (app.PaymentSettings, error)
	SavePaymentSettings(ctx context.Context, a *app.Admin, s app.PaymentSettings) error
	SaveCredentials(ctx context.Context, a *app.Admin, p app.Processor, creds any) error
	HasCredentials(p app.Processor) (bool, error)
	TestConnection(ctx context.Context, a *app.Admin, p app.Processor) (app.Result, error)
	OfferedMethods(ctx context.Context) ([]app.Method, error)
}

// SessionService is what the UI needs of app.SessionService: scheduling,
// registration, checkout (with promotional codes passed through), refunds
// and receipts.
type SessionService interface {
	PaidSessionsAvailable(ctx context.Context) error
	SiteInfo(ctx context.Context) (app.Site, error)
	PromoEnabled() bool
	Schedule(ctx context.Context, s app.Session) (app.Session, error)
	Update(ctx context.Context, s app.Session) (app.Session, error)
	Session(ctx context.Context, id int64) (app.Session, error)
	List(ctx context.Context, f app.SessionFilter) ([]app.SessionSummary, int, error)
	CancelSessionPreview(ctx context.Context, id int64) (app.SessionRefundTotals, error)
	CancelSession(ctx context.Context, id int64) (app.CancelSessionResult, error)
	Register(ctx context.Context, sessionID int64, a app.Attendee) (app.Registration, error)
	Registration(ctx context.Context, id int64) (app.Registration, error)
	Registrations(ctx context.Context, f app.RegistrationFilter) ([]app.Registration, int, error)
	QuotePromo(ctx context.Context, r app.Registration, code string) (app.PromoQuote, error)
	BeginCheckout(ctx context.Context, regID int64, quote *app.PromoQuote) (app.Checkout, error)
	AbandonCheckout(ctx context.Context, co app.Checkout) error
	ChargeRegistration(ctx context.Context, req app.ChargeRequest) (app.Payment, error)
	CancelByAttendeePreview(ctx context.Context, regID int64) (app.AttendeeCancellation, error)
	CancelByAttendee(ctx context.Context, regID int64) (app.Registration, error)
	// The session's lifecycle: the service's clock, and whether a session
	// may be started (its start window) or changed (not once started).
	Clock() time.Time
	CanStart(ctx context.Context, id int64) error
	CanEdit(ctx context.Context, id int64) error
	RefundByHost(ctx context.Context, regID int64) (app.Registration, error)
	ReceiptFor(ctx context.Context, regID int64) (app.Site, app.Session, app.Registration, error)
}

// Deps are the services the screens use.
type Deps struct {
	Site     SiteService
	Payments PaymentService
	Merchant MerchantService
	// Feature services: each feature adds its field here (nil when not
	// wired, and its screens are not shown).
	Sessions  SessionService   // paid training sessions
	Budgets   BudgetService    // departments, budgets and reimbursement (ui/departments.go)
	PayPerUse PayPerUseService // pay-per-use estimate, payment, start and true-up (ui/estimate.go)
	Queue     QueueService     // the budget owner's "To pay" queue and what the coordinator sees of it (ui/queue.go)
	Promo     PromoCodeService // promotional codes and the SMTP settings (ui/promo.go, ui/smtp.go)
	People    PeopleService    // the organisation database's people and roles (ui/people.go); nil on a file
	Invoices  InvoiceService   // PayPal invoices: the attendee pays online (ui/invoice.go)
	// Database is the path of the database file in use, shown in
	// Preferences.
	Database string
	Export   ExportService // the accounting export, per session and site-wide (ui/export.go)
	// Databases reaches organisation databases (the first-run wizard's and
	// Preferences' choice, ui/wizard.go); nil leaves the choice off.
	Databases OrgDatabases
	// OnOrganisation says the database in use is the organisation
	// database: the wizard then sets up the site there without asking.
	OnOrganisation bool
	// SharedFile says another TrainPay window on this computer has the
	// same database file open: the main window says so in a banner.
	SharedFile bool
	// Go runs work off the UI thread; results come back through fyne.Do.
	// Nil means a new goroutine. Headless tests run work inline so that
	// they read the screen only after it is done.
	Go func(func())
	// Changes tells the open screens what other desktops changed (live.go);
	// nil: screens show what they read when opened.
	Changes app.Changes
	// UI runs a change feed's refresh on the UI thread; nil means fyne.Do.
	// Headless tests queue it for the test's goroutine.
	UI func(func())
}

func (d Deps) run(f func()) {
	if d.Go != nil {
		d.Go(f)
		return
	}
	go f()
}

// newChoice is newSelect for the keyboard: in a dialog, Escape on it
// cancels the dialog and Enter presses the dialog's default button.
func newChoice(options []string, changed func(string)) *widgets.Select {
	s := widgets.NewSelect(options, changed)
	s.PlaceHolder = T("select.placeholder")
	return s
}
