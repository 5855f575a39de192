package ui

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// promoSecrets is an in-memory SecretStore for the SMTP password.
type promoSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *promoSecrets) Set(n, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[n] = v
	return nil
}

func (s *promoSecrets) Get(n string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[n]; ok {
		return v, nil
	}
	return "", app.Errorf(app.ENOTFOUND, "error.secret.not_found", "no secret")
}
func (s *promoSecrets) Delete(n string) error { delete(s.m, n); return nil }

// outbox records what the screens send (the real SMTP path is tested in
// app/mail against a loopback server).
type outbox struct {
	mu       sync.Mutex
	password string
	sent     []app.MailMessage
}

func (o *outbox) Open(_ context.Context, _ app.SMTPSettings, password string) (app.MailSession, error) {
	o.mu.Lock()
	o.password = password
	o.mu.Unlock()
	return o, nil
}

func (o *outbox) Send(_ context.Context, m app.MailMessage) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}
func (o *outbox) Close() error { return nil }

// newPromoEnv is a Polish site with promotional codes enabled (or only
// provisioned when enable is false).
func newPromoEnv(t *testing.T, language string, enable bool) (*env, *outbox) {
	t.Helper()
	e := newEnv(t, language)
	SetLanguage(language)
	e.setUp("PL", "PLN", "Europe/Warsaw")
	e.provision(app.FeaturePromoCodes)
	if enable {
		a, err := e.site.Unlock(context.Background(), testPassphrase)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.site.SetFeatureEnabled(context.Background(), a, app.FeaturePromoCodes, true); err != nil {
			t.Fatal(err)
		}
	}
	box := &outbox{}
	e.deps.Promo = &app.PromoService{
		Store: e.db, Site: e.site, Sessions: e.db,
		Secrets: &promoSecrets{m: map[string]string{}}, Mailer: box,
	}
	return e, box
}

