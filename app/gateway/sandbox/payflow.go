package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/gateway/internal/wirefault"
)

// maxBody bounds a Payflow request; real ones are well under 2 KiB.
const maxBody = 16 << 10

// request is a parsed Payflow request. Values are slices of the body, so
// that the card number is never copied into a string; the body is zeroed
// when the request has been handled.
type request struct {
	id     string
	fields map[string][]byte
}

func (r *request) get(name string) string { return string(r.fields[name]) }

func (r *request) has(name string) bool {
	_, ok := r.fields[name]
	return ok
}

// parseNV parses NAME=value&… with optional [n] length tags (n bytes of
// value), as Payflow accepts.
func parseNV(b []byte) (map[string][]byte, error) {
	m := map[string][]byte{}
	i := 0
	for i < len(b) {
		start := i
		for i < len(b) && (b[i] >= 'A' && b[i] <= 'Z' || b[i] >= 'a' && b[i] <= 'z' || b[i] >= '0' && b[i] <= '9' || b[i] == '_') {
			i++
		}
		if i == start || i == len(b) || (b[i] != '=' && b[i] != '[') {
			return nil, errors.New("malformed name")
		}
		name := strings.ToUpper(string(b[start:i]))
		var v []byte
		if b[i] == '[' {
			ds := i + 1
			i = ds
			for i < len(b) && b[i] >= '0' && b[i] <= '9' {
				i++
			}
			if i == ds || i-ds > 5 || i+1 >= len(b) || b[i] != ']' || b[i+1] != '=' {
				return nil, errors.New("malformed length tag")
			}
			n, _ := strconv.Atoi(string(b[ds:i]))
			i += 2
			if n > len(b)-i {
				return nil, errors.New("value shorter than its length tag")
			}
			v = b[i : i+n]
			i += n
			if i < len(b) && b[i] != '&' {
				return nil, errors.New("value longer than its length tag")
			}
		} else {
			i++
			vs := i
			for i < len(b) && b[i] != '&' {
				i++
			}
			v = b[vs:i]
		}
		if i < len(b) {
			i++ // '&'
		}
		for _, c := range v {
			if c < 0x20 || c > 0x7e {
				return nil, errors.New("non-ASCII or control character in " + name)
			}
		}
		if _, dup := m[name]; dup {
			return nil, errors.New(name + " given twice")
		}
		m[name] = v
	}
	return m, nil
}

type kv struct{ name, value string }

// encode writes a reply, length-tagging values that contain '&' or '='.
func encode(pairs ...kv) string {
	var sb strings.Builder
	for i, p := range pairs {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(p.name)
		if strings.ContainsAny(p.value, "&=") {
			fmt.Fprintf(&sb, "[%d]", len(p.value))
		}
		sb.WriteByte('=')
		sb.WriteString(p.value)
	}
	return sb.String()
}

func reply(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/namevalue")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = io.WriteString(w, body)
}

