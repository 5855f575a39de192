// Package endpoint is what every gateway client checks of the address it
// is configured with, in one place so that the clients agree.
package endpoint

import (
	"net/netip"
	"net/url"
	"strings"
)

// IsLoopback reports whether host names this machine: "localhost" in any
// case, or a loopback address (127.0.0.0/8, ::1), an IPv6 zone ignored.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// Insecure reports whether a request to u would cross the network in
// clear: plain http to a host other than this machine. A local test
// server on http is allowed.
func Insecure(u *url.URL) bool {
	return u.Scheme == "http" && !IsLoopback(u.Hostname())
}
