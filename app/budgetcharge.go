package app

// Charging a department's budget.
//
// A budget owner may settle a department's payment from the department's
// budget, with no card and no processor: a sale in the payment journal like
// any other (method MethodBudget, processor ProcessorInternal), so that the
// live-sale rule, the settlement that writes the department's ledger charge
// once, the budget limit and refunds apply unchanged. Its gateway is
// internal (the registry's), approves at once and moves no money outside
// the organisation.
//
// The rule: it is offered under both budget policies. Under the warn policy
// it is paid like a card payment (the budget may go below zero, as the
// policy allows); under the block policy only within what is left of the
// period's budget, which the database's limit trigger enforces when the
// journal row is inserted ("error.budget.exceeded"), whoever writes it.
// Only a department's payments (pay-per-use sessions and their true-ups)
// may be charged to a budget; an attendee's fee may not.
const (
	// MethodBudget is a charge to the department's budget.
	MethodBudget Method = "budget"
	// ProcessorInternal is the app's own gateway for charges to a budget:
	// no network, approved at once.
	ProcessorInternal Processor = "internal"
)

// budgetPurpose reports whether a payment for purpose may be charged to a
// department's budget.
func budgetPurpose(p Purpose) bool {
	return p == PurposePayPerUse || p == PurposeTrueUp
}

func checkBudgetCharge(req ChargeRequest) error {
	if req.Method != MethodBudget {
		return nil
	}
	if !budgetPurpose(req.Purpose) {
		return Errorf(EINVALID, "error.payment.budget_purpose", "only a department's session can be charged to its budget")
	}
	if req.Card != nil {
		return Errorf(EINVALID, "error.payment.budget_card", "a charge to the budget takes no card")
	}
	return nil
}
