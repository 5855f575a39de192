//go:build !windows && !darwin

package ui

import (
	"bufio"
	"bytes"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"github.com/godbus/dbus/v5"
)

// The desktop's file dialog through the XDG desktop portal, against a
// portal served on a private D-Bus of the test's own: what TrainPay asks
// for, what it does with the answer, and Fyne's dialog where no portal
// answers.

// testBus starts a dbus-daemon of the test's own and points the session
// bus at it (and $XDG_RUNTIME_DIR away from the person's, where godbus
// would look for one next). Its configuration is the session bus's
// without service activation: `dbus-daemon --session` would start the
// services installed on the machine, the real portal among them.
func testBus(t *testing.T) {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Fatalf("dbus-daemon is needed (Debian package dbus-daemon; `make test` installs it): %v", err)
	}
	// Not t.TempDir(): a socket's path must fit in 108 bytes.
	dir, err := os.MkdirTemp("", "tpbus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	config := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(config, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=`+dir+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+config, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// What it says (as root: that it cannot raise its file limit) is
	// shown only with a failure.
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("dbus-daemon: %s", stderr.String())
		}
	})
	address, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(address))
	t.Setenv("XDG_RUNTIME_DIR", dir)
}

// portalCallMade is one FileChooser call the fake portal received.
type portalCallMade struct {
	method, parent, title string
	options               map[string]dbus.Variant
}

// fakePortal is org.freedesktop.portal.Desktop's FileChooser as
// xdg-desktop-portal serves it: the call returns the request's handle at
// once (the path made from the caller's unique name and its handle_token,
// with an org.freedesktop.portal.Request there that Close ends), and the
// person's answer comes later as that request's Response signal, sent to
// the caller alone.
type fakePortal struct {
	conn *dbus.Conn
	// answer is what the person does with the dialog: the Response's code
	// and results. Nil: the portal never answers the call at all.
	answer func(call portalCallMade) (uint32, map[string]dbus.Variant)

	mu    sync.Mutex
	calls []portalCallMade
	hung  chan struct{}
}

// servePortal connects to the test's bus and serves a fake portal there;
// withFileChooser false serves the portal without the FileChooser, as a
// portal without a backend that has one does.
func servePortal(t *testing.T, withFileChooser bool, answer func(portalCallMade) (uint32, map[string]dbus.Variant)) *fakePortal {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePortal{conn: conn, answer: answer, hung: make(chan struct{})}
	t.Cleanup(func() {
		close(p.hung)
		conn.Close()
	})
	if withFileChooser {
		if err := conn.Export(p, portalObject, portalFileChooser); err != nil {
			t.Fatal(err)
		}
	}
	reply, err := conn.RequestName(portalService, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("the fake portal cannot own %s: %v %v", portalService, reply, err)
	}
	return p
}

func (p *fakePortal) SaveFile(sender dbus.Sender, parent, title string, options map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	return p.request("SaveFile", sender, parent, title, options)
}

func (p *fakePortal) OpenFile(sender dbus.Sender, parent, title string, options map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	return p.request("OpenFile", sender, parent, title, options)
}

func (p *fakePortal) request(method string, sender dbus.Sender, parent, title string, options map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	call := portalCallMade{method: method, parent: parent, title: title, options: options}
	p.mu.Lock()
	p.calls = append(p.calls, call)
	p.mu.Unlock()
	if p.answer == nil {
		<-p.hung
		return "", dbus.MakeFailedError(io.EOF)
	}
	var token string
	if v, ok := options["handle_token"]; ok {
		token, _ = v.Value().(string)
	}
	if token == "" {
		token = "t" + method
	}
	handle := dbus.ObjectPath(string(portalObject) + "/request/" +
		strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_") + "/" + token)
	req := &fakeRequest{closed: make(chan struct{})}
	if err := p.conn.Export(req, handle, portalRequest); err != nil {
		return "", dbus.MakeFailedError(err)
	}
	go func() {
		defer p.conn.Export(nil, handle, portalRequest)
		select {
		case <-req.closed:
			return
		case <-time.After(20 * time.Millisecond): // the person choosing
		}
		code, results := p.answer(call)
		p.conn.Send(&dbus.Message{
			Type:  dbus.TypeSignal,
			Flags: dbus.FlagNoReplyExpected,
			Headers: map[dbus.HeaderField]dbus.Variant{
				dbus.FieldPath:        dbus.MakeVariant(handle),
				dbus.FieldInterface:   dbus.MakeVariant(portalRequest),
				dbus.FieldMember:      dbus.MakeVariant("Response"),
				dbus.FieldDestination: dbus.MakeVariant(string(sender)),
				dbus.FieldSignature:   dbus.MakeVariant(dbus.SignatureOf(code, results)),
			},
			Body: []any{code, results},
		}, nil)
	}()
	return handle, nil
}

func (p *fakePortal) received() []portalCallMade {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]portalCallMade(nil), p.calls...)
}

