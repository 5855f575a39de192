// Package benchcmp runs a benchmark next to its raw baseline in the same
// run and prints their ratio against the target, for `make bench` and
// BENCHMARKS.md.
package benchcmp

import (
	"fmt"
	"testing"
	"time"
)

// Pair runs ours and base as the sub-benchmarks "ours" and "baseline",
// then logs ours/base (time per operation) and whether it is within
// maxRatio.
func Pair(b *testing.B, maxRatio float64, ours, base func(b *testing.B)) {
	b.Helper()
	var oursNs, baseNs float64
	run := func(f func(*testing.B), dst *float64) func(*testing.B) {
		return func(b *testing.B) {
			f(b)
			if b.N > 0 {
				*dst = float64(b.Elapsed()) / float64(b.N)
			}
		}
	}
	b.Run("baseline", run(base, &baseNs))
	b.Run("ours", run(ours, &oursNs))
	if oursNs == 0 || baseNs == 0 {
		return
	}
	ratio := oursNs / baseNs
	verdict := "met"
	if ratio > maxRatio {
		verdict = "MISSED"
	}
	// Printed, not logged: a parent benchmark's log shows only with -v.
	fmt.Printf("RATIO %s: ours %v/op, baseline %v/op, ratio %.2f× (target ≤ %.2f×) %s",
		b.Name(), time.Duration(oursNs).Round(time.Microsecond/10), time.Duration(baseNs).Round(time.Microsecond/10),
		ratio, maxRatio, verdict)
	fmt.Println()
}
