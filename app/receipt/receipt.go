// Package receipt writes TrainPay's PDF documents with go-pdf/fpdf: an
// attendee's receipt for a paid registration, in the attendee's language,
// and a department's reimbursement report (reimbursement.go).
//
// The text goes through internal/pdftext, so that a receipt is written
// for any name: DejaVu Sans for Latin, Greek, Cyrillic, Hebrew and Arabic
// (right-to-left, joined), a fallback font for Chinese, Japanese and
// Korean, and a substitute box for a character neither has (an emoji),
// which the PDF's text keeps. The labels come from the caller (the UI
// reads them from assets/translations/sessions.<lang>.json), so that the
// wording stays translation data.
package receipt

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/internal/pdftext"
)

// Labels are the receipt's words in one language, by key without the
// "receipt." prefix: title, site, confirmation, status, session, starts,
// attendee, name, topic, payment, email, company, fee, discount, code, total, refunded, method,
// method_paypal, reference, paid_at, issued, test_mode, test_note, footer,
// "status.<registration status>" and "brand.<card brand>". A missing label
// prints its key.
type Labels map[string]string

func (l Labels) get(k string) string {
	if s, ok := l[k]; ok && s != "" {
		return s
	}
	return k
}

// Receipt is one registration's receipt.
type Receipt struct {
	Language     string // "en" or "pl": amounts and dates follow it
	Labels       Labels
	Site         app.Site
	Session      app.Session
	Registration app.Registration
	IssuedAt     time.Time
	// Compress compresses the PDF's streams (true in the app; tests that
	// read the raw bytes may turn it off).
	Compress bool
}

// Test reports whether the payment was made in Test mode (the sandbox).
func (r Receipt) Test() bool {
	if r.Registration.Mode != "" {
		return r.Registration.Mode == app.ModeTest
	}
	return r.Site.Mode == app.ModeTest
}

// FormatTime writes t in the session's time zone, the way lang writes it.
func FormatTime(t time.Time, loc *time.Location, lang string) string {
	t = t.In(loc)
	if lang == "pl" {
		return t.Format("02.01.2006, 15:04") + " " + zoneName(t)
	}
	return t.Format("2 Jan 2006, 15:04") + " " + zoneName(t)
}

func zoneName(t time.Time) string {
	name, _ := t.Zone()
	return name
}

func (r Receipt) amount(minor int64) string {
	a, err := money.FromMinor(minor, r.Registration.Currency)
	if err != nil {
		return fmt.Sprintf("%d %s", minor, r.Registration.Currency)
	}
	return money.Format(a, r.Language)
}

// Write renders the receipt as PDF to w.
func Write(w io.Writer, r Receipt) error {
	reg, s, l := r.Registration, r.Session, r.Labels
	loc := s.Location()

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(r.Compress)
	text := pdftext.New(pdf)
	issued := r.IssuedAt
	if issued.IsZero() {
		issued = time.Now()
	}
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetTitle(pdftext.Metadata(l.get("title")+" "+reg.Confirmation), true)
	pdf.SetAuthor(pdftext.Metadata(r.Site.Name), true)
	pdf.SetCreator("TrainPay", true)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AddPage()

	if r.Test() {
		// The TEST MODE mark: a red band across the top, and a note that
		// no money moved.
		pdf.SetFillColor(200, 30, 30)
		pdf.SetTextColor(255, 255, 255)
		text.SetFont("B", 14)
		text.CellFormat(0, 10, l.get("test_mode"), "", 1, "C", true)
		text.SetFont("", 9)
		pdf.SetTextColor(200, 30, 30)
		text.MultiCell(0, 5, l.get("test_note"), "", "C", false)
		pdf.Ln(4)
	}

	pdf.SetTextColor(0, 0, 0)
	text.SetFont("B", 20)
	text.CellFormat(0, 12, l.get("title"), "", 1, "L", false)
	text.SetFont("", 11)
	text.CellFormat(0, 6, r.Site.Name, "", 1, "L", false)
	pdf.Ln(2)
	text.SetFont("B", 12)
	text.CellFormat(0, 7, l.get("confirmation")+": "+reg.Confirmation, "", 1, "L", false)
	text.SetFont("", 10)
	text.CellFormat(0, 6, l.get("status")+": "+l.get("status."+string(reg.Status)), "", 1, "L", false)
	pdf.Ln(4)

	section := func(title string) {
		text.SetFont("B", 12)
		pdf.SetDrawColor(160, 160, 160)
		text.CellFormat(0, 8, title, "B", 1, "L", false)
		pdf.Ln(1)
	}
	row := func(label, value string) {
		if strings.TrimSpace(value) == "" {
			return
		}
		text.SetFont("", 10)
		pdf.SetTextColor(90, 90, 90)
		text.CellFormat(45, 6, label, "", 0, "L", false)
		pdf.SetTextColor(0, 0, 0)
		text.MultiCell(0, 6, value, "", "L", false)
	}
	money := func(label, value string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		text.SetFont(style, 11)
		text.CellFormat(120, 7, label, "", 0, "L", false)
		text.CellFormat(0, 7, value, "", 1, "R", false)
	}

	section(l.get("session"))
	row(l.get("topic"), s.Topic)
	row(l.get("starts"), FormatTime(s.StartsAt, loc, r.Language))
	pdf.Ln(3)

	section(l.get("attendee"))
	row(l.get("name"), reg.Name())
	row(l.get("email"), reg.Email)
	row(l.get("company"), reg.Company)
	pdf.Ln(3)

	section(l.get("payment"))
	money(l.get("fee"), r.amount(reg.FeeMinor), false)
	if reg.DiscountMinor > 0 {
		label := l.get("discount")
		if reg.PromoCode != "" {
			label += " (" + l.get("code") + " " + reg.PromoCode + ")"
		}
		money(label, "−"+r.amount(reg.DiscountMinor), false)
	}
	pdf.SetDrawColor(0, 0, 0)
	pdf.Line(pdf.GetX(), pdf.GetY(), 190, pdf.GetY())
	money(l.get("total"), r.amount(reg.TotalMinor), true)
	if reg.RefundedMinor > 0 {
		money(l.get("refunded"), "−"+r.amount(reg.RefundedMinor), false)
	}
	pdf.Ln(3)
	switch {
	case reg.Method == app.MethodExpressCheckout:
		// No card is seen with PayPal; the reference below is PayPal's
		// capture id, which the attendee finds in their PayPal account.
		row(l.get("method"), l.get("method_paypal"))
	case reg.Last4 != "":
		row(l.get("method"), l.get("brand."+string(reg.Brand))+" "+app.MaskCardNumber(reg.Brand, reg.Last4))
	case reg.TotalMinor == 0:
		row(l.get("method"), l.get("no_payment"))
	}
	row(l.get("reference"), reg.GatewayRef)
	if !reg.PaidAt.IsZero() {
		row(l.get("paid_at"), FormatTime(reg.PaidAt, loc, r.Language))
	}
	row(l.get("issued"), FormatTime(issued, loc, r.Language))

	pdf.Ln(8)
	text.SetFont("", 8)
	pdf.SetTextColor(110, 110, 110)
	text.MultiCell(0, 4, l.get("footer"), "", "L", false)

	if err := pdf.Error(); err != nil {
		return app.Internal(err, "write a receipt")
	}
	if err := pdf.Output(w); err != nil {
		return app.Internal(err, "write a receipt")
	}
	return nil
}
