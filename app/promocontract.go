package app

import "context"

// The shared piece between paid sessions and promotional codes: the Payment
// Information page asks for a quote, reserves the code's use before paying,
// and the use is confirmed atomically with the payment (in the journal's
// settlement, storage.applyPurposeEffects) or released when the payment
// fails or is abandoned.

// PromoQuote is what a promotional code does to one registration's fee.
type PromoQuote struct {
	CodeID        int64
	Code          string // as stored (upper case)
	SessionID     int64
	Email         string // the attendee's, lower case
	FeeMinor      int64
	DiscountMinor int64 // never above FeeMinor
	TotalMinor    int64 // FeeMinor - DiscountMinor, never below zero
	Currency      string
	Percent       string // "15" or "33.33" for a percentage code, "" for a fixed one
}

// PromoRedeemer is what the Payment Information page needs of promotional
// codes. A reservation outlives a declined or failed payment (the attendee
// may try again) and is freed by Release when the attendee gives up, or
// when it runs out. Errors are *Error with keys that say why a code does not apply:
// unknown, not yet valid, expired, used up, not for this session, already
// used by this attendee, disabled.
type PromoRedeemer interface {
	// Quote checks a code (case-insensitive, trimmed) for a session and an
	// attendee, and returns the discount and the new total without using it.
	Quote(ctx context.Context, sessionID int64, email, code string) (PromoQuote, error)
	// Reserve holds one use of a quoted code for a registration, counted
	// against the code's limits like a use, so that concurrent attendees
	// can never use it more often than allowed. The use becomes final when
	// the registration's payment is charged (or at once through
	// ConfirmFree), and is freed when the payment fails or by Release.
	Reserve(ctx context.Context, q PromoQuote, registrationID int64) (reservationID int64, err error)
	// Renew keeps a registration's reservation alive for one more payment
	// attempt (a declined card keeps it, so the attendee can try another
	// card without losing the code). It fails with ECONFLICT when the
	// reservation has run out or was freed: nothing may then be charged at
	// the discounted total.
	Renew(ctx context.Context, registrationID int64) error
	// Release frees a reservation whose payment was abandoned.
	Release(ctx context.Context, reservationID int64) error
	// ConfirmFree makes a reservation final for a registration whose total
	// is zero (a 100% code): no payment is made.
	ConfirmFree(ctx context.Context, reservationID int64) error
}
