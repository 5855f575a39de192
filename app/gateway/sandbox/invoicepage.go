package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"golang.org/x/text/language"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/assets"
)

// The payer's page of a sent invoice, PayPal's /invoice/p/#<id> on the
// sandbox: the amount, the merchant and the item, and two ways to pay,
// "Pay with PayPal account" (a test login) and "Pay with debit or credit
// card" (as a guest). It speaks English or Polish: the first of the
// browser's Accept-Language that is one of them, else the invoice's
// language (billing_info.language), else English. Its words are the
// translations' "invoice.page.*" messages.
//
// Test login: any email address with an "@" and any password but
// "invalid", which is refused as wrong. Cards: only the sandbox's test
// card numbers (TestCards) are taken, as on the other routes, so any other
// number, a real card's too, is declined; an expiry date that has passed
// or a security code of the wrong length is refused, and the code "000"
// declines. The amount rules of the other routes decide both ways to pay:
// V = 1012, 1013, 1014, 1050, 1051 and V > 2000 decline, everything else
// pays. A payment marks the invoice PAID with a capture id (SC…) that
// Orders' capture refund refunds, and is written to the ledger with the
// card's brand and last four digits only: the number and the code are
// never stored or logged.

func (s *Sandbox) invoicePageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /invoice/p/{$}", s.invoiceLinkPage)
	mux.HandleFunc("GET /invoice/p/{id}", s.invoicePage)
	mux.HandleFunc("POST /invoice/p/{id}/pay", s.invoicePay)
}

// pageLanguages are the languages of the page, English first (the
// fallback).
var pageLanguages = language.NewMatcher([]language.Tag{language.English, language.Polish})

// pageLang chooses the page's language: see above.
func pageLang(r *http.Request, invoiceLang string) string {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err == nil {
		for _, t := range tags {
			if b, _ := t.Base(); b.String() == "pl" || b.String() == "en" {
				return b.String()
			}
		}
	}
	if t, err := language.Parse(invoiceLang); err == nil {
		if _, i, c := pageLanguages.Match(t); c >= language.High && i == 1 {
			return "pl"
		}
	}
	return "en"
}

var (
	pageMsgOnce sync.Once
	pageMsgs    map[string]map[string]string
	pageMsgErr  error
)

// pageMessages reads the page's words from the embedded translations.
func pageMessages() (map[string]map[string]string, error) {
	pageMsgOnce.Do(func() {
		pageMsgs = map[string]map[string]string{}
		for _, l := range []string{"en", "pl"} {
			data, err := assets.Translations.ReadFile("translations/invoice." + l + ".json")
			if err != nil {
				pageMsgErr = err
				return
			}
			m := map[string]string{}
			if err := json.Unmarshal(data, &m); err != nil {
				pageMsgErr = err
				return
			}
			pageMsgs[l] = m
		}
	})
	return pageMsgs, pageMsgErr
}

// tr is one message in lang, its {{.Name}} variables filled from data (the
// translations' go-i18n format). The result is text; html/template
// escapes it.
func tr(lang, key string, data map[string]string) string {
	msgs, err := pageMessages()
	if err != nil {
		return key
	}
	m, ok := msgs[lang][key]
	if !ok {
		m, ok = msgs["en"][key]
	}
	if !ok {
		return key
	}
	if !strings.Contains(m, "{{") {
		return m
	}
	t, err := texttemplate.New("").Option("missingkey=error").Parse(m)
	if err != nil {
		return m
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return m
	}
	return b.String()
}

// invoiceLinkPage answers the payer link: its id is in the fragment, which
// only the browser sees, so a line of script opens the invoice's page, as
// PayPal's own page reads the fragment.
func (s *Sandbox) invoiceLinkPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = fmt.Fprint(w, `<!doctype html><html><head><meta charset="utf-8"><title>PayPal sandbox</title></head><body>
<script>var id = location.hash.slice(1); if (id) { location.replace("/invoice/p/" + encodeURIComponent(id)); }</script>
<noscript>Open /invoice/p/&lt;invoice id&gt;.</noscript></body></html>`)
}

