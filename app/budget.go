package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Department budgets. Each department is allocated a budget per period (a
// fiscal year or a fiscal quarter, as the site chooses) in the site
// currency. Its ledger records every movement with its session and payment:
// allocations, charges (the budget owner paid a session's estimate),
// refunds (an estimate fell before the start), true-ups (actual cost minus
// what was paid, either way) and the organisation's reimbursements.
//
// A session's money belongs to the period in which the session starts (in
// the site's time zone), whenever it was paid: that is the budget it was
// planned against.

// PeriodKind is how budgets are divided in time.
type PeriodKind string

const (
	PeriodFiscalYear PeriodKind = "fiscal-year"
	PeriodQuarter    PeriodKind = "quarter"
)

// BudgetPolicy is what happens when an estimate exceeds the department's
// remaining budget.
type BudgetPolicy string

const (
	// PolicyWarn shows a warning and lets the host pay.
	PolicyWarn BudgetPolicy = "warn"
	// PolicyBlock refuses the payment.
	PolicyBlock BudgetPolicy = "block"
)

// BudgetSettings are the site's budget rules.
type BudgetSettings struct {
	Period PeriodKind
	// FiscalYearStart is the month (1–12) a fiscal year begins; a fiscal
	// year is named after the calendar year it begins in (with April,
	// FY2026 runs from April 2026 to March 2027).
	FiscalYearStart time.Month
	Policy          BudgetPolicy
}

// DefaultBudgetSettings are a new site's budget settings: calendar years, warn.
var DefaultBudgetSettings = BudgetSettings{Period: PeriodFiscalYear, FiscalYearStart: time.January, Policy: PolicyWarn}

// Validate checks the settings.
func (s BudgetSettings) Validate() error {
	if s.Period != PeriodFiscalYear && s.Period != PeriodQuarter {
		return Errorf(EINVALID, "error.budget.period_kind", "budgets are per fiscal year or per quarter")
	}
	if s.FiscalYearStart < time.January || s.FiscalYearStart > time.December {
		return Errorf(EINVALID, "error.budget.fiscal_start", "the fiscal year starts in a month from 1 to 12")
	}
	if s.Policy != PolicyWarn && s.Policy != PolicyBlock {
		return Errorf(EINVALID, "error.budget.policy", "the budget policy is warn or block")
	}
	return nil
}

// Period is one budget period: a fiscal year, or a quarter of one.
type Period struct {
	Year    int // the calendar year the fiscal year begins in
	Quarter int // 1–4, or 0 for the whole fiscal year
}

// Key is the period's stable name, stored in the ledger: "FY2026" or
// "FY2026-Q3".
func (p Period) Key() string {
	if p.Quarter == 0 {
		return fmt.Sprintf("FY%04d", p.Year)
	}
	return fmt.Sprintf("FY%04d-Q%d", p.Year, p.Quarter)
}

func (p Period) String() string { return p.Key() }

// ParsePeriod reads a Key.
func ParsePeriod(key string) (Period, error) {
	bad := Errorf(EINVALID, "error.budget.period", "%q is not a budget period such as FY2026 or FY2026-Q1", key).
		With(map[string]any{"Period": key})
	rest, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(key)), "FY")
	if !ok {
		return Period{}, bad
	}
	year, q, hasQ := strings.Cut(rest, "-Q")
	y, err := strconv.Atoi(year)
	if err != nil || len(year) != 4 || y < 1900 || y > 9998 {
		return Period{}, bad
	}
	p := Period{Year: y}
	if hasQ {
		n, err := strconv.Atoi(q)
		if err != nil || len(q) != 1 || n < 1 || n > 4 {
			return Period{}, bad
		}
		p.Quarter = n
	}
	return p, nil
}

// PeriodOf returns the period containing t, in loc.
func (s BudgetSettings) PeriodOf(t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	start := s.FiscalYearStart
	if start == 0 {
		start = time.January
	}
	months := int(t.Month()) - int(start) // months since the fiscal year began
	year := t.Year()
	if months < 0 {
		months += 12
		year--
	}
	if s.Period == PeriodQuarter {
		return Period{Year: year, Quarter: months/3 + 1}
	}
	return Period{Year: year}
}

// Bounds returns the period's first instant and the first instant after it,
// in loc.
func (s BudgetSettings) Bounds(p Period, loc *time.Location) (from, to time.Time) {
	start := s.FiscalYearStart
	if start == 0 {
		start = time.January
	}
	if p.Quarter == 0 {
		from = time.Date(p.Year, start, 1, 0, 0, 0, 0, loc)
		return from, from.AddDate(1, 0, 0)
	}
	from = time.Date(p.Year, start+time.Month(3*(p.Quarter-1)), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 3, 0)
}

