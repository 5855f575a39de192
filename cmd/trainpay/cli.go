package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	appmail "github.com/trainpay/trainpay/app/mail"
	"github.com/trainpay/trainpay/assets"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/secrets"
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
  trainpay estimate --duration 90m --computers N [--teleconference N] [--csv] [--db PATH]
                                  print a pay-per-use session's estimated cost with
                                  the site's rates
  trainpay demo-data [--sessions N] [--registrations N] [--codes N] [--departments N]
                     [--seed N] [--force] [--db PATH]
                                  fill a database with deterministic demo data
                                  (defaults: 100000, 1000000, 100000, 50); a new
                                  file gets a Test mode site; refuses a database
                                  with real data unless --force
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
		case "estimate":
			return runEstimate(args[1:], defaultDB, stdout, stderr)
		case "demo-data":
			return runDemoData(args[1:], defaultDB, stdout, stderr)
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
	logger := slog.New(slog.NewTextHandler(stderr, nil))
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
	svc := newServices(db, logger)
	defer svc.registry.Close()

	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := ui.NewMainWindow(a, svc.deps)
	// Settle any payment a previous run left open, off the UI thread.
	go func() {
		rep, err := svc.payments.Reconcile(context.Background())
		if err != nil {
			logger.Error("reconciliation on start-up", "err", err)
			return
		}
		if rep.Checked > 0 {
			logger.Info("reconciled payments left open", "checked", rep.Checked, "charged", rep.Charged,
				"not_charged", rep.NotCharged, "open", rep.StillOpen, "review", rep.NeedsReview)
		}
	}()
	w.Window().ShowAndRun()
	return 0
}

// services are the domain services of one database.
type services struct {
	deps     ui.Deps
	payments *app.PaymentService
	registry *registry.Registry
}

// newServices wires the domain to storage, the credential vault and the
// gateways.
func newServices(db *storage.DB, logger *slog.Logger) services {
	// The keychain entry is per database, so two sites on one machine never
	// share merchant credentials. A database moved elsewhere asks for its
	// credentials again.
	sum := sha256.Sum256([]byte(db.Path()))
	vault := secrets.New(secrets.Options{
		Service:      "TrainPay:" + hex.EncodeToString(sum[:8]),
		FallbackPath: strings.TrimSuffix(db.Path(), filepath.Ext(db.Path())) + ".secrets",
	})
	site := app.NewSiteService(db)
	site.AfterUnlock = vault.Unlock
	site.BeforePassphraseChange = vault.Rekey
	site.AfterPassphraseChangeFailed = func(old, new string) {
		if err := vault.Rekey(new, old); err != nil {
			logger.Error("restoring the credentials file's passphrase", "err", err)
		}
	}
	reg := &registry.Registry{Sites: db, Settings: db, Secrets: vault,
		SandboxLedger: strings.TrimSuffix(db.Path(), filepath.Ext(db.Path())) + ".sandbox.json"}
	payments := app.NewPaymentService(db, reg, logger)
	merchant := &app.MerchantService{Sites: db, Admins: site, Settings: db, Secrets: vault, Tester: reg}
	deps := ui.Deps{Site: site, Payments: payments, Merchant: merchant}
	// Feature services: each feature wires its own here.
	// Paid training sessions (issue 5). Promotional codes plug in as
	// sessions.Promo (an app.PromoRedeemer); nil leaves the code box off.
	sessions := app.NewSessionService(db, db, site, payments, nil)
	deps.Sessions = sessions
	// Pay-per-use (issue 7): departments and budgets, the estimate, paying
	// before the start and the true-up.
	deps.Budgets = &app.BudgetService{Site: site, Store: db, Sessions: db, Journal: db}
	deps.PayPerUse = &app.PayPerUseService{Site: site, Sessions: db, Store: db, Budgets: db, Payments: payments}
	// Promotional codes (issue 6): codes, recipients and sending (SMTP
	// password in the vault), and the redeemer behind the Payment
	// Information page's code box.
	promo := &app.PromoService{Store: db, Site: site, Sessions: db, Secrets: vault, Mailer: &appmail.Mailer{}}
	sessions.Promo = promo
	deps.Promo = promo
	return services{
		deps:     deps,
		payments: payments,
		registry: reg,
	}
}
