package app

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// PaymentReader reads journal rows for the reimbursement report.
type PaymentReader interface {
	Payment(ctx context.Context, id int64) (Payment, error)
}

// BudgetSite is what departments and budgets need of the site: its
// settings, whether pay-per-use is on, and the administrator's handle
// checked by the service that issued it (*SiteService).
type BudgetSite interface {
	Site(ctx context.Context) (Site, error)
	RequireFeature(ctx context.Context, f Feature) error
	RequireAdmin(a *Admin) error
}

// BudgetService holds the rules of departments, their budgets and the
// organisation's reimbursements. Reading needs the pay-per-use feature;
// changing anything needs the site administrator.
type BudgetService struct {
	Site     BudgetSite
	Store    BudgetStore
	Sessions SessionReader
	Journal  PaymentReader
	Now      func() time.Time
}

func (s *BudgetService) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *BudgetService) require(ctx context.Context, a *Admin, write bool) error {
	if err := s.Site.RequireFeature(ctx, FeaturePayPerUse); err != nil {
		return err
	}
	if write {
		return s.Site.RequireAdmin(a)
	}
	return nil
}

// location is the site's time zone, in which periods begin.
func (s *BudgetService) location(ctx context.Context) (*time.Location, Site, error) {
	site, err := s.Site.Site(ctx)
	if err != nil {
		return nil, Site{}, err
	}
	loc, err := time.LoadLocation(site.TimeZone)
	if err != nil {
		return time.UTC, site, nil
	}
	return loc, site, nil
}

// Settings returns the site's budget settings.
func (s *BudgetService) Settings(ctx context.Context) (BudgetSettings, error) {
	if err := s.require(ctx, nil, false); err != nil {
		return BudgetSettings{}, err
	}
	return s.Store.BudgetSettings(ctx)
}

// SaveSettings changes the period kind, the fiscal year's start or the
// policy.
func (s *BudgetService) SaveSettings(ctx context.Context, a *Admin, next BudgetSettings) error {
	if err := s.require(ctx, a, true); err != nil {
		return err
	}
	if err := next.Validate(); err != nil {
		return err
	}
	old, err := s.Store.BudgetSettings(ctx)
	if err != nil {
		return err
	}
	at := s.now()
	var audit []AuditEntry
	add := auditAdder(&audit, at, "")
	add("budget.period", string(old.Period), string(next.Period))
	add("budget.fiscal_start", strconv.Itoa(int(old.FiscalYearStart)), strconv.Itoa(int(next.FiscalYearStart)))
	add("budget.policy", string(old.Policy), string(next.Policy))
	if len(audit) == 0 {
		return nil
	}
	return s.Store.SaveBudgetSettings(ctx, next, audit)
}

// CurrentPeriods returns the periods a person picks from (two before the
// current one, and two after) and the current one.
func (s *BudgetService) CurrentPeriods(ctx context.Context) ([]Period, Period, error) {
	settings, err := s.Settings(ctx)
	if err != nil {
		return nil, Period{}, err
	}
	loc, _, err := s.location(ctx)
	if err != nil {
		return nil, Period{}, err
	}
	now := s.now()
	return settings.Periods(now, loc, 2), settings.PeriodOf(now, loc), nil
}

// Departments lists the departments by name.
func (s *BudgetService) Departments(ctx context.Context) ([]Department, error) {
	if err := s.require(ctx, nil, false); err != nil {
		return nil, err
	}
	return s.Store.Departments(ctx)
}

