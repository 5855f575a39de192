package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// GatewayResolver finds the gateway that carries a payment: by method for a
// new payment (in the site's current mode: the offline sandbox in Test mode),
// and by processor and mode for a journal row being refunded or reconciled.
type GatewayResolver interface {
	ForMethod(ctx context.Context, m Method) (Gateway, Processor, Mode, error)
	ForPayment(ctx context.Context, p Payment) (Gateway, error)
}

// ReviewAfter is how long a payment may stay unknown, with reconciliation
// unable to settle it, before it is marked "needs review" and shown to the
// administrator. Lookups go on until then: a processor that is briefly down
// must not send a payment to a person.
const ReviewAfter = 24 * time.Hour

// PaymentService moves money exactly once. Every attempt is written to the
// journal before the gateway is called; the gateway call carries the
// attempt's idempotency key; the answer is written back; an answer that was
// lost (timeout, reset, crash) is settled by Reconcile, which asks the
// gateway what became of the key and never charges again.
type PaymentService struct {
	Store    PaymentStore
	Gateways GatewayResolver
	Now      func() time.Time
	Log      *slog.Logger

	mu       sync.Mutex
	inFlight map[int64]bool // journal rows whose gateway call is running in this process
}

// NewPaymentService returns a PaymentService with the real clock.
func NewPaymentService(store PaymentStore, gateways GatewayResolver, log *slog.Logger) *PaymentService {
	if log == nil {
		log = slog.Default()
	}
	return &PaymentService{Store: store, Gateways: gateways, Now: time.Now, Log: log}
}

func (s *PaymentService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *PaymentService) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// NewKey returns a fresh idempotency key: 32 lowercase hex characters, which
// every protocol can carry. A key is made once per attempt by a person;
// retries of the same attempt reuse it.
func NewKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS has no randomness: nothing is safe
	}
	return hex.EncodeToString(b[:])
}

// invoiceID makes a per-attempt invoice number short enough for every
// protocol's invoice field.
func invoiceID() string {
	var b [7]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return "TP" + hex.EncodeToString(b[:])
}

func (s *PaymentService) begin(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inFlight == nil {
		s.inFlight = map[int64]bool{}
	}
	if s.inFlight[id] {
		return false
	}
	s.inFlight[id] = true
	return true
}

func (s *PaymentService) end(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inFlight, id)
}

// ChargeRequest asks for one charge.
type ChargeRequest struct {
	Purpose     Purpose
	Reference   string
	Amount      currency.Amount
	Method      Method
	Card        *Card // for card methods; wiped when Charge returns
	Payer       Payer
	Description string
	// Approval is the screen's part in a payment the buyer approves in a
	// browser (MethodExpressCheckout); nil for cards.
	Approval *BuyerApproval
	// PaidSoFarMinor, for a pay-per-use or true-up charge, is the session's
	// net charged amount the Amount was worked out from
	// (PayPerUseAccount.PaidMinor). The journal refuses the sale, before the
	// gateway is called, if another payment for the session settled since
	// (ECONFLICT "error.payperuse.paid_changed"): two desktops paying one
	// session never both charge what was due. Nil: no such check.
	PaidSoFarMinor *int64
}

