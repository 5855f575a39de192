package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trainpay/trainpay/app/money"
)

// SessionType is how a training session is paid for.
type SessionType string

const (
	// SessionFree: attendees pay nothing; registration is optional.
	SessionFree SessionType = "free"
	// SessionPaid: attendees pay the Fee when they register; registration
	// is required and locked on.
	SessionPaid SessionType = "paid"
	// SessionPayPerUse: the host (or a department) pays the estimated cost
	// before the session starts (pay-per-use builds on ExpectedComputers,
	// ExpectedTeleconference, DepartmentID and PaidPaymentID).
	SessionPayPerUse SessionType = "pay-per-use"
)

// SessionStatus is whether a session is still going to happen. Upcoming and
// past are not statuses: they follow from StartsAt and the clock.
type SessionStatus string

const (
	SessionScheduled SessionStatus = "scheduled"
	SessionCancelled SessionStatus = "cancelled"
)

// Limits of a session's fields.
const (
	MaxTopicLength       = 200
	MaxDescriptionLength = 4000
	MaxDurationMinutes   = 24 * 60
	MaxRegistrationLimit = 100000
	MaxCancelHours       = 24 * 90
	MaxExpectedComputers = 100000
	// MaxFeeMajor is the largest Fee a host may type, in major units of the
	// site currency (for zero-decimal currencies such as JPY, 100 times
	// this). Far above any training fee, far below the gateways' limits.
	MaxFeeMajor = 100000
)

// Session is one training session on the site's schedule.
type Session struct {
	ID          int64
	Topic       string
	Description string
	// StartsAt is the start as an instant (stored in UTC). The host types it
	// in TimeZone, the site's time zone when the session was scheduled.
	StartsAt        time.Time
	TimeZone        string // IANA name
	DurationMinutes int

	Type     SessionType
	FeeMinor int64  // the Fee, in minor units of Currency; 0 unless Type is paid
	Currency string // the site's currency when scheduled

	// Registration options. A paid session always requires registration.
	RegistrationRequired bool
	// MaxRegistrations caps the seats; 0 means no limit (free sessions
	// only: a paid session needs a capacity).
	MaxRegistrations int
	// RegistrationClosesAt is when registration stops; zero means at the
	// start of the session.
	RegistrationClosesAt time.Time
	// AttendeesMayCancel allows attendees to cancel their own registration
	// until CancelHoursBefore hours before the start; a paid registration
	// cancelled in time is refunded RefundPercent of what was paid.
	AttendeesMayCancel bool
	CancelHoursBefore  int
	RefundPercent      int // 0–100

	// Pay-per-use. ExpectedTeleconference never exceeds
	// ExpectedComputers.
	ExpectedComputers      int
	ExpectedTeleconference int
	DepartmentID           int64 // 0: none (departments arrive with migration 00006)
	PaidPaymentID          int64 // 0: not paid; the journal row of the host's payment

	Status    SessionStatus
	CreatedAt time.Time
	UpdatedAt time.Time

	// StartedAt is when the host started the session (PayPerUseService.Start
	// records it); zero until then. The store reads it, never writes it
	// from here.
	StartedAt time.Time
}

// Started reports whether the host has started the session.
func (s Session) Started() bool { return !s.StartedAt.IsZero() }

// InProgress reports whether the session is running at now: started, not
// cancelled, and its scheduled end not yet passed.
func (s Session) InProgress(now time.Time) bool {
	return s.Started() && s.Status != SessionCancelled && !s.Ended(now)
}

// Ended reports whether the session's scheduled end has passed at now: it
// is then among the past sessions (SessionsPast), no longer upcoming.
func (s Session) Ended(now time.Time) bool { return now.After(s.EndsAt()) }

// The start window: a session may be started from the site's lead time
// (Site.StartLeadMinutes) before its scheduled start until its scheduled
// end.
const (
	DefaultStartLeadMinutes = 15
	MaxStartLeadMinutes     = 24 * 60
)

// StartOpensAt is the first moment the session may be started, leadMinutes
// before its scheduled start.
func (s Session) StartOpensAt(leadMinutes int) time.Time {
	return s.StartsAt.Add(-time.Duration(leadMinutes) * time.Minute)
}

