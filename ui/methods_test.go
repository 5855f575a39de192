package ui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	"github.com/trainpay/trainpay/storage/secrets"
)

// adminEnv is a set-up UK site with every service wired as main does, and
// no keychain: credentials go to the passphrase-encrypted file.
type adminEnv struct {
	*env
	m       *MainWindow
	secrets string
	reg     *registry.Registry
}

func newAdminEnv(t *testing.T) *adminEnv { return newAdminEnvIn(t, "en") }

func newAdminEnvIn(t *testing.T, language string) *adminEnv {
	t.Helper()
	return newSiteAdminEnv(t, language, "GB", "GBP", "Europe/London")
}

// newSiteAdminEnv is a set-up site in any country, wired as main does,
// with Site administration open.
func newSiteAdminEnv(t *testing.T, language, country, cur, tz string) *adminEnv {
	t.Helper()
	keyring.MockInitWithError(errors.New("no Secret Service on this machine"))
	e := newEnv(t, language)
	dir := filepath.Dir(e.db.Path())
	secretsPath := filepath.Join(dir, "trainpay.secrets")
	vault := secrets.New(secrets.Options{
		Service: "TrainPay:ui-test", FallbackPath: secretsPath,
		KDF: app.Argon2Params{Memory: 64, Time: 1, Threads: 1},
	})
	e.site.AfterUnlock = vault.Unlock
	reg := &registry.Registry{Sites: e.db, Settings: e.db, Secrets: vault, SandboxLedger: filepath.Join(dir, "trainpay.sandbox.json")}
	t.Cleanup(func() { reg.Close() })
	e.deps.Payments = app.NewPaymentService(e.db, reg, nil)
	e.deps.Merchant = &app.MerchantService{Sites: e.db, Admins: e.site, Settings: e.db, Secrets: vault, Tester: reg}
	e.setUp(country, cur, tz)
	m := NewMainWindow(e.app, e.deps)
	m.Open(SectionAdmin)
	m.admin.pass.SetText(testPassphrase)
	test.Tap(m.admin.unlockBtn)
	if m.admin.admin == nil {
		t.Fatalf("unlock: %q", m.admin.unlockMsg.Text)
	}
	return &adminEnv{env: e, m: m, secrets: secretsPath, reg: reg}
}

func (a *adminEnv) tab(name string) {
	for i, it := range a.m.admin.tabs.Items {
		if it.Text == name {
			a.m.admin.tabs.SelectIndex(i)
			return
		}
	}
	a.t.Fatalf("no tab %q", name)
}

// A US site is offered neither Website Payments Pro (UK) processor, and
// no note warns about what it was never offered; Express Checkout is.
func TestPaymentMethodsOfferWhatTheSiteMayUse(t *testing.T) {
	a := newSiteAdminEnv(t, "en", "US", "USD", "America/New_York")
	a.tab("Payment methods")
	mt := a.m.admin.methods
	if got, want := mt.processor.Options, []string{processorName(""), processorName(app.ProcessorPayflow)}; !slices.Equal(got, want) {
		t.Fatalf("a US site's processors: %q, want %q", got, want)
	}
	if mt.procNote.Visible() || mt.expNote.Visible() {
		t.Fatalf("warnings shown: %q / %q", mt.procNote.Text, mt.expNote.Text)
	}
	if !mt.express.Visible() || mt.express.Disabled() {
		t.Fatalf("Express Checkout not offered to a US site in USD")
	}
	mt.processor.SetSelected(processorName(app.ProcessorPayflow))
	if mt.selected() != app.ProcessorPayflow {
		t.Fatalf("selected %q", mt.selected())
	}
}