// Charge writes the journal row, calls the gateway once and records its
// answer. It returns the journal row and, when the money did not move, an
// *Error whose code says why: EDECLINED (declined or invalid card data, with
// the field), EUNAVAILABLE (merchant settings), EUNKNOWN (answer lost: do not
// pay again; reconciliation settles it), ECONFLICT (a payment for the same
// purpose and reference is in progress or made, in this process or another:
// see LiveSaleError; the processor is not called). The card is wiped in
// every case.
func (s *PaymentService) Charge(ctx context.Context, req ChargeRequest) (Payment, error) {
	defer req.Card.Wipe()
	minor, err := money.ToMinor(req.Amount)
	if err != nil || minor <= 0 {
		return Payment{}, Errorf(EINVALID, "error.payment.amount", "the amount to charge must be above zero, in the currency's digits")
	}
	if err := checkBudgetCharge(req); err != nil {
		return Payment{}, err
	}
	if req.Method == MethodCreditCard || req.Method == MethodDebitCard {
		if req.Card == nil {
			return Payment{}, Errorf(EINVALID, "error.card.number_required", "card details are required").
				WithField("number")
		}
		if req.Method == MethodDebitCard {
			req.Card.Funding = FundingDebit
		} else {
			req.Card.Funding = FundingCredit
		}
	}
	gw, proc, mode, err := s.Gateways.ForMethod(ctx, req.Method)
	if err != nil {
		return Payment{}, err
	}
	if req.Method == MethodCreditCard || req.Method == MethodDebitCard {
		// Validated once the processor is known: its CardRules are the
		// ones every card form was shown.
		if err := CardRulesFor(req.Method, proc).Validate(req.Card, req.Payer, s.now()); err != nil {
			return Payment{}, err
		}
	}
	p := Payment{
		Key:         NewKey(),
		InvoiceID:   invoiceID(),
		Kind:        KindSale,
		Purpose:     req.Purpose,
		Reference:   req.Reference,
		Method:      req.Method,
		Processor:   proc,
		Mode:        mode,
		AmountMinor: minor,
		Currency:    req.Amount.CurrencyCode(),
		Description: req.Description,
		PayerName:   joinName(req.Payer.FirstName, req.Payer.LastName),
		PayerEmail:  req.Payer.Email,
		Brand:       BrandUnknown,
		CreatedAt:   s.now(),

		PaidBeforeMinor: req.PaidSoFarMinor,
	}
	if req.Card != nil {
		p.Brand = DetectBrand(req.Card.Number)
		p.Last4 = req.Card.Last4()
		p.Funding = req.Card.Funding
	}
	// Once the gateway has answered, its answer is recorded even if the
	// caller has given up (a person cancelling a PayPal wait cancels ctx).
	return s.journaled(ctx, context.WithoutCancel(ctx), &p, func() Result {
		return gw.Sale(ctx, SaleRequest{
			Key: p.Key, InvoiceID: p.InvoiceID, Amount: req.Amount, Description: req.Description,
			Card: req.Card, Payer: req.Payer, Approval: req.Approval,
			RecordReference: func(ref string) error { return s.recordReference(context.WithoutCancel(ctx), &p, ref) },
			RecordCaptureStart: func() error {
				return s.Store.MarkCaptureStarted(context.WithoutCancel(ctx), p.ID, s.now())
			},
		})
	})
}

// journaled makes one gateway call for p, journal first: p is committed
// before anything is sent (if the app dies after this commit, Reconcile
// finds the row and asks the gateway about its key), claimed against a
// concurrent attempt on the same row, and its attempt counted; then call
// runs and its answer is recorded with settleCtx.
func (s *PaymentService) journaled(ctx, settleCtx context.Context, p *Payment, call func() Result) (Payment, error) {
	if err := s.Store.CreatePayment(ctx, p); err != nil {
		return Payment{}, err
	}
	if !s.begin(p.ID) {
		return *p, Errorf(ECONFLICT, "error.payment.in_progress", "this payment is already being processed")
	}
	defer s.end(p.ID)
	if err := s.Store.MarkAttempt(ctx, p.ID, s.now()); err != nil {
		return *p, err
	}
	res := call()
	return s.settle(settleCtx, *p, res)
}

// LiveSaleError is the error for a new attempt to pay for a purpose and
// reference that has a live sale: one whose outcome is open, or, for a
// registration, one that is charged. The journal refuses such an attempt
// before it is recorded (a database rule that holds across processes), so
// the processor is never called for it. live is the sale in the way.
func LiveSaleError(live Payment) *Error {
	data := map[string]any{"ID": live.ID}
	if live.State.Charged() {
		return Errorf(ECONFLICT, "error.payment.already_paid",
			"this is already paid (payment %d): nothing was charged again", live.ID).With(data)
	}
	return Errorf(ECONFLICT, "error.payment.in_progress",
		"a payment for this is already in progress (payment %d): nothing was charged again", live.ID).With(data)
}