// fakeRequest is a request under way; Close ends it without an answer.
type fakeRequest struct {
	once   sync.Once
	closed chan struct{}
}

func (r *fakeRequest) Close() *dbus.Error {
	r.once.Do(func() { close(r.closed) })
	return nil
}

// chooses answers a dialog with the file at path.
func chooses(path string) func(portalCallMade) (uint32, map[string]dbus.Variant) {
	return func(portalCallMade) (uint32, map[string]dbus.Variant) {
		u := url.URL{Scheme: "file", Path: path}
		return 0, map[string]dbus.Variant{"uris": dbus.MakeVariant([]string{u.String()})}
	}
}

func cancels(portalCallMade) (uint32, map[string]dbus.Variant) {
	return portalResponseCancelled, map[string]dbus.Variant{}
}

// portalUI turns the native dialogs on for one test (the suite has them
// off), forgets what an earlier test learnt about the portal, and makes
// the test's goroutine Fyne's thread: what the portal's goroutine hands
// to fyne.Do waits until the test runs it (runUI).
func portalUI(t *testing.T, language string) (fyne.Window, chan func()) {
	t.Helper()
	a := test.NewTempApp(t)
	SetLanguage(language)
	t.Cleanup(func() { SetLanguage("en") })
	w := a.NewWindow("TrainPay")
	w.Resize(fyne.NewSize(900, 700))
	delivered := make(chan func(), 4)
	nativeDialogs, onUIThread = true, func(f func()) { delivered <- f }
	portalMissing.Store(false)
	t.Cleanup(func() {
		nativeDialogs, onUIThread = false, fyne.Do
		portalMissing.Store(false)
	})
	return w, delivered
}

// runUI runs what was handed to Fyne's thread, waiting up to within.
func runUI(t *testing.T, delivered chan func(), within time.Duration) {
	t.Helper()
	select {
	case f := <-delivered:
		f()
	case <-time.After(within):
		t.Fatalf("nothing came back to Fyne's thread within %v", within)
	}
}

// returnsAtOnce calls f, as a button's tap would on Fyne's thread, and
// fails if it keeps the thread for longer than a frame or so.
func returnsAtOnce(t *testing.T, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("the dialog kept Fyne's thread for %v", d)
	}
}

func fyneDialogShown(w fyne.Window) bool {
	return findButton(w, lang.L("Save")) != nil || findButton(w, lang.L("Open")) != nil
}

func variantOf[V any](t *testing.T, options map[string]dbus.Variant, key string) V {
	t.Helper()
	var v V
	got, ok := options[key]
	if !ok {
		t.Fatalf("option %s not sent: %v", key, options)
	}
	if err := got.Store(&v); err != nil {
		t.Fatalf("option %s: %v (%s)", key, err, got.Signature())
	}
	return v
}

type sentFilter struct {
	Name  string
	Rules []struct {
		Type    uint32
		Pattern string
	}
}

func filterPatterns(f sentFilter) [2]any {
	var pats []string
	for _, r := range f.Rules {
		if r.Type != 0 {
			pats = append(pats, "mime:"+r.Pattern)
			continue
		}
		pats = append(pats, r.Pattern)
	}
	return [2]any{f.Name, strings.Join(pats, " ")}
}