func TestPaymentMethodsKeepCredentialsOutOfTheDatabase(t *testing.T) {
	a := newAdminEnv(t)
	adm := a.m.admin
	a.tab("Payment methods")
	mt := adm.methods
	if mt.procNote.Visible() {
		t.Fatalf("a UK site in GBP may use Website Payments Pro (UK): %q", mt.procNote.Text)
	}
	// Offered only what the site's country and currency allow: no Express
	// Checkout for a UK site, no note warning about it either.
	if mt.express.Visible() || mt.expNote.Visible() {
		t.Fatalf("Express Checkout offered to a UK site: %v, note %q", mt.express.Visible(), mt.expNote.Text)
	}
	if got, want := mt.processor.Options, []string{
		processorName(""), processorName(app.ProcessorPayflow),
		processorName(app.ProcessorWPPUKPayflow), processorName(app.ProcessorWPPUKNVP),
	}; !slices.Equal(got, want) {
		t.Fatalf("a UK site's processors: %q, want %q", got, want)
	}
	mt.processor.SetSelected(processorName(app.ProcessorWPPUKNVP))
	test.Tap(mt.credit)
	test.Tap(mt.save)
	if s, _ := a.deps.Merchant.PaymentSettings(context.Background()); s.Processor != app.ProcessorWPPUKNVP || !s.CreditCards {
		t.Fatalf("settings = %+v (%q)", s, adm.statusMsg.Text)
	}
	if mt.credsStatus.Text != "No credentials are stored yet." {
		t.Fatalf("status: %q", mt.credsStatus.Text)
	}
	const (
		apiPassword = "QFZCWN5HZM8VBG7Q"
		signature   = "A-IzJhZZjhg29XQ2qnhapuwxIDzyAZQ92FRP5dqBzVesOkzbdUONzmOU"
	)
	test.Type(mt.apiUser, "sdk-three_api1.sdk.com")
	test.Type(mt.apiPassword, apiPassword)
	test.Type(mt.signature, signature)
	test.Tap(mt.saveCreds)
	if adm.statusMsg.Text != "Credentials saved securely." || mt.apiPassword.Text != "" || mt.signature.Text != "" {
		t.Fatalf("after saving: %q, password box %q", adm.statusMsg.Text, mt.apiPassword.Text)
	}
	if mt.credsStatus.Text != "Credentials are stored securely. Type new ones to replace them." {
		t.Fatalf("status: %q", mt.credsStatus.Text)
	}
	test.Tap(mt.testConn)
	if mt.testResult.Text != "Connection works: the processor accepted the credentials." {
		t.Fatalf("Test connection (Test mode, sandbox): %q", mt.testResult.Text)
	}

	// The secrets are in the encrypted file only: not in the database, its
	// WAL, the preferences or the audit log.
	for _, f := range []string{a.db.Path(), a.db.Path() + "-wal", a.secrets} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{apiPassword, signature} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Fatalf("%s holds a merchant secret in clear", filepath.Base(f))
			}
		}
	}
	prefs := string(dumpPreferences(a.app.Preferences()))
	if strings.Contains(prefs, apiPassword) || strings.Contains(prefs, signature) || strings.Contains(prefs, "sdk-three") {
		t.Fatalf("preferences hold credentials: %s", prefs)
	}
	a.tab("Audit log")
	if !containsText(screenTexts(a.m.Window()), "Credentials of PayPal Website Payments Pro (UK), API signature changed") {
		t.Fatalf("audit: %q", screenTexts(a.m.Window()))
	}
}

func TestPaymentsPageTestPaymentAndRefund(t *testing.T) {
	a := newAdminEnv(t)
	ctx := context.Background()
	if err := a.deps.Merchant.SavePaymentSettings(ctx, a.m.admin.admin,
		app.PaymentSettings{Processor: app.ProcessorWPPUKPayflow, CreditCards: true}); err != nil {
		t.Fatal(err)
	}
	a.tab("Payments")
	p := a.m.admin.payments
	test.Tap(p.testPay)
	w := a.m.Window()
	d := p.dialog
	if d == nil {
		t.Fatalf("no card dialog: %q", a.m.admin.statusMsg.Text)
	}
	typeInto(w, d.Widgets().Holder, "Alex Morgan")
	fillCard(w, d, "5555555555554444", "737")
	test.Tap(findButton(w, "Pay £1.00"))
	if !containsText(screenTexts(w), "Paid £1.00 with Mastercard •••• 4444.") {
		t.Fatalf("result: %q", screenTexts(w))
	}
	test.Tap(findButton(w, "Close"))
	if len(p.rows) != 1 || p.rows[0].State != app.StateApproved || p.rows[0].Purpose != app.PurposeTestPayment {
		t.Fatalf("journal page: %+v", p.rows)
	}
	p.list.Select(0)
	if p.refund.Disabled() {
		t.Fatal("a charged sale can be refunded")
	}
	test.Tap(p.refund)
	test.Tap(findButton(w, "Refund"))
	if len(p.rows) != 2 || p.rows[0].Kind != app.KindRefund || p.rows[0].State != app.StateApproved {
		t.Fatalf("after the refund: %+v", p.rows)
	}
	sb, _ := a.reg.Sandbox(ctx)
	if l := sb.Ledger(); len(l) != 2 {
		t.Fatalf("sandbox ledger: %+v", l)
	}
	test.Tap(p.reconcile)
	if p.report.Text != "Checked 0 open payments: 0 went through, 0 did not, 0 still unknown, 0 need review." || !p.report.Visible() {
		t.Fatalf("reconcile: %q", p.report.Text)
	}
}
