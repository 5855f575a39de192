package app

import (
	"bufio"
	"io"
	"regexp"
	"strings"
)

// CSVWriter is the one writer of every CSV file TrainPay exports
// (registrations, promotional codes, their recipients and report, the
// reimbursement report, the command line's estimate). Every cell goes
// through CSVCell, so that no cell, whoever typed it, runs as a formula
// when the file is opened in a spreadsheet.
//
// It is written by hand rather than with encoding/csv because encoding/csv
// cannot be told to quote a cell that holds a semicolon, and OWASP's advice
// on CSV injection is to quote every cell holding a comma or a semicolon:
// a spreadsheet in a decimal-comma locale (Excel in Polish, among others)
// splits lines on semicolons. Otherwise the output is RFC 4180's: quoting
// as encoding/csv does, and "\r\n" line ends, inside a quoted cell too.
//
// Rows are written either whole (Write) or cell by cell (WriteCell,
// WriteCellString, then EndRow), which long exports use to write rows read
// from a database cursor without a []string per row.
type CSVWriter struct {
	w *bufio.Writer
	// inRow: a cell of the current row was written, so the next one
	// starts with a comma.
	inRow bool
	err   error
}

// csvBufferSize is the writer's buffer: large enough that an export of a
// million rows makes few write system calls.
const csvBufferSize = 64 << 10

// NewCSVWriter returns a writer of CSV rows to w; call Flush at the end.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: bufio.NewWriterSize(w, csvBufferSize)}
}

// Write writes one row.
func (c *CSVWriter) Write(row []string) error {
	for _, cell := range row {
		c.WriteCellString(cell)
	}
	return c.EndRow()
}

// WriteCellString writes one cell of the current row, neutralised by
// CSVCell and quoted when needed.
func (c *CSVWriter) WriteCellString(cell string) {
	c.sep()
	c.writeSlow(cell)
}

// WriteCell is WriteCellString for a cell held as bytes, which it does not
// keep: b may be reused as soon as it returns. A cell of printable ASCII
// that needs neither neutralising nor quoting (most cells of an export) is
// copied as it is, without a string.
func (c *CSVWriter) WriteCell(b []byte) {
	c.sep()
	if csvPlainCell(b) {
		c.w.Write(b)
		return
	}
	c.writeSlow(string(b))
}

// EndRow ends the current row and returns the first error met so far.
func (c *CSVWriter) EndRow() error {
	c.inRow = false
	if _, err := c.w.WriteString("\r\n"); err != nil && c.err == nil {
		c.err = err
	}
	return c.err
}

func (c *CSVWriter) sep() {
	if c.inRow {
		c.w.WriteByte(',')
	}
	c.inRow = true
}

func (c *CSVWriter) writeSlow(cell string) {
	cell = CSVCell(cell)
	if csvNeedsQuotes(cell) {
		c.w.WriteByte('"')
		c.w.WriteString(csvQuotedText.Replace(cell))
		c.w.WriteByte('"')
	} else {
		c.w.WriteString(cell)
	}
}

// csvPlainCell reports whether CSVCell leaves b as it is and the writer
// does not quote it: printable ASCII (no control character, nothing the
// text rule forbids), no comma, semicolon or double quote, no leading or
// trailing space, and a first character that cannot start a formula.
func csvPlainCell(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	switch b[0] {
	case '=', '+', '-', '@', ' ':
		return false
	}
	if b[len(b)-1] == ' ' {
		return false
	}
	for _, ch := range b {
		if ch < 0x20 || ch >= 0x7f || ch == ',' || ch == ';' || ch == '"' {
			return false
		}
	}
	return true
}

// WriteAll writes rows and flushes.
func (c *CSVWriter) WriteAll(rows [][]string) error {
	for _, r := range rows {
		if err := c.Write(r); err != nil {
			return err
		}
	}
	return c.Flush()
}

// Flush writes what is buffered and returns the first error met.
func (c *CSVWriter) Flush() error {
	if err := c.w.Flush(); err != nil && c.err == nil {
		c.err = err
	}
	return c.err
}

// WriteCSV writes rows to w with CSVWriter; a failure is an internal error
// naming what was written.
func WriteCSV(w io.Writer, rows [][]string, what string) error {
	if err := NewCSVWriter(w).WriteAll(rows); err != nil {
		return Internal(err, "write the "+what)
	}
	return nil
}

// csvQuotedText is what a quoted cell holds: quotes doubled, and a line
// break as the line ends are, "\r\n", as encoding/csv writes it with
// UseCRLF. A "\r" on its own is kept (encoding/csv would drop it), so the
// cell reads back as it was.
var csvQuotedText = strings.NewReplacer(`"`, `""`, "\r\n", "\r\n", "\n", "\r\n")

func csvNeedsQuotes(cell string) bool {
	if cell == "" {
		return false
	}
	return strings.ContainsAny(cell, ",;\"\r\n") || cell[0] == ' ' || cell[0] == '\t' ||
		cell[len(cell)-1] == ' ' || cell[len(cell)-1] == '\t'
}

// csvPlainNumber is a cell a spreadsheet reads as a number and never as a
// formula: an amount such as -12.50 or a count.
var csvPlainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// CSVCell is what the writer puts in a cell for s, following OWASP's advice
// on CSV injection:
//
//   - a cell that begins with =, +, -, @, a tab or a carriage return is
//     prefixed with a single quote, which spreadsheets show as text, unless
//     it is a plain number ("-12.50", "+3"): a number cannot run, and an
//     amount column must stay numbers that a spreadsheet can add up. So
//     the writer needs no list of which columns are amounts: every cell is
//     treated alike;
//   - the same applies to each piece of a cell after a semicolon, which a
//     spreadsheet splitting on semicolons would read as a cell of its own
//     ("x;=1+2" becomes "x;'=1+2");
//   - a character the text rule forbids (CheckLine's control and
//     invisible format characters), which rows saved before the rule may
//     still hold, becomes U+FFFD, so a NUL or a right-to-left override
//     never reaches a spreadsheet; line feeds and tabs (a multi-line
//     field's) are kept, quoted.
func CSVCell(s string) string {
	s = replaceForbidden(s, "\n\t\r")
	if !strings.Contains(s, ";") {
		return neutralise(s)
	}
	s = neutralise(s)
	pieces := strings.Split(s, ";")
	for i := 1; i < len(pieces); i++ {
		pieces[i] = neutralise(pieces[i])
	}
	return strings.Join(pieces, ";")
}

func neutralise(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || csvPlainNumber.MatchString(s) {
		return s
	}
	return "'" + s
}
