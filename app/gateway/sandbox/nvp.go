package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/internal/nvpwire"
	"github.com/trainpay/trainpay/app/gateway/internal/wirefault"
	"github.com/trainpay/trainpay/app/gateway/nvp"
)

// The API username and signature NVPConfig returns (with Password). Any
// values are accepted; these only look like PayPal's.
const (
	NVPUser      = "sandbox_api1.trainpay.invalid"
	NVPSignature = "TrainPay-offline-sandbox-signature"
)

// Classic NVP codes the sandbox answers with (nvp/codes.go says what the
// client makes of each).
const (
	nvpHeld           = 11610 // warning: Payment Pending your review in Fraud Management Filters
	nvpDuplicateMsgID = 11607 // warning: Duplicate request for specified Message Submission ID
	nvpDuplicateInv   = 10412 // duplicate invoice: "Payment has already been made for this InvoiceID"
)

// nvpTime is the format of TIMESTAMP, STARTDATE and L_TIMESTAMPn.
const nvpTime = "2006-01-02T15:04:05Z"

// nvpMaxRows is TransactionSearch's row limit (warning 11002 beyond it).
const nvpMaxRows = 100

// nvpError is one L_ERRORCODEn entry.
type nvpError struct {
	code        int
	short, long string
	warning     bool // severity Warning rather than Error
}

// nvpReply is a reply's method fields; render adds the common ones.
type nvpReply map[string]string

func (m nvpReply) addErrors(errs ...nvpError) {
	n := 0
	for {
		if _, ok := m["L_ERRORCODE"+strconv.Itoa(n)]; !ok {
			break
		}
		n++
	}
	for _, e := range errs {
		i := strconv.Itoa(n)
		sev := "Error"
		if e.warning {
			sev = "Warning"
		}
		m["L_ERRORCODE"+i] = strconv.Itoa(e.code)
		m["L_SHORTMESSAGE"+i] = e.short
		m["L_LONGMESSAGE"+i] = e.long
		m["L_SEVERITYCODE"+i] = sev
		n++
	}
}

func nvpFailure(e nvpError) nvpReply {
	m := nvpReply{"ACK": "Failure"}
	m.addErrors(e)
	return m
}

const refusedArgument = "Transaction refused because of an invalid argument. See additional error messages for details."

// nvpArgument is PayPal's generic refusal of a malformed request (10004):
// nothing was processed.
func nvpArgument(long string) nvpError { return nvpError{10004, refusedArgument, long, false} }

// correlationID is a fresh CORRELATIONID: 13 hex digits, like PayPal's.
func correlationID() string {
	var b [7]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])[:13]
}

// render completes m with the fields every reply carries and encodes it,
// common fields first (PayPal's order), then the rest by name.
func (s *Sandbox) render(m nvpReply, version string) string {
	m["TIMESTAMP"] = s.now().UTC().Format(nvpTime)
	m["CORRELATIONID"] = correlationID()
	m["VERSION"] = version
	m["BUILD"] = "0"
	return nvpwire.Encode(m)
}

func writeNVP(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = io.WriteString(w, body)
}

// parseForm parses an application/x-www-form-urlencoded body in place:
// each value is unescaped into its own bytes and returned as a slice of
// the body, so that the card number is never copied into a string or a
// second buffer. Names are letters, digits and '_'; a repeated name or a
// broken escape refuses the whole body. Errors never quote values.
func parseForm(b []byte) (map[string][]byte, error) {
	m := map[string][]byte{}
	for len(b) > 0 {
		end := bytes.IndexByte(b, '&')
		if end < 0 {
			end = len(b)
		}
		part := b[:end]
		if end < len(b) {
			b = b[end+1:]
		} else {
			b = nil
		}
		if len(part) == 0 {
			continue
		}
		eq := bytes.IndexByte(part, '=')
		if eq < 1 {
			return nil, errors.New("a part of the body is not name=value")
		}
		name, ok := unescapeInPlace(part[:eq])
		if !ok || !nvpName(name) {
			return nil, errors.New("a field name is not valid")
		}
		value, ok := unescapeInPlace(part[eq+1:])
		if !ok {
			return nil, errors.New("the value of " + string(name) + " has an invalid %-escape")
		}
		if _, dup := m[string(name)]; dup {
			return nil, errors.New(string(name) + " is given twice")
		}
		m[string(name)] = value
	}
	return m, nil
}

