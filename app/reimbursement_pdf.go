package app

import (
	"io"
	"strconv"
	"strings"

	"github.com/bojanz/currency"
	"github.com/go-pdf/fpdf"
)

// PDFFonts are the TrueType fonts a report is set in, so that every letter
// of either UI language prints (the UI passes its theme's fonts). With no
// fonts the report uses PDF's core Helvetica and spells Polish letters
// without diacritics, since core fonts only cover Latin-1.
type PDFFonts struct {
	Regular, Bold []byte
}

// WritePDF writes the report as an A4 PDF.
func (r ReimbursementReport) WritePDF(w io.Writer, l ReportLabels, fonts PDFFonts) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreator("TrainPay", true)
	pdf.SetTitle(l.Title, true)
	family, text := "Helvetica", latin1
	if len(fonts.Regular) > 0 && len(fonts.Bold) > 0 {
		family, text = "Report", func(s string) string { return s }
		pdf.AddUTF8FontFromBytes(family, "", fonts.Regular)
		pdf.AddUTF8FontFromBytes(family, "B", fonts.Bold)
	}
	pdf.SetMargins(15, 15, 15)
	pdf.AddPage()
	money := l.Money
	if money == nil {
		money = func(a currency.Amount) string { return a.Number() + " " + a.CurrencyCode() }
	}

	pdf.SetFont(family, "B", 16)
	pdf.CellFormat(0, 9, text(l.Title), "", 1, "L", false, 0, "")
	pdf.SetFont(family, "", 10)
	for _, kv := range [][2]string{
		{l.Department, r.Department.Name},
		{l.CostCentre, r.Department.CostCentre},
		{l.Owner, r.Department.OwnerName + " <" + r.Department.OwnerEmail + ">"},
		{l.Period, r.Period},
	} {
		pdf.SetFont(family, "B", 10)
		pdf.CellFormat(40, 6, text(kv[0]), "", 0, "L", false, 0, "")
		pdf.SetFont(family, "", 10)
		pdf.CellFormat(0, 6, text(kv[1]), "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)

	widths := []float64{18, 62, 34, 30, 36}
	pdf.SetFont(family, "B", 9)
	pdf.SetFillColor(235, 235, 235)
	for i, h := range []string{l.Session, l.Topic, l.Date, l.Paid, l.References} {
		align := "L"
		if i == 3 {
			align = "R"
		}
		pdf.CellFormat(widths[i], 7, text(h), "1", 0, align, true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont(family, "", 9)
	if len(r.Lines) == 0 {
		pdf.CellFormat(180, 7, text(l.NoSessions), "1", 1, "L", false, 0, "")
	}
	for _, line := range r.Lines {
		date := ""
		if !line.StartsAt.IsZero() && l.DateTime != nil {
			date = l.DateTime(line.StartsAt)
		}
		cells := []string{strconv.FormatInt(line.SessionID, 10), fit(pdf, text(line.Topic), widths[1]-2), date,
			money(r.amount(line.PaidMinor)), fit(pdf, strings.Join(line.References, " "), widths[4]-2)}
		for i, c := range cells {
			align := "L"
			if i == 3 {
				align = "R"
			}
			pdf.CellFormat(widths[i], 7, text(c), "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(3)
	for _, t := range []struct {
		label string
		minor int64
	}{{l.TotalPaid, r.PaidMinor}, {l.Reimbursed, r.ReimbursedMinor}, {l.Owed, r.OwedMinor()}} {
		pdf.SetFont(family, "B", 10)
		pdf.CellFormat(114, 7, text(t.label), "", 0, "R", false, 0, "")
		pdf.CellFormat(30, 7, text(money(r.amount(t.minor))), "", 1, "R", false, 0, "")
	}
	if len(r.Reimbursements) > 0 {
		pdf.Ln(3)
		pdf.SetFont(family, "B", 10)
		pdf.CellFormat(0, 7, text(l.Reimbursement), "", 1, "L", false, 0, "")
		pdf.SetFont(family, "", 9)
		for _, e := range r.Reimbursements {
			date := e.At.Format("2006-01-02")
			if l.DateTime != nil {
				date = l.DateTime(e.At)
			}
			pdf.CellFormat(40, 6, text(date), "", 0, "L", false, 0, "")
			pdf.CellFormat(30, 6, text(money(r.amount(e.AmountMinor))), "", 0, "R", false, 0, "")
			pdf.CellFormat(0, 6, "  "+text(e.Reference), "", 1, "L", false, 0, "")
		}
	}
	if err := pdf.Output(w); err != nil {
		return Internal(err, "write the report")
	}
	return nil
}

// fit shortens s with an ellipsis to the cell's width.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"...") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "..."
}

// latin1 spells text for PDF's core fonts: Polish letters lose their
// diacritics, other characters outside Latin-1 become '?', and no-break
// spaces (CLDR's Polish amounts) become spaces.
func latin1(s string) string {
	repl := strings.NewReplacer("ą", "a", "ć", "c", "ę", "e", "ł", "l", "ń", "n", "ó", "o", "ś", "s", "ź", "z", "ż", "z",
		"Ą", "A", "Ć", "C", "Ę", "E", "Ł", "L", "Ń", "N", "Ó", "O", "Ś", "S", "Ź", "Z", "Ż", "Z",
		"\u00a0", " ", "\u202f", " ", "€", "EUR", "—", "-", "–", "-", "×", "x")
	s = repl.Replace(s)
	var b strings.Builder
	for _, c := range s {
		if c > 0xff {
			c = '?'
		}
		b.WriteByte(byte(c))
	}
	return b.String()
}
