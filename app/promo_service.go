package app

import (
	"context"
	"strings"
	"time"
)

// PromoSite is what promotional codes need of the site: its settings,
// whether the feature is on, and the administrator's handle checked by the
// service that issued it (*SiteService).
type PromoSite interface {
	Site(ctx context.Context) (Site, error)
	RequireFeature(ctx context.Context, f Feature) error
	RequireAdmin(a *Admin) error
}

// PromoService holds the rules of promotional codes: making and editing
// codes, redeeming them (PromoRedeemer), recipients, sending and reports.
// Every operation but Release and ConfirmFree (which only settle what was
// already reserved) needs the promo-codes feature enabled.
type PromoService struct {
	Store    PromoStore
	Site     PromoSite
	Sessions PromoSessions // nil until paid sessions are wired: Quote is then unavailable
	Secrets  SecretStore
	Mailer   Mailer
	Now      func() time.Time
	// ReservationTTL overrides PromoReservationTTL when non-zero.
	ReservationTTL time.Duration
}

var _ PromoRedeemer = (*PromoService)(nil)

func (s *PromoService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *PromoService) ttl() time.Duration {
	if s.ReservationTTL > 0 {
		return s.ReservationTTL
	}
	return PromoReservationTTL
}

// Available returns nil when the promo-codes feature is enabled, and
// otherwise the error that says whom to contact.
func (s *PromoService) Available(ctx context.Context) error {
	return s.Site.RequireFeature(ctx, FeaturePromoCodes)
}

// CreateCode stores one custom code.
func (s *PromoService) CreateCode(ctx context.Context, c PromoCode) (PromoCode, error) {
	if err := s.Available(ctx); err != nil {
		return PromoCode{}, err
	}
	c.Code = NormalizePromoCode(c.Code)
	if err := s.prepare(ctx, &c); err != nil {
		return PromoCode{}, err
	}
	codes := []PromoCode{c}
	if err := s.Store.CreatePromoCodes(ctx, codes); err != nil {
		return PromoCode{}, err
	}
	return codes[0], nil
}

// prepare fills what the site decides (the fixed discount's currency) and
// validates.
func (s *PromoService) prepare(ctx context.Context, c *PromoCode) error {
	site, err := s.Site.Site(ctx)
	if err != nil {
		return err
	}
	if c.Kind == DiscountFixed {
		c.Currency = site.Currency
	} else {
		c.Currency = ""
	}
	if c.PerAttendeeLimit == 0 {
		c.PerAttendeeLimit = 1
	}
	c.CreatedAt = s.now()
	if c.ValidFrom.IsZero() {
		c.ValidFrom = c.CreatedAt
	}
	c.ValidFrom, c.ValidUntil = c.ValidFrom.UTC(), c.ValidUntil.UTC()
	return c.Validate()
}

// GenerateCodes makes n codes of the given length with proto's discount,
// limits, validity and sessions. A collision with a stored code (rare:
// 29^length codes) draws the whole batch again, at most 5 times.
func (s *PromoService) GenerateCodes(ctx context.Context, proto PromoCode, n, length int) ([]PromoCode, error) {
	return s.generate(ctx, proto, n, length, nil)
}

// GenerateForRecipients makes one code per recipient (N is the number of
// recipients, an imported list's) and makes each recipient the only
// recipient of its own code, so that each message carries its own code.
// Codes and recipients are stored in one transaction.
func (s *PromoService) GenerateForRecipients(ctx context.Context, proto PromoCode, length int, rs []PromoRecipient) ([]PromoCode, error) {
	if len(rs) == 0 {
		return nil, Errorf(EINVALID, "error.promo.no_recipients", "import the recipients first")
	}
	clean := make([]PromoRecipient, len(rs))
	seen := map[string]bool{}
	for i, r := range rs {
		n, err := NormalizeRecipient(r.Email, r.Name)
		if err != nil {
			return nil, err
		}
		if seen[n.Email] {
			return nil, Errorf(ECONFLICT, "error.recipient.exists", "%s is already a recipient", n.Email).
				With(map[string]any{"Email": n.Email})
		}
		seen[n.Email] = true
		clean[i] = n
	}
	return s.generate(ctx, proto, len(rs), length, clean)
}