// CheckStart is the rule of starting a session at now, leadMinutes being
// the site's lead time: not cancelled, not started already, and within its
// start window. A refusal is an ECONFLICT *Error: the window not yet open
// is "error.session.start_too_early" (or "error.session.start_at_start"
// with no lead time), with From (the opening, in the session's time zone:
// the time alone on the same day, else the date too) and Minutes; a
// session whose end passed is "error.session.start_over" with End.
// StartWindowOpens reads the opening back from the error.
func (s Session) CheckStart(now time.Time, leadMinutes int) error {
	loc := s.Location()
	switch {
	case s.Status == SessionCancelled:
		return Errorf(ECONFLICT, "error.session.cancelled", "the session is cancelled")
	case s.Started():
		return Errorf(ECONFLICT, "error.session.already_started", "the session has already started")
	case !now.Before(s.EndsAt()):
		return Errorf(ECONFLICT, "error.session.start_over", "this session ended at %s: it can no longer be started",
			whenText(s.EndsAt(), now, loc)).With(map[string]any{"End": whenText(s.EndsAt(), now, loc)})
	}
	opens := s.StartOpensAt(leadMinutes)
	if !now.Before(opens) {
		return nil
	}
	from := whenText(opens, now, loc)
	data := map[string]any{"From": from, "Minutes": leadMinutes, startOpensKey: opens}
	if leadMinutes == 0 {
		return Errorf(ECONFLICT, "error.session.start_at_start", "this session can be started from %s, when it begins", from).
			With(data)
	}
	return Errorf(ECONFLICT, "error.session.start_too_early",
		"this session can be started from %s (%d minutes before it begins)", from, leadMinutes).With(data)
}

// startOpensKey holds, in a start-window refusal's Data, the instant the
// window opens (read by StartWindowOpens; no translation uses it).
const startOpensKey = "Opens"

// StartWindowOpens is when the start window of a refusal by CheckStart
// opens; ok is false for any other error.
func StartWindowOpens(err error) (time.Time, bool) {
	e := AsError(err)
	if e == nil || e.Data == nil {
		return time.Time{}, false
	}
	t, ok := e.Data[startOpensKey].(time.Time)
	return t, ok
}

// CheckEdit is the rule of changing a session: neither a cancelled one nor
// one that has started (ECONFLICT "error.session.started_locked").
func (s Session) CheckEdit() error {
	switch {
	case s.Status == SessionCancelled:
		return Errorf(ECONFLICT, "error.session.cancelled", "the session is cancelled")
	case s.Started():
		return Errorf(ECONFLICT, "error.session.started_locked", "the session has started: it can no longer be changed")
	}
	return nil
}

