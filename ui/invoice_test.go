package ui

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	smtp "github.com/emersion/go-smtp"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/registry"
	appmail "github.com/trainpay/trainpay/app/mail"
	"github.com/trainpay/trainpay/internal/pcitest"
	"github.com/trainpay/trainpay/internal/webdrivertest"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/ui/uitest"
)

// mailBox is a real SMTP server (emersion/go-smtp) on loopback that keeps
// whole messages.
type mailBox struct {
	mu   sync.Mutex
	msgs []string
}

func (b *mailBox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailBoxSession{box: b}, nil }

func (b *mailBox) messages() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.msgs...)
}

type mailBoxSession struct{ box *mailBox }

func (s *mailBoxSession) Reset()                               {}
func (s *mailBoxSession) Logout() error                        { return nil }
func (s *mailBoxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailBoxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailBoxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, string(b))
	return nil
}

func startMailBox(t *testing.T) (*mailBox, int) {
	t.Helper()
	box := &mailBox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return box, l.Addr().(*net.TCPAddr).Port
}

// receiptMail is what a delivered receipt says.
type receiptMail struct {
	to, subject, body, file string
	pdf                     []byte
}

func readReceiptMail(t *testing.T, raw string) receiptMail {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	out := receiptMail{to: m.Header.Get("To"), subject: subject}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(decodePart(p))
		if err != nil {
			t.Fatal(err)
		}
		if p.FileName() != "" {
			out.file, out.pdf = p.FileName(), data
		} else {
			out.body = string(data)
		}
	}
	return out
}

