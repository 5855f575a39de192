package app

import (
	"context"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// ReimbursementLine is one session in a reimbursement report.
type ReimbursementLine struct {
	SessionID int64
	Topic     string
	StartsAt  time.Time
	// PaidMinor is charges minus refunds plus true-ups for the session.
	PaidMinor int64
	// References are the processor's references of the session's payments
	// (what the payer saw on the receipt and the statement), or the
	// journal's invoice number where the processor gave none.
	References []string
	// Test is set when a payment of the session was made in Test mode: no
	// money moved for it.
	Test bool
}

// ReimbursementReport is what the organisation owes a department for a
// period: its sessions, what it paid for them, what was reimbursed and
// what is still owed.
type ReimbursementReport struct {
	Department Department
	Period     string
	Currency   string
	// TimeZone is the site's time zone (an IANA name); the lines' StartsAt
	// are in it.
	TimeZone string
	Lines    []ReimbursementLine
	// PaidMinor is the sum of the lines: the ledger's charges minus its
	// refunds, plus its true-ups, in the period.
	PaidMinor       int64
	ReimbursedMinor int64
	Reimbursements  []LedgerEntry
}

// Test reports whether any line was paid in Test mode.
func (r ReimbursementReport) Test() bool {
	for _, l := range r.Lines {
		if l.Test {
			return true
		}
	}
	return false
}

// OwedMinor is what is still owed to the department.
func (r ReimbursementReport) OwedMinor() int64 { return r.PaidMinor - r.ReimbursedMinor }

// Report builds a department's reimbursement report for a period.
func (s *BudgetService) Report(ctx context.Context, departmentID int64, period string) (ReimbursementReport, error) {
	if err := s.require(ctx, nil, false); err != nil {
		return ReimbursementReport{}, err
	}
	p, err := ParsePeriod(period)
	if err != nil {
		return ReimbursementReport{}, err
	}
	dep, err := s.Store.Department(ctx, departmentID)
	if err != nil {
		return ReimbursementReport{}, err
	}
	loc, site, err := s.location(ctx)
	if err != nil {
		return ReimbursementReport{}, err
	}
	entries, err := s.Store.Ledger(ctx, departmentID, p.Key())
	if err != nil {
		return ReimbursementReport{}, err
	}
	r := ReimbursementReport{Department: dep, Period: p.Key(), Currency: site.Currency, TimeZone: loc.String()}
	bySession := map[int64]*ReimbursementLine{}
	for _, e := range entries {
		switch e.Kind {
		case LedgerReimbursement:
			r.ReimbursedMinor += e.AmountMinor
			e.At = e.At.In(loc)
			r.Reimbursements = append(r.Reimbursements, e)
			continue
		case LedgerAllocation:
			continue
		}
		line := bySession[e.SessionID]
		if line == nil {
			line = &ReimbursementLine{SessionID: e.SessionID}
			if ses, err := s.Sessions.Session(ctx, e.SessionID); err == nil {
				line.Topic, line.StartsAt = ses.Topic, ses.StartsAt.In(loc)
			} else if ErrorCode(err) != ENOTFOUND {
				return ReimbursementReport{}, err
			}
			bySession[e.SessionID] = line
		}
		line.PaidMinor += e.SpentMinor()
		r.PaidMinor += e.SpentMinor()
		ref, test, err := s.paymentReference(ctx, e)
		if err != nil {
			return ReimbursementReport{}, err
		}
		line.Test = line.Test || test
		if ref != "" {
			line.References = append(line.References, ref)
		}
	}
	for _, l := range bySession {
		r.Lines = append(r.Lines, *l)
	}
	sort.Slice(r.Lines, func(i, j int) bool {
		if !r.Lines[i].StartsAt.Equal(r.Lines[j].StartsAt) {
			return r.Lines[i].StartsAt.Before(r.Lines[j].StartsAt)
		}
		return r.Lines[i].SessionID < r.Lines[j].SessionID
	})
	return r, nil
}

// paymentReference is the reference a ledger entry's payment is known by
// to its payer: the processor's, else the journal's invoice number; and
// whether it was made in Test mode.
func (s *BudgetService) paymentReference(ctx context.Context, e LedgerEntry) (ref string, test bool, err error) {
	if e.PaymentID == 0 || s.Journal == nil {
		return e.Reference, false, nil
	}
	p, err := s.Journal.Payment(ctx, e.PaymentID)
	if err != nil {
		return "", false, err
	}
	if p.GatewayRef != "" {
		return p.GatewayRef, p.Mode == ModeTest, nil
	}
	return e.Reference, p.Mode == ModeTest, nil
}

// MarkReimbursed records that the organisation paid a department back, with
// the reference of its transfer. The amount may not exceed what is owed
// (ECONFLICT "error.reimbursement.above_owed").
func (s *BudgetService) MarkReimbursed(ctx context.Context, a *Admin, departmentID int64, period string, amount currency.Amount, reference string) (LedgerEntry, error) {
	if err := s.require(ctx, a, true); err != nil {
		return LedgerEntry{}, err
	}
	reference = TrimLine(reference)
	if reference == "" {
		return LedgerEntry{}, Errorf(EINVALID, "error.reimbursement.reference_required", "the reimbursement needs the reference of the transfer")
	}
	if err := CheckLine(FieldReference, reference); err != nil {
		return LedgerEntry{}, err
	}
	if utf8.RuneCountInString(reference) > MaxNoteLength {
		return LedgerEntry{}, Errorf(EINVALID, "error.budget.note_too_long", "the note is longer than %d characters", MaxNoteLength).
			With(map[string]any{"Max": MaxNoteLength})
	}
	e, err := s.entry(ctx, departmentID, period, amount, LedgerReimbursement)
	if err != nil {
		return LedgerEntry{}, err
	}
	r, err := s.Report(ctx, departmentID, period)
	if err != nil {
		return LedgerEntry{}, err
	}
	if e.AmountMinor > r.OwedMinor() {
		owed, _ := money.FromMinor(r.OwedMinor(), r.Currency)
		return LedgerEntry{}, Errorf(ECONFLICT, "error.reimbursement.above_owed", "only %s is owed to the department", owed).
			With(map[string]any{"Owed": owed})
	}
	e.Reference = reference
	audit := []AuditEntry{{
		At: e.At, Actor: ActorAdministrator, Action: "budget.reimbursed", Target: period,
		New: amount.String() + " " + reference,
	}}
	if err := s.Store.AddLedgerEntry(ctx, &e, audit); err != nil {
		return LedgerEntry{}, err
	}
	return e, nil
}

// ReportLabels are the report's texts in the reader's language; the UI
// fills them in from its translations.
type ReportLabels struct {
	Title, Department, CostCentre, Owner, Period           string
	Session, Topic, Date, Paid, References                 string
	TotalPaid, Reimbursed, Owed, Reimbursement, NoSessions string
	// TimeZone introduces the site's time zone ("Times in"); TestMode marks
	// a line paid in Test mode, and TestNote heads a report that has one.
	TimeZone, TestMode, TestNote string
	// Money formats an amount for the PDF (the CSV keeps plain numbers
	// with a dot, for spreadsheets); Date formats a session's start.
	Money    func(currency.Amount) string
	DateTime func(time.Time) string
}

// Amount is minor units of the report's currency as an amount.
func (r ReimbursementReport) Amount(minor int64) currency.Amount {
	a, _ := money.FromMinor(minor, r.Currency)
	return a
}

// WriteCSV writes the report as CSV with the one CSV writer (CSVWriter):
// one row per session, then the totals. Amounts are plain numbers with a
// dot (12345.67) so that any spreadsheet reads them; the header row is in
// the reader's language.
func (r ReimbursementReport) WriteCSV(w io.Writer, l ReportLabels) error {
	rows := [][]string{{l.Department, l.CostCentre, l.Period, l.Session, l.Topic, l.Date, l.Paid, "currency", l.References, "mode"}}
	for _, line := range r.Lines {
		date := ""
		if !line.StartsAt.IsZero() {
			// In the site's time zone, with its offset: what the screen
			// shows, and unambiguous for a spreadsheet.
			date = line.StartsAt.Format(time.RFC3339)
		}
		mode := string(ModeProduction)
		if line.Test {
			mode = string(ModeTest)
		}
		rows = append(rows, []string{
			r.Department.Name, r.Department.CostCentre, r.Period,
			strconv.FormatInt(line.SessionID, 10), line.Topic, date, r.Amount(line.PaidMinor).Number(), r.Currency,
			strings.Join(line.References, " "), mode,
		})
	}
	for _, t := range []struct {
		label string
		minor int64
	}{{l.TotalPaid, r.PaidMinor}, {l.Reimbursed, r.ReimbursedMinor}, {l.Owed, r.OwedMinor()}} {
		rows = append(rows, []string{
			r.Department.Name, r.Department.CostCentre, r.Period, "", t.label, "",
			r.Amount(t.minor).Number(), r.Currency, "", "",
		})
	}
	return WriteCSV(w, rows, "report")
}
