package app

import (
	"context"
	"strings"
	"time"
)

// The card form's fields, as Error.Field names them.
const (
	CardFieldHolder   = "holder"
	CardFieldNumber   = "number"
	CardFieldExpiry   = "expiry"
	CardFieldCVV      = "cvv"
	CardFieldStart    = "start" // a Maestro card's start date ("valid from")
	CardFieldIssue    = "issue" // a Maestro card's issue number
	CardFieldPostcode = "postcode"
	CardFieldCountry  = "country"
)

// MaxPostcodeLen is the longest billing postcode accepted (the longest in
// use have 10 characters, e.g. "01000-000" or "SW1A 1AA" with room).
const MaxPostcodeLen = 10

// Need says whether a form field must be filled in.
type Need uint8

const (
	NeedOptional Need = iota
	NeedRequired
)

// CardRules are the domain's rules for a card form paying with one method:
// which fields it shows, which it needs, and each field's problem. Every
// card form presents them (the card dialog wherever it opens) and Charge
// applies the same rules, so a person learns of a problem before Pay, not
// from Charge's refusal.
type CardRules struct {
	Method    Method
	Processor Processor
	// MaestroExtras: whether a Maestro card needs its start date or its
	// issue number. Website Payments Pro (UK) on classic NVP refuses a
	// Maestro sale without one of them; elsewhere they are optional.
	MaestroExtras Need
}

// CardRulesFor is the rules for paying with m through processor p.
func CardRulesFor(m Method, p Processor) CardRules {
	r := CardRules{Method: m, Processor: p}
	if p == ProcessorWPPUKNVP {
		r.MaestroExtras = NeedRequired
	}
	return r
}

// CardRules answers which card rules apply to a payment with m, from the
// processor the site sends m to. It reads the settings: call it off the UI
// thread.
func (s *PaymentService) CardRules(ctx context.Context, m Method) (CardRules, error) {
	_, proc, _, err := s.Gateways.ForMethod(ctx, m)
	if err != nil {
		return CardRules{}, err
	}
	return CardRulesFor(m, proc), nil
}

// ShowsMaestroExtras reports whether a card of brand b has the start date
// and issue number fields: only Maestro cards (UK Maestro, ex-Switch and
// Solo) carry them; for any other card they are never sent.
func (r CardRules) ShowsMaestroExtras(b Brand) bool { return b == BrandMaestro }

// CardForm is a card form as typed. Number may hold the grouping spaces or
// hyphens; the caller wipes Number and CVV.
type CardForm struct {
	Holder   string
	Number   []byte
	Expiry   string
	CVV      []byte
	Start    string // Maestro only, as typed ("MM/YY")
	Issue    string // Maestro only
	Postcode string
	Country  string // ISO 3166 code, "" when none is chosen
}

// Check returns the problem of each field of f (at most one per field,
// each with its Field and Severity), in the order of the form; none when f
// can be charged under r. Every problem blocks Pay. No error carries a
// digit of the number or the CVV.
func (r CardRules) Check(f CardForm, now time.Time) []*Error {
	var errs []*Error
	add := func(e *Error, s Severity) { errs = append(errs, e.WithSeverity(s)) }

	if strings.TrimSpace(f.Holder) == "" {
		add(cardError("error.card.holder_required", CardFieldHolder, "the cardholder's name is missing", nil), SeverityMissing)
	} else if err := CheckLine(FieldCardholder, TrimLine(f.Holder)); err != nil {
		add(AsError(err), SeverityInvalid)
	}

	digits, err := NormalizeCardNumber(f.Number)
	defer wipeBytes(digits)
	brand := DetectBrand(digits)
	if err == nil {
		brand, err = ValidateCardNumber(digits) // each error with its severity
	}
	if err != nil {
		errs = append(errs, AsError(err).WithField(CardFieldNumber))
	}

	if month, year, err := ParseExpiry(f.Expiry); err != nil {
		add(AsError(err), typingSeverity(f.Expiry, 0))
	} else if err := ValidateExpiry(month, year, now); err != nil {
		add(AsError(err), SeverityInvalid) // expired, or too far ahead
	}

	if err := ValidateCVV(brand, f.CVV); err != nil {
		s := SeverityIncomplete
		if len(f.CVV) == 0 {
			s = SeverityMissing
		} else if len(f.CVV) > CVVLength(brand) || !allDigits(string(f.CVV)) {
			s = SeverityInvalid
		}
		add(AsError(err), s)
	}

	if r.ShowsMaestroExtras(brand) {
		errs = append(errs, r.checkMaestroExtras(digits, f, now)...)
	}

	if err := ValidatePostcode(f.Postcode); err != nil {
		add(AsError(err), SeverityInvalid)
	}
	if f.Country == "" {
		add(cardError("error.card.country_required", CardFieldCountry, "the billing country is missing", nil), SeverityInvalid)
	}
	if len(errs) == 0 {
		// The whole card, as Charge will check it.
		c, err := f.Card()
		if err == nil {
			err = c.Validate(now, r.MaestroExtras == NeedRequired)
		}
		c.Wipe()
		if err != nil {
			add(AsError(err), SeverityInvalid)
		}
	}
	return errs
}

