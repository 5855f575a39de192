package checkout

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/uikit"
	"github.com/trainpay/trainpay/ui/widgets"
)

// The card payment dialog, used wherever someone pays by card: registration
// fees, pay-per-use and the administrator's test payment.
//
// Card data hygiene. The card number and the CVV are never logged and never
// put in a label; the only form of the number ever shown outside its own
// entry while it is being typed is MaskCardNumber's "•••• 1111". Fyne's Entry
// keeps its text in a Go string, which cannot be wiped, so the dialog keeps
// those strings short-lived:
//   - once the number field loses focus with a valid number, its digits move
//     into a []byte held by the dialog and the entry shows the masked form.
//     When the field is focused again the digits are put back, grouped, for
//     editing (and the []byte is wiped): a person who goes back to the number
//     usually wants to fix one digit, and the typed string existed anyway.
//   - on Pay, the Card gets fresh []byte copies of the number and CVV;
//     PaymentService.Charge wipes them when it returns.
//   - after the call the CVV entry is cleared whatever the outcome, and after
//     a payment that went through (or whose outcome is unknown) the number
//     entry is cleared and the digits wiped too. After a decline the number
//     stays (masked, as bytes) so that the person can retry.
//   - closing or cancelling the dialog clears both entries and wipes the
//     digits.
//   - SetText also drops the entry's undo history, which holds typed runes;
//     every regrouping, masking and clearing goes through it.
// Every []byte made from the entries for validation is wiped after use.

// CardPayment is what a card payment is for.
type CardPayment struct {
	Amount      currency.Amount
	Purpose     app.Purpose
	Reference   string
	Description string // what is paid for, in the UI language
	Payer       app.Payer
	// Methods are the card methods offered (credit-card and/or debit-card).
	// With both, the person chooses; with none, credit-card is used.
	Methods []app.Method
	// Rules are the domain's card rules for each method in Methods
	// (PaymentService.CardRules, asked off the UI thread by the caller): the
	// form shows the fields and the problems they name, e.g. a Maestro
	// card's start date or issue number where the processor needs one. A
	// method without rules gets app.CardRulesFor(m, ""); Charge applies its
	// processor's rules anyway.
	Rules map[app.Method]app.CardRules
	// PaidSoFarMinor is passed on as app.ChargeRequest.PaidSoFarMinor
	// (a pay-per-use or true-up charge); nil otherwise.
	PaidSoFarMinor *int64
}

// Card fields, as app.Error.Field names them.
const (
	fieldHolder   = app.CardFieldHolder
	fieldNumber   = app.CardFieldNumber
	fieldExpiry   = app.CardFieldExpiry
	fieldCVV      = app.CardFieldCVV
	fieldPostcode = app.CardFieldPostcode
	fieldCountry  = app.CardFieldCountry
	fieldStart    = app.CardFieldStart // Maestro only
	fieldIssue    = app.CardFieldIssue // Maestro only
)

var cardFields = []string{fieldHolder, fieldNumber, fieldExpiry, fieldCVV, fieldStart, fieldIssue, fieldPostcode, fieldCountry}

// CardDialog is the card payment dialog. ShowCardDialog returns it so that
// tests can drive its widgets (Widgets).
type CardDialog struct {
	win  fyne.Window
	svc  Services
	req  CardPayment
	done func(app.Payment, error)
	dlg  *widgets.Dialog
	body *fyne.Container // the form or the result

	methods *uikit.Options[app.Method]
	method  *widgets.RadioGroup // nil unless both methods are offered

	holder     *CardEntry
	number     *CardNumberEntry // holds the digits while masked
	brandLabel *widget.Label
	expiry     *CardEntry
	cvv        *CardEntry
	postcode   *CardEntry
	country    *widgets.Select
	countryCds []string

	// UK Maestro's start date and issue number: shown only while the
	// number is Maestro's (see showExtras), in room the form keeps for them.
	start       *CardEntry
	issue       *CardEntry
	extrasNote  *widget.Label
	rows        map[string]fyne.CanvasObject // each field with its message line
	formW       *fyne.Container
	extrasLabel *widget.RichText // the Maestro row's label
	extras      *fyne.Container  // the Maestro row: start date, issue number, note
	extrasShown bool

	errs    map[string]*widget.Label // the error under each field
	touched map[string]bool          // the field was left once: its errors show
	remote  map[string]string        // the processor's error for a field, until it is edited

	message  *widget.Label // the outcome of the last attempt
	hint     *widget.Label
	progress *widget.ProgressBarInfinite
	working  *fyne.Container
	pay      *widgets.Button
	cancel   *widgets.Button
	closeBtn *widgets.Button

	running  bool
	shown    bool // the answer is shown
	finished bool // done has been called
	payment  app.Payment
	err      error
}

