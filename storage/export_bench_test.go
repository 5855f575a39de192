//go:build linux

package storage_test

// The site-wide accounting export over all 1,000,000 registrations of the
// full-size demo database (scale_bench_test.go's), against the sqlite3
// command-line shell writing the same columns of the same join as CSV. Run
// with `make bench BENCH=Export` (make deps installs sqlite3). Linux only: it
// reads the process's CPU time and peak memory from getrusage and /proc.

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/benchcmp"
)

// sqliteExportQuery is storage's export query as the sqlite3 shell runs it.
const sqliteExportQuery = `SELECT r.confirmation, r.session_id, r.first_name, r.last_name, r.email, r.company, r.country,
	r.status, r.currency, r.fee_minor, r.discount_minor, r.promo_code, r.total_minor, r.paid_minor, r.refunded_minor,
	coalesce(p.method, ''), coalesce(p.brand, ''), coalesce(p.last4, ''), coalesce(p.gateway_ref, ''), coalesce(p.mode, ''),
	r.created_at, r.paid_at, r.cancelled_at
	FROM registration r LEFT JOIN payment p ON p.id = r.payment_id ORDER BY r.id`

func sqliteShell(b *testing.B) string {
	path, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Fatal("the baseline needs the sqlite3 command-line shell (make deps, or apt-get install sqlite3): ", err)
	}
	return path
}

// exportToFile is what the export window does with the file the save
// dialog returns: the export streamed into it.
func exportToFile(ctx context.Context, db app.RegistrationExportStore, f app.RegistrationExportFilter, path string) (int, error) {
	out, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := app.RegistrationExporter{Store: db}.Export(ctx, f, out, nil)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func BenchmarkScaleExportSiteWide(b *testing.B) {
	db := scaleDatabase(b)
	shell := sqliteShell(b)
	ctx := context.Background()
	dir := b.TempDir()
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		start := cpuTime(b)
		for b.Loop() {
			n, err := exportToFile(ctx, db, app.RegistrationExportFilter{}, filepath.Join(dir, "ours.csv"))
			if err != nil || n != fullSizes.Registrations {
				b.Fatal(n, err)
			}
		}
		b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N)/1e6, "cpu-ms/op")
	}, func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			cmd := exec.Command(shell, "-readonly", "-csv", "-header", db.Path(), sqliteExportQuery)
			out, err := os.Create(filepath.Join(dir, "sqlite3.csv"))
			if err != nil {
				b.Fatal(err)
			}
			cmd.Stdout = out
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
			cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			if err := out.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
	})
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSGrowth runs f and returns by how much it raised the process's peak
// resident set (VmHWM), which it first resets to the current resident set
// (writing 5 to /proc/self/clear_refs).
func peakRSSGrowth(b *testing.B, f func()) int64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatal("cannot reset the peak resident set: ", err)
	}
	before := procStatusKB(b, "VmHWM")
	f()
	return (procStatusKB(b, "VmHWM") - before) * 1024
}

func procStatusKB(b *testing.B, field string) int64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// The export keeps memory flat: writing all 1,000,000 registrations to a
// file raises the peak resident set by at most 50 MB.
func BenchmarkScaleExportMemory(b *testing.B) {
	db := scaleDatabase(b)
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "export.csv")
	// A first export warms the connection and the statement cache.
	if _, err := exportToFile(ctx, db, app.RegistrationExportFilter{SessionID: 1}, path); err != nil {
		b.Fatal(err)
	}
	var worst int64
	for b.Loop() {
		growth := peakRSSGrowth(b, func() {
			n, err := exportToFile(ctx, db, app.RegistrationExportFilter{}, path)
			if err != nil || n != fullSizes.Registrations {
				b.Fatal(n, err)
			}
		})
		worst = max(worst, growth)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(worst)/(1<<20), "MB-peak-RSS-growth")
	b.ReportMetric(float64(st.Size())/(1<<20), "MB-written")
	if worst > 50<<20 {
		b.Fatalf("exporting %d registrations (%d MB of CSV) raised the peak resident set by %d MB (limit 50 MB)",
			fullSizes.Registrations, st.Size()>>20, worst>>20)
	}
}
