package app

import (
	"context"
	"crypto/rand"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// Promotional codes: an organisation creates discount codes,
// sends them to attendees, and attendees redeem them on the Payment
// Information page (through PromoRedeemer, promocontract.go).

// DiscountKind is how a code takes money off a fee.
type DiscountKind string

const (
	DiscountPercent DiscountKind = "percent" // a percentage of the fee
	DiscountFixed   DiscountKind = "fixed"   // a fixed amount in the site currency
)

// PromoRounding is the one rounding rule of percentage discounts: the
// discount is round-half-up of fee × percent / 100 in the currency's minor
// units, and is rounded before it is subtracted (so 9.99 at 15% is 1.50
// off, total 8.49, never a cent off from rounding the total instead).
const PromoRounding = currency.RoundHalfUp

// PromoReservationTTL is how long a reserved use holds while the attendee
// pays. An abandoned payment page frees the use after it; a payment that
// was started (its journal row is open) keeps the reservation until the
// payment settles, however long that takes, so a use can never be handed
// out twice.
const PromoReservationTTL = 30 * time.Minute

// Limits of codes.
const (
	MinPromoCodeLength = 5
	MaxPromoCodeLength = 32
	MaxPromoGenerate   = 1000    // codes per "generate" request
	MaxPromoUseLimit   = 1000000 // uses of one code
	MaxPromoRecipients = 1000    // lines of one import file
)

// PromoAlphabet is what generated codes are made of: capital letters and
// digits without the ones people mistake for each other (0/O, 1/I/L, and
// also U/V, which handwriting and some fonts blur).
const PromoAlphabet = "ABCDEFGHJKMNPQRSTWXYZ23456789"

// PromoCode is one promotional code.
type PromoCode struct {
	ID   int64
	Code string // upper case
	Kind DiscountKind
	// PercentBP is a percentage in basis points (1550 is 15.50 %), for
	// DiscountPercent.
	PercentBP int64
	// FixedMinor and Currency are a fixed discount, for DiscountFixed.
	FixedMinor int64
	Currency   string
	// UseLimit is how often the code may be used in all; 0 is unlimited.
	UseLimit int
	// PerAttendeeLimit is how often one attendee (by email) may use it.
	PerAttendeeLimit int
	// The code is valid while ValidFrom <= now < ValidUntil.
	ValidFrom  time.Time
	ValidUntil time.Time
	Disabled   bool
	// AllSessions, or only SessionIDs.
	AllSessions bool
	SessionIDs  []int64
	CreatedAt   time.Time

	// Read from the store, never written: uses that stand (a registration
	// refunded in full gives its use back) and reservations live.
	Uses     int
	Reserved int
}

// NormalizePromoCode is how a typed code is compared: trimmed, upper case.
func NormalizePromoCode(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// The fields of a promotional code's form, as a refusal names them
// (Error.Field) for the form to show it beside the field.
const (
	PromoFieldCode        = "code"
	PromoFieldQuantity    = "quantity"
	PromoFieldLength      = "length"
	PromoFieldValue       = "value"
	PromoFieldUseLimit    = "use_limit"
	PromoFieldPerAttendee = "per_attendee"
	PromoFieldValidFrom   = "valid_from"
	PromoFieldValidUntil  = "valid_until"
	PromoFieldSessions    = "sessions"
)

// ValidatePromoCodeText checks a custom code: 5 to 32 characters, letters
// A–Z, digits and hyphens (what any keyboard types and any mail client
// keeps intact).
func ValidatePromoCodeText(code string) error {
	n := len(code)
	if n < MinPromoCodeLength || n > MaxPromoCodeLength {
		return Errorf(EINVALID, "error.promo.code_length", "a code has %d to %d characters", MinPromoCodeLength, MaxPromoCodeLength).
			With(map[string]any{"Min": MinPromoCodeLength, "Max": MaxPromoCodeLength}).WithField(PromoFieldCode)
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return Errorf(EINVALID, "error.promo.code_chars", "a code has only letters A-Z, digits and hyphens").WithField(PromoFieldCode)
		}
	}
	return nil
}

// Percent returns a percentage code's percentage as a decimal string with a
// dot: "15", "33.33"; "" for a fixed code.
func (c PromoCode) Percent() string {
	if c.Kind != DiscountPercent {
		return ""
	}
	s := strconv.FormatInt(c.PercentBP/100, 10)
	if frac := c.PercentBP % 100; frac != 0 {
		f := strconv.FormatInt(100+frac, 10)[1:]
		s += "." + strings.TrimRight(f, "0")
	}
	return s
}

// ParsePercentBP reads a percentage typed in lang ("15", "33,33" in Polish,
// "33.33" in English) into basis points: above 0, at most 100, at most two
// decimals.
func ParsePercentBP(s, lang string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if lang == "pl" {
		s = strings.Replace(s, ",", ".", 1)
	}
	bad := Errorf(EINVALID, "error.promo.percent", "a percentage is above 0 and at most 100, with at most two decimals")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 3 || len(frac) > 2 {
		return 0, bad
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt((frac + "0")[:2], 10, 64)
	}
	bp := w*100 + f
	if bp <= 0 || bp > 10000 {
		return 0, bad
	}
	return bp, nil
}

// Validate checks a code's fields; the first problem found is returned.
func (c PromoCode) Validate() error {
	if err := ValidatePromoCodeText(c.Code); err != nil {
		return err
	}
	switch c.Kind {
	case DiscountPercent:
		if c.PercentBP <= 0 || c.PercentBP > 10000 || c.FixedMinor != 0 {
			return Errorf(EINVALID, "error.promo.percent", "a percentage is above 0 and at most 100, with at most two decimals").
				WithField(PromoFieldValue)
		}
	case DiscountFixed:
		if c.FixedMinor <= 0 || c.PercentBP != 0 {
			return Errorf(EINVALID, "error.promo.fixed", "a fixed discount is above zero").WithField(PromoFieldValue)
		}
		if !money.IsValidCode(c.Currency) {
			return Errorf(EINVALID, "error.promo.fixed", "a fixed discount is above zero").WithField(PromoFieldValue)
		}
		if top, err := money.MaxAmount(c.Currency); err == nil {
			if m, err := money.ToMinor(top); err == nil && c.FixedMinor > m {
				return Errorf(EINVALID, "error.promo.fixed", "a fixed discount is above zero").WithField(PromoFieldValue)
			}
		}
	default:
		return Errorf(EINVALID, "error.promo.kind", "choose a percentage or a fixed amount")
	}
	if c.UseLimit < 0 || c.UseLimit > MaxPromoUseLimit {
		return Errorf(EINVALID, "error.promo.use_limit", "the use limit is 0 (unlimited) to %d", MaxPromoUseLimit).
			With(map[string]any{"Max": MaxPromoUseLimit}).WithField(PromoFieldUseLimit)
	}
	if c.PerAttendeeLimit < 1 || c.PerAttendeeLimit > MaxPromoUseLimit {
		return Errorf(EINVALID, "error.promo.per_attendee", "each attendee may use a code at least once").
			WithField(PromoFieldPerAttendee)
	}
	if c.ValidUntil.IsZero() || !c.ValidUntil.After(c.ValidFrom) {
		return Errorf(EINVALID, "error.promo.validity", "the code must expire after it becomes valid").
			WithField(PromoFieldValidUntil)
	}
	if !c.AllSessions {
		if len(c.SessionIDs) == 0 {
			return Errorf(EINVALID, "error.promo.sessions_required", "choose at least one session, or all sessions").
				WithField(PromoFieldSessions)
		}
		for _, id := range c.SessionIDs {
			if id <= 0 {
				return Errorf(EINVALID, "error.promo.sessions_required", "choose at least one session, or all sessions").
					WithField(PromoFieldSessions)
			}
		}
	}
	return nil
}

// AppliesTo reports whether the code is for a session.
func (c PromoCode) AppliesTo(sessionID int64) bool {
	if c.AllSessions {
		return true
	}
	for _, id := range c.SessionIDs {
		if id == sessionID {
			return true
		}
	}
	return false
}

// CheckPromoUsable says why a code cannot be used now for a session, or nil.
// The store calls it again inside the reservation's transaction.
func CheckPromoUsable(c PromoCode, sessionID int64, now time.Time) error {
	data := map[string]any{"Code": c.Code}
	switch {
	case c.Disabled:
		return Errorf(ECONFLICT, "error.promo.disabled", "code %s is disabled", c.Code).With(data)
	case now.Before(c.ValidFrom):
		data["From"] = c.ValidFrom.Format("2006-01-02")
		return Errorf(ECONFLICT, "error.promo.not_yet_valid", "code %s is not valid yet", c.Code).With(data)
	case !now.Before(c.ValidUntil):
		return Errorf(ECONFLICT, "error.promo.expired", "code %s has expired", c.Code).With(data)
	case !c.AppliesTo(sessionID):
		return Errorf(ECONFLICT, "error.promo.not_for_session", "code %s is not for this session", c.Code).With(data)
	}
	return nil
}

// CheckPromoLimits says whether one more use fits: taken is the uses made
// plus live reservations, byAttendee the same for the attendee.
func CheckPromoLimits(c PromoCode, taken, byAttendee int) error {
	data := map[string]any{"Code": c.Code}
	if c.UseLimit > 0 && taken >= c.UseLimit {
		return Errorf(ECONFLICT, "error.promo.used_up", "code %s is used up", c.Code).With(data)
	}
	if byAttendee >= c.PerAttendeeLimit {
		return Errorf(ECONFLICT, "error.promo.already_used", "this attendee has already used code %s", c.Code).With(data)
	}
	return nil
}

// Discount applies the code to a fee in minor units: the discount, never
// above the fee, and the total, never below zero. A percentage is rounded
// with PromoRounding; a fixed discount must be in the fee's currency.
func (c PromoCode) Discount(feeMinor int64, code string) (discountMinor, totalMinor int64, err error) {
	fee, err := money.FromMinor(feeMinor, code)
	if err != nil || feeMinor < 0 {
		return 0, 0, Errorf(EINVALID, "error.promo.fee", "the session's fee is not a valid amount")
	}
	var d, t currency.Amount
	switch c.Kind {
	case DiscountPercent:
		d, t, err = money.ApplyPercentDiscount(fee, c.Percent(), PromoRounding)
	case DiscountFixed:
		if c.Currency != code {
			return 0, 0, Errorf(ECONFLICT, "error.promo.currency", "code %s is in %s, the fee in %s", c.Code, c.Currency, code).
				With(map[string]any{"Code": c.Code, "Currency": c.Currency})
		}
		var fixed currency.Amount
		if fixed, err = money.FromMinor(c.FixedMinor, code); err == nil {
			d, t, err = money.ApplyFixedDiscount(fee, fixed)
		}
	default:
		err = Errorf(EINVALID, "error.promo.kind", "choose a percentage or a fixed amount")
	}
	if err != nil {
		return 0, 0, Internal(err, "apply a discount")
	}
	if discountMinor, err = money.ToMinor(d); err != nil {
		return 0, 0, Internal(err, "apply a discount")
	}
	if totalMinor, err = money.ToMinor(t); err != nil {
		return 0, 0, Internal(err, "apply a discount")
	}
	return discountMinor, totalMinor, nil
}

// DiscountText words a code's discount in lang: "15%", "33,33%" (pl),
// "$5.00".
func (c PromoCode) DiscountText(lang string) string {
	if c.Kind == DiscountPercent {
		p := c.Percent()
		if lang == "pl" {
			p = strings.Replace(p, ".", ",", 1)
		}
		return p + "%"
	}
	a, err := money.FromMinor(c.FixedMinor, c.Currency)
	if err != nil {
		return ""
	}
	return money.Format(a, lang)
}

// GeneratePromoCodes makes n distinct random codes of length characters
// from PromoAlphabet (crypto/rand). Uniqueness against stored codes is the
// store's; the service retries a collision.
func GeneratePromoCodes(n, length int) ([]string, error) {
	if n < 1 || n > MaxPromoGenerate {
		return nil, Errorf(EINVALID, "error.promo.quantity", "generate 1 to %d codes at a time", MaxPromoGenerate).
			With(map[string]any{"Max": MaxPromoGenerate}).WithField(PromoFieldQuantity)
	}
	if length < MinPromoCodeLength || length > MaxPromoCodeLength {
		return nil, Errorf(EINVALID, "error.promo.code_length", "a code has %d to %d characters", MinPromoCodeLength, MaxPromoCodeLength).
			With(map[string]any{"Min": MinPromoCodeLength, "Max": MaxPromoCodeLength}).WithField(PromoFieldLength)
	}
	seen := map[string]bool{}
	out := make([]string, 0, n)
	alpha := big.NewInt(int64(len(PromoAlphabet)))
	for len(out) < n {
		b := make([]byte, length)
		for i := range b {
			k, err := rand.Int(rand.Reader, alpha)
			if err != nil {
				return nil, Internal(err, "random source")
			}
			b[i] = PromoAlphabet[k.Int64()]
		}
		if s := string(b); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// PromoReservation is a held use of a code for one registration.
type PromoReservation struct {
	ID             int64
	CodeID         int64
	RegistrationID int64
	SessionID      int64
	Email          string
	State          string // reserved, used, released
	FeeMinor       int64
	DiscountMinor  int64
	TotalMinor     int64
	Currency       string
	PaymentID      int64
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

// Reservation states.
const (
	ReservationReserved = "reserved"
	ReservationUsed     = "used"
	ReservationReleased = "released"
)

// PromoSession is what promotional codes need of a paid session.
type PromoSession struct {
	ID       int64
	Topic    string
	FeeMinor int64
	Currency string
}

// PromoSessions finds sessions for quotes and messages (the paid-sessions
// feature's data).
type PromoSessions interface {
	// PromoSession returns a session; ENOTFOUND when there is none.
	PromoSession(ctx context.Context, id int64) (PromoSession, error)
}

// PromoCodeUpdate is what may change on a code after it is made.
type PromoCodeUpdate struct {
	UseLimit         int
	PerAttendeeLimit int
	ValidUntil       time.Time
	Disabled         bool
	AllSessions      bool
	SessionIDs       []int64
}

// PromoCodeFilter picks one page of the codes list.
type PromoCodeFilter struct {
	Search string // a part of the code, any case; "" for all
	// AfterID pages by key: the page starts after the code with this id in
	// the list's order (newest first, so ids below it); 0 from the first.
	// Offset skips rows from there.
	AfterID int64
	Offset  int
	Limit   int // 100 when 0
	// NoTotal skips counting the matches (the total returned is -1).
	NoTotal bool
}

// PromoStore persists codes, reservations, recipients and mail settings.
type PromoStore interface {
	PromoCodeStore
	SMTPSettingsStore
}

// PromoCodeStore persists codes, their reservations and uses, recipients
// and reports: a promotional-code store without the mail settings.
type PromoCodeStore interface {
	// CreatePromoCodes inserts codes in one transaction and sets their IDs;
	// ECONFLICT "error.promo.code_taken" (Data "Code") when one exists,
	// ignoring case.
	CreatePromoCodes(ctx context.Context, codes []PromoCode) error
	// CreatePromoCodesFor is CreatePromoCodes that also makes rs[i] the
	// recipient of codes[i] (len(rs) == len(codes)), in the same
	// transaction.
	CreatePromoCodesFor(ctx context.Context, codes []PromoCode, rs []PromoRecipient) error
	// PromoCodes lists codes newest first, with Uses and Reserved at now.
	PromoCodes(ctx context.Context, now time.Time) ([]PromoCode, error)
	// PromoCodePage returns Limit codes from Offset, newest first, whose
	// text contains Search in any case, with Uses and Reserved at now (for
	// those codes only), and how many codes match.
	PromoCodePage(ctx context.Context, f PromoCodeFilter, now time.Time) ([]PromoCode, int, error)
	// PromoCode returns one code by id; ENOTFOUND "error.promo.not_found".
	PromoCode(ctx context.Context, id int64, now time.Time) (PromoCode, error)
	// PromoCodeByText returns a code by its text (normalised);
	// ENOTFOUND "error.promo.unknown".
	PromoCodeByText(ctx context.Context, code string, now time.Time) (PromoCode, error)
	// PromoTaken returns the uses made plus live reservations of a code in
	// all and by one attendee.
	PromoTaken(ctx context.Context, codeID int64, email string, now time.Time) (taken, byAttendee int, err error)
	// UpdatePromoCode changes limits, validity, sessions and disabled. The
	// use limit may not fall below the uses made plus live reservations:
	// ECONFLICT "error.promo.limit_below_uses" (Data "Uses").
	UpdatePromoCode(ctx context.Context, id int64, u PromoCodeUpdate, now time.Time) error
	// DeletePromoCode deletes an unused code with its recipients; ECONFLICT
	// "error.promo.used_cannot_delete" when it has a use or a live
	// reservation.
	DeletePromoCode(ctx context.Context, id int64, now time.Time) error
	// ReservePromo re-checks, in one write transaction, that the code is
	// usable (CheckPromoUsable) and that a use fits (CheckPromoLimits), and
	// inserts the reservation. A registration's existing live reservation
	// of the same code is renewed; one of another code is released.
	ReservePromo(ctx context.Context, r *PromoReservation, now time.Time) error
	// RenewPromoReservation extends a registration's live reservation to
	// until; ECONFLICT "error.promo.reservation_gone" when there is none.
	RenewPromoReservation(ctx context.Context, registrationID int64, now, until time.Time) error
	// ReleasePromo frees a reservation (idempotent); ECONFLICT
	// "error.promo.payment_open" while its registration's payment is open,
	// "error.promo.already_final" once used.
	ReleasePromo(ctx context.Context, id int64, now time.Time) error
	// ConfirmPromo makes a zero-total reservation final (idempotent).
	ConfirmPromo(ctx context.Context, id int64, now time.Time) error
	// PromoReservation returns one reservation.
	PromoReservation(ctx context.Context, id int64) (PromoReservation, error)

	PromoRecipientStore
	// PromoReports returns every code's report (codeID 0) or one code's.
	PromoReports(ctx context.Context, codeID int64) ([]PromoReport, error)
}

// PromoReport is what a code achieved. Revenue is money kept: what the
// registrations that used the code paid, minus what was refunded to them
// (the same revenue as the sessions list's). A use stays a use when its
// registration is refunded (uses are final), but its discount no longer
// counts once the registration is cancelled and nothing of it was kept.
type PromoReport struct {
	CodeID        int64
	Code          string
	Recipients    int
	Sent          int
	Uses          int   // uses that stand: a registration refunded in full gives its use back
	Attendees     int   // distinct emails whose use stands
	RefundedUses  int   // uses whose registration was refunded, in full (the use given back) or in part
	ChargedMinor  int64 // what its uses' registrations paid
	RefundedMinor int64 // what was refunded of that
	RevenueMinor  int64 // ChargedMinor - RefundedMinor
	DiscountMinor int64 // discount given by its uses, without those cancelled with nothing kept
	Currency      string
}
