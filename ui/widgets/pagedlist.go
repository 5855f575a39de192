// Package widgets holds TrainPay's own Fyne widgets that know nothing of
// the domain: the paged list, its column rows and their cell label.
package widgets

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// SearchDelay is how long a search box waits after a key before it
// queries: typing a word asks once, for the word. Every key also cancels
// the query before it, which then never reaches the database or is
// interrupted there (the context reaches mattn's driver, which calls
// sqlite3_interrupt).
const SearchDelay = 250 * time.Millisecond

// PageQuery is what a paged list asks its Fetch for: one page, read by key
// after the last row of the nearest page before it that was read.
type PageQuery[T any] struct {
	Ctx   context.Context // cancelled once a newer query supersedes this one
	After *T              // the page starts after this row (nil: at the top)
	Skip  int             // then skips this many rows (a jump past pages never read)
	Limit int             // the page size
	Count bool            // the total is wanted too (once per query)
}

// Page is a Fetch's answer: the rows and, when the query asked, the total
// (or the count capped at CountUpTo+1).
type Page[T any] struct {
	Rows  []T
	Total int
}

// Column is one typed column of a list row: its share of the row's width
// and the text of its cell for a row.
type Column[T any] struct {
	Weight float32
	Text   func(T) string
}

// PagedListOptions configure a PagedList.
type PagedListOptions[T any, K comparable] struct {
	PageSize  int // rows a query reads
	PagesKept int // pages held in memory at most
	// CountUpTo, when above 0, is where the first count of a query may stop:
	// OnLoaded says "more" until Count has counted them all.
	CountUpTo int
	// Fetch reads a page. It runs off the UI thread; its context is
	// cancelled when the query is superseded (Restart, Reload).
	Fetch func(PageQuery[T]) (Page[T], error)
	// Count counts the query exactly, off the UI thread, after a first
	// count stopped at CountUpTo. Nil: never.
	Count func(ctx context.Context) (int, error)
	// ID is a row's identity: Reload keeps the selection by it.
	ID func(T) K
	// Columns are the cells of a row (a page still loading shows "…").
	Columns []Column[T]
	// Run runs work off the UI thread; nil starts a goroutine.
	Run func(func())
	// OnLoaded is called on the UI thread after each page arrives (or
	// fails) with the list's length and whether the count stopped at
	// CountUpTo; and after Count with more false.
	OnLoaded func(total int, more bool, err error)
	// OnSelected is called on the UI thread when a loaded row is selected,
	// and again by Reload with the row as read anew.
	OnSelected func(T)
	// OnUnselected is called when Reload finds the selected row gone.
	OnUnselected func()
}

// PagedList is a virtualised list of rows read a page at a time, off the
// UI thread, as it scrolls (see pagedRows). Its updates land through
// fyne.Do; a new query cancels the pages still being read for the old one.
type PagedList[T any, K comparable] struct {
	widget.BaseWidget

	opt      PagedListOptions[T, K]
	rows     *pagedRows[T]
	list     *widget.List
	weights  []float32
	selected int // the selected index, -1 for none
	sel      *T  // the selected row as last read
	// Reload in progress: the selected row's id and the scroll offset to
	// restore once the first page of the new read arrives.
	reloadID     *K
	reloadOffset float32
	reloading    bool
}

// NewPagedList makes a paged list; it reads nothing until Restart or
// Reload.
func NewPagedList[T any, K comparable](opt PagedListOptions[T, K]) *PagedList[T, K] {
	l := &PagedList[T, K]{opt: opt, selected: -1, rows: newPagedRows[T](opt.PageSize, opt.PagesKept)}
	l.rows.countUpTo = opt.CountUpTo
	l.weights = Weights(opt.Columns)
	l.list = widget.NewList(l.rows.length, func() fyne.CanvasObject { return NewCellRow(l.weights) }, l.updateRow)
	l.list.OnSelected = l.onSelected
	l.list.OnUnselected = func(id widget.ListItemID) {
		if id == l.selected {
			l.selected, l.sel = -1, nil
		}
	}
	l.ExtendBaseWidget(l)
	return l
}

// CreateRenderer draws the inner list.
func (l *PagedList[T, K]) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(l.list)
}

// Refresh redraws the visible rows.
func (l *PagedList[T, K]) Refresh() { l.list.Refresh() }

func (l *PagedList[T, K]) run(f func()) {
	if l.opt.Run != nil {
		l.opt.Run(f)
		return
	}
	go f()
}

func (l *PagedList[T, K]) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	var texts []string
	if r, ok := l.Row(id); ok {
		texts = RowTexts(l.opt.Columns, r)
	}
	SetCellRow(o, texts)
}

func (l *PagedList[T, K]) onSelected(id widget.ListItemID) {
	r, ok := l.Row(id)
	if !ok {
		l.list.Unselect(id)
		return
	}
	l.selected, l.sel = id, &r
	if l.opt.OnSelected != nil {
		l.opt.OnSelected(r)
	}
}

// Row returns row id when its page is in memory, and asks for the page
// when it is not.
func (l *PagedList[T, K]) Row(id int) (T, bool) {
	r, ok, page := l.rows.row(id)
	if !ok && page >= 0 {
		l.fetch(page, 0)
	}
	return r, ok
}

// Selected is the selected row as last read.
func (l *PagedList[T, K]) Selected() (T, bool) {
	if l.sel == nil {
		var zero T
		return zero, false
	}
	return *l.sel, true
}