// ShowCardDialog shows the card payment dialog over w. done is called once:
// with the payment and nil when the money moved (approved or held for
// review), with the payment and an EUNKNOWN error when the outcome is not
// known yet (reconciliation settles it), and with app.Payment{} and
// context.Canceled when the person cancels without paying. Declined attempts
// stay in the dialog, which allows another try (a new attempt, with a new
// key).
func ShowCardDialog(w fyne.Window, svc Services, req CardPayment, done func(app.Payment, error)) *CardDialog {
	d := &CardDialog{
		win: w, svc: svc, req: req, done: done,
		errs: map[string]*widget.Label{}, touched: map[string]bool{}, remote: map[string]string{},
	}
	var methods []app.Method
	for _, m := range req.Methods {
		if m == app.MethodCreditCard || m == app.MethodDebitCard {
			methods = append(methods, m)
		}
	}
	if len(methods) == 0 {
		methods = []app.Method{app.MethodCreditCard}
	}
	d.methods = uikit.NewOptions(methodName, methods...)
	d.build()
	d.dlg.FocusOnShow(d.number) // the form starts with the card
	d.dlg.Show()
	d.fit()
	return d
}

// CardWidgets are the card dialog's fields and buttons, for the tests of
// the screens that open it, which drive it as a person would.
type CardWidgets struct {
	Method   *widgets.RadioGroup // nil unless both card methods are offered
	Holder   *CardEntry
	Number   *CardNumberEntry
	Expiry   *CardEntry
	CVV      *CardEntry
	Start    *CardEntry // Maestro only
	Issue    *CardEntry // Maestro only
	Postcode *CardEntry
	Country  *widgets.Select
	Message  *widget.Label // the outcome of the last attempt
	Pay      *widgets.Button
	Cancel   *widgets.Button
	Close    *widgets.Button // once the answer is shown
}

// Widgets are the dialog's fields and buttons.
func (d *CardDialog) Widgets() CardWidgets {
	return CardWidgets{
		Method: d.method, Holder: d.holder, Number: d.number, Expiry: d.expiry, CVV: d.cvv,
		Start: d.start, Issue: d.issue, Postcode: d.postcode, Country: d.country,
		Message: d.message, Pay: d.pay, Cancel: d.cancel, Close: d.closeBtn,
	}
}

// Request is what the dialog was opened to pay.
func (d *CardDialog) Request() CardPayment { return d.req }

// Outcome is the last attempt's payment and error (both zero before one).
func (d *CardDialog) Outcome() (app.Payment, error) { return d.payment, d.err }

