package app

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// SessionSite is what the session service needs of the site.
type SessionSite interface {
	Site(ctx context.Context) (Site, error)
	RequireFeature(ctx context.Context, f Feature) error
}

// Charger is what the session service needs of PaymentService.
type Charger interface {
	Charge(ctx context.Context, req ChargeRequest) (Payment, error)
	Refund(ctx context.Context, saleID int64, amount currency.Amount, description string) (Payment, error)
}

// SessionService holds the rules of scheduling training sessions,
// registering attendees, taking their fees and refunding them.
//
// Registration comes before payment: Register takes (holds) a seat in one
// write transaction, so the capacity can never be exceeded, and a card is
// charged only for a registration that holds its seat (ChargeRegistration
// renews the hold right before each attempt). Nobody is charged without a
// seat.
type SessionService struct {
	Store    SessionStore
	Regs     RegistrationStore
	Site     SessionSite
	Payments Charger
	// Promo redeems promotional codes; nil when the feature is not built or
	// not wired (the Payment Information page then says so).
	Promo PromoRedeemer
	Now   func() time.Time

	mu     sync.Mutex
	paying map[int64]bool // registrations with a payment attempt running in this process
}

// NewSessionService returns a SessionService with the real clock.
func NewSessionService(sessions SessionStore, regs RegistrationStore, site SessionSite, payments Charger, promo PromoRedeemer) *SessionService {
	return &SessionService{Store: sessions, Regs: regs, Site: site, Payments: payments, Promo: promo, Now: time.Now}
}

