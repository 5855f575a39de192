package nvp

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/nvp/nvptest"
)

func diffFields(t *testing.T, got, want map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("field %s = %q, want %q", k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %s = %q", k, got[k])
		}
	}
}

func TestSaleGBPExactFields(t *testing.T) {
	fx := newFixture(t)
	req := saleReq(newInvoice(), amount(t, "10", "GBP"), card(panVisa))
	r := fx.c.Sale(fx.ctx, req)
	wantOutcome(t, "sale", r, app.OutcomeApproved)
	if r.Reference == "" || r.Brand != app.BrandVisa || r.Last4 != "1111" || r.Code != "ACK=Success" {
		t.Errorf("result %+v", r)
	}
	got, _ := fx.srv.LastRequest("DoDirectPayment")
	diffFields(t, got.Fields, map[string]string{
		"METHOD":         "DoDirectPayment",
		"VERSION":        "124",
		"USER":           nvptest.User,
		"PWD":            "***",
		"SIGNATURE":      "***",
		"PAYMENTACTION":  "Sale",
		"IPADDRESS":      "127.0.0.1",
		"AMT":            "10.00",
		"CURRENCYCODE":   "GBP",
		"CREDITCARDTYPE": "Visa",
		"ACCT":           "************1111",
		"EXPDATE":        fmt.Sprintf("03%d", expYear),
		"CVV2":           "***",
		"FIRSTNAME":      "Ada",
		"LASTNAME":       "Lovelace",
		"STREET":         "12 St James's Square",
		"CITY":           "London",
		"ZIP":            "SW1Y 4LB",
		"COUNTRYCODE":    "GB",
		"EMAIL":          "ada@example.org",
		"INVNUM":         req.InvoiceID,
		"DESC":           "Go for payments engineers — 2-day workshop",
	})
	if got.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("content type %q", got.ContentType)
	}
	sales := fx.srv.Sales(req.InvoiceID)
	if len(sales) != 1 || sales[0].Amount != "10.00" || sales[0].Currency != "GBP" || sales[0].TransactionID != r.Reference {
		t.Errorf("ledger %+v", sales)
	}
}

func TestSaleAmountDigits(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		n, code, want string
	}{
		{"1000", "JPY", "1000"},
		{"10.5", "GBP", "10.50"},
		{"0.01", "GBP", "0.01"},
		{"1234567.8", "EUR", "1234567.80"},
		{"1000", "HUF", "1000"}, // PayPal: HUF without decimals
		{"25", "USD", "25.00"},
	} {
		req := saleReq(newInvoice(), amount(t, tc.n, tc.code), card(panMC))
		r := fx.c.Sale(fx.ctx, req)
		wantOutcome(t, tc.n+" "+tc.code, r, app.OutcomeApproved)
		got, _ := fx.srv.LastRequest("DoDirectPayment")
		if got.Fields["AMT"] != tc.want || got.Fields["CURRENCYCODE"] != tc.code {
			t.Errorf("%s %s: AMT=%q CURRENCYCODE=%q, want %q", tc.n, tc.code, got.Fields["AMT"], got.Fields["CURRENCYCODE"], tc.want)
		}
	}
}

func TestSaleRefusesAmountsItWouldHaveToRound(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range [][2]string{{"1000.5", "JPY"}, {"10.005", "GBP"}, {"0", "GBP"}, {"-5", "GBP"}, {"100.5", "HUF"}} {
		r := fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, tc[0], tc[1]), card(panVisa)))
		wantOutcome(t, tc[0]+" "+tc[1], r, app.OutcomeNotProcessed)
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached PayPal, want 0", n)
	}
}

