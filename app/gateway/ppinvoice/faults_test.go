package ppinvoice_test

import (
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice"
	"github.com/trainpay/trainpay/app/gateway/ppinvoice/ppinvoicetest"
)

// TestCreateReplyLostIsResentUnderTheSameRequestIDAndMakesOneInvoice: the
// sandbox made the invoice, the connection was cut before the answer; the
// resend carries the same PayPal-Request-Id and gets that invoice back.
func TestCreateReplyLostIsResentUnderTheSameRequestIDAndMakesOneInvoice(t *testing.T) {
	for _, f := range []ppinvoicetest.Fault{
		ppinvoicetest.FaultReplyLostAfter, ppinvoicetest.Fault5xxHTMLAfter,
		ppinvoicetest.FaultTimeoutAfter,
	} {
		t.Run(f.String(), func(t *testing.T) {
			fx := newFixture(t)
			fx.proxy.Inject(ppinvoicetest.OpCreate, f)
			inv, err := fx.c.Create(fx.ctx, draft(t, "TP-LOST0001", "250", "PLN"))
			if err != nil {
				t.Fatal(err)
			}
			creates := fx.proxy.RequestsOf(ppinvoicetest.OpCreate)
			if len(creates) != 2 || creates[0].RequestID == "" || creates[0].RequestID != creates[1].RequestID {
				t.Fatalf("create calls %+v", creates)
			}
			all := fx.sb.Invoices()
			if len(all) != 1 || all[0].ID != inv.ID || inv.Total != 25000 {
				t.Fatalf("%d invoices at PayPal (%+v), the client got %+v", len(all), all, inv)
			}
		})
	}
}

// TestCreateAnswerLostEveryTimeIsUnknownAndSearchSettlesIt: every resend
// lost; the create is Unknown; after a restart a new client finds the
// invoice by its number, and creating it again gives the same invoice.
func TestCreateAnswerLostEveryTimeIsUnknownAndSearchSettlesIt(t *testing.T) {
	fx := newFixture(t)
	lost := ppinvoicetest.FaultReplyLostAfter
	fx.proxy.Inject(ppinvoicetest.OpCreate, lost, lost, lost)
	_, err := fx.c.Create(fx.ctx, draft(t, "TP-LOST0002", "250", "PLN"))
	wantOutcome(t, "create", err, app.OutcomeUnknown)
	if n := len(fx.proxy.RequestsOf(ppinvoicetest.OpCreate)); n != 3 {
		t.Errorf("%d create calls, want the first and two resends", n)
	}

	restarted := fx.client()
	found, ok, err := restarted.FindByNumber(fx.ctx, "TP-LOST0002")
	if err != nil || !ok {
		t.Fatalf("search after the restart: %v, found %v", err, ok)
	}
	all := fx.sb.Invoices()
	if len(all) != 1 || found.ID != all[0].ID || found.Status.State != ppinvoice.StateDraft {
		t.Fatalf("found %+v; PayPal has %+v", found, all)
	}
	again, err := restarted.Create(fx.ctx, draft(t, "TP-LOST0002", "250", "PLN"))
	if err != nil || again.ID != found.ID || len(fx.sb.Invoices()) != 1 {
		t.Fatalf("creating again: %+v, %v; %d invoices", again, err, len(fx.sb.Invoices()))
	}
}

// TestCreateThatNeverReachedPayPalIsFoundNowhere: the proxy cut every
// create before the sandbox saw it; search says there is no invoice.
func TestCreateThatNeverReachedPayPalIsFoundNowhere(t *testing.T) {
	fx := newFixture(t)
	cut := ppinvoicetest.FaultResetBefore
	fx.proxy.Inject(ppinvoicetest.OpCreate, cut, cut, cut)
	_, err := fx.c.Create(fx.ctx, draft(t, "TP-CUT00001", "40", "USD"))
	wantOutcome(t, "create", err, app.OutcomeUnknown) // the request was written: the client cannot know
	_, ok, err := fx.client().FindByNumber(fx.ctx, "TP-CUT00001")
	if err != nil || ok {
		t.Fatalf("search: found %v, %v", ok, err)
	}
}

// TestStatusReadWhileTheServerIsDownKeepsTheLastStatus: PayPal answers
// 502 pages, then cannot be reached at all; each Refresh reports the error
// and gives back the status read before.
func TestStatusReadWhileTheServerIsDownKeepsTheLastStatus(t *testing.T) {
	fx := newFixture(t)
	inv, _ := fx.sent("TP-DOWN0001", "75", "USD")
	last, err := fx.c.Refresh(fx.ctx, inv)
	if err != nil || last.Status.Raw != "SENT" {
		t.Fatalf("first read %+v, %v", last, err)
	}
	bad := ppinvoicetest.Fault5xxHTMLBefore
	fx.proxy.Inject(ppinvoicetest.OpGet, bad, bad, bad)
	got, err := fx.c.Refresh(fx.ctx, last)
	if e := wantOutcome(t, "read through 502s", err, app.OutcomeUnknown); e.Code != "HTTP=502" {
		t.Errorf("code %q", e.Code)
	}
	if got.ID != inv.ID || got.Status != last.Status || got.Total != last.Total {
		t.Fatalf("after a failed read %+v, want the last one %+v", got, last)
	}
	fx.proxy.Close() // down: nothing listens
	got, err = fx.c.Refresh(fx.ctx, last)
	if e := wantOutcome(t, "read while down", err, app.OutcomeNotProcessed); e.Code != "CONNECT" && e.Code != "OAUTH=FAILED" {
		t.Errorf("code %q", e.Code)
	}
	if got.Status != last.Status || got.PayerLink != last.PayerLink {
		t.Fatalf("while down %+v, want the last one %+v", got, last)
	}
}

// TestSendReplyLostSendsOneEmail: send's answer is lost; the resend under
// the invoice's send request id is answered with the link, and the invoice
// was sent once.
func TestSendReplyLostSendsOneEmail(t *testing.T) {
	fx := newFixture(t)
	inv, err := fx.c.Create(fx.ctx, draft(t, "TP-SEND0001", "75", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	fx.proxy.Inject(ppinvoicetest.OpSend, ppinvoicetest.FaultReplyLostAfter)
	link, err := fx.c.Send(fx.ctx, inv.ID)
	if err != nil || link == "" {
		t.Fatalf("send: %q, %v", link, err)
	}
	sends := fx.proxy.RequestsOf(ppinvoicetest.OpSend)
	if len(sends) != 2 || sends[0].RequestID != sends[1].RequestID {
		t.Fatalf("send calls %+v", sends)
	}
}

// TestRefundReplyLostRefundsOnce: the capture refund's answer is lost; the
// resend under the refund's key refunds nothing more.
func TestRefundReplyLostRefundsOnce(t *testing.T) {
	fx := newFixture(t)
	inv, _ := fx.sent("TP-RFLOST01", "100", "USD")
	fx.payByCard(inv.ID, "4012888888881881")
	paid, err := fx.c.Get(fx.ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	fx.proxy.Inject(ppinvoicetest.OpCaptureRefund, ppinvoicetest.FaultReplyLostAfter)
	if _, err := fx.c.Refund(fx.ctx, ppinvoice.RefundRequest{Invoice: paid, Key: "rf-lost-1", Minor: 3000}); err != nil {
		t.Fatal(err)
	}
	got, _ := fx.c.Get(fx.ctx, inv.ID)
	if got.Refunded != 3000 || len(got.Refunds) != 1 {
		t.Fatalf("refunded %d in %d refunds, want 30.00 once", got.Refunded, len(got.Refunds))
	}
}
