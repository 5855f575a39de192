package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// The budget owner's "To pay" queue. A coordinator schedules a pay-per-use
// session for a department; its estimate goes to the department's budget
// owners as a payment request, which one of them pays (by card or PayPal,
// as the Estimated Session Cost page does) or declines with a reason. The
// coordinator sees the request's state on the session; Start stays refused
// until the session is paid (PayPerUseService.CanStart).
//
// QueueService.Request keeps a session's request in line with what is due,
// and every screen that saves or shows a session's estimate calls it:
//
//   - due above zero and no open request: a request for the amount due
//     opens (after a payment, for the rise only); an open request follows
//     the amount due when the session changes;
//   - a declined request stays declined until the amount due changes (the
//     coordinator changed the session): then a new request opens;
//   - nothing due any more: the open request closes, as paid when a
//     payment covers the estimate, as withdrawn otherwise (the estimate fell
//     to zero, the session was cancelled). When the estimate falls below
//     what was paid the excess is not refunded here: the coordinator's
//     estimate shows it and refunds it (PayPerUseService.RefundExcess).
//
// Every request is paid through the journal, by card, PayPal or a charge
// to the department's budget (MethodBudget, app/budgetcharge.go, with no
// card and no processor), and the journal's settlement charges the
// department's ledger once.

// RequestState is where a payment request stands.
type RequestState string

const (
	RequestOpen      RequestState = "open"      // waiting in the budget owners' queue
	RequestPaid      RequestState = "paid"      // paid: PaymentID is the journal's sale
	RequestDeclined  RequestState = "declined"  // a budget owner declined it, with a reason
	RequestWithdrawn RequestState = "withdrawn" // no longer needed (nothing due, session cancelled)
)

// MaxDeclineReason is the longest reason a budget owner may give.
const MaxDeclineReason = 500

// PaymentRequest asks a department's budget owners to pay a session.
type PaymentRequest struct {
	ID           int64
	SessionID    int64
	DepartmentID int64
	AmountMinor  int64
	Currency     string
	State        RequestState
	Reason       string // why it was declined
	PaymentID    int64  // the sale that paid it
	DecidedBy    string // the login of who paid or declined it
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DecidedAt    time.Time
}

// RequestAnswer closes an open request.
type RequestAnswer struct {
	State     RequestState // paid, declined or withdrawn
	Reason    string
	PaymentID int64
	DecidedBy string
	At        time.Time
}

// PaymentRequestStore keeps payment requests. A session has at most one
// open request, whichever desktop writes: the database enforces it.
type PaymentRequestStore interface {
	// OpenPaymentRequest opens a request for r.SessionID or, when one is
	// open, sets its department, amount and currency; r gets the row as
	// stored.
	OpenPaymentRequest(ctx context.Context, r *PaymentRequest) error
	// AnswerPaymentRequest closes the open request id. ENOTFOUND
	// "error.queue.not_found" for no such request; ECONFLICT
	// "error.queue.not_open" when it is no longer open (someone answered
	// it first, or it was withdrawn).
	AnswerPaymentRequest(ctx context.Context, id int64, a RequestAnswer) error
	// PaymentRequest returns one request (ENOTFOUND "error.queue.not_found").
	PaymentRequest(ctx context.Context, id int64) (PaymentRequest, error)
	// LatestPaymentRequest returns the session's newest request; ok is
	// false when it has none.
	LatestPaymentRequest(ctx context.Context, sessionID int64) (PaymentRequest, bool, error)
	// OpenPaymentRequests returns the open requests of the departments,
	// oldest first.
	OpenPaymentRequests(ctx context.Context, departmentIDs []int64) ([]PaymentRequest, error)
}

// Me says who is signed in (PeopleStore.Me).
type Me interface {
	Me(ctx context.Context) (Person, error)
}

// QueueService holds the rules of the "To pay" queue.
type QueueService struct {
	People    Me
	PayPerUse *PayPerUseService
	Store     PaymentRequestStore
	Payments  Charger // the payment service (only Charge is used)
	Now       func() time.Time
}

