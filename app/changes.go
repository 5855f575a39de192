package app

import (
	"strings"
	"sync"
)

// ChangeSet names the parts of a site's data that changed: a bit per area.
// Screens refresh what shows an area of the set; a set that cannot say what
// changed (a notification missed) is ChangedEverything.
type ChangeSet uint8

// The areas. Each table of the schema belongs to one (migration 00016 says
// which): sessions (and pay-per-use usage), registrations, payments (the
// journal and the payment settings), promo (codes, their sessions,
// recipients and redemptions, mail settings), budgets (departments, their
// ledger, budget settings) and site (the site, its features, the audit log).
const (
	ChangedSessions ChangeSet = 1 << iota
	ChangedRegistrations
	ChangedPayments
	ChangedPromo
	ChangedBudgets
	ChangedSite

	// ChangedEverything is every area.
	ChangedEverything = ChangedSessions | ChangedRegistrations | ChangedPayments |
		ChangedPromo | ChangedBudgets | ChangedSite
)

// changeAreaNames are the areas' names, as the databases' triggers write
// them, in bit order.
var changeAreaNames = []string{"sessions", "registrations", "payments", "promo", "budgets", "site"}

// ChangeAreas is every area's name, as the databases' change triggers
// write them.
func ChangeAreas() []string { return append([]string(nil), changeAreaNames...) }

// ParseChangeArea is the set holding the area of that name; ok is false for
// a name that is no area.
func ParseChangeArea(name string) (ChangeSet, bool) {
	for i, n := range changeAreaNames {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// Any reports whether c holds any area of areas.
func (c ChangeSet) Any(areas ChangeSet) bool { return c&areas != 0 }

// String lists the areas, "sessions,payments" (for logs and tests).
func (c ChangeSet) String() string {
	var names []string
	for i, n := range changeAreaNames {
		if c&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

// Changes tells a subscriber what other connections (another desktop,
// another TrainPay process on the same file, this process's own writes)
// changed in the site's data, soon after they commit.
type Changes interface {
	// Subscribe returns a channel of change sets and the function that ends
	// the subscription (and closes the channel). Sets that arrive while
	// the subscriber is busy are merged into one: a subscriber never
	// falls behind, and never blocks the feed.
	Subscribe() (<-chan ChangeSet, func())
}

// ChangeHub hands change sets to its subscribers: the part of a Changes
// that both databases share. The zero value is ready to use.
//
// (Hand-written: a few lines of fan-out with merging, where a pub/sub
// library would bring a broker's worth of API for one channel per screen.)
type ChangeHub struct {
	mu   sync.Mutex
	subs map[chan ChangeSet]struct{}
	done bool
}

var _ Changes = (*ChangeHub)(nil)

// Subscribe implements Changes.
func (h *ChangeHub) Subscribe() (<-chan ChangeSet, func()) {
	ch := make(chan ChangeSet, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		close(ch)
		return ch, func() {}
	}
	if h.subs == nil {
		h.subs = map[chan ChangeSet]struct{}{}
	}
	h.subs[ch] = struct{}{}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			if _, ok := h.subs[ch]; ok {
				delete(h.subs, ch)
				close(ch)
			}
		})
	}
}

// Publish hands set to every subscriber, merged with a set it has not yet
// taken. It never blocks.
func (h *ChangeHub) Publish(set ChangeSet) {
	if set == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- set:
			continue
		default:
		}
		// Full: take the waiting set back and send the union. Only the
		// subscriber takes from its channel, and Publish holds the lock,
		// so after the take there is room.
		merged := set
		select {
		case old := <-ch:
			merged |= old
		default:
		}
		ch <- merged
	}
}

// Close ends every subscription (their channels close); later Subscribes
// get a closed channel.
func (h *ChangeHub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.done = true
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}
