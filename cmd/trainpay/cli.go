package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"github.com/spf13/pflag"

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

const helpIntro = `TrainPay: charge for training sessions and pay for them.

Usage:
`

const helpOutro = `
Flags may come before or after the command's name. Write them --name VALUE or
--name=VALUE; a switch such as --revoke or --force takes no value of its own
(--revoke=false, never --revoke false). Unknown flags and stray words are
refused (exit 2).

The provision command is for the vendor's account manager. It works on a new
database before the first run, too.
`

// commands are every command trainpay has, in the order of the help; the
// first is the app itself. (Set in init: the help command prints them.)
var commands []command

func init() {
	commands = []command{
		{name: "", usage: `  trainpay [--db PATH|URL]        open the app (default database: {default-db});
                                  URL is the organisation database's
                                  postgres://user@host:port/database?sslmode=...;
                                  without --db, TRAINPAY_DB names it
`, define: func(fs *pflag.FlagSet) func(*invocation) int {
			return func(c *invocation) int { return runGUI(c.db, c.dbGiven, c.stderr) }
		}},
		{name: "provision", usage: `  trainpay provision --features LIST [--revoke] [--db PATH]
                                  provision (or revoke) e-commerce features for the
                                  site; LIST is a comma-separated list of
                                  paid-sessions, promo-codes, pay-per-use
`, define: defineProvision},
		{name: "estimate", usage: `  trainpay estimate --duration 90m --computers N [--teleconference N] [--csv] [--db PATH]
                                  print a pay-per-use session's estimated cost with
                                  the site's rates
`, define: defineEstimate},
		{name: "demo-data", usage: demoDataUsage, define: defineDemoData},
		{name: "migrate", noDB: true, usage: migrateUsage, define: defineMigrate},
		{name: "screens", usage: screensUsage, define: defineScreens},
		{name: "help", noDB: true, usage: `  trainpay --help                 show this help
`, define: func(fs *pflag.FlagSet) func(*invocation) int {
			return func(c *invocation) int {
				fmt.Fprint(c.stdout, helpText(c.defaultDB))
				return 0
			}
		}},
	}
	// The people commands, two words each, before help.
	commands = slices.Insert(commands, len(commands)-1, peopleCommands()...)
}

// run parses the command line and runs the app or a subcommand; it returns
// the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	c := &invocation{stdout: stdout, stderr: stderr, name: "trainpay"}
	if path, err := storage.DefaultPath(); err == nil {
		c.defaultDB = path
	}
	at := commandWord(args)
	if at < 0 {
		return c.run(commands[0], args)
	}
	for _, cmd := range commands[1:] {
		if cmd.name == args[at] {
			rest := append(append([]string{}, args[:at]...), args[at+1:]...)
			return c.run(cmd, rest)
		}
		// A command of two words ("people add"): the second follows the
		// first at once.
		if first, second, two := strings.Cut(cmd.name, " "); two && first == args[at] &&
			at+1 < len(args) && args[at+1] == second {
			rest := append(append([]string{}, args[:at]...), args[at+2:]...)
			return c.run(cmd, rest)
		}
	}
	fmt.Fprintf(stderr, "trainpay: unknown command %q\n\n", args[at])
	fmt.Fprint(stderr, helpText(c.defaultDB))
	return 2
}

func defineProvision(fs *pflag.FlagSet) func(*invocation) int {
	list := fs.String("features", "", "comma-separated: paid-sessions, promo-codes, pay-per-use")
	revoke := fs.Bool("revoke", false, "revoke the features instead (this also disables them)")
	return func(c *invocation) int { return runProvision(c, *list, *revoke) }
}

