package ui

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// Forms that hold still: the line where a field's refusal shows takes its
// room from the start, so that a message appearing or going moves no field
// below it and the next click lands where the person aimed.

// fieldMessageLines is the room, in lines of text, kept under a field for
// its message; a longer message ends in an ellipsis rather than pushing the
// fields below it down.
const fieldMessageLines = 2

// reservedLayout gives its objects a fixed height of a number of lines of
// text, whether they show or not. (Hand-written: Fyne's layouts size to
// what is visible, which is what moves the fields.)
type reservedLayout struct {
	probe fyne.CanvasObject // lines of text (or the tallest content), measured for the height
}

func (l reservedLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		if o.Visible() {
			w = max(w, o.MinSize().Width)
		}
	}
	return fyne.NewSize(w, l.probe.MinSize().Height)
}

func (l reservedLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// reserve puts o in a box that keeps lines lines of caption text's room
// whether o shows or not. A label in it is written in the caption size,
// wraps and ends in an ellipsis when its text needs more room.
func reserve(lines int, o fyne.CanvasObject) *fyne.Container {
	probe := widget.NewLabel(strings.TrimSuffix(strings.Repeat("Ag\n", max(lines, 1)), "\n"))
	probe.SizeName = theme.SizeNameCaptionText
	if l, ok := o.(*widget.Label); ok {
		l.Wrapping = fyne.TextWrapWord
		l.Truncation = fyne.TextTruncateEllipsis
		l.SizeName = theme.SizeNameCaptionText
	}
	return container.New(reservedLayout{probe: probe}, o)
}

// reserveAs keeps for o the height of probe, the tallest thing o shows (a
// form with the most fields), whether o shows it or less.
func reserveAs(probe, o fyne.CanvasObject) *fyne.Container {
	return container.New(reservedLayout{probe: probe}, o)
}

// newFieldMessage is the label under a field where its refusal shows,
// hidden until there is one.
func newFieldMessage() *widget.Label {
	l := widget.NewLabel("")
	l.SizeName = theme.SizeNameCaptionText
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// withMessage is a field with its message line under it, the line's room
// kept from the start.
func withMessage(field fyne.CanvasObject, msg *widget.Label) fyne.CanvasObject {
	return container.NewVBox(field, reserve(fieldMessageLines, msg))
}

// setFieldMessage shows text, as a sentence, on a field's message line, or
// hides the line for "".
func setFieldMessage(l *widget.Label, text string) {
	if text == "" {
		l.SetText("")
		l.Hide()
		return
	}
	l.SetText(sentence(text))
	l.Show()
}

// sentence makes a message read as a sentence: a capital letter first and
// a full stop (or other closing mark) at the end. Translations are
// sentences already; a message built of a part (a parser's reason, a
// domain message without a translation) becomes one here.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	// A first word of letters is capitalised; one that is a value (an
	// address, a code) is left as typed.
	first, _, _ := strings.Cut(s, " ")
	if r, n := utf8.DecodeRuneInString(s); unicode.IsLower(r) && strings.IndexFunc(first, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	if !strings.ContainsRune(".!?…:)”\"»", last) {
		s += "."
	}
	return s
}

// fieldOf is the field an error is about (onField's, else app.Error's
// Field), "" when it names none.
func fieldOf(err error) string {
	var fe fieldError
	if errors.As(err, &fe) {
		return fe.field
	}
	if e := app.AsError(err); e != nil {
		return e.Field
	}
	return ""
}

// fieldError is a refusal the UI found itself (a parser's reason, which
// carries no field) with the field of the form it is about.
type fieldError struct {
	field string
	err   error
}

func (e fieldError) Error() string { return e.err.Error() }
func (e fieldError) Unwrap() error { return e.err }

// onField says that err is about field.
func onField(field string, err error) error {
	if err == nil {
		return nil
	}
	return fieldError{field: field, err: err}
}

// fieldBox is an entry with its message line under it, for the forms of
// dialog.NewForm. It is Validatable, so the dialog's confirm button follows
// the entry's validator, and it shows the validator's refusal on its own
// line, whose room is kept from the start (Fyne's form hint line appears
// with the first refusal and moves what is below it). A refusal of the
// value by the service (refuse) shows until the text changes.
type fieldBox struct {
	widget.BaseWidget
	entry   *widgets.Entry
	msg     *widget.Label
	box     fyne.CanvasObject
	changed func(error)

	refused     error
	refusedText string
	shown       error
}

func newFieldBox(e *widgets.Entry) *fieldBox {
	b := &fieldBox{entry: e, msg: newFieldMessage()}
	b.box = withMessage(e, b.msg)
	if e.Validator == nil {
		e.Validator = func(string) error { return nil }
	}
	typed := e.OnChanged
	e.OnChanged = func(s string) {
		if typed != nil {
			typed(s)
		}
		b.update()
	}
	e.SetOnValidationChanged(func(error) { b.update() })
	b.ExtendBaseWidget(b)
	return b
}

func (b *fieldBox) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(b.box) }

// refuse shows the service's refusal of the text as it stands.
func (b *fieldBox) refuse(err error) {
	b.refused, b.refusedText = err, b.entry.Text
	b.update()
}

// current is the entry's validator's refusal, else the service's while the
// text is the one refused.
func (b *fieldBox) current() error {
	var err error
	if b.entry.Validator != nil {
		err = b.entry.Validator(b.entry.Text)
	}
	if err == nil && b.refused != nil && b.entry.Text == b.refusedText {
		err = b.refused
	}
	return err
}

// update shows the refusal (none while the box is empty and nothing was
// refused: an empty required field says so when the person goes on) and
// tells the form.
func (b *fieldBox) update() {
	err := b.current()
	text := ""
	if err != nil && (b.entry.Text != "" || b.refused != nil) {
		text = personText(err)
	}
	setFieldMessage(b.msg, text)
	if (err == nil) != (b.shown == nil) || (err != nil && b.shown != nil && err.Error() != b.shown.Error()) {
		b.shown = err
		if b.changed != nil {
			b.changed(err)
		}
	}
}

// personText is an error's sentence: ErrorText for the domain's errors,
// the text of a validator's plain error (already translated).
func personText(err error) string {
	var e *app.Error
	if _, ok := err.(personError); !ok && errors.As(err, &e) {
		return ErrorText(err)
	}
	return err.Error()
}

func (b *fieldBox) Validate() error {
	err := b.current()
	b.update()
	return err
}

func (b *fieldBox) SetOnValidationChanged(f func(error)) { b.changed = f }

// setActive enables or disables a field (a button, an entry, a select).
func setActive(o fyne.Disableable, on bool) {
	if on {
		o.Enable()
	} else {
		o.Disable()
	}
}
