package ui

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	smtp "github.com/emersion/go-smtp"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/mail"
)

// newPromoSessionsEnv is a Polish site (PLN) with paid sessions and
// promotional codes enabled, the real services behind both, in language.
func newPromoSessionsEnv(t *testing.T, language string) (*sessionsEnv, *app.PromoService) {
	t.Helper()
	promo := &app.PromoService{}
	e := newSessionsEnv(t, language, true, promo)
	ctx := context.Background()
	promo.Store, promo.Site, promo.Sessions = e.db, e.payEnv.env.site, e.db
	promo.Secrets, promo.Mailer = &promoSecrets{m: map[string]string{}}, &outbox{}
	e.provision(app.FeaturePromoCodes)
	states, _ := e.db.Features(ctx)
	for i := range states {
		if states[i].Feature == app.FeaturePromoCodes {
			states[i].Enabled = true
		}
	}
	if err := e.db.SaveFeatures(ctx, states, nil); err != nil {
		t.Fatal(err)
	}
	e.deps.Promo = promo
	return e, promo
}

// Item: a code for chosen sessions is made by picking sessions from the
// sessions list (searched by topic, paged), and its pane names their topics.
func TestPromoCodeForChosenSessionsPickedFromTheList(t *testing.T) {
	e, _ := newPromoSessionsEnv(t, "en")
	excel := e.schedulePaid("Excel for accountants", 200_00, 10)
	word := e.schedulePaid("Word basics", 100_00, 10)
	e.schedulePaid("Excel pivot tables", 150_00, 10)
	s := newPromoScreen(e.deps, e.w, e.site())
	e.w.SetContent(s.root)
	test.Tap(s.custom)
	f := s.form
	f.code.SetText("CHOSEN-1")
	f.value.SetText("10")
	f.applies.SetSelected(T("promo.chosen_sessions"))
	test.Tap(f.submit)
	if !strings.Contains(f.errs[app.PromoFieldSessions].Text, "Choose at least one session") {
		t.Fatalf("no session chosen: %q", f.errs[app.PromoFieldSessions].Text)
	}
	p := f.sessions
	test.Tap(p.choose)
	if len(p.rows) != 3 {
		t.Fatalf("picker rows %d", len(p.rows))
	}
	test.Type(p.search, "excel")
	if len(p.rows) != 2 {
		t.Fatalf("search: %d rows", len(p.rows))
	}
	for _, r := range p.rows {
		if r.ID == excel.ID {
			p.toggle(r.ID, r.Topic, true)
		}
	}
	p.search.SetText("word")
	p.toggle(p.rows[0].ID, p.rows[0].Topic, true)
	p.onDone()
	if !strings.Contains(p.summary.Text, "Excel for accountants; Word basics") {
		t.Fatalf("summary %q", p.summary.Text)
	}
	test.Tap(f.submit)
	if f.msg.Text != "" || len(s.shown()) != 1 {
		t.Fatalf("form %q, %d codes", f.msg.Text, len(s.shown()))
	}
	c := s.shown()[0]
	if c.AllSessions || len(c.SessionIDs) != 2 || c.SessionIDs[0] != excel.ID || c.SessionIDs[1] != word.ID {
		t.Fatalf("code %+v", c)
	}
	s.list.Select(0)
	if !strings.Contains(s.info.Text, "Applies to: Excel for accountants; Word basics.") {
		t.Fatalf("detail %q", s.info.Text)
	}
	// The pane's Sessions… changes them; none chosen is all sessions again.
	test.Tap(s.sessions)
	s.picker.toggle(word.ID, "", false)
	s.picker.onDone()
	if got := s.shown()[0]; got.AllSessions || len(got.SessionIDs) != 1 || !strings.Contains(s.info.Text, "Applies to: Excel for accountants.") {
		t.Fatalf("after editing %+v %q", got, s.info.Text)
	}
	test.Tap(s.sessions)
	s.picker.toggle(excel.ID, "", false)
	s.picker.onDone()
	if !s.shown()[0].AllSessions || !strings.Contains(s.info.Text, "Applies to: all paid sessions.") {
		t.Fatalf("back to all %+v %q", s.shown()[0], s.info.Text)
	}
}

// The detail pane reads naturally in Polish: "Dotyczy: wszystkie płatne
// sesje" mid-sentence, no "z bez limitu".
func TestPolishPromoDetailReadsNaturally(t *testing.T) {
	e, _ := newPromoSessionsEnv(t, "pl")
	s := newPromoScreen(e.deps, e.w, e.site())
	e.w.SetContent(s.root)
	test.Tap(s.custom)
	s.form.code.SetText("WSZYSTKIE")
	s.form.value.SetText("10")
	s.form.usage.SetSelectedIndex(2)
	test.Tap(s.form.submit)
	s.list.Select(0)
	if !strings.Contains(s.info.Text, "Dotyczy: wszystkie płatne sesje.") || !strings.Contains(s.info.Text, "Użycia: 0 (bez limitu)") {
		t.Fatalf("detail %q", s.info.Text)
	}
	if strings.Contains(s.codeLine(s.shown()[0]), "/bez limitu") {
		t.Fatalf("line %q", s.codeLine(s.shown()[0]))
	}
	if !strings.Contains(s.reportNote.Text, "Przychód to kwota zapłacona") {
		t.Fatalf("note %q", s.reportNote.Text)
	}
}

