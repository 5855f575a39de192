package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Wrong-passphrase pause: after MaxPassphraseAttempts wrong tries in a row the
// administrator must wait FirstLockout; every further wrong try doubles the
// wait, up to MaxLockout. The state is stored, so restarting the app does not
// reset it.
const (
	MaxPassphraseAttempts = 5
	FirstLockout          = 30 * time.Second
	MaxLockout            = 15 * time.Minute
)

// SiteService holds the rules of the site, its e-commerce features and site
// administration.
type SiteService struct {
	Store  SiteStore
	Now    func() time.Time // the clock; time.Now when nil
	Argon2 Argon2Params     // DefaultArgon2 when zero

	// AfterUnlock runs with the passphrase once it is verified: it unlocks
	// the credentials file where no keychain answers. Its error is returned
	// but the administrator stays unlocked.
	AfterUnlock func(passphrase string) error
	// BeforePassphraseChange re-encrypts what the old passphrase protects;
	// AfterPassphraseChangeFailed undoes it when the new hash cannot be
	// stored.
	BeforePassphraseChange      func(old, new string) error
	AfterPassphraseChangeFailed func(old, new string)

	// AdminIdle overrides AdminIdleTimeout when non-zero.
	AdminIdle time.Duration

	// admins are the tokens of the live Admin handles this service issued,
	// each with the time of its last administrative action. They live in
	// memory only: a handle belongs to the process that unlocked, and a
	// restart locks site administration.
	mu     sync.Mutex
	admins map[adminToken]time.Time
}

// NewSiteService returns a SiteService on store with the real clock.
func NewSiteService(store SiteStore) *SiteService {
	return &SiteService{Store: store, Now: time.Now, Argon2: DefaultArgon2}
}

func (s *SiteService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *SiteService) params() Argon2Params {
	if s.Argon2 == (Argon2Params{}) {
		return DefaultArgon2
	}
	return s.Argon2
}

// AdminIdleTimeout is how long an Admin handle lives without an
// administrative action; each action that the handle passes starts it again.
const AdminIdleTimeout = 15 * time.Minute

// Admin proves that the site administrator's passphrase was given. Only
// Unlock makes a working one: it holds a random token that the issuing
// SiteService remembers, so an Admin built any other way (a zero value, a
// composite literal, new(Admin)) carries no token the service knows and is
// refused. The service forgets the token when the handle has been idle for
// AdminIdleTimeout or is locked.
type Admin struct {
	token adminToken
}

type adminToken [32]byte

// String never shows the token.
func (a *Admin) String() string { return "app.Admin" }

// GoString never shows the token.
func (a *Admin) GoString() string { return "app.Admin" }

// IsSetUp reports whether the first-run wizard has created the site.
func (s *SiteService) IsSetUp(ctx context.Context) (bool, error) {
	_, err := s.Store.Site(ctx)
	switch ErrorCode(err) {
	case "":
		return true, nil
	case ENOTFOUND:
		return false, nil
	default:
		return false, err
	}
}

// Site returns the site.
func (s *SiteService) Site(ctx context.Context) (Site, error) {
	return s.Store.Site(ctx)
}

// Setup is the first-run wizard's commit: it creates the site in Test mode
// with the administrator's passphrase.
func (s *SiteService) Setup(ctx context.Context, site Site, passphrase string) error {
	site.Normalize()
	site.Mode = ModeTest
	site.StartLeadMinutes = DefaultStartLeadMinutes // the administrator changes it in site administration
	site.CreatedAt = s.now()
	if err := site.Validate(); err != nil {
		return err
	}
	if err := ValidatePassphrase(passphrase); err != nil {
		return err
	}
	hash, err := HashPassphrase(passphrase, s.params())
	if err != nil {
		return err
	}
	at := s.now()
	audit := []AuditEntry{{At: at, Actor: ActorSetup, Action: "site.created", New: site.Name}}
	return s.Store.CreateSite(ctx, site, AdminCredential{Hash: hash}, audit)
}

