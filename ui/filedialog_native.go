//go:build windows || darwin

package ui

import (
	"errors"
	"strings"

	"github.com/sqweek/dialog"
)

// The system's file dialogs come from github.com/sqweek/dialog: plain Go
// over the Win32 common dialogs on Windows, Cocoa's NSSavePanel and
// NSOpenPanel on macOS. (On Linux it needs GTK, which TrainPay does not
// otherwise link, so Linux keeps Fyne's dialog; see filedialog_other.go.)
// Each call blocks until the person has chosen: it runs on Fyne's thread,
// which on macOS is the main thread that Cocoa's panels want.

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

func nativeSave(title, dir, suggested string, kinds []fileKind) (string, error) {
	path, err := nativeBuilder(title, dir, kinds).SetStartFile(suggested).Save()
	if errors.Is(err, dialog.ErrCancelled) {
		return "", nil
	}
	return path, err
}

func nativeOpen(title, dir string, kinds []fileKind) (string, error) {
	path, err := nativeBuilder(title, dir, kinds).Load()
	if errors.Is(err, dialog.ErrCancelled) {
		return "", nil
	}
	return path, err
}