// SaveDepartment creates (ID 0) or updates a department.
func (s *BudgetService) SaveDepartment(ctx context.Context, a *Admin, d *Department) error {
	if err := s.require(ctx, a, true); err != nil {
		return err
	}
	d.Normalize()
	if err := d.Validate(); err != nil {
		return err
	}
	at := s.now()
	if d.ID == 0 {
		audit := []AuditEntry{{At: at, Actor: ActorAdministrator, Action: "department.created", Target: d.CostCentre, New: d.Name}}
		return s.Store.CreateDepartment(ctx, d, audit)
	}
	old, err := s.Store.Department(ctx, d.ID)
	if err != nil {
		return err
	}
	var audit []AuditEntry
	add := auditAdder(&audit, at, d.CostCentre)
	add("department.name", old.Name, d.Name)
	add("department.cost_centre", old.CostCentre, d.CostCentre)
	add("department.owner", old.OwnerName+" <"+old.OwnerEmail+">", d.OwnerName+" <"+d.OwnerEmail+">")
	if len(audit) == 0 {
		return nil
	}
	return s.Store.UpdateDepartment(ctx, d, audit)
}

// MaxNoteLength caps the note of an allocation and the reference of a
// reimbursement.
const MaxNoteLength = 200

// Allocate gives a department budget for a period, in the site currency.
func (s *BudgetService) Allocate(ctx context.Context, a *Admin, departmentID int64, period string, amount currency.Amount, note string) (LedgerEntry, error) {
	if err := s.require(ctx, a, true); err != nil {
		return LedgerEntry{}, err
	}
	e, err := s.entry(ctx, departmentID, period, amount, LedgerAllocation)
	if err != nil {
		return LedgerEntry{}, err
	}
	e.Note = TrimLine(note)
	if err := CheckLine(FieldNote, e.Note); err != nil {
		return LedgerEntry{}, err
	}
	if utf8.RuneCountInString(e.Note) > MaxNoteLength {
		return LedgerEntry{}, Errorf(EINVALID, "error.budget.note_too_long", "the note is longer than %d characters", MaxNoteLength).
			With(map[string]any{"Max": MaxNoteLength})
	}
	audit := []AuditEntry{{
		At: e.At, Actor: ActorAdministrator, Action: "budget.allocated", Target: period,
		New: amount.String(),
	}}
	if err := s.Store.AddLedgerEntry(ctx, &e, audit); err != nil {
		return LedgerEntry{}, err
	}
	return e, nil
}

func (s *BudgetService) entry(ctx context.Context, departmentID int64, period string, amount currency.Amount, kind LedgerKind) (LedgerEntry, error) {
	settings, err := s.Store.BudgetSettings(ctx)
	if err != nil {
		return LedgerEntry{}, err
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return LedgerEntry{}, err
	}
	if (p.Quarter == 0) != (settings.Period == PeriodFiscalYear) {
		return LedgerEntry{}, Errorf(EINVALID, "error.budget.period", "%q is not a budget period such as FY2026 or FY2026-Q1", period).
			With(map[string]any{"Period": period})
	}
	if _, err := s.Store.Department(ctx, departmentID); err != nil {
		return LedgerEntry{}, err
	}
	_, site, err := s.location(ctx)
	if err != nil {
		return LedgerEntry{}, err
	}
	minor, err := money.ToMinor(amount)
	if err != nil || minor <= 0 || amount.CurrencyCode() != site.Currency {
		return LedgerEntry{}, Errorf(EINVALID, "error.budget.amount", "the amount must be above zero, in the site currency")
	}
	return LedgerEntry{
		DepartmentID: departmentID, Period: p.Key(), Kind: kind, AmountMinor: minor,
		Currency: site.Currency, At: s.now(),
	}, nil
}

// Budgets returns every department's budget in a period.
func (s *BudgetService) Budgets(ctx context.Context, period string) ([]DepartmentBudget, error) {
	if err := s.require(ctx, nil, false); err != nil {
		return nil, err
	}
	if _, err := ParsePeriod(period); err != nil {
		return nil, err
	}
	return s.Store.Budgets(ctx, period, s.now())
}

// Ledger returns a department's entries in a period.
func (s *BudgetService) Ledger(ctx context.Context, departmentID int64, period string) ([]LedgerEntry, error) {
	if err := s.require(ctx, nil, false); err != nil {
		return nil, err
	}
	return s.Store.Ledger(ctx, departmentID, period)
}