func (s *QueueService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// SessionPayment is what the coordinator sees of a session's payment.
type SessionPayment struct {
	Quote      SessionQuote
	Request    PaymentRequest // the newest request, when HasRequest
	HasRequest bool
}

// Awaiting reports whether the session waits for its department's budget
// owner.
func (p SessionPayment) Awaiting() bool { return p.HasRequest && p.Request.State == RequestOpen }

// Declined reports whether the budget owner declined what is due now.
func (p SessionPayment) Declined() bool {
	return p.HasRequest && p.Request.State == RequestDeclined && p.Quote.DueMinor > 0
}

// ToPayItem is one row of a budget owner's queue: the request and the
// session's quote (its estimate, the department's budget before and after).
type ToPayItem struct {
	Request PaymentRequest
	Quote   SessionQuote
}

// Request brings the session's payment request in line with what is due
// (see the rules above) and returns the session's payment state. Sessions
// that are not pay-per-use, or name no department, have no requests.
func (s *QueueService) Request(ctx context.Context, sessionID int64) (SessionPayment, error) {
	q, err := s.PayPerUse.Quote(ctx, sessionID)
	if err != nil {
		return SessionPayment{}, err
	}
	p := SessionPayment{Quote: q}
	latest, ok, err := s.Store.LatestPaymentRequest(ctx, sessionID)
	if err != nil {
		return SessionPayment{}, err
	}
	p.Request, p.HasRequest = latest, ok
	open := ok && latest.State == RequestOpen
	due := q.DueMinor > 0 && q.Account.OpenMinor == 0 && q.Session.Status != SessionCancelled
	switch {
	case q.Session.DepartmentID == 0 && !open:
		return p, nil
	case due && q.Session.DepartmentID != 0:
		if ok && latest.State == RequestDeclined && latest.AmountMinor == q.DueMinor {
			return p, nil // declined, and the session has not changed since
		}
		if open && latest.AmountMinor == q.DueMinor && latest.DepartmentID == q.Session.DepartmentID {
			return p, nil
		}
		r := PaymentRequest{
			SessionID: sessionID, DepartmentID: q.Session.DepartmentID, AmountMinor: q.DueMinor,
			Currency: q.Estimate.Rates.Currency, State: RequestOpen, CreatedAt: s.now(), UpdatedAt: s.now(),
		}
		if err := s.Store.OpenPaymentRequest(ctx, &r); err != nil {
			return SessionPayment{}, err
		}
		p.Request, p.HasRequest = r, true
		return p, nil
	case open && q.Account.OpenMinor == 0:
		a := RequestAnswer{State: RequestWithdrawn, At: s.now()}
		if q.Paid() && len(q.Account.Sales) > 0 {
			sale := q.Account.Sales[len(q.Account.Sales)-1]
			a = RequestAnswer{State: RequestPaid, PaymentID: sale.ID, DecidedBy: sale.PayerName, At: s.now()}
		}
		if err := s.Store.AnswerPaymentRequest(ctx, latest.ID, a); err != nil && AsError(err).Key != "error.queue.not_open" {
			return SessionPayment{}, err
		}
		return s.State(ctx, sessionID)
	}
	return p, nil
}

// State reads the session's payment state without changing anything.
func (s *QueueService) State(ctx context.Context, sessionID int64) (SessionPayment, error) {
	q, err := s.PayPerUse.Quote(ctx, sessionID)
	if err != nil {
		return SessionPayment{}, err
	}
	latest, ok, err := s.Store.LatestPaymentRequest(ctx, sessionID)
	if err != nil {
		return SessionPayment{}, err
	}
	return SessionPayment{Quote: q, Request: latest, HasRequest: ok}, nil
}

// ToPay is the signed-in budget owner's queue: the open requests of the
// departments they own, oldest first. Anyone else's queue is empty.
func (s *QueueService) ToPay(ctx context.Context) ([]ToPayItem, error) {
	me, err := s.People.Me(ctx)
	if err != nil {
		return nil, err
	}
	if !me.Has(RoleBudgetOwner) || len(me.Departments) == 0 {
		return nil, nil
	}
	reqs, err := s.Store.OpenPaymentRequests(ctx, me.Departments)
	if err != nil {
		return nil, err
	}
	items := make([]ToPayItem, 0, len(reqs))
	for _, r := range reqs {
		q, err := s.PayPerUse.Quote(ctx, r.SessionID)
		if err != nil {
			return nil, err
		}
		items = append(items, ToPayItem{Request: r, Quote: q})
	}
	return items, nil
}

// owned returns the open request id when the signed-in person owns its
// department's budget.
func (s *QueueService) owned(ctx context.Context, id int64) (PaymentRequest, Person, error) {
	me, err := s.People.Me(ctx)
	if err != nil {
		return PaymentRequest{}, Person{}, err
	}
	r, err := s.Store.PaymentRequest(ctx, id)
	if err != nil {
		return PaymentRequest{}, Person{}, err
	}
	if !me.Owns(r.DepartmentID) {
		return PaymentRequest{}, Person{}, Errorf(EUNAUTHORIZED, "error.queue.not_owner",
			"only a budget owner of the session's department can pay or decline it")
	}
	if r.State != RequestOpen {
		return PaymentRequest{}, Person{}, notOpen(r.ID)
	}
	return r, me, nil
}

func notOpen(id int64) *Error {
	return Errorf(ECONFLICT, "error.queue.not_open", "this request was answered already or is no longer needed").
		With(map[string]any{"ID": id})
}

// PrepareCharge returns what paying request id charges: the session's
// PayPerUseCharge, with the budget owner as the payer. It refuses a
// request the signed-in person does not own, one no longer open, and one
// whose amount is no longer what is due (ECONFLICT "error.queue.amount_changed":
// the coordinator changed the session; the request follows it and the
// queue shows the new amount).
func (s *QueueService) PrepareCharge(ctx context.Context, id int64) (PayPerUseCharge, error) {
	r, me, err := s.owned(ctx, id)
	if err != nil {
		return PayPerUseCharge{}, err
	}
	c, err := s.PayPerUse.PrepareCharge(ctx, r.SessionID)
	if err != nil {
		return PayPerUseCharge{}, err
	}
	if minor, _ := money.ToMinor(c.Amount); minor != r.AmountMinor {
		if _, err := s.Request(ctx, r.SessionID); err != nil {
			return PayPerUseCharge{}, err
		}
		return PayPerUseCharge{}, Errorf(ECONFLICT, "error.queue.amount_changed",
			"the session changed since it was asked for: the queue shows the amount due now")
	}
	if me.Name != "" || me.Email != "" {
		first, last, _ := strings.Cut(me.Name, " ")
		c.Payer = Payer{FirstName: first, LastName: last, Email: me.Email}
	}
	return c, nil
}

// Paid closes request id once a payment covers it (after the card or
// PayPal dialog charged PrepareCharge's amount) and returns the session's
// state.
func (s *QueueService) Paid(ctx context.Context, id int64) (SessionPayment, error) {
	r, err := s.Store.PaymentRequest(ctx, id)
	if err != nil {
		return SessionPayment{}, err
	}
	return s.Request(ctx, r.SessionID)
}

// Pay charges request id by card, or to the budget with MethodBudget and no
// card (PrepareCharge, then the payment service), and closes it. The card
// is wiped in every case.
func (s *QueueService) Pay(ctx context.Context, id int64, method Method, card *Card, description string) (Payment, error) {
	c, err := s.PrepareCharge(ctx, id)
	if err != nil {
		card.Wipe()
		return Payment{}, err
	}
	paidSoFar := c.PaidSoFarMinor
	p, err := s.Payments.Charge(ctx, ChargeRequest{
		Purpose: c.Purpose, Reference: c.Reference, Amount: c.Amount,
		Method: method, Card: card, Payer: c.Payer, Description: description, PaidSoFarMinor: &paidSoFar,
	})
	if err != nil {
		return p, err
	}
	if _, err := s.Paid(ctx, id); err != nil {
		return p, err
	}
	return p, nil
}

// Decline closes request id with the budget owner's reason (one line, at
// most MaxDeclineReason characters).
func (s *QueueService) Decline(ctx context.Context, id int64, reason string) error {
	reason = TrimLine(reason)
	if err := CheckLine(FieldNote, reason); err != nil {
		return err
	}
	switch {
	case reason == "":
		return Errorf(EINVALID, "error.queue.reason_required", "say why the payment is declined")
	case utf8.RuneCountInString(reason) > MaxDeclineReason:
		return Errorf(EINVALID, "error.queue.reason_too_long", "the reason is longer than %d characters", MaxDeclineReason).
			With(map[string]any{"Max": MaxDeclineReason})
	}
	r, me, err := s.owned(ctx, id)
	if err != nil {
		return err
	}
	return s.Store.AnswerPaymentRequest(ctx, r.ID, RequestAnswer{
		State: RequestDeclined, Reason: reason,
		DecidedBy: me.Login, At: s.now(),
	})
}

// Amount is the request's amount as money.
func (r PaymentRequest) Amount() currency.Amount {
	a, _ := money.FromMinor(r.AmountMinor, r.Currency)
	return a
}
