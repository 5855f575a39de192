package app

import (
	"testing"
	"time"
)

// A subscriber that is not reading gets the union of what was published
// meanwhile, once; the publisher never waits for it.
func TestChangeHubMergesWhatASlowSubscriberHasNotTaken(t *testing.T) {
	var h ChangeHub
	ch, stop := h.Subscribe()
	defer stop()
	done := make(chan struct{})
	go func() {
		h.Publish(ChangedSessions)
		h.Publish(ChangedPayments)
		h.Publish(ChangedPayments | ChangedPromo)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	if got := <-ch; got != ChangedSessions|ChangedPayments|ChangedPromo {
		t.Errorf("got %s", got)
	}
	select {
	case got := <-ch:
		t.Errorf("a second set %s", got)
	default:
	}
}

// Every subscriber gets every set; one that stopped gets nothing more and
// its channel is closed; Close closes the rest.
func TestChangeHubFansOutAndCloses(t *testing.T) {
	var h ChangeHub
	a, stopA := h.Subscribe()
	b, stopB := h.Subscribe()
	h.Publish(ChangedRegistrations)
	if got := <-a; got != ChangedRegistrations {
		t.Errorf("a got %s", got)
	}
	if got := <-b; got != ChangedRegistrations {
		t.Errorf("b got %s", got)
	}
	stopA()
	stopA() // twice is harmless
	if _, open := <-a; open {
		t.Error("a stopped subscription's channel is open")
	}
	h.Publish(0) // nothing changed: nothing sent
	h.Publish(ChangedSite)
	if got := <-b; got != ChangedSite {
		t.Errorf("b got %s", got)
	}
	h.Close()
	if _, open := <-b; open {
		t.Error("Close left a channel open")
	}
	stopB()
	c, _ := h.Subscribe()
	if _, open := <-c; open {
		t.Error("a subscription after Close is open")
	}
}

// Area names round-trip, and a set lists its areas.
func TestChangeAreasParseAndPrint(t *testing.T) {
	var all ChangeSet
	for _, name := range ChangeAreas() {
		set, ok := ParseChangeArea(name)
		if !ok || set.String() != name {
			t.Errorf("%q: %s %v", name, set, ok)
		}
		all |= set
	}
	if all != ChangedEverything {
		t.Errorf("the areas make %b, everything is %b", all, ChangedEverything)
	}
	if _, ok := ParseChangeArea("payment"); ok {
		t.Error("a name that is no area parsed")
	}
	if s := (ChangedSessions | ChangedBudgets).String(); s != "sessions,budgets" {
		t.Errorf("String %q", s)
	}
	if !ChangedEverything.Any(ChangedPromo) || ChangedSessions.Any(ChangedPromo) {
		t.Error("Any")
	}
}
