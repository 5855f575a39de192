// Package webdrivertest drives headless chromium through chromedriver's W3C
// WebDriver API, for tests that pay on a web page the way a person does
// (the offline sandbox's payer page). It is the sandbox tests' client made
// importable, so that the PayPal invoice's end-to-end test in ui uses the
// same eight endpoints.
package webdrivertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A W3C WebDriver client of its own (copied from the sandbox tests), a few calls over chromedriver's HTTP
// API, written here because the Go proxy offers no WebDriver client that
// fits: chromedp and go-rod drive Chrome's DevTools protocol without
// chromedriver, playwright-go downloads a browser build of its own, and no
// selenium-style client is there. The tests need eight endpoints.

const (
	chromiumBin     = "/usr/bin/chromium"
	chromedriverBin = "chromedriver"
	// webElementKey is the W3C name of an element reference.
	webElementKey = "element-6066-11e4-a52e-4f735466cecf"
)

// Driver is a running chromedriver.
type Driver struct {
	t    testing.TB
	base string
	hc   *http.Client
}

// Start starts chromedriver on a free loopback port. A machine
// without chromium or chromedriver fails the test: `make test` installs
// both (Debian's chromium and chromium-driver).
func Start(t testing.TB) *Driver {
	t.Helper()
	path, err := exec.LookPath(chromedriverBin)
	if err != nil {
		t.Fatalf("chromedriver is not installed (Debian: apt-get install chromium chromium-driver; make test installs them): %v", err)
	}
	if _, err := exec.LookPath(chromiumBin); err != nil {
		t.Fatalf("chromium is not installed at %s (Debian: apt-get install chromium; make test installs it): %v", chromiumBin, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(path, fmt.Sprintf("--port=%d", port), "--allowed-ips=127.0.0.1", "--log-level=SEVERE")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() && logs.Len() > 0 {
			t.Logf("chromedriver said:\n%s", logs.String())
		}
	})
	d := &Driver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), hc: &http.Client{Timeout: 60 * time.Second}}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var st struct {
			Ready bool `json:"ready"`
		}
		if err := d.do(http.MethodGet, "/status", nil, &st); err == nil && st.Ready {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not become ready on port %d", port)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// do sends one WebDriver command and decodes its "value".
func (d *Driver) do(method, path string, body, value any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, d.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		return fmt.Errorf("%s %s: HTTP %d, %.200s", method, path, resp.StatusCode, data)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error, Message string }
		_ = json.Unmarshal(out.Value, &e)
		return fmt.Errorf("%s %s: %s: %.300s", method, path, e.Error, e.Message)
	}
	if value != nil {
		return json.Unmarshal(out.Value, value)
	}
	return nil
}

// Browser is one headless chromium session.
type Browser struct {
	d  *Driver
	id string
}

// Session opens headless chromium whose Accept-Language is acceptLang.
func (d *Driver) Session(acceptLang string) *Browser {
	d.t.Helper()
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": chromiumBin,
			"args": []string{
				"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
				"--window-size=1000,1000", "--user-data-dir=" + d.t.TempDir(), "--lang=" + strings.Split(acceptLang, ",")[0],
			},
			"prefs": map[string]any{"intl.accept_languages": acceptLang},
		},
	}}}
	var out struct {
		SessionID string `json:"sessionId"`
	}
	if err := d.do(http.MethodPost, "/session", caps, &out); err != nil {
		d.t.Fatalf("chromium did not start: %v", err)
	}
	b := &Browser{d: d, id: out.SessionID}
	d.t.Cleanup(func() { _ = d.do(http.MethodDelete, "/session/"+b.id, nil, nil) })
	return b
}

func (b *Browser) must(err error) {
	b.d.t.Helper()
	if err != nil {
		b.d.t.Fatal(err)
	}
}

func (b *Browser) Open(url string) {
	b.d.t.Helper()
	b.must(b.d.do(http.MethodPost, "/session/"+b.id+"/url", map[string]string{"url": url}, nil))
}

func (b *Browser) URL() string {
	var u string
	b.must(b.d.do(http.MethodGet, "/session/"+b.id+"/url", nil, &u))
	return u
}

func (b *Browser) Source() string {
	var s string
	b.must(b.d.do(http.MethodGet, "/session/"+b.id+"/source", nil, &s))
	return s
}

// Find waits up to ten seconds for the element css selects.
func (b *Browser) Find(css string) string {
	b.d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var el map[string]string
		err := b.d.do(http.MethodPost, "/session/"+b.id+"/element", map[string]string{"using": "css selector", "value": css}, &el)
		if err == nil {
			return el[webElementKey]
		}
		if time.Now().After(deadline) {
			b.d.t.Fatalf("no %s on %s: %v", css, b.URL(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Text is the visible text of the element css selects.
func (b *Browser) Text(css string) string {
	b.d.t.Helper()
	var s string
	b.must(b.d.do(http.MethodGet, "/session/"+b.id+"/element/"+b.Find(css)+"/text", nil, &s))
	return s
}

func (b *Browser) TypeInto(css, text string) {
	b.d.t.Helper()
	b.must(b.d.do(http.MethodPost, "/session/"+b.id+"/element/"+b.Find(css)+"/value", map[string]string{"text": text}, nil))
}

func (b *Browser) Click(css string) {
	b.d.t.Helper()
	b.must(b.d.do(http.MethodPost, "/session/"+b.id+"/element/"+b.Find(css)+"/click", map[string]any{}, nil))
}

// WaitText waits until the element css selects shows want.
func (b *Browser) WaitText(ctx context.Context, css, want string) string {
	b.d.t.Helper()
	for {
		got := b.Text(css)
		if strings.Contains(got, want) {
			return got
		}
		select {
		case <-ctx.Done():
			b.d.t.Fatalf("%s shows %q, want %q", css, got, want)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Screenshot is the page as PNG.
func (b *Browser) Screenshot() []byte {
	var s string
	b.must(b.d.do(http.MethodGet, "/session/"+b.id+"/screenshot", nil, &s))
	out, err := base64.StdEncoding.DecodeString(s)
	b.must(err)
	return out
}
