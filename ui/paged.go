package ui

import "sync"

// pagedRows is the part of a long list that is in memory: pages of rows
// read from the database as the list scrolls, the oldest dropped beyond
// kept pages, and a generation that a new search or filter bumps so that
// answers to the old one are thrown away. Loads run off the UI thread and
// land through fyne.Do; the mutex guards what they write.
type pagedRows[T any] struct {
	size, kept int

	mu      sync.Mutex
	gen     int
	total   int
	pages   map[int][]T
	loading map[int]bool
	order   []int // pages in load order, for eviction
}

func newPagedRows[T any](size, kept int) *pagedRows[T] {
	return &pagedRows[T]{size: size, kept: kept, pages: map[int][]T{}, loading: map[int]bool{}}
}

// reset forgets every page: the list starts over.
func (p *pagedRows[T]) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gen++
	p.pages, p.loading, p.order = map[int][]T{}, map[int]bool{}, nil
}

// begin marks a page as loading and returns the generation its answer
// belongs to; ok is false when the page is already being read.
func (p *pagedRows[T]) begin(page int) (gen int, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.loading[page] {
		return 0, false
	}
	p.loading[page] = true
	return p.gen, true
}

// store keeps a loaded page (and the total) unless the list was reset
// since it was asked for; it reports whether the answer is current.
func (p *pagedRows[T]) store(gen, page int, rows []T, total int, err error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen != p.gen {
		return false
	}
	delete(p.loading, page)
	if err == nil {
		p.pages[page] = rows
		p.order = append(p.order, page)
		for len(p.order) > p.kept {
			delete(p.pages, p.order[0])
			p.order = p.order[1:]
		}
		p.total = total
	}
	return true
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
