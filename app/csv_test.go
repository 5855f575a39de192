package app

import (
	"bytes"
	"encoding/csv"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// formulaPayloads are cells a spreadsheet would run: OWASP's leading
// characters, and one hidden behind a semicolon, which a spreadsheet in a
// decimal-comma locale (Polish Excel) reads as the separator.
var formulaPayloads = []string{"=1+2", "@SUM(1)", "+1+2", "-1+2", "\t=1+2", "\r=1+2", "x;=1+2;", "=HYPERLINK(\"http://x\",\"y\")"}

var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// runsAsFormula is what a spreadsheet treats as a formula: a cell whose
// first character is one of OWASP's, unless it is a plain number.
func runsAsFormula(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainNumber.MatchString(cell)
}

// checkNoFormula reads out as a spreadsheet would, splitting on commas and,
// as Excel does in Polish, on semicolons, and fails on any cell that would
// run.
func checkNoFormula(t *testing.T, out []byte) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(out))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	for _, row := range rows {
		for _, cell := range row {
			if runsAsFormula(cell) {
				t.Errorf("cell %q runs as a formula", cell)
			}
		}
	}
	for _, line := range strings.Split(string(out), "\n") {
		for _, piece := range strings.Split(line, ";") {
			if runsAsFormula(piece) {
				t.Errorf("split on semicolons, %q runs as a formula in line %q", piece, line)
			}
		}
	}
}

func TestReimbursementCSVNeutralisesFormulasInDepartmentAndCostCentre(t *testing.T) {
	r := ReimbursementReport{
		Department: Department{Name: "=1+2", CostCentre: "@SUM(1)"}, Period: "FY2026", Currency: "USD",
		Lines: []ReimbursementLine{{SessionID: 7, Topic: "Go", PaidMinor: 1250, References: []string{"TP-1"}}}, PaidMinor: 1250,
	}
	var b bytes.Buffer
	if err := r.WriteCSV(&b, ReportLabels{
		Department: "Department", CostCentre: "Cost centre", Period: "Period",
		Session: "Session", Topic: "Topic", Date: "Date", Paid: "Paid", References: "References",
		TotalPaid: "Total paid", Reimbursed: "Reimbursed", Owed: "Still owed",
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\r\n'=1+2,'@SUM(1),FY2026,7,Go,,12.50,USD,TP-1,production\r\n") {
		t.Errorf("department and cost centre not neutralised:\n%s", b.String())
	}
	checkNoFormula(t, b.Bytes())
}

// exporters writes each CSV export with h in every cell a person or a file
// can fill, and amounts that are negative.
var exporters = map[string]func(h string) ([]byte, error){
	"registrations": func(h string) ([]byte, error) {
		var b bytes.Buffer
		err := WriteRegistrationsCSV(&b, []Registration{{
			Confirmation: h, SessionID: 1, Attendee: Attendee{
				FirstName: h,
				LastName:  h, Email: h, Company: h, Country: h,
			}, Status: RegistrationStatus(h), Currency: "USD",
			FeeMinor: 5000, DiscountMinor: -1250, PromoCode: h, Method: Method(h), Brand: Brand(h), Last4: h,
			GatewayRef: h, Mode: Mode(h), CreatedAt: time.Unix(0, 0),
		}})
		return b.Bytes(), err
	},
	"promo codes": func(h string) ([]byte, error) {
		var b bytes.Buffer
		err := WritePromoCodesCSV(&b, []PromoCode{{
			Code: h, Kind: DiscountFixed, FixedMinor: 1250, Currency: "USD",
			PerAttendeeLimit: 1, ValidFrom: time.Unix(0, 0), ValidUntil: time.Unix(86400, 0), AllSessions: true,
		}}, "UTC")
		return b.Bytes(), err
	},
	"promo recipients": func(h string) ([]byte, error) {
		var b bytes.Buffer
		err := WritePromoRecipientsCSV(&b, []PromoRecipient{{CodeID: 1, Email: h, Name: h, FailedReason: h}}, map[int64]string{1: h})
		return b.Bytes(), err
	},
	"promo report": func(h string) ([]byte, error) {
		var b bytes.Buffer
		err := WritePromoReportsCSV(&b, []PromoReport{{Code: h, ChargedMinor: 0, RefundedMinor: 1250, RevenueMinor: -1250, Currency: "USD"}})
		return b.Bytes(), err
	},
	"reimbursement": func(h string) ([]byte, error) {
		var b bytes.Buffer
		r := ReimbursementReport{
			Department: Department{Name: h, CostCentre: h}, Period: h, Currency: "USD",
			Lines:     []ReimbursementLine{{SessionID: 1, Topic: h, PaidMinor: -1250, References: []string{h}}},
			PaidMinor: -1250,
		}
		err := r.WriteCSV(&b, ReportLabels{
			Department: h, CostCentre: h, Period: h, Session: h, Topic: h, Date: h, Paid: h,
			References: h, TotalPaid: h, Reimbursed: h, Owed: h,
		})
		return b.Bytes(), err
	},
}

// negativeAmount: the exports above with an amount of -12.50.
var negativeAmount = map[string]bool{"registrations": true, "promo report": true, "reimbursement": true}

func TestEveryCSVExportNeutralisesFormulasAndKeepsNegativeAmountsNumbers(t *testing.T) {
	for name, export := range exporters {
		for _, h := range formulaPayloads {
			t.Run(name+"/"+strings.ReplaceAll(h, "\r", `\r`), func(t *testing.T) {
				out, err := export(h)
				if err != nil {
					t.Fatal(err)
				}
				checkNoFormula(t, out)
				checkWrittenByCSVWriter(t, out)
				if negativeAmount[name] && !regexp.MustCompile(`(^|,)-12\.50(,|\r\n)`).Match(out) {
					t.Errorf("the negative amount is not a plain number:\n%s", out)
				}
			})
		}
	}
}

// checkWrittenByCSVWriter proves out came from CSVWriter: read back and
// written again by it, it is the same bytes (quoting, line ends and
// neutralised cells included; CSVCell leaves a neutralised cell as it is).
// encoding/csv's writer, for one, does not quote a cell with a semicolon.
func checkWrittenByCSVWriter(t *testing.T, out []byte) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(out))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := NewCSVWriter(&again).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), out) {
		t.Errorf("not CSVWriter's output:\n%q\nCSVWriter writes:\n%q", out, again.Bytes())
	}
}

