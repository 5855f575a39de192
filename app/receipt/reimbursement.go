package receipt

import (
	"io"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pdftext"
)

// Reimbursement writes a department's reimbursement report as an A4 PDF,
// in the words of l. Its text goes through internal/pdftext, as receipts'
// does, so that any department, owner, topic or reference prints, in any
// script.
func Reimbursement(w io.Writer, r app.ReimbursementReport, l app.ReportLabels) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreator("TrainPay", true)
	pdf.SetTitle(pdftext.Metadata(l.Title), true)
	text := pdftext.New(pdf)
	pdf.SetMargins(15, 15, 15)
	pdf.AddPage()
	money := l.Money
	if money == nil {
		money = func(a currency.Amount) string { return a.Number() + " " + a.CurrencyCode() }
	}

	text.SetFont("B", 16)
	text.CellFormat(0, 9, l.Title, "", 1, "L", false)
	for _, kv := range [][2]string{
		{l.Department, r.Department.Name},
		{l.CostCentre, r.Department.CostCentre},
		{l.Owner, r.Department.OwnerName + " <" + r.Department.OwnerEmail + ">"},
		{l.Period, r.Period},
		{l.TimeZone, r.TimeZone},
	} {
		text.SetFont("B", 10)
		text.CellFormat(40, 6, kv[0], "", 0, "L", false)
		text.SetFont("", 10)
		text.CellFormat(0, 6, kv[1], "", 1, "L", false)
	}
	if r.Test() {
		// As on a receipt: a report holding Test-mode payments says so
		// before anything else is read.
		pdf.Ln(2)
		pdf.SetTextColor(180, 0, 0)
		text.SetFont("B", 11)
		text.MultiCell(0, 6, l.TestNote, "", "L", false)
		pdf.SetTextColor(0, 0, 0)
	}
	pdf.Ln(4)

	widths := []float64{16, 50, 34, 30, 50}
	text.SetFont("B", 9)
	pdf.SetFillColor(235, 235, 235)
	for i, h := range []string{l.Session, l.Topic, l.Date, l.Paid, l.References} {
		align := "L"
		if i == 3 {
			align = "R"
		}
		text.CellFormat(widths[i], 7, h, "1", 0, align, true)
	}
	pdf.Ln(-1)
	text.SetFont("", 9)
	if len(r.Lines) == 0 {
		text.CellFormat(180, 7, l.NoSessions, "1", 1, "L", false)
	}
	for _, line := range r.Lines {
		date := ""
		if !line.StartsAt.IsZero() && l.DateTime != nil {
			date = l.DateTime(line.StartsAt)
		}
		// One reference a line, so that none is cut short: the row is as
		// tall as its references.
		refs := make([]string, 0, len(line.References))
		for _, ref := range line.References {
			if line.Test {
				ref = l.TestMode + " " + ref
			}
			refs = append(refs, text.Fit(ref, widths[4]-2))
		}
		h := 7 * float64(max(1, len(refs)))
		cells := []string{
			strconv.FormatInt(line.SessionID, 10), text.Fit(line.Topic, widths[1]-2), date,
			money(r.Amount(line.PaidMinor)),
		}
		for i, c := range cells {
			align := "L"
			if i == 3 {
				align = "R"
			}
			text.CellFormat(widths[i], h, c, "1", 0, align, false)
		}
		text.MultiCell(widths[4], 7, strings.Join(refs, "\n"), "1", "L", false)
	}
	pdf.Ln(3)
	for _, t := range []struct {
		label string
		minor int64
	}{{l.TotalPaid, r.PaidMinor}, {l.Reimbursed, r.ReimbursedMinor}, {l.Owed, r.OwedMinor()}} {
		text.SetFont("B", 10)
		text.CellFormat(114, 7, t.label, "", 0, "R", false)
		text.CellFormat(30, 7, money(r.Amount(t.minor)), "", 1, "R", false)
	}
	if len(r.Reimbursements) > 0 {
		pdf.Ln(3)
		text.SetFont("B", 10)
		text.CellFormat(0, 7, l.Reimbursement, "", 1, "L", false)
		text.SetFont("", 9)
		for _, e := range r.Reimbursements {
			date := e.At.Format("2006-01-02")
			if l.DateTime != nil {
				date = l.DateTime(e.At)
			}
			text.CellFormat(40, 6, date, "", 0, "L", false)
			text.CellFormat(30, 6, money(r.Amount(e.AmountMinor)), "", 0, "R", false)
			text.CellFormat(0, 6, "  "+e.Reference, "", 1, "L", false)
		}
	}
	if err := pdf.Output(w); err != nil {
		return app.Internal(err, "write the report")
	}
	return nil
}
