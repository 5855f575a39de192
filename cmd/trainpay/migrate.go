package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/trainpay/trainpay/storage/transfer"
)

const migrateUsage = `  trainpay migrate --from FILE --to postgres://USER@HOST/DATABASE
                                  move a site from its database file into an empty
                                  organisation database (PostgreSQL): every table in
                                  one transaction, then each table's rows and money
                                  sums compared on both sides; the file is only read;
                                  all or nothing: a run that fails or is interrupted
                                  copies nothing
`

// defineMigrate declares migrate's flags.
func defineMigrate(fs *pflag.FlagSet) func(*invocation) int {
	from := fs.String("from", "", "the site's database file")
	to := fs.String("to", "", "the organisation database's address (postgres://…)")
	return func(c *invocation) int { return runMigrate(c, *from, *to) }
}

func runMigrate(c *invocation, from, to string) int {
	switch {
	case strings.TrimSpace(from) == "":
		return c.fail("name the site's database file with --from")
	case strings.TrimSpace(to) == "":
		return c.fail("name the organisation database with --to postgres://…")
	case !isOrgURL(to):
		return c.fail("--to is the organisation database's address, postgres://USER@HOST/DATABASE")
	}
	// Ctrl-C (or a polite kill) cancels the copy, which then commits nothing.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(c.stdout, "Moving %s into the organisation database\n", from)
	rep, err := transfer.Copy(ctx, from, to, transfer.Options{Progress: c.stderr})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(c.stderr, "\n%s: interrupted: nothing was copied, the organisation database is as it was\n", c.name)
			return 130
		}
		fmt.Fprintf(c.stderr, "\n%s: %v\n", c.name, err)
		return 1
	}
	rep.Print(c.stdout)
	fmt.Fprintf(c.stdout, "Copied %d rows of %d tables (schema %d) in %s; every count and money sum matches.\n",
		rep.Rows(), len(rep.Tables), rep.Version, rep.Elapsed.Round(100*time.Millisecond))
	return 0
}
