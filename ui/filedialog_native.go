//go:build windows || darwin

package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"github.com/sqweek/dialog"
)

// The system's file dialogs come from github.com/sqweek/dialog: plain Go
// over the Win32 common dialogs on Windows, Cocoa's NSSavePanel and
// NSOpenPanel on macOS. (On Linux it needs GTK, which TrainPay does not
// otherwise link, so Linux asks the desktop's file chooser portal instead;
// see filedialog_portal.go.) Each call blocks until the person has chosen:
// it runs on Fyne's thread, which on macOS is the main thread that Cocoa's
// panels want, and calls done before it returns.

func nativeBuilder(title, dir string, kinds []fileKind) *dialog.FileBuilder {
	b := dialog.File().Title(title)
	for _, k := range kinds {
		b = b.Filter(T(k.name), strings.TrimPrefix(k.ext, "."))
	}
	if dir != "" {
		b = b.SetStartDir(dir)
	}
	return b
}

func nativeSave(_ fyne.Window, title, dir, suggested string, kinds []fileKind, done func(path string, err error)) {
	path, err := nativeBuilder(title, dir, kinds).SetStartFile(suggested).Save()
	if errors.Is(err, dialog.ErrCancelled) {
		path, err = "", nil
	}
	done(path, err)
}

func nativeOpen(_ fyne.Window, title, dir string, kinds []fileKind, done func(path string, err error)) {
	path, err := nativeBuilder(title, dir, kinds).Load()
	if errors.Is(err, dialog.ErrCancelled) {
		path, err = "", nil
	}
	done(path, err)
}
