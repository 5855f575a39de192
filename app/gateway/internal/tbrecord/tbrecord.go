// Package tbrecord is a testing.TB that collects Errorf calls instead of
// failing, so that a strict test server's refusals can themselves be
// tested.
package tbrecord

import (
	"fmt"
	"sync"
	"testing"
)

// Recorder wraps the test's own TB: Errorf is collected, everything else
// goes to TB. Safe for concurrent use (a server reports from its handlers).
type Recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

// Errorf collects the error instead of failing the test.
func (r *Recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// Helper does nothing: the collected errors are not reported from here.
func (r *Recorder) Helper() {}

// Take returns the errors collected since the last Take, oldest first.
func (r *Recorder) Take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.errs
	r.errs = nil
	return e
}