// Save in Polish: the portal is asked for a modal dialog with the
// suggested name, the last folder and a filter per kind with its Polish
// name; the file the person chose is written, the chosen folder is
// remembered, and Fyne's thread is never held while the person chooses.
func TestPortalSaveWritesTheChosenFileAndSendsTheNameFolderAndFilters(t *testing.T) {
	testBus(t)
	start, chosenDir := t.TempDir(), t.TempDir()
	chosen := filepath.Join(chosenDir, "zestawienie ąę #1.csv")
	p := servePortal(t, true, chooses(chosen))
	w, delivered := portalUI(t, "pl")
	NewSettings(fyne.CurrentApp().Preferences()).SetLastFolder(start)

	var saved bool
	returnsAtOnce(t, func() {
		saveFile(w, "rejestracje.csv", []fileKind{kindCSV, kindText}, func(wc fyne.URIWriteCloser, err error) {
			if err != nil || wc == nil {
				t.Fatalf("save called back with %v, %v", wc, err)
			}
			if _, err := wc.Write([]byte("Anna,Nowak\r\n")); err != nil {
				t.Fatal(err)
			}
			if err := wc.Close(); err != nil {
				t.Fatal(err)
			}
			saved = true
		})
	})
	if fyneDialogShown(w) {
		t.Fatal("Fyne's dialog shown beside the portal's")
	}
	runUI(t, delivered, 5*time.Second)
	if !saved {
		t.Fatal("the save callback was not called")
	}
	data, err := os.ReadFile(chosen)
	if err != nil || string(data) != "Anna,Nowak\r\n" {
		t.Fatalf("the chosen file holds %q, %v", data, err)
	}
	if got := NewSettings(fyne.CurrentApp().Preferences()).LastFolder(); got != chosenDir {
		t.Errorf("last folder %q, want the chosen file's %q", got, chosenDir)
	}
	if fyneDialogShown(w) {
		t.Error("Fyne's dialog shown after the portal's answer")
	}

	calls := p.received()
	if len(calls) != 1 || calls[0].method != "SaveFile" {
		t.Fatalf("the portal got %+v", calls)
	}
	c := calls[0]
	if c.title != T("file.save_title") || c.title == "" {
		t.Errorf("title %q", c.title)
	}
	if name := variantOf[string](t, c.options, "current_name"); name != "rejestracje.csv" {
		t.Errorf("current_name %q", name)
	}
	if folder := variantOf[[]byte](t, c.options, "current_folder"); string(folder) != start+"\x00" {
		t.Errorf("current_folder %q, want %q NUL-terminated", folder, start)
	}
	if !variantOf[bool](t, c.options, "modal") {
		t.Error("the dialog is not modal")
	}
	filters := variantOf[[]sentFilter](t, c.options, "filters")
	var got [][2]any
	for _, f := range filters {
		got = append(got, filterPatterns(f))
	}
	want := [][2]any{{"Pliki CSV (*.csv)", "*.csv *.CSV"}, {T(kindText.name), "*.txt *.TXT"}}
	if !reflect.DeepEqual(got, want) || !strings.HasPrefix(T(kindText.name), "Pliki") {
		t.Errorf("filters %v, want %v", got, want)
	}
	if cur := variantOf[sentFilter](t, c.options, "current_filter"); cur.Name != "Pliki CSV (*.csv)" {
		t.Errorf("current filter %q", cur.Name)
	}
}

// A name chosen without the kind's extension gets it, as on Windows.
func TestPortalSaveAddsTheKindsExtension(t *testing.T) {
	testBus(t)
	dir := t.TempDir()
	servePortal(t, true, chooses(filepath.Join(dir, "raport")))
	w, delivered := portalUI(t, "en")
	var name string
	saveFile(w, "report.pdf", []fileKind{kindPDF}, func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			t.Fatalf("save called back with %v, %v", wc, err)
		}
		name = localPath(wc.URI())
		wc.Close()
	})
	runUI(t, delivered, 5*time.Second)
	if name != filepath.Join(dir, "raport.pdf") {
		t.Fatalf("saved to %q", name)
	}
}

// Cancel in the desktop's dialog is the person's answer: the callback
// gets nothing, and no second (Fyne's) dialog follows.
func TestPortalCancelCallsBackWithNothing(t *testing.T) {
	testBus(t)
	servePortal(t, true, cancels)
	w, delivered := portalUI(t, "en")
	called := 0
	saveFile(w, "codes.csv", []fileKind{kindCSV}, func(wc fyne.URIWriteCloser, err error) {
		called++
		if wc != nil || err != nil {
			t.Errorf("cancelled save called back with %v, %v", wc, err)
		}
	})
	runUI(t, delivered, 5*time.Second)
	openFile(w, []fileKind{kindCSV}, func(rc fyne.URIReadCloser, err error) {
		called++
		if rc != nil || err != nil {
			t.Errorf("cancelled open called back with %v, %v", rc, err)
		}
	})
	runUI(t, delivered, 5*time.Second)
	if called != 2 {
		t.Fatalf("called back %d times", called)
	}
	if fyneDialogShown(w) || portalMissing.Load() {
		t.Fatalf("a cancel fell back to Fyne's dialog (portal missing: %v)", portalMissing.Load())
	}
}

// Open reads the file the person chose and sends the kinds and the folder.
func TestPortalOpenReadsTheChosenFile(t *testing.T) {
	testBus(t)
	dir := t.TempDir()
	chosen := filepath.Join(dir, "odbiorcy.csv")
	if err := os.WriteFile(chosen, []byte("email\r\nanna@example.com\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := servePortal(t, true, chooses(chosen))
	w, delivered := portalUI(t, "pl")
	NewSettings(fyne.CurrentApp().Preferences()).SetLastFolder(dir)
	var data []byte
	returnsAtOnce(t, func() {
		openFile(w, []fileKind{kindCSV}, func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				t.Fatalf("open called back with %v, %v", rc, err)
			}
			defer rc.Close()
			data, _ = io.ReadAll(rc)
		})
	})
	runUI(t, delivered, 5*time.Second)
	if string(data) != "email\r\nanna@example.com\r\n" {
		t.Fatalf("read %q", data)
	}
	c := p.received()[0]
	if c.method != "OpenFile" || c.title != T("file.open_title") {
		t.Errorf("%s %q", c.method, c.title)
	}
	if variantOf[bool](t, c.options, "multiple") {
		t.Error("more than one file asked for")
	}
	if folder := variantOf[[]byte](t, c.options, "current_folder"); string(folder) != dir+"\x00" {
		t.Errorf("current_folder %q", folder)
	}
	if f := variantOf[[]sentFilter](t, c.options, "filters"); len(f) != 1 || filterPatterns(f[0]) != [2]any{"Pliki CSV (*.csv)", "*.csv *.CSV"} {
		t.Errorf("filters %+v", f)
	}
}

