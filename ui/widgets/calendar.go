package widgets

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/ui/uikit"
)

// Calendar is a month of days to pick one from, named in the UI's language.
//
// Fyne's widget.Calendar (v2.8) writes its month with time.Format("January
// 2006"), English whatever the language, and offers no way to change it;
// so this one is ours. It reads the month's name from our translations
// ("month.12": "grudzień") and the weekdays' from the names Fyne's own
// messages use ("monday.short"), which TrainPay ships in Polish.
//
// It is used by keyboard as well as by mouse: once focused, Left and Right
// move the day by one, Up and Down by a week, Page Up and Page Down by a
// month; Enter picks the day (OnPicked) and Escape gives up (OnCancelled).
type Calendar struct {
	widget.BaseWidget

	// OnPicked is called with the day picked (midnight in the location of
	// the day the calendar was opened on).
	OnPicked func(time.Time)
	// OnCancelled is called when Escape is pressed.
	OnCancelled func()

	cursor  time.Time // the day the keys move; shown highlighted
	focused bool

	month *widget.Label
	grid  *fyne.Container
}

var (
	_ fyne.Focusable = (*Calendar)(nil)
	_ fyne.Widget    = (*Calendar)(nil)
)

// NewCalendar shows the month of day, with day highlighted.
func NewCalendar(day time.Time) *Calendar {
	c := &Calendar{cursor: midnight(day)}
	c.ExtendBaseWidget(c)
	return c
}

// Day is the highlighted day.
func (c *Calendar) Day() time.Time { return c.cursor }

// MonthTitle is the shown month and year in the UI's language ("grudzień
// 2026").
func (c *Calendar) MonthTitle() string {
	return uikit.T("month."+strconv.Itoa(int(c.cursor.Month()))) + " " + strconv.Itoa(c.cursor.Year())
}

// firstWeekday is the first column: Monday, as in Poland and by ISO 8601,
// except for English on a system set to the United States or Canada.
func firstWeekday() time.Weekday {
	if uikit.Language() == "en" {
		switch uikit.SystemRegion() {
		case "US", "CA":
			return time.Sunday
		}
	}
	return time.Monday
}

// weekdayName is a weekday's short name in the UI's language ("pn").
func weekdayName(d time.Weekday) string {
	switch d {
	case time.Monday:
		return uikit.T("monday.short")
	case time.Tuesday:
		return uikit.T("tuesday.short")
	case time.Wednesday:
		return uikit.T("wednesday.short")
	case time.Thursday:
		return uikit.T("thursday.short")
	case time.Friday:
		return uikit.T("friday.short")
	case time.Saturday:
		return uikit.T("saturday.short")
	}
	return uikit.T("sunday.short")
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// CreateRenderer builds the month's header and its grid of days.
func (c *Calendar) CreateRenderer() fyne.WidgetRenderer {
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { c.move(0, -1, 0) })
	prev.Importance = widget.LowImportance
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { c.move(0, 1, 0) })
	next.Importance = widget.LowImportance
	c.month = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	c.grid = container.NewGridWithColumns(7)
	c.build()
	header := container.NewBorder(nil, nil, prev, next, c.month)
	return widget.NewSimpleRenderer(container.NewBorder(header, nil, nil, nil, c.grid))
}

// build fills the header and the grid for the cursor's month.
func (c *Calendar) build() {
	if c.grid == nil {
		return
	}
	c.month.SetText(c.MonthTitle())
	var cells []fyne.CanvasObject
	first := firstWeekday()
	for i := range 7 {
		l := widget.NewLabelWithStyle(weekdayName((first+time.Weekday(i))%7), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		cells = append(cells, l)
	}
	start := time.Date(c.cursor.Year(), c.cursor.Month(), 1, 0, 0, 0, 0, c.cursor.Location())
	for range (int(start.Weekday()) - int(first) + 7) % 7 {
		cells = append(cells, layout.NewSpacer())
	}
	for d := start; d.Month() == start.Month(); d = d.AddDate(0, 0, 1) {
		day := d
		b := widget.NewButton(strconv.Itoa(d.Day()), func() {
			c.cursor = day
			c.pick()
		})
		b.Importance = widget.LowImportance
		if d.Day() == c.cursor.Day() {
			b.Importance = widget.MediumImportance
			if c.focused {
				b.Importance = widget.HighImportance
			}
		}
		cells = append(cells, b)
	}
	c.grid.Objects = cells
	c.grid.Refresh()
}

// move shifts the cursor by days, months and years; a month's move keeps
// the day of the month where the new month has it (31 March to 30 April).
func (c *Calendar) move(years, months, days int) {
	if months != 0 || years != 0 {
		first := time.Date(c.cursor.Year()+years, c.cursor.Month()+time.Month(months), 1, 0, 0, 0, 0, c.cursor.Location())
		last := first.AddDate(0, 1, -1).Day()
		c.cursor = first.AddDate(0, 0, min(c.cursor.Day(), last)-1)
	}
	c.cursor = c.cursor.AddDate(0, 0, days)
	c.build()
}

func (c *Calendar) pick() {
	if c.OnPicked != nil {
		c.OnPicked(c.cursor)
	}
}

// FocusGained shows the highlighted day as the keys' target.
func (c *Calendar) FocusGained() {
	c.focused = true
	c.build()
}

// FocusLost shows the highlighted day plainly again.
func (c *Calendar) FocusLost() {
	c.focused = false
	c.build()
}

// TypedRune does nothing: the calendar is driven by the keys TypedKey reads.
func (c *Calendar) TypedRune(rune) {}

// TypedKey moves the day, picks it or gives up (see Calendar).
func (c *Calendar) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyLeft:
		c.move(0, 0, -1)
	case fyne.KeyRight:
		c.move(0, 0, 1)
	case fyne.KeyUp:
		c.move(0, 0, -7)
	case fyne.KeyDown:
		c.move(0, 0, 7)
	case fyne.KeyPageUp:
		c.move(0, -1, 0)
	case fyne.KeyPageDown:
		c.move(0, 1, 0)
	case fyne.KeyReturn, fyne.KeyEnter:
		c.pick()
	case fyne.KeyEscape:
		if c.OnCancelled != nil {
			c.OnCancelled()
		}
	}
}

