package widgets

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// item is a row of the fake store: an id and a name.
type item struct {
	ID   int
	Name string
}

// store is a fake paged store whose rows can change between reads, as
// another desktop changes them; it records every query.
type store struct {
	mu      sync.Mutex
	rows    []item
	queries []PageQuery[item]
	// hold, when set, blocks each Fetch until a value arrives (or its
	// context ends), so that a test can supersede a query in flight.
	hold chan struct{}
}

func newStore(n int) *store {
	s := &store{}
	for i := range n {
		s.rows = append(s.rows, item{ID: 1000 + i, Name: fmt.Sprintf("row %d", i)})
	}
	return s
}

func (s *store) fetch(q PageQuery[item]) (Page[item], error) {
	s.mu.Lock()
	s.queries = append(s.queries, q)
	hold := s.hold
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-q.Ctx.Done():
			return Page[item]{}, q.Ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	start := q.Skip
	if q.After != nil {
		start = slices.IndexFunc(s.rows, func(r item) bool { return r.ID == q.After.ID }) + 1 + q.Skip
	}
	end := min(start+q.Limit, len(s.rows))
	var p Page[item]
	if start < end {
		p.Rows = append(p.Rows, s.rows[start:end]...)
	}
	if q.Count {
		p.Total = len(s.rows)
	}
	return p, nil
}

// offThread queues the list's work as a worker pool would, so that a test
// sees that nothing is read on the UI thread and runs the reads when it
// chooses.
type offThread struct {
	mu   sync.Mutex
	jobs []func()
}

func (o *offThread) run(f func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.jobs = append(o.jobs, f)
}

// take removes the queued reads.
func (o *offThread) take() []func() {
	o.mu.Lock()
	defer o.mu.Unlock()
	jobs := o.jobs
	o.jobs = nil
	return jobs
}

// drain runs the queued reads (and those they queue) to the end, one after
// the other on the test's goroutine (the test driver's fyne.Do runs its
// function at once, on the caller's goroutine).
func (o *offThread) drain() {
	for jobs := o.take(); len(jobs) > 0; jobs = o.take() {
		for _, j := range jobs {
			j()
		}
	}
}

func newList(t *testing.T, s *store, off *offThread) (*PagedList[item, int], *[]item) {
	t.Helper()
	test.NewTempApp(t)
	var picked []item
	l := NewPagedList(PagedListOptions[item, int]{
		PageSize: 10, PagesKept: 4, Fetch: s.fetch, Run: off.run,
		ID:         func(r item) int { return r.ID },
		Columns:    []Column[item]{{Weight: 1, Text: func(r item) string { return r.Name }}},
		OnSelected: func(r item) { picked = append(picked, r) },
	})
	w := test.NewWindow(l)
	w.Resize(fyne.NewSize(300, 200))
	t.Cleanup(w.Close)
	return l, &picked
}

// Pages are read off the UI thread: nothing arrives until the queued work
// runs, and then the count and the rows in sight are there.
func TestPagedListReadsPagesOffTheUIThread(t *testing.T) {
	s, off := newStore(95), &offThread{}
	l, _ := newList(t, s, off)
	l.Restart(0)
	if l.Length() != 0 || len(s.queries) != 0 {
		t.Fatalf("read on the UI thread: length %d, %d queries", l.Length(), len(s.queries))
	}
	off.drain()
	if l.Length() != 95 || len(l.Shown()) == 0 || l.Shown()[0].ID != 1000 {
		t.Fatalf("length %d, shown %v", l.Length(), l.Shown())
	}
	if r, ok := l.Row(94); ok {
		t.Fatalf("the last page was read before it was needed: %v", r)
	}
	off.drain()
	if r, ok := l.Row(94); !ok || r.ID != 1094 {
		t.Fatalf("last row: %v %v", r, ok)
	}
}

