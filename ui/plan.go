package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

// SectionPlan is the offline fee-planning section.
const SectionPlan = "plan"

// planScenarios is how many what-if estimates sit side by side.
const planScenarios = 3

// planScreen is offline fee planning for training coordinators: what-if
// pay-per-use estimates side by side, and the break-even number of paying
// attendees for a fee. It reads the site's rates once and schedules
// nothing, so it works with no network.
type planScreen struct {
	deps    Deps
	site    app.Site
	content fyne.CanvasObject

	scenarios [planScenarios]*planScenario
	fee       *widgets.Entry
	discount  *widgets.Entry
	feeError  *widget.Label
	rates     *widget.Label
}

// planScenario is one column of what-if inputs and its estimate.
type planScenario struct {
	duration, computers, share *widgets.Entry
	person, tele, total        *widget.Label
	breakEven                  *widget.Label
	err                        *widget.Label
	estimate                   *app.EstimatedCost
}

// planColumns are the widths of the row labels and the three options.
var planColumns = []float32{2, 1, 1, 1}

func newPlanScreen(deps Deps, site app.Site) *planScreen {
	s := &planScreen{deps: deps, site: site}
	defaults := [planScenarios][3]string{{"90", "25", "40"}, {"60", "25", "40"}, {"90", "40", "25"}}
	// Rows of weighted columns, not a grid: a grid gives every column the
	// widest cell's width, and four of those made the screen wider than
	// the default window.
	grid := container.NewVBox()
	header := []fyne.CanvasObject{widget.NewLabel("")}
	for i := range s.scenarios {
		sc := &planScenario{
			duration: widgets.NewEntry(), computers: widgets.NewEntry(), share: widgets.NewEntry(),
			person: widget.NewLabel(""), tele: widget.NewLabel(""), total: widget.NewLabel(""),
			breakEven: widget.NewLabel(""), err: widget.NewLabel(""),
		}
		sc.total.TextStyle = fyne.TextStyle{Bold: true}
		sc.breakEven.TextStyle = fyne.TextStyle{Bold: true}
		sc.breakEven.Wrapping = fyne.TextWrapWord // "6 (netto 22,50 zł od osoby)" in a third of the width
		sc.err.Importance = widget.DangerImportance
		sc.err.Wrapping = fyne.TextWrapWord
		sc.duration.SetText(defaults[i][0])
		sc.computers.SetText(defaults[i][1])
		sc.share.SetText(defaults[i][2])
		for _, e := range []*widgets.Entry{sc.duration, sc.computers, sc.share} {
			e.OnChanged = func(string) { s.recompute() }
		}
		s.scenarios[i] = sc
		header = append(header, widget.NewLabelWithStyle(T("plan.scenario", map[string]any{"N": i + 1}),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	row := func(label string, cell func(*planScenario) fyne.CanvasObject) {
		cells := []fyne.CanvasObject{widget.NewLabel(label)}
		for _, sc := range s.scenarios {
			cells = append(cells, cell(sc))
		}
		grid.Add(newColumns(planColumns, cells...))
	}
	grid.Add(newColumns(planColumns, header...))
	row(T("plan.duration"), func(sc *planScenario) fyne.CanvasObject { return sc.duration })
	row(T("plan.computers"), func(sc *planScenario) fyne.CanvasObject { return sc.computers })
	row(T("plan.share"), func(sc *planScenario) fyne.CanvasObject { return sc.share })
	row(T("estimate.person_minutes"), func(sc *planScenario) fyne.CanvasObject { return sc.person })
	row(T("estimate.teleconference_minutes"), func(sc *planScenario) fyne.CanvasObject { return sc.tele })
	row(T("estimate.total"), func(sc *planScenario) fyne.CanvasObject { return sc.total })
	row("", func(sc *planScenario) fyne.CanvasObject { return sc.err })

	s.fee, s.discount = widgets.NewEntry(), widgets.NewEntry()
	s.discount.SetText("10")
	s.fee.OnChanged = func(string) { s.recompute() }
	s.discount.OnChanged = func(string) { s.recompute() }
	s.feeError = widget.NewLabel("")
	s.feeError.Importance = widget.DangerImportance
	s.feeError.Wrapping = fyne.TextWrapWord
	s.rates = widget.NewLabel("")
	s.rates.Wrapping = fyne.TextWrapWord
	breakEvenCells := []fyne.CanvasObject{widget.NewLabel(T("plan.break_even"))}
	for _, sc := range s.scenarios {
		breakEvenCells = append(breakEvenCells, sc.breakEven)
	}
	breakEven := newColumns(planColumns, breakEvenCells...)
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(T("plan.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel(T("plan.offline")), s.rates, widget.NewSeparator(), grid, widget.NewSeparator(),
		widget.NewLabelWithStyle(T("plan.fee_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewForm(
			widget.NewFormItem(T("plan.fee", map[string]any{"Currency": site.Currency}), s.fee),
			widget.NewFormItem(T("plan.discount"), s.discount)),
		s.feeError, breakEven)))
	s.load()
	return s
}

// load reads the site's rates (the database is local: no network).
func (s *planScreen) load() {
	s.deps.run(func() {
		site, err := s.deps.Site.Site(context.Background())
		fyne.Do(func() {
			if err != nil {
				s.rates.SetText(ErrorText(err))
				return
			}
			s.site = site
			if s.fee.Text == "" {
				fee, _ := money.FromMinor(25*pow10(money.Digits(site.Currency)), site.Currency)
				s.fee.SetText(money.FormatNumber(fee, Language()))
			}
			s.recompute()
		})
	})
}

func (s *planScreen) money(minor int64) string {
	a, err := money.FromMinor(minor, s.site.Currency)
	if err != nil {
		return strconv.FormatInt(minor, 10)
	}
	return money.Format(a, Language())
}

// parseCount reads a whole number typed in an entry.
func parseCount(text string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	return n, err == nil
}

// teleconferenceOf is share percent of computers, rounded half-up.
func teleconferenceOf(computers, sharePct int64) int64 {
	return (computers*sharePct + 50) / 100
}

// recompute prices every scenario and the break-even numbers.
func (s *planScreen) recompute() {
	lang := Language()
	rates := app.RatesOf(s.site)
	if s.site.Currency == "" {
		return
	}
	s.rates.SetText(T("plan.rates", map[string]any{
		"Person": money.RateFromE4(rates.PersonMinuteE4, rates.Currency).Format(lang),
		"Tele":   money.RateFromE4(rates.TeleconferenceMinuteE4, rates.Currency).Format(lang),
	}))
	for _, sc := range s.scenarios {
		sc.estimate = nil
		d, ok1 := parseCount(sc.duration.Text)
		c, ok2 := parseCount(sc.computers.Text)
		share, ok3 := parseCount(sc.share.Text)
		var err error
		switch {
		case !ok1 || !ok2 || !ok3:
			err = app.Errorf(app.EINVALID, "error.payperuse.whole_numbers", "")
		case share < 0 || share > 100:
			err = app.Errorf(app.EINVALID, "error.payperuse.share", "")
		}
		var e app.EstimatedCost
		if err == nil {
			e, err = app.Estimate(app.Usage{DurationMinutes: d, Computers: c, Teleconference: teleconferenceOf(c, share)}, rates)
		}
		if err != nil {
			for _, l := range []*widget.Label{sc.person, sc.tele, sc.total, sc.breakEven} {
				l.SetText("—")
			}
			sc.err.SetText(ErrorText(err))
			continue
		}
		sc.estimate = &e
		sc.err.SetText("")
		sc.person.SetText(T("plan.line", map[string]any{"Minutes": groupInt(e.PersonMinutes), "Amount": s.money(e.PersonMinor)}))
		sc.tele.SetText(T("plan.line", map[string]any{"Minutes": groupInt(e.TeleconferenceMinutes), "Amount": s.money(e.TeleconferenceMinor)}))
		sc.total.SetText(s.money(e.TotalMinor))
	}
	s.recomputeBreakEven()
}

func (s *planScreen) recomputeBreakEven() {
	fee, err := money.ParsePositive(s.fee.Text, s.site.Currency, Language())
	pct := strings.ReplaceAll(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.discount.Text), "%")), ",", ".")
	s.feeError.SetText("")
	if err != nil {
		s.feeError.SetText(ErrorText(err))
	}
	for _, sc := range s.scenarios {
		if sc.estimate == nil || err != nil {
			sc.breakEven.SetText("—")
			continue
		}
		b, berr := app.PlanBreakEven(fee, pct, sc.estimate.Total)
		if berr != nil {
			sc.breakEven.SetText("—")
			s.feeError.SetText(ErrorText(berr))
			continue
		}
		sc.breakEven.SetText(T("plan.attendees", map[string]any{"Count": b.Attendees, "Net": money.Format(b.NetPerAttendee, Language())}))
	}
}

// buildPlan is the Plan section.
func (m *MainWindow) buildPlan() fyne.CanvasObject {
	return newPlanScreen(m.deps, m.site).content
}