// Length is how many rows the query has.
func (l *PagedList[T, K]) Length() int { return l.rows.length() }

// Held is how many rows are in memory.
func (l *PagedList[T, K]) Held() int { return l.rows.held() }

// Shown is the rows in memory in list order, up to the first page not read.
func (l *PagedList[T, K]) Shown() []T { return l.rows.shown() }

// Select selects row id, as a click does.
func (l *PagedList[T, K]) Select(id int) { l.list.Select(id) }

// UnselectAll drops the selection.
func (l *PagedList[T, K]) UnselectAll() {
	l.list.UnselectAll()
	l.selected, l.sel = -1, nil
}

// ScrollTo scrolls row id into sight.
func (l *PagedList[T, K]) ScrollTo(id int) { l.list.ScrollTo(id) }

// ScrollOffset is how far the list is scrolled.
func (l *PagedList[T, K]) ScrollOffset() float32 { return l.list.GetScrollOffset() }

// Restart starts a new query (a new search or filter) after wait (a search
// box's delay, which a further Restart cuts short): the pages read and the
// selection are dropped, the old query's reads are cancelled, the count
// and the first page are read anew.
func (l *PagedList[T, K]) Restart(wait time.Duration) {
	l.reloading, l.reloadID = false, nil
	l.UnselectAll()
	l.rows.reset()
	l.fetch(0, wait)
}

// Reload reads the same query again, as after a change made here or on
// another desktop: the scroll offset stays, and so does the selection, by
// row id (the row is looked for on the page it was on, which is read first,
// and then in every page read; OnSelected gets it as read now, and
// OnUnselected is called when it is gone). Until the new count arrives the
// list keeps its length, so the view does not jump to the top.
func (l *PagedList[T, K]) Reload() {
	l.reloading, l.reloadID = true, nil
	if r, ok := l.Selected(); ok && l.opt.ID != nil {
		id := l.opt.ID(r)
		l.reloadID = &id
	}
	l.reloadOffset = l.list.GetScrollOffset()
	l.rows.reset()
	l.fetch(0, 0)
	if l.selected >= 0 {
		l.fetch(l.selected/l.rows.size, 0)
	}
}

func (l *PagedList[T, K]) fetch(page int, wait time.Duration) {
	l.rows.fetch(l.run, page, wait, func(req pageRequest[T]) ([]T, int, error) {
		p, err := l.opt.Fetch(PageQuery[T]{Ctx: req.ctx, After: req.after, Skip: req.skip, Limit: l.rows.size, Count: req.count})
		if !req.count {
			p.Total = -1
		}
		return p.Rows, p.Total, err
	}, func(total int, err error) {
		more := err == nil && l.rows.more()
		if l.opt.OnLoaded != nil {
			l.opt.OnLoaded(total, more, err)
		}
		if more {
			l.countAll()
		}
		l.list.Refresh()
		if l.reloading && err == nil {
			l.restore(total)
		}
	})
}

// restore puts back the scroll offset and the selection after a Reload's
// page arrived; the selection is settled once its row is found or its page
// has been read without it.
func (l *PagedList[T, K]) restore(total int) {
	l.list.ScrollToOffset(l.reloadOffset)
	if l.reloadID == nil {
		l.reloading = false
		return
	}
	want := *l.reloadID
	if l.selected >= 0 && l.selected < total {
		if r, ok, _ := l.rows.row(l.selected); ok && l.opt.ID(r) == want {
			l.reselect(l.selected, r)
			return
		}
	}
	if i, ok := l.rows.find(func(r T) bool { return l.opt.ID(r) == want }); ok {
		r, _, _ := l.rows.row(i)
		l.reselect(i, r)
		return
	}
	if _, read, _ := l.rows.row(l.selected); read || l.selected >= total {
		// Its page came back without it: the row is gone (or moved
		// past the pages read).
		l.reloading, l.reloadID = false, nil
		l.UnselectAll()
		if l.opt.OnUnselected != nil {
			l.opt.OnUnselected()
		}
	}
}

func (l *PagedList[T, K]) reselect(i int, r T) {
	l.reloading, l.reloadID = false, nil
	if i != l.selected {
		l.list.UnselectAll()
		l.list.Select(i) // OnSelected via onSelected
		// Select scrolls the row into sight; the view stays where it was.
		l.list.ScrollToOffset(l.reloadOffset)
		return
	}
	l.sel = &r
	if l.opt.OnSelected != nil {
		l.opt.OnSelected(r)
	}
}

// countAll counts the query exactly after its first count stopped at
// CountUpTo.
func (l *PagedList[T, K]) countAll() {
	if l.opt.Count == nil {
		return
	}
	l.rows.countAll(l.run, l.opt.Count, func(total int) {
		if l.opt.OnLoaded != nil {
			l.opt.OnLoaded(total, false, nil)
		}
		l.list.Refresh()
	})
}

// Weights are the columns' weights, for a header laid out as the rows
// (NewColumns).
func Weights[T any](cols []Column[T]) []float32 {
	w := make([]float32, len(cols))
	for i, c := range cols {
		w[i] = c.Weight
	}
	return w
}

// RowTexts are the cells of row r under cols.
func RowTexts[T any](cols []Column[T], r T) []string {
	texts := make([]string, len(cols))
	for i, c := range cols {
		texts[i] = c.Text(r)
	}
	return texts
}
