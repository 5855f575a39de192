// Package receipttest reads the text of the PDF receipts and reports
// written through internal/pdftext, so that tests can check what they say:
// Text without a PDF tool, Pdftotext and Pdffonts with poppler's.
package receipttest

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// Pdftotext is the text poppler's pdftotext extracts from pdf. Poppler
// puts right-to-left text, which a PDF holds in visual order, back in
// logical order, and marks the stretches it turned with directional
// embeddings; those are left out, as the words are what tests compare. The
// text is NFKC-normalised, as readers' search is: a ligature (Arabic
// lam-alef) reads as its own character, which NFKC equates with its
// letters. The tests need poppler-utils (make test installs it).
func Pdftotext(t testing.TB, pdf []byte) string {
	t.Helper()
	out := poppler(t, "pdftotext", pdf, "-enc", "UTF-8")
	return norm.NFKC.String(strings.NewReplacer("\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "").Replace(out))
}

// Pdffonts is poppler's list of the fonts pdf embeds.
func Pdffonts(t testing.TB, pdf []byte) string {
	t.Helper()
	return poppler(t, "pdffonts", pdf)
}

func poppler(t testing.TB, tool string, pdf []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s is not installed: make test installs poppler-utils; or install it", tool)
	}
	path := t.TempDir() + "/doc.pdf"
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, path)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return string(out)
}

var (
	// fpdf writes "stream\n", the data as it is, then "\nendstream": a
	// compressed stream may itself end in '\r', which must stay with it.
	streamRE = regexp.MustCompile(`(?s)stream\n(.*?)\nendstream`)
	// opRE matches, in order, a "(…) Tj" string, the start of a
	// marked-content sequence (with its ActualText, if any) and its end.
	opRE = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj|/Span\s*(?:<<\s*/ActualText\s*<([0-9A-Fa-f]*)>\s*>>\s*BDC|BMC)|\bEMC\b`)
)

// Text returns the text shown by a PDF that fpdf wrote through pdftext:
// it inflates the streams, reads every "(…) Tj" string, unescapes it and
// decodes the UTF-16BE that fpdf writes for UTF-8 fonts. A cell drawn in
// several pieces is a marked-content sequence, read as one line; a piece
// with an ActualText (a substitute for a character no font has) reads as
// its ActualText. Text is read in the order drawn, which for right-to-left
// text is its visual order. Lines are joined by newlines.
func Text(pdf []byte) string {
	var out []string
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		content := m[1]
		if r, err := zlib.NewReader(bytes.NewReader(content)); err == nil {
			if inflated, err := io.ReadAll(r); err == nil {
				content = inflated
			}
		}
		var (
			line   strings.Builder
			depth  int
			actual = -1 // the depth of the ActualText being read, if any
		)
		for _, op := range opRE.FindAllSubmatch(content, -1) {
			switch {
			case op[1] != nil || bytes.HasSuffix(op[0], []byte("Tj")):
				if actual < 0 {
					line.WriteString(decodeUTF16(unescape(op[1])))
				}
			case bytes.HasSuffix(op[0], []byte("BDC")):
				depth++
				if actual < 0 {
					actual = depth
					line.WriteString(decodeUTF16(unhex(op[2])))
				}
				continue
			case bytes.HasSuffix(op[0], []byte("BMC")):
				depth++
				continue
			default: // EMC
				if depth == actual {
					actual = -1
				}
				depth--
			}
			if depth <= 0 {
				depth = 0
				out = append(out, line.String())
				line.Reset()
			}
		}
	}
	// CLDR formats amounts with no-break spaces; compare with plain ones.
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(strings.Join(out, "\n"))
}

func unescape(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		i++
		switch c := b[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		default:
			if c >= '0' && c <= '7' {
				v, n := 0, 0
				for n < 3 && i < len(b) && b[i] >= '0' && b[i] <= '7' {
					v = v*8 + int(b[i]-'0')
					i++
					n++
				}
				i--
				out = append(out, byte(v))
			} else {
				out = append(out, c)
			}
		}
	}
	return out
}

func unhex(h []byte) []byte {
	b, _ := hex.DecodeString(string(h))
	return bytes.TrimPrefix(b, []byte{0xFE, 0xFF})
}

func decodeUTF16(b []byte) string {
	if len(b)%2 != 0 {
		return string(b)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}
