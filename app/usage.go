package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The usage CSV is what a conferencing system reports after the sessions:
// one line per session with its person-minutes and teleconference minutes.
//
//	session,person_minutes,teleconference_minutes
//	12,2250,900
//	session:13;1800;0
//
// The session is its number or its journal reference ("session:12"). A
// header line is optional; commas or semicolons separate the fields (a
// spreadsheet in a language with a decimal comma writes semicolons). Every
// bad line is reported with its number and the rest are still read, so the
// person fixes the file once.

// Limits of a usage CSV: far above one site's sessions, small enough to
// read into memory.
const (
	MaxUsageCSVBytes  = 4 << 20
	MaxUsageLines     = 20_000
	maxUsageLineBytes = 1024
)

// UsageSourceImport and UsageSourceEntered are ActualUsage.Source values.
const (
	UsageSourceEntered = "entered"
	UsageSourceImport  = "import"
)

// UsageLine is one good line of a usage CSV.
type UsageLine struct {
	Line                  int // 1-based line number in the file
	SessionID             int64
	PersonMinutes         int64
	TeleconferenceMinutes int64
}

// UsageProblem is a line that cannot be used, and why (an EINVALID or
// ENOTFOUND/ECONFLICT *Error whose key says what is wrong with it).
type UsageProblem struct {
	Line int
	Err  error
}

// ParseUsageCSV reads a usage CSV. It returns the good lines and the bad
// ones; the error is for a file that cannot be used at all (too large,
// too many lines, no line of usage).
func ParseUsageCSV(r io.Reader) ([]UsageLine, []UsageProblem, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxUsageCSVBytes+1))
	var lines []UsageLine
	var problems []UsageProblem
	seen := map[int64]int{}
	read, n := 0, 0
	sep := rune(0)
	headerAllowed := true
	for {
		raw, err := br.ReadString('\n')
		read += len(raw)
		if read > MaxUsageCSVBytes {
			return nil, nil, Errorf(EINVALID, "error.usage.too_large_file", "the usage file is larger than %d bytes", MaxUsageCSVBytes).
				With(map[string]any{"Max": MaxUsageCSVBytes >> 20})
		}
		if raw == "" && err != nil {
			if !errors.Is(err, io.EOF) {
				return nil, nil, Internal(err, "read the usage file")
			}
			break
		}
		n++
		if n > MaxUsageLines {
			return nil, nil, Errorf(EINVALID, "error.usage.too_many_lines", "the usage file has more than %d lines", MaxUsageLines).
				With(map[string]any{"Max": MaxUsageLines})
		}
		text := strings.TrimRight(raw, "\r\n")
		if n == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		problem := func(e *Error) { problems = append(problems, UsageProblem{Line: n, Err: e}) }
		if len(text) > maxUsageLineBytes {
			problem(Errorf(EINVALID, "error.usage.line_too_long", "the line is longer than %d characters", maxUsageLineBytes).
				With(map[string]any{"Max": maxUsageLineBytes}))
			headerAllowed = false
			continue
		}
		if !utf8.ValidString(text) {
			problem(Errorf(EINVALID, "error.usage.encoding", "the line is not UTF-8 text"))
			headerAllowed = false
			continue
		}
		if sep == 0 {
			sep = ','
			if !strings.ContainsRune(text, ',') && strings.ContainsRune(text, ';') {
				sep = ';'
			}
		}
		fields, ferr := splitUsageLine(text, sep)
		if ferr != nil {
			problem(Errorf(EINVALID, "error.usage.quotes", "the line's quotes are not closed or not where CSV allows them"))
			headerAllowed = false
			continue
		}
		if headerAllowed {
			headerAllowed = false
			if isUsageHeader(fields) {
				continue
			}
		}
		line, e := parseUsageFields(fields)
		if e != nil {
			problem(e)
			continue
		}
		if first, dup := seen[line.SessionID]; dup {
			problem(Errorf(EINVALID, "error.usage.duplicate", "session %d is also on line %d", line.SessionID, first).
				With(map[string]any{"ID": line.SessionID, "First": first}))
			continue
		}
		seen[line.SessionID] = n
		line.Line = n
		lines = append(lines, line)
	}
	if len(lines) == 0 && len(problems) == 0 {
		return nil, nil, Errorf(EINVALID, "error.usage.empty", "the usage file has no line of usage")
	}
	return lines, problems, nil
}