// Unlock checks the administrator's passphrase and returns the Admin handle
// that site administration needs. Wrong tries are counted and paused.
//
// Every attempt is first counted as a wrong one, in the store's write
// transaction, together with the pause check and the pause the count calls
// for; only then is the passphrase verified, and a right one takes its count
// back. So attempts made at the same moment, by goroutines or by processes
// sharing the database, are each counted, and the pause holds for all of
// them. An attempt that arrives during a pause is refused without being
// verified, and counts as wrong: it lengthens the pause.
func (s *SiteService) Unlock(ctx context.Context, passphrase string) (*Admin, error) {
	now := s.now()
	var paused bool
	attempt, err := s.Store.ChangeAdminCredential(ctx, func(c AdminCredential) (AdminCredential, []AuditEntry, error) {
		paused = now.Before(c.LockedUntil)
		c.FailedAttempts++
		wait := pauseAfter(c.FailedAttempts)
		if wait == 0 {
			return c, nil, nil
		}
		if until := now.Add(wait); until.After(c.LockedUntil) {
			c.LockedUntil = until
		}
		return c, []AuditEntry{{
			At: now, Actor: ActorAdministrator, Action: "admin.paused",
			New: strconv.Itoa(c.FailedAttempts),
		}}, nil
	})
	if err != nil {
		return nil, err
	}
	if paused {
		return nil, lockedError(attempt.LockedUntil.Sub(now))
	}
	ok, err := VerifyPassphrase(passphrase, attempt.Hash)
	if err != nil {
		return nil, err
	}
	if !ok {
		if now.Before(attempt.LockedUntil) {
			return nil, lockedError(attempt.LockedUntil.Sub(now))
		}
		left := MaxPassphraseAttempts - attempt.FailedAttempts
		return nil, Errorf(EUNAUTHORIZED, "error.passphrase.wrong", "wrong passphrase (%d tries left before a pause)", left).
			With(map[string]any{"Left": left})
	}
	// The right passphrase: the count of wrong tries in a row starts again,
	// unless the passphrase was changed meanwhile.
	_, err = s.Store.ChangeAdminCredential(ctx, func(c AdminCredential) (AdminCredential, []AuditEntry, error) {
		if c.Hash == attempt.Hash {
			c.FailedAttempts, c.LockedUntil = 0, time.Time{}
		}
		return c, nil, nil
	})
	if err != nil {
		return nil, err
	}
	a, err := s.issueAdmin(now)
	if err != nil {
		return nil, err
	}
	if s.AfterUnlock != nil {
		if err := s.AfterUnlock(passphrase); err != nil {
			return a, err
		}
	}
	return a, nil
}

// pauseAfter is the pause that the failures-th wrong try in a row calls
// for: none before MaxPassphraseAttempts, then FirstLockout doubling with
// each further try, up to MaxLockout.
func pauseAfter(failures int) time.Duration {
	if failures < MaxPassphraseAttempts {
		return 0
	}
	// Beyond 2^16 the shift would overflow; MaxLockout is reached long before.
	if k := failures - MaxPassphraseAttempts; k < 16 {
		if wait := FirstLockout << k; wait < MaxLockout {
			return wait
		}
	}
	return MaxLockout
}

func lockedError(wait time.Duration) *Error {
	secs := int((wait + time.Second - 1) / time.Second)
	return Errorf(ELOCKED, "error.passphrase.locked", "too many wrong passphrases: try again in %d s", secs).
		With(map[string]any{"Seconds": secs})
}

func (s *SiteService) idle() time.Duration {
	if s.AdminIdle > 0 {
		return s.AdminIdle
	}
	return AdminIdleTimeout
}

