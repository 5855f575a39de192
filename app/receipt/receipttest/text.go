// Package receipttest reads the text of the PDF receipts package receipt
// writes, so that tests can check what a receipt says without a PDF tool.
package receipttest

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
)

var (
	streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	tjRE     = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
)

// Text returns the text shown by a PDF that fpdf wrote: it inflates
// the streams, reads every "(…) Tj" string, unescapes it and decodes the
// UTF-16BE that fpdf writes for UTF-8 fonts. Lines are joined by newlines.
func Text(pdf []byte) string {
	var out []string
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		content := m[1]
		if r, err := zlib.NewReader(bytes.NewReader(content)); err == nil {
			if inflated, err := io.ReadAll(r); err == nil {
				content = inflated
			}
		}
		for _, s := range tjRE.FindAllSubmatch(content, -1) {
			out = append(out, decodeUTF16(unescape(s[1])))
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
