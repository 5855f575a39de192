package ui

import (
	"context"
	"slices"
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

// refreshHeld reads again every page in memory (the first when none is),
// off the UI thread with run, as a new query: answers to the old one are
// thrown away. The pages shown stay until the new ones have all arrived
// and replace them at once, so the list neither empties nor jumps
// meanwhile. done runs on the UI thread with the new total, unless the
// list was reset since.
func (p *pagedRows[T]) refreshHeld(run func(func()), load func(pageRequest[T]) ([]T, int, error), done func(total int, err error)) {
	p.mu.Lock()
	pages := make([]int, 0, len(p.pages))
	for page := range p.pages {
		pages = append(pages, page)
	}
	if len(pages) == 0 {
		pages = []int{0}
	}
	slices.Sort(pages)
	p.cancel()
	p.gen++
	gen := p.gen
	oldLast := p.last
	p.ctx, p.cancel = newPagedContext()
	ctx := p.ctx
	// Pages scrolled to meanwhile load in the new query; the total is
	// this refresh's to count.
	p.loading, p.counted, p.recount = map[int]bool{}, true, false
	p.mu.Unlock()

	run(func() {
		fresh := map[int][]T{}
		last := map[int]T{}
		total := 0
		for i, page := range pages {
			req := pageRequest[T]{gen: gen, page: page, ctx: ctx, count: i == 0, skip: page * p.size}
			for q := page - 1; q >= 0; q-- {
				r, ok := last[q]
				if !ok {
					r, ok = oldLast[q]
				}
				if ok {
					req.after, req.skip = &r, (page-q-1)*p.size
					break
				}
			}
			rows, n, err := load(req)
			if err != nil {
				fyne.Do(func() {
					p.mu.Lock()
					current := gen == p.gen
					if current {
						p.counted = false // the next page asked for counts
					}
					p.mu.Unlock()
					if current && ctx.Err() == nil {
						done(p.length(), err)
					}
				})
				return
			}
			if i == 0 {
				total = n
			}
			fresh[page] = rows
			if len(rows) > 0 {
				last[page] = rows[len(rows)-1]
			}
		}
		fyne.Do(func() {
			p.mu.Lock()
			if gen != p.gen {
				p.mu.Unlock()
				return
			}
			for page, rows := range fresh {
				p.pages[page] = rows
			}
			for page, r := range last {
				p.last[page] = r
			}
			for page := range p.pages {
				if _, ok := fresh[page]; !ok && page*p.size >= total {
					delete(p.pages, page) // past the end now
				}
			}
			p.order = slices.DeleteFunc(p.order, func(page int) bool { _, ok := fresh[page]; return ok })
			p.order = append(p.order, pages...)
			if total >= 0 {
				p.total = total
				p.capped = p.countUpTo > 0 && total > p.countUpTo
			}
			p.mu.Unlock()
			done(p.length(), nil)
		})
	})
}

func newPagedContext() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// find is the first row in memory that match accepts, with its index in
// the list.
func (p *pagedRows[T]) find(match func(T) bool) (int, T, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pages := make([]int, 0, len(p.pages))
	for page := range p.pages {
		pages = append(pages, page)
	}
	slices.Sort(pages)
	for _, page := range pages {
		for i, r := range p.pages[page] {
			if match(r) {
				return page*p.size + i, r, true
			}
		}
	}
	var zero T
	return -1, zero, false
}
