// Package paypalapi is what the two clients of PayPal's REST APIs
// (paypalrest for Orders v2, ppinvoice for Invoicing v2) share: the checked
// address and credentials, the HTTP client and its exchange recorder, a
// plutov client per call, the pause between resends, and the mapping of a
// failed call to an outcome. Each client keeps its own operations and the
// few rules in which they differ (Rules).
//
// github.com/plutov/paypal/v4 does the OAuth token, the request building
// (NewRequest) and the error decoding (ErrorResponse); what is here is what
// it does not: it loses the HTTP status of an error body that is not JSON,
// and cannot tell a request that never reached PayPal from one whose answer
// was lost, so a RoundTripper records every exchange.
package paypalapi

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/plutov/paypal/v4"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/endpoint"
)

const (
	// SandboxBase and LiveBase are the hosts named by PayPal's spec.
	// plutov v4.8.0's constants still name the older api.* hosts.
	SandboxBase = "https://api-m.sandbox.paypal.com"
	LiveBase    = "https://api-m.paypal.com"

	// DefaultTimeout bounds one HTTP exchange.
	DefaultTimeout = 60 * time.Second
	// DefaultRetries is how many times a call whose answer was lost is
	// sent again under the same PayPal-Request-Id.
	DefaultRetries = 2
	// DefaultRetryDelay is the pause before such a resend.
	DefaultRetryDelay = 2 * time.Second

	// TokenPath is the OAuth token call's path.
	TokenPath = "/v1/oauth2/token"
)

// Settings are what both clients' configurations hold.
type Settings struct {
	BaseURL  string // SandboxBase, LiveBase or a loopback server
	ClientID string
	Secret   string
	Timeout  time.Duration
	// Retries: see DefaultRetries; a negative value means none.
	Retries    int
	RetryDelay time.Duration
	Logger     *slog.Logger // nil: no log
}

// Conn is checked Settings, with their defaults filled in. It is safe for
// concurrent use.
type Conn struct {
	Base       string // scheme://host
	Timeout    time.Duration
	Retries    int
	RetryDelay time.Duration
	Log        *slog.Logger

	clientID, secret string
	hc               *http.Client
}

// Open checks s and returns the connection. Plain HTTP is allowed to a
// loopback address only (tests and the offline sandbox). A refused
// setting is app.EINVALID under configKey, the calling client's message.
func Open(s Settings, configKey string) (*Conn, error) {
	configError := func(format string, args ...any) error {
		return app.Errorf(app.EINVALID, configKey, format, args...)
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, configError("the PayPal REST address %q is not a valid URL", s.BaseURL)
	}
	if endpoint.Insecure(u) {
		return nil, configError("the PayPal REST address must use HTTPS")
	}
	if u.RawQuery != "" || u.User != nil || strings.Trim(u.Path, "/") != "" {
		return nil, configError("the PayPal REST address must be a bare host, like %s", LiveBase)
	}
	if strings.TrimSpace(s.ClientID) == "" || strings.TrimSpace(s.Secret) == "" {
		return nil, configError("the PayPal REST client ID and secret are both required")
	}
	c := &Conn{
		Base: u.Scheme + "://" + u.Host, Timeout: s.Timeout, Retries: s.Retries, RetryDelay: s.RetryDelay,
		Log: s.Logger, clientID: s.ClientID, secret: s.Secret,
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.Retries == 0:
		c.Retries = DefaultRetries
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    15 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		// A fresh connection per call makes "was the request written?"
		// exact; net/http never replays a POST on its own.
		DisableKeepAlives: true,
	}
	c.hc = &http.Client{
		Transport: recorder{base: tr},
		Timeout:   c.Timeout,
		// PayPal's API does not redirect; following one would send the
		// bearer token elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// API returns a plutov client for one operation, so that none is shared
// between goroutines. SetLog is never called: it dumps whole responses,
// access tokens included.
func (c *Conn) API() *paypal.Client {
	pc, err := paypal.NewClient(c.clientID, c.secret, c.Base)
	if err != nil { // Open checked all three
		panic("paypalapi: " + err.Error())
	}
	pc.SetHTTPClient(c.hc)
	return pc
}

// Pause waits RetryDelay; false when ctx ended first.
func (c *Conn) Pause(ctx context.Context) bool {
	t := time.NewTimer(c.RetryDelay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Truncate keeps the first n runes of s: PayPal's length limits are in
// characters.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// OrderRequest is Orders v2's create-order body as the servers that take
// it (the strict test server and the offline sandbox) read it, in plutov's
// types: what paypalrest sends through CreateOrderWithPaypalRequestID.
type OrderRequest struct {
	Intent             string                       `json:"intent"`
	PurchaseUnits      []paypal.PurchaseUnitRequest `json:"purchase_units"`
	ApplicationContext *paypal.ApplicationContext   `json:"application_context"`
}
