package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bojanz/currency"
	"golang.org/x/text/language"
)

// Feature is one optional part of e-commerce. A feature is first provisioned
// for the site by the vendor's account manager (outside the GUI, with
// `trainpay provision`) and then enabled by the site administrator.
type Feature string

const (
	FeaturePaidSessions Feature = "paid-sessions"
	FeaturePromoCodes   Feature = "promo-codes"
	FeaturePayPerUse    Feature = "pay-per-use"
)

// Features lists every feature in the order the screens show them.
var Features = []Feature{FeaturePaidSessions, FeaturePromoCodes, FeaturePayPerUse}

// ParseFeature accepts a feature's name as written on the command line.
func ParseFeature(s string) (Feature, error) {
	f := Feature(strings.TrimSpace(strings.ToLower(s)))
	for _, known := range Features {
		if f == known {
			return f, nil
		}
	}
	return "", Errorf(EINVALID, "error.feature.unknown", "unknown feature %q (known: paid-sessions, promo-codes, pay-per-use)", s).
		With(map[string]any{"Feature": s})
}

// FeatureState is whether a feature is provisioned and enabled. Enabled is
// only ever true while Provisioned is.
type FeatureState struct {
	Feature     Feature
	Provisioned bool
	Enabled     bool
}

// Mode is whether payments are real. In Test mode every payment goes to the
// offline sandbox and every screen shows a TEST MODE banner.
type Mode string

const (
	ModeTest       Mode = "test"
	ModeProduction Mode = "production"
)

// Languages are the UI languages TrainPay ships.
var Languages = []string{"en", "pl"}

// Site is the organisation's training site: one per database.
type Site struct {
	Name     string
	Country  string // ISO 3166-1 alpha-2, upper case
	Currency string // ISO 4217, upper case
	TimeZone string // IANA name, e.g. Europe/Warsaw
	Language string // default language for attendees' documents: "en" or "pl"
	Mode     Mode

	// Pay-per-use rates in ten-thousandths of the currency's major unit
	// (0.1234 per minute is 1234), so four decimal places stay exact.
	RatePersonMinuteE4         int64
	RateTeleconferenceMinuteE4 int64

	// StartLeadMinutes is how long before its scheduled start a session
	// may be started (Session.CheckStart): 0 to MaxStartLeadMinutes,
	// DefaultStartLeadMinutes on a new site (the database's default).
	StartLeadMinutes int

	CreatedAt time.Time
}

// MaxRateE4 caps a per-minute rate at 1,000 major units a minute: far above
// any real tariff, far below anything that could overflow a cost.
const MaxRateE4 = 1000 * 10000

// Normalize trims and upper- or lower-cases the fields that have a canonical
// case, so that the stored site compares equal to what a person typed.
func (s *Site) Normalize() {
	s.Name = TrimLine(s.Name)
	s.Country = strings.ToUpper(strings.TrimSpace(s.Country))
	s.Currency = strings.ToUpper(strings.TrimSpace(s.Currency))
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	s.Language = strings.ToLower(strings.TrimSpace(s.Language))
}

// The site's fields, as a refusal names them (Error.Field) for a form to
// show it beside the field; the name is FieldSiteName.
const (
	SiteFieldCountry  = "country"
	SiteFieldCurrency = "currency"
	SiteFieldTimeZone = "time_zone"
	SiteFieldLanguage = "language"
)

// Validate checks the site's fields; the first problem found is returned.
func (s Site) Validate() error {
	if s.Name == "" {
		return Errorf(EINVALID, "error.site.name_required", "the site needs a name").WithField(string(FieldSiteName))
	}
	if err := CheckLine(FieldSiteName, s.Name); err != nil {
		return err
	}
	if utf8.RuneCountInString(s.Name) > 120 {
		return Errorf(EINVALID, "error.site.name_too_long", "the site name is longer than 120 characters").WithField(string(FieldSiteName))
	}
	if !ValidCountry(s.Country) {
		return Errorf(EINVALID, "error.site.country", "%q is not a country code", s.Country).
			With(map[string]any{"Country": s.Country}).WithField(SiteFieldCountry)
	}
	if !currency.IsValid(s.Currency) {
		return Errorf(EINVALID, "error.site.currency", "%q is not an ISO 4217 currency", s.Currency).
			With(map[string]any{"Currency": s.Currency}).WithField(SiteFieldCurrency)
	}
	if s.TimeZone == "" || s.TimeZone == "Local" {
		return Errorf(EINVALID, "error.site.timezone", "%q is not a time zone", s.TimeZone).
			With(map[string]any{"TimeZone": s.TimeZone}).WithField(SiteFieldTimeZone)
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return Errorf(EINVALID, "error.site.timezone", "%q is not a time zone", s.TimeZone).
			With(map[string]any{"TimeZone": s.TimeZone}).WithField(SiteFieldTimeZone)
	}
	if !ValidLanguage(s.Language) {
		return Errorf(EINVALID, "error.site.language", "%q is not a supported language", s.Language).
			With(map[string]any{"Language": s.Language}).WithField(SiteFieldLanguage)
	}
	if s.Mode != ModeTest && s.Mode != ModeProduction {
		return Errorf(EINVALID, "error.site.mode", "mode must be test or production")
	}
	for _, r := range []int64{s.RatePersonMinuteE4, s.RateTeleconferenceMinuteE4} {
		if r < 0 || r > MaxRateE4 {
			return Errorf(EINVALID, "error.site.rate", "a per-minute rate must be between 0 and 1000")
		}
	}
	return CheckStartLead(s.StartLeadMinutes)
}