// whenText writes t in loc for a message read at now: the time alone on
// now's day, otherwise the date and time.
func whenText(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	if t.Format(time.DateOnly) == now.Format(time.DateOnly) {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// EndsAt is when the session ends.
func (s Session) EndsAt() time.Time {
	return s.StartsAt.Add(time.Duration(s.DurationMinutes) * time.Minute)
}

// RegistrationDeadline is when registration closes: RegistrationClosesAt,
// or the start when none is set.
func (s Session) RegistrationDeadline() time.Time {
	if s.RegistrationClosesAt.IsZero() || s.RegistrationClosesAt.After(s.StartsAt) {
		return s.StartsAt
	}
	return s.RegistrationClosesAt
}

// CancelDeadline is the last moment an attendee may cancel; zero when
// attendees may not cancel.
func (s Session) CancelDeadline() time.Time {
	if !s.AttendeesMayCancel {
		return time.Time{}
	}
	return s.StartsAt.Add(-time.Duration(s.CancelHoursBefore) * time.Hour)
}

// Location returns the session's time zone (UTC when it cannot be loaded).
func (s Session) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil && s.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// Normalize trims text fields (the topic with TrimLine, the description
// with TrimText), upper-cases the currency, stores times in UTC and turns
// registration on for paid sessions.
func (s *Session) Normalize() {
	s.Topic = TrimLine(s.Topic)
	s.Description = TrimText(s.Description)
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	s.Currency = strings.ToUpper(strings.TrimSpace(s.Currency))
	s.StartsAt = s.StartsAt.UTC()
	if !s.RegistrationClosesAt.IsZero() {
		s.RegistrationClosesAt = s.RegistrationClosesAt.UTC()
	}
	if s.Status == "" {
		s.Status = SessionScheduled
	}
	if s.Type == SessionPaid {
		s.RegistrationRequired = true
	} else {
		s.FeeMinor = 0
	}
	if !s.AttendeesMayCancel {
		s.CancelHoursBefore = 0
	}
}

// Validate checks a session's fields; the first problem found is returned
// as an EINVALID *Error whose key names the field. The topic is one line
// (CheckLine), the description may have line breaks and tabs (CheckText).
func (s Session) Validate() error {
	if err := CheckLine(FieldTopic, s.Topic); err != nil {
		return err
	}
	if err := CheckText(FieldDescription, s.Description); err != nil {
		return err
	}
	switch {
	case s.Topic == "":
		return Errorf(EINVALID, "error.session.topic_required", "the session needs a topic")
	case utf8.RuneCountInString(s.Topic) > MaxTopicLength:
		return Errorf(EINVALID, "error.session.topic_too_long", "the topic is longer than %d characters", MaxTopicLength).
			With(map[string]any{"Max": MaxTopicLength})
	case utf8.RuneCountInString(s.Description) > MaxDescriptionLength:
		return Errorf(EINVALID, "error.session.description_too_long", "the description is longer than %d characters", MaxDescriptionLength).
			With(map[string]any{"Max": MaxDescriptionLength})
	case s.StartsAt.IsZero():
		return Errorf(EINVALID, "error.session.start_required", "the session needs a start date and time")
	case s.TimeZone == "" || s.TimeZone == "Local":
		return Errorf(EINVALID, "error.site.timezone", "%q is not a time zone", s.TimeZone).With(map[string]any{"TimeZone": s.TimeZone})
	case s.DurationMinutes <= 0 || s.DurationMinutes > MaxDurationMinutes:
		return Errorf(EINVALID, "error.session.duration", "the duration must be between 1 minute and 24 hours")
	case s.MaxRegistrations < 0 || s.MaxRegistrations > MaxRegistrationLimit:
		return Errorf(EINVALID, "error.session.capacity", "the maximum registrations must be between 1 and %d", MaxRegistrationLimit).
			With(map[string]any{"Max": MaxRegistrationLimit})
	case s.CancelHoursBefore < 0 || s.CancelHoursBefore > MaxCancelHours:
		return Errorf(EINVALID, "error.session.cancel_hours", "attendees may cancel until 0 to %d hours before the start", MaxCancelHours).
			With(map[string]any{"Max": MaxCancelHours})
	case s.RefundPercent < 0 || s.RefundPercent > 100:
		return Errorf(EINVALID, "error.session.refund_percent", "the refund on cancellation must be between 0 and 100 percent")
	case s.ExpectedComputers < 0 || s.ExpectedComputers > MaxExpectedComputers:
		return Errorf(EINVALID, "error.session.computers", "the expected computers must be between 0 and %d", MaxExpectedComputers).
			With(map[string]any{"Max": MaxExpectedComputers})
	case s.ExpectedTeleconference < 0 || s.ExpectedTeleconference > s.ExpectedComputers:
		return Errorf(EINVALID, "error.session.teleconference", "computers on the teleconference cannot exceed the computers connected")
	case s.Status != SessionScheduled && s.Status != SessionCancelled:
		return Errorf(EINVALID, "error.session.status", "unknown session status %q", s.Status)
	case !s.RegistrationClosesAt.IsZero() && s.RegistrationClosesAt.After(s.StartsAt):
		return Errorf(EINVALID, "error.session.closes_after_start", "registration must close before the session starts")
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return Errorf(EINVALID, "error.site.timezone", "%q is not a time zone", s.TimeZone).With(map[string]any{"TimeZone": s.TimeZone})
	}
	switch s.Type {
	case SessionFree, SessionPayPerUse:
		if s.FeeMinor != 0 {
			return Errorf(EINVALID, "error.session.fee_not_paid", "only a paid session has a fee")
		}
	case SessionPaid:
		if !money.IsValidCode(s.Currency) {
			return Errorf(EINVALID, "error.site.currency", "%q is not an ISO 4217 currency", s.Currency).With(map[string]any{"Currency": s.Currency})
		}
		if s.FeeMinor <= 0 {
			return Errorf(EINVALID, "error.session.fee_required", "a paid session needs a fee above zero")
		}
		if s.FeeMinor > MaxFeeMinor(s.Currency) {
			return Errorf(EINVALID, "error.session.fee_too_large", "the fee is above the maximum").
				With(map[string]any{"Max": MaxFeeMajor})
		}
		if !s.RegistrationRequired {
			return Errorf(EINVALID, "error.session.paid_needs_registration", "a paid session requires registration")
		}
		if s.MaxRegistrations == 0 {
			return Errorf(EINVALID, "error.session.capacity", "the maximum registrations must be between 1 and %d", MaxRegistrationLimit).
				With(map[string]any{"Max": MaxRegistrationLimit})
		}
	default:
		return Errorf(EINVALID, "error.session.type", "unknown session type %q", s.Type).With(map[string]any{"Type": string(s.Type)})
	}
	return nil
}

// MaxFeeMinor is MaxFeeMajor in minor units of code.
func MaxFeeMinor(code string) int64 {
	m := int64(MaxFeeMajor)
	for range money.Digits(code) {
		m *= 10
	}
	return m
}

// SessionWhen selects upcoming or past sessions.
type SessionWhen string

const (
	SessionsUpcoming SessionWhen = "upcoming" // not yet ended, soonest first
	SessionsPast     SessionWhen = "past"     // ended, most recent first
	SessionsAll      SessionWhen = "all"      // newest start first
)

// SearchMinRunes is the shortest search term (after trimming): search
// reads a trigram index, and one or two letters have no trigram. A shorter
// term is refused with EINVALID "error.search.too_short" (Data "Min").
const SearchMinRunes = 3

// SearchTooShort is the error of a search term shorter than SearchMinRunes.
func SearchTooShort() error {
	return Errorf(EINVALID, "error.search.too_short", "type at least %d characters to search", SearchMinRunes).
		With(map[string]any{"Min": SearchMinRunes})
}

// SessionFilter selects sessions for the list. Queries run in SQL and
// return one page.
//
// Paging is by key: After is the last row of the page before (its
// ListKey), and the page starts right after it in the list's order, at the
// cost of one page wherever that is. Offset then skips rows from there
// (from the top when After is nil), for a jump past pages not read yet.
type SessionFilter struct {
	When   SessionWhen
	Topic  string        // substring of the topic, any case and accents; "" for all, else SearchMinRunes or more
	Status SessionStatus // "" for all
	Now    time.Time     // the clock that splits upcoming from past
	After  *SessionKey
	Offset int
	Limit  int
	// NoTotal skips counting the matches (the total returned is -1): a
	// list counts once per query, with its first page.
	NoTotal bool
	// CountUpTo, when above 0, lets the count stop there: a total above it
	// may come back as CountUpTo+1 ("more than CountUpTo"), at the cost of
	// counting that many. The list shows "1,000+" and counts exactly after.
	CountUpTo int
}

// SessionKey is a session's place in the sessions list's order.
type SessionKey struct {
	StartsAt, EndsAt time.Time
	ID               int64
}

// ListKey is s's place in the sessions list's order.
func (s Session) ListKey() SessionKey {
	return SessionKey{StartsAt: s.StartsAt, EndsAt: s.EndsAt(), ID: s.ID}
}

// SessionSummary is one row of the sessions list.
type SessionSummary struct {
	Session
	Registrations int   // seats taken (registered, paid, or pending payment and held)
	RevenueMinor  int64 // charged minus refunded, in the session's currency
}

// SessionStore persists sessions. Registrations live in RegistrationStore.
type SessionStore interface {
	// CreateSession inserts s and sets s.ID, s.CreatedAt and s.UpdatedAt.
	CreateSession(ctx context.Context, s *Session) error
	// UpdateSession replaces an existing session's fields (not ID or
	// CreatedAt). It refuses to lower MaxRegistrations below the seats
	// already taken (ECONFLICT "error.session.capacity_below_taken") and to
	// change the type or fee once a registration has been paid (ECONFLICT
	// "error.session.fee_locked").
	UpdateSession(ctx context.Context, s *Session) error
	// Session returns one session (ENOTFOUND "error.session.not_found").
	Session(ctx context.Context, id int64) (Session, error)
	// Sessions returns one page of the list and how many match.
	Sessions(ctx context.Context, f SessionFilter) ([]SessionSummary, int, error)
	// SetSessionStatus cancels (or reinstates) a session.
	SetSessionStatus(ctx context.Context, id int64, st SessionStatus) error
}
