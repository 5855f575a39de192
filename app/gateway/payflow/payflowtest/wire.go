package payflowtest

import (
	"regexp"
	"strconv"

	"github.com/trainpay/trainpay/app"
)

// TestCards are app.PayflowTestCards, the only numbers accepted here.
var TestCards = app.PayflowTestCards

// pair is a parsed request field; the value is body[start:end].
type pair struct {
	name       string
	start, end int
}

var urlEscape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

// parseStrict parses a request body that must length-tag every field:
// NAME[n]=value joined by '&', names in [A-Z0-9_], n the value's byte
// length, values printable ASCII. It returns what it could parse and every
// deviation found.
func parseStrict(body []byte) (pairs []pair, problems []string) {
	if len(body) == 0 {
		return nil, []string{"empty body"}
	}
	i := 0
	for i < len(body) {
		start := i
		for i < len(body) && (body[i] >= 'A' && body[i] <= 'Z' || body[i] >= '0' && body[i] <= '9' || body[i] == '_') {
			i++
		}
		name := string(body[start:i])
		if name == "" || i == len(body) || body[i] != '[' {
			end := i
			for end < len(body) && body[end] != '&' {
				end++
			}
			seg := string(body[start:end])
			if urlEscape.MatchString(seg) || containsByte(body[start:end], '+') {
				problems = append(problems, "field "+strconv.Quote(maskDigits(seg))+" looks URL-encoded")
			} else {
				problems = append(problems, "field "+strconv.Quote(maskDigits(seg))+" has no length tag (or an invalid name)")
			}
			return pairs, problems
		}
		i++
		ds := i
		for i < len(body) && body[i] >= '0' && body[i] <= '9' {
			i++
		}
		if i == ds || i+1 >= len(body) || body[i] != ']' || body[i+1] != '=' {
			return pairs, append(problems, "field "+name+" has a malformed length tag")
		}
		n, _ := strconv.Atoi(string(body[ds:i]))
		i += 2
		if n > len(body)-i {
			return pairs, append(problems, "field "+name+" is shorter than its length tag")
		}
		vs, ve := i, i+n
		i = ve
		if i < len(body) {
			if body[i] != '&' {
				return pairs, append(problems, "field "+name+"'s length tag ["+strconv.Itoa(n)+"] does not end at '&' (wrong length)")
			}
			i++
			if i == len(body) {
				problems = append(problems, "trailing '&'")
			}
		}
		for _, c := range body[vs:ve] {
			if c < 0x20 || c > 0x7e {
				problems = append(problems, "field "+name+" contains a non-ASCII or control byte")
				break
			}
		}
		if urlEscape.Match(body[vs:ve]) {
			problems = append(problems, "field "+name+" looks URL-encoded")
		}
		pairs = append(pairs, pair{name: name, start: vs, end: ve})
	}
	return pairs, problems
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

var longDigits = regexp.MustCompile(`[0-9]{12,}`)

// maskDigits hides digit runs that could be card numbers in text that
// could not be parsed.
func maskDigits(s string) string {
	return longDigits.ReplaceAllStringFunc(s, func(d string) string {
		return stars(len(d)-4) + d[len(d)-4:]
	})
}

func stars(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '*'
	}
	return string(b)
}

// maskBody returns the body with ACCT (all but the last four) and CVV2
// replaced by '*', keeping lengths so the tags still match. Whatever could
// not be parsed has its long digit runs masked.
func maskBody(body []byte, pairs []pair) string {
	out := append([]byte(nil), body...)
	tail := 0
	for _, p := range pairs {
		switch p.name {
		case "ACCT":
			for k := p.start; k < p.end-4; k++ {
				out[k] = '*'
			}
		case "CVV2":
			for k := p.start; k < p.end; k++ {
				out[k] = '*'
			}
		}
		tail = p.end
	}
	return string(out[:tail]) + maskDigits(string(out[tail:]))
}
