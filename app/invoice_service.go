package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"
)

// RemoteInvoice is what PayPal says of an invoice.
type RemoteInvoice struct {
	ID        string
	Number    string
	State     InvoiceState // the client's state for PayPal's status
	Raw       string       // PayPal's status word
	External  bool         // paid or refunded outside PayPal (marked by hand)
	Currency  string
	Total     int64
	Paid      int64
	Refunded  int64
	PayerLink string
	Capture   string // the first payment through PayPal; "" when none
}

// InvoiceContent is what an invoice for one registration says.
type InvoiceContent struct {
	RequestID     string // the create's PayPal-Request-Id: the same on every retry and after a restart
	Number        string
	Item          string
	ItemDate      time.Time
	AmountMinor   int64
	Currency      string
	PayerEmail    string
	PayerGiven    string
	PayerSurname  string
	PayerLanguage string
	Due           time.Time
}

// InvoiceGateway is PayPal Invoicing v2 as the service uses it (package
// app/gateway/ppinvoice adapts its client; the offline sandbox answers it
// in Test mode). Errors are *Error: EUNKNOWN when the answer was lost and
// PayPal may have acted, ENOTFOUND for no such invoice, EUNAVAILABLE when
// PayPal cannot be reached or refuses the credentials, ECONFLICT or
// EDECLINED when it refused the call.
type InvoiceGateway interface {
	CreateInvoice(ctx context.Context, d InvoiceContent) (RemoteInvoice, error)
	SendInvoice(ctx context.Context, paypalID string) (payerLink string, err error)
	GetInvoice(ctx context.Context, paypalID string) (RemoteInvoice, error)
	// FindInvoice searches by number; found is false when PayPal has none.
	FindInvoice(ctx context.Context, number string) (inv RemoteInvoice, found bool, err error)
	RemindInvoice(ctx context.Context, paypalID, key, note string) error
	CancelInvoice(ctx context.Context, paypalID, note string) error
	// RefundInvoice refunds minor units of a paid invoice through its
	// capture, under key (its PayPal-Request-Id); it returns the refund's id.
	RefundInvoice(ctx context.Context, inv RemoteInvoice, key string, minor int64) (string, error)
}

// InvoiceGateways gives the site's invoice gateway in its current mode
// (the sandbox in Test mode), or EUNAVAILABLE when the method is not
// enabled or no REST credentials are stored.
type InvoiceGateways interface {
	InvoiceGateway(ctx context.Context) (InvoiceGateway, Mode, error)
}

// InvoiceServiceStore is what the invoice service reads and writes.
type InvoiceServiceStore interface {
	InvoiceStore
	RegistrationStore
	PaymentStore
	Session(ctx context.Context, id int64) (Session, error)
}

// Invoice polling: the lease a poll holds while it reads PayPal, and the
// back-off between reads of one invoice (its age since it last changed,
// divided by invoicePollDivisor, within these bounds).
const (
	InvoiceLease        = 3 * time.Minute
	InvoicePollMin      = 5 * time.Second
	InvoicePollMax      = 10 * time.Minute
	invoicePollDivisor  = 4
	invoicePollBatch    = 50
	invoiceDownPollBase = 30 * time.Second
)

// InvoiceService sends payment requests as PayPal invoices and follows
// them until they are paid, cancelled or past due. Every step is written
// to the database before PayPal is called, and every answer PayPal gives
// is written back, so a TrainPay that stops at any point finds the invoice
// again by its number and settles it once.
type InvoiceService struct {
	Store    InvoiceServiceStore
	Gateways InvoiceGateways
	// Settings say whether the administrator offers PayPal invoices
	// (PaymentSettings.PayPalInvoices): new invoices are sent only then;
	// those already sent are followed, reminded, cancelled and refunded
	// whatever the setting says now.
	Settings PaymentSettingsStore
	// Paid is told of a registration paid by invoice (the receipt email);
	// its error is logged, the payment stands.
	Paid  func(ctx context.Context, r Registration) error
	Owner string // this process's lease name; a random one when empty
	Now   func() time.Time
	Log   *slog.Logger

	mu      sync.Mutex
	owner   string
	down    error // the last poll's PayPal error; nil when PayPal answered
	downAt  time.Time
	changed func()
}

func (s *InvoiceService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *InvoiceService) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (s *InvoiceService) leaseOwner() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owner == "" {
		s.owner = s.Owner
		if s.owner == "" {
			var b [8]byte
			_, _ = rand.Read(b[:])
			s.owner = "trainpay-" + hex.EncodeToString(b[:])
		}
	}
	return s.owner
}

