package benchcmp

import (
	"bytes"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSummarizeMedianOfOddAndEvenCounts(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	for _, c := range []struct {
		in            []time.Duration
		med, min, max time.Duration
	}{
		{ms(5), 5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond},
		{ms(9, 1, 5), 5 * time.Millisecond, time.Millisecond, 9 * time.Millisecond},
		{ms(4, 1, 3, 2), 2500 * time.Microsecond, time.Millisecond, 4 * time.Millisecond},
		{ms(7, 100, 6, 8, 5), 7 * time.Millisecond, 5 * time.Millisecond, 100 * time.Millisecond},
	} {
		in := slices.Clone(c.in)
		s := Summarize(c.in)
		if s.Median != c.med || s.Min != c.min || s.Max != c.max || s.N != len(c.in) {
			t.Errorf("Summarize(%v) = %+v, want median %v, min %v, max %v", c.in, s, c.med, c.min, c.max)
		}
		if !slices.Equal(in, c.in) {
			t.Errorf("Summarize reordered its input: %v", c.in)
		}
	}
	if s := Summarize(nil); s != (Stats{}) {
		t.Errorf("Summarize(nil) = %+v", s)
	}
}

// One outlier round must not decide the verdict: the ratio is of medians.
func TestCompareUsesTheRatioOfMediansNotTheLastRound(t *testing.T) {
	base := []time.Duration{100, 100, 100, 100, 300} // the last baseline round hit a busy machine
	ours := []time.Duration{160, 170, 165, 160, 220}
	r := Compare("X", base, ours, 1.5)
	if r.Ratio != 1.65 || r.Met {
		t.Errorf("ratio %.3f met %v, want 1.65 missed (the last round alone reads 0.73)", r.Ratio, r.Met)
	}
	if r.Baseline.Max != 300 || r.Ours.Min != 160 {
		t.Errorf("spread %+v %+v", r.Baseline, r.Ours)
	}
	if r := Compare("X", base, []time.Duration{140, 150, 150, 150, 150}, 1.5); !r.Met || r.Ratio != 1.5 {
		t.Errorf("a ratio equal to the target is met: %+v", r)
	}
	if r := Compare("X", nil, ours, 1.5); r.Met {
		t.Errorf("no baseline cannot be met: %+v", r)
	}
}

func TestScheduleAlternatesWhichSideGoesFirst(t *testing.T) {
	got := Schedule(4)
	want := []Side{Baseline, Ours, Ours, Baseline, Baseline, Ours, Ours, Baseline}
	if !slices.Equal(got, want) {
		t.Errorf("Schedule(4) = %v, want %v", got, want)
	}
}

func TestLineHasEveryFieldTabSeparated(t *testing.T) {
	r := Compare("BenchmarkX/sub", []time.Duration{1234567, 1000000, 2000000}, []time.Duration{2469134, 2000000, 3000000}, 2)
	f := strings.Split(r.Line(), "\t")
	want := []string{"BENCHCMP", "BenchmarkX/sub", "1.23ms", "1ms", "2ms", "2.47ms", "2ms", "3ms", "2.00", "2.00", "met", "3"}
	if !slices.Equal(f, want) {
		t.Errorf("line fields %q, want %q", f, want)
	}
}

// Pair runs the two sides in the scheduled alternation, as sub-benchmarks,
// and prints the ratio of their medians.
func TestPairInterleavesTheSidesAndPrintsTheRatioOfMedians(t *testing.T) {
	bt := flag.Lookup("test.benchtime")
	old := bt.Value.String()
	if err := bt.Value.Set("2x"); err != nil {
		t.Fatal(err)
	}
	defer bt.Value.Set(old)
	var buf bytes.Buffer
	out = &buf
	defer func() { out = nil }()

	var order []Side
	side := func(s Side, d time.Duration) func(*testing.B) {
		return func(b *testing.B) {
			order = append(order, s)
			for range b.N {
				time.Sleep(d)
			}
		}
	}
	testing.Benchmark(func(b *testing.B) {
		pair(b, 1.5, 3, side(Ours, 20*time.Millisecond), side(Baseline, time.Millisecond))
	})
	// Each sub-benchmark calls its function once with N=1, then once with
	// the N of -benchtime.
	var runs []Side
	for i := 0; i < len(order); i += 2 {
		if order[i] != order[i+1] {
			t.Fatalf("order %v", order)
		}
		runs = append(runs, order[i])
	}
	if want := Schedule(3); !slices.Equal(runs, want) {
		t.Errorf("sides ran in order %v, want %v", runs, want)
	}
	line := strings.TrimSpace(buf.String())
	f := strings.Split(line, "\t")
	if len(f) != 12 || f[0] != "BENCHCMP" || f[10] != "MISSED" || f[11] != "3" {
		t.Fatalf("printed %q", line)
	}
	var ratio float64
	if _, err := fmt.Sscan(f[8], &ratio); err != nil || ratio < 5 {
		t.Errorf("ratio %q, want about 20 (20 ms against 1 ms)", f[8])
	}
}

// A side that fails prints nothing: no verdict without both sides.
func TestPairPrintsNothingWhenASideFails(t *testing.T) {
	bt := flag.Lookup("test.benchtime")
	old := bt.Value.String()
	bt.Value.Set("1x")
	defer bt.Value.Set(old)
	var buf bytes.Buffer
	out = &buf
	defer func() { out = nil }()
	oursRan := false
	testing.Benchmark(func(b *testing.B) {
		pair(b, 1.5, 3, func(b *testing.B) {
			oursRan = true
		}, func(b *testing.B) { b.Fatal("baseline broke") })
	})
	if buf.Len() != 0 || oursRan {
		t.Errorf("printed %q, ours ran %v", buf.String(), oursRan)
	}
}