// splitUsageLine splits one line as CSV does (quotes allowed), trimming
// spaces around each field.
func splitUsageLine(text string, sep rune) ([]string, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	rec, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if _, err := cr.Read(); !errors.Is(err, io.EOF) {
		// A quoted field spanning lines is not usage data.
		return nil, errors.New("more than one record")
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec, nil
}

// isUsageHeader: a first line whose minutes are not numbers names the
// columns.
func isUsageHeader(fields []string) bool {
	if len(fields) < 2 {
		return false
	}
	_, e1 := strconv.ParseInt(fields[1], 10, 64)
	return e1 != nil && !isDigits(fields[0])
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseUsageSession reads "12", "#12" or "session:12".
func parseUsageSession(s string) (int64, bool) {
	if id, ok := ParseSessionReference(strings.ToLower(s)); ok {
		return id, true
	}
	s = strings.TrimPrefix(s, "#")
	if !isDigits(s) {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

func parseUsageMinutes(s string) (int64, bool) {
	if !isDigits(s) || len(s) > 15 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func parseUsageFields(f []string) (UsageLine, *Error) {
	if len(f) != 3 {
		return UsageLine{}, Errorf(EINVALID, "error.usage.fields",
			"a line has 3 fields (session, person-minutes, teleconference minutes), not %d", len(f)).
			With(map[string]any{"Count": len(f)})
	}
	id, ok := parseUsageSession(f[0])
	if !ok {
		return UsageLine{}, Errorf(EINVALID, "error.usage.session", "%q is not a session number", f[0]).
			With(map[string]any{"Value": VisibleText(f[0])})
	}
	person, ok1 := parseUsageMinutes(f[1])
	tele, ok2 := parseUsageMinutes(f[2])
	switch {
	case !ok1 || !ok2:
		return UsageLine{}, Errorf(EINVALID, "error.usage.minutes", "minutes are whole numbers of at least 0")
	case person > MaxSessionMinutes*MaxComputers:
		return UsageLine{}, Errorf(EINVALID, "error.payperuse.too_large", "the estimated cost is larger than TrainPay can charge")
	case tele > person:
		return UsageLine{}, Errorf(EINVALID, "error.usage.tele_above_person",
			"%d teleconference minutes is more than the %d person-minutes", tele, person).
			With(map[string]any{"Teleconference": tele, "Person": person})
	}
	return UsageLine{SessionID: id, PersonMinutes: person, TeleconferenceMinutes: tele}, nil
}

// UsagePreview is what recording one line of a usage CSV would do.
type UsagePreview struct {
	UsageLine
	TrueUp TrueUp // the actual cost at the session's frozen rates against what was paid
	// Replaces is the actual usage recorded before (nil when none).
	Replaces *ActualUsage
}

// PreviewUsage checks each line against its session (pay-per-use, paid)
// and prices it, recording nothing. Lines that cannot be recorded come
// back as problems, with their line numbers.
func (s *PayPerUseService) PreviewUsage(ctx context.Context, lines []UsageLine) ([]UsagePreview, []UsageProblem, error) {
	if err := s.Available(ctx); err != nil {
		return nil, nil, err
	}
	var out []UsagePreview
	var problems []UsageProblem
	for _, l := range lines {
		p, err := s.previewLine(ctx, l)
		if err != nil {
			if ErrorCode(err) == EINTERNAL {
				return nil, nil, err
			}
			problems = append(problems, UsageProblem{Line: l.Line, Err: err})
			continue
		}
		out = append(out, p)
	}
	return out, problems, nil
}

func (s *PayPerUseService) previewLine(ctx context.Context, l UsageLine) (UsagePreview, error) {
	ses, err := s.payPerUseSession(ctx, l.SessionID)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return UsagePreview{}, Errorf(ENOTFOUND, "error.usage.no_session", "there is no session %d", l.SessionID).
				With(map[string]any{"ID": l.SessionID})
		}
		return UsagePreview{}, err
	}
	acc, err := s.Store.PayPerUseAccount(ctx, l.SessionID)
	if err != nil {
		return UsagePreview{}, err
	}
	if !acc.Frozen || acc.PaidMinor == 0 {
		return UsagePreview{}, Errorf(ECONFLICT, "error.usage.unpaid", "session %d was never paid", l.SessionID).
			With(map[string]any{"ID": l.SessionID, "Topic": ses.Topic})
	}
	actual, err := ActualCost(l.PersonMinutes, l.TeleconferenceMinutes, acc.Rates)
	if err != nil {
		return UsagePreview{}, err
	}
	return UsagePreview{
		UsageLine: l, Replaces: acc.Actual,
		TrueUp: TrueUp{Session: ses, Actual: actual, PaidMinor: acc.PaidMinor, DiffMinor: actual.TotalMinor - acc.PaidMinor},
	}, nil
}

// ApplyUsage records the actual usage of each line (source "import") and
// returns the true-ups it recorded; a line refused on the way (its
// session changed since the preview) comes back as a problem.
func (s *PayPerUseService) ApplyUsage(ctx context.Context, lines []UsageLine) ([]TrueUp, []UsageProblem, error) {
	var out []TrueUp
	var problems []UsageProblem
	for _, l := range lines {
		tu, err := s.RecordActual(ctx, l.SessionID, l.PersonMinutes, l.TeleconferenceMinutes, UsageSourceImport)
		if err != nil {
			if ErrorCode(err) == EINTERNAL {
				return out, problems, err
			}
			problems = append(problems, UsageProblem{Line: l.Line, Err: err})
			continue
		}
		out = append(out, tu)
	}
	return out, problems, nil
}