// The journal's rules that both stores (the SQLite file and PostgreSQL)
// apply under their locks, written once here so that they cannot drift;
// what only the database can hold across processes (the one live sale, the
// amount left to refund) is its own constraint, and these functions only
// say why it refused.

// SettleRefusal is nil when a row in p.State may take the answer to: an
// approved or held row only stays charged (held may become approved), a
// row needing review is settled only as approved, held, declined or
// failed, and any other row takes any answer.
func SettleRefusal(p Payment, to PaymentState) error {
	switch p.State {
	case StateApproved, StateHeld:
		if to == StateApproved || to == p.State {
			return nil
		}
		return Errorf(ECONFLICT, "error.payment.settled",
			"payment %d is %s: it cannot become %s", p.ID, p.State, to).
			With(map[string]any{"ID": p.ID})
	case StateNeedsReview:
		switch to {
		case StateApproved, StateHeld, StateDeclined, StateFailed:
			return nil
		}
		return Errorf(ECONFLICT, "error.payment.needs_review",
			"payment %d needs review: it can only be settled as approved, held, declined or failed, not %s", p.ID, to).
			With(map[string]any{"ID": p.ID})
	}
	return nil // pending, unknown, declined, failed
}

// RefundRefusal is nil when r may refund parent: a charged sale, not
// voided (voided: a void of it is charged or open), in its currency. The
// amount left is the database's rule (RefundExceedsError says why).
func RefundRefusal(parent, r Payment, voided bool) error {
	if parent.Kind != KindSale || !parent.State.Charged() {
		return Errorf(ECONFLICT, "error.payment.not_refundable",
			"payment %d (%s, %s) cannot be refunded", parent.ID, parent.Kind, parent.State).
			With(map[string]any{"ID": parent.ID})
	}
	if voided {
		return Errorf(ECONFLICT, "error.payment.not_refundable",
			"payment %d is voided (or being voided): it cannot be refunded", parent.ID).
			With(map[string]any{"ID": parent.ID})
	}
	if r.Currency != parent.Currency {
		return Errorf(EINVALID, "error.payment.currency_mismatch",
			"a refund of payment %d must be in %s, not %s", parent.ID, parent.Currency, r.Currency).
			With(map[string]any{"Currency": parent.Currency})
	}
	return nil
}

// VoidRefusal is nil when parent may be voided: only a sale can be.
func VoidRefusal(parent Payment) error {
	if parent.Kind != KindSale {
		return Errorf(ECONFLICT, "error.payment.not_voidable",
			"payment %d is a %s: only a sale can be voided", parent.ID, parent.Kind).
			With(map[string]any{"ID": parent.ID})
	}
	return nil
}

// RefundExceedsError is the error for refund r of parent that the database
// refused (cause) for exceeding what is left of the sale.
func RefundExceedsError(parent, r Payment, cause error) *Error {
	left := max(parent.AmountMinor-parent.RefundedMinor, 0)
	return &Error{
		Code: ECONFLICT, Key: "error.payment.refund_exceeds",
		Message: fmt.Sprintf("a refund of %d exceeds the %d left of payment %d", r.AmountMinor, left, parent.ID),
		Data:    map[string]any{"Left": left}, Err: cause,
	}
}

// PaidChangedError is the error for a pay-per-use or true-up sale that the
// database refused (cause) because what the session had paid changed
// since its amount was worked out.
func PaidChangedError(cause error) *Error {
	return &Error{
		Code: ECONFLICT, Key: "error.payperuse.paid_changed",
		Message: "another payment for this session was made meanwhile: nothing was charged; look at what is due now",
		Err:     cause,
	}
}

