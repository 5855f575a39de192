package checkout

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// On a UK site whose cards go to Website Payments Pro (UK) on classic NVP,
// the attendee's checkout asks for a Maestro card's start date or issue
// number before Pay: both fields appear once the number is Maestro's, and
// Pay stays disabled until one of them is filled in.
func TestPaymentInformationAsksForMaestroStartOrIssueBeforePayOnUKNVP(t *testing.T) {
	pe := newPayEnvAt(t, "GB", "GBP", "Europe/London", app.ProcessorWPPUKNVP, nil)
	e := newSessionsEnvOn(t, pe, nil)
	sess := e.schedulePaid("Maestro in the UK", 80_00, 10)

	p, _ := e.paymentInfo(sess, "Ewa", "Lis", "ewa@example.com")
	test.Tap(p.pay)
	d := p.card
	if d == nil {
		t.Fatalf("no card dialog: %q", p.message.Text)
	}
	fillCard(e.w, d, maestroTestCard, "123")
	replace(e.w, d.postcode, "SW1A 1AA")
	if !hasText(screenTexts(e.w), T("pay.start_date")) || !hasText(screenTexts(e.w), T("pay.issue_number")) {
		t.Fatalf("no start date or issue number for a Maestro card: %q", screenTexts(e.w))
	}
	if !d.pay.Disabled() {
		t.Fatal("Pay is enabled for a Maestro card without its start date or issue number")
	}
	typeInto(e.w, d.issue, "1")
	if d.pay.Disabled() {
		t.Fatalf("Pay stays disabled with the issue number: %q", screenTexts(e.w))
	}
}