// Periods returns the periods of the site's kind around t: the n before,
// the current one and the n after, oldest first.
func (s BudgetSettings) Periods(t time.Time, loc *time.Location, n int) []Period {
	cur := s.PeriodOf(t, loc)
	from, _ := s.Bounds(cur, loc)
	step := func(k int) time.Time {
		if s.Period == PeriodQuarter {
			return from.AddDate(0, 3*k, 0)
		}
		return from.AddDate(k, 0, 0)
	}
	var out []Period
	for k := -n; k <= n; k++ {
		out = append(out, s.PeriodOf(step(k), loc))
	}
	return out
}

// LedgerKind is what a ledger entry records.
type LedgerKind string

const (
	LedgerAllocation    LedgerKind = "allocation"    // budget given to the department for a period
	LedgerCharge        LedgerKind = "charge"        // a session's estimate (or its rise) paid
	LedgerRefund        LedgerKind = "refund"        // an estimate's fall refunded before the start
	LedgerTrueUp        LedgerKind = "true-up"       // actual cost minus what was paid: + charged, − refunded
	LedgerReimbursement LedgerKind = "reimbursement" // the organisation paid the department back
)

// LedgerEntry is one movement of a department's budget. AmountMinor is
// positive, in minor units of Currency, except for a true-up, whose sign
// says which way the money went (negative: refunded to the department).
type LedgerEntry struct {
	ID           int64
	DepartmentID int64
	Period       string // Period.Key()
	Kind         LedgerKind
	AmountMinor  int64
	Currency     string
	SessionID    int64 // 0 for allocations and reimbursements
	PaymentID    int64 // the journal row; 0 for allocations and reimbursements
	Reference    string
	Note         string
	At           time.Time
}

// SpentMinor is what the entry adds to the department's spending: a
// charge and a positive true-up add, a refund and a negative true-up take
// away, an allocation and a reimbursement do not spend.
func (e LedgerEntry) SpentMinor() int64 {
	switch e.Kind {
	case LedgerCharge, LedgerTrueUp:
		return e.AmountMinor
	case LedgerRefund:
		return -e.AmountMinor
	}
	return 0
}

// DepartmentBudget is a department's budget in one period.
type DepartmentBudget struct {
	Department Department
	Period     string
	Currency   string
	// AllocatedMinor is the sum of the period's allocations.
	AllocatedMinor int64
	// SpentMinor is what was paid, net of refunds and true-ups, for
	// sessions of the period that have been held (started, or ended).
	SpentMinor int64
	// CommittedMinor is what was paid for sessions of the period that are
	// scheduled and not yet held.
	CommittedMinor int64
	// ReimbursedMinor is what the organisation has paid back.
	ReimbursedMinor int64
}

// RemainingMinor is allocated minus spent minus committed; negative when
// overspent.
func (b DepartmentBudget) RemainingMinor() int64 {
	return b.AllocatedMinor - b.SpentMinor - b.CommittedMinor
}

// OwedMinor is what the organisation still owes the department.
func (b DepartmentBudget) OwedMinor() int64 {
	return b.SpentMinor + b.CommittedMinor - b.ReimbursedMinor
}

// BudgetStore persists departments, budget settings and the ledger.
// Charges, refunds and true-ups are written by the payment journal's
// settlement (storage.applyPurposeEffects), in the same transaction as the
// payment, never through this interface.
type BudgetStore interface {
	BudgetSettings(ctx context.Context) (BudgetSettings, error)
	// SaveBudgetSettings stores the settings; it refuses (ECONFLICT
	// "error.budget.period_locked") to change the period kind or the
	// fiscal year's start once the ledger has entries.
	SaveBudgetSettings(ctx context.Context, s BudgetSettings, audit []AuditEntry) error

	Departments(ctx context.Context) ([]Department, error)
	Department(ctx context.Context, id int64) (Department, error)
	// CreateDepartment inserts d and sets its ID and times; ECONFLICT
	// "error.department.exists" for a name or cost centre already used.
	CreateDepartment(ctx context.Context, d *Department, audit []AuditEntry) error
	UpdateDepartment(ctx context.Context, d *Department, audit []AuditEntry) error

	// AddLedgerEntry records an allocation or a reimbursement.
	AddLedgerEntry(ctx context.Context, e *LedgerEntry, audit []AuditEntry) error
	// Ledger returns a department's entries of a period ("" for every
	// period), oldest first.
	Ledger(ctx context.Context, departmentID int64, period string) ([]LedgerEntry, error)
	// Budgets returns every department's budget in a period; a session
	// counts as held once started or once it ended before now.
	Budgets(ctx context.Context, period string, now time.Time) ([]DepartmentBudget, error)
}