func runProvision(c *invocation, list string, revoke bool) int {
	stdout, stderr := c.stdout, c.stderr
	var features []app.Feature
	for _, name := range strings.Split(list, ",") {
		if strings.TrimSpace(name) == "" {
			continue
		}
		f, err := app.ParseFeature(name)
		if err != nil {
			return c.fail("%v", err)
		}
		features = append(features, f)
	}
	if len(features) == 0 {
		return c.fail("name the features with --features, e.g. --features paid-sessions,promo-codes")
	}
	db, err := openDatabase(context.Background(), c.db)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay provision: %v\n", err)
		return 1
	}
	defer db.close()
	states, err := app.NewSiteService(db.store).Provision(context.Background(), features, revoke)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay provision: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Features of %s:\n", db.display)
	for _, st := range states {
		fmt.Fprintf(stdout, "  %-14s provisioned: %-5t enabled: %t\n", st.Feature, st.Provisioned, st.Enabled)
	}
	return 0
}

// guiDatabase is the database the app opens: the one given with --db or
// TRAINPAY_DB, else the one chosen in Preferences (a file, or the
// organisation database, whose remembered password is added), else the
// default (dbPath).
func guiDatabase(dbPath string, dbGiven bool, s ui.Settings) (path string, fromPreferences bool) {
	if !dbGiven {
		if chosen := s.DatabasePath(); chosen != "" {
			return chosen, true
		}
	}
	return dbPath, false
}

func runGUI(dbPath string, dbGiven bool, stderr io.Writer) int {
	log.SetOutput(stderr)
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	// Without --db, Preferences may name the database to open, so the app
	// comes first; with --db it comes once the database is open (a refused
	// file then starts none of Fyne's watchers).
	var a fyne.App
	path, fromPrefs := dbPath, false
	if !dbGiven {
		a = fyneapp.NewWithID(AppID)
		path, fromPrefs = guiDatabase(dbPath, dbGiven, ui.NewSettings(a.Preferences()))
	}
	spec := path
	if isOrgURL(path) {
		spec = withRememberedPassword(path)
	}
	db, err := openDatabase(context.Background(), spec)
	if err != nil && fromPrefs && !isOrgURL(path) {
		// The file chosen in Preferences is gone or unreadable: say so and
		// open the default one, whose path Preferences then shows. (An
		// organisation database that cannot be opened is never swapped for
		// a file silently: payments would go to the wrong place.)
		logger.Error("the database chosen in Preferences cannot be opened; opening the default one",
			"chosen", path, "default", dbPath, "err", err)
		db, err = openDatabase(context.Background(), dbPath)
		path = dbPath
	}
	if a == nil && err == nil {
		a = fyneapp.NewWithID(AppID)
	}
	if a != nil {
		a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	}
	// The window is made before the watchers start and the wizard can
	// open an organisation database only once it is up; both are touched
	// on the UI thread only.
	var w *ui.MainWindow
	watch, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	started := func(svc *services) {
		settleLeftOpen(svc, logger)
		go pollInvoices(watch, svc.invoices, logger)
		if svc.health == nil {
			return
		}
		svc.health.onChange = func(reachable bool) {
			fyne.Do(func() {
				if w != nil {
					w.SetDatabaseReachable(reachable)
				}
			})
		}
		go svc.health.run(watch)
	}
	connector := &orgConnector{logger: logger, onOpen: started}
	defer connector.closeAll()

	if err != nil && fromPrefs && isOrgURL(path) {
		// The organisation database chosen in Preferences cannot be opened
		// (its password is not in the keychain, its server is away): ask
		// again, with the reason, rather than swap in a file.
		logger.Error("open the organisation database", "db", redactDB(path), "err", err)
		c, _ := ui.ParseOrgConnection(path)
		cw := ui.NewConnectWindow(a, ui.Deps{Databases: connector}, c, err, func(deps ui.Deps, _ ui.OrgConnection) {
			w = ui.NewMainWindow(a, deps)
			w.Window().Show()
		})
		cw.Window().ShowAndRun()
		return 0
	}
	if err != nil {
		// Said in the user's language where we can: the window is not up
		// yet, so the terminal gets it.
		ui.SetLanguage("")
		fmt.Fprintf(stderr, "trainpay: %s\n", ui.ErrorText(err))
		logger.Error("open the database", "db", redactDB(path), "err", err)
		return 1
	}
	defer db.close()
	svc := newServices(db, logger)
	defer svc.registry.Close()
	defer svc.stopChanges()
	svc.deps.Databases = connector
	w = ui.NewMainWindow(a, svc.deps)
	started(&svc)
	w.Window().ShowAndRun()
	return 0
}

