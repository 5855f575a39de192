package app

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/trainpay/trainpay/app/money"
)

// minorText writes minor units as a plain decimal ("12.50", "1200" for JPY)
// for spreadsheets, whatever the UI language.
func minorText(minor int64, code string) string {
	a, err := money.FromMinor(minor, code)
	if err != nil {
		return strconv.FormatInt(minor, 10)
	}
	return a.Number()
}

// WritePromoCodesCSV writes codes for a mail merge: code, discount,
// use limit (empty: unlimited), uses, per-attendee limit, valid from and
// until (last day, in tz), disabled, sessions.
func WritePromoCodesCSV(w io.Writer, codes []PromoCode, tz string) error {
	rows := [][]string{{"code", "discount", "use_limit", "uses", "per_attendee_limit", "valid_from", "valid_until", "disabled", "sessions"}}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	for _, c := range codes {
		limit := ""
		if c.UseLimit > 0 {
			limit = strconv.Itoa(c.UseLimit)
		}
		disc := c.Percent() + "%"
		if c.Kind == DiscountFixed {
			disc = minorText(c.FixedMinor, c.Currency) + " " + c.Currency
		}
		sessions := "all"
		if !c.AllSessions {
			ids := make([]string, len(c.SessionIDs))
			for i, id := range c.SessionIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			sessions = strings.Join(ids, " ")
		}
		rows = append(rows, []string{
			c.Code, disc, limit, strconv.Itoa(c.Uses), strconv.Itoa(c.PerAttendeeLimit),
			c.ValidFrom.In(loc).Format("2006-01-02"), ExpiryText(c, tz, "en"), strconv.FormatBool(c.Disabled), sessions,
		})
	}
	return WriteCSV(w, rows, "CSV file")
}

// WritePromoRecipientsCSV writes recipients for a mail merge: email, name,
// code, sent at (RFC 3339, empty when not sent), failure.
func WritePromoRecipientsCSV(w io.Writer, rs []PromoRecipient, codes map[int64]string) error {
	rows := [][]string{{"email", "name", "code", "sent_at", "failed_reason"}}
	for _, r := range rs {
		sent := ""
		if !r.SentAt.IsZero() {
			sent = r.SentAt.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []string{r.Email, r.Name, codes[r.CodeID], sent, r.FailedReason})
	}
	return WriteCSV(w, rows, "CSV file")
}

// WritePromoReportsCSV writes the per-code report: revenue is charged
// minus refunded (see PromoReport).
func WritePromoReportsCSV(w io.Writer, reps []PromoReport) error {
	rows := [][]string{{
		"code", "recipients", "sent", "uses", "attendees", "refunded_uses", "charged", "refunded",
		"revenue", "total_discount", "currency",
	}}
	for _, r := range reps {
		rows = append(rows, []string{
			r.Code, strconv.Itoa(r.Recipients), strconv.Itoa(r.Sent), strconv.Itoa(r.Uses),
			strconv.Itoa(r.Attendees), strconv.Itoa(r.RefundedUses), minorText(r.ChargedMinor, r.Currency),
			minorText(r.RefundedMinor, r.Currency), minorText(r.RevenueMinor, r.Currency),
			minorText(r.DiscountMinor, r.Currency), r.Currency,
		})
	}
	return WriteCSV(w, rows, "CSV file")
}