// payflow handles one Payflow request.
func (s *Sandbox) payflow(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	defer func() {
		for i := range body {
			body[i] = 0
		}
	}()
	if err != nil || len(body) > maxBody {
		reply(w, encode(kv{"RESULT", "9"}, kv{"RESPMSG", "Too many parameters or invalid stream"}))
		return
	}
	id := r.Header.Get("X-VPS-REQUEST-ID")
	if len(id) == 0 || len(id) > 32 || strings.ContainsFunc(id, func(c rune) bool { return c <= 0x20 || c > 0x7e }) {
		reply(w, encode(kv{"RESULT", "7"}, kv{"RESPMSG", "Field format error: X-VPS-REQUEST-ID must be 1-32 printable characters"}))
		return
	}
	fields, err := parseNV(body)
	if err != nil {
		reply(w, encode(kv{"RESULT", "7"}, kv{"RESPMSG", "Field format error: " + err.Error()}))
		return
	}
	req := &request{id: id, fields: fields}
	// Authentication comes before the duplicate check, and its failures are
	// not recorded under the request ID.
	if len(req.fields["USER"]) == 0 || len(req.fields["VENDOR"]) == 0 || len(req.fields["PARTNER"]) == 0 ||
		len(req.fields["PWD"]) == 0 || req.get("PWD") == "invalid" {
		reply(w, encode(kv{"RESULT", "1"}, kv{"RESPMSG", "User authentication failed"}))
		return
	}
	// The lost-reply rules (V = 1097 and 1098, see the package doc) apply
	// to deliveries of a sale that carry card data: the sale itself and its
	// in-call retries, not an inquiry.
	byAmount := payflowRule(req)
	withCard := req.get("TRXTYPE") == "S" && req.has("ACCT")
	if withCard && byAmount == ruleDropped {
		wirefault.HangUp(w, false) // before processing: nothing charged, the ID stays unused
		return
	}

	s.mu.Lock()
	var out string
	if e, ok := s.entryByID(id); ok {
		if e.Fingerprint != "" && e.Fingerprint != fingerprint(req) {
			// Payflow replays an ID only for a resend of the same request.
			out = encode(kv{"RESULT", "133"}, kv{"RESPMSG", "Data mismatch in HTTP retry request"})
		} else {
			out = e.Reply + "&DUPLICATE=1"
		}
	} else {
		next := s.state.clone()
		var stored bool
		out, stored = s.process(&next, req)
		if stored {
			if !s.commit(w, next) {
				s.mu.Unlock()
				return
			}
		}
	}
	s.mu.Unlock()

	if withCard && byAmount == ruleReplyLost {
		wirefault.HangUp(w, false) // after processing: charged, but the reply is lost
		return
	}
	reply(w, out)
}

