package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage/transfer"
)

var demoDataUsage = `  trainpay demo-data [--sessions N] [--registrations N] [--codes N] [--departments N]
                     [--seed N] [--force] [--db PATH]
                                  fill a database with deterministic demo data
                                  (defaults: 100000, 1000000, 100000, 50), within
                                  ` + sizeBounds(0) + `,
                                  ` + sizeBounds(1) + `,
                                  ` + sizeBounds(2) + `, ` + sizeBounds(3) + `;
                                  a new file gets a Test mode site; refuses a
                                  database with data or a site that is set up
                                  unless --force; all or nothing: a run that fails
                                  or is interrupted changes nothing; with --db
                                  postgres://… the data is built in a cached file
                                  and moved as trainpay migrate does, into an empty
                                  organisation database only
`

// sizeBounds is "sessions 1 to 1,000,000".
func sizeBounds(i int) string {
	s := demodata.Sizes[i]
	return fmt.Sprintf("%s %d to %s", s.Name, s.Min, group(int64(s.Max)))
}

// defineDemoData declares demo-data's flags.
func defineDemoData(fs *pflag.FlagSet) func(*invocation) int {
	var o demodata.Options
	fs.IntVar(&o.Sessions, "sessions", 100_000, "training sessions")
	fs.IntVar(&o.Registrations, "registrations", 1_000_000, "registrations, spread over the sessions")
	fs.IntVar(&o.Codes, "codes", 100_000, "promotional codes")
	fs.IntVar(&o.Departments, "departments", 50, "departments, with yearly budgets")
	fs.Uint64Var(&o.Seed, "seed", 1, "the same seed gives the same data")
	fs.BoolVar(&o.Force, "force", false, "write even into a database that holds data or a site that is set up")
	return func(c *invocation) int { return runDemoData(c, o) }
}

// runDemoData fills a database with demo data (internal/demodata), all or
// nothing.
func runDemoData(c *invocation, o demodata.Options) int {
	stdout, stderr := c.stdout, c.stderr
	for _, s := range demodata.Sizes {
		switch n := s.Of(o); {
		case n < 0:
			return c.fail("--%s cannot be negative", s.Name)
		case n < s.Min:
			return c.fail("--%s must be at least %s", s.Name, group(int64(s.Min)))
		case n > s.Max:
			return c.fail("--%s is at most %s (got %s)", s.Name, group(int64(s.Max)), group(int64(n)))
		}
	}
	// Ctrl-C (or a polite kill) cancels the run, which then writes nothing.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if isOrgURL(c.db) {
		if o.Force {
			return c.fail("--force is for a database file: demo data goes only into an empty organisation database")
		}
		return runDemoDataOrganisation(ctx, c, o)
	}
	path, err := filepath.Abs(c.db)
	if err != nil {
		path = c.db
	}
	fmt.Fprintf(stdout, "Writing demo data into %s (seed %d)\n", path, o.Seed)
	o.Progress = stdout
	rep, err := demodata.GenerateFile(ctx, c.db, o)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "\ntrainpay demo-data: interrupted: %s is as it was\n", path)
			return 130
		}
		fmt.Fprintf(stderr, "\ntrainpay demo-data: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Done in %s: %d sessions, %d registrations, %d payments, %d codes (%d uses), %d departments, %d ledger entries.\n",
		rep.Elapsed.Round(100*time.Millisecond), rep.Sessions, rep.Registrations, rep.Payments, rep.Codes, rep.Redemptions,
		rep.Departments, rep.Ledger)
	if rep.SiteCreated {
		fmt.Fprintf(stdout, "Created the site in Test mode; the administrator's passphrase is %q.\n", demodata.Passphrase)
	}
	return 0
}

// runDemoDataOrganisation fills an empty organisation database with demo
// data: it builds (or reuses) the demo file of these sizes and seed in the
// demo cache, then moves it in with transfer.Copy, one transaction that
// leaves the database as it was if it fails or is interrupted. Building in
// SQLite first keeps one generator (internal/demodata writes through
// SQLite's triggers), and the cache makes a second organisation database of
// the same sizes a copy only.
func runDemoDataOrganisation(ctx context.Context, c *invocation, o demodata.Options) int {
	stdout, stderr := c.stdout, c.stderr
	start := time.Now()
	fmt.Fprintf(stdout, "Writing demo data into the organisation database (seed %d)\n", o.Seed)
	o.Progress = stdout
	file, err := demodata.Cached(ctx, o)
	if err == nil {
		fmt.Fprintf(stdout, "Moving the demo data of %s\n", file)
		var rep transfer.Report
		rep, err = transfer.Copy(ctx, file, c.db, transfer.Options{Progress: stdout})
		if err == nil {
			rep.Print(stdout)
			counts := map[string]int64{}
			for _, t := range rep.Tables {
				counts[t.Table] = t.TargetRows
			}
			fmt.Fprintf(stdout, "Done in %s: %d sessions, %d registrations, %d payments, %d codes (%d uses), %d departments, %d ledger entries.\n",
				time.Since(start).Round(100*time.Millisecond), counts["session"], counts["registration"], counts["payment"],
				counts["promo_code"], counts["promo_redemption"], counts["department"], counts["department_ledger"])
			fmt.Fprintf(stdout, "Created the site in Test mode; the administrator's passphrase is %q.\n", demodata.Passphrase)
			return 0
		}
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		fmt.Fprintf(stderr, "\ntrainpay demo-data: interrupted: the organisation database is as it was\n")
		return 130
	}
	fmt.Fprintf(stderr, "\ntrainpay demo-data: %v\n", err)
	return 1
}
