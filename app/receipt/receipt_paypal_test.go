package receipt_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/receipt"
	"github.com/trainpay/trainpay/app/receipt/receipttest"
)

// A PayPal payment has no card: the receipt names PayPal and shows
// PayPal's capture id as the reference.
func TestReceiptPayPalShowsMethodAndCaptureID(t *testing.T) {
	for _, lang := range []string{"en", "pl"} {
		r := sample(lang, app.ModeTest)
		r.Labels = labels(t, lang)
		reg := &r.Registration
		reg.Method, reg.Brand, reg.Last4, reg.GatewayRef = app.MethodExpressCheckout, app.BrandUnknown, "", "3C679366HH908993F"
		var buf bytes.Buffer
		if err := receipt.Write(&buf, r); err != nil {
			t.Fatal(err)
		}
		text := receipttest.Text(buf.Bytes())
		for _, want := range []string{r.Labels["method"] + "\nPayPal\n", "3C679366HH908993F"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: receipt lacks %q:\n%s", lang, want, text)
			}
		}
		if strings.Contains(text, "method_paypal") || strings.Contains(text, "••••") {
			t.Errorf("%s: receipt shows a key or a card:\n%s", lang, text)
		}
	}
}
