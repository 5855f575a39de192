// Package benchcmp runs a benchmark next to its raw baseline in the same
// run and prints their ratio against the target, for `make bench` and
// BENCHMARKS.md.
//
// One measurement of each side says little on a shared machine: a burst of
// load during one side's run moves the ratio by tens of per cent, and
// running every baseline before every "ours" turns a drift in the
// machine's load into a difference between the two. So Pair measures the
// two sides in alternation over several rounds (baseline first in even
// rounds, ours first in odd ones, so that neither always runs on a warmer
// or a busier machine) and compares the medians, printing each side's
// spread (min–max) beside them.
package benchcmp

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// DefaultRounds is how many times each side is measured when
// BENCHCMP_ROUNDS does not say otherwise.
const DefaultRounds = 5

// Side names one of the two functions Pair compares.
type Side int

const (
	Baseline Side = iota
	Ours
)

func (s Side) String() string {
	if s == Ours {
		return "ours"
	}
	return "baseline"
}

// Schedule is the order Pair measures the sides in over rounds rounds:
// baseline then ours in even rounds, ours then baseline in odd ones.
func Schedule(rounds int) []Side {
	order := make([]Side, 0, 2*rounds)
	for r := range rounds {
		if r%2 == 0 {
			order = append(order, Baseline, Ours)
		} else {
			order = append(order, Ours, Baseline)
		}
	}
	return order
}

// Stats sums up one side's measurements (time per operation).
type Stats struct {
	Median, Min, Max time.Duration
	N                int
}

// Summarize returns the median (the mean of the two middle values for an
// even count), the minimum and the maximum of ns.
func Summarize(ns []time.Duration) Stats {
	if len(ns) == 0 {
		return Stats{}
	}
	s := slices.Clone(ns)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stats{Median: m, Min: s[0], Max: s[len(s)-1], N: len(s)}
}

// Result is the comparison Pair prints.
type Result struct {
	Name           string
	Baseline, Ours Stats
	// Ratio is the ratio of the medians, ours ÷ baseline.
	Ratio, Target float64
	Met           bool
}

// Compare sums up both sides' measurements against maxRatio.
func Compare(name string, base, ours []time.Duration, maxRatio float64) Result {
	r := Result{Name: name, Baseline: Summarize(base), Ours: Summarize(ours), Target: maxRatio}
	if r.Baseline.Median > 0 {
		r.Ratio = float64(r.Ours.Median) / float64(r.Baseline.Median)
	}
	r.Met = r.Ratio > 0 && r.Ratio <= maxRatio
	return r
}

// Line is r as the one line Pair prints: "BENCHCMP", then tab-separated
// fields (name, baseline median, min, max, ours median, min, max, ratio,
// target, verdict, rounds), which scripts/bench turns into the table of
// BENCHMARKS.md.
func (r Result) Line() string {
	verdict := "met"
	if !r.Met {
		verdict = "MISSED"
	}
	d := func(x time.Duration) string { return Round(x).String() }
	return fmt.Sprintf("BENCHCMP\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%s\t%d",
		r.Name, d(r.Baseline.Median), d(r.Baseline.Min), d(r.Baseline.Max),
		d(r.Ours.Median), d(r.Ours.Min), d(r.Ours.Max), r.Ratio, r.Target, verdict, min(r.Baseline.N, r.Ours.N))
}

// Round keeps three significant digits of d (at least a nanosecond).
func Round(d time.Duration) time.Duration {
	unit := time.Duration(1)
	for x := d; x >= 1000; x /= 10 {
		unit *= 10
	}
	return d.Round(unit)
}

// Rounds is how many rounds Pair measures: BENCHCMP_ROUNDS, or
// DefaultRounds.
func Rounds() int {
	if n, err := strconv.Atoi(os.Getenv("BENCHCMP_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return DefaultRounds
}

// out is where Pair prints its line; tests replace it.
var out io.Writer = os.Stdout

// Pair measures base and ours in alternation, Rounds() times each, as the
// sub-benchmarks "baseline" and "ours" (the test framework numbers the
// repeats: "ours#01", ...), so the usual benchmark lines stay for
// benchstat. It then prints Result.Line: the medians and spread of time per
// operation of each side and the ratio of the medians against maxRatio.
// Nothing is printed when a side fails or reports no time.
func Pair(b *testing.B, maxRatio float64, ours, base func(b *testing.B)) {
	b.Helper()
	pair(b, maxRatio, Rounds(), ours, base)
}

func pair(b *testing.B, maxRatio float64, rounds int, ours, base func(b *testing.B)) {
	var times [2][]time.Duration
	for _, side := range Schedule(rounds) {
		f := base
		if side == Ours {
			f = ours
		}
		var perOp time.Duration
		ok := b.Run(side.String(), func(b *testing.B) {
			f(b)
			if b.N > 0 {
				perOp = b.Elapsed() / time.Duration(b.N)
			}
		})
		if !ok || perOp <= 0 {
			return
		}
		times[side] = append(times[side], perOp)
	}
	// Printed, not logged: a parent benchmark's log shows only with -v.
	fmt.Fprintln(out, Compare(b.Name(), times[Baseline], times[Ours], maxRatio).Line())
}
