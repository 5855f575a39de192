package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// PayPerUseAccount is what the journal and the ledger know about one
// pay-per-use session's money.
type PayPerUseAccount struct {
	SessionID int64
	// Rates are frozen when the host first goes to pay, so that a later
	// change of the site's rates never changes what a paid session costs.
	// Frozen is false (and Rates zero) before that.
	Rates  Rates
	Frozen bool
	// PaidMinor is what was charged for the session (pay-per-use and
	// true-up sales) minus what was refunded of it.
	PaidMinor int64
	// OpenMinor is what is in payments whose outcome is not known yet:
	// until reconciliation settles them, nothing more is asked.
	OpenMinor int64
	// Sales are the charged sales for the session, oldest first, with
	// RefundedMinor: a refund takes from the newest first.
	Sales []Payment
	// Actual is the usage entered or imported after the session; nil
	// before.
	Actual    *ActualUsage
	StartedAt time.Time // zero until the host starts it
}

// ActualUsage is what a session really used, entered by the host or the
// administrator, or imported from the conferencing system's usage CSV.
type ActualUsage struct {
	PersonMinutes         int64
	TeleconferenceMinutes int64
	RecordedAt            time.Time
	Source                string // "entered" or "import"
}

// PayPerUseStore persists what pay-per-use adds to a session. The session
// is marked paid, and the ledger charged, by the journal's settlement.
type PayPerUseStore interface {
	// PayPerUseAccount returns the session's account (a zero account with
	// SessionID set when nothing was recorded yet).
	PayPerUseAccount(ctx context.Context, sessionID int64) (PayPerUseAccount, error)
	// FreezeRates records the rates the session is priced at, unless some
	// are recorded already (then it does nothing).
	FreezeRates(ctx context.Context, sessionID int64, r Rates) error
	// RecordActual stores the actual usage (replacing an earlier entry).
	RecordActual(ctx context.Context, sessionID int64, u ActualUsage, audit []AuditEntry) error
	// MarkStarted records the start of a session whose estimate is
	// costMinor; the database refuses it too (ECONFLICT
	// "error.payperuse.unpaid") when costMinor is above zero and the
	// session has no payment.
	MarkStarted(ctx context.Context, sessionID int64, at time.Time, costMinor int64) error
}

// SessionReader is what pay-per-use needs of the sessions store.
type SessionReader interface {
	Session(ctx context.Context, id int64) (Session, error)
}

// Refunder is what pay-per-use needs of the payment service to give back
// an estimate's fall or a true-up.
type Refunder interface {
	Refund(ctx context.Context, saleID int64, amount currency.Amount, description string) (Payment, error)
}

// PayPerUseSite is what paying per use needs of the site: its settings
// and whether pay-per-use is on.
type PayPerUseSite interface {
	Site(ctx context.Context) (Site, error)
	RequireFeature(ctx context.Context, f Feature) error
}

// PayPerUseService holds the rules of paying for a session before it
// starts, budgets and the true-up after it.
type PayPerUseService struct {
	Site     PayPerUseSite
	Sessions SessionReader
	Store    PayPerUseStore
	Budgets  BudgetStore
	Payments Refunder
	Now      func() time.Time
}