func (s *SessionService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Clock is the service's time: what its rules compare with (the sessions
// list reads it to know when a session ends).
func (s *SessionService) Clock() time.Time { return s.now() }

// CanStart is nil when the session may be started now, and otherwise the
// ECONFLICT error of Session.CheckStart that says from when (or why not),
// with the site's lead time. Whether a pay-per-use session's payment lets
// it start is PayPerUseService.CanStart's.
func (s *SessionService) CanStart(ctx context.Context, id int64) error {
	x, err := s.Store.Session(ctx, id)
	if err != nil {
		return err
	}
	site, err := s.Site.Site(ctx)
	if err != nil {
		return err
	}
	return x.CheckStart(s.now(), site.StartLeadMinutes)
}

// CanEdit is nil when the session may be changed: not cancelled and not
// started (Session.CheckEdit).
func (s *SessionService) CanEdit(ctx context.Context, id int64) error {
	x, err := s.Store.Session(ctx, id)
	if err != nil {
		return err
	}
	return x.CheckEdit()
}

// PaidSessionsAvailable is nil when hosts may charge a fee, and otherwise
// the EUNAVAILABLE error that says whom to contact.
func (s *SessionService) PaidSessionsAvailable(ctx context.Context) error {
	return s.Site.RequireFeature(ctx, FeaturePaidSessions)
}

// SiteInfo returns the site (its currency, time zone and mode).
func (s *SessionService) SiteInfo(ctx context.Context) (Site, error) { return s.Site.Site(ctx) }

// PromoEnabled reports whether promotional codes can be applied.
func (s *SessionService) PromoEnabled() bool { return s.Promo != nil }

// prepare normalizes a session and applies the site's rules to it.
func (s *SessionService) prepare(ctx context.Context, x *Session, startChanged bool) error {
	site, err := s.Site.Site(ctx)
	if err != nil {
		return err
	}
	if x.TimeZone == "" {
		x.TimeZone = site.TimeZone
	}
	if x.Type == SessionPaid {
		x.Currency = site.Currency
		if err := s.PaidSessionsAvailable(ctx); err != nil {
			return err
		}
	}
	if x.Type == SessionPayPerUse {
		// Whether pay-per-use is on is asked where money moves: a session
		// cannot be priced, paid or started without the feature
		// (PayPerUseService), and the form offers it only when it is on.
		x.Currency = site.Currency
	}
	x.Normalize()
	if err := x.Validate(); err != nil {
		return err
	}
	if x.Type == SessionPayPerUse {
		// The estimate's own rules: at least one computer, and not more on
		// the teleconference than connected.
		if err := UsageOf(*x).Validate(); err != nil {
			return err
		}
	}
	if startChanged && !x.StartsAt.After(s.now()) {
		return Errorf(EINVALID, "error.session.in_past", "the session must start in the future")
	}
	return nil
}

// Schedule validates and stores a new session. A paid session needs the
// paid-sessions feature and takes the site's currency.
func (s *SessionService) Schedule(ctx context.Context, x Session) (Session, error) {
	x.ID, x.Status = 0, SessionScheduled
	if err := s.prepare(ctx, &x, true); err != nil {
		return Session{}, err
	}
	x.CreatedAt = s.now()
	if err := s.Store.CreateSession(ctx, &x); err != nil {
		return Session{}, err
	}
	return x, nil
}

// Update saves an edited session. A paid session keeps its currency.
func (s *SessionService) Update(ctx context.Context, x Session) (Session, error) {
	old, err := s.Store.Session(ctx, x.ID)
	if err != nil {
		return Session{}, err
	}
	if err := old.CheckEdit(); err != nil {
		return Session{}, err
	}
	x.Status, x.CreatedAt, x.StartedAt = old.Status, old.CreatedAt, old.StartedAt
	if old.Type == SessionPayPerUse && old.PaidPaymentID != 0 {
		// Once paid, the money and the ledger belong to the session as
		// paid: it stays pay-per-use, charged to the same department.
		if x.Type != SessionPayPerUse {
			return Session{}, Errorf(ECONFLICT, "error.payperuse.type_locked",
				"a paid pay-per-use session cannot change its type")
		}
		if x.DepartmentID != old.DepartmentID {
			return Session{}, Errorf(ECONFLICT, "error.payperuse.department_locked",
				"the paying department cannot change once the session is paid")
		}
	}
	if x.Type != SessionPayPerUse {
		x.DepartmentID = old.DepartmentID
	}
	x.PaidPaymentID = old.PaidPaymentID
	if x.Type == SessionPaid && old.Type == SessionPaid && x.FeeMinor == old.FeeMinor {
		// An unchanged fee needs no feature check: the host may still edit
		// the topic of a paid session after the feature was switched off.
		x.Currency = old.Currency
		x.Normalize()
		if err := x.Validate(); err != nil {
			return Session{}, err
		}
		if !x.StartsAt.Equal(old.StartsAt) && !x.StartsAt.After(s.now()) {
			return Session{}, Errorf(EINVALID, "error.session.in_past", "the session must start in the future")
		}
	} else if err := s.prepare(ctx, &x, !x.StartsAt.Equal(old.StartsAt)); err != nil {
		return Session{}, err
	}
	x.UpdatedAt = s.now()
	if err := s.Store.UpdateSession(ctx, &x); err != nil {
		return Session{}, err
	}
	return x, nil
}

// Session returns one session.
func (s *SessionService) Session(ctx context.Context, id int64) (Session, error) {
	return s.Store.Session(ctx, id)
}

// List returns one page of the sessions list.
func (s *SessionService) List(ctx context.Context, f SessionFilter) ([]SessionSummary, int, error) {
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	return s.Store.Sessions(ctx, f)
}

// CancelSessionPreview says what cancelling a session would refund.
func (s *SessionService) CancelSessionPreview(ctx context.Context, id int64) (SessionRefundTotals, error) {
	x, err := s.Store.Session(ctx, id)
	if err != nil {
		return SessionRefundTotals{}, err
	}
	paid, err := s.Regs.PaidRegistrations(ctx, id)
	if err != nil {
		return SessionRefundTotals{}, err
	}
	t := SessionRefundTotals{Currency: x.Currency}
	for _, r := range paid {
		t.PaidRegistrations++
		t.RefundMinor += r.PaidMinor - r.RefundedMinor
	}
	return t, nil
}

// CancelSessionResult says what cancelling a session did.
type CancelSessionResult struct {
	Refunded    int
	RefundMinor int64
	Failed      int   // refunds that did not go through (shown to the host to retry)
	FirstError  error // the first refund's error, when any failed
}

// CancelSession cancels a session (no new registrations from this moment),
// refunds every paid registration in full through its original gateway
// and cancels the unpaid ones. Refunds that fail are counted; running
// CancelSession again retries them.
func (s *SessionService) CancelSession(ctx context.Context, id int64) (CancelSessionResult, error) {
	var res CancelSessionResult
	x, err := s.Store.Session(ctx, id)
	if err != nil {
		return res, err
	}
	if x.Status != SessionCancelled {
		if err := s.Store.SetSessionStatus(ctx, id, SessionCancelled); err != nil {
			return res, err
		}
	}
	paid, err := s.Regs.PaidRegistrations(ctx, id)
	if err != nil {
		return res, err
	}
	for _, r := range paid {
		left := r.PaidMinor - r.RefundedMinor
		if _, err := s.refund(ctx, r, left, "session cancelled"); err != nil {
			res.Failed++
			if res.FirstError == nil {
				res.FirstError = err
			}
			continue
		}
		res.Refunded++
		res.RefundMinor += left
	}
	all, _, err := s.Regs.Registrations(ctx, RegistrationFilter{SessionID: id})
	if err != nil {
		return res, err
	}
	for _, r := range all {
		if r.Status.HoldsSeat() && r.PaidMinor == 0 {
			if err := s.Regs.CancelRegistration(ctx, r.ID, s.now()); err != nil && ErrorCode(err) != ECONFLICT {
				return res, err
			}
		}
	}
	return res, nil
}

// Register takes a seat for an attendee. For a paid session the
// registration is pending payment and its seat is held for SeatHold.
func (s *SessionService) Register(ctx context.Context, sessionID int64, a Attendee) (Registration, error) {
	a.Normalize()
	if a.Language == "" {
		if site, err := s.Site.Site(ctx); err == nil {
			a.Language = site.Language
		}
	}
	if err := a.Validate(); err != nil {
		return Registration{}, err
	}
	x, err := s.Store.Session(ctx, sessionID)
	if err != nil {
		return Registration{}, err
	}
	if x.Type == SessionPaid {
		// Attendees may finish paying for a session whose feature was
		// switched off later, but nobody new registers to pay.
		if err := s.PaidSessionsAvailable(ctx); err != nil {
			return Registration{}, err
		}
	}
	r := Registration{SessionID: sessionID, Attendee: a}
	if err := s.Regs.Register(ctx, &r, s.now()); err != nil {
		return Registration{}, err
	}
	return r, nil
}

// Registration returns one registration.
func (s *SessionService) Registration(ctx context.Context, id int64) (Registration, error) {
	return s.Regs.Registration(ctx, id)
}

// Registrations returns a page of a session's registrations.
func (s *SessionService) Registrations(ctx context.Context, f RegistrationFilter) ([]Registration, int, error) {
	return s.Regs.Registrations(ctx, f)
}

// QuotePromo checks a promotional code for a registration: the discount
// and the new total, without using the code.
func (s *SessionService) QuotePromo(ctx context.Context, r Registration, code string) (PromoQuote, error) {
	if s.Promo == nil {
		return PromoQuote{}, Errorf(EUNAVAILABLE, "error.sessions.promo_not_enabled",
			"promotional codes are not enabled on this site: contact your site administrator")
	}
	if strings.TrimSpace(code) == "" {
		return PromoQuote{}, Errorf(EINVALID, "error.sessions.promo_empty", "type a promotional code")
	}
	q, err := s.Promo.Quote(ctx, r.SessionID, r.Email, code)
	if err != nil {
		return PromoQuote{}, err
	}
	if err := checkQuote(q, r); err != nil {
		return PromoQuote{}, err
	}
	return q, nil
}

// checkQuote refuses a quote made for another registration or fee, or
// whose arithmetic does not add up.
func checkQuote(q PromoQuote, r Registration) error {
	if q.SessionID != r.SessionID || !strings.EqualFold(q.Email, r.Email) || q.FeeMinor != r.FeeMinor ||
		q.Currency != r.Currency || q.DiscountMinor < 0 || q.DiscountMinor > q.FeeMinor ||
		q.TotalMinor != q.FeeMinor-q.DiscountMinor {
		return Errorf(ECONFLICT, "error.sessions.promo_stale", "the promotional code's quote no longer matches: apply it again")
	}
	return nil
}

// Checkout is a registration ready to be paid.
type Checkout struct {
	Registration  Registration
	Total         currency.Amount
	ReservationID int64 // the promotional code's reservation; 0 for none
	// Confirmed is true when the total was zero: the registration is paid
	// and no gateway was called.
	Confirmed bool
}

func (s *SessionService) lock(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paying == nil {
		s.paying = map[int64]bool{}
	}
	if s.paying[id] {
		return false
	}
	s.paying[id] = true
	return true
}

func (s *SessionService) unlock(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.paying, id)
}