func TestSaleExpdateAndBrands(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		pan, typ string
		brand    app.Brand
	}{
		{panVisa, "Visa", app.BrandVisa},
		{panMC, "MasterCard", app.BrandMastercard},
		{panMC2, "MasterCard", app.BrandMastercard},
		{panAmex, "Amex", app.BrandAmex},
		{panDiscover, "Discover", app.BrandDiscover},
	} {
		c := card(tc.pan)
		c.ExpMonth = 9
		r := fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "12.34", "GBP"), c))
		wantOutcome(t, tc.typ, r, app.OutcomeApproved)
		if r.Brand != tc.brand {
			t.Errorf("%s: brand %q", tc.typ, r.Brand)
		}
		got, _ := fx.srv.LastRequest("DoDirectPayment")
		if got.Fields["CREDITCARDTYPE"] != tc.typ || got.Fields["EXPDATE"] != fmt.Sprintf("09%d", expYear) {
			t.Errorf("%s: CREDITCARDTYPE=%q EXPDATE=%q", tc.typ, got.Fields["CREDITCARDTYPE"], got.Fields["EXPDATE"])
		}
		if _, ok := got.Fields["STARTDATE"]; ok {
			t.Errorf("%s: STARTDATE sent for a non-Maestro card", tc.typ)
		}
	}
}

func TestSaleMaestro(t *testing.T) {
	fx := newFixture(t)

	c := card(panMaestro)
	c.StartMonth, c.StartYear, c.IssueNumber = 1, 2021, "2"
	r := fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "40", "GBP"), c))
	wantOutcome(t, "maestro", r, app.OutcomeApproved)
	got, _ := fx.srv.LastRequest("DoDirectPayment")
	if got.Fields["CREDITCARDTYPE"] != "Maestro" || got.Fields["STARTDATE"] != "012021" || got.Fields["ISSUENUMBER"] != "2" {
		t.Errorf("maestro fields %v", got.Fields)
	}

	// Issue number only.
	c = card(panMaestro)
	c.IssueNumber = "11"
	wantOutcome(t, "maestro issue only", fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "40", "GBP"), c)), app.OutcomeApproved)
	got, _ = fx.srv.LastRequest("DoDirectPayment")
	if _, ok := got.Fields["STARTDATE"]; ok || got.Fields["ISSUENUMBER"] != "11" {
		t.Errorf("maestro issue-only fields %v", got.Fields)
	}

	before := len(fx.srv.Requests())
	// Neither: refused locally, nothing sent.
	r = fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "40", "GBP"), card(panMaestro)))
	wantOutcome(t, "maestro without start/issue", r, app.OutcomeInvalidCard)
	if r.Field != "start" {
		t.Errorf("field %q, want start", r.Field)
	}
	// Not GBP.
	c = card(panMaestro)
	c.IssueNumber = "1"
	r = fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "40", "EUR"), c))
	wantOutcome(t, "maestro in EUR", r, app.OutcomeInvalidCard)
	// Bad issue number.
	c = card(panMaestro)
	c.IssueNumber = "123"
	r = fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "40", "GBP"), c))
	wantOutcome(t, "maestro issue 123", r, app.OutcomeInvalidCard)
	if r.Field != "issue" {
		t.Errorf("field %q, want issue", r.Field)
	}
	if n := len(fx.srv.Requests()); n != before {
		t.Errorf("%d more requests reached PayPal, want 0", n-before)
	}
}

func TestSaleLocalCardChecks(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		name  string
		mod   func(*app.Card)
		field string
	}{
		{"luhn", func(c *app.Card) { c.Number = []byte("4111111111111112") }, "number"},
		{"spaces", func(c *app.Card) { c.Number = []byte("4111 1111 1111 1111") }, "number"},
		{"short", func(c *app.Card) { c.Number = []byte("41111") }, "number"},
		{"jcb", func(c *app.Card) { c.Number = []byte(panJCB) }, "number"},
		{"diners", func(c *app.Card) { c.Number = []byte(panDiners) }, "number"},
		{"month 13", func(c *app.Card) { c.ExpMonth = 13 }, "expiry"},
		{"two-digit year", func(c *app.Card) { c.ExpYear = 29 }, "expiry"},
		{"expired", func(c *app.Card) { c.ExpYear = 2020 }, "expiry"},
		{"cvv letters", func(c *app.Card) { c.CVV = []byte("12a") }, "cvv"},
		{"cvv 4 on visa", func(c *app.Card) { c.CVV = []byte("1234") }, "cvv"},
		{"no name", func(c *app.Card) { c.Holder = "" }, "holder"},
	} {
		c := card(panVisa)
		tc.mod(c)
		req := saleReq(newInvoice(), amount(t, "5", "GBP"), c)
		if tc.name == "no name" {
			req.Payer.FirstName, req.Payer.LastName = "", ""
		}
		r := fx.c.Sale(fx.ctx, req)
		wantOutcome(t, tc.name, r, app.OutcomeInvalidCard)
		if r.Field != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, r.Field, tc.field)
		}
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached PayPal, want 0", n)
	}
	// Amex takes four digits; a missing CVV is sent without CVV2.
	wantOutcome(t, "amex", fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "5", "GBP"), card(panAmex))), app.OutcomeApproved)
	c := card(panVisa)
	c.CVV = nil
	wantOutcome(t, "no cvv", fx.c.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "5", "GBP"), c)), app.OutcomeApproved)
	got, _ := fx.srv.LastRequest("DoDirectPayment")
	if _, ok := got.Fields["CVV2"]; ok {
		t.Error("CVV2 sent although the card has none")
	}
}

