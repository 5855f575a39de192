package receipt_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/receipt"
	"github.com/trainpay/trainpay/app/receipt/receipttest"
)

// A reimbursement report is written whatever the department, its budget
// owner, the sessions' topics and the transfer references are called, and
// its text gives them back: the same text pipeline as receipts.
func TestReimbursementPDFWrittenForNamesInAnyScript(t *testing.T) {
	at := time.Date(2030, 3, 15, 9, 0, 0, 0, time.UTC)
	labels := app.ReportLabels{
		Title: "Raport zwrotu", Department: "Dział", CostCentre: "MPK",
		Owner: "Właściciel budżetu", Period: "Okres", Session: "Sesja", Topic: "Temat", Date: "Data", Paid: "Zapłacono",
		References: "Numery płatności", TotalPaid: "Razem zapłacono", Reimbursed: "Zwrócono", Owed: "Do zwrotu",
		Reimbursement: "Zwroty", NoSessions: "Brak sesji",
		Money: func(a currency.Amount) string { return a.String() }, DateTime: func(t time.Time) string { return t.Format("2006-01-02") },
	}
	for _, c := range []struct {
		script, department, owner, topic, reference string
	}{
		{"polish", "Dział Łączności", "Zoë Łukasz Ærøskøbing", "Zażółć gęślą jaźń", "PRZELEW-1"},
		{"greek and cyrillic", "Τμήμα Πωλήσεων", "Анастасия Щербакова", "Обучение Excel", "ΜΕΤ-7"},
		{"hebrew", "מחלקת מכירות", "שרה כהן", "הדרכה", "העברה"},
		{"arabic", "قسم المبيعات", "محمد عبد الله", "تدريب", "تحويل"},
		{"cjk", "销售部", "山田さくら", "김민준", "振込"},
		{"emoji", "Sales 🚀", "Zoë 😀", "Excel 📊", "TRF 👍🏽"},
	} {
		t.Run(c.script, func(t *testing.T) {
			r := app.ReimbursementReport{
				Department: app.Department{Name: c.department, CostCentre: "CC-1", OwnerName: c.owner, OwnerEmail: "owner@example.com"},
				Period:     "2030-03", Currency: "PLN",
				Lines:           []app.ReimbursementLine{{SessionID: 7, Topic: c.topic, StartsAt: at, PaidMinor: 12300, References: []string{"TP1"}}},
				PaidMinor:       12300,
				ReimbursedMinor: 10000,
				Reimbursements:  []app.LedgerEntry{{Kind: app.LedgerReimbursement, AmountMinor: 10000, Currency: "PLN", Reference: c.reference, At: at}},
			}
			var buf bytes.Buffer
			if err := receipt.Reimbursement(&buf, r, labels); err != nil {
				t.Fatalf("no report: %v", err)
			}
			got := receipttest.Pdftotext(t, buf.Bytes())
			for _, want := range []string{c.department, c.owner, c.topic, c.reference, "Właściciel budżetu", "Do zwrotu"} {
				if !strings.Contains(got, want) {
					t.Errorf("report text lacks %q:\n%s", want, got)
				}
			}
		})
	}
}