// BeginCheckout renews the registration's seat, reserves the promotional
// code (when quote is not nil) and records its discount. A total of zero
// confirms the registration at once, without any gateway. Otherwise the
// caller charges Total through ChargeRegistration (the card dialog does)
// and calls AbandonCheckout if the attendee gives up.
func (s *SessionService) BeginCheckout(ctx context.Context, regID int64, quote *PromoQuote) (Checkout, error) {
	if !s.lock(regID) {
		return Checkout{}, Errorf(ECONFLICT, "error.payment.in_progress", "this payment is already being processed")
	}
	defer s.unlock(regID)
	r, err := s.Regs.Registration(ctx, regID)
	if err != nil {
		return Checkout{}, err
	}
	now := s.now()
	if err := s.Regs.RenewHold(ctx, regID, now, now.Add(SeatHold)); err != nil {
		return Checkout{}, err
	}
	co := Checkout{}
	code, discount, total := "", int64(0), r.FeeMinor
	if quote != nil {
		if s.Promo == nil {
			return Checkout{}, Errorf(EUNAVAILABLE, "error.sessions.promo_not_enabled",
				"promotional codes are not enabled on this site: contact your site administrator")
		}
		if err := checkQuote(*quote, r); err != nil {
			return Checkout{}, err
		}
		if co.ReservationID, err = s.Promo.Reserve(ctx, *quote, regID); err != nil {
			return Checkout{}, err
		}
		code, discount, total = quote.Code, quote.DiscountMinor, quote.TotalMinor
	}
	release := func() {
		if co.ReservationID != 0 {
			_ = s.Promo.Release(context.WithoutCancel(ctx), co.ReservationID)
		}
	}
	if err := s.Regs.SetPrice(ctx, regID, code, discount, total); err != nil {
		release()
		return Checkout{}, err
	}
	if co.Total, err = money.FromMinor(total, r.Currency); err != nil {
		release()
		return Checkout{}, Internal(err, "a registration has a bad amount")
	}
	if total == 0 {
		if co.ReservationID != 0 {
			if err := s.Promo.ConfirmFree(ctx, co.ReservationID); err != nil {
				release()
				return Checkout{}, err
			}
		}
		if err := s.Regs.ConfirmFree(ctx, regID, now); err != nil {
			return Checkout{}, err
		}
		co.Confirmed = true
	}
	if co.Registration, err = s.Regs.Registration(ctx, regID); err != nil {
		return Checkout{}, err
	}
	return co, nil
}

