package uitest

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
)

// browserApp is the test app with the system browser replaced: OpenURL
// hands the address to the test's buyer.
type browserApp struct {
	fyne.App
	open func(*url.URL) error
}

func (b browserApp) OpenURL(u *url.URL) error { return b.open(u) }

// SandboxBrowser is the buyer's browser on the sandbox's approval page:
// for each address the app opens, it presses Action ("approve" or
// "cancel") there, or calls Then instead; with neither it does nothing.
// Set them before the app opens the page.
type SandboxBrowser struct {
	t      testing.TB
	mu     sync.Mutex
	opened []string
	Action string
	Then   func()
}

// InstallBrowser makes a the current app, with its system browser replaced
// by the returned SandboxBrowser, until the test ends.
func InstallBrowser(t testing.TB, a fyne.App) *SandboxBrowser {
	b := &SandboxBrowser{t: t}
	fyne.SetCurrentApp(browserApp{App: a, open: func(u *url.URL) error {
		b.mu.Lock()
		b.opened = append(b.opened, u.String())
		action, then := b.Action, b.Then
		b.mu.Unlock()
		go func() {
			if then != nil {
				then()
				return
			}
			if action == "" {
				return
			}
			resp, err := http.Get(u.String())
			if err != nil {
				b.t.Errorf("approval page: %v", err)
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindSubmatch(page)
			if m == nil {
				b.t.Errorf("no approval form: %s", page)
				return
			}
			resp, err = http.PostForm(u.Scheme+"://"+u.Host+"/checkoutnow", url.Values{"token": {string(m[1])}, "action": {action}})
			if err != nil {
				b.t.Errorf("pressing %s: %v", action, err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}})
	t.Cleanup(func() { fyne.SetCurrentApp(a) })
	return b
}

// Opened are the addresses the app opened, in order.
func (b *SandboxBrowser) Opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.opened...)
}