// TestInvoicePaidOnPayPalsPageMailsTheReceiptInTheAttendeesLanguage: in
// English and in Polish, a registration's invoice is sent through the
// registry's Invoicing client (the offline sandbox in Test mode), paid on
// the sandbox's payer page with a test card in headless chromium
// (chromedriver), and within seconds the
// running poller marks the registration paid and the receipt, its text in
// the attendee's language and its PDF attached, arrives at a local SMTP
// server. No card number reaches TrainPay's files.
func TestInvoicePaidOnPayPalsPageMailsTheReceiptInTheAttendeesLanguage(t *testing.T) {
	for _, tc := range []struct{ lang, accept, page, subject, body, file string }{
		{"en", "en-GB,en", "Paid. Thank you!", "Your receipt for Excel w praktyce", "your payment for Excel w praktyce has been received", "receipt-"},
		{"pl", "pl-PL,pl", "Zapłacono. Dziękujemy!", "Potwierdzenie płatności za Excel w praktyce", "płatność za Excel w praktyce została przyjęta", "potwierdzenie-"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			e := newSessionsEnv(t, tc.lang, true, nil)
			ctx := context.Background()
			box, port := startMailBox(t)
			if err := e.db.SaveSMTPSettings(ctx, app.SMTPSettings{
				Host: "127.0.0.1", Port: port, TLS: app.SMTPTLSNone,
				Sender: "training@example.com",
			}, nil); err != nil {
				t.Fatal(err)
			}
			reg := &registry.Registry{Sites: e.db, Settings: e.db}
			t.Cleanup(func() { reg.Close() })
			receipts := &app.InvoiceReceipts{
				SMTP: e.db, Mailer: &appmail.Mailer{Timeout: 5 * time.Second},
				Compose: InvoiceReceiptMessage(e.deps),
			}
			svc := &app.InvoiceService{Store: e.db, Gateways: reg, Settings: enableInvoices(t, e.db), Paid: receipts.Send}
			_, r := registerForExcel(t, e.db, tc.lang)
			inv, err := svc.Send(ctx, app.SendRequest{RegistrationID: r.ID, Due: time.Now().Add(24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			sb, err := reg.Sandbox(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(inv.PayerLink, sb.InvoicingBase()+"/invoice/p/") {
				t.Fatalf("payer link %q", inv.PayerLink)
			}
			// The poller runs as the app runs it.
			pollCtx, stop := context.WithCancel(ctx)
			defer stop()
			go func() {
				for pollCtx.Err() == nil {
					_, _ = svc.Poll(pollCtx)
					time.Sleep(100 * time.Millisecond)
				}
			}()
			// The attendee pays in headless chromium on the sandbox's page,
			// with a test card: no card number reaches TrainPay.
			b := webdrivertest.Start(t).Session(tc.accept)
			b.Open(inv.PayerLink)
			b.TypeInto("#card-number", "4111 1111 1111 1111")
			b.TypeInto("#card-expiry", "12/"+time.Now().AddDate(2, 0, 0).Format("06"))
			b.TypeInto("#card-cvv", "123")
			b.TypeInto("#card-holder", "Zofia Łęcka")
			b.Click("#pay-card")
			pageCtx, pageDone := context.WithTimeout(ctx, 10*time.Second)
			defer pageDone()
			b.WaitText(pageCtx, "#status", tc.page)
			paidAt := time.Now()
			deadline := paidAt.Add(10 * time.Second)
			for len(box.messages()) == 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			msgs := box.messages()
			if len(msgs) != 1 {
				t.Fatalf("%d receipts arrived within 10 s of the payment", len(msgs))
			}
			t.Logf("receipt arrived %v after the payment", time.Since(paidAt).Round(time.Millisecond))
			got, _ := e.db.Registration(ctx, r.ID)
			if got.Status != app.RegPaid || got.Method != app.MethodPayPalInvoice {
				t.Errorf("registration %s by %s", got.Status, got.Method)
			}
			m := readReceiptMail(t, msgs[0])
			if !strings.Contains(m.to, "zofia@example.pl") || !strings.HasPrefix(m.subject, tc.subject) ||
				!strings.Contains(m.body, tc.body) || !strings.Contains(m.body, r.Confirmation) {
				t.Errorf("receipt mail to %q, %q:\n%s", m.to, m.subject, m.body)
			}
			if !strings.HasPrefix(m.file, tc.file+r.Confirmation) || !strings.HasPrefix(string(m.pdf), "%PDF-") {
				t.Errorf("attachment %q, %d bytes", m.file, len(m.pdf))
			}
			pcitest.KeepBytes(t, "receipt-mail", func() []byte { return []byte(msgs[0]) })
		})
	}
}

// decodePart undoes a part's Content-Transfer-Encoding (mime/multipart
// undoes quoted-printable itself).
func decodePart(p *multipart.Part) io.Reader {
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		return base64.NewDecoder(base64.StdEncoding, p)
	}
	return p
}

// TestRegistrationsViewSendsAPaymentRequestAndShowsItAwaitingOnlinePayment:
// in English and Polish, the host selects an unpaid registration, sends
// the payment request with the offered due time, and the view shows the
// invoice awaiting online payment with the payer's link to copy; Cancel
// invoice cancels it at PayPal and gives the seat back.
func TestRegistrationsViewSendsAPaymentRequestAndShowsItAwaitingOnlinePayment(t *testing.T) {
	for _, tc := range []struct{ lang, send, ok, awaiting, listed, cancel, yes, cancelled string }{
		{"en", "Send payment request", "Send", "awaiting online payment", "Awaiting online payment", "Cancel invoice", "Yes", "cancelled"},
		{"pl", "Wyślij prośbę o płatność", "Wyślij", "oczekuje na płatność online", "Czeka na wpłatę online", "Anuluj fakturę", "Tak", "anulowana"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			e := newSessionsEnv(t, tc.lang, true, nil)
			ctx := context.Background()
			reg := &registry.Registry{Sites: e.db, Settings: e.db}
			t.Cleanup(func() { reg.Close() })
			svc := &app.InvoiceService{Store: e.db, Gateways: reg, Settings: enableInvoices(t, e.db)}
			e.deps.Invoices = svc
			s, r := registerForExcel(t, e.db, tc.lang)
			e.w.Resize(MinWindowSize) // the registrations window is laid out for it
			v := showRegistrations(e.deps, e.w, s, nil)
			v.list.Select(0)
			if v.invoice.send.Disabled() || v.invoice.send.Text != tc.send {
				t.Fatalf("send button %q disabled=%v", v.invoice.send.Text, v.invoice.send.Disabled())
			}
			test.Tap(v.invoice.send)
			test.Tap(findButton(e.w, tc.ok))
			inv, err := svc.Invoice(ctx, r.ID)
			if err != nil || inv.State != app.InvoiceAwaitingPayment {
				t.Fatalf("after send: %+v, %v (message %q)", inv, err, v.message.Text)
			}
			if !hasText(screenTexts(e.w), tc.listed) {
				t.Errorf("the list does not read %q: %q", tc.listed, screenTexts(e.w))
			}
			if !strings.Contains(v.invoice.state.Text, tc.awaiting) || v.invoice.link.Text != inv.PayerLink ||
				v.invoice.copy.Disabled() || v.invoice.cancel.Disabled() {
				t.Errorf("shown %q, link %q", v.invoice.state.Text, v.invoice.link.Text)
			}
			// The offered due time: a week, but the session starts in three
			// days, so a minute before registration closes.
			if got, _ := e.db.Registration(ctx, r.ID); !got.HoldUntil.Before(s.RegistrationDeadline()) ||
				got.HoldUntil.Before(s.RegistrationDeadline().Add(-2*time.Minute)) {
				t.Errorf("the seat is held until %v; registration closes %v", got.HoldUntil, s.RegistrationDeadline())
			}
			test.Tap(v.invoice.cancel)
			test.Tap(findButton(e.w, tc.yes))
			if !strings.Contains(v.invoice.state.Text, tc.cancelled) {
				t.Errorf("after cancel: %q", v.invoice.state.Text)
			}
			if got, _ := e.db.Registration(ctx, r.ID); got.Status != app.RegExpired {
				t.Errorf("registration %s after the cancel", got.Status)
			}
		})
	}
}

// enableInvoices turns payment by PayPal invoice on, as the administrator
// does on the Payment methods page, keeping the other settings.
func enableInvoices(t *testing.T, db app.PaymentSettingsStore) app.PaymentSettingsStore {
	return uitest.EnableInvoices(t, db)
}

// registerForExcel stores a paid session, 350 zł, in three days, and
// registers Zofia Łęcka, who speaks lang, for it; both are returned.
func registerForExcel(t *testing.T, db *storage.DB, lang string) (app.Session, app.Registration) {
	t.Helper()
	ctx := context.Background()
	s := app.Session{
		Topic: "Excel w praktyce", StartsAt: time.Now().Add(72 * time.Hour), TimeZone: "Europe/Warsaw",
		DurationMinutes: 90, Type: app.SessionPaid, FeeMinor: 350_00, Currency: "PLN", MaxRegistrations: 10,
	}
	s.Normalize()
	if err := db.CreateSession(ctx, &s); err != nil {
		t.Fatal(err)
	}
	r := app.Registration{SessionID: s.ID, Attendee: app.Attendee{
		FirstName: "Zofia", LastName: "Łęcka",
		Email: "zofia@example.pl", Language: lang,
	}}
	if err := db.Register(ctx, &r, time.Now()); err != nil {
		t.Fatal(err)
	}
	return s, r
}