// AbandonCheckout frees a checkout's promotional-code reservation. The
// registration stays pending payment until its hold runs out, so the
// attendee can come back and pay.
func (s *SessionService) AbandonCheckout(ctx context.Context, co Checkout) error {
	if co.ReservationID == 0 || s.Promo == nil || co.Confirmed {
		return nil
	}
	return s.Promo.Release(ctx, co.ReservationID)
}

// ChargeRegistration charges one attempt for a registration (Reference
// "registration:<id>", Purpose registration). Right before the journal row
// is written it renews the seat's hold: if the hold ran out and the seat
// went to someone else, nothing is charged (ECONFLICT
// "error.registration.full"). Other purposes pass straight through, so the
// card dialog can use it as its PaymentService.
func (s *SessionService) ChargeRegistration(ctx context.Context, req ChargeRequest) (Payment, error) {
	if req.Purpose != PurposeRegistration {
		return s.Payments.Charge(ctx, req)
	}
	id, ok := parseRegistrationReference(req.Reference)
	if !ok {
		req.Card.Wipe()
		return Payment{}, Errorf(EINVALID, "error.registration.not_found", "no registration %q", req.Reference).
			With(map[string]any{"ID": req.Reference})
	}
	if !s.lock(id) {
		req.Card.Wipe()
		return Payment{}, Errorf(ECONFLICT, "error.payment.in_progress", "this payment is already being processed")
	}
	defer s.unlock(id)
	r, err := s.Regs.Registration(ctx, id)
	if err != nil {
		req.Card.Wipe()
		return Payment{}, err
	}
	minor, err := money.ToMinor(req.Amount)
	if err != nil || minor != r.TotalMinor || req.Amount.CurrencyCode() != r.Currency {
		req.Card.Wipe()
		return Payment{}, Errorf(ECONFLICT, "error.sessions.amount_changed", "the amount to pay has changed: start again")
	}
	now := s.now()
	if err := s.Regs.RenewHold(ctx, id, now, now.Add(SeatHold)); err != nil {
		req.Card.Wipe()
		return Payment{}, err
	}
	// A discounted total may only be charged while the code's use is
	// reserved for this registration: otherwise the code could be used
	// more often than its limit.
	if r.PromoCode != "" && r.DiscountMinor > 0 {
		if s.Promo == nil {
			req.Card.Wipe()
			return Payment{}, Errorf(EUNAVAILABLE, "error.sessions.promo_not_enabled",
				"promotional codes are not enabled on this site: contact your site administrator")
		}
		if err := s.Promo.Renew(ctx, id); err != nil {
			req.Card.Wipe()
			return Payment{}, err
		}
	}
	return s.Payments.Charge(ctx, req)
}

