package checkout

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// CardNumberEntry is the card number field of the card dialog, a widget
// of its own that keeps the number's state: it groups the digits as typed
// for the brand they show, and once left with a valid number it moves the
// digits into a []byte it holds and shows "•••• 1111" instead; focused
// again, it puts them back, grouped, for editing (see the card dialog's
// notes on card data hygiene).
type CardNumberEntry struct {
	CardEntry

	onEdited func() // the person changed the number
	onLeft   func() // the field was left (the number is masked by then)

	// While masked, the digits live only here.
	digits   []byte
	masked   bool
	brand    app.Brand
	settling bool // the widget itself is changing the entry's text
	nDigits  int  // digits in the entry at the last change
	nRunes   int  // runes in the entry at the last change
}

func newCardNumberEntry() *CardNumberEntry {
	e := &CardNumberEntry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.OnChanged = e.onNumberChanged
	e.onFocus = e.onNumberFocus
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey cancels the dialog on Escape, as the other card fields do (the
// number's own method: the dialog's key handling looks for the focused
// widget itself).
func (e *CardNumberEntry) TypedKey(ev *fyne.KeyEvent) {
	if widgets.DialogKey(e, ev, false) {
		return
	}
	e.Entry.TypedKey(ev)
}

// raw is a fresh copy of the number as the rules read it: the held digits
// while masked, else the entry's text. The caller wipes it.
func (e *CardNumberEntry) raw() []byte {
	if e.masked {
		return append([]byte(nil), e.digits...)
	}
	return []byte(e.Text)
}

// numberDigits returns a fresh copy of the number's digits (from the held
// bytes while masked, else from the entry) and the normalisation error. The
// caller wipes the result.
func (e *CardNumberEntry) numberDigits() ([]byte, error) {
	if e.masked {
		return append([]byte(nil), e.digits...), nil
	}
	raw := []byte(e.Text)
	defer wipe(raw)
	return app.NormalizeCardNumber(raw)
}

// setNumberText changes the number entry without it counting as typing.
func (e *CardNumberEntry) setNumberText(s string, cursor int) {
	e.settling = true
	e.SetText(s)
	e.settling = false
	e.CursorColumn = cursor
	e.Refresh()
	e.nRunes = utf8.RuneCountInString(s)
}

// onNumberChanged regroups the digits as typed for the detected brand, and
// keeps the cursor after the same digit.
func (e *CardNumberEntry) onNumberChanged(text string) {
	if e.settling {
		return
	}
	if e.masked { // replaced as a whole (e.g. pasted over the mask)
		e.masked = false
		wipe(e.digits)
		e.digits = nil
	}
	n := utf8.RuneCountInString(text)
	cursor := min(max(e.CursorColumn, 0), n)
	before, i := 0, 0
	for _, r := range text {
		if i == cursor {
			break
		}
		if '0' <= r && r <= '9' {
			before++
		}
		i++
	}
	raw := []byte(text)
	digits, err := app.NormalizeCardNumber(raw)
	wipe(raw)
	if err == nil {
		// Backspace over a group's space removes the digit before it:
		// otherwise regrouping would put the space straight back.
		if len(digits) == e.nDigits && n < e.nRunes && before > 0 {
			digits = append(digits[:before-1], digits[before:]...)
			before--
		}
		e.brand = app.DetectBrand(digits)
		grouped := app.GroupCardNumber(digits, e.brand)
		pos := 0
		for seen := 0; pos < len(grouped) && seen < before; pos++ {
			if grouped[pos] != ' ' {
				seen++
			}
		}
		e.nDigits = len(digits)
		if string(grouped) != text {
			e.setNumberText(string(grouped), pos)
		} else {
			e.nRunes = n
		}
		wipe(grouped)
		wipe(digits)
	} else {
		e.brand = app.BrandUnknown
		e.nDigits, e.nRunes = -1, n
	}
	if e.onEdited != nil {
		e.onEdited()
	}
}

func (e *CardNumberEntry) onNumberFocus(focused bool) {
	if focused {
		e.unmask()
		return
	}
	e.mask()
	if e.onLeft != nil {
		e.onLeft()
	}
}

// mask moves a valid number out of the entry into e.digits and shows
// the masked form instead.
func (e *CardNumberEntry) mask() {
	if e.masked {
		return
	}
	digits, err := e.numberDigits()
	if err != nil {
		return
	}
	if _, err := app.ValidateCardNumber(digits); err != nil {
		wipe(digits)
		return
	}
	e.digits, e.masked = digits, true
	e.brand = app.DetectBrand(digits)
	e.setNumberText(app.MaskCardNumber(e.brand, string(digits[len(digits)-4:])), 0)
}

// unmask puts the digits back, grouped, for editing.
func (e *CardNumberEntry) unmask() {
	if !e.masked {
		return
	}
	grouped := app.GroupCardNumber(e.digits, e.brand)
	e.masked = false
	e.nDigits = len(e.digits)
	wipe(e.digits)
	e.digits = nil
	e.setNumberText(string(grouped), len(grouped))
	wipe(grouped)
}

// clear forgets the number: entry and bytes.
func (e *CardNumberEntry) clear() {
	wipe(e.digits)
	e.digits, e.masked = nil, false
	e.setNumberText("", 0)
	e.nDigits = 0
}
