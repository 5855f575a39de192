package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// SectionSessions is the training sessions section's ID (stored in
// preferences as the last open section).
const SectionSessions = "sessions"

// sessionsPageSize is how many sessions one query reads. The list asks for
// the pages it shows, so tens of thousands of sessions never sit in memory.
const (
	sessionsPageSize  = 100
	sessionsPagesKept = 8
	// sessionsCountUpTo is where the first count of a query stops: the
	// list shows "over 1000" at once and counts them all after.
	sessionsCountUpTo = 1000
)

// sessionsScreen is the sessions list: upcoming or past, searched by topic,
// with seats and revenue, and the actions on the selected session.
type sessionsScreen struct {
	deps    Deps
	win     fyne.Window
	site    app.Site
	content fyne.CanvasObject

	search  *widgets.Entry
	when    *widgets.Select
	status  *widgets.Select
	list    *widgets.PagedList[app.SessionSummary, int64]
	count   *widget.Label
	detail  *widget.Label
	actions []*widgets.Button
	edit    *widgets.Button
	reg     *widgets.Button
	regs    *widgets.Button
	cancel  *widgets.Button
	// Pay-per-use: the estimate and payment, Start (enabled only
	// when the domain's CanStart allows it, startWhy says why not), the
	// actual usage after the session, and the usage CSV import.
	estimate *widgets.Button
	start    *widgets.Button
	usage    *widgets.Button
	importU  *widgets.Button
	startWhy *widget.Label
	form     *scheduleForm      // the form last opened, for tests
	register *registerFlow      // the registration dialog while it is open
	regsView *registrationsView // the Registrations window while it is open

	selected *app.SessionSummary

	// estimatePage is the Estimated Session Cost page while it is open.
	estimatePage *estimatePage

	// columns are the list's columns, read at the service's clock.
	columns []widgets.Column[app.SessionSummary]
	// boundary reloads the list when a shown session ends (it leaves the
	// upcoming ones and is no longer in progress), by the service's clock;
	// opens re-checks Start when the selected session's window opens.
	boundary *time.Timer
	opens    *time.Timer
}

func newSessionsScreen(deps Deps, w fyne.Window, site app.Site) *sessionsScreen {
	s := &sessionsScreen{deps: deps, win: w, site: site}
	s.build()
	s.reload()
	return s
}

var (
	whenOptions   = []app.SessionWhen{app.SessionsUpcoming, app.SessionsPast, app.SessionsAll}
	statusOptions = []app.SessionStatus{"", app.SessionScheduled, app.SessionCancelled}
)

