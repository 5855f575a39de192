// Package nvpwire writes PayPal NVP replies as PayPal orders them, for the
// NVP test server and the offline sandbox.
package nvpwire

import (
	"net/url"
	"sort"
	"strings"
)

// headFields are the fields PayPal writes first, in this order.
var headFields = map[string]int{"TIMESTAMP": 1, "CORRELATIONID": 2, "ACK": 3, "VERSION": 4, "BUILD": 5}

// Encode writes m as an NVP reply: TIMESTAMP, CORRELATIONID, ACK, VERSION
// and BUILD first, then the other fields by name, each value URL-encoded.
func Encode(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := headFields[keys[i]], headFields[keys[j]]
		switch {
		case ri > 0 && rj > 0:
			return ri < rj
		case ri > 0 || rj > 0:
			return ri > 0
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(m[k]))
	}
	return b.String()
}