type pageView struct {
	Lang, Title, TestMode                       string
	Found                                       bool
	Merchant, Number, Item, DueDate, Amount, ID string
	Labels                                      map[string]string
	Payable                                     bool
	Notice, Error                               string
	Paid                                        bool
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}}</title>
<style>body{font-family:sans-serif;margin:2em auto;max-width:36em;color:#222}
.test{background:#fff3cd;padding:.5em}.err{color:#a00}.ok{color:#070}
fieldset{margin:1em 0}label{display:block;margin:.4em 0}button{margin-top:.5em}</style></head>
<body>
<p class="test"><b>{{.TestMode}}</b></p>
{{if .Found}}<h1 id="title">{{.Title}}</h1>
<dl>
<dt>{{index .Labels "merchant"}}</dt><dd id="merchant">{{.Merchant}}</dd>
<dt>{{index .Labels "number"}}</dt><dd id="number">{{.Number}}</dd>
<dt>{{index .Labels "item"}}</dt><dd id="item">{{.Item}}</dd>
{{if .DueDate}}<dt>{{index .Labels "due_date"}}</dt><dd id="due">{{.DueDate}}</dd>{{end}}
<dt>{{index .Labels "amount_due"}}</dt><dd id="amount">{{.Amount}}</dd>
</dl>{{end}}
{{if .Notice}}<p id="status" class="{{if .Paid}}ok{{end}}">{{.Notice}}</p>{{end}}
{{if .Error}}<p id="error" class="err" role="alert">{{.Error}}</p>{{end}}
{{if .Payable}}
<form method="post" action="/invoice/p/{{.ID}}/pay" id="paypal-form">
<fieldset><legend>{{index .Labels "pay_paypal"}}</legend>
<input type="hidden" name="method" value="paypal"><input type="hidden" name="lang" value="{{.Lang}}">
<label>{{index .Labels "email"}} <input id="paypal-email" name="email" type="email" autocomplete="off"></label>
<label>{{index .Labels "password"}} <input id="paypal-password" name="password" type="password" autocomplete="off"></label>
<button id="pay-paypal" type="submit">{{index .Labels "login_and_pay"}}</button>
</fieldset></form>
<form method="post" action="/invoice/p/{{.ID}}/pay" id="card-form">
<fieldset><legend>{{index .Labels "pay_card"}}</legend>
<input type="hidden" name="method" value="card"><input type="hidden" name="lang" value="{{.Lang}}">
<p>{{index .Labels "card_hint"}}</p>
<label>{{index .Labels "card_number"}} <input id="card-number" name="number" inputmode="numeric" autocomplete="off"></label>
<label>{{index .Labels "card_expiry"}} <input id="card-expiry" name="expiry" autocomplete="off"></label>
<label>{{index .Labels "card_cvv"}} <input id="card-cvv" name="cvv" inputmode="numeric" autocomplete="off"></label>
<label>{{index .Labels "card_holder"}} <input id="card-holder" name="holder" autocomplete="off"></label>
<button id="pay-card" type="submit">{{index .Labels "pay"}}</button>
</fieldset></form>
{{end}}
</body></html>`))

// renderInvoice writes the page of invoice id in lang, with a notice or error.
func (s *Sandbox) renderInvoice(w http.ResponseWriter, status int, inv *Invoice, lang, notice, errText string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	v := pageView{Lang: lang, TestMode: tr(lang, "invoice.page.test_mode", nil), Error: errText, Notice: notice}
	if inv == nil {
		v.Title = tr(lang, "invoice.page.not_found", nil)
		v.Notice = v.Title
		w.WriteHeader(http.StatusNotFound)
		_ = pageTemplate.Execute(w, v)
		return
	}
	amount := formatMinor(inv.Total-inv.PaidMinor, inv.Currency, lang)
	v.Found, v.ID, v.Number, v.Merchant, v.DueDate, v.Amount = true, inv.ID, inv.Number, inv.Merchant, inv.DueDate, amount
	if v.Merchant == "" {
		v.Merchant = "TrainPay"
	}
	if len(inv.Items) > 0 {
		v.Item = inv.Items[0].Name
	}
	v.Title = tr(lang, "invoice.page.title", map[string]string{"Number": inv.Number, "Merchant": v.Merchant})
	v.Labels = map[string]string{}
	for _, k := range []string{
		"merchant", "number", "item", "due_date", "amount_due", "pay_paypal", "email", "password",
		"pay_card", "card_number", "card_expiry", "card_cvv", "card_holder", "card_hint",
	} {
		v.Labels[k] = tr(lang, "invoice.page."+k, nil)
	}
	v.Labels["login_and_pay"] = tr(lang, "invoice.page.login_and_pay", map[string]string{"Amount": amount})
	v.Labels["pay"] = tr(lang, "invoice.page.pay", map[string]string{"Amount": amount})
	switch inv.Status {
	case "SENT", "UNPAID", "PARTIALLY_PAID":
		v.Payable = true
	case "PAID", "MARKED_AS_PAID":
		v.Paid = true
		if v.Notice == "" {
			v.Notice = tr(lang, "invoice.page.already_paid", nil)
		}
		v.Amount = formatMinor(inv.Total, inv.Currency, lang)
	case "CANCELLED":
		v.Notice = tr(lang, "invoice.page.cancelled", nil)
	case "REFUNDED", "PARTIALLY_REFUNDED", "MARKED_AS_REFUNDED":
		v.Notice = tr(lang, "invoice.page.refunded", nil)
	default:
		v.Notice = tr(lang, "invoice.page.not_sent", nil)
	}
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, v)
}

func (s *Sandbox) invoicePage(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.invoiceCopy(r.PathValue("id"))
	if !ok || inv.Status == "DRAFT" {
		// A draft is the merchant's own: PayPal shows the payer nothing.
		s.renderInvoice(w, http.StatusNotFound, nil, pageLang(r, ""), "", "")
		return
	}
	lang := pageLang(r, inv.Language)
	notice := ""
	if r.URL.Query().Get("paid") != "" && (inv.Status == "PAID" || inv.Status == "MARKED_AS_PAID") && len(inv.Payments) > 0 {
		notice = tr(lang, "invoice.page.paid", map[string]string{"Transaction": inv.Payments[len(inv.Payments)-1].ID})
	}
	s.renderInvoice(w, http.StatusOK, &inv, lang, notice, "")
}

// expiryOK reads MM/YY or MM/YYYY and says whether the card is still
// valid in the month of now.
func expiryOK(v string, now time.Time) bool {
	mm, yy, ok := strings.Cut(strings.ReplaceAll(v, " ", ""), "/")
	if !ok || len(mm) != 2 || (len(yy) != 2 && len(yy) != 4) || !allDigits(mm) || !allDigits(yy) {
		return false
	}
	var m, y int
	fmt.Sscanf(mm, "%d", &m)
	fmt.Sscanf(yy, "%d", &y)
	if len(yy) == 2 {
		y += 2000
	}
	if m < 1 || m > 12 {
		return false
	}
	return y > now.Year() || (y == now.Year() && m >= int(now.Month()))
}

// invoicePay takes the payer's payment. Nothing of the card but its brand
// and last four digits outlives the request.
func (s *Sandbox) invoicePay(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")
	inv, ok := s.invoiceCopy(id)
	if !ok || inv.Status == "DRAFT" {
		s.renderInvoice(w, http.StatusNotFound, nil, pageLang(r, ""), "", "")
		return
	}
	lang := pageLang(r, inv.Language)
	if l := r.PostForm.Get("lang"); l == "en" || l == "pl" {
		lang = l // the page the payer filled in
	}
	if inv.Status != "SENT" && inv.Status != "UNPAID" && inv.Status != "PARTIALLY_PAID" {
		s.renderInvoice(w, http.StatusConflict, &inv, lang, "", "")
		return
	}
	refuse := func(key string) {
		s.renderInvoice(w, http.StatusUnprocessableEntity, &inv, lang, "", tr(lang, key, nil))
	}
	due := inv.Total - inv.PaidMinor
	decided := amountRule(wireValue(due, inv.Currency), ppinvoice.Digits(inv.Currency))
	txn := InvTxn{Amount: due, Date: s.now().UTC().Format(time.DateOnly)}
	switch r.PostForm.Get("method") {
	case "paypal":
		email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
		if !strings.Contains(email, "@") || password == "" || password == "invalid" {
			refuse("invoice.page.login_failed")
			return
		}
		if declines(decided) {
			refuse("invoice.page.account_declined")
			return
		}
		txn.Method = "PAYPAL"
	case "card":
		number := []byte(strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' {
				return -1
			}
			return r
		}, r.PostForm.Get("number")))
		defer clear(number)
		brand, known := TestCards[string(number)]
		if !known {
			refuse("invoice.page.not_test_card")
			return
		}
		if !expiryOK(r.PostForm.Get("expiry"), s.now()) {
			refuse("invoice.page.bad_expiry")
			return
		}
		cvv := strings.TrimSpace(r.PostForm.Get("cvv"))
		if app.ValidateCVV(brand, []byte(cvv)) != nil {
			refuse("invoice.page.bad_cvv")
			return
		}
		if cvv == "000" || declines(decided) {
			refuse("invoice.page.declined")
			return
		}
		txn.Method, txn.Brand, txn.Last4 = "CREDIT_CARD", string(brand), string(number[len(number)-4:])
	default:
		http.Error(w, "choose a way to pay", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	next := s.state.clone()
	p := next.invoice(id)
	if p == nil || (p.Status != "SENT" && p.Status != "UNPAID" && p.Status != "PARTIALLY_PAID") || p.Total-p.PaidMinor != due {
		// Paid or cancelled meanwhile (another tab): nothing is taken twice.
		s.mu.Unlock()
		cur, _ := s.invoiceCopy(id)
		s.renderInvoice(w, http.StatusConflict, &cur, lang, "", "")
		return
	}
	next.Seq++
	txn.ID = fmt.Sprintf("SC%015d", next.Seq)
	p.Payments = append(p.Payments, txn)
	p.PaidMinor += due
	p.Status = "PAID"
	value := wireValue(due, p.Currency)
	next.Entries = append(next.Entries, Entry{
		Protocol: ProtocolInvoicing, Type: "sale", PNREF: txn.ID, OrigPNREF: p.ID,
		Amount: value, Currency: p.Currency, InvoiceID: p.Number, Brand: app.Brand(txn.Brand), Last4: txn.Last4,
		Time: s.now().UTC(), Message: "invoice paid: " + txn.Method,
	})
	if !s.commit(w, next) {
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	http.Redirect(w, r, "/invoice/p/"+id+"?paid=1", http.StatusSeeOther)
}

// formatMinor shows minor units of code as the payer reads them in lang.
func formatMinor(minor int64, code, lang string) string {
	a, err := money.FromMinor(minor, code)
	if err != nil {
		return strconv.FormatInt(minor, 10) + " " + code
	}
	return money.Format(a, lang)
}

// wireValue is minor units of code as PayPal writes them.
func wireValue(minor int64, code string) string {
	v, err := ppinvoice.WireValue(minor, code)
	if err != nil {
		return strconv.FormatInt(minor, 10)
	}
	return v
}

func declines(r rule) bool {
	switch r {
	case ruleDeclined, ruleReferral, ruleCVV, ruleInsufficient, ruleOverLimit:
		return true
	}
	return false
}
