package mail_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/mail"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/storage"
)

// delivered is what the loopback server accepted.
type delivered struct {
	mu   sync.Mutex
	msgs []message
	// onData, when set, runs while the server is receiving a message (the
	// message in flight), before it is accepted; n counts from 1.
	onData func(n int)
}

type message struct {
	from string
	to   []string
	data string
}

type backend struct{ box *delivered }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b.box}, nil }

type session struct {
	box  *delivered
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "bounce") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	n, hook := len(s.box.msgs)+1, s.box.onData
	s.box.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, message{from: s.from, to: s.to, data: string(b)})
	return nil
}

// startServer runs a real SMTP server (emersion/go-smtp) on loopback.
func startServer(t *testing.T, box *delivered) (port int, stop func()) {
	t.Helper()
	srv := smtp.NewServer(backend{box: box})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	var once sync.Once
	stop = func() { once.Do(func() { srv.Close() }) }
	t.Cleanup(stop)
	return l.Addr().(*net.TCPAddr).Port, stop
}

// site is enough of app.PromoSite for sending.
// site is a fixed site; the administrator's handles are checked by a real
// SiteService on the test's database, which issues them.
type site struct{ admins *app.SiteService }

func (site) Site(context.Context) (app.Site, error) {
	return app.Site{Name: "Acme", Currency: "PLN", TimeZone: "Europe/Warsaw", Language: "pl"}, nil
}
func (site) RequireFeature(context.Context, app.Feature) error { return nil }
func (s site) RequireAdmin(a *app.Admin) error                 { return s.admins.RequireAdmin(a) }

type secrets map[string]string

func (s secrets) Set(n, v string) error { s[n] = v; return nil }
func (s secrets) Get(n string) (string, error) {
	if v, ok := s[n]; ok {
		return v, nil
	}
	return "", app.Errorf(app.ENOTFOUND, "error.secret.not_found", "no secret")
}
func (s secrets) Delete(n string) error { delete(s, n); return nil }

func newService(t *testing.T, port int) (*app.PromoService, *storage.DB, app.PromoCode) {
	t.Helper()
	db, _ := testsite.Open(t)
	admins := testsite.Service(db)
	svc := &app.PromoService{Store: db, Site: site{admins}, Secrets: secrets{}, Mailer: &mail.Mailer{Timeout: 5 * time.Second}}
	ctx := context.Background()
	if err := db.SaveSMTPSettings(ctx, app.SMTPSettings{
		Host: "127.0.0.1", Port: port, TLS: app.SMTPTLSNone,
		Sender: "szkolenia@example.pl", SenderName: "Centrum Szkoleń",
	}, nil); err != nil {
		t.Fatal(err)
	}
	codes := []app.PromoCode{{
		Code: "WIOSNA-25", Kind: app.DiscountFixed, FixedMinor: 2500, Currency: "PLN", UseLimit: 50,
		PerAttendeeLimit: 1, ValidFrom: time.Now().Add(-time.Hour), ValidUntil: time.Date(2030, 6, 30, 22, 0, 0, 0, time.UTC) /* midnight in Warsaw */, AllSessions: true,
	}}
	if err := db.CreatePromoCodes(ctx, codes); err != nil {
		t.Fatal(err)
	}
	return svc, db, codes[0]
}

func addRecipients(t *testing.T, db *storage.DB, codeID int64, n int) {
	t.Helper()
	var rs []app.PromoRecipient
	for i := 1; i <= n; i++ {
		rs = append(rs, app.PromoRecipient{Email: fmt.Sprintf("osoba%02d@example.pl", i), Name: fmt.Sprintf("Osoba %02d", i)})
	}
	if _, err := db.AddPromoRecipients(context.Background(), codeID, rs); err != nil {
		t.Fatal(err)
	}
}

// check asserts each of the n recipients got exactly one personalised
// message.
func check(t *testing.T, box *delivered, n int) {
	t.Helper()
	box.mu.Lock()
	defer box.mu.Unlock()
	per := map[string]int{}
	for _, m := range box.msgs {
		if len(m.to) != 1 || m.from != "szkolenia@example.pl" {
			t.Fatalf("envelope %v from %s", m.to, m.from)
		}
		per[m.to[0]]++
		num := strings.TrimSuffix(strings.TrimPrefix(m.to[0], "osoba"), "@example.pl")
		body := strings.ReplaceAll(m.data, "=\r\n", "")
		for _, want := range []string{"Osoba " + num, "WIOSNA-25", "30.06.2030", "wszystkie p"} {
			if !strings.Contains(body, want) {
				t.Fatalf("message to %s lacks %q:\n%s", m.to[0], want, m.data)
			}
		}
	}
	if len(per) != n || len(box.msgs) != n {
		t.Fatalf("%d messages to %d recipients, want %d each once", len(box.msgs), len(per), n)
	}
}

