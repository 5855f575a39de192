package pcitest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Report is what Scan found.
type Report struct {
	Files int
	Kinds map[string]int // files by kind: database, database WAL, log, preferences, other
	Hits  []string       // one line per card number or security code found
}

var cvvPatterns = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(CVVs))
	for i, c := range CVVs {
		out[i] = regexp.MustCompile(`(^|[^0-9])` + c + `([^0-9]|$)`)
	}
	return out
}()

// Scan reads every file under dir for the test card numbers (plain and
// grouped in fours) and for the security codes where a stored one would
// sit: within 24 bytes after a name such as CVV, CVV2, security_code or CSC.
// A three-digit code anywhere else would match timestamps and amounts.
func Scan(dir string) (Report, error) {
	rep := Report{Kinds: map[string]int{}}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rep.Files++
		rep.Kinds[kindOf(d.Name())]++
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		for _, n := range CardNumbers {
			if bytes.Contains(raw, []byte(n)) || bytes.Contains(raw, []byte(groupBy4(n))) {
				rep.Hits = append(rep.Hits, fmt.Sprintf("%s: test card %s…%s", rel, n[:4], n[len(n)-4:]))
			}
		}
		for i, re := range cvvPatterns {
			for _, loc := range re.FindAllIndex(raw, -1) {
				before := strings.ToLower(string(raw[max(0, loc[0]-24):loc[0]]))
				if strings.Contains(before, "cvv") || strings.Contains(before, "security") || strings.Contains(before, "csc") {
					rep.Hits = append(rep.Hits, fmt.Sprintf("%s: security code %s after %q", rel, CVVs[i], before))
				}
			}
		}
		return nil
	})
	return rep, err
}

func kindOf(name string) string {
	switch {
	case strings.HasSuffix(name, "-wal"):
		return "database WAL"
	case strings.HasSuffix(name, "-shm"):
		return "database index"
	case strings.HasSuffix(name, ".db"):
		return "database"
	case strings.HasSuffix(name, ".log"):
		return "log"
	case strings.Contains(name, "preferences"):
		return "preferences"
	}
	return "other"
}

func groupBy4(n string) string {
	var b strings.Builder
	for i, c := range n {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
