package app

import (
	"context"
	"crypto/rand"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RegistrationStatus is where an attendee's registration stands.
type RegistrationStatus string

const (
	// RegPendingPayment: registered for a paid session, not paid yet. The
	// seat is held until HoldUntil (see SeatHold), and for as long as a
	// payment for it is open in the journal.
	RegPendingPayment RegistrationStatus = "pending-payment"
	// RegRegistered: registered for a free session (nothing to pay).
	RegRegistered RegistrationStatus = "registered"
	// RegPaid: the fee was charged (or a 100% code made it zero).
	RegPaid RegistrationStatus = "paid"
	// RegCancelled: cancelled with nothing refunded.
	RegCancelled RegistrationStatus = "cancelled"
	// RegRefunded: cancelled, everything paid was refunded.
	RegRefunded RegistrationStatus = "refunded"
	// RegPartiallyRefunded: cancelled, part of what was paid was refunded
	// (the session's cancellation policy).
	RegPartiallyRefunded RegistrationStatus = "partially-refunded"
	// RegExpired: the seat's hold ran out before anything was paid.
	RegExpired RegistrationStatus = "expired"
)

// HoldsSeat reports whether a registration in this status takes a seat
// (a pending one only while its hold lasts; the store decides that).
func (s RegistrationStatus) HoldsSeat() bool {
	return s == RegPendingPayment || s == RegRegistered || s == RegPaid
}

// SeatHold is how long a seat stays held for a registration that is
// pending payment. Registration comes first and payment second, so that
// nobody is charged for a seat they do not have; a seat left unpaid is given
// back after SeatHold, unless a payment for it is still open in the journal
// (its outcome unknown), in which case it stays held until reconciliation
// settles it. Fifteen minutes covers a person looking for their card; each
// new payment attempt renews the hold.
const SeatHold = 15 * time.Minute

// Attendee is who registers.
type Attendee struct {
	FirstName string
	LastName  string
	Email     string
	Company   string
	Country   string // ISO 3166-1 alpha-2, may be empty
	Language  string // "en" or "pl": the language of their receipt
}

// Normalize trims the fields (TrimLine) and lower-cases the email.
func (a *Attendee) Normalize() {
	a.FirstName = TrimLine(a.FirstName)
	a.LastName = TrimLine(a.LastName)
	a.Email = strings.ToLower(TrimLine(a.Email))
	a.Company = TrimLine(a.Company)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	a.Language = strings.ToLower(strings.TrimSpace(a.Language))
}

// MaxNameLength caps names, company and email.
const MaxNameLength = 100

// FieldAttendeeEmail is an attendee's email address, as a refusal names it
// (Error.Field); the names and company are their TextFields.
const FieldAttendeeEmail = "email"

// Validate checks an attendee (after Normalize). Names and company are
// checked by the text rule (CheckLine).
func (a Attendee) Validate() error {
	switch {
	case a.FirstName == "":
		return Errorf(EINVALID, "error.registration.first_name", "the first name is required").WithField(string(FieldFirstName))
	case a.LastName == "":
		return Errorf(EINVALID, "error.registration.last_name", "the last name is required").WithField(string(FieldLastName))
	}
	if err := checkLines(fieldText{FieldFirstName, a.FirstName}, fieldText{FieldLastName, a.LastName},
		fieldText{FieldCompany, a.Company}); err != nil {
		return err
	}
	switch {
	case utf8.RuneCountInString(a.FirstName) > MaxNameLength, utf8.RuneCountInString(a.LastName) > MaxNameLength,
		utf8.RuneCountInString(a.Company) > MaxNameLength, len(a.Email) > 254:
		return Errorf(EINVALID, "error.registration.too_long", "a field is longer than %d characters", MaxNameLength).
			With(map[string]any{"Max": MaxNameLength})
	case !ValidEmail(a.Email):
		return Errorf(EINVALID, "error.registration.email", "%q is not an email address", a.Email).
			With(map[string]any{"Email": a.Email}).WithField(FieldAttendeeEmail)
	case a.Country != "" && !ValidCountry(a.Country):
		return Errorf(EINVALID, "error.site.country", "%q is not a country code", a.Country).
			With(map[string]any{"Country": a.Country}).WithField(SiteFieldCountry)
	case a.Language != "" && !ValidLanguage(a.Language):
		return Errorf(EINVALID, "error.site.language", "%q is not a supported language", a.Language).
			With(map[string]any{"Language": a.Language}).WithField(SiteFieldLanguage)
	}
	return nil
}

// ValidEmail accepts a bare address (local@domain.tld), not "Name <addr>",
// without a character the text rule forbids (net/mail lets a
// right-to-left override through).
func ValidEmail(s string) bool {
	if s == "" || strings.ContainsAny(s, " <>\t\r\n") || HasControl(s) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// Registration is one attendee's place in a session, and what they paid.
type Registration struct {
	ID        int64
	SessionID int64
	Attendee
	Status RegistrationStatus
	// Confirmation is the number the attendee quotes: "TP-" and eight
	// characters without look-alikes.
	Confirmation string

	// Price: FeeMinor is the session's fee when they registered;
	// DiscountMinor what a promotional code took off; TotalMinor what is
	// (or was) charged. All in Currency.
	FeeMinor      int64
	DiscountMinor int64
	TotalMinor    int64
	Currency      string
	PromoCode     string // as applied, upper case; "" for none

	HoldUntil     time.Time // pending payment: when the seat is given back
	PaymentID     int64     // the charged sale in the journal; 0 for none
	PaidMinor     int64     // charged
	RefundedMinor int64     // refunded (charged refunds)
	PaidAt        time.Time
	CancelledAt   time.Time

	// From the charged sale, for lists and receipts.
	Method     Method
	Brand      Brand
	Last4      string
	GatewayRef string
	Mode       Mode

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Name is the attendee's full name.
func (r Registration) Name() string { return joinName(r.FirstName, r.LastName) }

// Reference is the journal's reference of this registration's payments.
func (r Registration) Reference() string { return RegistrationReference(r.ID) }

// RegistrationReference is "registration:<id>", the journal's Reference of
// a registration's payments.
func RegistrationReference(id int64) string {
	return "registration:" + strconv.FormatInt(id, 10)
}

// confirmationAlphabet has no 0/O, 1/I/L, so the number reads back over the
// phone.
const confirmationAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewConfirmation returns a fresh confirmation number, e.g. "TP-7KX2M9QA".
func NewConfirmation() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	out := []byte("TP-")
	for _, c := range b {
		out = append(out, confirmationAlphabet[int(c)%len(confirmationAlphabet)])
	}
	return string(out)
}

// RegistrationFilter selects a session's registrations.
type RegistrationFilter struct {
	SessionID int64
	// Search, when set, keeps registrations whose attendee name, email or
	// confirmation number contains it, in any letter case and accents; it
	// has SearchMinRunes characters or more.
	Search string
	// AfterID pages by key: the page starts after the registration with
	// this id in the list's order (by id); 0 from the first. Offset skips
	// rows from there.
	AfterID int64
	Offset  int
	Limit   int // 0: all (exports)
	// NoTotal skips counting the matches (the total returned is -1).
	NoTotal bool
}

// SessionRefundTotals is what cancelling a session would refund.
type SessionRefundTotals struct {
	PaidRegistrations int
	RefundMinor       int64
	Currency          string
}

// RegistrationStore persists registrations. Seats are decided in one write
// transaction: with the write pool's single connection and BEGIN IMMEDIATE,
// no two registrations can both take the last seat.
type RegistrationStore interface {
	// Register takes a seat for r in r.SessionID and sets its ID, status,
	// confirmation, price and hold. It refuses, in the same transaction:
	// a session that is cancelled (ECONFLICT "error.registration.session_cancelled"),
	// closed for registration (ECONFLICT "error.registration.closed"),
	// full (ECONFLICT "error.registration.full"), or an email already
	// registered (ECONFLICT "error.registration.duplicate"). now decides
	// which holds have run out.
	Register(ctx context.Context, r *Registration, now time.Time) error
	// RenewHold re-checks, before a payment attempt, that a pending
	// registration still has its seat (taking it back if the hold ran out
	// and a seat is free), and holds it until until. ECONFLICT
	// "error.registration.full" when the seat was given to someone else;
	// ECONFLICT "error.registration.not_pending" when it is no longer
	// pending payment.
	RenewHold(ctx context.Context, id int64, now, until time.Time) error
	// SetPrice records a promotional code's discount on a pending
	// registration.
	SetPrice(ctx context.Context, id int64, code string, discountMinor, totalMinor int64) error
	// ConfirmFree marks a pending registration whose total is zero as paid.
	ConfirmFree(ctx context.Context, id int64, at time.Time) error
	// CancelRegistration marks a registration that holds a seat as
	// cancelled (nothing to refund, or before its refund).
	CancelRegistration(ctx context.Context, id int64, at time.Time) error
	// Registration returns one registration with its sale's method, brand,
	// last four and reference (ENOTFOUND "error.registration.not_found").
	Registration(ctx context.Context, id int64) (Registration, error)
	// Registrations returns a session's registrations, oldest first, and
	// how many there are.
	Registrations(ctx context.Context, f RegistrationFilter) ([]Registration, int, error)
	// PaidRegistrations returns a session's registrations with money left
	// to refund.
	PaidRegistrations(ctx context.Context, sessionID int64) ([]Registration, error)
}
