package nvp

import (
	"errors"
	"io"
	"net/url"
	"sync"
)

// form builds an application/x-www-form-urlencoded body directly in a byte
// slice, so that the card number and CVV go from the caller's []byte into
// the request without ever becoming a Go string (strings are immutable and
// cannot be wiped). When the slice must grow, the old backing array is
// zeroed before it is dropped: append's usual reallocation would leave a
// copy of the number behind for the garbage collector.
type form struct {
	b []byte
}

// initialFormCap fits every request this adapter sends, so growth (and its
// extra copy) normally never happens.
const initialFormCap = 2048

func newForm() *form { return &form{b: make([]byte, 0, initialFormCap)} }

func (f *form) grow(n int) {
	if len(f.b)+n <= cap(f.b) {
		return
	}
	nb := make([]byte, len(f.b), 2*cap(f.b)+n)
	copy(nb, f.b)
	clear(f.b[:cap(f.b)])
	f.b = nb
}

// add appends name=value with value form-escaped. Only for values that are
// not card data.
func (f *form) add(name, value string) {
	e := url.QueryEscape(value)
	f.grow(len(name) + len(e) + 2)
	if len(f.b) > 0 {
		f.b = append(f.b, '&')
	}
	f.b = append(f.b, name...)
	f.b = append(f.b, '=')
	f.b = append(f.b, e...)
}

// addOpt adds the field only when value is not empty: NVP treats an empty
// field as present, and PayPal then validates it.
func (f *form) addOpt(name, value string) {
	if value != "" {
		f.add(name, value)
	}
}

// addDigits appends name=digits from a byte slice. The caller has checked
// that d holds only ASCII digits, which need no escaping, so the bytes are
// copied as they are and no string is made of them.
func (f *form) addDigits(name string, d []byte) {
	f.grow(len(name) + len(d) + 2)
	if len(f.b) > 0 {
		f.b = append(f.b, '&')
	}
	f.b = append(f.b, name...)
	f.b = append(f.b, '=')
	f.b = append(f.b, d...)
}

// seal hands the buffer over to a secretBody; the form must not be used
// afterwards.
func (f *form) seal() *secretBody {
	s := &secretBody{b: f.b}
	f.b = nil
	return s
}

// errWiped is what a body read returns once the buffer has been zeroed; it
// only happens if the transport is still writing after we have our answer,
// and then the bytes are no longer needed.
var errWiped = errors.New("nvp: request body already wiped")

// secretBody is the request body. Reads and the final wipe share a mutex
// because net/http may still be reading the body in its write goroutine
// when Do returns (for example when the server answered early).
type secretBody struct {
	mu    sync.Mutex
	b     []byte
	wiped bool
}

func (s *secretBody) len() int { return len(s.b) }

func (s *secretBody) reader() io.ReadCloser { return &bodyReader{s: s} }

// wipe zeroes the whole backing array (not just len) and refuses further
// reads.
func (s *secretBody) wipe() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.b[:cap(s.b)])
	s.wiped = true
}

type bodyReader struct {
	s   *secretBody
	off int
}

func (r *bodyReader) Read(p []byte) (int, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.s.wiped {
		return 0, errWiped
	}
	if r.off >= len(r.s.b) {
		return 0, io.EOF
	}
	n := copy(p, r.s.b[r.off:])
	r.off += n
	return n, nil
}

// Close does not wipe: the client wipes once the exchange is over, which
// is the only moment it knows the bytes are no longer needed.
func (r *bodyReader) Close() error { return nil }
