package ui

import "io"

// crlf wraps the writer an app CSV writer writes to so that its lines end
// in CRLF, as RFC 4180 says and as spreadsheet programs read on every
// system. The app writers use encoding/csv's default "\n"; this gives
// exactly the bytes its UseCRLF would (which turns each "\n", in a quoted
// field too, into "\r\n" and drops "\r"), so the result is the same whether
// or not an app writer sets UseCRLF itself. Hand-written because
// encoding/csv offers the choice only on the csv.Writer the app creates.
func crlf(w io.Writer) io.Writer { return crlfWriter{w} }

type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p)+len(p)/32+2)
	for _, b := range p {
		switch b {
		case '\r':
		case '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, b)
		}
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