func (s *PromoService) generate(ctx context.Context, proto PromoCode, n, length int, rs []PromoRecipient) ([]PromoCode, error) {
	if err := s.Available(ctx); err != nil {
		return nil, err
	}
	proto.Code = strings.Repeat("A", max(length, MinPromoCodeLength)) // validated below with each code
	if err := s.prepare(ctx, &proto); err != nil {
		return nil, err
	}
	var lastErr error
	for try := 0; try < 5; try++ {
		texts, err := GeneratePromoCodes(n, length)
		if err != nil {
			return nil, err
		}
		codes := make([]PromoCode, len(texts))
		for i, t := range texts {
			codes[i] = proto
			codes[i].Code = t
			codes[i].SessionIDs = append([]int64(nil), proto.SessionIDs...)
		}
		if rs != nil {
			err = s.Store.CreatePromoCodesFor(ctx, codes, rs)
		} else {
			err = s.Store.CreatePromoCodes(ctx, codes)
		}
		if err == nil {
			return codes, nil
		}
		if AsError(err).Key != "error.promo.code_taken" {
			return nil, err
		}
		lastErr = err
	}
	return nil, lastErr
}

// Codes lists every code, newest first, with its uses.
func (s *PromoService) Codes(ctx context.Context) ([]PromoCode, error) {
	if err := s.Available(ctx); err != nil {
		return nil, err
	}
	return s.Store.PromoCodes(ctx, s.now())
}

// CodePage returns one page of the codes, newest first, and how many match
// the search.
func (s *PromoService) CodePage(ctx context.Context, f PromoCodeFilter) ([]PromoCode, int, error) {
	if err := s.Available(ctx); err != nil {
		return nil, 0, err
	}
	return s.Store.PromoCodePage(ctx, f, s.now())
}

// Code returns one code with its uses.
func (s *PromoService) Code(ctx context.Context, id int64) (PromoCode, error) {
	if err := s.Available(ctx); err != nil {
		return PromoCode{}, err
	}
	return s.Store.PromoCode(ctx, id, s.now())
}

// UpdateCode changes a code's limits, expiry, sessions or disabled flag.
// The use limit never falls below the uses made (and live reservations).
func (s *PromoService) UpdateCode(ctx context.Context, id int64, u PromoCodeUpdate) error {
	if err := s.Available(ctx); err != nil {
		return err
	}
	c, err := s.Store.PromoCode(ctx, id, s.now())
	if err != nil {
		return err
	}
	c.UseLimit, c.PerAttendeeLimit, c.ValidUntil = u.UseLimit, u.PerAttendeeLimit, u.ValidUntil.UTC()
	c.Disabled, c.AllSessions, c.SessionIDs = u.Disabled, u.AllSessions, u.SessionIDs
	if err := c.Validate(); err != nil {
		return err
	}
	if c.UseLimit > 0 && c.UseLimit < c.Uses+c.Reserved {
		return Errorf(ECONFLICT, "error.promo.limit_below_uses", "the limit cannot be below the %d uses made", c.Uses+c.Reserved).
			With(map[string]any{"Uses": c.Uses + c.Reserved})
	}
	u.ValidUntil = c.ValidUntil
	return s.Store.UpdatePromoCode(ctx, id, u, s.now())
}

// SetDisabled disables a code (or enables it again).
func (s *PromoService) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	c, err := s.Code(ctx, id)
	if err != nil {
		return err
	}
	return s.UpdateCode(ctx, id, updateOf(c, func(u *PromoCodeUpdate) { u.Disabled = disabled }))
}