// checkMaestroExtras checks a Maestro card's start date and issue number,
// each on its own, then whether one of them is there when r needs it. That
// last error is about the start date (the issue number is the alternative
// its message names) and has SeverityMissing.
func (r CardRules) checkMaestroExtras(digits []byte, f CardForm, now time.Time) []*Error {
	var errs []*Error
	start, issue := strings.TrimSpace(f.Start), strings.TrimSpace(f.Issue)
	if start != "" {
		month, year, err := ParseExpiry(start)
		if err != nil {
			errs = append(errs, cardError("error.card.start_format", CardFieldStart,
				"the start date must be MM/YY, MM/YYYY or MMYY", nil).WithSeverity(typingSeverity(start, len("MM/YYYY"))))
		} else if e := validateMaestroExtras(&Card{Number: digits, StartMonth: month, StartYear: year}, now, false); e != nil {
			errs = append(errs, e) // in the future
		}
	}
	if issue != "" {
		if e := validateMaestroExtras(&Card{Number: digits, IssueNumber: issue}, now, false); e != nil {
			errs = append(errs, e) // too long, or not digits
		}
	}
	if start == "" && issue == "" {
		if e := validateMaestroExtras(&Card{Number: digits}, now, r.MaestroExtras == NeedRequired); e != nil {
			errs = append(errs, e.WithSeverity(SeverityMissing))
		}
	}
	return errs
}

// Validate checks a card and its payer as Charge does before any journal
// row: the whole card (Card.Validate, with the Maestro extras when r needs
// them) and the billing postcode.
func (r CardRules) Validate(c *Card, payer Payer, now time.Time) error {
	if err := c.Validate(now, r.MaestroExtras == NeedRequired); err != nil {
		return err
	}
	return ValidatePostcode(payer.PostalCode)
}

// Card builds the card from a form that Check passes, with fresh []byte for
// the number and the CVV (the caller wipes it; Charge does). The Maestro
// fields of another card are never taken.
func (f CardForm) Card() (*Card, error) {
	number, err := NormalizeCardNumber(f.Number)
	if err != nil {
		return &Card{}, err
	}
	c := &Card{Number: number, CVV: append([]byte(nil), f.CVV...), Holder: strings.TrimSpace(f.Holder)}
	c.ExpMonth, c.ExpYear, err = ParseExpiry(f.Expiry)
	if err != nil || DetectBrand(number) != BrandMaestro {
		return c, err
	}
	if s := strings.TrimSpace(f.Start); s != "" {
		if c.StartMonth, c.StartYear, err = ParseExpiry(s); err != nil {
			return c, cardError("error.card.start_format", CardFieldStart, "the start date must be MM/YY, MM/YYYY or MMYY", nil)
		}
	}
	c.IssueNumber = strings.TrimSpace(f.Issue)
	return c, nil
}

// ValidatePostcode checks a billing postcode, which the gateways send for
// the address check: empty, or up to MaxPostcodeLen letters, digits, spaces
// and hyphens (the shapes postcodes take worldwide). Otherwise
// error.card.postcode_invalid, Field "postcode".
func ValidatePostcode(s string) error {
	s = strings.TrimSpace(s)
	ok := len([]rune(s)) <= MaxPostcodeLen
	for _, r := range s {
		if !(r == ' ' || r == '-' || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z') || ('a' <= r && r <= 'z')) {
			ok = false
		}
	}
	if !ok {
		return cardError("error.card.postcode_invalid", CardFieldPostcode,
			"the postcode may hold only letters, digits, spaces and hyphens", map[string]any{"Max": MaxPostcodeLen})
	}
	return nil
}

// typingSeverity is the severity of a date that does not parse yet: text
// with other characters than digits, slashes and spaces, or (when max > 0)
// longer than max, cannot be mended by typing more.
func typingSeverity(s string, max int) Severity {
	s = strings.TrimSpace(s)
	if (max > 0 && len(s) > max) || strings.TrimFunc(s, func(r rune) bool { return r == '/' || r == ' ' || ('0' <= r && r <= '9') }) != "" {
		return SeverityInvalid
	}
	return SeverityIncomplete
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func wipeBytes(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
