package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/money"
)

// defineEstimate declares estimate's flags.
func defineEstimate(fs *pflag.FlagSet) func(*invocation) int {
	duration := fs.String("duration", "", "the session's length: 90m, 1h30m or 90 (minutes)")
	computers := fs.Int64("computers", 0, "computers expected to connect")
	tele := fs.Int64("teleconference", 0, "of those, computers expected on the teleconference")
	asCSV := fs.Bool("csv", false, "print one CSV header and one row instead of the breakdown")
	return func(c *invocation) int { return runEstimate(c, *duration, *computers, *tele, *asCSV) }
}

// runEstimate prints a pay-per-use session's estimated cost with the site's
// rates: `trainpay estimate --duration 90m --computers 25 --teleconference 10`.
// It is for scripts and spreadsheets, so it writes plain English with
// locale-neutral numbers (a dot for decimals), or CSV with --csv. It never
// creates a database: a missing file is an error.
func runEstimate(c *invocation, duration string, computers, tele int64, asCSV bool) int {
	stdout, stderr, dbPath := c.stdout, c.stderr, c.db
	minutes, err := parseMinutes(duration)
	if err != nil {
		return c.fail("--duration: %v", err)
	}
	usage := app.Usage{DurationMinutes: minutes, Computers: computers, Teleconference: tele}
	if err := usage.Validate(); err != nil {
		return c.fail("%v", err)
	}
	if !isOrgURL(dbPath) {
		if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "trainpay estimate: %s does not exist: the site's rates are kept in its database\n", dbPath)
			return 1
		}
	}
	db, err := openDatabase(context.Background(), dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay estimate: %v\n", err)
		return 1
	}
	defer db.close()
	ctx := context.Background()
	svc := app.NewSiteService(db.store)
	site, err := svc.Site(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay estimate: %v\n", err)
		return 1
	}
	if err := svc.RequireFeature(ctx, app.FeaturePayPerUse); err != nil {
		// Planning works without the feature (the Plan screen does too),
		// but the person should know the figures cannot be paid yet.
		fmt.Fprintf(stderr, "note: %v\n", err)
	}
	e, err := app.Estimate(usage, app.RatesOf(site))
	if err != nil {
		fmt.Fprintf(stderr, "trainpay estimate: %v\n", err)
		return 1
	}
	if asCSV {
		return writeEstimateCSV(stdout, stderr, e)
	}
	writeEstimate(stdout, site.Name, e)
	return 0
}

// parseMinutes reads a duration as a Go duration ("90m", "1h30m") or a bare
// number of minutes ("90"). Rates are per minute, so a duration must be a
// whole number of minutes.
func parseMinutes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("required, e.g. --duration 90m")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 90m or 1h30m", s)
	}
	if d%time.Minute != 0 {
		return 0, fmt.Errorf("%q is not a whole number of minutes", s)
	}
	return int64(d / time.Minute), nil
}

// writeEstimate prints the breakdown the Estimated Session Cost page shows.
func writeEstimate(w io.Writer, siteName string, e app.EstimatedCost) {
	cur := e.Rates.Currency
	person := money.RateFromE4(e.Rates.PersonMinuteE4, cur)
	tele := money.RateFromE4(e.Rates.TeleconferenceMinuteE4, cur)
	fmt.Fprintf(w, "Estimated session cost for %s (%s)\n", siteName, cur)
	fmt.Fprintf(w, "  duration:               %s minutes\n", group(e.Usage.DurationMinutes))
	fmt.Fprintf(w, "  computers connected:    %s\n", group(e.Usage.Computers))
	fmt.Fprintf(w, "  on the teleconference:  %s\n", group(e.Usage.Teleconference))
	fmt.Fprintf(w, "  person-minutes:         %s × %s = %s\n", group(e.PersonMinutes), rateNumber(person), e.PersonCost.Number())
	fmt.Fprintf(w, "  teleconference minutes: %s × %s = %s\n", group(e.TeleconferenceMinutes), rateNumber(tele), e.TeleconferenceCost.Number())
	fmt.Fprintf(w, "  total:                  %s %s\n", e.Total.Number(), cur)
}

func writeEstimateCSV(stdout, stderr io.Writer, e app.EstimatedCost) int {
	cur := e.Rates.Currency
	w := app.NewCSVWriter(stdout) // the one CSV writer of every export
	rows := [][]string{
		{
			"duration_minutes", "computers", "teleconference", "person_minutes", "person_rate", "person_cost",
			"teleconference_minutes", "teleconference_rate", "teleconference_cost", "total", "currency",
		},
		{
			strconv.FormatInt(e.Usage.DurationMinutes, 10), strconv.FormatInt(e.Usage.Computers, 10),
			strconv.FormatInt(e.Usage.Teleconference, 10), strconv.FormatInt(e.PersonMinutes, 10),
			rateNumber(money.RateFromE4(e.Rates.PersonMinuteE4, cur)), e.PersonCost.Number(),
			strconv.FormatInt(e.TeleconferenceMinutes, 10), rateNumber(money.RateFromE4(e.Rates.TeleconferenceMinuteE4, cur)),
			e.TeleconferenceCost.Number(), e.Total.Number(), cur,
		},
	}
	if err := w.WriteAll(rows); err != nil {
		fmt.Fprintf(stderr, "trainpay estimate: %v\n", err)
		return 1
	}
	return 0
}

// rateNumber writes a rate with a dot and at least the currency's digits:
// "0.12", "0.1235", "1.2345" (JPY), as the English UI shows it.
func rateNumber(r money.Rate) string { return r.FormatNumber("en") }

// group writes n with thousands separators: 2250 → "2,250".
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