func (s *sessionsScreen) build() {
	s.search = widgets.NewEntry()
	s.search.SetPlaceHolder(T("sessions.search"))
	s.search.Tooltip = shortcutTip(shortcutSearch)
	s.search.OnChanged = func(string) { s.onSearch() }
	whenLabels := []string{T("sessions.upcoming"), T("sessions.past"), T("sessions.all")}
	s.when = newChoice(whenLabels, func(string) { s.reload() })
	s.when.SetSelectedIndex(0)
	statusLabels := []string{T("sessions.status_any"), T("sessions.status.scheduled"), T("sessions.status.cancelled")}
	s.status = newChoice(statusLabels, func(string) { s.reload() })
	s.status.SetSelectedIndex(0)
	schedule := widgets.NewButton(T("sessions.schedule"), s.onSchedule)
	schedule.Importance = widget.HighImportance
	schedule.Tooltip = shortcutTip(shortcutNewSession)

	s.columns = sessionColumnsAt(s.now)
	s.list = widgets.NewPagedList(widgets.PagedListOptions[app.SessionSummary, int64]{
		PageSize: sessionsPageSize, PagesKept: sessionsPagesKept, CountUpTo: sessionsCountUpTo,
		Fetch: s.fetchPage, Count: s.countAll, Run: s.deps.run,
		ID:      func(r app.SessionSummary) int64 { return r.ID },
		Columns: s.columns, OnLoaded: s.loaded, OnSelected: s.onSelected,
		// A reload that no longer finds the selected session (it ended and
		// left the upcoming ones) leaves nothing selected.
		OnUnselected: func() { s.selected = nil; s.showSelected() },
	})
	s.count = widget.NewLabel("")
	s.detail = widget.NewLabel(T("sessions.select_one"))
	s.detail.Wrapping = fyne.TextWrapWord
	s.edit = widgets.NewButton(T("sessions.edit"), s.onEdit)
	s.reg = widgets.NewButton(T("sessions.register"), s.onRegister)
	s.reg.Tooltip = shortcutTip(shortcutRegister)
	s.regs = widgets.NewButton(T("sessions.registrations"), s.onRegistrations)
	s.cancel = widgets.NewButton(T("sessions.cancel_session"), s.onCancelSession)
	s.cancel.Importance = widget.DangerImportance
	s.estimate = widgets.NewButton(T("sessions.estimate"), s.onEstimate)
	s.start = widgets.NewButton(T("sessions.start"), s.onStart)
	s.usage = widgets.NewButton(T("sessions.actual_usage"), s.onActualUsage)
	s.importU = widgets.NewButton(T("sessions.import_usage"), s.onImportUsage)
	s.startWhy = widget.NewLabel("")
	s.startWhy.Truncation = fyne.TextTruncateEllipsis
	s.startWhy.Importance = widget.WarningImportance
	s.actions = []*widgets.Button{s.edit, s.reg, s.regs, s.cancel, s.estimate, s.start, s.usage}
	for _, b := range s.actions {
		b.Disable()
	}

	header := newColumns(widgets.Weights(s.columns),
		boldLabel(T("sessions.col_topic")), boldLabel(T("sessions.col_start")), boldLabel(T("sessions.col_fee")),
		boldLabel(T("sessions.col_seats")), boldLabel(T("sessions.col_revenue")))
	pick := fyne.NewSize(170, s.when.MinSize().Height)
	right := container.NewHBox(container.NewGridWrap(pick, s.when), container.NewGridWrap(pick, s.status), schedule)
	if s.deps.PayPerUse != nil {
		right.Add(s.importU)
	}
	filters := container.NewBorder(nil, nil, nil, right, s.search)
	top := container.NewVBox(widget.NewLabelWithStyle(T("sessions.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		filters, header)
	// Why Start is disabled shares the count's line: the window stays short.
	// The session's actions and the pay-per-use ones are two rows, so that
	// Start is in sight at the default window size; each row scrolls
	// sideways rather than force a wide window.
	bottom := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, s.count, nil, s.startWhy), s.detail,
		container.NewHScroll(container.NewHBox(s.edit, s.reg, s.regs, s.cancel)))
	if s.deps.PayPerUse != nil {
		bottom.Add(container.NewHScroll(container.NewHBox(s.estimate, s.start, s.usage)))
	}
	s.content = container.NewBorder(top, bottom, nil, nil, s.list)
}

func boldLabel(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (s *sessionsScreen) filter() app.SessionFilter {
	f := app.SessionFilter{Topic: s.search.Text, When: app.SessionsUpcoming}
	if i := s.when.SelectedIndex(); i >= 0 {
		f.When = whenOptions[i]
	}
	if i := s.status.SelectedIndex(); i >= 0 {
		f.Status = statusOptions[i]
	}
	return f
}

// reload starts over with the current filter: the count and the first page.
func (s *sessionsScreen) reload() { s.restart(0) }

// onSearch starts over after the search box's delay (searchDelay), which
// a further key restarts; the query of the key before is cancelled now.
func (s *sessionsScreen) onSearch() { s.restart(searchDelay) }

func (s *sessionsScreen) restart(wait time.Duration) {
	if s.list == nil || s.status == nil {
		return
	}
	s.list.Restart(wait)
	s.selected = nil
	s.showSelected()
}

// fetchPage reads one page of the current filter (off the UI thread).
func (s *sessionsScreen) fetchPage(q widgets.PageQuery[app.SessionSummary]) (widgets.Page[app.SessionSummary], error) {
	f := s.filter()
	f.Offset, f.Limit, f.NoTotal, f.CountUpTo = q.Skip, q.Limit, !q.Count, sessionsCountUpTo
	if q.After != nil {
		k := q.After.ListKey()
		f.After = &k
	}
	rows, total, err := s.deps.Sessions.List(q.Ctx, f)
	return widgets.Page[app.SessionSummary]{Rows: rows, Total: total}, err
}

// changed refreshes the list, and the open Registrations window, when
// another desktop changed what they show (live.go): seats and revenue
// follow registrations and payments. The list reads its rows again keeping
// the scroll offset and the selected session (found again by its id);
// the search box and the filters stay as they are.
func (s *sessionsScreen) changed(set app.ChangeSet) {
	if s.list != nil && set.Any(app.ChangedSessions|app.ChangedRegistrations|app.ChangedPayments) {
		s.list.Reload()
	}
	if s.regsView != nil {
		s.regsView.changed(set)
	}
	s.refreshEstimates(set)
}

// countAll counts a query's sessions exactly after its first count
// stopped at sessionsCountUpTo (a page of one row carries the count).
func (s *sessionsScreen) countAll(ctx context.Context) (int, error) {
	f := s.filter()
	f.Limit = 1
	_, total, err := s.deps.Sessions.List(ctx, f)
	return total, err
}

// now is the session service's clock, which splits upcoming from past.
func (s *sessionsScreen) now() time.Time { return s.deps.Sessions.Clock() }

// loaded shows the count once a page or the exact count arrived, and sets
// the timer for the next shown session to end.
func (s *sessionsScreen) loaded(total int, more bool, err error) {
	s.armBoundary()
	switch {
	case err != nil:
		s.count.SetText(ErrorText(err))
	case more:
		s.count.SetText(T("sessions.count_more", map[string]any{"Count": sessionsCountUpTo}))
	default:
		s.count.SetText(T("sessions.count", map[string]any{"Count": total}))
	}
}

func (s *sessionsScreen) length() int { return s.list.Length() }

// armBoundary sets the timer that reloads the list when the first shown
// session that has not ended yet ends: it then leaves the upcoming
// sessions (and joins the past ones), and is no longer in progress. The
// timer waits an hour at most and looks again, so that a computer that
// slept or a clock that moved is caught up with.
func (s *sessionsScreen) armBoundary() {
	if s.boundary != nil {
		s.boundary.Stop()
		s.boundary = nil
	}
	now := s.now()
	var next time.Time
	for _, r := range s.list.Shown() {
		if end := r.EndsAt(); !r.Ended(now) && (next.IsZero() || end.Before(next)) {
			next = end
		}
	}
	if next.IsZero() {
		return
	}
	// Ended is strictly after the end: a nanosecond past it.
	wait := next.Add(time.Nanosecond).Sub(now)
	s.boundary = time.AfterFunc(min(max(wait, 0), time.Hour), func() {
		s.deps.onUI(func() {
			if s.now().After(next) {
				s.list.Reload()
				return
			}
			s.armBoundary()
		})
	})
}

// sessionColumnsAt are topic, start, fee, seats and revenue, with their
// widths (the topic and the start, date, time and zone, need the room);
// the topic says whether the session is in progress at now.
func sessionColumnsAt(now func() time.Time) []widgets.Column[app.SessionSummary] {
	return []widgets.Column[app.SessionSummary]{
		{Weight: 2.3, Text: func(r app.SessionSummary) string { return sessionTopicText(r, now()) }},
		{Weight: 2.2, Text: func(r app.SessionSummary) string { return formatWhen(r.StartsAt, r.Location()) }},
		{Weight: 2.1, Text: sessionFeeText},
		{Weight: 1.4, Text: sessionSeatsText},
		{Weight: 1.3, Text: sessionRevenueText},
	}
}

// rowTexts are a row's cells: topic (with a cancelled or in-progress
// mark), start in the session's time zone, fee, seats and revenue.
func (s *sessionsScreen) rowTexts(r app.SessionSummary) []string {
	return widgets.RowTexts(s.columns, r)
}

func sessionTopicText(r app.SessionSummary, now time.Time) string {
	switch {
	case r.Status == app.SessionCancelled:
		return T("sessions.cancelled_mark", map[string]any{"Topic": r.Topic})
	case r.InProgress(now):
		return T("sessions.in_progress_mark", map[string]any{"Topic": r.Topic})
	}
	return r.Topic
}

func sessionFeeText(r app.SessionSummary) string {
	switch {
	case r.Type == app.SessionPaid:
		return formatMinor(r.FeeMinor, r.Currency)
	case r.Type == app.SessionPayPerUse && r.PaidPaymentID != 0:
		return T("sessions.pay_per_use_paid")
	case r.Type == app.SessionPayPerUse:
		return T("sessions.pay_per_use_unpaid")
	}
	return T("sessions.free")
}

func sessionSeatsText(r app.SessionSummary) string {
	if r.MaxRegistrations > 0 {
		return T("sessions.seats", map[string]any{"Taken": r.Registrations, "Max": r.MaxRegistrations})
	}
	return T("sessions.seats_unlimited", map[string]any{"Taken": r.Registrations})
}

func sessionRevenueText(r app.SessionSummary) string {
	if r.Type == app.SessionPaid {
		return formatMinor(r.RevenueMinor, r.Currency)
	}
	return ""
}

func (s *sessionsScreen) onSelected(r app.SessionSummary) {
	s.selected = &r
	s.showSelected()
}

func (s *sessionsScreen) showSelected() {
	// Never hidden (a shown label would need its row laid out again): empty
	// until the selected session's check says why it cannot start.
	s.startWhy.SetText("")
	if s.selected == nil {
		s.detail.SetText(T("sessions.select_one"))
		for _, b := range s.actions {
			b.Disable()
		}
		return
	}
	r := s.selected
	texts := s.rowTexts(*r)
	now := s.now()
	detail := T("sessions.detail", map[string]any{
		"Topic": r.Topic, "Start": texts[1],
		"Duration": durationText(r.DurationMinutes), "Fee": texts[2], "Seats": texts[3],
	})
	if r.InProgress(now) {
		detail += " · " + T("sessions.in_progress_since", map[string]any{"Since": formatWhen(r.StartedAt, r.Location())})
	}
	s.detail.SetText(detail)
	open := r.Status == app.SessionScheduled
	upcoming := !r.Ended(now)
	// The domain's rule (Update refuses too): not once started.
	setEnabled(s.edit, r.CheckEdit() == nil)
	setEnabled(s.reg, open && upcoming)
	setEnabled(s.regs, true)
	setEnabled(s.cancel, open)
	ppu := r.Type == app.SessionPayPerUse && s.deps.PayPerUse != nil
	setEnabled(s.estimate, ppu && open)
	setEnabled(s.usage, ppu && open && r.PaidPaymentID != 0)
	s.start.Disable()
	// Never hidden (a shown label would need its row laid out again): empty.
	s.startWhy.SetText("")
	if s.opens != nil {
		s.opens.Stop()
		s.opens = nil
	}
	if ppu && open {
		s.checkStart(r.ID)
	}
}

// checkStart asks the domain whether the selected session may start (paid
// for, then its start window): Start is enabled only when it may, and
// otherwise says why; a window not open yet is asked again when it opens.
func (s *sessionsScreen) checkStart(id int64) {
	s.deps.run(func() {
		ctx := context.Background()
		queued := queueState(s.deps, id)
		err := s.deps.PayPerUse.CanStart(ctx, id)
		if err == nil {
			err = s.deps.Sessions.CanStart(ctx, id)
		}
		fyne.Do(func() {
			if s.selected == nil || s.selected.ID != id {
				return
			}
			setEnabled(s.start, err == nil)
			if err != nil {
				s.startWhy.SetText(joinLines(queued, T("estimate.start_disabled", map[string]any{"Reason": ErrorText(err)})))
			} else {
				s.startWhy.SetText(queued)
			}
			if opens, ok := app.StartWindowOpens(err); ok {
				s.opens = time.AfterFunc(max(opens.Sub(s.now()), 0), func() {
					s.deps.onUI(func() {
						if s.selected != nil && s.selected.ID == id {
							s.checkStart(id)
						}
					})
				})
			}
		})
	})
}

// onEstimate shows the Estimated Session Cost page of the selected
// pay-per-use session, to pay for it (or the rise after an edit).
func (s *sessionsScreen) onEstimate() {
	if s.selected == nil {
		return
	}
	x := s.selected.Session
	var d *widgets.Dialog
	p := newEstimatePage(s.deps, s.win, x.ID, func() {
		d.Hide()
		s.openEdit(x)
	}, func() { s.reload() })
	s.estimatePage = p
	d = widgets.NewCustom(T("estimate.title"), T("pay.close"), container.NewVScroll(p.content), s.win)
	d.SetOnClosed(func() {
		p.stop()
		if s.estimatePage == p {
			s.estimatePage = nil
		}
		s.reload()
	})
	d.Resize(fyne.NewSize(640, 480))
	d.Show()
}

// onStart starts the selected session; the domain refuses an unpaid one.
func (s *sessionsScreen) onStart() {
	if s.selected == nil {
		return
	}
	id := s.selected.ID
	s.start.Disable()
	s.deps.run(func() {
		err := s.deps.PayPerUse.Start(context.Background(), id)
		fyne.Do(func() {
			if err != nil {
				widgets.ShowError(errorFor(err), s.win)
				s.checkStart(id)
				return
			}
			widgets.ShowInformation(T("sessions.start"), T("estimate.started"), s.win)
			s.list.Reload() // in progress, and no longer changed
		})
	})
}

func (s *sessionsScreen) onActualUsage() {
	if s.selected == nil {
		return
	}
	showActualUsage(s.deps, s.win, s.selected.Session, func() { s.reload() })
}

func (s *sessionsScreen) onImportUsage() {
	showUsageImport(s.deps, s.win, func() { s.reload() })
}

// withSite loads the site and whether paid sessions are available, then
// calls f on the UI thread.
func (s *sessionsScreen) withSite(f func(site app.Site, paidErr error)) {
	s.deps.run(func() {
		ctx := context.Background()
		site, err := s.deps.Sessions.SiteInfo(ctx)
		paidErr := s.deps.Sessions.PaidSessionsAvailable(ctx)
		fyne.Do(func() {
			if err != nil {
				widgets.ShowError(errorFor(err), s.win)
				return
			}
			if app.ErrorCode(paidErr) != app.EUNAVAILABLE && paidErr != nil {
				widgets.ShowError(errorFor(paidErr), s.win)
				return
			}
			s.site = site
			f(site, paidErr)
		})
	})
}

func (s *sessionsScreen) onSchedule() {
	s.withSite(func(site app.Site, paidErr error) {
		s.form = newScheduleForm(s.deps, s.win, site, nil, paidErr, func(saved app.Session) {
			s.search.SetText("")
			s.reload()
		})
		s.form.show()
	})
}

func (s *sessionsScreen) onEdit() {
	if s.selected == nil {
		return
	}
	s.openEdit(s.selected.Session)
}

// openEdit opens the form on an existing session; for a pay-per-use one,
// saving shows its estimate again.
func (s *sessionsScreen) openEdit(x app.Session) {
	s.withSite(func(site app.Site, paidErr error) {
		if x.Type == app.SessionPaid {
			paidErr = nil // an existing fee stays editable for its topic and times
		}
		s.form = newScheduleForm(s.deps, s.win, site, &x, paidErr, func(app.Session) { s.reload() })
		s.form.show()
	})
}

func (s *sessionsScreen) onRegister() {
	if s.selected == nil {
		return
	}
	s.register = showRegisterDialog(s.deps, s.win, s.selected.Session, func() {
		s.register = nil
		s.reload()
	})
}

func (s *sessionsScreen) onRegistrations() {
	if s.selected == nil {
		return
	}
	s.regsView = showRegistrations(s.deps, s.win, s.selected.Session, func() {
		s.regsView = nil
		s.reload()
	})
}

// onCancelSession asks for confirmation, saying how many paid
// registrations will be refunded and how much, then cancels.
func (s *sessionsScreen) onCancelSession() {
	if s.selected == nil {
		return
	}
	x := s.selected.Session
	s.deps.run(func() {
		pre, err := s.deps.Sessions.CancelSessionPreview(context.Background(), x.ID)
		fyne.Do(func() {
			if err != nil {
				widgets.ShowError(errorFor(err), s.win)
				return
			}
			msg := T("sessions.cancel_confirm_free", map[string]any{"Topic": x.Topic})
			if pre.PaidRegistrations > 0 {
				msg = T("sessions.cancel_confirm_paid", map[string]any{
					"Topic": x.Topic,
					"Count": pre.PaidRegistrations, "Amount": formatMinor(pre.RefundMinor, pre.Currency),
				})
			}
			widgets.ShowConfirm(T("sessions.cancel_session"), msg, func(ok bool) {
				if ok {
					s.doCancelSession(x)
				}
			}, s.win)
		})
	})
}

func (s *sessionsScreen) doCancelSession(x app.Session) {
	s.cancel.Disable()
	s.deps.run(func() {
		res, err := s.deps.Sessions.CancelSession(context.Background(), x.ID)
		fyne.Do(func() {
			s.reload()
			if err != nil {
				widgets.ShowError(errorFor(err), s.win)
				return
			}
			msg := T("sessions.cancelled", map[string]any{"Count": res.Refunded, "Amount": formatMinor(res.RefundMinor, x.Currency)})
			if res.Failed > 0 {
				msg += "\n" + T("sessions.cancel_failed", map[string]any{"Count": res.Failed, "Reason": ErrorText(res.FirstError)})
			}
			widgets.ShowInformation(T("sessions.cancel_session"), msg, s.win)
		})
	})
}