// Acceptance 4: sending to 50 recipients through a real SMTP server on
// loopback delivers 50 personalised messages.
func TestPromoSendsFiftyPersonalisedMessages(t *testing.T) {
	box := &delivered{}
	port, _ := startServer(t, box)
	svc, db, code := newService(t, port)
	addRecipients(t, db, code.ID, 50)
	var last app.SendProgress
	rep, err := svc.Send(context.Background(), code.ID, "pl", func(p app.SendProgress) { last = p })
	if err != nil || rep.Sent != 50 || rep.Failed != 0 || last.Done != 50 {
		t.Fatalf("report %+v, last %+v: %v", rep, last, err)
	}
	check(t, box, 50)
	// A second run has nothing left to send.
	if rep, err := svc.Send(context.Background(), code.ID, "pl", nil); err != nil || rep.Total != 0 {
		t.Fatalf("second run %+v %v", rep, err)
	}
	check(t, box, 50)
}

// Acceptance 4: a run interrupted halfway and resumed delivers the rest
// with no duplicates: once stopped by the person (context), once by the
// server going away (network drop).
func TestPromoInterruptedRunResumesWithoutDuplicates(t *testing.T) {
	t.Run("stopped", func(t *testing.T) {
		box := &delivered{}
		port, _ := startServer(t, box)
		svc, db, code := newService(t, port)
		addRecipients(t, db, code.ID, 50)
		ctx, cancel := context.WithCancel(context.Background())
		rep, err := svc.Send(ctx, code.ID, "pl", func(p app.SendProgress) {
			if p.Sent == 25 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) || rep.Sent != 25 {
			t.Fatalf("interrupted: %+v %v", rep, err)
		}
		check(t, box, 25)
		rep, err = svc.Send(context.Background(), code.ID, "pl", nil)
		if err != nil || rep.Total != 25 || rep.Sent != 25 {
			t.Fatalf("resumed: %+v %v", rep, err)
		}
		check(t, box, 50)
	})
	t.Run("server gone", func(t *testing.T) {
		box := &delivered{}
		port, stop := startServer(t, box)
		svc, db, code := newService(t, port)
		addRecipients(t, db, code.ID, 50)
		rep, err := svc.Send(context.Background(), code.ID, "pl", func(p app.SendProgress) {
			if p.Sent == 25 {
				stop()
			}
		})
		if err == nil || rep.Sent != 25 {
			t.Fatalf("dropped: %+v %v", rep, err)
		}
		rs, _ := db.PromoRecipients(context.Background(), code.ID)
		failed := 0
		for _, r := range rs {
			if r.FailedReason != "" {
				failed++
			}
		}
		if failed != 1 {
			t.Fatalf("%d recipients marked failed, want the one in flight", failed)
		}
		// The server is back on another port: resume there.
		port2, _ := startServer(t, box)
		if err := db.SaveSMTPSettings(context.Background(), app.SMTPSettings{
			Host: "127.0.0.1", Port: port2,
			TLS: app.SMTPTLSNone, Sender: "szkolenia@example.pl",
		}, nil); err != nil {
			t.Fatal(err)
		}
		rep, err = svc.Send(context.Background(), code.ID, "pl", nil)
		if err != nil || rep.Sent != 25 {
			t.Fatalf("resumed: %+v %v", rep, err)
		}
		check(t, box, 50)
	})
}

func TestRefusedRecipientIsReportedAndTheRunGoesOn(t *testing.T) {
	box := &delivered{}
	port, _ := startServer(t, box)
	svc, db, code := newService(t, port)
	ctx := context.Background()
	if _, err := db.AddPromoRecipients(ctx, code.ID, []app.PromoRecipient{
		{Email: "osoba01@example.pl", Name: "Osoba 01"},
		{Email: "bounce@example.pl", Name: "Bounce"},
		{Email: "osoba02@example.pl", Name: "Osoba 02"},
	}); err != nil {
		t.Fatal(err)
	}
	var errs []error
	rep, err := svc.Send(ctx, code.ID, "pl", func(p app.SendProgress) { errs = append(errs, p.Err) })
	if err != nil || rep.Sent != 2 || rep.Failed != 1 || errs[1] == nil {
		t.Fatalf("%+v %v %v", rep, err, errs)
	}
	rs, _ := db.PromoRecipients(ctx, code.ID)
	if !strings.Contains(rs[1].FailedReason, "550") || !rs[1].SentAt.IsZero() {
		t.Fatalf("bounce: %+v", rs[1])
	}
	check(t, box, 2)
}

func TestSendTestMessage(t *testing.T) {
	box := &delivered{}
	port, _ := startServer(t, box)
	svc, _, _ := newService(t, port)
	if err := svc.SendTestMessage(context.Background(), nil, "admin@example.pl"); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("without the administrator: %v", err)
	}
	if err := svc.SendTestMessage(context.Background(), &app.Admin{}, "admin@example.pl"); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("with a forged administrator: %v", err)
	}
	admins := svc.Site.(site).admins
	const pass = "correct horse battery"
	if err := admins.Setup(context.Background(), app.Site{
		Name: "Acme", Country: "PL", Currency: "PLN",
		TimeZone: "Europe/Warsaw", Language: "pl",
	}, pass); err != nil {
		t.Fatal(err)
	}
	admin, err := admins.Unlock(context.Background(), pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SendTestMessage(context.Background(), admin, "admin@example.pl"); err != nil {
		t.Fatal(err)
	}
	if len(box.msgs) != 1 || !strings.Contains(box.msgs[0].data, "TrainPay") {
		t.Fatalf("%+v", box.msgs)
	}
}

