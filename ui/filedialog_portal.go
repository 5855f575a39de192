//go:build !windows && !darwin

package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"github.com/godbus/dbus/v5"
	"github.com/rymdport/portal"
	"github.com/rymdport/portal/filechooser"
)

// Linux and the BSDs show the desktop's own file dialog (GNOME's, KDE's,
// XFCE's through xdg-desktop-portal-gtk, ...), in the person's language,
// by asking the XDG desktop portal's FileChooser over the session D-Bus;
// no GTK is linked. Where no portal answers (no session bus, no portal
// service, no FileChooser in it, an error), Fyne's dialog is shown instead.
//
// The D-Bus exchange is written here over godbus rather than through
// rymdport/portal's filechooser.SaveFile and OpenFile (whose filter types
// it uses), because those calls cannot do what a fallback needs: they
// have no timeout (a portal that never answers would keep the dialog from
// ever showing), they use godbus's process-wide session connection (fixed
// at the first call's bus), and they subscribe to the Response signal only
// after the call has returned, on the portal's object rather than on the
// request's, so a quick answer can be missed. The portal's documentation
// asks clients to do what is done here: choose the handle_token, subscribe
// to Response on the request path it makes, then call.

const (
	portalService     = "org.freedesktop.portal.Desktop"
	portalObject      = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	portalFileChooser = "org.freedesktop.portal.FileChooser"
	portalRequest     = "org.freedesktop.portal.Request"

	// portalResponseCancelled is the Response code for a person who closed
	// the dialog without choosing (0 is success, 2 "ended otherwise").
	portalResponseCancelled = 1
)

// portalTimeout bounds connecting to the session bus and the FileChooser
// call, which the portal answers at once with a request handle (the
// dialog's answer comes later, as a signal, and takes the person's time).
// It covers D-Bus starting the portal service on first use.
const portalTimeout = 3 * time.Second

// portalMissing is set once the portal did not answer, so that the rest
// of the session goes straight to Fyne's dialog.
var portalMissing atomic.Bool

// onUIThread delivers the portal's answer on Fyne's thread; a variable so
// that the tests can run it on theirs.
var onUIThread = fyne.Do

// portalTokens makes each request's handle_token unique in the process.
var portalTokens atomic.Uint64

func nativeSave(w fyne.Window, title, dir, suggested string, kinds []fileKind, done func(path string, err error)) {
	options := portalOptions(dir, kinds)
	if suggested != "" {
		options["current_name"] = dbus.MakeVariant(suggested)
	}
	askPortal(w, "SaveFile", title, options, done)
}

func nativeOpen(w fyne.Window, title, dir string, kinds []fileKind, done func(path string, err error)) {
	options := portalOptions(dir, kinds)
	options["multiple"] = dbus.MakeVariant(false)
	askPortal(w, "OpenFile", title, options, done)
}

// portalOptions are the options SaveFile and OpenFile share: a modal
// dialog, one filter per kind (with its translated name; the first is
// chosen), and the folder to start in.
func portalOptions(dir string, kinds []fileKind) map[string]dbus.Variant {
	options := map[string]dbus.Variant{"modal": dbus.MakeVariant(true)}
	if len(kinds) > 0 {
		filters := make([]*filechooser.Filter, len(kinds))
		for i, k := range kinds {
			// Glob patterns are case-sensitive: REPORT.CSV is a CSV too.
			filters[i] = &filechooser.Filter{Name: T(k.name), Rules: []filechooser.Rule{
				{Type: filechooser.GlobPattern, Pattern: "*" + strings.ToLower(k.ext)},
				{Type: filechooser.GlobPattern, Pattern: "*" + strings.ToUpper(k.ext)},
			}}
		}
		options["filters"] = dbus.MakeVariant(filters)
		options["current_filter"] = dbus.MakeVariant(filters[0])
	}
	if dir != "" {
		// A file name as bytes, NUL-terminated (the portal's "ay").
		options["current_folder"] = dbus.MakeVariant(append([]byte(dir), 0))
	}
	return options
}

// askPortal calls the FileChooser's method off Fyne's thread and calls
// done on it: with the chosen file's path, "" when the person cancelled,
// or an error (errNoNativeDialog once the portal is known to be missing).
func askPortal(w fyne.Window, method, title string, options map[string]dbus.Variant, done func(string, error)) {
	if portalMissing.Load() {
		done("", errNoNativeDialog)
		return
	}
	parent, deliver := portalParent(w), onUIThread
	go func() {
		path, err := portalChoose(method, parent, title, options)
		deliver(func() { done(path, err) })
	}()
}

// portalParent is the window the dialog is to be modal to, as the portal
// names windows: "x11:<id>" on X11. Wayland needs a handle exported
// through xdg-foreign, which Fyne does not offer, so there it is "" (the
// dialog then is a window of its own).
func portalParent(w fyne.Window) (parent string) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return ""
	}
	nw.RunNative(func(ctx any) {
		if x11, ok := ctx.(driver.X11WindowContext); ok && x11.WindowHandle != 0 {
			parent = portal.FormatX11WindowHandle(x11.WindowHandle)
		}
	})
	return parent
}