// ExtendExpiry moves a code's end of validity.
func (s *PromoService) ExtendExpiry(ctx context.Context, id int64, until time.Time) error {
	c, err := s.Code(ctx, id)
	if err != nil {
		return err
	}
	return s.UpdateCode(ctx, id, updateOf(c, func(u *PromoCodeUpdate) { u.ValidUntil = until }))
}

func updateOf(c PromoCode, change func(*PromoCodeUpdate)) PromoCodeUpdate {
	u := PromoCodeUpdate{
		UseLimit: c.UseLimit, PerAttendeeLimit: c.PerAttendeeLimit, ValidUntil: c.ValidUntil,
		Disabled: c.Disabled, AllSessions: c.AllSessions, SessionIDs: c.SessionIDs,
	}
	change(&u)
	return u
}

// DeleteCode deletes a code that was never used (disable a used one).
func (s *PromoService) DeleteCode(ctx context.Context, id int64) error {
	if err := s.Available(ctx); err != nil {
		return err
	}
	return s.Store.DeletePromoCode(ctx, id, s.now())
}

// SessionTopics names a code's chosen sessions, in the order of ids. A
// session that is gone, or no longer paid, comes back with its ID and an
// empty Topic (the screen names it by its number).
func (s *PromoService) SessionTopics(ctx context.Context, ids []int64) ([]PromoSession, error) {
	out := make([]PromoSession, 0, len(ids))
	for _, id := range ids {
		if s.Sessions == nil {
			out = append(out, PromoSession{ID: id})
			continue
		}
		sess, err := s.Sessions.PromoSession(ctx, id)
		switch ErrorCode(err) {
		case "":
		case ENOTFOUND, ECONFLICT:
			sess = PromoSession{ID: id}
		default:
			return nil, err
		}
		out = append(out, sess)
	}
	return out, nil
}

// ---- redemption (PromoRedeemer) ----

// Quote checks a code for a session and an attendee and prices it.
func (s *PromoService) Quote(ctx context.Context, sessionID int64, email, code string) (PromoQuote, error) {
	if err := s.Available(ctx); err != nil {
		return PromoQuote{}, err
	}
	code = NormalizePromoCode(code)
	email = strings.ToLower(strings.TrimSpace(email))
	if code == "" {
		return PromoQuote{}, Errorf(EINVALID, "error.promo.code_required", "enter a promotional code")
	}
	if s.Sessions == nil {
		return PromoQuote{}, Errorf(EUNAVAILABLE, "error.promo.no_sessions", "paid sessions are not available")
	}
	now := s.now()
	c, err := s.Store.PromoCodeByText(ctx, code, now)
	if err != nil {
		return PromoQuote{}, err
	}
	if err := CheckPromoUsable(c, sessionID, now); err != nil {
		return PromoQuote{}, err
	}
	sess, err := s.Sessions.PromoSession(ctx, sessionID)
	if err != nil {
		return PromoQuote{}, err
	}
	taken, mine, err := s.Store.PromoTaken(ctx, c.ID, email, now)
	if err != nil {
		return PromoQuote{}, err
	}
	if err := CheckPromoLimits(c, taken, mine); err != nil {
		return PromoQuote{}, err
	}
	d, t, err := c.Discount(sess.FeeMinor, sess.Currency)
	if err != nil {
		return PromoQuote{}, err
	}
	return PromoQuote{
		CodeID: c.ID, Code: c.Code, SessionID: sessionID, Email: email,
		FeeMinor: sess.FeeMinor, DiscountMinor: d, TotalMinor: t, Currency: sess.Currency, Percent: c.Percent(),
	}, nil
}

