package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uitest"
)

// Charge to the budget by keyboard alone: the pay dialog shows the budget
// before and after, Tab reaches "Charge to the budget", Space charges it
// with no card dialog; the dialog that follows says what is left, the
// journal holds one sale to the budget and the session may start.
func TestChargeToTheBudgetFromMyQueueByKeyboard(t *testing.T) {
	pe := newPPUEnv(t)
	pe.withSessions()
	ctx := context.Background()
	s := pe.session(90) // 342,00 zł
	pe.queue(s)
	m := NewMainWindow(pe.app, pe.deps)
	w := m.Window()
	w.Resize(fyne.NewSize(1100, 800))
	m.Open(SectionToPay)
	q := m.queueScr
	kb := uitest.Keys{T: t, W: w, Most: 10}
	kb.Enter()
	d := q.pay
	if d == nil || d.budget == nil || d.budget.Disabled() {
		t.Fatalf("no enabled Charge to the budget: %q", screenTexts(w))
	}
	quote := d.item.Quote
	if !quote.HasBudget || quote.RemainingAfterMinor != quote.RemainingBeforeMinor-34200 {
		t.Fatalf("the quote: %+v", quote)
	}
	before := T("estimate.budget", map[string]any{
		"Department": pe.dept.Name, "Period": quote.Budget.Period,
		"Before": formatMinor(quote.RemainingBeforeMinor, "PLN"), "After": formatMinor(quote.RemainingAfterMinor, "PLN"),
	})
	if !containsText(screenTexts(w), before) || !containsText(screenTexts(w), T("queue.charge_budget")) {
		t.Fatalf("the pay dialog: %q", screenTexts(w))
	}
	kb.TabTo(d.budget, "Charge to the budget")
	kb.Space()
	if d.card != nil || d.paypal != nil {
		t.Fatal("a charge to the budget opened a card or PayPal dialog")
	}
	done := T("queue.charged_budget", map[string]any{
		"Amount": pln(t, "342.00"), "Department": pe.dept.Name,
		"Left": formatMinor(quote.RemainingAfterMinor, "PLN"),
	})
	if !containsText(screenTexts(w), done) {
		t.Fatalf("after the charge: %q", screenTexts(w))
	}
	if len(q.items) != 0 {
		t.Fatalf("a session charged to the budget is still to pay: %+v", q.items)
	}
	rows, _, err := pe.deps.Payments.(*app.PaymentService).Payments(ctx, app.PaymentFilter{})
	if err != nil || len(rows) != 1 || rows[0].Method != app.MethodBudget || rows[0].State != app.StateApproved {
		t.Fatalf("journal: %+v %v", rows, err)
	}
	if err := pe.svc.CanStart(ctx, s.ID); err != nil {
		t.Fatalf("the session charged to the budget cannot start: %v", err)
	}
}

// The payments list names the processor of a charge to the budget in the
// person's language, not by its key.
func TestTheBudgetsProcessorIsNamedInEnglishAndPolish(t *testing.T) {
	SetLanguage("en")
	t.Cleanup(func() { SetLanguage("en") })
	if got := processorName(app.ProcessorInternal); got != "Department budget" {
		t.Errorf("en: %q", got)
	}
	SetLanguage("pl")
	if got := processorName(app.ProcessorInternal); got != "Budżet działu" {
		t.Errorf("pl: %q", got)
	}
}
