package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
)

const demoDataUsage = `  trainpay demo-data [--sessions N] [--registrations N] [--codes N] [--departments N]
                     [--seed N] [--force] [--db PATH]
                                  fill a database with deterministic demo data
                                  (defaults: 100000, 1000000, 100000, 50); a new
                                  file gets a Test mode site; refuses a database
                                  with real data unless --force
`

// defineDemoData declares demo-data's flags.
func defineDemoData(fs *pflag.FlagSet) func(*invocation) int {
	var o demodata.Options
	fs.IntVar(&o.Sessions, "sessions", 100_000, "training sessions")
	fs.IntVar(&o.Registrations, "registrations", 1_000_000, "registrations, spread over the sessions")
	fs.IntVar(&o.Codes, "codes", 100_000, "promotional codes")
	fs.IntVar(&o.Departments, "departments", 50, "departments, with yearly budgets")
	fs.Uint64Var(&o.Seed, "seed", 1, "the same seed gives the same data")
	fs.BoolVar(&o.Force, "force", false, "write even into a database that holds real data")
	return func(c *invocation) int { return runDemoData(c, o) }
}

// runDemoData fills a database with demo data (internal/demodata).
func runDemoData(c *invocation, o demodata.Options) int {
	stdout, stderr := c.stdout, c.stderr
	db, err := storage.Open(c.db)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay demo-data: %v\n", err)
		return 1
	}
	defer db.Close()
	fmt.Fprintf(stdout, "Writing demo data into %s (seed %d)\n", db.Path(), o.Seed)
	o.Progress = stdout
	rep, err := demodata.Generate(context.Background(), db, o)
	if err != nil {
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