// InvoiceRequestID is the create's PayPal-Request-Id of an invoice number:
// the same for every retry, in any process, so PayPal makes one invoice.
func InvoiceRequestID(number string) string { return "trainpay-invoice-" + number }

// invoiceSaleKey is the journal key of an invoice's sale: derived from
// PayPal's id, so the journal's unique key refuses a second record of it.
func invoiceSaleKey(paypalID string) string {
	h := sha256.Sum256([]byte("paypal-invoice:" + paypalID))
	return hex.EncodeToString(h[:16])
}

// SendRequest asks for a registration's payment request.
type SendRequest struct {
	RegistrationID int64
	// Due is when the seat's hold ends: the attendee pays before it.
	// It may not be past the session's registration close.
	Due time.Time
}

// Send writes the registration's invoice row, has PayPal create the
// invoice (one, whatever the retries) and email it, and holds the seat
// until req.Due. It returns the invoice with the payer's link. When
// PayPal's answer was lost it returns EUNKNOWN with the row kept: the
// poller finds the invoice by its number, or creates it under the same
// request id.
func (s *InvoiceService) Send(ctx context.Context, req SendRequest) (Invoice, error) {
	if err := s.enabled(ctx); err != nil {
		return Invoice{}, err
	}
	now := s.now()
	r, err := s.Store.Registration(ctx, req.RegistrationID)
	if err != nil {
		return Invoice{}, err
	}
	if r.Status != RegPendingPayment || r.TotalMinor <= 0 {
		return Invoice{}, Errorf(ECONFLICT, "error.invoice.not_pending",
			"the registration %s is not waiting for payment", r.Confirmation)
	}
	sess, err := s.Store.Session(ctx, r.SessionID)
	if err != nil {
		return Invoice{}, err
	}
	if !req.Due.After(now) || req.Due.After(sess.RegistrationDeadline()) {
		return Invoice{}, Errorf(EINVALID, "error.invoice.due",
			"the payment must be due after now and no later than registration closes (%s)",
			sess.RegistrationDeadline().Format(time.RFC3339)).
			With(map[string]any{"Closes": sess.RegistrationDeadline()})
	}
	gw, _, err := s.Gateways.InvoiceGateway(ctx)
	if err != nil {
		return Invoice{}, err
	}
	if err := s.Store.RenewHold(ctx, r.ID, now, req.Due); err != nil {
		return Invoice{}, err
	}
	inv, err := s.Store.InvoiceFor(ctx, r.ID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		inv = Invoice{
			RegistrationID: r.ID, Number: r.Confirmation,
			DueDate: req.Due.In(sess.Location()).Format(time.DateOnly), CreatedAt: now,
		}
		// Journal first: the row is committed before PayPal hears of it.
		if err := s.Store.CreateInvoice(ctx, &inv); err != nil {
			return Invoice{}, err
		}
	case err != nil:
		return Invoice{}, err
	case !inv.State.Open():
		return inv, Errorf(ECONFLICT, "error.invoice.exists",
			"the registration already has an invoice (%s)", inv.State).With(map[string]any{"State": string(inv.State)})
	}
	return s.advance(ctx, gw, inv, r, sess)
}

