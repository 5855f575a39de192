package app

import (
	"fmt"
	"strings"
	"time"
)

// Card-data validation, shared by the payment dialog (which validates as the
// person types) and the domain (which validates again before any gateway
// call).
//
// PCI hygiene: the card number and CVV stay in []byte. Nothing here converts
// them to a string, and no error carries them: an *Error from this file holds
// a fixed English Message, a translation Key and Data with the Field (and
// brand-dependent numbers such as the CVV length), never a digit of the
// number or the CVV, not even the last four.

// Limits shared by every scheme.
const (
	minCardDigits     = 12 // Maestro's shortest
	maxCardDigits     = 19
	maxExpiryYearsOut = 20 // an expiry further ahead is a typing mistake
)

// iinRule maps an issuer identification number range to a scheme: the
// first Digits digits of the number, read as an integer, lie in [Lo, Hi].
type iinRule struct {
	Lo, Hi int
	Digits int
	Brand  Brand
}

// iinRules are tried in order and the first match wins. They are listed
// longest prefix first, so a more specific range always beats a broader one.
//
// Overlaps and precedence:
//   - Maestro 6759 and 6761–6763 (UK Maestro, ex-Switch) lie inside Maestro
//     67. Same brand, so the order makes no difference. They are listed for
//     the record.
//   - Discover 6011, 644–649, 65 and 622126–622925 are tested before every
//     Maestro "6" range. Ranges that treat "any other 6" as Maestro (as some
//     libraries do) would otherwise take Discover's numbers. Here Maestro has
//     only 6304, 6759, 6761–6763 and 67, so the table is disjoint.
//     TestIINRulesDisjoint checks that.
//   - 622126–622925 (Discover, co-branded with China UnionPay) lies inside
//     UnionPay's 62. The rest of 62 (e.g. 620068…) is UnionPay, which we do not
//     support, so it is BrandUnknown.
//   - Diners 36, 38, 39 and Discover never collide. PayPal's REST sandbox
//     lists 3636 5000 0000 0260 as "JCB", but by IIN it is Diners (36), and
//     that is what we report.
//
// No rule is longer than six digits, and no longer rule of another brand
// sits inside a shorter one. So as a person types, the brand appears once
// the deciding prefix is complete (Visa after 1 digit; Amex, Diners 36/38/39,
// MC 51–55, Discover 65, Maestro 50/56–58/67 after 2; Diners 300–305 and
// Discover 644–649 after 3; MC 2221–2720, JCB, Discover 6011 and Maestro 6304
// after 4; Discover 622126–622925 after 6). After that it never changes
// (TestDetectBrandStableWhileTyping).
var iinRules = []iinRule{
	{622126, 622925, 6, BrandDiscover},
	{6011, 6011, 4, BrandDiscover},
	{2221, 2720, 4, BrandMastercard},
	{3528, 3589, 4, BrandJCB},
	{6304, 6304, 4, BrandMaestro},
	{6759, 6759, 4, BrandMaestro},
	{6761, 6763, 4, BrandMaestro},
	{644, 649, 3, BrandDiscover},
	{300, 305, 3, BrandDiners},
	{34, 34, 2, BrandAmex},
	{37, 37, 2, BrandAmex},
	{51, 55, 2, BrandMastercard},
	{65, 65, 2, BrandDiscover},
	{36, 36, 2, BrandDiners},
	{38, 39, 2, BrandDiners},
	{50, 50, 2, BrandMaestro},
	{56, 58, 2, BrandMaestro},
	{67, 67, 2, BrandMaestro},
	{4, 4, 1, BrandVisa},
}

// DetectBrand tells the scheme from the number's first digits (at most six
// are read). It works on a partial number as typed and returns BrandUnknown
// until the deciding prefix is complete, or when no supported scheme matches.
// number should be digits only (see NormalizeCardNumber). A prefix that holds
// a non-digit matches nothing.
func DetectBrand(number []byte) Brand {
	for _, r := range iinRules {
		if v, ok := prefixValue(number, r.Digits); ok && r.Lo <= v && v <= r.Hi {
			return r.Brand
		}
	}
	return BrandUnknown
}