func TestPromoTemplateEditor(t *testing.T) {
	e, _ := newPromoEnv(t, "en", true)
	promo := e.deps.Promo.(*app.PromoService)
	s, w := e.promoScreen()
	test.Tap(s.templateBtn)
	ed := s.template
	if ed == nil || ed.language() != "en" || ed.subj.Text != app.DefaultPromoMailTemplate("en").Subject {
		t.Fatalf("editor %+v", ed)
	}
	if !strings.Contains(ed.prev.Text, "To: Jane Smith <jane.smith@example.com>") || !strings.Contains(ed.prev.Text, "Dear Jane Smith,") ||
		!strings.Contains(ed.prev.Text, "SPRING-25") || !strings.Contains(ed.prev.Text, "all paid training sessions") {
		t.Fatalf("preview %q", ed.prev.Text)
	}
	// An unknown placeholder is reported while typing and blocks saving.
	ed.body.SetText("Hello %Name%, use %PromoCode% (%Discount% off).")
	if !strings.Contains(ed.msg.Text, "Unknown placeholders: %Name%") {
		t.Fatalf("message %q", ed.msg.Text)
	}
	test.Tap(ed.save)
	if got, _ := promo.Template(context.Background(), "en"); got.Body != app.DefaultPromoMailTemplate("en").Body {
		t.Fatal("saved with an unknown placeholder")
	}
	ed.body.SetText("Hello %AttendeeName%, use %PromoCode% (%Discount% off).")
	if ed.msg.Text != "" {
		t.Fatalf("still reported: %q", ed.msg.Text)
	}
	test.Tap(ed.save)
	if got, _ := promo.Template(context.Background(), "en"); got.Body != ed.body.Text {
		t.Fatalf("saved %+v: %q %q", got, ed.msg.Text, s.status.Text)
	}
	// Polish has its own template; English edits survive switching.
	ed.subj.SetText("Draft subject %PromoCode%")
	ed.lang.SetSelectedIndex(1)
	if ed.subj.Text != app.DefaultPromoMailTemplate("pl").Subject || !strings.Contains(ed.prev.Text, "Dzień dobry, Anna Kowalska!") {
		t.Fatalf("Polish %q / %q", ed.subj.Text, ed.prev.Text)
	}
	ed.lang.SetSelectedIndex(0)
	if ed.subj.Text != "Draft subject %PromoCode%" {
		t.Fatalf("draft lost: %q", ed.subj.Text)
	}
	// Reset asks first, then the built-in text is back and saved.
	test.Tap(ed.reset)
	if !containsText(screenTexts(w), "Replace the template in English with the built-in text?") {
		t.Fatalf("no question: %q", screenTexts(w))
	}
	ed.resetConfirm.Confirm()
	if ed.subj.Text != app.DefaultPromoMailTemplate("en").Subject || ed.body.Text != app.DefaultPromoMailTemplate("en").Body {
		t.Fatalf("after reset %q", ed.body.Text)
	}
	if got, _ := promo.Template(context.Background(), "en"); got != app.DefaultPromoMailTemplate("en") {
		t.Fatalf("stored after reset %+v", got)
	}
}

// smtpBox is a real SMTP server (emersion/go-smtp) on loopback.
type smtpBox struct {
	mu     sync.Mutex
	to     []string
	onData func(n int) // runs while message n (from 1) is in flight
}

func (b *smtpBox) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{box: b}, nil }

type smtpSession struct {
	box *smtpBox
	to  string
}

func (s *smtpSession) Reset()                                    {}
func (s *smtpSession) Logout() error                             { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *smtpSession) Data(r io.Reader) error {
	if _, err := io.ReadAll(r); err != nil {
		return err
	}
	s.box.mu.Lock()
	n, hook := len(s.box.to)+1, s.box.onData
	s.box.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.to = append(s.box.to, s.to)
	return nil
}