// advance takes an invoice forward from where its row stands: found or
// created at PayPal, then sent.
func (s *InvoiceService) advance(ctx context.Context, gw InvoiceGateway, inv Invoice, r Registration, sess Session) (Invoice, error) {
	if inv.PayPalID == "" {
		remote, found, err := gw.FindInvoice(ctx, inv.Number)
		if err != nil {
			return inv, err
		}
		if !found {
			due, perr := time.ParseInLocation(time.DateOnly, inv.DueDate, sess.Location())
			if perr != nil {
				return inv, Internal(perr, "an invoice's due date is unreadable")
			}
			remote, err = gw.CreateInvoice(ctx, InvoiceContent{
				RequestID: InvoiceRequestID(inv.Number), Number: inv.Number, Item: sess.Topic,
				ItemDate: sess.StartsAt, AmountMinor: r.TotalMinor, Currency: r.Currency,
				PayerEmail: r.Email, PayerGiven: r.FirstName, PayerSurname: r.LastName,
				PayerLanguage: r.Language, Due: due,
			})
			if ErrorCode(err) == EUNKNOWN {
				// The answer was lost after the client's own resends under
				// the same request id: the number tells whether it exists.
				var ferr error
				remote, found, ferr = gw.FindInvoice(ctx, inv.Number)
				if ferr == nil && found {
					err = nil
				}
			}
			if err != nil {
				return inv, err
			}
		}
		if remote.Total != r.TotalMinor || remote.Currency != r.Currency {
			u := InvoiceUpdate{
				PayPalID: remote.ID, State: InvoiceNeedsReview, At: s.now(),
				RawStatus: remote.Raw + ": the amount at PayPal is not the registration's",
			}
			if err := s.Store.UpdateInvoice(ctx, inv.ID, u); err != nil {
				return inv, err
			}
			return s.Store.InvoiceFor(ctx, r.ID)
		}
		if err := s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{
			PayPalID: remote.ID, State: remote.State,
			RawStatus: remote.Raw, PayerLink: remote.PayerLink, At: s.now(),
		}); err != nil {
			return inv, err
		}
		inv.PayPalID, inv.State, inv.RawStatus = remote.ID, remote.State, remote.Raw
	}
	if inv.State == InvoiceDraft {
		link, err := gw.SendInvoice(ctx, inv.PayPalID)
		if err != nil {
			return inv, err
		}
		if err := s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{
			State: InvoiceAwaitingPayment, RawStatus: "SENT",
			PayerLink: link, At: s.now(),
		}); err != nil {
			return inv, err
		}
	}
	return s.Store.InvoiceFor(ctx, r.ID)
}

// Offered reports whether the site can send PayPal invoices now (its
// Invoicing client can be made in its mode).
func (s *InvoiceService) Offered(ctx context.Context) bool {
	if s.enabled(ctx) != nil {
		return false
	}
	_, _, err := s.Gateways.InvoiceGateway(ctx)
	return err == nil
}

// enabled refuses a new invoice unless the administrator offers the method:
// ECONFLICT "error.invoice.not_enabled", which says whom to ask.
func (s *InvoiceService) enabled(ctx context.Context) error {
	if s.Settings != nil {
		settings, err := s.Settings.PaymentSettings(ctx)
		if err != nil {
			return err
		}
		if settings.PayPalInvoices {
			return nil
		}
	}
	return Errorf(ECONFLICT, "error.invoice.not_enabled",
		"the site administrator has not turned on payment by PayPal invoice (Site administration → Payment methods)")
}

// States returns the invoice states of registrations (the list's page).
func (s *InvoiceService) States(ctx context.Context, registrationIDs []int64) (map[int64]InvoiceState, error) {
	return s.Store.InvoiceStates(ctx, registrationIDs)
}

// Invoice returns a registration's invoice (ENOTFOUND when it has none).
func (s *InvoiceService) Invoice(ctx context.Context, registrationID int64) (Invoice, error) {
	return s.Store.InvoiceFor(ctx, registrationID)
}

// Remind has PayPal email the attendee a reminder of an unpaid invoice.
func (s *InvoiceService) Remind(ctx context.Context, registrationID int64, note string) error {
	inv, err := s.Store.InvoiceFor(ctx, registrationID)
	if err != nil {
		return err
	}
	if inv.State != InvoiceAwaitingPayment {
		return Errorf(ECONFLICT, "error.invoice.not_awaiting", "the invoice is not waiting for payment (%s)", inv.State).
			With(map[string]any{"State": string(inv.State)})
	}
	gw, _, err := s.Gateways.InvoiceGateway(ctx)
	if err != nil {
		return err
	}
	return gw.RemindInvoice(ctx, inv.PayPalID, inv.PayPalID+"-remind-"+NewKey()[:12], note)
}

// BulkProgress is told after each registration of a bulk send.
type BulkProgress func(done, total int, r Registration, err error)

// SendAll sends a payment request to every registration of a session that
// is waiting for payment and has no invoice, until ctx is cancelled. It
// returns how many were sent.
func (s *InvoiceService) SendAll(ctx context.Context, sessionID int64, due time.Time, progress BulkProgress) (int, error) {
	if err := s.enabled(ctx); err != nil {
		return 0, err
	}
	regs, _, err := s.Store.Registrations(ctx, RegistrationFilter{SessionID: sessionID, NoTotal: true})
	if err != nil {
		return 0, err
	}
	var todo []Registration
	for _, r := range regs {
		if r.Status != RegPendingPayment || r.TotalMinor <= 0 {
			continue
		}
		if _, err := s.Store.InvoiceFor(ctx, r.ID); ErrorCode(err) != ENOTFOUND {
			continue
		}
		todo = append(todo, r)
	}
	sent := 0
	for i, r := range todo {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		_, err := s.Send(ctx, SendRequest{RegistrationID: r.ID, Due: due})
		if err == nil {
			sent++
		}
		if progress != nil {
			progress(i+1, len(todo), r, err)
		}
	}
	return sent, nil
}

