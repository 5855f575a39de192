package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"strings"

	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/assets"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/ui"
)

// AppID is the application ID; FyneApp.toml carries the same one.
const AppID = "app.trainpay.desktop"

const usage = `TrainPay: charge for training sessions and pay for them.

Usage:
  trainpay [--db PATH]            open the app (default database: %s)
  trainpay provision --features LIST [--revoke] [--db PATH]
                                  provision (or revoke) e-commerce features for the
                                  site; LIST is a comma-separated list of
                                  paid-sessions, promo-codes, pay-per-use
  trainpay --help                 show this help

The provision command is for the vendor's account manager. It works on a new
database before the first run, too.
`

// run parses the command line and runs the app or a subcommand; it returns
// the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	defaultDB, err := storage.DefaultPath()
	if err != nil {
		defaultDB = "(no user config folder: use --db)"
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "provision":
			return runProvision(args[1:], defaultDB, stdout, stderr)
		case "help":
			fmt.Fprintf(stdout, usage, defaultDB)
			return 0
		default:
			fmt.Fprintf(stderr, "trainpay: unknown command %q\n\n", args[0])
			fmt.Fprintf(stderr, usage, defaultDB)
			return 2
		}
	}
	fs := flag.NewFlagSet("trainpay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stdout, usage, defaultDB) }
	dbPath := fs.String("db", defaultDB, "the site's database file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trainpay: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	return runGUI(*dbPath, stderr)
}

func runProvision(args []string, defaultDB string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trainpay provision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", defaultDB, "the site's database file")
	list := fs.String("features", "", "comma-separated: paid-sessions, promo-codes, pay-per-use")
	revoke := fs.Bool("revoke", false, "revoke the features instead (this also disables them)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var features []app.Feature
	for _, name := range strings.Split(*list, ",") {
		if strings.TrimSpace(name) == "" {
			continue
		}
		f, err := app.ParseFeature(name)
		if err != nil {
			fmt.Fprintf(stderr, "trainpay provision: %v\n", err)
			return 2
		}
		features = append(features, f)
	}
	if len(features) == 0 {
		fmt.Fprintln(stderr, "trainpay provision: name the features with --features, e.g. --features paid-sessions,promo-codes")
		return 2
	}
	db, err := storage.Open(*dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay provision: %v\n", err)
		return 1
	}
	defer db.Close()
	states, err := app.NewSiteService(db).Provision(context.Background(), features, *revoke)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay provision: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Features of %s:\n", *dbPath)
	for _, st := range states {
		fmt.Fprintf(stdout, "  %-14s provisioned: %-5t enabled: %t\n", st.Feature, st.Provisioned, st.Enabled)
	}
	return 0
}

func runGUI(dbPath string, stderr io.Writer) int {
	log.SetOutput(stderr)
	db, err := storage.Open(dbPath)
	if err != nil {
		// Said in the user's language where we can: the window is not up
		// yet, so the terminal gets it.
		ui.SetLanguage("")
		fmt.Fprintf(stderr, "trainpay: %s\n", ui.ErrorText(err))
		log.Printf("open %s: %v", dbPath, err)
		return 1
	}
	defer db.Close()

	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := ui.NewMainWindow(a, ui.Deps{Site: app.NewSiteService(db)})
	w.Window().ShowAndRun()
	return 0
}