func TestSaleRequestValidation(t *testing.T) {
	fx := newFixture(t)
	req := saleReq("", amount(t, "5", "GBP"), card(panVisa))
	wantOutcome(t, "no invoice", fx.c.Sale(fx.ctx, req), app.OutcomeNotProcessed)
	req = saleReq(strings.Repeat("x", 128), amount(t, "5", "GBP"), card(panVisa))
	wantOutcome(t, "long invoice", fx.c.Sale(fx.ctx, req), app.OutcomeNotProcessed)
	req = saleReq(newInvoice(), amount(t, "5", "GBP"), nil)
	wantOutcome(t, "no card", fx.c.Sale(fx.ctx, req), app.OutcomeNotProcessed)
	if n := len(fx.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached PayPal, want 0", n)
	}
}

func TestSalePayerFields(t *testing.T) {
	fx := newFixture(t)
	req := saleReq(newInvoice(), amount(t, "5", "GBP"), card(panVisa))
	req.Payer.IP = "203.0.113.9"
	req.Payer.Country = "gb"
	req.Card.Holder = "  Mary   Ann  Evans "
	req.Payer.City = strings.Repeat("Ł", 30) // 60 bytes: clipped to 40 on a rune boundary
	req.Description = "line one\nline two & more = fun"
	wantOutcome(t, "sale", fx.c.Sale(fx.ctx, req), app.OutcomeApproved)
	got, _ := fx.srv.LastRequest("DoDirectPayment")
	f := got.Fields
	if f["IPADDRESS"] != "203.0.113.9" || f["COUNTRYCODE"] != "GB" || f["FIRSTNAME"] != "Mary Ann" || f["LASTNAME"] != "Evans" ||
		f["CITY"] != strings.Repeat("Ł", 20) || f["DESC"] != "line one line two & more = fun" {
		t.Errorf("fields %v", f)
	}

	// IPv6 does not fit IPADDRESS (15 characters): the desktop default.
	req = saleReq(newInvoice(), amount(t, "5", "GBP"), card(panVisa))
	req.Payer.IP = "2001:db8::1"
	wantOutcome(t, "sale", fx.c.Sale(fx.ctx, req), app.OutcomeApproved)
	got, _ = fx.srv.LastRequest("DoDirectPayment")
	if got.Fields["IPADDRESS"] != DesktopIPAddress {
		t.Errorf("IPADDRESS %q", got.Fields["IPADDRESS"])
	}
}

