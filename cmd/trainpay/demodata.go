package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/storage"
)

// runDemoData fills a database with demo data (internal/demodata).
func runDemoData(args []string, defaultDB string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trainpay demo-data", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDB, "the database file (a new file is best)")
	sessions := fs.Int("sessions", 100_000, "training sessions")
	regs := fs.Int("registrations", 1_000_000, "registrations, spread over the sessions")
	codes := fs.Int("codes", 100_000, "promotional codes")
	deps := fs.Int("departments", 50, "departments, with yearly budgets")
	seed := fs.Uint64("seed", 1, "the same seed gives the same data")
	force := fs.Bool("force", false, "write even into a database that holds real data")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trainpay demo-data: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	db, err := storage.Open(*dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay demo-data: %v\n", err)
		return 1
	}
	defer db.Close()
	fmt.Fprintf(stdout, "Writing demo data into %s (seed %d)\n", db.Path(), *seed)
	rep, err := demodata.Generate(context.Background(), db, demodata.Options{
		Sessions: *sessions, Registrations: *regs, Codes: *codes, Departments: *deps,
		Seed: *seed, Force: *force, Progress: stdout,
	})
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