func (s *PayPerUseService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// SessionReference is the journal's reference for a session's payments.
func SessionReference(id int64) string { return "session:" + strconv.FormatInt(id, 10) }

// ParseSessionReference reads SessionReference; ok is false for any other
// reference.
func ParseSessionReference(ref string) (int64, bool) {
	n, ok := strings.CutPrefix(ref, "session:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(n, 10, 64)
	return id, err == nil && id > 0
}

// UsageOf is a session's expected usage.
func UsageOf(s Session) Usage {
	return Usage{
		DurationMinutes: int64(s.DurationMinutes), Computers: int64(s.ExpectedComputers),
		Teleconference: int64(s.ExpectedTeleconference),
	}
}

// SessionQuote is what the Estimated Session Cost page shows.
type SessionQuote struct {
	Session  Session
	Estimate EstimatedCost
	Account  PayPerUseAccount
	// DueMinor is the estimate minus what was paid: above zero, what the
	// host pays before the start; below zero, what is refunded.
	DueMinor int64
	// Department is the paying department (zero ID when none is named);
	// Budget is its budget in the session's period, and the remaining
	// budget before and after paying DueMinor.
	Department           Department
	Budget               DepartmentBudget
	HasBudget            bool
	RemainingBeforeMinor int64
	RemainingAfterMinor  int64
	Policy               BudgetPolicy
	// OverBudget: paying would take the department below zero. With
	// PolicyBlock the payment is refused.
	OverBudget bool
}

// Paid reports whether the session may start: what was paid covers the
// estimate and no payment is still open.
func (q SessionQuote) Paid() bool {
	return q.Account.OpenMinor == 0 && (q.Estimate.TotalMinor == 0 || q.Account.PaidMinor > 0 && q.DueMinor <= 0)
}

// Available is nil when hosts may schedule pay-per-use sessions, and
// otherwise the EUNAVAILABLE error that tells them to contact the account
// manager (FeatureAvailability).
func (s *PayPerUseService) Available(ctx context.Context) error {
	return s.Site.RequireFeature(ctx, FeaturePayPerUse)
}

func (s *PayPerUseService) payPerUseSession(ctx context.Context, id int64) (Session, error) {
	if err := s.Site.RequireFeature(ctx, FeaturePayPerUse); err != nil {
		return Session{}, err
	}
	ses, err := s.Sessions.Session(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if ses.Type != SessionPayPerUse {
		return Session{}, Errorf(EINVALID, "error.payperuse.not_pay_per_use", "session %d is not a pay-per-use session", id).
			With(map[string]any{"ID": id})
	}
	return ses, nil
}

// sessionAccount is a pay-per-use session and its account.
func (s *PayPerUseService) sessionAccount(ctx context.Context, id int64) (Session, PayPerUseAccount, error) {
	ses, err := s.payPerUseSession(ctx, id)
	if err != nil {
		return Session{}, PayPerUseAccount{}, err
	}
	acc, err := s.Store.PayPerUseAccount(ctx, id)
	return ses, acc, err
}

// Quote prices a saved pay-per-use session: at its frozen rates once the
// host has gone to pay, at the site's rates before.
func (s *PayPerUseService) Quote(ctx context.Context, sessionID int64) (SessionQuote, error) {
	ses, acc, err := s.sessionAccount(ctx, sessionID)
	if err != nil {
		return SessionQuote{}, err
	}
	rates := acc.Rates
	if !acc.Frozen {
		site, err := s.Site.Site(ctx)
		if err != nil {
			return SessionQuote{}, err
		}
		rates = RatesOf(site)
	}
	est, err := Estimate(UsageOf(ses), rates)
	if err != nil {
		return SessionQuote{}, err
	}
	q := SessionQuote{Session: ses, Estimate: est, Account: acc, DueMinor: est.TotalMinor - acc.PaidMinor}
	if err := s.budgetFor(ctx, &q); err != nil {
		return SessionQuote{}, err
	}
	return q, nil
}

// budgetFor fills in the department's budget in the session's period.
func (s *PayPerUseService) budgetFor(ctx context.Context, q *SessionQuote) error {
	settings, err := s.Budgets.BudgetSettings(ctx)
	if err != nil {
		return err
	}
	q.Policy = settings.Policy
	if q.Session.DepartmentID == 0 {
		return nil
	}
	dep, err := s.Budgets.Department(ctx, q.Session.DepartmentID)
	if err != nil {
		return err
	}
	q.Department = dep
	site, err := s.Site.Site(ctx)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(site.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	period := settings.PeriodOf(q.Session.StartsAt, loc).Key()
	budgets, err := s.Budgets.Budgets(ctx, period, s.now())
	if err != nil {
		return err
	}
	q.Budget = DepartmentBudget{Department: dep, Period: period, Currency: site.Currency}
	for _, b := range budgets {
		if b.Department.ID == dep.ID {
			q.Budget = b
		}
	}
	q.HasBudget = true
	q.RemainingBeforeMinor = q.Budget.RemainingMinor()
	q.RemainingAfterMinor = q.RemainingBeforeMinor - max(q.DueMinor, 0)
	q.OverBudget = q.DueMinor > 0 && q.RemainingAfterMinor < 0
	return nil
}

// budgetError is the block policy's refusal.
func budgetError(q SessionQuote) error {
	return BudgetExceededError(q.DueMinor, q.RemainingBeforeMinor, q.Estimate.Rates.Currency, q.Department.Name, q.Budget.Period)
}

// BudgetExceededError is the block policy's refusal of a charge of
// dueMinor when remainingMinor is left of department's budget for period:
// ECONFLICT "error.budget.exceeded". The stores return it too, when the
// database refuses a pay-per-use sale above the budget.
func BudgetExceededError(dueMinor, remainingMinor int64, currencyCode, department, period string) *Error {
	due, _ := money.FromMinor(dueMinor, currencyCode)
	left, _ := money.FromMinor(remainingMinor, currencyCode)
	return Errorf(ECONFLICT, "error.budget.exceeded",
		"the estimate of %s is above the %s left in %s's budget for %s", due, left, department, period).
		With(map[string]any{"Due": due, "Remaining": left, "Department": department, "Period": period})
}

// CheckBudget applies the site's policy to a quote: nil when within
// budget or when the policy only warns (the quote's OverBudget says so);
// an ECONFLICT "error.budget.exceeded" under the block policy.
func CheckBudget(q SessionQuote) error {
	if q.OverBudget && q.Policy == PolicyBlock {
		return budgetError(q)
	}
	return nil
}

// PayPerUseCharge is what the host is asked to pay for a session now.
type PayPerUseCharge struct {
	Quote     SessionQuote
	Amount    currency.Amount
	Purpose   Purpose
	Reference string
	Payer     Payer // the department's budget owner, when a department pays
	// PaidSoFarMinor is the session's net charged amount that Amount was
	// worked out from: pass it on as ChargeRequest.PaidSoFarMinor.
	PaidSoFarMinor int64
}

// PrepareCharge freezes the session's rates and returns what to charge:
// the estimate, or its rise after an edit. It refuses when nothing is due
// (ECONFLICT "error.payperuse.nothing_due"), when a payment's outcome is
// still unknown (ECONFLICT "error.payperuse.payment_open") and, under the
// block policy, above the department's remaining budget.
func (s *PayPerUseService) PrepareCharge(ctx context.Context, sessionID int64) (PayPerUseCharge, error) {
	q, err := s.Quote(ctx, sessionID)
	if err != nil {
		return PayPerUseCharge{}, err
	}
	if !q.Account.Frozen {
		if err := s.Store.FreezeRates(ctx, sessionID, q.Estimate.Rates); err != nil {
			return PayPerUseCharge{}, err
		}
		if q, err = s.Quote(ctx, sessionID); err != nil {
			return PayPerUseCharge{}, err
		}
	}
	if q.Account.OpenMinor > 0 {
		return PayPerUseCharge{}, Errorf(ECONFLICT, "error.payperuse.payment_open",
			"a payment for this session is still being checked: do not pay again")
	}
	if q.DueMinor <= 0 {
		return PayPerUseCharge{}, Errorf(ECONFLICT, "error.payperuse.nothing_due", "nothing is due for this session")
	}
	if err := CheckBudget(q); err != nil {
		return PayPerUseCharge{}, err
	}
	amount, err := money.FromMinor(q.DueMinor, q.Estimate.Rates.Currency)
	if err != nil {
		return PayPerUseCharge{}, Internal(err, "amount due")
	}
	c := PayPerUseCharge{
		Quote: q, Amount: amount, Purpose: PurposePayPerUse, Reference: SessionReference(sessionID),
		PaidSoFarMinor: q.Account.PaidMinor,
	}
	if q.Department.ID != 0 {
		first, last, _ := strings.Cut(q.Department.OwnerName, " ")
		c.Payer = Payer{FirstName: first, LastName: last, Email: q.Department.OwnerEmail}
	}
	return c, nil
}

// RefundExcess gives back what was paid above the estimate (after an edit
// lowered it, or after a true-up found the session cheaper), from the
// newest sale first. It returns the amount refunded in minor units.
func (s *PayPerUseService) RefundExcess(ctx context.Context, sessionID int64, description string) (int64, error) {
	q, err := s.Quote(ctx, sessionID)
	if err != nil {
		return 0, err
	}
	target := q.Estimate.TotalMinor
	if q.Account.Actual != nil {
		tu, err := s.TrueUp(ctx, sessionID)
		if err != nil {
			return 0, err
		}
		target = tu.Actual.TotalMinor
	}
	excess := q.Account.PaidMinor - target
	if q.Account.OpenMinor > 0 {
		return 0, Errorf(ECONFLICT, "error.payperuse.payment_open",
			"a payment for this session is still being checked: do not pay again")
	}
	if excess <= 0 {
		return 0, Errorf(ECONFLICT, "error.payperuse.nothing_to_refund", "nothing was paid above the cost of this session")
	}
	var refunded int64
	for i := len(q.Account.Sales) - 1; i >= 0 && refunded < excess; i-- {
		sale := q.Account.Sales[i]
		left := sale.AmountMinor - sale.RefundedMinor
		if left <= 0 {
			continue
		}
		part := min(left, excess-refunded)
		amount, err := money.FromMinor(part, sale.Currency)
		if err != nil {
			return refunded, Internal(err, "refund amount")
		}
		if _, err := s.Payments.Refund(ctx, sale.ID, amount, description); err != nil {
			return refunded, err
		}
		refunded += part
	}
	return refunded, nil
}

// CanStart is the rule every caller that starts a session asks: a
// pay-per-use session starts only once what was paid covers its estimate.
// Other sessions always may.
func (s *PayPerUseService) CanStart(ctx context.Context, sessionID int64) error {
	ses, err := s.Sessions.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	if ses.Type != SessionPayPerUse {
		return nil
	}
	if ses.Status == SessionCancelled {
		return Errorf(ECONFLICT, "error.payperuse.cancelled", "the session is cancelled")
	}
	q, err := s.Quote(ctx, sessionID)
	if err != nil {
		return err
	}
	switch {
	case q.Account.OpenMinor > 0:
		return Errorf(ECONFLICT, "error.payperuse.payment_open",
			"a payment for this session is still being checked: do not pay again")
	case q.Account.PaidMinor == 0 && q.Estimate.TotalMinor > 0:
		return Errorf(ECONFLICT, "error.payperuse.unpaid", "the session can start once its estimated cost is paid")
	case q.DueMinor > 0:
		due, _ := money.FromMinor(q.DueMinor, q.Estimate.Rates.Currency)
		return Errorf(ECONFLICT, "error.payperuse.difference_due",
			"the estimate rose by %s since it was paid: pay the difference to start", due).
			With(map[string]any{"Due": due})
	}
	return nil
}

// Start starts a session: refused for a pay-per-use session that is not
// paid (CanStart), and for any session outside its start window
// (Session.CheckStart, with the site's lead time), whatever the caller.
func (s *PayPerUseService) Start(ctx context.Context, sessionID int64) error {
	if err := s.CanStart(ctx, sessionID); err != nil {
		return err
	}
	ses, err := s.Sessions.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	site, err := s.Site.Site(ctx)
	if err != nil {
		return err
	}
	if err := ses.CheckStart(s.now(), site.StartLeadMinutes); err != nil {
		return err
	}
	if ses.Type != SessionPayPerUse {
		return nil // nothing of pay-per-use to record
	}
	q, err := s.Quote(ctx, sessionID)
	if err != nil {
		return err
	}
	return s.Store.MarkStarted(ctx, sessionID, s.now(), q.Estimate.TotalMinor)
}

// TrueUp is a session's actual cost against what was paid.
type TrueUp struct {
	Session   Session
	Actual    EstimatedCost // priced at the session's frozen rates
	PaidMinor int64
	// DiffMinor is actual minus paid: above zero, charged to the budget
	// owner; below zero, refunded.
	DiffMinor int64
}

// ActualCost prices actual minutes by the estimate's rule.
func ActualCost(personMinutes, teleMinutes int64, r Rates) (EstimatedCost, error) {
	if personMinutes < 0 || teleMinutes < 0 || teleMinutes > personMinutes {
		return EstimatedCost{}, Errorf(EINVALID, "error.payperuse.actual_minutes",
			"actual minutes cannot be negative, and teleconference minutes cannot exceed person-minutes")
	}
	if personMinutes > MaxSessionMinutes*MaxComputers {
		return EstimatedCost{}, Errorf(EINVALID, "error.payperuse.too_large", "the estimated cost is larger than TrainPay can charge")
	}
	if personMinutes == 0 {
		z, err := money.Zero(r.Currency)
		if err != nil {
			return EstimatedCost{}, costError(err)
		}
		return EstimatedCost{Rates: r, PersonCost: z, TeleconferenceCost: z, Total: z}, nil
	}
	// One "computer" for personMinutes minutes prices exactly the minutes.
	e, err := Estimate(Usage{DurationMinutes: 1, Computers: 1, Teleconference: 1}, r)
	if err != nil {
		return EstimatedCost{}, err
	}
	e.PersonMinutes, e.TeleconferenceMinutes = personMinutes, teleMinutes
	if e.PersonCost, err = money.RateFromE4(r.PersonMinuteE4, r.Currency).Cost(personMinutes, EstimateRounding); err != nil {
		return EstimatedCost{}, costError(err)
	}
	if e.TeleconferenceCost, err = money.RateFromE4(r.TeleconferenceMinuteE4, r.Currency).Cost(teleMinutes, EstimateRounding); err != nil {
		return EstimatedCost{}, costError(err)
	}
	e.PersonMinor, _ = money.ToMinor(e.PersonCost)
	e.TeleconferenceMinor, _ = money.ToMinor(e.TeleconferenceCost)
	e.TotalMinor = e.PersonMinor + e.TeleconferenceMinor
	e.Total, _ = money.FromMinor(e.TotalMinor, r.Currency)
	e.Usage = Usage{}
	return e, nil
}

// RecordActual stores a session's actual usage (refused before it was
// paid) and returns the true-up.
func (s *PayPerUseService) RecordActual(ctx context.Context, sessionID int64, personMinutes, teleMinutes int64, source string) (TrueUp, error) {
	ses, acc, err := s.sessionAccount(ctx, sessionID)
	if err != nil {
		return TrueUp{}, err
	}
	if !acc.Frozen || acc.PaidMinor == 0 {
		return TrueUp{}, Errorf(ECONFLICT, "error.payperuse.unpaid", "the session can start once its estimated cost is paid")
	}
	if _, err := ActualCost(personMinutes, teleMinutes, acc.Rates); err != nil {
		return TrueUp{}, err
	}
	at := s.now()
	u := ActualUsage{PersonMinutes: personMinutes, TeleconferenceMinutes: teleMinutes, RecordedAt: at, Source: source}
	audit := []AuditEntry{{
		At: at, Actor: ActorAdministrator, Action: "payperuse.actual", Target: SessionReference(ses.ID),
		New: strconv.FormatInt(personMinutes, 10) + "/" + strconv.FormatInt(teleMinutes, 10),
	}}
	if err := s.Store.RecordActual(ctx, sessionID, u, audit); err != nil {
		return TrueUp{}, err
	}
	return s.TrueUp(ctx, sessionID)
}

// TrueUp returns the session's actual cost against what was paid
// (ENOTFOUND "error.payperuse.no_actual" before the actual usage is in).
func (s *PayPerUseService) TrueUp(ctx context.Context, sessionID int64) (TrueUp, error) {
	ses, acc, err := s.sessionAccount(ctx, sessionID)
	if err != nil {
		return TrueUp{}, err
	}
	if acc.Actual == nil {
		return TrueUp{}, Errorf(ENOTFOUND, "error.payperuse.no_actual", "the actual usage of this session is not in yet")
	}
	actual, err := ActualCost(acc.Actual.PersonMinutes, acc.Actual.TeleconferenceMinutes, acc.Rates)
	if err != nil {
		return TrueUp{}, err
	}
	return TrueUp{Session: ses, Actual: actual, PaidMinor: acc.PaidMinor, DiffMinor: actual.TotalMinor - acc.PaidMinor}, nil
}

// PrepareTrueUp returns the charge for a true-up whose actual cost is
// above what was paid (a new payment by the budget owner, PurposeTrueUp).
func (s *PayPerUseService) PrepareTrueUp(ctx context.Context, sessionID int64) (PayPerUseCharge, error) {
	tu, err := s.TrueUp(ctx, sessionID)
	if err != nil {
		return PayPerUseCharge{}, err
	}
	if tu.DiffMinor <= 0 {
		return PayPerUseCharge{}, Errorf(ECONFLICT, "error.payperuse.nothing_due", "nothing is due for this session")
	}
	amount, err := money.FromMinor(tu.DiffMinor, tu.Actual.Rates.Currency)
	if err != nil {
		return PayPerUseCharge{}, Internal(err, "amount due")
	}
	c := PayPerUseCharge{
		Amount: amount, Purpose: PurposeTrueUp, Reference: SessionReference(sessionID),
		PaidSoFarMinor: tu.PaidMinor,
	}
	if tu.Session.DepartmentID != 0 {
		if dep, err := s.Budgets.Department(ctx, tu.Session.DepartmentID); err == nil {
			first, last, _ := strings.Cut(dep.OwnerName, " ")
			c.Payer = Payer{FirstName: first, LastName: last, Email: dep.OwnerEmail}
		}
	}
	return c, nil
}