func TestRefundFullAndPartial(t *testing.T) {
	fx := newFixture(t)

	_, sale := fx.approvedSale("10")
	r := fx.c.Refund(fx.ctx, app.RefundRequest{Key: "refund-full-1", OriginalRef: sale.Reference, Full: true, Description: "cancelled"})
	wantOutcome(t, "full refund", r, app.OutcomeApproved)
	got, _ := fx.srv.LastRequest("RefundTransaction")
	diffFields(t, got.Fields, map[string]string{
		"METHOD": "RefundTransaction", "VERSION": "124", "USER": nvptest.User, "PWD": "***", "SIGNATURE": "***",
		"TRANSACTIONID": sale.Reference, "REFUNDTYPE": "Full", "MSGSUBID": "refund-full-1", "NOTE": "cancelled",
	})
	refunds := fx.srv.Refunds(sale.Reference)
	if len(refunds) != 1 || refunds[0].Amount != "10.00" || r.Reference != refunds[0].TransactionID || r.Duplicate {
		t.Errorf("full refund: result %+v ledger %+v", r, refunds)
	}

	_, sale = fx.approvedSale("10")
	part := app.RefundRequest{Key: "refund-part-1", OriginalRef: sale.Reference, Amount: amount(t, "4", "GBP")}
	r = fx.c.Refund(fx.ctx, part)
	wantOutcome(t, "partial refund", r, app.OutcomeApproved)
	got, _ = fx.srv.LastRequest("RefundTransaction")
	diffFields(t, got.Fields, map[string]string{
		"METHOD": "RefundTransaction", "VERSION": "124", "USER": nvptest.User, "PWD": "***", "SIGNATURE": "***",
		"TRANSACTIONID": sale.Reference, "REFUNDTYPE": "Partial", "AMT": "4.00", "CURRENCYCODE": "GBP", "MSGSUBID": "refund-part-1",
	})

	// Same key again: PayPal answers 11607 with the original's result.
	again := fx.c.Refund(fx.ctx, part)
	wantOutcome(t, "replayed refund", again, app.OutcomeApproved)
	if !again.Duplicate || again.Reference != r.Reference || !strings.Contains(again.Code, "11607") {
		t.Errorf("replay: %+v, want duplicate of %s", again, r.Reference)
	}
	if n := len(fx.srv.Refunds(sale.Reference)); n != 1 {
		t.Errorf("%d refunds in the ledger, want 1", n)
	}

	// More than what is left: refused, nothing moved.
	r = fx.c.Refund(fx.ctx, app.RefundRequest{Key: "refund-part-2", OriginalRef: sale.Reference, Amount: amount(t, "6.01", "GBP")})
	wantOutcome(t, "over-refund", r, app.OutcomeDeclined)
	if !strings.Contains(r.Message, "remaining amount") || r.Code != "L_ERRORCODE0=10009" {
		t.Errorf("over-refund: %+v", r)
	}
	// Full after partial.
	r = fx.c.Refund(fx.ctx, app.RefundRequest{Key: "refund-full-2", OriginalRef: sale.Reference, Full: true})
	wantOutcome(t, "full after partial", r, app.OutcomeDeclined)

	// 11604: the original is still in progress.
	fx.srv.Fail("RefundTransaction", nvptest.Error{Code: "11604", Short: "Request in progress", Long: "Request for specified Message Submission ID already in progress."})
	r = fx.c.Refund(fx.ctx, app.RefundRequest{Key: "refund-part-3", OriginalRef: sale.Reference, Amount: amount(t, "1", "GBP")})
	wantOutcome(t, "11604", r, app.OutcomeUnknown)

	// Local checks.
	wantOutcome(t, "no key", fx.c.Refund(fx.ctx, app.RefundRequest{OriginalRef: sale.Reference, Full: true}), app.OutcomeNotProcessed)
	wantOutcome(t, "long key", fx.c.Refund(fx.ctx, app.RefundRequest{Key: strings.Repeat("k", 39), OriginalRef: sale.Reference, Full: true}), app.OutcomeNotProcessed)
	wantOutcome(t, "no ref", fx.c.Refund(fx.ctx, app.RefundRequest{Key: "k", Full: true}), app.OutcomeNotProcessed)
	wantOutcome(t, "jpy digits", fx.c.Refund(fx.ctx, app.RefundRequest{Key: "k", OriginalRef: sale.Reference, Amount: amount(t, "1.5", "JPY")}), app.OutcomeNotProcessed)
}