// DateEntry is Fyne's date entry (typing a date works and reads as
// Fyne's does) whose calendar button opens our Calendar instead of Fyne's,
// so that the month and the weekdays are named in the UI's language. The
// button is reached with Tab and pressed with Space; the calendar then has
// the keyboard focus (see Calendar), and picking a day or Escape gives it
// back to the entry.
//
// It takes the keyboard's keys as Entry does: Enter or Return runs the
// dialog's default button (unless it has its own OnSubmitted), Escape
// cancels the dialog; and it draws the focus ring.
type DateEntry struct {
	widget.DateEntry

	calendar *Calendar
	popUp    *widget.PopUp
	hasFocus bool // for the focus ring
}

// NewDateEntry is an empty date entry.
func NewDateEntry() *DateEntry {
	e := &DateEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	open := widget.NewButtonWithIcon("", theme.CalendarIcon(), e.ShowCalendar)
	open.Importance = widget.LowImportance
	// Set before the first render: Fyne's DateEntry then keeps it and
	// never builds its own calendar.
	e.ActionItem = open
	return e
}

// ShowCalendar opens the calendar under the entry, on the entry's date (or
// today), with the keyboard focus.
func (e *DateEntry) ShowCalendar() {
	c := fyne.CurrentApp().Driver().CanvasForObject(e)
	if c == nil {
		return
	}
	day := time.Now()
	if e.Date != nil {
		day = *e.Date
	}
	e.calendar = NewCalendar(day)
	e.calendar.OnPicked = func(d time.Time) {
		e.hideCalendar(c)
		e.SetDate(&d)
	}
	e.calendar.OnCancelled = func() { e.hideCalendar(c) }
	e.popUp = widget.NewPopUp(e.calendar, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e)
	e.popUp.ShowAtPosition(pos.Add(fyne.NewPos(0, e.Size().Height)))
	e.popUp.Resize(fyne.NewSize(max(e.Size().Width, e.popUp.MinSize().Width), e.popUp.MinSize().Height))
	c.Focus(e.calendar)
}

// Calendar is the open calendar, nil when none is shown.
func (e *DateEntry) Calendar() *Calendar {
	if e.popUp == nil || !e.popUp.Visible() {
		return nil
	}
	return e.calendar
}

func (e *DateEntry) hideCalendar(c fyne.Canvas) {
	if e.popUp != nil {
		e.popUp.Hide()
		e.popUp = nil
	}
	c.Focus(e)
}

// TypedKey takes Escape, Enter and Return (see DateEntry); other keys go to
// Fyne's date entry.
func (e *DateEntry) TypedKey(ev *fyne.KeyEvent) {
	if DialogKey(e, ev, e.OnSubmitted == nil) {
		return
	}
	e.DateEntry.TypedKey(ev)
}

// CreateRenderer is Fyne's renderer with the focus ring (see focusRing).
func (e *DateEntry) CreateRenderer() fyne.WidgetRenderer {
	return newFocusRing(e, e.DateEntry.CreateRenderer(), func() bool { return e.hasFocus })
}

// FocusGained shows the focus ring.
func (e *DateEntry) FocusGained() {
	e.hasFocus = true
	e.DateEntry.FocusGained()
	e.Refresh()
}

// FocusLost hides the focus ring.
func (e *DateEntry) FocusLost() {
	e.hasFocus = false
	e.DateEntry.FocusLost()
	e.Refresh()
}