// portalChoose asks the portal and waits for the person's answer.
func portalChoose(method, parent, title string, options map[string]dbus.Variant) (string, error) {
	conn, handle, signals, err := portalRequestDialog(method, parent, title, options)
	if err != nil {
		portalMissing.Store(true)
		return "", err
	}
	defer conn.Close()
	for sig := range signals {
		if sig.Path != handle || sig.Name != portalRequest+".Response" {
			continue
		}
		return portalAnswer(sig.Body)
	}
	return "", errors.New("file chooser portal: the session bus closed before it answered")
}

// portalRequestDialog connects to the session bus, subscribes to the
// request's Response and makes the call, all within portalTimeout. The
// connection stays open (it is where the Response comes) until the
// caller closes it.
func portalRequestDialog(method, parent, title string, options map[string]dbus.Variant) (*dbus.Conn, dbus.ObjectPath, chan *dbus.Signal, error) {
	// The connection's context closes it when the time is up, which also
	// ends a handshake with a bus that does not answer.
	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(portalTimeout, cancel)
	conn, handle, signals, err := portalCall(ctx, method, parent, title, options)
	if timedOut := !timer.Stop(); timedOut {
		err = fmt.Errorf("no answer within %v (%v)", portalTimeout, err)
	}
	if err != nil {
		cancel()
		if conn != nil {
			conn.Close()
		}
		return nil, "", nil, fmt.Errorf("file chooser portal: %w", err)
	}
	return conn, handle, signals, nil
}

func portalCall(ctx context.Context, method, parent, title string, options map[string]dbus.Variant) (*dbus.Conn, dbus.ObjectPath, chan *dbus.Signal, error) {
	// Without DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus there is
	// no session bus to ask; godbus would otherwise launch one through
	// dbus-launch, on which no portal runs.
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return nil, "", nil, err
	}
	if err := conn.Auth(nil); err != nil {
		return conn, "", nil, err
	}
	if err := conn.Hello(); err != nil {
		return conn, "", nil, err
	}
	token := fmt.Sprintf("trainpay%d", portalTokens.Add(1))
	options["handle_token"] = dbus.MakeVariant(token)
	// The request's path as the portal makes it: the caller's unique
	// name without its ':' and with '_' for '.', then the token.
	sender := strings.ReplaceAll(strings.TrimPrefix(conn.Names()[0], ":"), ".", "_")
	handle := dbus.ObjectPath(fmt.Sprintf("%s/request/%s/%s", portalObject, sender, token))
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	if err := portalSubscribe(conn, handle); err != nil {
		return conn, "", nil, err
	}
	var got dbus.ObjectPath
	err = conn.Object(portalService, portalObject).
		CallWithContext(ctx, portalFileChooser+"."+method, 0, parent, title, options).Store(&got)
	if err != nil {
		return conn, "", nil, err
	}
	if got != handle {
		// Portals before version 0.9 chose the path themselves.
		if err := portalSubscribe(conn, got); err != nil {
			return conn, "", nil, err
		}
	}
	return conn, got, signals, nil
}

func portalSubscribe(conn *dbus.Conn, handle dbus.ObjectPath) error {
	return conn.AddMatchSignal(
		dbus.WithMatchObjectPath(handle),
		dbus.WithMatchInterface(portalRequest),
		dbus.WithMatchMember("Response"),
	)
}

// portalAnswer reads a Response's (code, results): the chosen file's path,
// or "" for a cancelled dialog.
func portalAnswer(body []any) (string, error) {
	if len(body) != 2 {
		return "", fmt.Errorf("file chooser portal: a Response of %d values", len(body))
	}
	code, ok := body[0].(uint32)
	if !ok {
		return "", fmt.Errorf("file chooser portal: a Response code of type %T", body[0])
	}
	results, _ := body[1].(map[string]dbus.Variant)
	switch code {
	case 0:
	case portalResponseCancelled:
		return "", nil
	default:
		return "", fmt.Errorf("file chooser portal: the dialog ended without an answer (code %d)", code)
	}
	var uris []string
	if v, ok := results["uris"]; ok {
		if err := v.Store(&uris); err != nil {
			return "", fmt.Errorf("file chooser portal: uris: %w", err)
		}
	}
	if len(uris) != 1 {
		return "", fmt.Errorf("file chooser portal: %d files chosen, not one", len(uris))
	}
	u, err := url.Parse(uris[0])
	if err != nil {
		return "", fmt.Errorf("file chooser portal: %w", err)
	}
	if u.Scheme != "file" || u.Path == "" {
		return "", fmt.Errorf("file chooser portal: %q is not a local file", uris[0])
	}
	return u.Path, nil
}