// TestNoCSVWriterButTheOne fails when any Go file of the module writes CSV
// with encoding/csv instead of CSVWriter.
func TestNoCSVWriterButTheOne(t *testing.T) {
	fset := token.NewFileSet()
	found := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vendor" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		found++
		csvName := ""
		for _, imp := range f.Imports {
			if imp.Path.Value == `"encoding/csv"` {
				csvName = "csv"
				if imp.Name != nil {
					csvName = imp.Name.Name
				}
			}
		}
		if csvName == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == csvName && (sel.Sel.Name == "NewWriter" || sel.Sel.Name == "Writer") {
					if !strings.HasSuffix(path, "_test.go") {
						t.Errorf("%s: %s.%s writes CSV past CSVWriter", fset.Position(sel.Pos()), csvName, sel.Sel.Name)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Fatalf("only %d Go files found: not the module", found)
	}
}

// FuzzCSVCell: whatever a cell holds, no piece of it runs as a formula
// (split on commas or semicolons), no forbidden character but a line feed,
// tab or carriage return survives, and neutralising twice changes nothing.
func FuzzCSVCell(f *testing.F) {
	for _, s := range formulaPayloads {
		f.Add(s)
	}
	f.Add("-12.50")
	f.Add("a\x00\u202e;;-1")
	f.Fuzz(func(t *testing.T, s string) {
		c := CSVCell(s)
		if CSVCell(c) != c {
			t.Fatalf("%q: %q then %q", s, c, CSVCell(c))
		}
		for _, piece := range strings.Split(c, ";") {
			if runsAsFormula(piece) {
				t.Fatalf("%q: piece %q of %q runs", s, piece, c)
			}
		}
		for _, r := range c {
			if r != '\n' && r != '\t' && r != '\r' && HasControl(string(r)) {
				t.Fatalf("%q: %U left in %q", s, r, c)
			}
		}
		var b bytes.Buffer
		if err := NewCSVWriter(&b).WriteAll([][]string{{s, "x"}}); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil || len(rows) != 1 || len(rows[0]) != 2 || rows[0][1] != "x" ||
			rows[0][0] != strings.ReplaceAll(c, "\r\n", "\n") {
			t.Fatalf("%q written as %q reads back as %q, %v", s, c, rows, err)
		}
	})
}

// TestCSVWriterLineBreaksAsEncodingCSVWithCRLF: line ends and line breaks
// inside quoted cells come out as encoding/csv writes them with UseCRLF
// ("\n" and "\r\n" as "\r\n"), quotes and commas too, for cells that need
// no neutralising; a lone "\r" in a cell is kept, so it reads back.
func TestCSVWriterLineBreaksAsEncodingCSVWithCRLF(t *testing.T) {
	var lone bytes.Buffer
	if err := NewCSVWriter(&lone).WriteAll([][]string{{"lone\rreturn"}}); err != nil {
		t.Fatal(err)
	}
	if lone.String() != "\"lone\rreturn\"\r\n" {
		t.Errorf("a lone carriage return written as %q", lone.String())
	}
	records := [][]string{
		{"id", "name", "note"},
		{"1", "Zażółć \"gęślą\"", "line one\nline two"},
		{"2", "a,b", "windows\r\nbreak"},
	}
	var want, got bytes.Buffer
	std := csv.NewWriter(&want)
	std.UseCRLF = true
	if err := std.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	if err := NewCSVWriter(&got).WriteAll(records); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("got %q\nwant %q", got.String(), want.String())
	}
}