// PollReport says what one poll did.
type PollReport struct {
	Read, Paid, Released, Review, Refunded int
	Errors                                 int
}

// PayPalDown returns the error of the last poll that could not read PayPal,
// and since when; nil when the last poll read it (the banner).
func (s *InvoiceService) PayPalDown() (since time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downAt, s.down
}

func (s *InvoiceService) setDown(err error) {
	s.mu.Lock()
	switch {
	case err == nil:
		s.down, s.downAt = nil, time.Time{}
	case s.down == nil:
		s.down, s.downAt = err, s.now()
	default:
		s.down = err
	}
	s.mu.Unlock()
}

// Poll reads, at PayPal, every open invoice whose lease is free or ran
// out, under this process's lease (on the organisation database exactly
// one desktop reads each), and settles what it finds. Reconcile after a
// restart is the same call: a row without PayPal's id is found by its
// number. PayPal down: every status is kept, PayPalDown says so, and the
// next poll recovers.
func (s *InvoiceService) Poll(ctx context.Context) (PollReport, error) {
	var rep PollReport
	owner := s.leaseOwner()
	now := s.now()
	rows, err := s.Store.LeaseInvoices(ctx, owner, now, now.Add(InvoiceLease), invoicePollBatch)
	if err != nil || len(rows) == 0 {
		return rep, err
	}
	gw, mode, err := s.Gateways.InvoiceGateway(ctx)
	if err != nil {
		s.setDown(err)
		for _, inv := range rows {
			_ = s.Store.RenewInvoiceLease(ctx, inv.ID, owner, now.Add(invoiceDownPollBase))
		}
		return rep, err
	}
	var lastErr error
	for _, inv := range rows {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		rep.Read++
		next, err := s.pollOne(ctx, gw, mode, inv, &rep)
		if err != nil {
			rep.Errors++
			lastErr = err
			s.log().Warn("invoice poll failed; status kept", "invoice", inv.Number, "err", err)
			next = invoiceDownPollBase
		}
		if next > 0 {
			if err := s.Store.RenewInvoiceLease(context.WithoutCancel(ctx), inv.ID, owner, s.now().Add(next)); err != nil &&
				ErrorCode(err) != ECONFLICT {
				return rep, err
			}
		}
	}
	if lastErr != nil && ErrorCode(lastErr) != EINTERNAL {
		s.setDown(lastErr)
	} else if lastErr == nil {
		s.setDown(nil)
	}
	if s.changed != nil && (rep.Paid+rep.Released+rep.Review+rep.Refunded) > 0 {
		s.changed()
	}
	return rep, nil
}

// backoff is the pause before an invoice is read again: a fresh one soon,
// one that has waited long less often.
func backoff(inv Invoice, now time.Time) time.Duration {
	d := now.Sub(inv.UpdatedAt) / invoicePollDivisor
	return min(max(d, InvoicePollMin), InvoicePollMax)
}