// issueAdmin makes a handle with a new random token and remembers it.
func (s *SiteService) issueAdmin(now time.Time) (*Admin, error) {
	a := &Admin{}
	if _, err := rand.Read(a.token[:]); err != nil {
		return nil, Internal(err, "cannot read random bytes")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.admins == nil {
		s.admins = map[adminToken]time.Time{}
	}
	// Forget handles that expired unused, so the map does not grow.
	for t, last := range s.admins {
		if !now.Before(last.Add(s.idle())) {
			delete(s.admins, t)
		}
	}
	s.admins[a.token] = now
	return a, nil
}

func adminRequired() *Error {
	return Errorf(EUNAUTHORIZED, "error.admin.required", "site administration needs the administrator's passphrase")
}

// RequireAdmin returns nil when a is a live handle this service issued, and
// starts its idle time again; otherwise an EUNAUTHORIZED error:
// "error.admin.expired" when the handle was idle too long (the service then
// forgets it), "error.admin.required" for nil, a handle not issued by this
// service, or one locked or expired before. AdminRefused recognises both.
func (s *SiteService) RequireAdmin(a *Admin) error {
	if a == nil || a.token == (adminToken{}) {
		return adminRequired()
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.admins[a.token]
	if !ok {
		return adminRequired()
	}
	if idle := s.idle(); !now.Before(last.Add(idle)) {
		delete(s.admins, a.token)
		minutes := int(idle / time.Minute)
		return Errorf(EUNAUTHORIZED, "error.admin.expired",
			"site administration locked itself after %d minutes without activity: enter the passphrase again", minutes).
			With(map[string]any{"Minutes": minutes})
	}
	s.admins[a.token] = now
	return nil
}

// Lock ends an Admin handle: the service forgets its token, so every later
// use is refused. Locking nil or an unknown handle does nothing.
func (s *SiteService) Lock(a *Admin) {
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.admins, a.token)
}

// AdminRefused reports whether err is RequireAdmin refusing a handle (none,
// forged, locked or expired), after which the passphrase must be given
// again.
func AdminRefused(err error) bool {
	e := AsError(err)
	return err != nil && e.Code == EUNAUTHORIZED && (e.Key == "error.admin.required" || e.Key == "error.admin.expired")
}

// AdminGate checks Admin handles for services that do not issue them;
// *SiteService is the one that does.
type AdminGate interface {
	RequireAdmin(a *Admin) error
}

var _ AdminGate = (*SiteService)(nil)

// requireAdminOf is gate's RequireAdmin, refusing everything when no gate
// is wired.
func requireAdminOf(gate AdminGate, a *Admin) error {
	if gate == nil {
		return adminRequired()
	}
	return gate.RequireAdmin(a)
}

// ChangePassphrase replaces the administrator's passphrase after checking
// the current one (which also re-encrypts the credentials file); the audit
// log records that it changed, never the passphrase.
func (s *SiteService) ChangePassphrase(ctx context.Context, a *Admin, current, newPassphrase string) error {
	if err := s.RequireAdmin(a); err != nil {
		return err
	}
	if err := ValidatePassphrase(newPassphrase); err != nil {
		return err
	}
	cred, err := s.Store.AdminCredential(ctx)
	if err != nil {
		return err
	}
	if ok, err := VerifyPassphrase(current, cred.Hash); err != nil {
		return err
	} else if !ok {
		return Errorf(EUNAUTHORIZED, "error.passphrase.current_wrong", "the current passphrase is wrong").WithField(FieldCurrentPassphrase)
	}
	hash, err := HashPassphrase(newPassphrase, s.params())
	if err != nil {
		return err
	}
	if s.BeforePassphraseChange != nil {
		if err := s.BeforePassphraseChange(current, newPassphrase); err != nil {
			return err
		}
	}
	err = s.Store.SaveAdminCredential(ctx, AdminCredential{Hash: hash},
		[]AuditEntry{{At: s.now(), Actor: ActorAdministrator, Action: "admin.passphrase", New: "changed"}})
	if err != nil && s.AfterPassphraseChangeFailed != nil {
		s.AfterPassphraseChangeFailed(current, newPassphrase)
	}
	return err
}

// UpdateSite saves the general settings (name, country, currency, time zone,
// language) and records each changed field. Mode and rates have their own
// methods; their values in site are ignored.
func (s *SiteService) UpdateSite(ctx context.Context, a *Admin, site Site) error {
	if err := s.RequireAdmin(a); err != nil {
		return err
	}
	old, err := s.Store.Site(ctx)
	if err != nil {
		return err
	}
	site.Normalize()
	next := old
	next.Name, next.Country, next.Currency, next.TimeZone, next.Language =
		site.Name, site.Country, site.Currency, site.TimeZone, site.Language
	if err := next.Validate(); err != nil {
		return err
	}
	at := s.now()
	var audit []AuditEntry
	add := auditAdder(&audit, at, "")
	add("site.name", old.Name, next.Name)
	add("site.country", old.Country, next.Country)
	add("site.currency", old.Currency, next.Currency)
	add("site.timezone", old.TimeZone, next.TimeZone)
	add("site.language", old.Language, next.Language)
	if len(audit) == 0 {
		return nil
	}
	return s.Store.SaveSite(ctx, next, audit)
}

// SetMode switches between Test and Production.
func (s *SiteService) SetMode(ctx context.Context, a *Admin, mode Mode) error {
	if err := s.RequireAdmin(a); err != nil {
		return err
	}
	site, err := s.Store.Site(ctx)
	if err != nil {
		return err
	}
	if mode != ModeTest && mode != ModeProduction {
		return Errorf(EINVALID, "error.site.mode", "mode must be test or production")
	}
	if site.Mode == mode {
		return nil
	}
	audit := []AuditEntry{{At: s.now(), Actor: ActorAdministrator, Action: "site.mode", Old: string(site.Mode), New: string(mode)}}
	site.Mode = mode
	return s.Store.SaveSite(ctx, site, audit)
}

// SetRates sets the pay-per-use rates, in ten-thousandths of the currency's
// major unit per minute.
func (s *SiteService) SetRates(ctx context.Context, a *Admin, personE4, teleconferenceE4 int64) error {
	if err := s.RequireAdmin(a); err != nil {
		return err
	}
	site, err := s.Store.Site(ctx)
	if err != nil {
		return err
	}
	next := site
	next.RatePersonMinuteE4, next.RateTeleconferenceMinuteE4 = personE4, teleconferenceE4
	if err := next.Validate(); err != nil {
		return err
	}
	at := s.now()
	var audit []AuditEntry
	if site.RatePersonMinuteE4 != personE4 {
		audit = append(audit, AuditEntry{
			At: at, Actor: ActorAdministrator, Action: "site.rate.person_minute",
			Old: formatE4(site.RatePersonMinuteE4, site.Currency), New: formatE4(personE4, site.Currency),
		})
	}
	if site.RateTeleconferenceMinuteE4 != teleconferenceE4 {
		audit = append(audit, AuditEntry{
			At: at, Actor: ActorAdministrator, Action: "site.rate.teleconference_minute",
			Old: formatE4(site.RateTeleconferenceMinuteE4, site.Currency), New: formatE4(teleconferenceE4, site.Currency),
		})
	}
	if len(audit) == 0 {
		return nil
	}
	return s.Store.SaveSite(ctx, next, audit)
}

// SetStartLead sets how many minutes before its scheduled start a session
// may be started (0 to MaxStartLeadMinutes).
func (s *SiteService) SetStartLead(ctx context.Context, a *Admin, minutes int) error {
	if err := s.RequireAdmin(a); err != nil {
		return err
	}
	if err := CheckStartLead(minutes); err != nil {
		return err
	}
	site, err := s.Store.Site(ctx)
	if err != nil {
		return err
	}
	if site.StartLeadMinutes == minutes {
		return nil
	}
	audit := []AuditEntry{{
		At: s.now(), Actor: ActorAdministrator, Action: "site.start_lead_minutes",
		Old: strconv.Itoa(site.StartLeadMinutes), New: strconv.Itoa(minutes),
	}}
	site.StartLeadMinutes = minutes
	return s.Store.SaveSite(ctx, site, audit)
}

// formatE4 writes a rate for the audit log in a locale-neutral form.
func formatE4(e4 int64, code string) string {
	return fmt.Sprintf("%d.%04d %s", e4/10000, e4%10000, code)
}

// Features returns every feature's state.
func (s *SiteService) Features(ctx context.Context) ([]FeatureState, error) {
	return s.Store.Features(ctx)
}

func (s *SiteService) feature(ctx context.Context, f Feature) (FeatureState, error) {
	states, err := s.Store.Features(ctx)
	if err != nil {
		return FeatureState{}, err
	}
	for _, st := range states {
		if st.Feature == f {
			return st, nil
		}
	}
	return FeatureState{Feature: f}, nil
}

// SetFeatureEnabled enables or disables a feature. A feature that is not
// provisioned cannot be enabled: the error tells the administrator to
// contact the account manager.
func (s *SiteService) SetFeatureEnabled(ctx context.Context, a *Admin, f Feature, enabled bool) error {
	if err := s.RequireAdmin(a); err != nil {
		return err
	}
	if _, err := ParseFeature(string(f)); err != nil {
		return err
	}
	st, err := s.feature(ctx, f)
	if err != nil {
		return err
	}
	if enabled && !st.Provisioned {
		return Errorf(EUNAVAILABLE, "error.feature.not_provisioned",
			"%s is not provisioned for this site: contact your account manager", f).With(map[string]any{"Feature": string(f)})
	}
	if st.Enabled == enabled {
		return nil
	}
	audit := []AuditEntry{{
		At: s.now(), Actor: ActorAdministrator, Action: "feature.enabled", Target: string(f),
		Old: strconv.FormatBool(st.Enabled), New: strconv.FormatBool(enabled),
	}}
	st.Enabled = enabled
	return s.Store.SaveFeatures(ctx, []FeatureState{st}, audit)
}

// Provision is the account manager's command: it provisions features (or
// revokes them, which also disables them). It works before the first-run
// wizard, on a database with no site yet.
func (s *SiteService) Provision(ctx context.Context, features []Feature, revoke bool) ([]FeatureState, error) {
	if len(features) == 0 {
		return nil, Errorf(EINVALID, "error.feature.none", "name at least one feature")
	}
	states, err := s.Store.Features(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[Feature]FeatureState{}
	for _, st := range states {
		byName[st.Feature] = st
	}
	at := s.now()
	var changed []FeatureState
	var audit []AuditEntry
	for _, f := range features {
		if _, err := ParseFeature(string(f)); err != nil {
			return nil, err
		}
		st, ok := byName[f]
		if !ok {
			st = FeatureState{Feature: f}
		}
		want := !revoke
		if st.Provisioned == want {
			continue
		}
		audit = append(audit, AuditEntry{
			At: at, Actor: ActorAccountManager, Action: "feature.provisioned", Target: string(f),
			Old: strconv.FormatBool(st.Provisioned), New: strconv.FormatBool(want),
		})
		if revoke && st.Enabled {
			audit = append(audit, AuditEntry{
				At: at, Actor: ActorAccountManager, Action: "feature.enabled", Target: string(f),
				Old: "true", New: "false",
			})
			st.Enabled = false
		}
		st.Provisioned = want
		byName[f] = st
		changed = append(changed, st)
	}
	if len(changed) > 0 {
		if err := s.Store.SaveFeatures(ctx, changed, audit); err != nil {
			return nil, err
		}
	}
	return s.Store.Features(ctx)
}

// RequireFeature is what a host's screen asks before offering a feature. It
// returns nil when the feature is enabled, and otherwise an EUNAVAILABLE error
// that says whom to contact: the site administrator, or for pay-per-use
// not provisioned yet (the vendor provisions it) the account manager.
func (s *SiteService) RequireFeature(ctx context.Context, f Feature) error {
	st, err := s.feature(ctx, f)
	if err != nil {
		return err
	}
	return FeatureAvailability(st)
}

// FeatureAvailability is RequireFeature's rule on a known state.
func FeatureAvailability(st FeatureState) error {
	if st.Enabled && st.Provisioned {
		return nil
	}
	data := map[string]any{"Feature": string(st.Feature)}
	// Pay-per-use is the vendor's to provision: until then the account
	// manager is whom to ask; once provisioned, enabling it is the site
	// administrator's, like any feature.
	if st.Feature == FeaturePayPerUse && !st.Provisioned {
		return Errorf(EUNAVAILABLE, "error.feature.contact_account_manager",
			"%s is not available on this site: contact your account manager", st.Feature).With(data)
	}
	return Errorf(EUNAVAILABLE, "error.feature.contact_site_admin",
		"%s is not enabled on this site: contact your site administrator", st.Feature).With(data)
}

// AuditLog returns audit entries newest first.
func (s *SiteService) AuditLog(ctx context.Context, a *Admin, offset, limit int) ([]AuditEntry, int, error) {
	if err := s.RequireAdmin(a); err != nil {
		return nil, 0, err
	}
	return s.Store.AuditLog(ctx, offset, limit)
}
