package receipttest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"
)

// TestTextKeepsACompressedStreamEndingInCarriageReturn: a compressed stream
// whose last byte is '\r' is read whole, not cut short by one byte (which
// made the text of about one receipt in two hundred read as empty).
func TestTextKeepsACompressedStreamEndingInCarriageReturn(t *testing.T) {
	for i := 0; i < 100000; i++ {
		want := fmt.Sprintf("line %d", i)
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		fmt.Fprintf(w, "BT (%s) Tj ET", utf16BE(want)) // as fpdf writes a UTF-8 font's text
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(z.Bytes(), []byte{'\r'}) {
			continue
		}
		pdf := append(append([]byte("%PDF-1.3\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n"), z.Bytes()...), "\nendstream\nendobj\n"...)
		if got := Text(pdf); got != want {
			t.Fatalf("Text of a stream ending in \\r = %q, want %q", got, want)
		}
		return
	}
	t.Fatal("no compressed stream ending in \\r found to test with")
}

// utf16BE is s (ASCII letters, digits and spaces) in UTF-16BE.
func utf16BE(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(0)
		b.WriteRune(r)
	}
	return b.String()
}