// pollOne reads one invoice and acts on it; it returns the pause before
// the next read (0: the invoice is settled).
func (s *InvoiceService) pollOne(ctx context.Context, gw InvoiceGateway, mode Mode, inv Invoice, rep *PollReport) (time.Duration, error) {
	now := s.now()
	r, err := s.Store.Registration(ctx, inv.RegistrationID)
	if err != nil {
		return 0, err
	}
	if inv.PayPalID == "" {
		sess, err := s.Store.Session(ctx, r.SessionID)
		if err != nil {
			return 0, err
		}
		if r.Status != RegPendingPayment || !r.HoldUntil.After(now) {
			// Never created (or not known to be) and no longer wanted:
			// PayPal is asked by number before the row is let go.
			remote, found, err := gw.FindInvoice(ctx, inv.Number)
			if err != nil {
				return 0, err
			}
			if !found {
				return 0, s.Store.ReleaseInvoiceSeat(ctx, inv.ID, InvoiceNeedsReview,
					"NOT_CREATED: the invoice was never created at PayPal and the hold ran out", now)
			}
			if err := s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{
				PayPalID: remote.ID, State: remote.State,
				RawStatus: remote.Raw, PayerLink: remote.PayerLink, At: now,
			}); err != nil {
				return 0, err
			}
			inv.PayPalID = remote.ID
		} else {
			got, err := s.advance(ctx, gw, inv, r, sess)
			if err != nil {
				return 0, err
			}
			return backoff(got, now), nil
		}
	}
	remote, err := gw.GetInvoice(ctx, inv.PayPalID)
	if err != nil {
		return 0, err
	}
	switch remote.State {
	case InvoicePaid:
		if remote.External || remote.Capture == "" {
			rep.Review++
			return 0, s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{
				State: InvoiceNeedsReview, At: now,
				RawStatus: remote.Raw + ": marked paid outside PayPal; no capture to record",
			})
		}
		if remote.Paid != r.TotalMinor || remote.Currency != r.Currency {
			rep.Review++
			return 0, s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{
				State: InvoiceNeedsReview, At: now,
				RawStatus: remote.Raw + ": the amount paid is not the registration's",
			})
		}
		return 0, s.settlePaid(ctx, gw, mode, inv, r, remote, rep)
	case InvoiceCancelled:
		rep.Released++
		return 0, s.Store.ReleaseInvoiceSeat(ctx, inv.ID, InvoiceCancelled, remote.Raw, now)
	case InvoiceDraft:
		sess, err := s.Store.Session(ctx, r.SessionID)
		if err != nil {
			return 0, err
		}
		got, err := s.advance(ctx, gw, inv, r, sess)
		if err != nil {
			return 0, err
		}
		return backoff(got, now), nil
	case InvoiceAwaitingPayment, InvoicePaymentPending:
		if r.Status == RegPendingPayment && !r.HoldUntil.After(now) && remote.State == InvoiceAwaitingPayment {
			// Past due: cancelled at PayPal first, so that it can no longer
			// be paid; a payment that came first is read next time.
			if err := gw.CancelInvoice(ctx, inv.PayPalID, ""); err != nil {
				return 0, err
			}
			rep.Released++
			return 0, s.Store.ReleaseInvoiceSeat(ctx, inv.ID, InvoiceCancelled, "CANCELLED: past due", now)
		}
		if remote.State != inv.State || remote.Raw != inv.RawStatus {
			if err := s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{
				State: remote.State, RawStatus: remote.Raw,
				PayerLink: remote.PayerLink, At: now,
			}); err != nil {
				return 0, err
			}
			inv.UpdatedAt = now
		}
		return backoff(inv, now), nil
	}
	// Partly paid, refunded at PayPal, or a status the client does not
	// know: a person looks, with PayPal's word.
	rep.Review++
	return 0, s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{
		State:     InvoiceNeedsReview,
		RawStatus: remote.Raw, At: now,
	})
}

// settlePaid records a paid invoice once, then tells Paid (the receipt)
// or, when the seat is gone, refunds it (LatePaymentRule).
func (s *InvoiceService) settlePaid(ctx context.Context, gw InvoiceGateway, mode Mode, inv Invoice, r Registration,
	remote RemoteInvoice, rep *PollReport,
) error {
	now := s.now()
	sale := Payment{
		Key: invoiceSaleKey(remote.ID), InvoiceID: remote.ID, Kind: KindSale, Purpose: PurposeRegistration,
		Reference: r.Reference(), Method: MethodPayPalInvoice, Processor: ProcessorPayPalREST, Mode: mode,
		AmountMinor: remote.Paid, Currency: remote.Currency, Description: "Invoice " + inv.Number,
		PayerName: r.Name(), PayerEmail: r.Email, State: StateApproved, GatewayRef: remote.Capture,
		ResultCode: "INVOICE=" + remote.Raw, CreatedAt: now,
	}
	res, err := s.Store.SettleInvoicePaid(ctx, inv.ID, sale, remote.Capture, now)
	if err != nil {
		return err
	}
	if res.Already {
		return nil
	}
	rep.Paid++
	s.log().Info("invoice paid", "invoice", inv.Number, "sale", res.SaleID, "seated", res.Seated)
	if !res.Seated {
		rep.Refunded++
		return s.refundSale(ctx, gw, inv, remote, res.SaleID, "the seat was given to someone else before the payment arrived")
	}
	if s.Paid != nil {
		paid, err := s.Store.Registration(ctx, r.ID)
		if err == nil {
			err = s.Paid(ctx, paid)
		}
		if err != nil {
			s.log().Error("receipt for an invoice not sent", "invoice", inv.Number, "err", err)
		}
	}
	return nil
}