func (d *CardDialog) build() {
	amount := money.Format(d.req.Amount, uikit.Language())

	what := widget.NewLabelWithStyle(d.req.Description, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	what.Wrapping = fyne.TextWrapWord
	due := widget.NewLabel(uikit.T("pay.amount_due", map[string]any{"Amount": amount}))
	due.SizeName = theme.SizeNameSubHeadingText
	summary := container.NewBorder(nil, nil, nil, due, what)

	if d.methods.Len() > 1 {
		opts := d.methods.Labels()
		d.method = widgets.NewRadioGroup(opts, nil)
		d.method.Horizontal = true
		d.method.Required = true
		d.method.SetSelected(opts[0])
	}

	d.holder = newCardEntry(false)
	d.holder.SetPlaceHolder(uikit.T("pay.holder_placeholder"))
	d.holder.SetText(strings.TrimSpace(d.req.Payer.FirstName + " " + d.req.Payer.LastName))
	d.number = newCardNumberEntry()
	d.brandLabel = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	d.expiry = newCardEntry(false)
	d.expiry.SetPlaceHolder(uikit.T("pay.expiry_placeholder"))
	d.cvv = newCardEntry(true)
	d.postcode = newCardEntry(false)
	d.postcode.SetText(d.req.Payer.PostalCode)
	d.start = newCardEntry(false)
	d.start.SetPlaceHolder(uikit.T("pay.start_placeholder"))
	d.issue = newCardEntry(false)
	d.issue.SetPlaceHolder(uikit.T("pay.issue_placeholder"))

	cs := uikit.Countries()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
		d.countryCds = append(d.countryCds, c.Code)
	}
	d.country = widgets.NewSelect(names, nil)
	d.country.PlaceHolder = uikit.T("select.placeholder")
	for i, c := range d.countryCds {
		if c == d.req.Payer.Country {
			d.country.SetSelectedIndex(i)
		}
	}

	// Handlers are set after the initial texts so that pre-filled values do
	// not count as typed.
	d.holder.OnChanged = func(string) { d.edited(fieldHolder) }
	d.holder.onFocus = d.focusHandler(fieldHolder)
	d.number.onEdited = func() { d.edited(fieldNumber) }
	d.number.onLeft = func() {
		d.touched[fieldNumber] = true
		d.revalidate()
	}
	d.expiry.OnChanged = func(string) { d.edited(fieldExpiry) }
	d.expiry.onFocus = d.focusHandler(fieldExpiry)
	d.cvv.OnChanged = func(string) { d.edited(fieldCVV) }
	d.cvv.onFocus = d.focusHandler(fieldCVV)
	d.postcode.OnChanged = func(string) { d.edited(fieldPostcode) }
	d.postcode.onFocus = d.focusHandler(fieldPostcode)
	d.start.OnChanged = func(string) { d.edited(fieldStart) }
	d.start.onFocus = d.focusHandler(fieldStart)
	d.issue.OnChanged = func(string) { d.edited(fieldIssue) }
	d.issue.onFocus = d.focusHandler(fieldIssue)
	d.country.OnChanged = func(string) { d.touched[fieldCountry] = true; d.edited(fieldCountry) }
	if d.method != nil {
		d.method.OnChanged = func(string) { d.revalidate() } // the rules are the method's
	}
	for _, e := range []*widget.Entry{&d.holder.Entry, &d.number.Entry, &d.expiry.Entry, &d.cvv.Entry, &d.start.Entry, &d.issue.Entry, &d.postcode.Entry} {
		e.OnSubmitted = func(string) { d.onPay() } // Enter pays once the form is valid
	}

	rooms := map[string]fyne.CanvasObject{}
	for _, f := range cardFields {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		l.Hide()
		d.errs[f] = l
		rooms[f] = newMessageRoom(l, fieldMessages(f))
	}
	d.extrasNote = widget.NewLabel("")
	d.extrasNote.Wrapping = fyne.TextWrapWord
	d.extrasNote.SizeName = theme.SizeNameCaptionText
	note := newMessageRoom(d.extrasNote, []string{uikit.T("pay.maestro_optional"), uikit.T("pay.maestro_needed")})
	issueLabel := widget.NewLabelWithStyle(uikit.T("pay.issue_number"), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	d.rows = map[string]fyne.CanvasObject{
		fieldHolder:   container.NewVBox(d.holder, rooms[fieldHolder]),
		fieldNumber:   container.NewVBox(container.NewBorder(nil, nil, nil, d.brandRoom(), d.number), rooms[fieldNumber]),
		fieldExpiry:   container.NewVBox(d.expiry, rooms[fieldExpiry]),
		fieldCVV:      container.NewVBox(d.cvv, rooms[fieldCVV]),
		fieldStart:    container.NewVBox(d.start, rooms[fieldStart]),
		fieldIssue:    container.NewVBox(container.NewBorder(nil, nil, issueLabel, nil, d.issue), rooms[fieldIssue]),
		fieldPostcode: container.NewVBox(d.postcode, rooms[fieldPostcode]),
		fieldCountry:  container.NewVBox(d.country, rooms[fieldCountry]),
	}
	// The start date and the issue number side by side (one question:
	// either will do), the note under both.
	d.extras = container.NewVBox(container.NewGridWithColumns(2, d.rows[fieldStart], d.rows[fieldIssue]), note)
	d.buildForm()

	d.message = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.message.Wrapping = fyne.TextWrapWord
	d.message.Importance = widget.DangerImportance
	d.message.Hide()
	d.hint = widget.NewLabel("")
	d.hint.Wrapping = fyne.TextWrapWord
	d.hint.Hide()
	d.progress = widget.NewProgressBarInfinite()
	d.progress.Stop()
	d.working = container.NewVBox(widget.NewLabel(uikit.T("pay.paying")), d.progress)
	d.working.Hide()

	d.body = container.NewStack(container.NewVBox(summary, widget.NewSeparator(), d.formW, d.message, d.hint, d.working))

	d.cancel = widgets.NewButton(uikit.T("dialog.cancel"), d.onCancel)
	d.pay = widgets.NewButton(uikit.T("pay.pay", map[string]any{"Amount": amount}), d.onPay)
	d.closeBtn = widgets.NewButton(uikit.T("pay.close"), d.onClose)

	// The keyboard: Enter in a field pays once the card is complete (the
	// fields' OnSubmitted; on the country list, Pay as the default
	// button), Escape cancels, or closes once the answer is shown.
	d.dlg = widgets.NewCustomWithoutButtons(uikit.T("pay.title"), d.body, d.win)
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancel, d.pay})
	d.dlg.SetDefault(d.pay)
	d.dlg.SetOnEscape(d.onEscape)
	d.revalidate()
}

