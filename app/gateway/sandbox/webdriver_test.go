package sandbox

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

// A W3C WebDriver client of its own, a few calls over chromedriver's HTTP
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

// driver is a running chromedriver.
type driver struct {
	t    *testing.T
	base string
	hc   *http.Client
}

// startDriver starts chromedriver on a free loopback port. A machine
// without chromium or chromedriver fails the test: `make test` installs
// both (Debian's chromium and chromium-driver).
func startDriver(t *testing.T) *driver {
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
	d := &driver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), hc: &http.Client{Timeout: 60 * time.Second}}
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
func (d *driver) do(method, path string, body, value any) error {
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

// browser is one headless chromium session.
type browser struct {
	d  *driver
	id string
}

// session opens headless chromium whose Accept-Language is acceptLang.
func (d *driver) session(acceptLang string) *browser {
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
	b := &browser{d: d, id: out.SessionID}
	d.t.Cleanup(func() { _ = d.do(http.MethodDelete, "/session/"+b.id, nil, nil) })
	return b
}

func (b *browser) must(err error) {
	b.d.t.Helper()
	if err != nil {
		b.d.t.Fatal(err)
	}
}

func (b *browser) open(url string) {
	b.d.t.Helper()
	b.must(b.d.do(http.MethodPost, "/session/"+b.id+"/url", map[string]string{"url": url}, nil))
}

func (b *browser) url() string {
	var u string
	b.must(b.d.do(http.MethodGet, "/session/"+b.id+"/url", nil, &u))
	return u
}

func (b *browser) source() string {
	var s string
	b.must(b.d.do(http.MethodGet, "/session/"+b.id+"/source", nil, &s))
	return s
}

// find waits up to ten seconds for the element css selects.
func (b *browser) find(css string) string {
	b.d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var el map[string]string
		err := b.d.do(http.MethodPost, "/session/"+b.id+"/element", map[string]string{"using": "css selector", "value": css}, &el)
		if err == nil {
			return el[webElementKey]
		}
		if time.Now().After(deadline) {
			b.d.t.Fatalf("no %s on %s: %v", css, b.url(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// text is the visible text of the element css selects.
func (b *browser) text(css string) string {
	b.d.t.Helper()
	var s string
	b.must(b.d.do(http.MethodGet, "/session/"+b.id+"/element/"+b.find(css)+"/text", nil, &s))
	return s
}

func (b *browser) typeInto(css, text string) {
	b.d.t.Helper()
	b.must(b.d.do(http.MethodPost, "/session/"+b.id+"/element/"+b.find(css)+"/value", map[string]string{"text": text}, nil))
}

func (b *browser) click(css string) {
	b.d.t.Helper()
	b.must(b.d.do(http.MethodPost, "/session/"+b.id+"/element/"+b.find(css)+"/click", map[string]any{}, nil))
}

// waitText waits until the element css selects shows want.
func (b *browser) waitText(ctx context.Context, css, want string) string {
	b.d.t.Helper()
	for {
		got := b.text(css)
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

// screenshot is the page as PNG.
func (b *browser) screenshot() []byte {
	var s string
	b.must(b.d.do(http.MethodGet, "/session/"+b.id+"/screenshot", nil, &s))
	out, err := base64.StdEncoding.DecodeString(s)
	b.must(err)
	return out
}
