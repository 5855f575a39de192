package widgets

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// pagedRows is the part of a long list that is in memory: pages of rows
// read from the database as the list scrolls, the oldest dropped beyond
// kept pages, and a generation that a new search or filter bumps so that
// answers to the old one are thrown away and its queries cancelled. Loads
// run off the UI thread and land through fyne.Do; the mutex guards what
// they write.
//
// Pages are read by key: the last row of every page read in this query is
// kept (even after the page itself is dropped), and a page is asked for as
// "the rows after the last row of the nearest page before it", so its cost
// does not grow with its depth in the list. Only a jump past pages never
// read (dragging the scroll bar) skips rows from there. The total is
// counted once per query, with the first page asked for.
type pagedRows[T any] struct {
	size, kept int
	// countUpTo, when above 0, is where the first count may stop: a list
	// of more shows "over countUpTo" until recount has counted them all.
	countUpTo int

	mu      sync.Mutex
	gen     int
	ctx     context.Context
	cancel  context.CancelFunc
	total   int
	counted bool // the total was asked for in this query
	capped  bool // total is countUpTo+1: more, not yet counted exactly
	recount bool // the exact count was asked for in this query
	pages   map[int][]T
	last    map[int]T // the last row of each page read in this query
	loading map[int]bool
	order   []int // pages in load order, for eviction
}

func newPagedRows[T any](size, kept int) *pagedRows[T] {
	p := &pagedRows[T]{size: size, kept: kept}
	p.clear()
	return p
}

func (p *pagedRows[T]) clear() {
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.pages, p.last, p.loading, p.order = map[int][]T{}, map[int]T{}, map[int]bool{}, nil
	p.counted, p.capped, p.recount = false, false, false
}

// reset forgets every page and cancels the queries still running: the
// list starts over.
func (p *pagedRows[T]) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cancel()
	p.gen++
	p.clear()
}

// pageRequest is what a page load asks the store for.
type pageRequest[T any] struct {
	gen   int
	page  int
	ctx   context.Context // cancelled when the list is reset
	after *T              // the page starts after this row (nil: at the top)
	skip  int             // then skips this many rows (a jump)
	count bool            // and counts the total (once per query)
}

// begin marks a page as loading and says how to read it; ok is false when
// the page is already being read.
func (p *pagedRows[T]) begin(page int) (req pageRequest[T], ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.loading[page] {
		return req, false
	}
	p.loading[page] = true
	req = pageRequest[T]{gen: p.gen, page: page, ctx: p.ctx, count: !p.counted, skip: page * p.size}
	p.counted = true
	for q := page - 1; q >= 0; q-- {
		if r, ok := p.last[q]; ok {
			req.after, req.skip = &r, (page-q-1)*p.size
			break
		}
	}
	return req, true
}

// store keeps a loaded page (and the total, when this load counted it)
// unless the list was reset since it was asked for; it reports whether the
// answer is current. A failed count is asked again with the next page; a
// query that failed leaves nothing to show.
func (p *pagedRows[T]) store(req pageRequest[T], rows []T, total int, err error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if req.gen != p.gen {
		return false
	}
	delete(p.loading, req.page)
	if err != nil {
		if req.count {
			p.counted, p.total = false, 0
		}
		return true
	}
	p.pages[req.page] = rows
	if len(rows) > 0 {
		p.last[req.page] = rows[len(rows)-1]
	}
	p.order = append(p.order, req.page)
	for len(p.order) > p.kept {
		delete(p.pages, p.order[0])
		p.order = p.order[1:]
	}
	if req.count && total >= 0 {
		p.total = total
		p.capped = p.countUpTo > 0 && total > p.countUpTo
	}
	return true
}

// more is true while the total is only known to be above countUpTo.
func (p *pagedRows[T]) more() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.capped
}

// countAll counts the query exactly off the UI thread with run, once per
// query and only when the first count stopped at countUpTo; done runs on
// the UI thread with the total unless the list was reset since.
func (p *pagedRows[T]) countAll(run func(func()), count func(context.Context) (int, error), done func(total int)) {
	p.mu.Lock()
	if !p.capped || p.recount {
		p.mu.Unlock()
		return
	}
	p.recount = true
	gen, ctx := p.gen, p.ctx
	p.mu.Unlock()
	run(func() {
		total, err := count(ctx)
		fyne.Do(func() {
			p.mu.Lock()
			current := gen == p.gen && err == nil
			if current {
				p.total, p.capped = total, false
			}
			p.mu.Unlock()
			if current {
				done(total)
			}
		})
	})
}

// fetch reads a page off the UI thread with run: load gets the request
// (its context is the query's), after waiting wait first (a search box's
// delay: a query superseded meanwhile never starts). done runs on the UI
// thread with the answer, unless the list was reset since or the query
// was cancelled.
func (p *pagedRows[T]) fetch(run func(func()), page int, wait time.Duration,
	load func(pageRequest[T]) ([]T, int, error), done func(total int, err error),
) {
	req, ok := p.begin(page)
	if !ok {
		return
	}
	run(func() {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-req.ctx.Done():
				t.Stop()
				return // reset meanwhile: its generation is gone
			case <-t.C:
			}
		}
		rows, total, err := load(req)
		fyne.Do(func() {
			if !p.store(req, rows, total, err) || errors.Is(err, context.Canceled) {
				return
			}
			done(p.length(), err)
		})
	})
}

// length is how many rows the whole list has.
func (p *pagedRows[T]) length() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// row returns row id when its page is in memory; otherwise ok is false and
// page is the page to load (-1 when there is none: no such row).
func (p *pagedRows[T]) row(id int) (row T, ok bool, page int) {
	if id < 0 {
		return row, false, -1
	}
	page = id / p.size
	p.mu.Lock()
	defer p.mu.Unlock()
	rows, loaded := p.pages[page]
	if !loaded {
		return row, false, page
	}
	if i := id % p.size; i < len(rows) {
		return rows[i], true, page
	}
	return row, false, -1
}

// held is how many rows are in memory.
func (p *pagedRows[T]) held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, rows := range p.pages {
		n += len(rows)
	}
	return n
}

// shown is the rows in memory in list order, stopping at the first page
// not loaded.
func (p *pagedRows[T]) shown() []T {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []T{}
	for page := 0; page*p.size < p.total; page++ {
		out = append(out, p.pages[page]...)
	}
	return out
}

// find returns the list index of the first row in memory that match
// accepts, looking at the pages in list order.
func (p *pagedRows[T]) find(match func(T) bool) (int, bool) {
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
				return page*p.size + i, true
			}
		}
	}
	return -1, false
}