func (e *env) promoScreen() (*promoScreen, fyne.Window) {
	site, err := e.site.Site(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	w := test.NewTempWindow(e.t, nil)
	w.Resize(fyne.NewSize(1100, 800))
	s := newPromoScreen(e.deps, w, site)
	w.SetContent(s.root)
	return s, w
}

// Acceptance 5 (the part on this side of the Payment Information page):
// the screen generates 20 codes.
func TestPromoScreenGeneratesTwentyCodes(t *testing.T) {
	e, _ := newPromoEnv(t, "en", true)
	s, w := e.promoScreen()
	test.Tap(s.generate)
	f := s.form
	if f == nil {
		t.Fatalf("no form: %q", screenTexts(w))
	}
	f.quantity.SetText("20")
	f.length.SetText("6")
	test.Type(f.value, "15")
	test.Tap(f.submit)
	if f.msg.Text != "" {
		t.Fatalf("form: %q", f.msg.Text)
	}
	if len(s.shown()) != 20 || !strings.Contains(s.status.Text, "20") {
		t.Fatalf("%d codes, %q", len(s.shown()), s.status.Text)
	}
	for _, c := range s.shown() {
		if len(c.Code) != 6 || c.PercentBP != 1500 || c.UseLimit != 1 || c.PerAttendeeLimit != 1 || !c.AllSessions {
			t.Fatalf("code %+v", c)
		}
	}
	// The list shows them, and a selected one shows its pane.
	s.list.Select(0)
	if !strings.Contains(s.info.Text, s.shown()[0].Code) || !strings.Contains(s.info.Text, "15%") {
		t.Fatalf("detail %q", s.info.Text)
	}
	var b bytes.Buffer
	if err := s.writeCodes(&b); err != nil || strings.Count(b.String(), "\n") != 21 {
		t.Fatalf("export: %v\n%s", err, b.String())
	}
}

func TestPromoScreenCustomCodeAndEdits(t *testing.T) {
	e, _ := newPromoEnv(t, "en", true)
	s, _ := e.promoScreen()
	test.Tap(s.custom)
	f := s.form
	test.Type(f.code, "abc")
	test.Type(f.value, "15")
	test.Tap(f.submit)
	if !strings.Contains(f.errs[app.PromoFieldCode].Text, "5 to 32 characters") {
		t.Fatalf("short code: %q", f.errs[app.PromoFieldCode].Text)
	}
	f.code.SetText(" spring-25 ")
	f.kind.SetSelected(f.kind.Options[1])
	f.value.SetText("12.50")
	f.usage.SetSelectedIndex(1)
	f.usageN.SetText("3")
	test.Tap(f.submit)
	if len(s.shown()) != 1 || s.shown()[0].Code != "SPRING-25" || s.shown()[0].FixedMinor != 1250 || s.shown()[0].UseLimit != 3 {
		t.Fatalf("codes %+v (%q)", s.shown(), f.msg.Text)
	}
	s.list.Select(0)
	s.applyLimits("5", "2")
	if s.shown()[0].UseLimit != 5 || s.shown()[0].PerAttendeeLimit != 2 {
		t.Fatalf("limits %+v: %q", s.shown()[0], s.status.Text)
	}
	s.applyExpiry("2031-12-31")
	if got := app.ExpiryText(s.shown()[0], "Europe/Warsaw", "en"); got != "2031-12-31" {
		t.Fatalf("expiry %s: %q", got, s.status.Text)
	}
	test.Tap(s.disable)
	if !s.shown()[0].Disabled || s.disable.Text != "Enable" {
		t.Fatalf("disable: %+v", s.shown()[0])
	}
	// Recipients: typed, then a file with a bad line previewed first.
	s.email.SetText("Ola@Example.pl")
	test.Tap(s.add)
	s.previewImport(strings.NewReader("jan@example.pl,Jan Kowalski\nnot-an-email\nola@example.pl\n"))
	p := s.preview
	if p == nil || len(p.lines) != 1 || !strings.HasPrefix(p.lines[0], "Line 2: not an email address") {
		t.Fatalf("preview %+v", p)
	}
	if len(s.recipients) != 1 {
		t.Fatalf("imported before confirming: %d", len(s.recipients))
	}
	p.dlg.Confirm()
	if len(s.recipients) != 2 || s.recipients[0].Name != "ola" {
		t.Fatalf("recipients %+v", s.recipients)
	}
}

func TestPromoScreenSendsWithProgress(t *testing.T) {
	e, box := newPromoEnv(t, "en", true)
	ctx := context.Background()
	if err := e.db.SaveSMTPSettings(ctx, app.SMTPSettings{Host: "localhost", Port: 25, TLS: app.SMTPTLSNone, Sender: "a@example.com"}, nil); err != nil {
		t.Fatal(err)
	}
	s, _ := e.promoScreen()
	test.Tap(s.custom)
	s.form.code.SetText("SEND-ME")
	s.form.value.SetText("10")
	test.Tap(s.form.submit)
	s.list.Select(0)
	s.previewImport(strings.NewReader("a@example.com,Anna\nb@example.com\n"))
	s.preview.dlg.Confirm()
	s.sendLang.SetSelectedIndex(0)
	test.Tap(s.send)
	if len(box.sent) != 2 || !strings.Contains(s.sendStatus.Text, "2 sent, 0 failed") {
		t.Fatalf("sent %d: %q", len(box.sent), s.sendStatus.Text)
	}
	if !strings.Contains(box.sent[0].Body, "Anna") || !strings.Contains(box.sent[1].Body, "Dear b,") {
		t.Fatalf("bodies %q / %q", box.sent[0].Body, box.sent[1].Body)
	}
	if !strings.Contains(s.recipientLine(s.recipients[0]), "sent") {
		t.Fatalf("line %q", s.recipientLine(s.recipients[0]))
	}
}

func TestPromoScreenNeedsTheFeature(t *testing.T) {
	e, _ := newPromoEnv(t, "en", false)
	_, w := e.promoScreen()
	if !containsText(screenTexts(w), "Contact your site administrator") {
		t.Fatalf("%q", screenTexts(w))
	}
}

func TestSMTPTabSavesAndSendsATestMessage(t *testing.T) {
	e, box := newPromoEnv(t, "en", true)
	m := NewMainWindow(e.app, e.deps)
	m.Open(SectionAdmin)
	m.admin.pass.SetText(testPassphrase)
	test.Tap(m.admin.unlockBtn)
	adm := m.admin
	for i, it := range adm.tabs.Items {
		if it.Text == "Outgoing mail" {
			adm.tabs.SelectIndex(i)
		}
	}
	st := adm.smtp
	st.host.SetText("smtp.example.com")
	st.port.SetText("587")
	st.user.SetText("mailer")
	st.password.SetText("s3cret-smtp")
	st.sender.SetText("Training@Example.com")
	test.Tap(st.save)
	if adm.statusMsg.Text != "Mail settings saved." {
		t.Fatalf("save: %q", adm.statusMsg.Text)
	}
	set, err := e.db.SMTPSettings(context.Background())
	if err != nil || set.TLS != app.SMTPStartTLS || set.Sender != "training@example.com" {
		t.Fatalf("%+v %v", set, err)
	}
	st.testTo.SetText("admin@example.com")
	test.Tap(st.test)
	if len(box.sent) != 1 || box.password != "s3cret-smtp" || !strings.Contains(adm.statusMsg.Text, "admin@example.com") {
		t.Fatalf("test message: %d %q", len(box.sent), adm.statusMsg.Text)
	}
	log, _, _ := e.db.AuditLog(context.Background(), 0, 50)
	for _, l := range log {
		if strings.Contains(l.Old+l.New, "s3cret") {
			t.Fatal("the password reached the audit log")
		}
	}
}

// TestPolishPromoScreens walks the promotional-code screens in Polish.
func TestPolishPromoScreens(t *testing.T) {
	e, _ := newPromoEnv(t, "pl", true)
	frags := englishFragments(t)
	s, w := e.promoScreen()
	assertPolish(t, "promo codes, empty", w, frags)
	test.Tap(s.generate)
	assertPolish(t, "generate form", w, frags)
	s.form.value.SetText("33,33")
	test.Tap(s.form.submit)
	assertPolish(t, "after generating", w, frags)
	if len(s.shown()) != 10 || s.shown()[0].PercentBP != 3333 {
		t.Fatalf("codes %d: %q", len(s.shown()), s.status.Text)
	}
	s.list.Select(0)
	assertPolish(t, "code detail", w, frags)
	if !strings.Contains(s.info.Text, "33,33%") {
		t.Fatalf("detail %q", s.info.Text)
	}
	s.previewImport(strings.NewReader("zly-adres\nola@example.pl;Ola\n"))
	assertPolish(t, "import preview", w, frags)
	if !strings.HasPrefix(s.preview.lines[0], "Wiersz 1: to nie jest adres e-mail") {
		t.Fatalf("preview %q", s.preview.lines)
	}
	s.preview.dlg.Confirm()
	test.Tap(s.send)
	assertPolish(t, "send without SMTP", w, frags)
	if !strings.Contains(s.sendStatus.Text, "administratorem witryny") {
		t.Fatalf("send: %q", s.sendStatus.Text)
	}
	test.Tap(s.remove)
	assertPolish(t, "delete confirmation", w, frags)

	m := NewMainWindow(e.app, e.deps)
	m.Open(SectionPromo)
	assertPolish(t, "promo section", m.Window(), frags)
	m.Open(SectionAdmin)
	m.admin.pass.SetText(testPassphrase)
	test.Tap(m.admin.unlockBtn)
	for i, it := range m.admin.tabs.Items {
		if it.Text == "Poczta wychodząca" {
			m.admin.tabs.SelectIndex(i)
			assertPolish(t, "SMTP tab", m.Window(), frags)
			test.Tap(m.admin.smtp.save)
			assertPolish(t, "SMTP tab, invalid", m.Window(), frags)
			return
		}
	}
	t.Fatal("no SMTP tab")
}

// shown is the codes the list holds, in list order: every code while they
// fit in the pages the screen keeps.
func (s *promoScreen) shown() []app.PromoCode { return s.list.Shown() }