// prefixValue reads the first k bytes of b as a decimal integer.
func prefixValue(b []byte, k int) (int, bool) {
	if len(b) < k {
		return 0, false
	}
	v := 0
	for _, c := range b[:k] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// ValidLength reports whether a number of n digits is a valid length for
// brand. BrandUnknown has no valid length.
func ValidLength(brand Brand, n int) bool {
	switch brand {
	case BrandVisa:
		return n == 13 || n == 16 || n == 19
	case BrandMastercard:
		return n == 16
	case BrandAmex:
		return n == 15
	case BrandDiscover, BrandJCB:
		return 16 <= n && n <= 19
	case BrandDiners:
		return 14 <= n && n <= 19
	case BrandMaestro:
		return minCardDigits <= n && n <= maxCardDigits
	}
	return false
}

// Luhn reports whether number passes the Luhn (mod 10) check. It is false
// for an empty number or one that holds anything but ASCII digits. It checks
// only the check digit: lengths are ValidLength's job.
func Luhn(number []byte) bool {
	if len(number) == 0 {
		return false
	}
	sum, double := 0, false
	for i := len(number) - 1; i >= 0; i-- {
		c := number[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// NormalizeCardNumber accepts a card number as people type or paste it:
// ASCII digits with ASCII spaces or hyphens anywhere between them. It returns
// a NEW slice that holds the digits only and never aliases input. The
// caller wipes both input and the result. Any other byte (letters, dots,
// tabs, non-ASCII spaces or digits) gives error.card.number_chars and a nil
// slice. Empty input (or only separators) gives an empty slice and no error:
// "required" is Validate's business, so that the dialog can normalize every
// keystroke. Lengths are not checked here. The number is never converted to
// a string.
func NormalizeCardNumber(input []byte) ([]byte, error) {
	n := 0
	for _, c := range input {
		switch {
		case '0' <= c && c <= '9':
			n++
		case c == ' ' || c == '-':
		default:
			return nil, cardError("error.card.number_chars", "number",
				"the card number may hold only digits, spaces and hyphens", nil)
		}
	}
	// Exact size: the digits are copied once and never reallocated, so no
	// stray copy of them is left behind for the garbage collector.
	out := make([]byte, 0, n)
	for _, c := range input {
		if '0' <= c && c <= '9' {
			out = append(out, c)
		}
	}
	return out, nil
}

// ValidateCardNumber checks a digits-only number and returns its brand. The
// checks run in this order: required, characters, overall length (12–19),
// supported brand, the brand's length, Luhn. The first failure is returned as
// an *Error with Data["Field"] = "number".
func ValidateCardNumber(number []byte) (Brand, error) {
	b, e := validateNumber(number)
	if e != nil {
		return b, e
	}
	return b, nil
}

func validateNumber(number []byte) (Brand, *Error) {
	if len(number) == 0 {
		return BrandUnknown, cardError("error.card.number_required", "number", "the card number is missing", nil).
			WithSeverity(SeverityMissing)
	}
	for _, c := range number {
		if c < '0' || c > '9' {
			return BrandUnknown, cardError("error.card.number_chars", "number",
				"the card number may hold only digits", nil)
		}
	}
	// Too short or too long for any scheme. Say "length" and not "unsupported",
	// because a partial number has no brand yet.
	if len(number) < minCardDigits || len(number) > maxCardDigits {
		return DetectBrand(number), cardError("error.card.number_length", "number",
			"the card number has the wrong number of digits", map[string]any{"Brand": string(DetectBrand(number))}).
			WithSeverity(SeverityIncomplete) // more digits may mend it
	}
	brand := DetectBrand(number)
	if brand == BrandUnknown {
		return brand, cardError("error.card.brand_unsupported", "number",
			"the card scheme is not supported", nil)
	}
	if !ValidLength(brand, len(number)) {
		return brand, cardError("error.card.number_length", "number",
			"the card number has the wrong number of digits for its scheme", map[string]any{"Brand": string(brand)}).
			WithSeverity(SeverityIncomplete)
	}
	if !Luhn(number) {
		return brand, cardError("error.card.number_luhn", "number",
			"the card number is not valid (check digit)", map[string]any{"Brand": string(brand)})
	}
	return brand, nil
}

// CVVLength is the length of the security code: 4 for Amex (CID), 3 for
// every other scheme (and for BrandUnknown).
func CVVLength(brand Brand) int {
	if brand == BrandAmex {
		return 4
	}
	return 3
}

// ValidateCVV checks that cvv is exactly CVVLength(brand) ASCII digits. A
// missing code, a wrong length and a non-digit all give error.card.cvv_length
// with Data{"Field": "cvv", "Length": CVVLength(brand)}.
func ValidateCVV(brand Brand, cvv []byte) error {
	if e := validateCVV(brand, cvv); e != nil {
		return e
	}
	return nil
}

func validateCVV(brand Brand, cvv []byte) *Error {
	want := CVVLength(brand)
	ok := len(cvv) == want
	for _, c := range cvv {
		if c < '0' || c > '9' {
			ok = false
		}
	}
	if ok {
		return nil
	}
	return cardError("error.card.cvv_length", "cvv",
		fmt.Sprintf("the security code must be %d digits", want), map[string]any{"Length": want})
}

// ValidateExpiry checks an expiry month (1–12) and four-digit year (as
// ParseExpiry returns it) against now. A card is valid through the END of
// its expiry month.
//
// Time zone: the comparison is by calendar month in now's location. The app
// passes time.Now(), so that is the local calendar of the computer at the
// desk, which is the calendar the cardholder reads the card against. Issuers
// and processors decide the exact instant in their own zones. At the month
// boundary we can be a few hours early or late, and the processor's answer is
// final. Comparing months, not instants, also keeps DST and month lengths out
// of it.
//
// Errors (Field "expiry"): error.card.expiry_format for month outside 1–12 or
// year outside 1000–9999 (a two-digit year must go through ParseExpiry
// first); error.card.expired when the month is over; error.card.expiry_far
// when it is more than 20 years after the current month (Data "Years": 20).
func ValidateExpiry(month, year int, now time.Time) error {
	if e := validateExpiry(month, year, now); e != nil {
		return e
	}
	return nil
}

func validateExpiry(month, year int, now time.Time) *Error {
	if month < 1 || month > 12 || year < 1000 || year > 9999 {
		return cardError("error.card.expiry_format", "expiry", "the expiry date is not a valid month and year", nil)
	}
	exp := monthIndex(year, month)
	cur := monthIndex(now.Year(), int(now.Month()))
	if exp < cur {
		return cardError("error.card.expired", "expiry", "the card has expired", nil)
	}
	if exp-cur > maxExpiryYearsOut*12 {
		return cardError("error.card.expiry_far", "expiry",
			fmt.Sprintf("the expiry date is more than %d years ahead", maxExpiryYearsOut), map[string]any{"Years": maxExpiryYearsOut})
	}
	return nil
}

func monthIndex(year, month int) int { return year*12 + month - 1 }

// ParseExpiry reads an expiry date as typed: "MM/YY", "MM/YYYY" or "MMYY".
// With a slash, the month may be a single digit ("3/28") and spaces around
// the slash or the whole text are ignored. A two-digit year means 20YY, which
// holds for card expiries until 2099. The month must be 1–12 and a four-digit
// year at least 1000. Anything else (including "MMYYYY", other separators and
// non-ASCII digits) gives error.card.expiry_format, Field "expiry". Whether
// the date is past or too far ahead is ValidateExpiry's job.
func ParseExpiry(s string) (month, year int, err error) {
	bad := func() (int, int, error) {
		return 0, 0, cardError("error.card.expiry_format", "expiry",
			"the expiry date must be MM/YY, MM/YYYY or MMYY", nil)
	}
	s = strings.TrimSpace(s)
	var ms, ys string
	if i := strings.IndexByte(s, '/'); i >= 0 {
		ms, ys = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		if len(ms) < 1 || len(ms) > 2 {
			return bad()
		}
	} else {
		if len(s) != 4 {
			return bad()
		}
		ms, ys = s[:2], s[2:]
	}
	if len(ys) != 2 && len(ys) != 4 {
		return bad()
	}
	m, ok1 := asciiInt(ms)
	y, ok2 := asciiInt(ys)
	if !ok1 || !ok2 || m < 1 || m > 12 {
		return bad()
	}
	if len(ys) == 2 {
		y += 2000
	} else if y < 1000 {
		return bad()
	}
	return m, y, nil
}

// asciiInt parses a short run of ASCII digits (no sign, no spaces).
func asciiInt(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// ValidateMaestroExtras checks the fields that UK Maestro cards (ex-Switch
// and Solo) may need: the start date ("valid from") and the issue number.
// For a card that is not Maestro by its number, it returns nil. The fields
// are ignored, and a gateway must not send them.
//
// For Maestro cards:
//   - a start date, when present (StartMonth or StartYear non-zero), must be
//     a month 1–12 and a four-digit year that is not after now's month (in
//     now's location, as in ValidateExpiry). Otherwise error.card.maestro_start.
//   - an issue number, when present, must be 1 or 2 ASCII digits. Otherwise
//     error.card.maestro_issue.
//   - when needed (the processor asks for them), at least one of the two must
//     be present. Otherwise error.card.maestro_start with Data "Required":
//     true, so the dialog marks the start date and its message mentions the
//     issue number as the alternative.
//
// Values that are present are checked even when not needed, because the
// gateway would send them.
func ValidateMaestroExtras(card *Card, now time.Time, needed bool) error {
	if e := validateMaestroExtras(card, now, needed); e != nil {
		return e
	}
	return nil
}

func validateMaestroExtras(card *Card, now time.Time, needed bool) *Error {
	if card == nil || DetectBrand(card.Number) != BrandMaestro {
		return nil
	}
	hasStart := card.StartMonth != 0 || card.StartYear != 0
	hasIssue := card.IssueNumber != ""
	if hasStart {
		m, y := card.StartMonth, card.StartYear
		if m < 1 || m > 12 || y < 1000 || y > 9999 {
			return cardError("error.card.maestro_start", "start", "the start date is not a valid month and year", nil)
		}
		if monthIndex(y, m) > monthIndex(now.Year(), int(now.Month())) {
			return cardError("error.card.maestro_start", "start", "the start date is in the future", nil)
		}
	}
	if hasIssue {
		if _, ok := asciiInt(card.IssueNumber); !ok || len(card.IssueNumber) > 2 {
			return cardError("error.card.maestro_issue", "issue", "the issue number must be one or two digits", nil)
		}
	}
	if needed && !hasStart && !hasIssue {
		return cardError("error.card.maestro_start", "start",
			"this Maestro card needs its start date or its issue number", map[string]any{"Required": true})
	}
	return nil
}

// Validate runs every check on c in the order of the form and returns the
// first problem as an *Error with Code EINVALID. The order is: number
// (required, characters, length, brand, brand length, Luhn), expiry, CVV for
// the brand, holder, then the Maestro extras (only for Maestro cards, required
// when needMaestroExtras). Data["Field"] names the dialog field ("number",
// "expiry", "cvv", "holder", "start", "issue"). No error carries a digit of
// the number or the CVV.
func (c *Card) Validate(now time.Time, needMaestroExtras bool) error {
	if c == nil {
		return cardError("error.card.number_required", "number", "the card number is missing", nil)
	}
	brand, e := validateNumber(c.Number)
	if e != nil {
		return e
	}
	if e := validateExpiry(c.ExpMonth, c.ExpYear, now); e != nil {
		return e
	}
	if e := validateCVV(brand, c.CVV); e != nil {
		return e
	}
	if strings.TrimSpace(c.Holder) == "" {
		return cardError("error.card.holder_required", "holder", "the cardholder's name is missing", nil)
	}
	if err := CheckLine(FieldCardholder, TrimLine(c.Holder)); err != nil {
		return err // Data["Field"] is "holder", as cardError's
	}
	if e := validateMaestroExtras(c, now, needMaestroExtras); e != nil {
		return e
	}
	return nil
}

// cardError builds an EINVALID *Error with Data{"Field": field} plus extra.
// msg is a fixed English text. It must never be built from card data.
func cardError(key, field, msg string, extra map[string]any) *Error {
	data := make(map[string]any, len(extra)+1)
	for k, v := range extra {
		data[k] = v
	}
	data["Field"] = field
	return &Error{Code: EINVALID, Key: key, Message: msg, Data: data, Field: field}
}

// GroupCardNumber formats digits for display while typing, in a NEW slice
// (the caller wipes it like the number): Amex 4-6-5; Diners 4-6-4 while it has
// at most 14 digits (its classic length; longer Diners numbers switch to
// fours); every other scheme, and BrandUnknown, in groups of four. Digits past
// the scheme's pattern continue in fours. Groups are separated by one ASCII
// space, so NormalizeCardNumber turns the result back into digits.
func GroupCardNumber(digits []byte, brand Brand) []byte {
	var pattern []int
	switch {
	case brand == BrandAmex:
		pattern = []int{4, 6, 5}
	case brand == BrandDiners && len(digits) <= 14:
		pattern = []int{4, 6, 4}
	}
	size := func(g int) int {
		if g < len(pattern) {
			return pattern[g]
		}
		return 4
	}
	// Count the separators first, so the result is allocated once at its
	// exact size.
	seps := 0
	for left, g := len(digits), 0; left > size(g); g++ {
		left -= size(g)
		seps++
	}
	out := make([]byte, 0, len(digits)+seps)
	g, inGroup := 0, 0
	for _, d := range digits {
		if inGroup == size(g) {
			out = append(out, ' ')
			g, inGroup = g+1, 0
		}
		out = append(out, d)
		inGroup++
	}
	return out
}

// MaskCardNumber is the form shown after entry: "•••• 4242". PCI DSS 3.4.1
// allows the last four, and nothing more is ever shown. If last4 is longer,
// only its last four are used (so a full number passed by mistake is still
// masked). If it holds fewer than four ASCII digits or anything else, the
// result is "••••". The mask is the same for every brand: the dialog shows
// the brand's name or logo next to it.
func MaskCardNumber(brand Brand, last4 string) string {
	const dots = "••••"
	if len(last4) < 4 {
		return dots
	}
	tail := last4[len(last4)-4:]
	if _, ok := asciiInt(tail); !ok {
		return dots
	}
	return dots + " " + tail
}

// PayflowTestCards are PayPal's published Payflow test card numbers (the
// Payflow Pro testing guide). The offline sandbox accepts only these, so a
// real card can never be "charged" in Test mode; the strict test servers
// use them too.
var PayflowTestCards = map[string]Brand{
	"378282246310005":  BrandAmex,
	"371449635398431":  BrandAmex,
	"378734493671000":  BrandAmex,
	"30569309025904":   BrandDiners,
	"6011111111111117": BrandDiscover,
	"6011000990139424": BrandDiscover,
	"3530111333300000": BrandJCB,
	"3566002020360505": BrandJCB,
	"2221000000000009": BrandMastercard,
	"2223000048400011": BrandMastercard,
	"2223016768739313": BrandMastercard,
	"5555555555554444": BrandMastercard,
	"5105105105105100": BrandMastercard,
	"4111111111111111": BrandVisa,
	"4012888888881881": BrandVisa,
	"4222222222222":    BrandVisa,
}