// Reserve holds one use for a registration; see PromoRedeemer. The quote is
// made again, so a stale quote (the fee or the code changed) is refused
// with ECONFLICT "error.promo.quote_changed" rather than charged.
func (s *PromoService) Reserve(ctx context.Context, q PromoQuote, registrationID int64) (int64, error) {
	if registrationID <= 0 || q.Email == "" {
		return 0, Errorf(EINVALID, "error.promo.registration", "a reservation needs a registration and an email")
	}
	fresh, err := s.Quote(ctx, q.SessionID, q.Email, q.Code)
	if err != nil {
		return 0, err
	}
	if fresh.CodeID != q.CodeID || fresh.TotalMinor != q.TotalMinor || fresh.Currency != q.Currency {
		return 0, Errorf(ECONFLICT, "error.promo.quote_changed", "the code's discount changed: check the new total")
	}
	now := s.now()
	r := PromoReservation{
		CodeID: fresh.CodeID, RegistrationID: registrationID, SessionID: fresh.SessionID,
		Email: fresh.Email, State: ReservationReserved, FeeMinor: fresh.FeeMinor, DiscountMinor: fresh.DiscountMinor,
		TotalMinor: fresh.TotalMinor, Currency: fresh.Currency, CreatedAt: now, ExpiresAt: now.Add(s.ttl()),
	}
	if err := s.Store.ReservePromo(ctx, &r, now); err != nil {
		return 0, err
	}
	return r.ID, nil
}

// Renew keeps a registration's reservation alive for another attempt.
func (s *PromoService) Renew(ctx context.Context, registrationID int64) error {
	now := s.now()
	return s.Store.RenewPromoReservation(ctx, registrationID, now, now.Add(s.ttl()))
}

// Release frees a reservation whose payment was abandoned.
func (s *PromoService) Release(ctx context.Context, reservationID int64) error {
	return s.Store.ReleasePromo(ctx, reservationID, s.now())
}

// ConfirmFree makes a zero-total reservation final.
func (s *PromoService) ConfirmFree(ctx context.Context, reservationID int64) error {
	return s.Store.ConfirmPromo(ctx, reservationID, s.now())
}

// ---- recipients ----

// AddRecipient adds one typed recipient to a code.
func (s *PromoService) AddRecipient(ctx context.Context, codeID int64, email, name string) error {
	if err := s.Available(ctx); err != nil {
		return err
	}
	r, err := NormalizeRecipient(email, name)
	if err != nil {
		return err
	}
	n, err := s.Store.AddPromoRecipients(ctx, codeID, []PromoRecipient{r})
	if err != nil {
		return err
	}
	if n == 0 {
		return Errorf(ECONFLICT, "error.recipient.exists", "%s is already a recipient of this code", r.Email).
			With(map[string]any{"Email": r.Email}).WithField(FieldRecipientEmail)
	}
	return nil
}

// ImportRecipients adds the good lines of a previewed import. Each is
// checked again (NormalizeRecipient): an import is a plain struct, and
// nothing reaches the store past the text rule.
func (s *PromoService) ImportRecipients(ctx context.Context, codeID int64, imp RecipientImport) (int, error) {
	if err := s.Available(ctx); err != nil {
		return 0, err
	}
	clean := make([]PromoRecipient, len(imp.Recipients))
	for i, r := range imp.Recipients {
		n, err := NormalizeRecipient(r.Email, r.Name)
		if err != nil {
			return 0, err
		}
		clean[i] = n
	}
	return s.Store.AddPromoRecipients(ctx, codeID, clean)
}

// Recipients lists a code's recipients (0: every code's).
func (s *PromoService) Recipients(ctx context.Context, codeID int64) ([]PromoRecipient, error) {
	if err := s.Available(ctx); err != nil {
		return nil, err
	}
	return s.Store.PromoRecipients(ctx, codeID)
}

// RemoveRecipient removes one recipient.
func (s *PromoService) RemoveRecipient(ctx context.Context, id int64) error {
	if err := s.Available(ctx); err != nil {
		return err
	}
	return s.Store.DeletePromoRecipient(ctx, id)
}

// Reports returns every code's report (codeID 0) or one code's.
func (s *PromoService) Reports(ctx context.Context, codeID int64) ([]PromoReport, error) {
	if err := s.Available(ctx); err != nil {
		return nil, err
	}
	return s.Store.PromoReports(ctx, codeID)
}