// fingerprint identifies a request's data, to tell a resend of the same
// request from another request under a used ID, without keeping card data:
// ACCT and CVV2 count by their length only (a resend carries the same card;
// a card-less request differs). Base64 rather than hex, so that the ledger
// file holds no long run of digits.
func fingerprint(req *request) string {
	names := make([]string, 0, len(req.fields))
	for name := range req.fields {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		v := req.fields[name]
		if name == "ACCT" || name == "CVV2" {
			fmt.Fprintf(h, "%s[%d]&", name, len(v))
			continue
		}
		fmt.Fprintf(h, "%s[%d]=%s&", name, len(v), v)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

func (s *Sandbox) entryByID(id string) (Entry, bool) {
	for _, e := range s.state.Entries {
		if e.RequestID == id && e.Protocol == ProtocolPayflow { // Orders v2 keeps its request ids too
			return e, true
		}
	}
	return Entry{}, false
}

// entryByPNREF finds a Payflow entry by its PNREF; NVP entries are another
// processor's and never match.
func entryByPNREF(st *state, pnref string) int {
	for i, e := range st.Entries {
		if e.PNREF == pnref && e.Protocol == ProtocolPayflow {
			return i
		}
	}
	return -1
}

func (s *Sandbox) nextPNREF(st *state) string {
	st.Seq++
	return fmt.Sprintf("SBX%09d", st.Seq)
}

// process decides a request against st. It returns the reply and whether it
// was recorded (inquiries and unknown transaction types are not).
func (s *Sandbox) process(st *state, req *request) (string, bool) {
	switch req.get("TRXTYPE") {
	case "S":
		e := s.sale(st, req)
		return s.record(st, req, e), true
	case "C":
		e := s.credit(st, req)
		return s.record(st, req, e), true
	case "V":
		e := s.void(st, req)
		return s.record(st, req, e), true
	case "I":
		return s.inquiry(st, req), false
	}
	return encode(kv{"RESULT", "3"}, kv{"RESPMSG", "Invalid transaction type"}), false
}

// inquiry answers TRXTYPE=I by ORIGID (a PNREF) or by CUSTREF (the latest
// Payflow sale that carried it): RESULT 0 with the original's ORIGRESULT and
// ORIGPNREF, or 19 (no such PNREF) or 20 (no such CUSTREF).
func (s *Sandbox) inquiry(st *state, req *request) string {
	i := -1
	switch {
	case req.has("ORIGID"):
		if i = entryByPNREF(st, req.get("ORIGID")); i < 0 {
			return encode(kv{"RESULT", "19"}, kv{"PNREF", s.nextPNREF(st)}, kv{"RESPMSG", "Original transaction ID not found"})
		}
	case req.has("CUSTREF"):
		ref := req.get("CUSTREF")
		for j := len(st.Entries) - 1; j >= 0; j-- {
			if e := st.Entries[j]; e.Protocol == ProtocolPayflow && e.Type == "sale" && ref != "" && e.CustRef == ref {
				i = j
				break
			}
		}
		if i < 0 {
			return encode(kv{"RESULT", "20"}, kv{"PNREF", s.nextPNREF(st)}, kv{"RESPMSG", "Cannot find the customer reference number"})
		}
	default:
		return encode(kv{"RESULT", "7"}, kv{"PNREF", s.nextPNREF(st)}, kv{"RESPMSG", "Field format error: an inquiry needs ORIGID or CUSTREF"})
	}
	o := st.Entries[i]
	return encode(kv{"RESULT", "0"}, kv{"PNREF", s.nextPNREF(st)}, kv{"RESPMSG", "Approved"},
		kv{"ORIGRESULT", strconv.Itoa(o.Result)}, kv{"ORIGPNREF", o.PNREF})
}

// record appends e with its reply and returns the reply.
func (s *Sandbox) record(st *state, req *request, e Entry) string {
	e.RequestID = req.id
	e.Fingerprint = fingerprint(req)
	e.PNREF = s.nextPNREF(st)
	e.Time = s.now().UTC()
	pairs := []kv{{"RESULT", strconv.Itoa(e.Result)}, {"PNREF", e.PNREF}, {"RESPMSG", e.Message}}
	if e.Charged() {
		pairs = append(pairs, kv{"AUTHCODE", fmt.Sprintf("SB%04d", st.Seq%10000)}, kv{"AVSADDR", "Y"}, kv{"AVSZIP", "Y"}, kv{"CVV2MATCH", "Y"})
	}
	if e.Charged() {
		e.Refunded = zero(e.Currency)
	}
	e.Reply = encode(pairs...)
	st.Entries = append(st.Entries, e)
	return e.Reply
}

// parseAmount checks AMT against the currency's minor digits.
func parseAmount(amt, code string) (currency.Amount, bool) {
	digits, ok := currency.GetDigits(code)
	if !ok || amt == "" {
		return currency.Amount{}, false
	}
	dot := strings.IndexByte(amt, '.')
	if digits == 0 && dot >= 0 || digits > 0 && (dot < 1 || len(amt)-dot-1 != int(digits)) {
		return currency.Amount{}, false
	}
	for _, c := range []byte(amt) {
		if c != '.' && (c < '0' || c > '9') {
			return currency.Amount{}, false
		}
	}
	a, err := currency.NewAmount(amt, code)
	return a, err == nil && a.IsPositive()
}

func (s *Sandbox) sale(st *state, req *request) Entry {
	e := Entry{Type: "sale", InvoiceID: req.get("INVNUM"), CustRef: req.get("CUSTREF"), Amount: req.get("AMT"), Currency: req.get("CURRENCY")}
	fail := func(result int, msg string) Entry { e.Result, e.Message = result, msg; return e }
	if e.Currency == "" {
		e.Currency = "USD" // Payflow's default
	}
	acct := req.fields["ACCT"]
	if len(acct) == 0 {
		return fail(7, "Field format error: ACCT missing")
	}
	var last4 string
	for number, brand := range TestCards {
		if bytes.Equal(acct, []byte(number)) {
			e.Brand, last4 = brand, number[len(number)-4:]
		}
	}
	if e.Brand == "" {
		// Not a test card: refused, and nothing about it is kept.
		return fail(23, "Invalid account number (the sandbox accepts PayPal's test cards only)")
	}
	e.Last4 = last4
	if !expiryValid(req.get("EXPDATE"), s.now()) {
		return fail(24, "Invalid expiration date")
	}
	if _, ok := parseAmount(e.Amount, e.Currency); !ok {
		return fail(4, "Invalid amount")
	}
	if req.get("CVV2") == "000" {
		return fail(114, "CVV2 Mismatch")
	}
	switch payflowRule(req) {
	case ruleDeclined:
		return fail(12, "Declined")
	case ruleReferral:
		return fail(13, "Referral")
	case ruleCVV:
		return fail(114, "CVV2 Mismatch")
	case ruleHeld:
		return fail(126, "Under review by Fraud Service")
	case ruleInsufficient:
		return fail(50, "Insufficient funds available in account")
	case ruleOverLimit:
		return fail(51, "Exceeds per transaction limit")
	}
	e.Message = "Approved"
	return e
}

func zero(code string) string {
	digits, _ := currency.GetDigits(code)
	if digits == 0 {
		return "0"
	}
	return "0." + strings.Repeat("0", int(digits))
}

// expiryValid checks MMYY and that the card has not expired (it is valid to
// the end of its expiry month).
func expiryValid(exp string, now time.Time) bool {
	if len(exp) != 4 {
		return false
	}
	month, err1 := strconv.Atoi(exp[:2])
	year, err2 := strconv.Atoi(exp[2:])
	if err1 != nil || err2 != nil || month < 1 || month > 12 {
		return false
	}
	year += 2000
	return year > now.Year() || year == now.Year() && month >= int(now.Month())
}

// original finds the sale a refund or void refers to, or an entry that
// refuses it.
func (s *Sandbox) original(st *state, req *request, e Entry) (int, *Entry) {
	e.OrigPNREF = req.get("ORIGID")
	i := entryByPNREF(st, e.OrigPNREF)
	switch {
	case i < 0 || st.Entries[i].Type != "sale":
		e.Result, e.Message = 19, "Original transaction ID not found"
		return -1, &e
	case !st.Entries[i].Charged():
		e.Result, e.Message = 120, "Attempt to reference a failed transaction"
		return -1, &e
	}
	return i, nil
}

func (s *Sandbox) credit(st *state, req *request) Entry {
	e := Entry{Type: "refund", OrigPNREF: req.get("ORIGID")}
	i, refused := s.original(st, req, e)
	if refused != nil {
		return *refused
	}
	sale := &st.Entries[i]
	e.Currency = sale.Currency
	if c := req.get("CURRENCY"); c != "" && c != sale.Currency {
		e.Result, e.Message = 7, "Field format error: CURRENCY differs from the sale's"
		return e
	}
	total, _ := currency.NewAmount(sale.Amount, sale.Currency)
	refunded, _ := currency.NewAmount(sale.Refunded, sale.Currency)
	left, _ := total.Sub(refunded)
	amount := left
	e.Amount = formatLike(left, sale.Currency)
	if req.has("AMT") {
		a, ok := parseAmount(req.get("AMT"), sale.Currency)
		if !ok {
			e.Amount = req.get("AMT")
			e.Result, e.Message = 4, "Invalid amount"
			return e
		}
		amount, e.Amount = a, req.get("AMT")
	}
	if cmp, _ := amount.Cmp(left); sale.Voided || cmp > 0 || !amount.IsPositive() {
		e.Result, e.Message = 105, "Credit error: the sale is voided or the amount exceeds what is left to refund"
		return e
	}
	sum, _ := refunded.Add(amount)
	sale.Refunded = formatLike(sum, sale.Currency)
	e.Message = "Approved"
	return e
}

// formatLike renders a with exactly the currency's minor digits.
func formatLike(a currency.Amount, code string) string {
	digits, _ := currency.GetDigits(code)
	r := a.RoundTo(digits, currency.RoundHalfUp).BigInt().String()
	if digits == 0 {
		return r
	}
	for len(r) <= int(digits) {
		r = "0" + r
	}
	return r[:len(r)-int(digits)] + "." + r[len(r)-int(digits):]
}

func (s *Sandbox) void(st *state, req *request) Entry {
	e := Entry{Type: "void", OrigPNREF: req.get("ORIGID")}
	i, refused := s.original(st, req, e)
	if refused != nil {
		return *refused
	}
	sale := &st.Entries[i]
	if sale.Voided || sale.Refunded != zero(sale.Currency) {
		e.Result, e.Message = 108, "Void error: already voided or refunded"
		return e
	}
	sale.Voided = true
	e.Message = "Approved"
	return e
}
