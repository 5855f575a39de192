package app

import (
	"io"
	"strconv"
	"time"

	"github.com/trainpay/trainpay/app/money"
)

// RegistrationCSVHeader is the header row of the accounting export. Column
// names and values are stable and language-neutral (amounts with a '.'
// decimal point and no grouping, times in RFC 3339 UTC), so that
// spreadsheets and accounting imports read them the same in every locale.
var RegistrationCSVHeader = []string{
	"confirmation", "session_id", "first_name", "last_name", "email", "company", "country",
	"status", "currency", "fee", "discount", "promo_code", "total", "paid", "refunded",
	"method", "brand", "last4", "gateway_reference", "mode", "registered_at", "paid_at", "cancelled_at",
}

// WriteRegistrationsCSV writes registrations as CSV for accounting, with the
// one CSV writer (CSVWriter).
func WriteRegistrationsCSV(w io.Writer, regs []Registration) error {
	cw := NewCSVWriter(w)
	if err := cw.Write(RegistrationCSVHeader); err != nil {
		return err
	}
	for _, r := range regs {
		amt := func(minor int64) string {
			a, err := money.FromMinor(minor, r.Currency)
			if err != nil || r.Currency == "" {
				return strconv.FormatInt(minor, 10)
			}
			return a.Number()
		}
		ts := func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		}
		if err := cw.Write([]string{
			r.Confirmation, strconv.FormatInt(r.SessionID, 10), r.FirstName, r.LastName,
			r.Email, r.Company, r.Country,
			string(r.Status), r.Currency, amt(r.FeeMinor), amt(r.DiscountMinor), r.PromoCode,
			amt(r.TotalMinor), amt(r.PaidMinor), amt(r.RefundedMinor),
			string(r.Method), string(r.Brand), r.Last4, r.GatewayRef, string(r.Mode),
			ts(r.CreatedAt), ts(r.PaidAt), ts(r.CancelledAt),
		}); err != nil {
			return err
		}
	}
	return cw.Flush()
}