func parseRegistrationReference(ref string) (int64, bool) {
	rest, ok := strings.CutPrefix(ref, "registration:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// PayByCard is the whole payment of a registration in one call (for the
// command line and tests): checkout, one charge, and the reservation freed
// again when the charge did not go through.
func (s *SessionService) PayByCard(ctx context.Context, regID int64, quote *PromoQuote, method Method, card *Card, payer Payer) (Registration, Payment, error) {
	co, err := s.BeginCheckout(ctx, regID, quote)
	if err != nil {
		card.Wipe()
		return Registration{}, Payment{}, err
	}
	if co.Confirmed {
		card.Wipe()
		return co.Registration, Payment{}, nil
	}
	r := co.Registration
	p, err := s.ChargeRegistration(ctx, ChargeRequest{
		Purpose: PurposeRegistration, Reference: r.Reference(), Amount: co.Total, Method: method,
		Card: card, Payer: payer, Description: r.Confirmation,
	})
	if err != nil {
		if ErrorCode(err) != EUNKNOWN {
			_ = s.AbandonCheckout(context.WithoutCancel(ctx), co)
		}
		return r, p, err
	}
	r, err = s.Regs.Registration(ctx, regID)
	return r, p, err
}

// RefundPolicyMinor is what an attendee who cancels in time gets back of
// what is left of their payment: the session's RefundPercent, rounded down
// to the currency's minor unit (in the site's favour, as the policy is a
// ceiling).
func RefundPolicyMinor(x Session, r Registration) (int64, error) {
	left := r.PaidMinor - r.RefundedMinor
	if left <= 0 {
		return 0, nil
	}
	if x.RefundPercent >= 100 {
		return left, nil
	}
	a, err := money.FromMinor(left, r.Currency)
	if err != nil {
		return 0, Internal(err, "a registration has a bad amount")
	}
	part, err := money.Percent(a, strconv.Itoa(x.RefundPercent), currency.RoundDown)
	if err != nil {
		return 0, Internal(err, "compute a refund")
	}
	return money.ToMinor(part)
}

// CancelByAttendee cancels an attendee's own registration. A paid one is
// refunded through its original gateway by the session's policy, and only
// until the cancellation deadline (ECONFLICT
// "error.registration.cancel_window_closed" with the deadline, or
// "error.registration.cancel_not_allowed" when the session does not let
// attendees cancel). Pending payment can always be given up.
func (s *SessionService) CancelByAttendee(ctx context.Context, regID int64) (Registration, error) {
	r, amount, err := s.attendeeCancellation(ctx, regID)
	if err != nil {
		return Registration{}, err
	}
	if amount > 0 {
		if _, err := s.refund(ctx, r, amount, "cancelled by the attendee"); err != nil {
			return Registration{}, err
		}
		// A partial refund marks it partially refunded; the attendee has
		// cancelled either way.
	} else if err := s.Regs.CancelRegistration(ctx, regID, s.now()); err != nil {
		return Registration{}, err
	}
	return s.Regs.Registration(ctx, regID)
}

// AttendeeCancellation is what cancelling a registration at the
// attendee's request would refund, for the confirmation to say.
type AttendeeCancellation struct {
	RefundMinor int64  // 0: nothing is refunded
	Currency    string // the registration's
	// Paid is true when anything is left of a payment: a zero refund is
	// then the session's policy, not a registration nobody paid.
	Paid bool
}

// CancelByAttendeePreview says what CancelByAttendee would refund now, or
// refuses as it would (outside the cancellation window, a session that
// does not let attendees cancel, a registration already cancelled).
func (s *SessionService) CancelByAttendeePreview(ctx context.Context, regID int64) (AttendeeCancellation, error) {
	r, amount, err := s.attendeeCancellation(ctx, regID)
	if err != nil {
		return AttendeeCancellation{}, err
	}
	return AttendeeCancellation{RefundMinor: amount, Currency: r.Currency, Paid: r.PaidMinor > r.RefundedMinor}, nil
}

// attendeeCancellation checks that the attendee may cancel r now and
// returns what the session's policy refunds.
func (s *SessionService) attendeeCancellation(ctx context.Context, regID int64) (Registration, int64, error) {
	r, err := s.Regs.Registration(ctx, regID)
	if err != nil {
		return Registration{}, 0, err
	}
	x, err := s.Store.Session(ctx, r.SessionID)
	if err != nil {
		return Registration{}, 0, err
	}
	if !r.Status.HoldsSeat() {
		return Registration{}, 0, Errorf(ECONFLICT, "error.registration.already_cancelled", "the registration is already cancelled")
	}
	if r.Status != RegPendingPayment {
		if !x.AttendeesMayCancel {
			return Registration{}, 0, Errorf(ECONFLICT, "error.registration.cancel_not_allowed",
				"this session does not let attendees cancel: contact the host")
		}
		if deadline := x.CancelDeadline(); s.now().After(deadline) {
			return Registration{}, 0, Errorf(ECONFLICT, "error.registration.cancel_window_closed",
				"attendees may cancel until %d hours before the start", x.CancelHoursBefore).
				With(map[string]any{
					"Hours":    x.CancelHoursBefore,
					"Deadline": deadline.In(x.Location()).Format("2006-01-02 15:04 MST"),
				})
		}
	}
	amount, err := RefundPolicyMinor(x, r)
	if err != nil {
		return Registration{}, 0, err
	}
	return r, amount, nil
}

// RefundByHost refunds what is left of one registration's payment, at any
// time, and cancels it.
func (s *SessionService) RefundByHost(ctx context.Context, regID int64) (Registration, error) {
	r, err := s.Regs.Registration(ctx, regID)
	if err != nil {
		return Registration{}, err
	}
	left := r.PaidMinor - r.RefundedMinor
	if left <= 0 {
		return Registration{}, Errorf(ECONFLICT, "error.registration.nothing_to_refund", "nothing is left to refund")
	}
	if _, err := s.refund(ctx, r, left, "refunded by the host"); err != nil {
		return Registration{}, err
	}
	return s.Regs.Registration(ctx, regID)
}

// refund returns minor units of r's sale through its original gateway. The
// registration's status follows from the journal's settlement; once it is
// refunded in full, the database gives its promotional code's use back (a
// partial refund keeps the use).
func (s *SessionService) refund(ctx context.Context, r Registration, minor int64, why string) (Payment, error) {
	if r.PaymentID == 0 {
		return Payment{}, Errorf(ECONFLICT, "error.registration.nothing_to_refund", "nothing is left to refund")
	}
	a, err := money.FromMinor(minor, r.Currency)
	if err != nil {
		return Payment{}, Internal(err, "a registration has a bad amount")
	}
	return s.Payments.Refund(ctx, r.PaymentID, a, r.Confirmation+": "+why)
}

// ReceiptFor gathers what a registration's receipt shows.
func (s *SessionService) ReceiptFor(ctx context.Context, regID int64) (Site, Session, Registration, error) {
	r, err := s.Regs.Registration(ctx, regID)
	if err != nil {
		return Site{}, Session{}, Registration{}, err
	}
	x, err := s.Store.Session(ctx, r.SessionID)
	if err != nil {
		return Site{}, Session{}, Registration{}, err
	}
	site, err := s.Site.Site(ctx)
	if err != nil {
		return Site{}, Session{}, Registration{}, err
	}
	if r.Status != RegPaid && r.Status != RegRefunded && r.Status != RegPartiallyRefunded {
		return Site{}, Session{}, Registration{}, Errorf(ECONFLICT, "error.registration.no_receipt",
			"there is no receipt before the registration is paid")
	}
	return site, x, r, nil
}