// Where no portal answers, Fyne's dialog is shown at once, with the
// suggested name; the portal is not asked again in the session.
func TestFyneDialogWhenNoPortalAnswers(t *testing.T) {
	cases := []struct {
		name  string
		setUp func(t *testing.T)
	}{
		{"no session bus", func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "none"))
			t.Setenv("XDG_RUNTIME_DIR", dir)
		}},
		{"no session bus address", func(t *testing.T) {
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
			t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
		}},
		{"no portal on the bus", testBus},
		{"a portal without a file chooser", func(t *testing.T) {
			testBus(t)
			servePortal(t, false, cancels)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.setUp(t)
			w, delivered := portalUI(t, "en")
			start := time.Now()
			saveFile(w, "report.csv", []fileKind{kindCSV}, func(fyne.URIWriteCloser, error) {})
			runUI(t, delivered, portalTimeout)
			if d := time.Since(start); d > time.Second {
				t.Errorf("Fyne's dialog came after %v", d)
			}
			if !fyneDialogShown(w) || !containsText(entryTexts(w), "report.csv") {
				t.Fatalf("Fyne's save dialog with the suggested name not shown: %q", screenTexts(w))
			}
			closeOverlays(w)
			// Known now: Fyne's dialog straight away, on Fyne's thread.
			openFile(w, []fileKind{kindCSV}, func(fyne.URIReadCloser, error) {})
			if !fyneDialogShown(w) || len(delivered) != 0 {
				t.Fatal("the second dialog did not go straight to Fyne's")
			}
		})
	}
}

// A portal that takes the call and never answers it costs the timeout
// once, off Fyne's thread; then Fyne's dialog is shown, and the rest of
// the session does not wait for the portal again.
func TestPortalThatNeverAnswersFallsBackWithinTheTimeout(t *testing.T) {
	testBus(t)
	p := servePortal(t, true, nil)
	w, delivered := portalUI(t, "en")
	start := time.Now()
	returnsAtOnce(t, func() {
		saveFile(w, "report.csv", []fileKind{kindCSV}, func(fyne.URIWriteCloser, error) {})
	})
	runUI(t, delivered, portalTimeout+2*time.Second)
	if d := time.Since(start); d < portalTimeout || d > portalTimeout+time.Second {
		t.Errorf("fell back after %v, want the timeout of %v", d, portalTimeout)
	}
	if !fyneDialogShown(w) {
		t.Fatalf("Fyne's dialog not shown: %q", screenTexts(w))
	}
	closeOverlays(w)
	saveFile(w, "report.csv", []fileKind{kindCSV}, func(fyne.URIWriteCloser, error) {})
	if !fyneDialogShown(w) || len(p.received()) != 1 {
		t.Fatalf("asked the portal again (%d calls)", len(p.received()))
	}
}

// A dialog the portal ended without an answer (code 2) falls back to
// Fyne's this once; the portal is still asked the next time.
func TestPortalDialogEndedOtherwiseShowsFynesThisOnce(t *testing.T) {
	testBus(t)
	p := servePortal(t, true, func(portalCallMade) (uint32, map[string]dbus.Variant) {
		return 2, map[string]dbus.Variant{}
	})
	w, delivered := portalUI(t, "en")
	saveFile(w, "report.csv", []fileKind{kindCSV}, func(fyne.URIWriteCloser, error) {})
	runUI(t, delivered, 5*time.Second)
	if !fyneDialogShown(w) {
		t.Fatal("Fyne's dialog not shown")
	}
	closeOverlays(w)
	saveFile(w, "report.csv", []fileKind{kindCSV}, func(fyne.URIWriteCloser, error) {})
	runUI(t, delivered, 5*time.Second)
	if len(p.received()) != 2 {
		t.Fatalf("the portal got %d calls, want 2", len(p.received()))
	}
}

// entryTexts is the text of every entry in the window's overlays.
func entryTexts(w fyne.Window) []string {
	var out []string
	for _, e := range overlayEntries(w) {
		out = append(out, e.Text)
	}
	return out
}
