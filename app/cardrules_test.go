package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// The UK NVP processor needs a Maestro card's start date or issue number;
// every other processor leaves them optional. The answer comes from the
// processor the site sends the method to.
func TestCardRulesNeedMaestroExtrasOnlyForUKNVP(t *testing.T) {
	for proc, want := range map[app.Processor]app.Need{
		app.ProcessorWPPUKNVP:     app.NeedRequired,
		app.ProcessorWPPUKPayflow: app.NeedOptional,
		app.ProcessorPayflow:      app.NeedOptional,
	} {
		svc := app.NewPaymentService(nil, oneGateway{proc: proc}, nil)
		r, err := svc.CardRules(context.Background(), app.MethodDebitCard)
		if err != nil {
			t.Fatal(err)
		}
		if r.MaestroExtras != want || r.Processor != proc || r.Method != app.MethodDebitCard {
			t.Errorf("%s: %+v, want Maestro extras %v", proc, r, want)
		}
	}
}

// Check finds each field's problem with its field and severity: a wrong
// value at once, an unfinished or missing one to be shown once the field is
// left. Every one of them blocks Pay.
func TestCardRulesCheckNamesFieldAndSeverity(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	valid := func() app.CardForm {
		return app.CardForm{
			Holder: "Anna Nowak", Number: []byte("4111 1111 1111 1111"), Expiry: "12/30",
			CVV: []byte("123"), Postcode: "SW1A 1AA", Country: "GB",
		}
	}
	uk := app.CardRulesFor(app.MethodCreditCard, app.ProcessorWPPUKNVP)
	if errs := uk.Check(valid(), now); len(errs) != 0 {
		t.Fatalf("a valid Visa card: %v", errs)
	}
	cases := []struct {
		name  string
		rules app.CardRules
		edit  func(*app.CardForm)
		field string
		key   string
		sev   app.Severity
	}{
		{"no holder", uk, func(f *app.CardForm) { f.Holder = " " }, "holder", "error.card.holder_required", app.SeverityMissing},
		{"no number", uk, func(f *app.CardForm) { f.Number = nil }, "number", "error.card.number_required", app.SeverityMissing},
		{"short number", uk, func(f *app.CardForm) { f.Number = []byte("4111 1111") }, "number", "error.card.number_length", app.SeverityIncomplete},
		{"check digit", uk, func(f *app.CardForm) { f.Number = []byte("4111111111111112") }, "number", "error.card.number_luhn", app.SeverityInvalid},
		{"letters in the number", uk, func(f *app.CardForm) { f.Number = []byte("4111x") }, "number", "error.card.number_chars", app.SeverityInvalid},
		{"half an expiry", uk, func(f *app.CardForm) { f.Expiry = "12/" }, "expiry", "error.card.expiry_format", app.SeverityIncomplete},
		{"letters in the expiry", uk, func(f *app.CardForm) { f.Expiry = "1a/30" }, "expiry", "error.card.expiry_format", app.SeverityInvalid},
		{"expired", uk, func(f *app.CardForm) { f.Expiry = "05/26" }, "expiry", "error.card.expired", app.SeverityInvalid},
		{"short CVV", uk, func(f *app.CardForm) { f.CVV = []byte("12") }, "cvv", "error.card.cvv_length", app.SeverityIncomplete},
		{"long CVV", uk, func(f *app.CardForm) { f.CVV = []byte("1234") }, "cvv", "error.card.cvv_length", app.SeverityInvalid},
		{"postcode", uk, func(f *app.CardForm) { f.Postcode = "SW1A_1AA" }, "postcode", "error.card.postcode_invalid", app.SeverityInvalid},
		{"long postcode", uk, func(f *app.CardForm) { f.Postcode = "12345 67890 1" }, "postcode", "error.card.postcode_invalid", app.SeverityInvalid},
		{"no country", uk, func(f *app.CardForm) { f.Country = "" }, "country", "error.card.country_required", app.SeverityInvalid},
		{
			"Maestro without extras on UK NVP", uk, func(f *app.CardForm) { f.Number = []byte("6304000000000000") },
			"start", "error.card.maestro_start", app.SeverityMissing,
		},
		{
			"Maestro half a start date",
			app.CardRules{},
			func(f *app.CardForm) { f.Number, f.Start = []byte("6304000000000000"), "03/" },
			"start", "error.card.start_format", app.SeverityIncomplete,
		},
		{
			"Maestro start date in the future",
			app.CardRules{},
			func(f *app.CardForm) { f.Number, f.Start = []byte("6304000000000000"), "01/27" },
			"start", "error.card.maestro_start", app.SeverityInvalid,
		},
		{
			"Maestro issue number of letters",
			app.CardRules{},
			func(f *app.CardForm) { f.Number, f.Issue = []byte("6304000000000000"), "a" },
			"issue", "error.card.maestro_issue", app.SeverityInvalid,
		},
	}
	for _, c := range cases {
		f := valid()
		c.edit(&f)
		errs := c.rules.Check(f, now)
		if len(errs) != 1 {
			t.Errorf("%s: %d problems %v, want one", c.name, len(errs), errs)
			continue
		}
		if e := errs[0]; e.Field != c.field || e.Key != c.key || e.Severity != c.sev || e.Code != app.EINVALID {
			t.Errorf("%s: field %q key %q severity %d code %q, want %q %q %d", c.name, e.Field, e.Key, e.Severity, e.Code, c.field, c.key, c.sev)
		}
	}
	// Elsewhere a Maestro card's extras are optional; a Maestro card with
	// its issue number passes on UK NVP.
	f := valid()
	f.Number = []byte("6304000000000000")
	if errs := app.CardRulesFor(app.MethodCreditCard, app.ProcessorPayflow).Check(f, now); len(errs) != 0 {
		t.Errorf("Maestro on Payflow: %v", errs)
	}
	f.Issue = "1"
	if errs := uk.Check(f, now); len(errs) != 0 {
		t.Errorf("Maestro with its issue number on UK NVP: %v", errs)
	}
	// Another card's Maestro fields are not looked at, nor sent.
	f = valid()
	f.Start, f.Issue = "zz", "zzz"
	if errs := uk.Check(f, now); len(errs) != 0 {
		t.Errorf("a Visa card with stray Maestro fields: %v", errs)
	}
	c, err := f.Card()
	if err != nil || c.StartMonth != 0 || c.IssueNumber != "" {
		t.Errorf("a Visa card took the Maestro fields: %+v %v", c, err)
	}
}

// The billing postcode is a rule of the domain: Charge refuses one the
// gateways must not send, before any journal row.
func TestChargeRefusesAMalformedPostcodeBeforeTheJournal(t *testing.T) {
	svc, db, srv := newPayments(t)
	ctx := context.Background()
	req := chargeRequest(t, "10.00", "USD")
	req.Payer.PostalCode = "SW1A\n1AA"
	_, err := svc.Charge(ctx, req)
	wantCode(t, err, app.EINVALID, "error.card.postcode_invalid")
	if e := app.AsError(err); e.Field != app.CardFieldPostcode {
		t.Fatalf("field %q", e.Field)
	}
	if rows, _, _ := db.Payments(ctx, app.PaymentFilter{}); len(rows) != 0 || len(srv.Ledger()) != 0 {
		t.Fatalf("journal %d rows, ledger %d", len(rows), len(srv.Ledger()))
	}
}
