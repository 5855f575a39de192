package receipt_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/receipt"
	"github.com/trainpay/trainpay/app/receipt/receipttest"
	"github.com/trainpay/trainpay/assets"
)

// labels reads the receipt's words from the shipped translation file.
func labels(t *testing.T, lang string) receipt.Labels {
	t.Helper()
	data, err := assets.Translations.ReadFile("translations/sessions." + lang + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	l := receipt.Labels{}
	for k, v := range m {
		if rest, ok := strings.CutPrefix(k, "receipt.pdf."); ok {
			l[rest] = v
		}
	}
	return l
}

func sample(lang string, mode app.Mode) receipt.Receipt {
	start := time.Date(2030, 3, 15, 9, 0, 0, 0, time.UTC)
	return receipt.Receipt{
		Language: lang,
		Site:     app.Site{Name: "Akademia Łódź", Currency: "PLN", TimeZone: "Europe/Warsaw", Mode: mode},
		Session:  app.Session{Topic: "Zażółć gęślą jaźń: Excel", StartsAt: start, TimeZone: "Europe/Warsaw", DurationMinutes: 90},
		Registration: app.Registration{
			Attendee: app.Attendee{FirstName: "Zofia", LastName: "Łęcka", Email: "zofia@example.pl", Company: "Żabka sp. z o.o."},
			Status:   app.RegPaid, Confirmation: "TP-7KX2M9QA",
			FeeMinor: 123456, DiscountMinor: 23456, TotalMinor: 100000, Currency: "PLN", PromoCode: "WIOSNA",
			PaidMinor: 100000, Brand: app.BrandVisa, Last4: "1111", GatewayRef: "A10E8B1C2D3E", Mode: mode,
			Method: app.MethodCreditCard, PaidAt: start.Add(-48 * time.Hour),
		},
		IssuedAt: start.Add(-47 * time.Hour),
	}
}

func TestReceiptPolishShowsAmountsAndTestMark(t *testing.T) {
	r := sample("pl", app.ModeTest)
	r.Labels = labels(t, "pl")
	var buf bytes.Buffer
	if err := receipt.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := receipttest.Text(buf.Bytes())
	for _, want := range []string{
		"Potwierdzenie płatności", "TRYB TESTOWY", "Akademia Łódź", "TP-7KX2M9QA", "Zażółć gęślą jaźń: Excel",
		"Zofia Łęcka", "Żabka sp. z o.o.", "1234,56 zł", "−234,56 zł", "WIOSNA", "1000,00 zł",
		"Visa •••• 1111", "A10E8B1C2D3E", "15.03.2030, 10:00 CET", "Opłacona",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt text lacks %q:\n%s", want, text)
		}
	}
}

func TestReceiptEnglishProductionHasNoTestMark(t *testing.T) {
	r := sample("en", app.ModeProduction)
	r.Labels = labels(t, "en")
	r.Compress = true
	var buf bytes.Buffer
	if err := receipt.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	text := receipttest.Text(buf.Bytes())
	if strings.Contains(text, "TEST MODE") {
		t.Error("a production receipt carries the TEST MODE mark")
	}
	for _, want := range []string{"Receipt", "PLN 1,234.56", "PLN 1,000.00", "15 Mar 2030, 10:00 CET"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt text lacks %q:\n%s", want, text)
		}
	}
}

// pdftotext (poppler-utils) reads the same text: the fonts carry a
// ToUnicode map, so any viewer can search and copy it.
func TestReceiptReadableByPdftotext(t *testing.T) {
	r := sample("pl", app.ModeTest)
	r.Labels = labels(t, "pl")
	r.Compress = true
	var buf bytes.Buffer
	if err := receipt.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := receipttest.Pdftotext(t, buf.Bytes())
	for _, want := range []string{"1000,00 zł", "TRYB TESTOWY", "Zażółć gęślą jaźń"} {
		if !strings.Contains(out, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, out)
		}
	}
}