// CheckStartLead checks a start lead time: whole minutes from 0 to
// MaxStartLeadMinutes (EINVALID "error.site.start_lead" with Max).
func CheckStartLead(minutes int) error {
	if minutes < 0 || minutes > MaxStartLeadMinutes {
		return Errorf(EINVALID, "error.site.start_lead", "sessions may be started from 0 to %d minutes before they begin",
			MaxStartLeadMinutes).With(map[string]any{"Max": MaxStartLeadMinutes})
	}
	return nil
}

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 region that has
// a currency (which rules out codes such as "ZZ" or "EU").
func ValidCountry(code string) bool {
	if len(code) != 2 {
		return false
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return false
	}
	_, ok := currency.ForCountryCode(code)
	return ok
}

// ValidLanguage reports whether TrainPay ships a translation for lang.
func ValidLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// DefaultCurrency returns the currency a country uses, for the wizard to
// propose; ok is false for an unknown country.
func DefaultCurrency(country string) (string, bool) {
	return currency.ForCountryCode(strings.ToUpper(country))
}

// AuditEntry is one change made in site administration (or by the account
// manager). Old and New never hold a secret.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // ActorAdministrator, ActorAccountManager or ActorSetup
	Action string // a stable key such as "site.name" or "feature.enabled"
	Target string // what the action applies to, e.g. a feature's name
	Old    string
	New    string
	// Login names the person who made the change: the database fills it
	// from the connection's login (on the single-desktop file, the
	// desktop's user name), never from what the caller puts here.
	Login string
}

// Actors recorded in the audit log.
const (
	ActorAdministrator  = "administrator"
	ActorAccountManager = "account-manager"
	ActorSetup          = "setup"
)

// auditAdder returns add(action, old, new), which appends to *audit the
// administrator's change of one setting at at (about target, "" for none)
// when its text changed, and nothing when it did not.
func auditAdder(audit *[]AuditEntry, at time.Time, target string) func(action, old, new string) {
	return func(action, o, n string) {
		if o != n {
			*audit = append(*audit, AuditEntry{At: at, Actor: ActorAdministrator, Action: action, Target: target, Old: o, New: n})
		}
	}
}

// AdminCredential is the site administrator's passphrase hash and the state
// of the wrong-passphrase pause.
type AdminCredential struct {
	Hash           string // PHC-encoded argon2id
	FailedAttempts int
	LockedUntil    time.Time
}

// AdminCredentialChange computes the next credential from the stored one.
// It runs inside the store's write transaction: it must be quick and must
// not call the store.
type AdminCredentialChange func(cur AdminCredential) (next AdminCredential, audit []AuditEntry, err error)

// SiteStore persists the site. Every method that changes something writes its
// audit entries in the same transaction, so a change and its record of it
// commit together or not at all.
type SiteStore interface {
	// Site returns the site, or an ENOTFOUND error before the first-run wizard.
	Site(ctx context.Context) (Site, error)
	// CreateSite stores the site and the administrator's passphrase hash;
	// ECONFLICT if a site exists.
	CreateSite(ctx context.Context, s Site, cred AdminCredential, audit []AuditEntry) error
	// SaveSite replaces the site's settings.
	SaveSite(ctx context.Context, s Site, audit []AuditEntry) error
	// Features returns the state of every known feature (unknown rows read as
	// neither provisioned nor enabled).
	Features(ctx context.Context) ([]FeatureState, error)
	// SaveFeatures stores feature states.
	SaveFeatures(ctx context.Context, states []FeatureState, audit []AuditEntry) error
	// AdminCredential returns the passphrase hash and pause state.
	AdminCredential(ctx context.Context) (AdminCredential, error)
	// SaveAdminCredential stores the passphrase hash and pause state.
	SaveAdminCredential(ctx context.Context, c AdminCredential, audit []AuditEntry) error
	// ChangeAdminCredential reads the credential and stores what change
	// makes of it, with change's audit entries, in one write transaction
	// that no other change, from any process, can interleave with.
	ChangeAdminCredential(ctx context.Context, change AdminCredentialChange) (AdminCredential, error)
	// AuditLog returns entries newest first, and how many there are in all.
	AuditLog(ctx context.Context, offset, limit int) ([]AuditEntry, int, error)
}