// settleLeftOpen settles, off the UI thread, any payment a previous run
// left open in svc's database.
func settleLeftOpen(svc *services, logger *slog.Logger) {
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
}

// services are the domain services of one database.
type services struct {
	deps     ui.Deps
	payments *app.PaymentService
	registry *registry.Registry
	// health watches the organisation database; nil for a file.
	health *healthWatcher
	// stopChanges stops the change feed (deps.Changes), before the
	// database closes.
	stopChanges func()
	// invoices sends and polls PayPal invoices (cmd/trainpay/invoice.go).
	invoices *app.InvoiceService
}

// newServices wires the domain to a store (a file or the organisation
// database), the credential vault and the gateways. For the organisation
// database it adds the health watcher, the gate that refuses payments
// while the database cannot be reached, and the cache of the last rates
// read.
func newServices(opened *database, logger *slog.Logger) services {
	vault := secrets.New(secrets.Options{Service: opened.vaultService, FallbackPath: opened.secretsPath})
	var db app.Store = opened.store
	var health *healthWatcher
	if opened.ping != nil {
		health = newHealthWatcher(opened.ping, logger)
		db = &offlineStore{Store: db, health: health, rates: ratesCache{path: opened.ratesCache}, logger: logger}
	}
	site := app.NewSiteService(db)
	site.AfterUnlock = vault.Unlock
	site.BeforePassphraseChange = vault.Rekey
	site.AfterPassphraseChangeFailed = func(old, new string) {
		if err := vault.Rekey(new, old); err != nil {
			logger.Error("restoring the credentials file's passphrase", "err", err)
		}
	}
	reg := &registry.Registry{Sites: db, Settings: db, Secrets: vault, SandboxLedger: opened.sandboxLedger}
	payments := app.NewPaymentService(db, reg, logger)
	merchant := &app.MerchantService{Sites: db, Admins: site, Settings: db, Secrets: vault, Tester: reg}
	deps := ui.Deps{
		Site: site, Payments: payments, Merchant: merchant, Database: opened.display,
		OnOrganisation: opened.ping != nil, SharedFile: opened.shared,
	}
	changes, stopChanges := watchChanges(opened, logger)
	deps.Changes = changes
	// Feature services: each feature wires its own here, each built
	// complete: what a service uses is built before it.
	// Promotional codes: codes, recipients and sending (SMTP password in
	// the vault), and the redeemer behind the Payment Information page's
	// code box.
	promo := &app.PromoService{Store: db, Site: site, Sessions: db, Secrets: vault, Mailer: &appmail.Mailer{}}
	deps.Promo = promo
	// Paid training sessions, redeeming promotional codes through promo.
	sessions := app.NewSessionService(db, db, site, payments, promo)
	deps.Sessions = sessions
	// The accounting export, per session and site-wide (File → Export…).
	deps.Export = app.RegistrationExporter{Store: db}
	// Pay-per-use: departments and budgets, the estimate, paying before
	// the start and the true-up.
	deps.Budgets = &app.BudgetService{Site: site, Store: db, Sessions: db, Journal: db}
	payPerUse := &app.PayPerUseService{Site: site, Sessions: db, Store: db, Budgets: db, Payments: payments}
	deps.PayPerUse = payPerUse
	// The budget owner's "To pay" queue; who is signed in is the
	// database's to say (app.PeopleStore.Me).
	deps.Queue = &app.QueueService{People: db, PayPerUse: payPerUse, Store: db, Payments: payments}
	// People and roles: the organisation database's logins (a file has one
	// person, and no People tab).
	if people, ok := opened.store.(app.PeopleAdminStore); ok {
		deps.People = &app.PeopleService{Store: people, Gate: site}
	}
	// PayPal invoices: the attendee pays online; polled while the app runs.
	invoices := newInvoiceService(db, reg, vault, deps, logger)
	deps.Invoices = invoices
	return services{
		invoices:    invoices,
		deps:        deps,
		payments:    payments,
		registry:    reg,
		health:      health,
		stopChanges: stopChanges,
	}
}
