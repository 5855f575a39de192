package payflow

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// nvField is one NAME[n]=value pair. Card data lives in secret, a slice of
// the caller's own bytes, so that it is copied exactly once: into the body.
type nvField struct {
	name   string
	value  string
	secret []byte
}

// nvBody collects a request's fields in order and remembers the first value
// that cannot be sent, so that building a request reads as a flat list.
type nvBody struct {
	fields []nvField
	err    error
}

// plain adds an identifier-like value (credentials, amounts, references,
// e-mail, postcode): it must already be printable ASCII, because altering it
// would change its meaning.
func (b *nvBody) plain(name, v string) {
	if b.err != nil {
		return
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			b.err = fmt.Errorf("%s contains a character Payflow cannot carry (only printable ASCII is sent)", name)
			return
		}
	}
	b.fields = append(b.fields, nvField{name: name, value: v})
}

// optional adds an identifier only when it is not empty.
func (b *nvBody) optional(name, v string) {
	if v != "" {
		b.plain(name, v)
	}
}

// text adds free text (names, street, description), transliterated to ASCII;
// an empty result is left out.
func (b *nvBody) text(name, v string) {
	if b.err != nil {
		return
	}
	a, bad, ok := toASCII(v)
	if !ok {
		b.err = fmt.Errorf("%s contains the character %U, which Payflow cannot carry (only ASCII is sent; transliterate it or leave it out)", name, bad)
		return
	}
	if a != "" {
		b.fields = append(b.fields, nvField{name: name, value: a})
	}
}

// secret adds card data from the caller's bytes (already checked to be
// digits). The bytes are copied into the body only.
func (b *nvBody) secret(name string, v []byte) {
	if b.err != nil {
		return
	}
	b.fields = append(b.fields, nvField{name: name, secret: v})
}

// encode writes the body with a length tag on every field. The buffer is
// allocated once at its exact size so that no grown-and-abandoned copy of
// the card number is left behind for the garbage collector.
func (b *nvBody) encode() []byte {
	size := 0
	for i, f := range b.fields {
		n := len(f.value) + len(f.secret)
		if i > 0 {
			size++
		}
		size += len(f.name) + 3 + len(strconv.Itoa(n)) + n
	}
	buf := make([]byte, 0, size)
	for i, f := range b.fields {
		if i > 0 {
			buf = append(buf, '&')
		}
		buf = append(buf, f.name...)
		buf = append(buf, '[')
		buf = strconv.AppendInt(buf, int64(len(f.value)+len(f.secret)), 10)
		buf = append(buf, ']', '=')
		if f.secret != nil {
			buf = append(buf, f.secret...)
		} else {
			buf = append(buf, f.value...)
		}
	}
	return buf
}

// wipe zeroes b in place.
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// toASCII transliterates s to printable ASCII. It returns the first rune it
// cannot map (ok false) instead of guessing, so that the caller can refuse
// with a clear message.
func toASCII(s string) (out string, bad rune, ok bool) {
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			return "", r, false
		case r == '\t' || r == '\n' || r == '\r':
			sb.WriteByte(' ')
		case r >= 0x20 && r < 0x7f:
			sb.WriteRune(r)
		case r >= 0x300 && r <= 0x36f:
			// A combining diacritic from decomposed text ("e" + U+0301): drop it,
			// as the precomposed letters below lose theirs.
		default:
			t, found := translit[r]
			if !found {
				return "", r, false
			}
			sb.WriteString(t)
		}
	}
	return strings.TrimSpace(sb.String()), 0, true
}

// translit maps the Latin-1 Supplement and Latin Extended-A letters (the
// European names and streets TrainPay's users type, Polish included) and a
// few typographic characters to ASCII.
var translit = func() map[rune]string {
	m := map[rune]string{
		0xa0: " ", 0x2018: "'", 0x2019: "'", 0x201a: "'", 0x201c: "\"", 0x201d: "\"",
		0x201e: "\"", 0x2013: "-", 0x2014: "-", 0x2026: "...", 0xd7: "x", 0xf7: "/",
		0xb4: "'", 0x2010: "-", 0x2011: "-", 0x2212: "-",
	}
	latin1 := strings.Fields("A A A A A A AE C E E E E I I I I D N O O O O O x O U U U U Y TH ss " +
		"a a a a a a ae c e e e e i i i i d n o o o o o / o u u u u y th y")
	extA := strings.Fields("A a A a A a C c C c C c C c D d D d E e E e E e E e E e G g G g G g G g " +
		"H h H h I i I i I i I i I i IJ ij J j K k k L l L l L l L l L l N n N n N n n NG ng " +
		"O o O o O o OE oe R r R r R r S s S s S s S s T t T t T t U u U u U u U u U u U u " +
		"W w Y y Y Z z Z z Z z s")
	if len(latin1) != 0x100-0xc0 || len(extA) != 0x180-0x100 {
		panic("payflow: transliteration table has the wrong size")
	}
	for i, t := range latin1 {
		m[rune(0xc0+i)] = t
	}
	for i, t := range extA {
		m[rune(0x100+i)] = t
	}
	return m
}()
