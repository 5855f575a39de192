package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// BudgetStores is what RunBudgetStore exercises: departments, budget
// settings and the ledger, on a site (whose currency and time zone the
// budgets are in), and the journal's refusal of pay-per-use sales of
// sessions above their department's budget.
type BudgetStores interface {
	app.SiteStore
	app.BudgetStore
	app.SessionStore
	app.PaymentStore
}

// RunBudgetStore runs the departments, budget settings and ledger contract
// against fresh stores from open.
func RunBudgetStore(t *testing.T, open func(t *testing.T) BudgetStores) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, BudgetStores)
	}{
		{"SettingsLockTheirPeriodsOnceTheLedgerHasEntries", budgetSettingsLockPeriods},
		{"DepartmentsAreUniqueByNameAndCostCentre", departmentsAreUnique},
		{"LedgerTakesAllocationsAndReimbursementsByHand", ledgerByHand},
		{"BudgetsSumEachDepartmentsPeriodInTheSiteCurrency", budgetsSumPeriods},
		{"PayPerUseSaleAboveTheDepartmentsBudgetIsRefusedByTheJournal", payPerUseSaleAboveTheBudgetIsRefused},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			if err := s.CreateSite(context.Background(), TestSite(), app.AdminCredential{Hash: "h"}, nil); err != nil {
				t.Fatal(err)
			}
			c.run(t, s)
		})
	}
}

// NewDepartment creates a department named name with cost centre cc.
func NewDepartment(t *testing.T, s app.BudgetStore, name, cc string) app.Department {
	t.Helper()
	d := app.Department{Name: name, CostCentre: cc, OwnerName: "Ewa Kowalska", OwnerEmail: "ewa@example.pl"}
	if err := s.CreateDepartment(context.Background(), &d, nil); err != nil {
		t.Fatalf("CreateDepartment(%s): %v", name, err)
	}
	return d
}