func TestVoid(t *testing.T) {
	fx := newFixture(t)
	auth := fx.srv.Authorize(newInvoice(), "10.00", "GBP")
	r := fx.c.Void(fx.ctx, app.VoidRequest{Key: "void-1", OriginalRef: auth})
	wantOutcome(t, "void", r, app.OutcomeApproved)
	got, _ := fx.srv.LastRequest("DoVoid")
	diffFields(t, got.Fields, map[string]string{
		"METHOD": "DoVoid", "VERSION": "124", "USER": nvptest.User, "PWD": "***", "SIGNATURE": "***",
		"AUTHORIZATIONID": auth, "MSGSUBID": "void-1",
	})
	if r.Reference != auth || r.Duplicate {
		t.Errorf("void: %+v", r)
	}
	again := fx.c.Void(fx.ctx, app.VoidRequest{Key: "void-1", OriginalRef: auth})
	wantOutcome(t, "void replay", again, app.OutcomeApproved)
	if !again.Duplicate {
		t.Errorf("void replay not marked duplicate: %+v", again)
	}
	// Another key on the voided authorisation: 10600, already void.
	other := fx.c.Void(fx.ctx, app.VoidRequest{Key: "void-2", OriginalRef: auth})
	wantOutcome(t, "void of voided", other, app.OutcomeApproved)
	if !other.Duplicate || other.Code != "L_ERRORCODE0=10600" {
		t.Errorf("void of voided: %+v", other)
	}
	// A sale cannot be voided: refund it.
	_, sale := fx.approvedSale("10")
	r = fx.c.Void(fx.ctx, app.VoidRequest{Key: "void-3", OriginalRef: sale.Reference})
	wantOutcome(t, "void of sale", r, app.OutcomeDeclined)
	if !strings.Contains(r.Message, "refund") {
		t.Errorf("void of sale message %q", r.Message)
	}
}

func TestTestConnection(t *testing.T) {
	fx := newFixture(t)
	r := fx.c.TestConnection(fx.ctx)
	wantOutcome(t, "good credentials", r, app.OutcomeApproved)
	got, _ := fx.srv.LastRequest("GetBalance")
	if got.Fields["METHOD"] != "GetBalance" || got.Fields["USER"] != nvptest.User {
		t.Errorf("GetBalance fields %v", got.Fields)
	}
	bad := fx.client(func(c *Config) { c.Signature = "wrong" })
	r = bad.TestConnection(fx.ctx)
	wantOutcome(t, "bad credentials", r, app.OutcomeMerchantConfig)
	if r.Code != "L_ERRORCODE0=10002" || !strings.Contains(r.Message, "CORRELATIONID") {
		t.Errorf("bad credentials: %+v", r)
	}
	// The same credentials problem on a sale.
	r = bad.Sale(fx.ctx, saleReq(newInvoice(), amount(t, "5", "GBP"), card(panVisa)))
	wantOutcome(t, "sale with bad credentials", r, app.OutcomeMerchantConfig)
}

func TestNewConfig(t *testing.T) {
	good := Config{Endpoint: SandboxEndpoint, User: "u", Password: "p", Signature: "s"}
	if _, err := New(good); err != nil {
		t.Fatalf("New(sandbox): %v", err)
	}
	for name, mod := range map[string]func(*Config){
		"plain http to the internet": func(c *Config) { c.Endpoint = "http://api-3t.paypal.com/nvp" },
		"not a url":                  func(c *Config) { c.Endpoint = "::" },
		"query":                      func(c *Config) { c.Endpoint = LiveEndpoint + "?x=1" },
		"no user":                    func(c *Config) { c.User = "" },
		"no password":                func(c *Config) { c.Password = " " },
		"no signature":               func(c *Config) { c.Signature = "" },
		"version without MSGSUBID":   func(c *Config) { c.Version = "56.0" },
		"version not a number":       func(c *Config) { c.Version = "latest" },
	} {
		c := good
		mod(&c)
		_, err := New(c)
		if app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: err %v, want EINVALID", name, err)
		}
	}
	c := good
	c.Endpoint = "http://127.0.0.1:1/nvp"
	if _, err := New(c); err != nil {
		t.Errorf("loopback http refused: %v", err)
	}
	if EndpointFor(true) != SandboxEndpoint || EndpointFor(false) != LiveEndpoint {
		t.Error("EndpointFor")
	}
}