func startSMTP(t *testing.T, box *smtpBox) int {
	t.Helper()
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// Cancel next to the progress stops the run after the message in flight
// (through a real SMTP server on loopback); Send resumes with the unsent.
func TestPromoScreenCancelSendAndResume(t *testing.T) {
	e, _ := newPromoEnv(t, "en", true)
	box := &smtpBox{}
	port := startSMTP(t, box)
	ctx := context.Background()
	e.deps.Promo.(*app.PromoService).Mailer = &mail.Mailer{Timeout: 5 * time.Second}
	if err := e.db.SaveSMTPSettings(ctx, app.SMTPSettings{
		Host: "127.0.0.1", Port: port, TLS: app.SMTPTLSNone,
		Sender: "training@example.com",
	}, nil); err != nil {
		t.Fatal(err)
	}
	s, _ := e.promoScreen()
	test.Tap(s.custom)
	s.form.code.SetText("CANCEL-ME")
	s.form.value.SetText("10")
	test.Tap(s.form.submit)
	s.list.Select(0)
	var file strings.Builder
	for i := 0; i < 10; i++ {
		file.WriteString("person" + string(rune('a'+i)) + "@example.com\n")
	}
	s.previewImport(strings.NewReader(file.String()))
	s.preview.dlg.Confirm()
	if s.cancelSend.Visible() {
		t.Fatal("Cancel shown with no send running")
	}
	box.onData = func(n int) {
		if n == 4 {
			// The person presses Cancel while the 4th message is sent.
			if !s.cancelSend.Visible() || s.cancelSend.Disabled() {
				t.Error("no Cancel next to the progress")
			}
			test.Tap(s.cancelSend)
		}
	}
	test.Tap(s.send)
	if len(box.to) != 4 || !strings.Contains(s.sendStatus.Text, "Sending cancelled: 4 sent, 0 failed, 6 not sent yet") {
		t.Fatalf("delivered %d: %q", len(box.to), s.sendStatus.Text)
	}
	if s.cancelSend.Visible() || s.send.Disabled() {
		t.Fatal("the screen still looks busy")
	}
	box.onData = nil
	test.Tap(s.send)
	if len(box.to) != 10 || !strings.Contains(s.sendStatus.Text, "6 sent, 0 failed") {
		t.Fatalf("resumed %d: %q", len(box.to), s.sendStatus.Text)
	}
	seen := map[string]bool{}
	for _, to := range box.to {
		if seen[to] {
			t.Fatalf("%s got two messages", to)
		}
		seen[to] = true
	}
}

// Generating for an imported list offers one code per recipient: N is the
// list's length, and the batch is sent with each message carrying its own
// code.
func TestPromoScreenOneCodePerRecipient(t *testing.T) {
	e, box := newPromoEnv(t, "en", true)
	if err := e.db.SaveSMTPSettings(context.Background(), app.SMTPSettings{
		Host: "localhost", Port: 25, TLS: app.SMTPTLSNone,
		Sender: "a@example.com",
	}, nil); err != nil {
		t.Fatal(err)
	}
	s, _ := e.promoScreen()
	test.Tap(s.generate)
	f := s.form
	f.value.SetText("20")
	f.perRecipient.SetChecked(true) // asks for the list in a file dialog
	f.perRecipient.SetChecked(false)
	test.Tap(f.submit)
	if len(s.shown()) != 10 {
		t.Fatalf("plain generate: %d codes %q", len(s.shown()), f.msg.Text)
	}
	test.Tap(s.generate)
	f = s.form
	f.value.SetText("20")
	s.formRecipients(f, strings.NewReader("ala@example.com,Ala\nnot-an-email\nola@example.com\njan@example.com,Jan\n"))
	f.perRecipient.SetChecked(true)
	if f.quantity.Text != "3" || !f.quantity.Disabled() || !strings.Contains(f.recipInfo.Text, "Lines skipped: 1. Line 2: not an email address") {
		t.Fatalf("quantity %q, info %q", f.quantity.Text, f.recipInfo.Text)
	}
	test.Tap(f.submit)
	if f.msg.Text != "" || len(s.shown()) != 13 || len(s.batch) != 3 || !strings.Contains(s.status.Text, "one for each recipient: 3") {
		t.Fatalf("%q, %d codes, batch %v, %q", f.msg.Text, len(s.shown()), s.batch, s.status.Text)
	}
	if !s.sendBatch.Visible() || s.sendBatch.Text != "Send the batch (3 codes)" || len(s.recipients) != 1 {
		t.Fatalf("batch button %v %q, recipients %+v", s.sendBatch.Visible(), s.sendBatch.Text, s.recipients)
	}
	test.Tap(s.sendBatch)
	if len(box.sent) != 3 || !strings.Contains(s.sendStatus.Text, "3 sent, 0 failed") {
		t.Fatalf("sent %d: %q", len(box.sent), s.sendStatus.Text)
	}
	codes := map[string]bool{}
	for i, m := range box.sent {
		rs, _ := e.db.PromoRecipients(context.Background(), s.batch[i])
		c, err := e.deps.Promo.(*app.PromoService).Code(context.Background(), s.batch[i])
		if err != nil || len(rs) != 1 || m.To != rs[0].Email || !strings.Contains(m.Body, c.Code) || codes[c.Code] {
			t.Fatalf("message %d to %s: %v %+v\n%s", i, m.To, err, rs, m.Body)
		}
		codes[c.Code] = true
	}
}
