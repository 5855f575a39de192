package ui

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// slowSessions is a session service whose list takes its time: it records
// every topic it is asked for and every query cancelled while it waited.
// A topic in block waits for cancellation alone.
type slowSessions struct {
	SessionService
	delay   time.Duration
	block   string
	started chan string

	mu        sync.Mutex
	asked     []string
	cancelled []string
}

func (s *slowSessions) List(ctx context.Context, f app.SessionFilter) ([]app.SessionSummary, int, error) {
	s.mu.Lock()
	s.asked = append(s.asked, f.Topic)
	s.mu.Unlock()
	if s.started != nil {
		s.started <- f.Topic
	}
	wait := s.delay
	if f.Topic == s.block {
		wait = 10 * time.Second
	}
	select {
	case <-ctx.Done():
		s.mu.Lock()
		s.cancelled = append(s.cancelled, f.Topic)
		s.mu.Unlock()
		return nil, 0, ctx.Err()
	case <-time.After(wait):
	}
	return s.SessionService.List(ctx, f)
}

func (s *slowSessions) Registrations(ctx context.Context, f app.RegistrationFilter) ([]app.Registration, int, error) {
	s.mu.Lock()
	s.asked = append(s.asked, f.Search)
	s.mu.Unlock()
	select {
	case <-ctx.Done():
		s.mu.Lock()
		s.cancelled = append(s.cancelled, f.Search)
		s.mu.Unlock()
		return nil, 0, ctx.Err()
	case <-time.After(s.delay):
	}
	return s.SessionService.Registrations(ctx, f)
}

func (s *slowSessions) seen() (asked, cancelled []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.asked), slices.Clone(s.cancelled)
}

// Typing a word into the sessions search, key by key, echoes every key at
// once (the UI thread never waits for a query) and asks the store only for
// the word; a query running when the next key comes is cancelled.
func TestSessionSearchAsksForTheLastWordOnlyAndNeverBlocksTyping(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	for _, topic := range []string{"Excel: Pivot Tables", "Excel for Łódź", "Python", "Excellence in Service"} {
		e.schedulePaid(topic, 100_00, 10)
	}
	slow := &slowSessions{SessionService: e.deps.Sessions, delay: 300 * time.Millisecond}
	off := &offThread{}
	deps := e.deps
	deps.Sessions, deps.Go = slow, off.Go
	s := newSessionsScreen(deps, e.w, e.site())
	e.w.SetContent(s.content)
	off.drain()
	if s.length() != 4 {
		t.Fatalf("opening: %d sessions", s.length())
	}
	slow.mu.Lock()
	slow.asked = nil
	slow.mu.Unlock()

	word := "excel"
	for i, key := range word {
		start := time.Now()
		test.Type(s.search, string(key))
		if d := time.Since(start); d > 100*time.Millisecond || s.search.Text != word[:i+1] {
			t.Errorf("key %q: echoed %q after %v", key, s.search.Text, d)
		}
	}
	if off.pending() == 0 {
		t.Fatal("no query left for the background: the UI thread ran it")
	}
	off.drain()
	if asked, _ := slow.seen(); !slices.Equal(asked, []string{"excel"}) {
		t.Errorf("the store was asked for %q; want only the word", asked)
	}
	if s.length() != 3 || s.count.Text != T("sessions.count", map[string]any{"Count": 3}) {
		t.Errorf("after the search: %d rows, %q", s.length(), s.count.Text)
	}

	// A query in flight when the next key comes is cancelled, and the key
	// is echoed without waiting for it.
	slow.block, slow.started = "excell", make(chan string, 4)
	test.Type(s.search, "l")
	// Only the query queued now runs in the background: the next key's
	// runs after, so that nothing but the cancelled one overlaps the test
	// goroutine's typing.
	off.mu.Lock()
	queued := off.queue
	off.queue = nil
	off.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, f := range queued {
			f()
		}
	}()
	select {
	case topic := <-slow.started:
		if topic != "excell" {
			t.Fatalf("started %q", topic)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the query never started")
	}
	start := time.Now()
	test.Type(s.search, "e")
	if d := time.Since(start); d > 100*time.Millisecond || s.search.Text != "excelle" {
		t.Errorf("a key during a query: echoed %q after %v", s.search.Text, d)
	}
	<-done
	off.drain()
	asked, cancelled := slow.seen()
	if !slices.Equal(cancelled, []string{"excell"}) || asked[len(asked)-1] != "excelle" {
		t.Errorf("asked %q, cancelled %q; want excell cancelled and excelle asked last", asked, cancelled)
	}
	if s.length() != 1 || s.count.Text != T("sessions.count", map[string]any{"Count": 1}) {
		t.Errorf("after excelle: %d rows, %q", s.length(), s.count.Text)
	}
}

// One or two letters are not searched: the list says how many to type.
func TestSessionSearchOfTwoLettersAsksForThree(t *testing.T) {
	e := newSessionsEnv(t, "pl", true, nil)
	e.schedulePaid("Excel", 100_00, 10)
	s := newSessionsScreen(e.deps, e.w, e.site())
	e.w.SetContent(s.content)
	test.Type(s.search, "ex")
	if want := T("error.search.too_short", map[string]any{"Min": 3}); s.count.Text != want || s.length() != 0 {
		t.Errorf("two letters: %q, %d rows; want %q", s.count.Text, s.length(), want)
	}
	test.Type(s.search, "c")
	if s.length() != 1 {
		t.Errorf("three letters: %d rows", s.length())
	}
}

// The registrations search likewise: every key echoed at once, the store
// asked for the name once it is typed.
func TestRegistrationSearchAsksForTheLastWordOnlyAndNeverBlocksTyping(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	x := e.schedulePaid("Excel", 100_00, 10)
	for _, a := range []app.Attendee{
		{FirstName: "Łukasz", LastName: "Woźniak", Email: "lukasz@example.pl"},
		{FirstName: "Anna", LastName: "Nowak", Email: "anna@example.pl"},
	} {
		if _, err := e.svc.Register(context.Background(), x.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	slow := &slowSessions{SessionService: e.deps.Sessions, delay: 300 * time.Millisecond}
	off := &offThread{}
	deps := e.deps
	deps.Sessions, deps.Go = slow, off.Go
	v := showRegistrations(deps, e.w, x, nil)
	off.drain()
	if v.list.Length() != 2 {
		t.Fatalf("opening: %d registrations", v.list.Length())
	}
	slow.mu.Lock()
	slow.asked = nil
	slow.mu.Unlock()
	word := "wozniak"
	var echo []time.Duration
	for i, key := range word {
		start := time.Now()
		test.Type(v.search, string(key))
		echo = append(echo, time.Since(start))
		if v.search.Text != word[:i+1] {
			t.Errorf("key %q: echoed %q", key, v.search.Text)
		}
	}
	slices.Sort(echo)
	if echo[len(echo)/2] > 50*time.Millisecond || echo[len(echo)-1] > 100*time.Millisecond {
		t.Errorf("key echo: median %v, slowest %v", echo[len(echo)/2], echo[len(echo)-1])
	}
	t.Logf("key echo median %v", echo[len(echo)/2])
	off.drain()
	if asked, _ := slow.seen(); !slices.Equal(asked, []string{"wozniak"}) {
		t.Errorf("the store was asked for %q; want only the word", asked)
	}
	if v.list.Length() != 1 || v.count.Text != T("regs.count", map[string]any{"Count": 1}) {
		t.Errorf("after the search: %d rows, %q", v.list.Length(), v.count.Text)
	}
}
