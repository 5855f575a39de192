package ui

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
	"github.com/trainpay/trainpay/ui/widgets"
)

// promoPickerPageSize is how many sessions one search reads; "Show more"
// reads the next page, so a long schedule never loads at once.
const promoPickerPageSize = 50

// sessionPicker chooses the paid sessions a code applies to from the
// sessions list (the sessions service's paged search), instead of typing
// session numbers. It keeps the chosen ones with their topics.
type sessionPicker struct {
	deps Deps
	win  fyne.Window
	site app.Site

	chosen  map[int64]string // session ID -> topic
	summary *widget.Label    // the chosen topics, under the form's radio
	choose  *widgets.Button

	// The open dialog.
	dlg    *widgets.Dialog
	search *widgets.Entry
	rows   []app.SessionSummary // paid sessions found so far
	list   *widgets.List
	more   *widgets.Button
	count  *widget.Label
	next   int // offset of the next page; -1 when there is none
	gen    int // search generation: stale pages are dropped
	// applied is called when the dialog closes with Done.
	applied func()
}

func newSessionPicker(deps Deps, w fyne.Window, site app.Site, chosen []app.PromoSession) *sessionPicker {
	p := &sessionPicker{deps: deps, win: w, site: site, chosen: map[int64]string{}}
	for _, s := range chosen {
		p.chosen[s.ID] = s.Topic
	}
	p.summary = widget.NewLabel("")
	p.summary.Wrapping = fyne.TextWrapWord
	p.choose = widgets.NewButton(T("promo.choose_sessions"), p.open)
	if deps.Sessions == nil {
		p.choose.Disable()
		p.summary.SetText(T("error.promo.no_sessions"))
	} else {
		p.showSummary()
	}
	return p
}

// ids returns the chosen sessions in ID order.
func (p *sessionPicker) ids() []int64 {
	out := make([]int64, 0, len(p.chosen))
	for id := range p.chosen {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (p *sessionPicker) showSummary() {
	if len(p.chosen) == 0 {
		p.summary.SetText(T("promo.no_sessions_chosen"))
		return
	}
	var s []app.PromoSession
	for _, id := range p.ids() {
		s = append(s, app.PromoSession{ID: id, Topic: p.chosen[id]})
	}
	p.summary.SetText(T("promo.sessions_chosen", map[string]any{"Topics": sessionTopicsText(s)}))
}

// sessionTopicsText lists sessions by topic; one without a topic (gone, or
// no longer paid) by its number.
func sessionTopicsText(ss []app.PromoSession) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		if s.Topic == "" {
			names[i] = T("promo.session_number", map[string]any{"ID": s.ID})
		} else {
			names[i] = s.Topic
		}
	}
	return strings.Join(names, "; ")
}

// open shows the dialog with the first page of upcoming paid sessions.
func (p *sessionPicker) open() {
	p.search = widgets.NewEntry()
	p.search.SetPlaceHolder(T("sessions.search"))
	p.search.OnChanged = func(string) { p.reload() }
	p.count = widget.NewLabel("")
	p.more = widgets.NewButton(T("promo.more_sessions"), func() { p.load(p.next) })
	p.more.Hide()
	p.list = widgets.NewList(
		func() int { return len(p.rows) },
		func() fyne.CanvasObject { return widgets.NewCheck("", nil) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.rows) {
				return
			}
			row := p.rows[id]
			c := o.(*widgets.Check)
			c.OnChanged = nil // setting the state must not toggle the choice
			c.Text = p.rowText(row)
			c.SetChecked(p.isChosen(row.ID))
			c.OnChanged = func(on bool) { p.toggle(row.ID, row.Topic, on) }
			c.Refresh()
		})
	done := widgets.NewButton(T("promo.done"), p.onDone)
	done.Importance = widget.HighImportance
	top := container.NewVBox(p.search, p.count)
	if p.applied != nil {
		// Editing a code's sessions: no session is how it goes back to all.
		note := widget.NewLabel(T("promo.sessions_none_means_all"))
		note.Wrapping = fyne.TextWrapWord
		top.Add(note)
	}
	body := container.NewBorder(top, container.NewHBox(p.more, done), nil, nil, p.list)
	p.dlg = widgets.NewCustomWithoutButtons(T("promo.choose_sessions"), body, p.win)
	p.dlg.SetDefault(done)
	p.dlg.Resize(fyne.NewSize(620, 480))
	p.dlg.Show()
	p.reload()
}

func (p *sessionPicker) onDone() {
	p.dlg.Hide()
	p.showSummary()
	if p.applied != nil {
		p.applied()
	}
}

func (p *sessionPicker) isChosen(id int64) bool {
	_, ok := p.chosen[id]
	return ok
}

func (p *sessionPicker) toggle(id int64, topic string, on bool) {
	if on {
		p.chosen[id] = topic
	} else {
		delete(p.chosen, id)
	}
	p.count.SetText(T("promo.sessions_count", map[string]any{"Number": len(p.chosen)}))
}

// rowText is a session's line: topic, start in its time zone, fee.
func (p *sessionPicker) rowText(s app.SessionSummary) string {
	fee := ""
	if a, err := money.FromMinor(s.FeeMinor, s.Currency); err == nil {
		fee = money.Format(a, Language())
	}
	return s.Topic + " · " + s.StartsAt.In(s.Location()).Format("2006-01-02 15:04") + " · " + fee
}

func (p *sessionPicker) reload() {
	p.gen++
	p.rows = nil
	p.list.Refresh()
	p.load(0)
}

// load reads one page of upcoming scheduled sessions matching the search
// and keeps the paid ones (the others cannot take a code).
func (p *sessionPicker) load(offset int) {
	if offset < 0 {
		return
	}
	gen := p.gen
	f := app.SessionFilter{
		When: app.SessionsUpcoming, Status: app.SessionScheduled, Topic: p.search.Text,
		Offset: offset, Limit: promoPickerPageSize,
	}
	p.more.Disable()
	p.deps.run(func() {
		rows, total, err := p.deps.Sessions.List(context.Background(), f)
		fyne.Do(func() {
			if gen != p.gen {
				return
			}
			p.more.Enable()
			if err != nil {
				p.count.SetText(ErrorText(err))
				return
			}
			for _, r := range rows {
				if r.Type == app.SessionPaid {
					p.rows = append(p.rows, r)
				}
			}
			p.next = -1
			if end := offset + len(rows); end < total && len(rows) > 0 {
				p.next = end
			}
			if p.next < 0 {
				p.more.Hide()
			} else {
				p.more.Show()
			}
			if len(p.rows) == 0 && p.next < 0 {
				p.count.SetText(T("promo.no_paid_sessions"))
			} else {
				p.count.SetText(T("promo.sessions_count", map[string]any{"Number": len(p.chosen)}))
			}
			p.list.Refresh()
		})
	})
}