func nvpName(n []byte) bool {
	if len(n) == 0 || len(n) > 64 {
		return false
	}
	for _, c := range n {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// unescapeInPlace decodes '+' and %XX within v and zeroes the bytes the
// decoding freed.
func unescapeInPlace(v []byte) ([]byte, bool) {
	unhex := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	w := 0
	for r := 0; r < len(v); r++ {
		c := v[r]
		switch c {
		case '+':
			c = ' '
		case '%':
			if r+2 >= len(v) {
				return nil, false
			}
			hi, ok1 := unhex(v[r+1])
			lo, ok2 := unhex(v[r+2])
			if !ok1 || !ok2 {
				return nil, false
			}
			c = hi<<4 | lo
			r += 2
		}
		v[w] = c
		w++
	}
	clear(v[w:])
	return v[:w], true
}

// nvpHandler handles one classic NVP call.
func (s *Sandbox) nvpHandler(w http.ResponseWriter, r *http.Request) {
	// One fixed buffer, zeroed on the way out: reading with io.ReadAll
	// would leave copies of the card number in the arrays it outgrows.
	buf := make([]byte, maxBody+1)
	defer clear(buf)
	n, err := io.ReadFull(r.Body, buf)
	switch {
	case err == nil: // the buffer filled: too large
		writeNVP(w, s.render(nvpFailure(nvpArgument("The request is too large")), nvp.DefaultVersion))
		return
	case !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
		return // the client went away
	}
	fields, err := parseForm(buf[:n])
	if err != nil {
		writeNVP(w, s.render(nvpFailure(nvpArgument(err.Error())), nvp.DefaultVersion))
		return
	}
	req := &request{fields: fields}

	// Credentials and version come first, and their failures are not
	// recorded.
	version := req.get("VERSION")
	versionOK := false
	if v, err := strconv.ParseFloat(version, 64); err == nil && v > 0 && len(version) <= 10 && allDigits(strings.Replace(version, ".", "", 1)) {
		versionOK = true
	} else {
		version = nvp.DefaultVersion // what the reply echoes
	}
	switch {
	case len(fields["USER"]) == 0 || len(fields["PWD"]) == 0 || len(fields["SIGNATURE"]) == 0 || req.get("PWD") == "invalid":
		writeNVP(w, s.render(nvpFailure(nvpError{10002, "Security error", "Security header is not valid", false}), version))
		return
	case !versionOK:
		writeNVP(w, s.render(nvpFailure(nvpError{10006, "Version error", "Version is not supported", false}), version))
		return
	}

	// The lost-reply rules (V = 1097 and 1098) apply to every
	// DoDirectPayment that carries card data, as on the Payflow route.
	byAmount := nvpRule(req)
	withCard := req.get("METHOD") == "DoDirectPayment" && req.has("ACCT")
	if withCard && byAmount == ruleDropped {
		wirefault.HangUp(w, false) // before processing: nothing charged
		return
	}

	s.mu.Lock()
	next := s.state.clone()
	out, stored := s.nvpProcess(&next, req, version)
	if stored {
		if !s.commit(w, next) {
			s.mu.Unlock()
			return
		}
	}
	s.mu.Unlock()

	if withCard && byAmount == ruleReplyLost {
		wirefault.HangUp(w, false) // after processing: charged, but the reply is lost
		return
	}
	writeNVP(w, out)
}

// nvpProcess decides a call against st. It returns the reply and whether
// st changed (searches, balances and MSGSUBID replays change nothing).
func (s *Sandbox) nvpProcess(st *state, req *request, version string) (string, bool) {
	switch method := req.get("METHOD"); method {
	case "DoDirectPayment":
		e, rep := s.nvpSale(st, req)
		return s.nvpRecord(st, e, rep, version), true
	case "RefundTransaction", "DoVoid":
		typ := "refund"
		if method == "DoVoid" {
			typ = "void"
		}
		if msgsub := req.get("MSGSUBID"); msgsub != "" {
			if body, ok := s.nvpReplay(st, typ, msgsub, version); ok {
				return body, false
			}
		}
		var e Entry
		var rep nvpReply
		if typ == "refund" {
			e, rep = s.nvpRefund(st, req)
		} else {
			e, rep = s.nvpVoid(st, req)
		}
		return s.nvpRecord(st, e, rep, version), true
	case "TransactionSearch":
		return s.render(s.nvpSearch(st, req), version), false
	case "GetBalance":
		return s.render(nvpBalance(st), version), false
	}
	return s.render(nvpFailure(nvpError{81002, "Unspecified Method", "Method Specified is not Supported", false}), version), false
}

// nvpRecord appends e with its reply and returns the reply.
func (s *Sandbox) nvpRecord(st *state, e Entry, rep nvpReply, version string) string {
	e.Protocol = ProtocolNVP
	e.Time = s.now().UTC()
	e.Reply = s.render(rep, version)
	st.Entries = append(st.Entries, e)
	return e.Reply
}

// nvpID issues a transaction id: 17 characters, like PayPal's, and never
// equal to a Payflow PNREF (12 characters) since both count st.Seq.
func nvpID(st *state) string {
	st.Seq++
	return fmt.Sprintf("SBX%014d", st.Seq)
}

// nvpReplay answers a resend of a successful refund or void's MSGSUBID:
// the original's reply, ACK=SuccessWithWarning with warning 11607, and
// the new request's data ignored. Failed originals are not kept (as at
// PayPal), so their MSGSUBID processes afresh.
func (s *Sandbox) nvpReplay(st *state, typ, msgsub, version string) (string, bool) {
	for i := len(st.Entries) - 1; i >= 0; i-- {
		e := st.Entries[i]
		if e.Protocol != ProtocolNVP || e.Type != typ || e.MsgSubID != msgsub || e.Result != 0 {
			continue
		}
		vals, err := url.ParseQuery(e.Reply)
		if err != nil {
			return "", false
		}
		m := nvpReply{}
		for k, v := range vals {
			m[k] = v[0]
		}
		m["ACK"] = "SuccessWithWarning"
		m.addErrors(nvpError{nvpDuplicateMsgID, "Duplicate Request", "Duplicate request for specified Message Submission ID.", true})
		return s.render(m, version), true
	}
	return "", false
}

// nvpType is DoDirectPayment's CREDITCARDTYPE for a brand ("" for a
// scheme it does not take).
func nvpType(b app.Brand) string {
	switch b {
	case app.BrandVisa:
		return "Visa"
	case app.BrandMastercard:
		return "MasterCard"
	case app.BrandDiscover:
		return "Discover"
	case app.BrandAmex:
		return "Amex"
	}
	return ""
}

// nvpDigits is PayPal's number of decimals for a currency: ISO 4217,
// except HUF and TWD, which PayPal takes without decimals.
func nvpDigits(code string) (int, bool) {
	switch code {
	case "HUF", "TWD":
		return 0, true
	}
	if len(code) != 3 || strings.ToUpper(code) != code {
		return 0, false
	}
	d, ok := currency.GetDigits(code)
	return int(d), ok
}

// nvpMinor reads an amount with exactly the currency's decimals into
// minor units.
func nvpMinor(amt, code string) (int64, bool) {
	d, ok := nvpDigits(code)
	if !ok || amt == "" || len(amt) > 16 {
		return 0, false
	}
	whole, frac, hasDot := strings.Cut(amt, ".")
	if whole == "" || hasDot != (d > 0) || len(frac) != d || !allDigits(whole) || !allDigits(frac) {
		return 0, false
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

func allDigits[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func nvpFormat(n int64, code string) string {
	d, _ := nvpDigits(code)
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	if d == 0 {
		return sign + strconv.FormatInt(n, 10)
	}
	s := fmt.Sprintf("%0*d", d+1, n)
	return sign + s[:len(s)-d] + "." + s[len(s)-d:]
}

// nvpExpiry checks EXPDATE (MMYYYY): malformed, expired (a card is valid
// to the end of its month) or fine.
func nvpExpiry(exp string, now time.Time) (valid, expired bool) {
	if len(exp) != 6 || !allDigits(exp) {
		return false, false
	}
	month, _ := strconv.Atoi(exp[:2])
	year, _ := strconv.Atoi(exp[2:])
	if month < 1 || month > 12 || year < 2000 {
		return false, false
	}
	now = now.UTC()
	return true, year < now.Year() || year == now.Year() && month < int(now.Month())
}

const cardRefused = "This transaction cannot be processed."

// nvpSale decides a DoDirectPayment.
func (s *Sandbox) nvpSale(st *state, req *request) (Entry, nvpReply) {
	e := Entry{Type: "sale", PNREF: nvpID(st), InvoiceID: req.get("INVNUM"), Currency: req.get("CURRENCYCODE")}
	if e.Currency == "" {
		e.Currency = "USD" // PayPal's default
	}
	fail := func(ne nvpError) (Entry, nvpReply) {
		e.Result, e.Message = ne.code, ne.long
		return e, nvpFailure(ne)
	}
	if a := req.get("PAYMENTACTION"); a != "" && a != "Sale" {
		return fail(nvpArgument("The sandbox takes PAYMENTACTION=Sale only"))
	}
	if !req.has("IPADDRESS") {
		return fail(nvpError{10509, "Invalid Data", "You must submit an IP address of the buyer with each API call.", false})
	}
	if ip, err := netip.ParseAddr(req.get("IPADDRESS")); err != nil || !ip.Is4() {
		return fail(nvpArgument("IPADDRESS must be an IPv4 address of at most 15 characters"))
	}
	if len(e.InvoiceID) > 127 {
		e.InvoiceID = ""
		return fail(nvpError{10432, "Invalid argument", "Invoice ID value exceeds maximum allowable length.", false})
	}
	if _, ok := nvpDigits(e.Currency); !ok {
		e.Currency = ""
		return fail(nvpArgument("CURRENCYCODE is not a currency code"))
	}
	minor, ok := nvpMinor(req.get("AMT"), e.Currency)
	if !ok {
		return fail(nvpArgument("AMT must have exactly the currency's decimals, without separators"))
	}
	e.Amount = req.get("AMT")
	if minor == 0 {
		return fail(nvpError{10525, "Invalid Data", cardRefused + " The amount to be charged is zero.", false})
	}

	// Card data: compared as bytes, never made a string. Only the brand
	// and last four digits are kept.
	acct := req.fields["ACCT"]
	if len(acct) == 0 {
		return fail(nvpError{10519, "Invalid Data", "Please enter a credit card.", false})
	}
	for number, brand := range TestCards {
		if bytes.Equal(acct, []byte(number)) {
			e.Brand, e.Last4 = brand, number[len(number)-4:]
		}
	}
	if e.Brand == "" {
		// Not a test card: refused, and nothing about it is kept.
		return fail(nvpError{10527, "Invalid Data", cardRefused + " Please enter a valid credit card number and type. (The sandbox accepts PayPal's test cards only.)", false})
	}
	typ := nvpType(e.Brand)
	if typ == "" {
		return fail(nvpError{10510, "Invalid Data", "The credit card type is not supported. Try another card type.", false})
	}
	if !strings.EqualFold(req.get("CREDITCARDTYPE"), typ) {
		return fail(nvpError{10527, "Invalid Data", cardRefused + " Please enter a valid credit card number and type.", false})
	}
	valid, expired := nvpExpiry(req.get("EXPDATE"), s.now())
	switch {
	case !valid:
		return fail(nvpError{10508, "Invalid Data", cardRefused + " Please enter a valid credit card expiration date.", false})
	case expired:
		return fail(nvpError{10502, "Invalid Data", cardRefused + " Please use a valid credit card.", false})
	}
	cvv, hasCVV := req.fields["CVV2"]
	if hasCVV {
		want := 3
		if typ == "Amex" {
			want = 4
		}
		if len(cvv) != want || !allDigits(cvv) {
			return fail(nvpError{10504, "Invalid Data", cardRefused + " Please enter a valid Credit Card Verification Number.", false})
		}
	}
	if len(req.fields["FIRSTNAME"]) == 0 {
		return fail(nvpError{10512, "Invalid Data", "There's an error with this transaction. Please enter a first name.", false})
	}
	if len(req.fields["LASTNAME"]) == 0 {
		return fail(nvpError{10513, "Invalid Data", "There's an error with this transaction. Please enter a last name.", false})
	}

	// PayPal's duplicate-invoice check: an INVNUM that already paid.
	if e.InvoiceID != "" {
		for _, o := range st.Entries {
			if o.Protocol == ProtocolNVP && o.Charged() && o.InvoiceID == e.InvoiceID {
				return fail(nvpError{nvpDuplicateInv, "Duplicate invoice", "Payment has already been made for this InvoiceID.", false})
			}
		}
	}
	byAmount := nvpRule(req)
	if cvv000 := hasCVV && bytes.Equal(cvv, []byte("000")); cvv000 || byAmount == ruleCVV {
		hint := ""
		if !cvv000 {
			hint = " (Sandbox: " + pilotHint(e.Currency, 1014) + " simulates a security code mismatch.)"
		}
		declined, rep := fail(nvpError{15004, "Gateway Decline", cardRefused + " Please enter a valid Credit Card Verification Number." + hint, false})
		rep["CVV2MATCH"] = "N"
		return declined, rep
	}
	switch byAmount {
	case ruleDeclined:
		return fail(nvpError{10417, "Transaction cannot complete.", "The transaction cannot complete successfully. Instruct the customer to use an alternative payment method. (Sandbox: " +
			pilotHint(e.Currency, 1012) + ", and any amount above " + pilotHint(e.Currency, pilotDeclineOver) + ", is declined.)", false})
	case ruleReferral:
		return fail(nvpError{10752, "Gateway Decline", cardRefused + " The transaction was declined by the issuing bank, not PayPal: the customer should contact the bank. (Sandbox: " +
			pilotHint(e.Currency, 1013) + " simulates a referral.)", false})
	case ruleInsufficient:
		return fail(nvpError{15005, "Processor Decline", cardRefused + " The transaction was declined by the issuing bank, not PayPal. (Sandbox: " +
			pilotHint(e.Currency, 1050) + " simulates insufficient funds.)", false})
	case ruleOverLimit:
		return fail(nvpError{10553, "Gateway Decline", cardRefused + " The amount exceeds the limit for a single transaction. (Sandbox: " +
			pilotHint(e.Currency, 1051) + " exceeds the limit.)", false})
	}

	e.Refunded = nvpFormat(0, e.Currency)
	rep := nvpReply{"ACK": "Success", "TRANSACTIONID": e.PNREF, "AMT": e.Amount, "CURRENCYCODE": e.Currency, "AVSCODE": "X", "CVV2MATCH": "X"}
	if hasCVV {
		rep["CVV2MATCH"] = "M"
	}
	e.Message = "Success"
	if byAmount == ruleHeld {
		held := nvpError{nvpHeld, "Payment Pending your review in Fraud Management Filters", "Payment Pending your review in Fraud Management Filters", true}
		rep["ACK"] = "SuccessWithWarning"
		rep.addErrors(held)
		e.Result, e.Message = held.code, held.long
	}
	return e, rep
}

// nvpEntry finds an NVP entry by its transaction id (-1: none).
func nvpEntry(st *state, id string) int {
	if id == "" {
		return -1
	}
	for i, e := range st.Entries {
		if e.Protocol == ProtocolNVP && e.PNREF == id {
			return i
		}
	}
	return -1
}

func checkMsgSubID(m string) *nvpError {
	if len(m) > 38 {
		e := nvpArgument("MSGSUBID is longer than 38 characters")
		return &e
	}
	return nil
}

// nvpRefund decides a RefundTransaction.
func (s *Sandbox) nvpRefund(st *state, req *request) (Entry, nvpReply) {
	e := Entry{Type: "refund", PNREF: nvpID(st), OrigPNREF: req.get("TRANSACTIONID"), MsgSubID: req.get("MSGSUBID")}
	fail := func(ne nvpError) (Entry, nvpReply) {
		e.Result, e.Message = ne.code, ne.long
		return e, nvpFailure(ne)
	}
	refused := func(long string) (Entry, nvpReply) { return fail(nvpError{10009, "Transaction refused", long, false}) }
	if bad := checkMsgSubID(e.MsgSubID); bad != nil {
		e.MsgSubID = ""
		return fail(*bad)
	}
	if e.OrigPNREF == "" {
		return fail(nvpArgument("A transaction id is required"))
	}
	i := nvpEntry(st, e.OrigPNREF)
	switch {
	case i < 0 || st.Entries[i].Type == "sale" && !st.Entries[i].Charged():
		return fail(nvpArgument("The transaction id is not valid"))
	case st.Entries[i].Type != "sale" || st.Entries[i].Voided:
		return refused("You can not refund this type of transaction")
	}
	sale := &st.Entries[i]
	e.InvoiceID, e.Currency = sale.InvoiceID, sale.Currency
	total, _ := nvpMinor(sale.Amount, sale.Currency)
	refunded, _ := nvpMinor(sale.Refunded, sale.Currency)
	var amount int64
	switch typ := req.get("REFUNDTYPE"); typ {
	case "", "Full":
		if req.has("AMT") {
			return fail(nvpArgument("You can not specify a partial amount with a full refund"))
		}
		switch {
		case refunded >= total:
			return refused("This transaction has already been fully refunded")
		case refunded > 0:
			return refused("Can not do a full refund after a partial refund")
		}
		amount = total
	case "Partial":
		e.Amount = req.get("AMT")
		switch c := req.get("CURRENCYCODE"); {
		case e.Amount == "":
			return fail(nvpArgument("The partial refund amount must be a positive amount"))
		case c == "":
			return fail(nvpArgument("A currency code is required with a partial refund"))
		case c != sale.Currency:
			return refused("The partial refund must be the same currency as the original transaction")
		}
		a, ok := nvpMinor(e.Amount, sale.Currency)
		switch {
		case !ok:
			return refused("The partial refund amount is not valid")
		case a == 0:
			return fail(nvpArgument("The partial refund amount must be a positive amount"))
		case refunded >= total:
			return refused("This transaction has already been fully refunded")
		case refunded+a > total:
			return refused("The partial refund amount must be less than or equal to the remaining amount")
		}
		amount = a
	default:
		return fail(nvpArgument("REFUNDTYPE must be Full or Partial"))
	}
	e.Amount = nvpFormat(amount, sale.Currency)
	sale.Refunded = nvpFormat(refunded+amount, sale.Currency)
	e.Message = "Instant"
	rep := nvpReply{
		"ACK": "Success", "REFUNDTRANSACTIONID": e.PNREF, "GROSSREFUNDAMT": e.Amount, "FEEREFUNDAMT": nvpFormat(0, sale.Currency),
		"NETREFUNDAMT": e.Amount, "CURRENCYCODE": sale.Currency, "TOTALREFUNDEDAMOUNT": sale.Refunded,
		"REFUNDSTATUS": "Instant", "PENDINGREASON": "None",
	}
	if e.MsgSubID != "" {
		rep["MSGSUBID"] = e.MsgSubID
	}
	return e, rep
}

// nvpVoid decides a DoVoid. The sandbox's sales are PAYMENTACTION=Sale,
// captured at once, and it makes no authorisations; PayPal refuses to void
// a completed sale's id as it refuses an unknown one: 10609.
func (s *Sandbox) nvpVoid(st *state, req *request) (Entry, nvpReply) {
	e := Entry{Type: "void", PNREF: nvpID(st), OrigPNREF: req.get("AUTHORIZATIONID"), MsgSubID: req.get("MSGSUBID")}
	fail := func(ne nvpError) (Entry, nvpReply) {
		e.Result, e.Message = ne.code, ne.long
		return e, nvpFailure(ne)
	}
	if bad := checkMsgSubID(e.MsgSubID); bad != nil {
		e.MsgSubID = ""
		return fail(*bad)
	}
	if e.OrigPNREF == "" {
		return fail(nvpArgument("An authorization id is required"))
	}
	long := "Transaction id is invalid."
	if i := nvpEntry(st, e.OrigPNREF); i >= 0 && st.Entries[i].Type == "sale" {
		long += " (Sandbox: sales are captured at once (PAYMENTACTION=Sale) and cannot be voided; refund them instead.)"
	}
	return fail(nvpError{10609, "Transaction id is invalid.", long, false})
}

// nvpStatus is a sale's L_STATUSn.
func nvpStatus(e Entry) string {
	total, _ := nvpMinor(e.Amount, e.Currency)
	refunded, _ := nvpMinor(e.Refunded, e.Currency)
	switch {
	case refunded >= total && total > 0:
		return "Refunded"
	case refunded > 0:
		return "Partially Refunded"
	case e.Result == nvpHeld:
		return "Pending"
	}
	return "Completed"
}

// nvpSearch answers TransactionSearch: the NVP payments that moved money
// and their refunds, newest first, filtered by STARTDATE (required),
// ENDDATE, INVNUM and TRANSACTIONID. Refused sales are not listed, as at
// PayPal; nothing found is Success with no rows.
func (s *Sandbox) nvpSearch(st *state, req *request) nvpReply {
	start, err := time.Parse(time.RFC3339, req.get("STARTDATE"))
	if err != nil {
		return nvpFailure(nvpArgument("StartDate : Invalid parameter"))
	}
	var end time.Time
	if req.has("ENDDATE") {
		if end, err = time.Parse(time.RFC3339, req.get("ENDDATE")); err != nil {
			return nvpFailure(nvpArgument("EndDate : Invalid parameter"))
		}
	}
	inv, id := req.get("INVNUM"), req.get("TRANSACTIONID")
	rep := nvpReply{"ACK": "Success"}
	n := 0
	for i := len(st.Entries) - 1; i >= 0; i-- {
		e := st.Entries[i]
		switch {
		case e.Protocol != ProtocolNVP,
			!e.Charged() && !(e.Type == "refund" && e.Result == 0),
			e.Time.Before(start), !end.IsZero() && e.Time.After(end),
			inv != "" && e.InvoiceID != inv,
			id != "" && e.PNREF != id:
			continue
		}
		if n == nvpMaxRows {
			rep["ACK"] = "SuccessWithWarning"
			rep.addErrors(nvpError{11002, "Search warning", "The number of results were truncated. Please change your search parameters if you wish to see all your results.", true})
			break
		}
		k := strconv.Itoa(n)
		typ, status, amt := "Payment", nvpStatus(e), e.Amount
		if e.Type == "refund" {
			typ, status = "Refund", "Completed"
			m, _ := nvpMinor(e.Amount, e.Currency)
			amt = nvpFormat(-m, e.Currency)
		}
		rep["L_TIMESTAMP"+k] = e.Time.UTC().Format(nvpTime)
		rep["L_TIMEZONE"+k] = "GMT"
		rep["L_TYPE"+k] = typ
		rep["L_TRANSACTIONID"+k] = e.PNREF
		rep["L_STATUS"+k] = status
		rep["L_AMT"+k] = amt
		rep["L_FEEAMT"+k] = nvpFormat(0, e.Currency)
		rep["L_NETAMT"+k] = amt
		rep["L_CURRENCYCODE"+k] = e.Currency
		n++
	}
	return rep
}

// nvpBalance answers GetBalance: per currency, what the NVP sales took
// less what was refunded (0.00 GBP before any sale).
func nvpBalance(st *state) nvpReply {
	sums := map[string]int64{}
	for _, e := range st.Entries {
		if e.Protocol == ProtocolNVP && e.Charged() {
			total, _ := nvpMinor(e.Amount, e.Currency)
			refunded, _ := nvpMinor(e.Refunded, e.Currency)
			sums[e.Currency] += total - refunded
		}
	}
	if len(sums) == 0 {
		sums["GBP"] = 0
	}
	codes := make([]string, 0, len(sums))
	for c := range sums {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	rep := nvpReply{"ACK": "Success"}
	for i, c := range codes {
		rep["L_AMT"+strconv.Itoa(i)] = nvpFormat(sums[c], c)
		rep["L_CURRENCYCODE"+strconv.Itoa(i)] = c
	}
	return rep
}