// buildForm lays out the form in the order a person fills it in: the
// card's number, expiry date and CVV, the name on it, the billing address,
// and last a Maestro card's start date and issue number. That last row and
// its label keep their room while hidden (widgets.KeepRoom), so they come and go
// below the fields being typed into and the label column keeps its width;
// each field's message line has its room from the start too
// (messageRoom). The dialog neither moves nor resizes while a person
// types. (widget.Form gives a hidden row no room and cannot hide a label:
// the form is laid out with Fyne's form layout, labels drawn as
// widget.Form draws them.)
func (d *CardDialog) buildForm() {
	var cells []fyne.CanvasObject
	if d.method != nil {
		cells = append(cells, formLabel(uikit.T("pay.method")), d.method)
	}
	for _, r := range []struct{ label, field string }{
		{"pay.card_number", fieldNumber},
		{"pay.expiry", fieldExpiry},
		{"pay.cvv", fieldCVV},
		{"pay.holder", fieldHolder},
		{"pay.postcode", fieldPostcode},
		{"pay.country", fieldCountry},
	} {
		cells = append(cells, formLabel(uikit.T(r.label)), d.rows[r.field])
	}
	d.extrasLabel = formLabel(uikit.T("pay.start_date"))
	d.extrasLabel.Hide()
	d.extras.Hide()
	cells = append(cells, container.New(widgets.KeepRoom{}, d.extrasLabel), container.New(widgets.KeepRoom{}, d.extras))
	d.formW = container.New(layout.NewFormLayout(), cells...)
}

// formLabel is a form row's label as widget.Form draws it: bold, at the
// end of the label column.
func formLabel(text string) *widget.RichText {
	l := widget.NewRichTextWithText(text)
	seg := l.Segments[0].(*widget.TextSegment)
	seg.Style.Alignment = fyne.TextAlignTrailing
	seg.Style.TextStyle.Bold = true
	return l
}

// brandRoom is the brand's place beside the number, as wide as the widest
// brand's name from the start: the number field keeps its width as the
// brand is recognised.
func (d *CardDialog) brandRoom() *fyne.Container {
	room := container.New(widgets.KeepRoom{}, d.brandLabel)
	for _, b := range []app.Brand{
		app.BrandVisa, app.BrandMastercard, app.BrandAmex, app.BrandDiscover, app.BrandJCB, app.BrandDiners, app.BrandMaestro,
	} {
		l := widget.NewLabelWithStyle(BrandName(b), fyne.TextAlignTrailing, d.brandLabel.TextStyle)
		l.Hide()
		room.Add(l)
	}
	return room
}

// showExtras shows or hides the Maestro row, in the room kept for it.
func (d *CardDialog) showExtras(on bool) {
	if on == d.extrasShown {
		return
	}
	d.extrasShown = on
	if on {
		d.extrasLabel.Show()
		d.extras.Show()
	} else {
		d.extrasLabel.Hide()
		d.extras.Hide()
	}
	d.formW.Refresh()
}