// A new query cancels the reads of the one it supersedes, and their
// answers, should they come, are not shown.
func TestPagedListRestartCancelsTheSupersededFetch(t *testing.T) {
	s, off := newStore(30), &offThread{}
	s.hold = make(chan struct{})
	l, _ := newList(t, s, off)
	l.Restart(0)
	jobs := off.take()
	if len(jobs) != 1 {
		t.Fatalf("%d reads queued, want the first page's", len(jobs))
	}
	done := make(chan struct{})
	go func() { jobs[0](); close(done) }() // blocks in Fetch until cancelled
	for {
		s.mu.Lock()
		n := len(s.queries)
		s.mu.Unlock()
		if n == 1 {
			break
		}
		runtime.Gosched()
	}
	s.mu.Lock()
	first := s.queries[0]
	s.rows, s.hold = s.rows[:5], nil // the new query finds five rows at once
	s.mu.Unlock()
	l.Restart(0)
	<-done
	if first.Ctx.Err() == nil {
		t.Fatal("the superseded query's context is not cancelled")
	}
	off.drain()
	if l.Length() != 5 || len(l.Shown()) != 5 {
		t.Fatalf("length %d, shown %d; want the new query's 5", l.Length(), len(l.Shown()))
	}
}

// Reload keeps the scroll offset and the selection by row id: a row
// inserted above the selected one moves it down a place, and it stays
// selected there, as read anew.
func TestPagedListReloadKeepsScrollOffsetAndSelectionByID(t *testing.T) {
	s, off := newStore(200), &offThread{}
	l, picked := newList(t, s, off)
	l.Restart(0)
	off.drain()
	l.ScrollTo(120)
	off.drain()
	l.Refresh()
	off.drain()
	l.Select(120)
	if r, ok := l.Selected(); !ok || r.ID != 1120 {
		t.Fatalf("selected %v %v", r, ok)
	}
	offset := l.ScrollOffset()
	if offset == 0 {
		t.Fatal("the list did not scroll")
	}

	s.mu.Lock()
	s.rows = slices.Insert(s.rows, 50, item{ID: 1, Name: "inserted"})
	s.rows[121].Name = "row 120, renamed" // the selected row, now at 121
	s.mu.Unlock()
	l.Reload()
	off.drain()
	l.Refresh()
	off.drain()

	if l.Length() != 201 {
		t.Fatalf("length %d after the insert", l.Length())
	}
	if got := l.ScrollOffset(); got != offset {
		t.Errorf("scroll offset %v, want %v", got, offset)
	}
	r, ok := l.Selected()
	if !ok || r.ID != 1120 || r.Name != "row 120, renamed" {
		t.Fatalf("selected after the reload: %v %v", r, ok)
	}
	if last := (*picked)[len(*picked)-1]; last != r {
		t.Errorf("OnSelected last had %v, want %v", last, r)
	}
	if got := cellText(l, 121); got != "row 120, renamed" {
		t.Errorf("row 121 shows %q", got)
	}
}

// Reload drops a selection whose row is gone.
func TestPagedListReloadUnselectsADeletedRow(t *testing.T) {
	s, off := newStore(30), &offThread{}
	l, _ := newList(t, s, off)
	gone := 0
	l.opt.OnUnselected = func() { gone++ }
	l.Restart(0)
	off.drain()
	l.Select(3)
	s.mu.Lock()
	s.rows = slices.Delete(s.rows, 3, 4)
	s.mu.Unlock()
	l.Reload()
	off.drain()
	if r, ok := l.Selected(); ok || gone != 1 {
		t.Fatalf("selected %v %v after its row was deleted; OnUnselected %d times", r, ok, gone)
	}
}

// cellText is the text row id's first cell shows, bound as the list binds
// a row in sight.
func cellText(l *PagedList[item, int], id int) string {
	row := NewCellRow(l.weights)
	l.updateRow(id, row)
	return row.Objects[0].(*CellLabel).Text
}

// labelText is what a label draws: its text, clipped or with an ellipsis.
func labelText(o fyne.CanvasObject) string {
	var b strings.Builder
	if t, ok := o.(*canvas.Text); ok {
		b.WriteString(t.Text)
	}
	if w, ok := o.(fyne.Widget); ok {
		for _, c := range test.WidgetRenderer(w).Objects() {
			b.WriteString(labelText(c))
		}
	}
	return b.String()
}
