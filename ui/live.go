package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
)

// Live screens: what another desktop (or another TrainPay process on the
// same file) changes shows on the open screens within two seconds. The
// main window subscribes to the database's change feed (Deps.Changes),
// merges a burst of change sets (liveDebounce) and hands the set to the
// screens on the UI thread; each screen that shows an area of the set reads
// its rows again off the UI thread and swaps them in at once, keeping the
// scroll offset and the selection (found again by id). A form being typed
// into is never touched.

// liveDebounce is how long the window waits after a change set for more
// before the screens refresh: a batch of commits (an import, a session's
// cancellation refunding every registration) refreshes once. The feed's
// own delay (SQLite's poll, under half a second) plus this plus the reads
// stays well under two seconds.
const liveDebounce = 250 * time.Millisecond

// onUI runs f on the UI thread: Deps.UI, or fyne.Do.
func (d Deps) onUI(f func()) {
	if d.UI != nil {
		d.UI(f)
		return
	}
	fyne.Do(f)
}

// watchChanges subscribes the window to the change feed, once.
func (m *MainWindow) watchChanges() {
	if m.deps.Changes == nil || m.stopChanges != nil {
		return
	}
	ch, stop := m.deps.Changes.Subscribe()
	m.stopChanges = stop
	go debounceChanges(ch, liveDebounce, func(set app.ChangeSet) {
		m.deps.onUI(func() { m.changed(set) })
	})
}

// unwatchChanges ends the window's subscription.
func (m *MainWindow) unwatchChanges() {
	if m.stopChanges != nil {
		m.stopChanges()
		m.stopChanges = nil
	}
}

// debounceChanges delivers the sets read from ch, merging each burst: a
// set is delivered wait after the first set of its burst, with every set
// that came meanwhile. It returns when ch closes.
func debounceChanges(ch <-chan app.ChangeSet, wait time.Duration, deliver func(app.ChangeSet)) {
	for set := range ch {
		timer := time.NewTimer(wait)
	burst:
		for {
			select {
			case more, ok := <-ch:
				if !ok {
					timer.Stop()
					deliver(set)
					return
				}
				set |= more
			case <-timer.C:
				break burst
			}
		}
		deliver(set)
	}
}

// changed refreshes what the open screens show of set's areas. UI thread.
func (m *MainWindow) changed(set app.ChangeSet) {
	if m.sections == nil {
		return // the wizard: nothing to refresh yet
	}
	if set.Any(app.ChangedSite) {
		m.refreshSiteLive()
	}
	if m.sessionsScr != nil {
		m.sessionsScr.changed(set)
	}
	if m.promoScr != nil {
		m.promoScr.changed(set)
	}
	if m.queueScr != nil {
		m.queueScr.changed(set)
	}
	if m.departments != nil {
		m.departments.changed(set)
	}
	if m.admin != nil && m.admin.payments != nil && set.Any(app.ChangedPayments) {
		m.admin.payments.refreshLive()
	}
	if m.admin != nil && m.admin.commerce != nil && set.Any(app.ChangedSite) {
		m.admin.commerce.refreshLive()
	}
}

// refreshSiteLive reads the site again after another desktop changed it:
// the Test mode banner, and the Overview when it is shown.
func (m *MainWindow) refreshSiteLive() {
	m.deps.run(func() {
		site, err := m.deps.Site.Site(context.Background())
		fyne.Do(func() {
			if err != nil {
				return // the next change, or the next visit, reads it again
			}
			m.site = site
			m.updateBanner()
			if m.current == SectionOverview && m.content != nil {
				m.content.Objects = []fyne.CanvasObject{m.buildOverview()}
				m.content.Refresh()
			}
		})
	})
}

// selectQuietly marks row id of list selected without calling its
// OnSelected: the screen already holds the row, and what OnSelected does
// (read the row's details again, reset a pane) is not a refresh's to do.
func selectQuietly(list *widget.List, id widget.ListItemID) {
	on, off := list.OnSelected, list.OnUnselected
	list.OnSelected, list.OnUnselected = nil, nil
	defer func() { list.OnSelected, list.OnUnselected = on, off }()
	list.Select(id)
}

// unselectQuietly clears list's selection without calling its callbacks.
func unselectQuietly(list *widget.List) {
	on, off := list.OnSelected, list.OnUnselected
	list.OnSelected, list.OnUnselected = nil, nil
	defer func() { list.OnSelected, list.OnUnselected = on, off }()
	list.UnselectAll()
}