// A run cancelled (the Cancel button) while a message is in flight stops
// after that message: it is delivered and recorded as sent, nothing after
// it is sent, and a later Send delivers the rest with no duplicates.
func TestCancelStopsAfterTheMessageInFlightAndResumes(t *testing.T) {
	box := &delivered{}
	port, _ := startServer(t, box)
	svc, db, code := newService(t, port)
	addRecipients(t, db, code.ID, 30)
	ctx, cancel := context.WithCancel(context.Background())
	inFlight := make(chan struct{})
	box.onData = func(n int) {
		if n == 12 {
			cancel() // pressed while the 12th message is being transferred
			close(inFlight)
		}
	}
	rep, err := svc.Send(ctx, code.ID, "pl", nil)
	if !errors.Is(err, context.Canceled) || rep.Sent != 12 || rep.Failed != 0 || rep.Total != 30 {
		t.Fatalf("cancelled run: %+v %v", rep, err)
	}
	<-inFlight
	check(t, box, 12)
	rs, _ := db.PromoRecipients(context.Background(), code.ID)
	for i, r := range rs {
		if sent := !r.SentAt.IsZero(); sent != (i < 12) || r.FailedReason != "" {
			t.Fatalf("recipient %d: sent %v, failed %q", i+1, sent, r.FailedReason)
		}
	}
	box.onData = nil
	rep, err = svc.Send(context.Background(), code.ID, "pl", nil)
	if err != nil || rep.Total != 18 || rep.Sent != 18 {
		t.Fatalf("resumed: %+v %v", rep, err)
	}
	check(t, box, 30)
}

// One generated code per recipient: N imported recipients get N codes,
// each message through the loopback server carries the recipient's own
// code, and each code has exactly its one recipient.
func TestOneGeneratedCodePerRecipient(t *testing.T) {
	box := &delivered{}
	port, _ := startServer(t, box)
	svc, db, _ := newService(t, port)
	ctx := context.Background()
	imp, err := app.ParseRecipients(strings.NewReader("ala@example.pl,Ala\nbad-line\nola@example.pl\njan@example.pl,Jan Nowak\n"))
	if err != nil || len(imp.Recipients) != 3 || len(imp.Bad) != 1 {
		t.Fatalf("%+v %v", imp, err)
	}
	codes, err := svc.GenerateForRecipients(ctx, app.PromoCode{
		Kind: app.DiscountPercent, PercentBP: 2000, UseLimit: 1,
		AllSessions: true, ValidUntil: time.Now().AddDate(0, 1, 0),
	}, 8, imp.Recipients)
	if err != nil || len(codes) != 3 {
		t.Fatalf("%d codes: %v", len(codes), err)
	}
	ids := make([]int64, len(codes))
	own := map[string]string{}
	for i, c := range codes {
		ids[i] = c.ID
		rs, err := db.PromoRecipients(ctx, c.ID)
		if err != nil || len(rs) != 1 || rs[0].Email != imp.Recipients[i].Email {
			t.Fatalf("code %s recipients %+v %v", c.Code, rs, err)
		}
		own[rs[0].Email] = c.Code
	}
	rep, err := svc.SendCodes(ctx, ids, "en", nil)
	if err != nil || rep.Sent != 3 {
		t.Fatalf("%+v %v", rep, err)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.msgs) != 3 {
		t.Fatalf("%d messages", len(box.msgs))
	}
	for _, m := range box.msgs {
		body := strings.ReplaceAll(m.data, "=\r\n", "")
		for email, code := range own {
			if has := strings.Contains(body, code); has != (m.to[0] == email) {
				t.Fatalf("message to %s and code %s of %s: %v", m.to[0], code, email, has)
			}
		}
	}
	// A list with the same address twice is refused whole: nothing stored.
	before, _ := svc.Codes(ctx)
	dup := []app.PromoRecipient{{Email: "x@example.pl"}, {Email: "X@example.pl"}}
	if _, err := svc.GenerateForRecipients(ctx, app.PromoCode{
		Kind: app.DiscountPercent, PercentBP: 1000,
		UseLimit: 1, AllSessions: true, ValidUntil: time.Now().AddDate(0, 1, 0),
	}, 8, dup); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("duplicate: %v", err)
	}
	if after, _ := svc.Codes(ctx); len(after) != len(before) {
		t.Fatalf("codes stored for a refused list: %d -> %d", len(before), len(after))
	}
}