// refundSale refunds all of a sale recorded from an invoice, journal first.
func (s *InvoiceService) refundSale(ctx context.Context, gw InvoiceGateway, inv Invoice, remote RemoteInvoice,
	saleID int64, why string,
) error {
	sale, err := s.Store.Payment(ctx, saleID)
	if err != nil {
		return err
	}
	left := sale.AmountMinor - sale.RefundedMinor
	if left <= 0 {
		return nil
	}
	p := Payment{
		Key: NewKey(), InvoiceID: invoiceID(), Kind: KindRefund, Purpose: sale.Purpose,
		Reference: sale.Reference, ParentID: sale.ID, Method: sale.Method, Processor: sale.Processor,
		Mode: sale.Mode, AmountMinor: left, Currency: sale.Currency, Description: why,
		PayerName: sale.PayerName, PayerEmail: sale.PayerEmail, CreatedAt: s.now(),
	}
	if err := s.Store.CreatePayment(ctx, &p); err != nil {
		return err
	}
	ref, err := gw.RefundInvoice(ctx, remote, p.Key, left)
	u := PaymentUpdate{State: StateApproved, GatewayRef: ref, At: s.now()}
	switch ErrorCode(err) {
	case "":
	case EUNKNOWN:
		u.State, u.Message = StateUnknown, ErrorText(err)
	default:
		u.State, u.Message = StateFailed, ErrorText(err)
	}
	if serr := s.Store.SettlePayment(context.WithoutCancel(ctx), p.ID, u); serr != nil {
		return serr
	}
	if err != nil {
		return err
	}
	state := InvoiceRefunded
	if left < remote.Paid {
		state = InvoicePartiallyRefunded
	}
	return s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{State: state, RawStatus: "REFUNDED: " + why, At: s.now()})
}

// Cancel cancels a registration's unpaid invoice at PayPal and gives back
// its seat; a paid invoice is refunded through its capture instead (the
// journal and the invoice show the refund).
func (s *InvoiceService) Cancel(ctx context.Context, registrationID int64, note string) (Invoice, error) {
	inv, err := s.Store.InvoiceFor(ctx, registrationID)
	if err != nil {
		return Invoice{}, err
	}
	gw, _, err := s.Gateways.InvoiceGateway(ctx)
	if err != nil {
		return inv, err
	}
	now := s.now()
	if inv.PayPalID == "" {
		remote, found, err := gw.FindInvoice(ctx, inv.Number)
		if err != nil {
			return inv, err
		}
		if found {
			if err := s.Store.UpdateInvoice(ctx, inv.ID, InvoiceUpdate{
				PayPalID: remote.ID, State: remote.State,
				RawStatus: remote.Raw, PayerLink: remote.PayerLink, At: now,
			}); err != nil {
				return inv, err
			}
			inv.PayPalID, inv.State = remote.ID, remote.State
		}
	}
	if inv.PayPalID == "" {
		// PayPal has no such invoice: nothing can be paid.
		if err := s.Store.ReleaseInvoiceSeat(ctx, inv.ID, InvoiceNeedsReview,
			"NOT_CREATED: cancelled before PayPal created it", now); err != nil {
			return inv, err
		}
		return s.Store.InvoiceFor(ctx, registrationID)
	}
	switch {
	case inv.State == InvoicePaid:
		remote, err := gw.GetInvoice(ctx, inv.PayPalID)
		if err != nil {
			return inv, err
		}
		r, err := s.Store.Registration(ctx, registrationID)
		if err != nil {
			return inv, err
		}
		if err := s.refundSale(ctx, gw, inv, remote, r.PaymentID, note); err != nil {
			return inv, err
		}
		return s.Store.InvoiceFor(ctx, registrationID)
	case inv.State == InvoiceDraft:
		// Never sent: nobody can pay it. (PayPal cannot cancel a draft.)
	case inv.State.Open():
		if err := gw.CancelInvoice(ctx, inv.PayPalID, note); err != nil {
			return inv, err
		}
	default:
		return inv, Errorf(ECONFLICT, "error.invoice.not_cancellable", "the invoice is %s", inv.State).
			With(map[string]any{"State": string(inv.State)})
	}
	if err := s.Store.ReleaseInvoiceSeat(ctx, inv.ID, InvoiceCancelled, "CANCELLED", now); err != nil {
		return inv, err
	}
	return s.Store.InvoiceFor(ctx, registrationID)
}