func budgetSettingsLockPeriods(t *testing.T, s BudgetStores) {
	ctx := context.Background()
	got, err := s.BudgetSettings(ctx)
	if err != nil || got != app.DefaultBudgetSettings {
		t.Fatalf("BudgetSettings() = %+v, %v; want the defaults", got, err)
	}
	quarterly := app.BudgetSettings{Period: app.PeriodQuarter, FiscalYearStart: time.July, Policy: app.PolicyBlock}
	if err := s.SaveBudgetSettings(ctx, quarterly, []app.AuditEntry{auditEntry("budget.period", "", "fiscal-year", "quarter")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.BudgetSettings(ctx); got != quarterly {
		t.Fatalf("after saving: %+v, want %+v", got, quarterly)
	}
	bad := quarterly
	bad.Policy = "maybe"
	if err := s.SaveBudgetSettings(ctx, bad, nil); app.ErrorCode(err) != app.EINTERNAL {
		t.Fatalf("an unknown policy: %v", err)
	}
	d := NewDepartment(t, s, "Sprzedaż", "CC-1")
	if err := s.AddLedgerEntry(ctx, &app.LedgerEntry{
		DepartmentID: d.ID, Period: "FY2026-Q1", Kind: app.LedgerAllocation,
		AmountMinor: 1000, Currency: "PLN",
	}, nil); err != nil {
		t.Fatal(err)
	}
	for _, change := range []app.BudgetSettings{
		{Period: app.PeriodFiscalYear, FiscalYearStart: time.July, Policy: app.PolicyBlock},
		{Period: app.PeriodQuarter, FiscalYearStart: time.January, Policy: app.PolicyBlock},
	} {
		err := s.SaveBudgetSettings(ctx, change, []app.AuditEntry{auditEntry("budget.period", "", "", "changed")})
		WantError(t, err, app.ECONFLICT, "error.budget.period_locked")
	}
	// The policy may still change.
	quarterly.Policy = app.PolicyWarn
	if err := s.SaveBudgetSettings(ctx, quarterly, []app.AuditEntry{auditEntry("budget.policy", "", "block", "warn")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.BudgetSettings(ctx); got != quarterly {
		t.Fatalf("after changing the policy: %+v, want %+v", got, quarterly)
	}
	if n := AuditCount(t, s); n != 2 {
		t.Fatalf("audit has %d entries, want 2", n)
	}
}

func departmentsAreUnique(t *testing.T, s BudgetStores) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	sales := app.Department{Name: "Sprzedaż", CostCentre: "CC-4100", OwnerName: "Ewa Kowalska", OwnerEmail: "ewa@example.pl"}
	if err := s.CreateDepartment(ctx, &sales, []app.AuditEntry{auditEntry("department.created", "Sprzedaż", "", "CC-4100")}); err != nil {
		t.Fatal(err)
	}
	if sales.ID == 0 || sales.CreatedAt.Before(before) || sales.UpdatedAt != sales.CreatedAt {
		t.Fatalf("created %+v", sales)
	}
	got, err := s.Department(ctx, sales.ID)
	if err != nil || got != sales {
		t.Fatalf("Department() = %+v, %v; want %+v", got, err, sales)
	}
	hr := NewDepartment(t, s, "HR", "CC-2000")
	archive := NewDepartment(t, s, "archiwum", "CC-3000")

	for _, dup := range []app.Department{
		{Name: "SPRZEDAŻ", CostCentre: "CC-9", OwnerName: "X", OwnerEmail: "x@example.pl"},
		{Name: "Marketing", CostCentre: "CC-4100", OwnerName: "X", OwnerEmail: "x@example.pl"},
	} {
		err := s.CreateDepartment(ctx, &dup, []app.AuditEntry{auditEntry("department.created", dup.Name, "", "")})
		WantError(t, err, app.ECONFLICT, "error.department.exists")
	}
	_, err = s.Department(ctx, 987654)
	WantError(t, err, app.ENOTFOUND, "error.department.not_found")

	time.Sleep(2 * time.Millisecond)
	hr.Name, hr.OwnerEmail = "Kadry", "kadry@example.pl"
	if err := s.UpdateDepartment(ctx, &hr, []app.AuditEntry{auditEntry("department.name", "CC-2000", "HR", "Kadry")}); err != nil {
		t.Fatal(err)
	}
	if !hr.UpdatedAt.After(hr.CreatedAt) {
		t.Fatalf("updated %+v", hr)
	}
	if got, _ := s.Department(ctx, hr.ID); got != hr {
		t.Fatalf("after UpdateDepartment: %+v, want %+v", got, hr)
	}
	clash := hr
	clash.CostCentre = "CC-3000"
	err = s.UpdateDepartment(ctx, &clash, []app.AuditEntry{auditEntry("department.cost_centre", "", "CC-2000", "CC-3000")})
	WantError(t, err, app.ECONFLICT, "error.department.exists")
	gone := app.Department{ID: 987654, Name: "Nikt", CostCentre: "CC-0", OwnerName: "X", OwnerEmail: "x@example.pl"}
	err = s.UpdateDepartment(ctx, &gone, nil)
	WantError(t, err, app.ENOTFOUND, "error.department.not_found")

	deps, err := s.Departments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range deps {
		names = append(names, d.Name)
	}
	if len(deps) != 3 || deps[0] != archive || deps[1] != hr || deps[2] != sales {
		t.Fatalf("Departments() = %v, want archiwum, Kadry, Sprzedaż (by name, whatever the case)", names)
	}
	if n := AuditCount(t, s); n != 2 {
		t.Fatalf("audit has %d entries, want 2 (refused changes write none)", n)
	}
}

func ledgerByHand(t *testing.T, s BudgetStores) {
	ctx := context.Background()
	d := NewDepartment(t, s, "Sprzedaż", "CC-4100")
	at := time.Date(2026, 2, 3, 4, 5, 6, 7000, time.UTC)
	entries := []app.LedgerEntry{
		{DepartmentID: d.ID, Period: "FY2026", Kind: app.LedgerAllocation, AmountMinor: 500000, Currency: "PLN", Note: "roczny budżet", At: at},
		{DepartmentID: d.ID, Period: "FY2027", Kind: app.LedgerAllocation, AmountMinor: 100, Currency: "PLN", At: at},
		{
			DepartmentID: d.ID, Period: "FY2026", Kind: app.LedgerReimbursement, AmountMinor: 2500, Currency: "PLN",
			Reference: "PZ-7", At: at.Add(time.Hour),
		},
	}
	for i := range entries {
		if err := s.AddLedgerEntry(ctx, &entries[i], []app.AuditEntry{auditEntry("budget.allocated", "", "", "")}); err != nil {
			t.Fatal(err)
		}
		if entries[i].ID == 0 {
			t.Fatalf("entry %d has no id", i)
		}
	}
	noTime := app.LedgerEntry{DepartmentID: d.ID, Period: "FY2026", Kind: app.LedgerAllocation, AmountMinor: 1, Currency: "PLN"}
	before := time.Now().Add(-time.Second)
	if err := s.AddLedgerEntry(ctx, &noTime, nil); err != nil {
		t.Fatal(err)
	}
	if noTime.At.Before(before) || noTime.At.Location() != time.UTC {
		t.Fatalf("an entry without a time got %v, want now in UTC", noTime.At)
	}

	for _, kind := range []app.LedgerKind{app.LedgerCharge, app.LedgerRefund, app.LedgerTrueUp} {
		err := s.AddLedgerEntry(ctx, &app.LedgerEntry{
			DepartmentID: d.ID, Period: "FY2026", Kind: kind, AmountMinor: 1,
			Currency: "PLN",
		}, []app.AuditEntry{auditEntry("budget.allocated", "", "", "")})
		WantError(t, err, app.EINVALID, "error.budget.kind")
	}
	err := s.AddLedgerEntry(ctx, &app.LedgerEntry{
		DepartmentID: 987654, Period: "FY2026", Kind: app.LedgerAllocation,
		AmountMinor: 1, Currency: "PLN",
	}, nil)
	WantError(t, err, app.ENOTFOUND, "error.department.not_found")
	if err := s.AddLedgerEntry(ctx, &app.LedgerEntry{
		DepartmentID: d.ID, Period: "2026", Kind: app.LedgerAllocation,
		AmountMinor: 1, Currency: "PLN",
	}, []app.AuditEntry{auditEntry("budget.allocated", "", "", "")}); err == nil {
		t.Fatal("a period that is not FY... was stored")
	}
	if err := s.AddLedgerEntry(ctx, &app.LedgerEntry{
		DepartmentID: d.ID, Period: "FY2026", Kind: app.LedgerAllocation,
		AmountMinor: -5, Currency: "PLN",
	}, nil); err == nil {
		t.Fatal("a negative allocation was stored")
	}

	all, err := s.Ledger(ctx, d.ID, "")
	if err != nil || len(all) != 4 {
		t.Fatalf("Ledger(all) = %d entries, %v; want 4", len(all), err)
	}
	fy26, err := s.Ledger(ctx, d.ID, "FY2026")
	if err != nil || len(fy26) != 3 {
		t.Fatalf("Ledger(FY2026) = %+v, %v", fy26, err)
	}
	want := []app.LedgerEntry{entries[0], entries[2], noTime}
	for i := range want {
		w := want[i]
		w.At = w.At.Truncate(time.Microsecond)
		got := fy26[i]
		got.At = got.At.Truncate(time.Microsecond)
		if got != w {
			t.Errorf("FY2026 entry %d = %+v, want %+v", i, got, w)
		}
	}
	if other, err := s.Ledger(ctx, d.ID+1, ""); err != nil || len(other) != 0 || other == nil {
		t.Fatalf("another department's ledger: %#v, %v", other, err)
	}
	if n := AuditCount(t, s); n != 3 {
		t.Fatalf("audit has %d entries, want 3", n)
	}
}

func budgetsSumPeriods(t *testing.T, s BudgetStores) {
	ctx := context.Background()
	sales := NewDepartment(t, s, "Sprzedaż", "CC-4100")
	hr := NewDepartment(t, s, "Kadry", "CC-2000")
	add := func(d app.Department, period string, kind app.LedgerKind, amount int64, cur string) {
		t.Helper()
		if err := s.AddLedgerEntry(ctx, &app.LedgerEntry{
			DepartmentID: d.ID, Period: period, Kind: kind, AmountMinor: amount,
			Currency: cur,
		}, nil); err != nil {
			t.Fatal(err)
		}
	}
	add(sales, "FY2026", app.LedgerAllocation, 300000, "PLN")
	add(sales, "FY2026", app.LedgerAllocation, 4200, "PLN")
	add(sales, "FY2026", app.LedgerReimbursement, 1000, "PLN")
	add(sales, "FY2026", app.LedgerAllocation, 999, "EUR") // not the site's currency
	add(sales, "FY2027", app.LedgerAllocation, 7, "PLN")

	bs, err := s.Budgets(ctx, "FY2026", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 {
		t.Fatalf("Budgets() = %+v, want both departments", bs)
	}
	byName := map[string]app.DepartmentBudget{}
	for _, b := range bs {
		if b.Period != "FY2026" || b.Currency != "PLN" {
			t.Errorf("budget %+v", b)
		}
		byName[b.Department.Name] = b
	}
	if b := byName["Sprzedaż"]; b.Department != sales || b.AllocatedMinor != 304200 || b.ReimbursedMinor != 1000 ||
		b.SpentMinor != 0 || b.CommittedMinor != 0 || b.RemainingMinor() != 304200 {
		t.Errorf("Sprzedaż: %+v", b)
	}
	if b := byName["Kadry"]; b.Department != hr || b.AllocatedMinor != 0 || b.ReimbursedMinor != 0 {
		t.Errorf("Kadry: %+v", b)
	}
	if bs, err := s.Budgets(ctx, "FY2025", time.Now()); err != nil || len(bs) != 2 || bs[0].AllocatedMinor != 0 || bs[1].AllocatedMinor != 0 {
		t.Errorf("an empty period: %+v, %v", bs, err)
	}
}

// DepartmentSession stores a pay-per-use session of department (0: none)
// starting at startsAt, in PLN and Europe/Warsaw as TestSite.
func DepartmentSession(t *testing.T, s app.SessionStore, department int64, startsAt time.Time) int64 {
	t.Helper()
	ses := app.Session{
		Topic: "Szkolenie produktowe", StartsAt: startsAt.Truncate(time.Minute), TimeZone: "Europe/Warsaw",
		DurationMinutes: 60, Type: app.SessionPayPerUse, Currency: "PLN", ExpectedComputers: 10, DepartmentID: department,
	}
	ses.Normalize()
	if err := s.CreateSession(context.Background(), &ses); err != nil {
		t.Fatal(err)
	}
	return ses.ID
}

// departmentSale is a pay-per-use (or true-up) sale request for a
// session, in PLN.
func departmentSale(purpose app.Purpose, session, amount int64) app.Payment {
	p := NewSale(amount)
	p.Purpose, p.Reference = purpose, app.SessionReference(session)
	return p
}

// Under the block policy the journal refuses a pay-per-use sale that the
// department's budget for its session's period does not cover, counting
// the ledger's charges and the sales open or charged but not yet in it,
// with the block policy's own error and nothing written.
func payPerUseSaleAboveTheBudgetIsRefused(t *testing.T, s BudgetStores) {
	ctx := context.Background()
	settings := app.BudgetSettings{Period: app.PeriodQuarter, FiscalYearStart: time.April, Policy: app.PolicyBlock}
	if err := s.SaveBudgetSettings(ctx, settings, nil); err != nil {
		t.Fatal(err)
	}
	d := NewDepartment(t, s, "Sprzedaż", "CC-4100")
	loc, _ := time.LoadLocation("Europe/Warsaw")
	week := time.Now().Add(7 * 24 * time.Hour)
	period := settings.PeriodOf(week.Truncate(time.Minute), loc).Key()
	allocate := func(period string, amount int64) {
		t.Helper()
		if err := s.AddLedgerEntry(ctx, &app.LedgerEntry{
			DepartmentID: d.ID, Period: period, Kind: app.LedgerAllocation,
			AmountMinor: amount, Currency: "PLN",
		}, nil); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(p app.Payment, due, left string) {
		t.Helper()
		before := count(t, s)
		e := WantError(t, s.CreatePayment(ctx, &p), app.ECONFLICT, "error.budget.exceeded")
		if e.Data["Department"] != d.Name || e.Data["Period"] != period ||
			fmt.Sprint(e.Data["Due"]) != due || fmt.Sprint(e.Data["Remaining"]) != left {
			t.Fatalf("refusal data %v, want %s due and %s left", e.Data, due, left)
		}
		if n := count(t, s); n != before {
			t.Fatalf("%d rows after the refusal, want %d", n, before)
		}
	}
	s1, s2, s3 := DepartmentSession(t, s, d.ID, week), DepartmentSession(t, s, d.ID, week), DepartmentSession(t, s, d.ID, week)
	allocate(period, 500_00)

	a := Create(t, s, departmentSale(app.PurposePayPerUse, s1, 300_00), app.StatePending) // open: counts
	refused(departmentSale(app.PurposePayPerUse, s2, 250_00), "250.00 PLN", "200.00 PLN")
	b := Create(t, s, departmentSale(app.PurposePayPerUse, s2, 200_00), app.StatePending) // exactly what is left
	// Charged, a sale is counted once: by the ledger.
	if err := s.SettlePayment(ctx, a.ID, app.PaymentUpdate{State: app.StateApproved, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if l, err := s.Ledger(ctx, d.ID, period); err != nil || len(l) != 2 || l[1].Kind != app.LedgerCharge {
		t.Fatalf("ledger after the charge: %+v, %v", l, err)
	}
	refused(departmentSale(app.PurposePayPerUse, s3, 1), "0.01 PLN", "0.00 PLN")
	// A declined sale gives its share back.
	if err := s.SettlePayment(ctx, b.ID, app.PaymentUpdate{State: app.StateDeclined, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	Create(t, s, departmentSale(app.PurposePayPerUse, s3, 200_00), app.StateApproved)
	refused(departmentSale(app.PurposePayPerUse, s2, 1), "0.01 PLN", "0.00 PLN")
	// A charged refund gives its amount back through the ledger.
	Create(t, s, NewChild(app.KindRefund, a, 100_00), app.StateApproved)
	Create(t, s, departmentSale(app.PurposePayPerUse, s2, 100_00), app.StatePending)
	refused(departmentSale(app.PurposePayPerUse, s3, 1), "0.01 PLN", "0.00 PLN")

	// Not refused: a true-up (the session was held: its cost is owed), a
	// session with no department, a session of another period against
	// that period's own allocation, and anything under the warn policy.
	Create(t, s, departmentSale(app.PurposeTrueUp, s1, 50_00), app.StatePending)
	Create(t, s, departmentSale(app.PurposePayPerUse, DepartmentSession(t, s, 0, week), 900_00), app.StatePending)
	later := week.AddDate(0, 6, 0)
	s4 := DepartmentSession(t, s, d.ID, later)
	laterPeriod := settings.PeriodOf(later.Truncate(time.Minute), loc).Key()
	p := departmentSale(app.PurposePayPerUse, s4, 10_00)
	WantError(t, s.CreatePayment(ctx, &p), app.ECONFLICT, "error.budget.exceeded")
	allocate(laterPeriod, 10_00)
	Create(t, s, departmentSale(app.PurposePayPerUse, s4, 10_00), app.StatePending)
	settings.Policy = app.PolicyWarn
	if err := s.SaveBudgetSettings(ctx, settings, nil); err != nil {
		t.Fatal(err)
	}
	Create(t, s, departmentSale(app.PurposePayPerUse, s3, 10_000_00), app.StatePending)
}
