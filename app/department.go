package app

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Department is a part of the organisation that pays for its own
// pay-per-use sessions from a training budget and is reimbursed later.
type Department struct {
	ID         int64
	Name       string
	CostCentre string // the organisation's cost-centre code, e.g. "CC-4100"
	OwnerName  string // the budget owner, who pays before sessions
	OwnerEmail string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Limits of a department's fields.
const (
	MaxDepartmentName = 120
	MaxCostCentre     = 40
	MaxOwnerName      = 120
	MaxOwnerEmail     = 254
)

// Normalize trims the fields (TrimLine) and upper-cases the cost centre
// and lower-cases the owner's email.
func (d *Department) Normalize() {
	d.Name = TrimLine(d.Name)
	d.CostCentre = strings.ToUpper(TrimLine(d.CostCentre))
	d.OwnerName = TrimLine(d.OwnerName)
	d.OwnerEmail = strings.ToLower(TrimLine(d.OwnerEmail))
}

// FieldOwnerEmail is the budget owner's email, as a refusal names it
// (Error.Field).
const FieldOwnerEmail = "owner_email"

// Validate checks a department's fields; the first problem is returned.
// Name, cost centre and owner are checked by the text rule (CheckLine).
func (d Department) Validate() error {
	if err := checkLines(fieldText{FieldDepartmentName, d.Name}, fieldText{FieldCostCentre, d.CostCentre},
		fieldText{FieldBudgetOwner, d.OwnerName}); err != nil {
		return err
	}
	// Each refusal names its field, for a form to show it beside it.
	switch {
	case d.Name == "":
		return Errorf(EINVALID, "error.department.name_required", "the department needs a name").
			WithField(string(FieldDepartmentName))
	case utf8.RuneCountInString(d.Name) > MaxDepartmentName:
		return Errorf(EINVALID, "error.department.name_too_long", "the department name is longer than %d characters", MaxDepartmentName).
			With(map[string]any{"Max": MaxDepartmentName}).WithField(string(FieldDepartmentName))
	case d.CostCentre == "":
		return Errorf(EINVALID, "error.department.cost_centre_required", "the department needs a cost-centre code").
			WithField(string(FieldCostCentre))
	case utf8.RuneCountInString(d.CostCentre) > MaxCostCentre || strings.ContainsAny(d.CostCentre, " \t\r\n,;"):
		return Errorf(EINVALID, "error.department.cost_centre", "a cost-centre code has at most %d characters and no spaces, commas or semicolons", MaxCostCentre).
			With(map[string]any{"Max": MaxCostCentre}).WithField(string(FieldCostCentre))
	case d.OwnerName == "":
		return Errorf(EINVALID, "error.department.owner_required", "the department needs a budget owner").
			WithField(string(FieldBudgetOwner))
	case utf8.RuneCountInString(d.OwnerName) > MaxOwnerName:
		return Errorf(EINVALID, "error.department.owner_too_long", "the budget owner's name is longer than %d characters", MaxOwnerName).
			With(map[string]any{"Max": MaxOwnerName}).WithField(string(FieldBudgetOwner))
	}
	if len(d.OwnerEmail) > MaxOwnerEmail || !ValidEmail(d.OwnerEmail) {
		return Errorf(EINVALID, "error.department.owner_email", "%q is not an email address", d.OwnerEmail).
			With(map[string]any{"Email": d.OwnerEmail}).WithField(FieldOwnerEmail)
	}
	return nil
}