// fit sizes the dialog to its content at a comfortable width; wrapped
// labels need a width to measure their height.
func (d *CardDialog) fit() {
	width := float32(720)
	if ws := d.win.Canvas().Size().Width - 40; ws > 320 && ws < width {
		width = ws
	}
	// The height follows the content, laid out until it settles: wrapped
	// labels, and the rooms kept for the messages, know their height only
	// once laid out at the width.
	for range 4 {
		before := d.dlg.MinSize()
		d.dlg.Resize(fyne.NewSize(width, 0))
		d.body.Refresh() // laid out again even when the size stayed
		if d.dlg.MinSize() == before {
			break
		}
	}
	// Fyne centres a dialog on its window when it is shown, at the size it
	// had then; the overlay centres it again at the size it has now.
	if top := d.win.Canvas().Overlays().Top(); top != nil {
		top.Refresh()
	}
}

func methodName(m app.Method) string {
	if m == app.MethodDebitCard {
		return uikit.T("pay.method.debit")
	}
	return uikit.T("pay.method.credit")
}

// BrandName is a card brand's name in the UI language; "" for an unknown one.
func BrandName(b app.Brand) string {
	switch b {
	case app.BrandVisa:
		return uikit.T("pay.brand.visa")
	case app.BrandMastercard:
		return uikit.T("pay.brand.mastercard")
	case app.BrandAmex:
		return uikit.T("pay.brand.amex")
	case app.BrandDiscover:
		return uikit.T("pay.brand.discover")
	case app.BrandJCB:
		return uikit.T("pay.brand.jcb")
	case app.BrandDiners:
		return uikit.T("pay.brand.diners")
	case app.BrandMaestro:
		return uikit.T("pay.brand.maestro")
	}
	return ""
}

func (d *CardDialog) selectedMethod() app.Method {
	first := d.methods.Values()[0]
	if d.method == nil {
		return first
	}
	return d.methods.ValueOr(d.method.Selected, first)
}

