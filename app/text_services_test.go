package app_test

import (
	"testing"

	"github.com/trainpay/trainpay/app"
)

// A budget's note and a reimbursement's reference pass the text rule, and
// a department saved through the service does too.
func TestBudgetNoteReferenceAndDepartmentFollowTheTextRule(t *testing.T) {
	p := newPPU(t)
	s := p.session(90, 25, 10)
	period := p.period(s)
	_, err := p.budgets.Allocate(p.ctx, p.admin, p.dept.ID, period, p.usd("100.00"), "annual\x00budget")
	wantTextRuleError(t, err, "note")
	_, err = p.budgets.MarkReimbursed(p.ctx, p.admin, p.dept.ID, period, p.usd("1.00"), "TRF\u202e-1")
	wantTextRuleError(t, err, "reference")
	d := app.Department{Name: "=1+2\aSales", CostCentre: "CC-1", OwnerName: "Ewa", OwnerEmail: "ewa@example.com"}
	wantTextRuleError(t, p.budgets.SaveDepartment(p.ctx, p.admin, &d), "department_name")
}

func wantTextRuleError(t *testing.T, err error, field string) {
	t.Helper()
	if e := app.AsError(err); e == nil || e.Key != "error.text.control" || e.Data["Field"] != field {
		t.Fatalf("error %v (%+v), want error.text.control for %s", err, e, field)
	}
}