// followUp is a refund or void of sale, for minor units: the same purpose,
// method, processor, mode and payer as the sale, under a key of its own.
func (s *PaymentService) followUp(sale Payment, kind PaymentKind, minor int64, description string) Payment {
	return Payment{
		Key: NewKey(), InvoiceID: invoiceID(), Kind: kind, Purpose: sale.Purpose, Reference: sale.Reference,
		ParentID: sale.ID, Method: sale.Method, Processor: sale.Processor, Mode: sale.Mode,
		AmountMinor: minor, Currency: sale.Currency, Description: description,
		PayerName: sale.PayerName, PayerEmail: sale.PayerEmail,
		Brand: sale.Brand, Last4: sale.Last4, Funding: sale.Funding, CreatedAt: s.now(),
	}
}

// recordReference writes a reference learnt before any money moved (a
// PayPal order id) to the still-pending row.
func (s *PaymentService) recordReference(ctx context.Context, p *Payment, ref string) error {
	err := s.Store.SettlePayment(ctx, p.ID, PaymentUpdate{
		State: StatePending, GatewayRef: ref,
		Brand: p.Brand, Last4: p.Last4, Funding: p.Funding, At: s.now(),
	})
	if err != nil {
		return err
	}
	p.GatewayRef = ref
	return nil
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// stateFor maps a gateway outcome to the journal's state.
func stateFor(o Outcome) PaymentState {
	switch o {
	case OutcomeApproved:
		return StateApproved
	case OutcomeHeldForReview:
		return StateHeld
	case OutcomeDeclined:
		return StateDeclined
	case OutcomeInvalidCard, OutcomeMerchantConfig, OutcomeNotProcessed, OutcomeNotFound:
		return StateFailed
	}
	return StateUnknown
}

// settle records a gateway answer and returns the row with the error a
// person should see.
func (s *PaymentService) settle(ctx context.Context, p Payment, res Result) (Payment, error) {
	u := PaymentUpdate{
		State: stateFor(res.Outcome), GatewayRef: res.Reference, AuthCode: res.AuthCode,
		Brand: res.Brand, Last4: res.Last4, Funding: res.Funding, ResultCode: res.Code,
		Message: res.Message, Field: res.Field, At: s.now(),
	}
	// An answer that leaves a field empty keeps what the row knew (the
	// store does the same), so a lookup never erases a reference.
	if u.GatewayRef == "" {
		u.GatewayRef = p.GatewayRef
	}
	if u.AuthCode == "" {
		u.AuthCode = p.AuthCode
	}
	if u.Brand == BrandUnknown {
		u.Brand = p.Brand
	}
	if u.Last4 == "" {
		u.Last4 = p.Last4
	}
	if u.Funding == FundingUnknown {
		u.Funding = p.Funding
	}
	if err := s.Store.SettlePayment(ctx, p.ID, u); err != nil {
		// The gateway answered but the journal could not record it. The row
		// stays pending and Reconcile asks again; the money is never lost.
		s.log().Error("payment answer not recorded; reconciliation will settle it",
			"payment", p.ID, "outcome", res.Outcome, "err", err)
		return p, Errorf(EUNKNOWN, "error.payment.unknown",
			"the payment's result could not be recorded; it will be checked automatically. Do not pay again.")
	}
	p.State, p.GatewayRef, p.AuthCode, p.Brand, p.Last4, p.Funding = u.State, u.GatewayRef, u.AuthCode, u.Brand, u.Last4, u.Funding
	p.ResultCode, p.Message, p.Field, p.UpdatedAt = u.ResultCode, u.Message, u.Field, u.At
	s.log().Info("payment settled", "payment", p.ID, "kind", p.Kind, "state", p.State, "code", res.Code)
	return p, outcomeError(res)
}

// outcomeError is the error a person sees for a gateway outcome; nil when
// the money moved.
func outcomeError(res Result) error {
	switch res.Outcome {
	case OutcomeApproved, OutcomeHeldForReview:
		return nil
	case OutcomeDeclined:
		return Errorf(EDECLINED, declineKey(res.Code), "the payment was declined (%s): %s", res.Code, res.Message)
	case OutcomeInvalidCard:
		key := "error.payment.invalid_card"
		switch res.Field {
		case "number":
			key = "error.payment.invalid_number"
		case "expiry":
			key = "error.payment.invalid_expiry"
		case "cvv":
			key = "error.payment.invalid_cvv"
		}
		return Errorf(EDECLINED, key, "the processor refused the card's %s", res.Field).
			WithField(res.Field)
	case OutcomeMerchantConfig:
		return Errorf(EUNAVAILABLE, "error.payment.merchant_config",
			"the site's payment settings were refused by the processor: contact your site administrator")
	case OutcomeNotProcessed, OutcomeNotFound:
		return Errorf(EDECLINED, "error.payment.not_processed", "the payment was not processed; nothing was charged")
	}
	return Errorf(EUNKNOWN, "error.payment.unknown",
		"the payment's result is not known yet; it will be checked automatically. Do not pay again.")
}

// declineKey names the reason of a decline a person can act on, from the
// processor's code ("RESULT=50" for Payflow, "L_ERRORCODE0=10417" for NVP);
// a code with no specific advice gets the general sentence.
func declineKey(code string) string {
	switch code {
	case "RESULT=50":
		return "error.payment.declined_funds"
	case "RESULT=51", "L_ERRORCODE0=10553":
		return "error.payment.declined_limit"
	case "RESULT=13", "L_ERRORCODE0=10752":
		return "error.payment.declined_referral"
	case "RESULT=114", "L_ERRORCODE0=15004":
		return "error.payment.declined_cvv"
	case "RESULT=112", "L_ERRORCODE0=10555", "L_ERRORCODE0=10505":
		return "error.payment.declined_address"
	case "RESULT=125", "RESULT=128", "L_ERRORCODE0=10764":
		return "error.payment.declined_fraud"
	}
	return "error.payment.declined"
}

// Refund returns amount of a charged sale through the gateway that took it.
// The journal refuses a refund above what is left (counting refunds that
// may have happened).
func (s *PaymentService) Refund(ctx context.Context, saleID int64, amount currency.Amount, description string) (Payment, error) {
	sale, err := s.Store.Payment(ctx, saleID)
	if err != nil {
		return Payment{}, err
	}
	if sale.Kind != KindSale || !sale.State.Charged() {
		return Payment{}, Errorf(ECONFLICT, "error.payment.not_refundable", "only a charged sale can be refunded")
	}
	minor, err := money.ToMinor(amount)
	if err != nil || minor <= 0 || amount.CurrencyCode() != sale.Currency {
		return Payment{}, Errorf(EINVALID, "error.payment.amount", "the refund must be above zero, in the sale's currency")
	}
	gw, err := s.Gateways.ForPayment(ctx, sale)
	if err != nil {
		return Payment{}, err
	}
	p := s.followUp(sale, KindRefund, minor, description)
	return s.journaled(ctx, ctx, &p, func() Result {
		return gw.Refund(ctx, RefundRequest{
			Key: p.Key, OriginalRef: sale.GatewayRef, Amount: amount,
			Full: minor == sale.AmountMinor && sale.RefundedMinor == 0, Description: description,
		})
	})
}

// ReconcileReport says what a reconciliation run settled.
type ReconcileReport struct {
	Checked     int
	Charged     int // found to have moved money
	NotCharged  int // found not to have moved money
	StillOpen   int // the gateway could not tell yet
	NeedsReview int // sent to the administrator
}

// Reconcile settles every journal row left pending or unknown, by asking
// its gateway what became of it (an inquiry, a search by invoice number, a
// read of the order, or an identical resend under the key). It never
// charges again. A row the gateway cannot settle stays unknown, and after
// ReviewAfter becomes "needs review". It runs on start-up and when the
// administrator asks.
func (s *PaymentService) Reconcile(ctx context.Context) (ReconcileReport, error) {
	var rep ReconcileReport
	rows, err := s.Store.UnsettledPayments(ctx)
	if err != nil {
		return rep, err
	}
	for _, p := range rows {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if !s.begin(p.ID) {
			continue // its own call is still running in this process
		}
		rep.Checked++
		state, err := s.reconcileOne(ctx, p)
		s.end(p.ID)
		if err != nil {
			return rep, err
		}
		switch {
		case state.Charged():
			rep.Charged++
		case state == StateNeedsReview:
			rep.NeedsReview++
		case state.Unsettled():
			rep.StillOpen++
		default:
			rep.NotCharged++
		}
	}
	return rep, nil
}

func (s *PaymentService) reconcileOne(ctx context.Context, p Payment) (PaymentState, error) {
	now := s.now()
	gw, err := s.Gateways.ForPayment(ctx, p)
	if err != nil {
		// No gateway can be built (credentials removed, method switched
		// off): nothing can settle it but a person.
		return s.review(ctx, p, "", ErrorText(err))
	}
	look := LookupRequest{
		Key: p.Key, InvoiceID: p.InvoiceID, Description: p.Description, AttemptedAt: p.CreatedAt,
		CaptureStartedAt: p.CaptureStartedAt,
	}
	look.Amount, err = money.FromMinor(p.AmountMinor, p.Currency)
	if err != nil {
		return "", Internal(err, "journal row has a bad amount")
	}
	switch p.Kind {
	case KindSale:
		look.Kind = LookupSale
		look.OriginalRef = p.GatewayRef // a PayPal order id recorded before capture
	case KindRefund, KindVoid:
		look.Kind = LookupRefund
		if p.Kind == KindVoid {
			look.Kind = LookupVoid
		}
		parent, err := s.Store.Payment(ctx, p.ParentID)
		if err != nil {
			return "", err
		}
		look.OriginalRef = parent.GatewayRef
		look.Full = p.AmountMinor == parent.AmountMinor
	}
	if err := s.Store.MarkAttempt(ctx, p.ID, now); err != nil {
		return "", err
	}
	res := gw.Lookup(ctx, look)
	if res.Outcome == OutcomeUnknown {
		if now.Sub(p.CreatedAt) >= ReviewAfter {
			return s.review(ctx, p, res.Code, res.Message)
		}
		if p.State != StateUnknown {
			if err := s.Store.SettlePayment(ctx, p.ID, PaymentUpdate{
				State: StateUnknown, ResultCode: res.Code,
				Message: res.Message, Brand: p.Brand, Last4: p.Last4, Funding: p.Funding, At: now,
			}); err != nil {
				return "", err
			}
		}
		return StateUnknown, nil
	}
	settled, _ := s.settle(ctx, p, res)
	s.log().Info("payment reconciled", "payment", p.ID, "state", settled.State, "duplicate", res.Duplicate)
	return settled.State, nil
}

// review hands a row to the administrator, saying what to check.
func (s *PaymentService) review(ctx context.Context, p Payment, code, msg string) (PaymentState, error) {
	err := s.Store.SettlePayment(ctx, p.ID, PaymentUpdate{
		State: StateNeedsReview, ResultCode: code,
		Message: msg, Brand: p.Brand, Last4: p.Last4, Funding: p.Funding, At: s.now(),
	})
	if err != nil {
		return "", err
	}
	s.log().Warn("payment needs review", "payment", p.ID, "invoice", p.InvoiceID, "code", code)
	return StateNeedsReview, nil
}

// Payments lists journal rows for the administrator.
func (s *PaymentService) Payments(ctx context.Context, f PaymentFilter) ([]Payment, int, error) {
	return s.Store.Payments(ctx, f)
}

// ErrorText is the English text of an error for logs and for a row's
// message; the UI translates by key instead.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	return AsError(err).Message
}