// rules are the domain's card rules for the chosen method.
func (d *CardDialog) rules() app.CardRules {
	m := d.selectedMethod()
	if r, ok := d.req.Rules[m]; ok {
		return r
	}
	return app.CardRulesFor(m, "")
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// --- validation --------------------------------------------------------

func (d *CardDialog) focusHandler(field string) func(bool) {
	return func(focused bool) {
		if !focused {
			d.touched[field] = true
			d.revalidate()
		}
	}
}

// edited is called when a field changes: the processor's error for it no
// longer applies.
func (d *CardDialog) edited(field string) {
	delete(d.remote, field)
	if field == fieldStart || field == fieldIssue {
		// "Start date or issue number needed" is answered by either.
		delete(d.remote, fieldStart)
		delete(d.remote, fieldIssue)
	}
	d.revalidate()
}

// form is the card form as typed, for the domain's rules, with fresh
// []byte for the number (its held digits while masked) and the CVV. The
// caller wipes them (wipeForm).
func (d *CardDialog) form() app.CardForm {
	f := app.CardForm{
		Holder: d.holder.Text, Expiry: d.expiry.Text, CVV: []byte(d.cvv.Text),
		Start: d.start.Text, Issue: d.issue.Text, Postcode: d.postcode.Text,
	}
	f.Number = d.number.raw()
	if i := d.country.SelectedIndex(); i >= 0 {
		f.Country = d.countryCds[i]
	}
	return f
}

func wipeForm(f app.CardForm) {
	wipe(f.Number)
	wipe(f.CVV)
}

// showsNow says whether a problem of field with severity s is shown yet:
// a wrong value at once, an unfinished or missing one once the field has
// been left (or Pay pressed). The start date and the issue number are one
// question ("one or the other"), so their missing answer waits until both
// have been left; until then the note under them says what is wanted.
func (d *CardDialog) showsNow(field string, s app.Severity) bool {
	switch s {
	case app.SeverityInvalid:
		return true
	case app.SeverityMissing:
		if field == fieldStart || field == fieldIssue {
			return d.touched[fieldStart] && d.touched[fieldIssue]
		}
	}
	return d.touched[field]
}

// revalidate shows each field's problem, as the domain's card rules find
// it, and enables Pay only when there is none and no payment runs. It
// returns whether the form is valid.
func (d *CardDialog) revalidate() bool {
	rules := d.rules()
	f := d.form()
	problems := rules.Check(f, time.Now())
	wipeForm(f)
	shown := map[string]string{}
	for _, e := range problems {
		field := e.Field
		if _, ok := d.errs[field]; !ok {
			field = fieldNumber
		}
		if _, done := shown[field]; !done && d.showsNow(field, e.Severity) {
			shown[field] = uikit.ErrorText(e)
		}
	}
	for _, f := range cardFields {
		text := d.remote[f]
		if text == "" {
			text = shown[f]
		}
		setLabel(d.errs[f], text)
	}
	note := uikit.T("pay.maestro_optional")
	if rules.MaestroExtras == app.NeedRequired {
		note = uikit.T("pay.maestro_needed")
	}
	if d.extrasNote.Text != note {
		d.extrasNote.SetText(note)
	}
	brand := d.number.brand
	d.showExtras(rules.ShowsMaestroExtras(brand))
	d.brandLabel.SetText(BrandName(brand))
	d.cvv.SetPlaceHolder(uikit.T("pay.cvv_placeholder", map[string]any{"Length": app.CVVLength(brand)}))
	valid := len(problems) == 0
	if valid && !d.running {
		d.pay.Enable()
	} else {
		d.pay.Disable()
	}
	return valid
}

func setLabel(l *widget.Label, text string) {
	if l.Text == text && l.Visible() == (text != "") {
		return
	}
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// card builds the card from the form with fresh []byte for the number and
// the CVV. The caller wipes it (Charge does).
func (d *CardDialog) card() (*app.Card, error) {
	f := d.form()
	defer wipeForm(f)
	return f.Card()
}

// --- paying ------------------------------------------------------------

func (d *CardDialog) setRunning(on bool) {
	d.running = on
	inputs := []fyne.Disableable{d.holder, d.number, d.expiry, d.cvv, d.start, d.issue, d.postcode, d.country, d.cancel}
	if d.method != nil {
		inputs = append(inputs, d.method)
	}
	for _, w := range inputs {
		if on {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if on {
		d.pay.Disable()
		d.message.Hide()
		d.hint.Hide()
		uikit.ShowIn(d.working, d.working)
		d.progress.Start()
	} else {
		d.progress.Stop()
		d.working.Hide()
	}
	d.fit()
}

func (d *CardDialog) onPay() {
	if d.running || d.finished {
		return
	}
	for _, f := range cardFields {
		d.touched[f] = true
	}
	d.number.mask() // the digits leave the entry's string before the call
	if !d.revalidate() {
		return
	}
	card, err := d.card()
	if err != nil {
		card.Wipe()
		return
	}
	payer := d.req.Payer
	payer.PostalCode = strings.TrimSpace(d.postcode.Text)
	if i := d.country.SelectedIndex(); i >= 0 {
		payer.Country = d.countryCds[i]
	}
	req := app.ChargeRequest{
		Purpose: d.req.Purpose, Reference: d.req.Reference, Amount: d.req.Amount,
		Method: d.selectedMethod(), Card: card, Payer: payer, Description: d.req.Description,
		PaidSoFarMinor: d.req.PaidSoFarMinor,
	}
	d.setRunning(true)
	d.svc.run(func() {
		p, err := d.svc.Payments.Charge(context.Background(), req)
		card.Wipe() // Charge wipes it too; nothing of it outlives the call
		fyne.Do(func() { d.charged(p, err) })
	})
}

// charged shows the answer of one attempt.
func (d *CardDialog) charged(p app.Payment, err error) {
	d.setRunning(false)
	// The CVV is never kept past an attempt. Fyne holds it in a string we
	// cannot wipe; clearing the entry drops the last reference to it.
	d.cvv.SetText("")
	d.touched[fieldCVV] = false // its "required" shows again only once left
	d.payment, d.err = p, err
	switch {
	case err == nil:
		d.number.clear() // paid: the number is not needed any more
		d.showPaid(p)
	case app.ErrorCode(err) == app.EUNKNOWN:
		d.number.clear() // no retry: a second charge could pay twice
		d.showUnknown(p)
	default:
		d.showFailed(err)
	}
}

func (d *CardDialog) showFailed(err error) {
	text := uikit.ErrorText(err)
	d.message.SetText(text)
	d.message.Show()
	if f := app.AsError(err).Field; f != "" {
		if _, ok := d.errs[f]; ok {
			d.remote[f] = text
			d.touched[f] = true
		}
	}
	// The CVV was cleared: say so, and how to try again.
	d.hint.SetText(uikit.T("pay.retry_hint"))
	d.hint.Show()
	d.revalidate()
	d.fit() // the answer's lines below the form (not while typing)
}

func (d *CardDialog) showPaid(p app.Payment) {
	amount := d.formatPaid(p)
	data := map[string]any{"Amount": amount, "Brand": BrandName(p.Brand), "Card": app.MaskCardNumber(p.Brand, p.Last4)}
	key := "pay.paid"
	if p.State == app.StateHeld {
		key = "pay.held"
	}
	msg := widget.NewLabelWithStyle(uikit.T(key, data), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.SuccessImportance
	box := container.NewVBox(msg)
	if ref := p.GatewayRef; ref != "" {
		box.Add(widget.NewLabel(uikit.T("pay.reference", map[string]any{"Reference": ref})))
	}
	d.showResult(box)
}

func (d *CardDialog) showUnknown(p app.Payment) {
	title := widget.NewLabelWithStyle(uikit.T("pay.unknown_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.WarningImportance
	title.Wrapping = fyne.TextWrapWord
	body := widget.NewLabel(uikit.T("pay.unknown", map[string]any{"Amount": d.formatPaid(p)}))
	body.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, body)
	if p.InvoiceID != "" {
		box.Add(widget.NewLabel(uikit.T("pay.reference", map[string]any{"Reference": p.InvoiceID})))
	}
	d.showResult(box)
}

func (d *CardDialog) formatPaid(p app.Payment) string {
	if a, err := money.FromMinor(p.AmountMinor, p.Currency); err == nil && p.Currency != "" {
		return money.Format(a, uikit.Language())
	}
	return money.Format(d.req.Amount, uikit.Language())
}

func (d *CardDialog) showResult(o fyne.CanvasObject) {
	what := widget.NewLabel(d.req.Description)
	what.Wrapping = fyne.TextWrapWord
	d.body.Objects = []fyne.CanvasObject{container.NewVBox(what, widget.NewSeparator(), o)}
	d.body.Refresh()
	d.dlg.SetButtons([]fyne.CanvasObject{d.closeBtn})
	d.dlg.SetDefault(d.closeBtn)
	d.shown = true
	d.fit()
	d.win.Canvas().Focus(d.closeBtn) // Enter or Space closes
}

// onEscape is Escape: Cancel while the form is shown (nothing while a
// payment runs), Close once the answer is.
func (d *CardDialog) onEscape() {
	if d.shown {
		d.onClose()
		return
	}
	d.onCancel()
}

func (d *CardDialog) onCancel() {
	if d.running {
		return
	}
	d.finish(app.Payment{}, context.Canceled)
}

func (d *CardDialog) onClose() {
	d.finish(d.payment, d.err)
}

// finish clears the card data, hides the dialog and calls done once.
func (d *CardDialog) finish(p app.Payment, err error) {
	if d.finished {
		return
	}
	d.finished = true
	d.number.clear()
	d.cvv.SetText("")
	d.dlg.Hide()
	if d.done != nil {
		d.done(p, err)
	}
}

// CardEntry is an Entry that reports focus changes, which Entry does not
// expose: the dialog masks the number and shows a field's errors when the
// person leaves it.
type CardEntry struct {
	widget.Entry
	onFocus func(focused bool)
}

func newCardEntry(password bool) *CardEntry {
	e := &CardEntry{}
	e.Password = password
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey cancels the dialog on Escape (widgets.DialogKey); Enter is the
// entry's OnSubmitted.
func (e *CardEntry) TypedKey(ev *fyne.KeyEvent) {
	if widgets.DialogKey(e, ev, false) {
		return
	}
	e.Entry.TypedKey(ev)
}

func (e *CardEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus(true)
	}
}

func (e *CardEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onFocus != nil {
		e.onFocus(false)
	}
}
