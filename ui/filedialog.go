package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// fileKind is one kind of file a dialog offers: its name for a person and
// its extension with the dot (".csv").
type fileKind struct {
	name string // message ID
	ext  string
}

var (
	kindCSV  = fileKind{name: "file.kind_csv", ext: ".csv"}
	kindPDF  = fileKind{name: "file.kind_pdf", ext: ".pdf"}
	kindText = fileKind{name: "file.kind_text", ext: ".txt"}
)

// errNoNativeDialog says there is no native file dialog to show (on Linux
// and the BSDs: the desktop portal is known not to answer); Fyne's own is
// used instead.
var errNoNativeDialog = errors.New("no native file dialog")

// nativeDialogs is whether saveFile and openFile try the system's dialog
// first. The ui tests turn it off on every system: a system dialog is a
// modal window of the OS that a test cannot drive (it would wait for a
// person), so they go through Fyne's, as on Linux.
var nativeDialogs = true

// localPath is a file URI's path as the system writes it: Fyne's URIs use
// forward slashes, Windows shows and takes backslashes (C:\Users\...).
func localPath(u fyne.URI) string {
	return filepath.FromSlash(u.Path())
}

// saveFile asks where to save a file, suggesting the name suggested, and
// calls save with the file opened for writing (nil when the person
// cancelled), as Fyne's own save dialog does. Windows and macOS show the
// system's dialog, Linux the desktop's through its file chooser portal
// (filedialog_portal.go); where there is none, or it fails, Fyne's dialog
// is shown, listing only files of the given kinds (so not the database's -wal and
// -shm files). Every export goes through here. It starts in the folder of
// the last file saved or opened.
func saveFile(w fyne.Window, suggested string, kinds []fileKind, save func(fyne.URIWriteCloser, error)) {
	settings := NewSettings(fyne.CurrentApp().Preferences())
	if !nativeDialogs {
		showFyneSave(w, settings, suggested, kinds, save)
		return
	}
	nativeSave(w, T("file.save_title"), settings.LastFolder(), suggested, kinds, func(path string, err error) {
		switch {
		case err == nil && path == "":
			save(nil, nil) // cancelled
			return
		case err == nil:
			path = withExtension(path, kinds)
			wc, err := storage.Writer(storage.NewFileURI(path))
			if err == nil {
				settings.SetLastFolder(filepath.Dir(path))
			}
			save(wc, err)
			return
		case !errors.Is(err, errNoNativeDialog):
			fyne.LogError("native save dialog, using Fyne's", err)
		}
		showFyneSave(w, settings, suggested, kinds, save)
	})
}

func showFyneSave(w fyne.Window, settings Settings, suggested string, kinds []fileKind, save func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if wc != nil {
			rememberFolder(settings, wc.URI())
		}
		save(wc, err)
	}, w)
	d.SetFileName(suggested)
	prepareFyneDialog(d, settings, kinds)
	d.Show()
	d.Resize(fyne.NewSize(700, 500)) // after Show: Fyne 2.8's Resize of a dialog not yet shown dereferences nil
}

// openFile asks for a file of the given kinds to read, and calls open with
// it (nil when the person cancelled); like saveFile, natively where it can.
// The native dialogs answer through done on Fyne's thread, at once
// (Windows, macOS) or later (the portal's, which runs off the thread).
func openFile(w fyne.Window, kinds []fileKind, open func(fyne.URIReadCloser, error)) {
	settings := NewSettings(fyne.CurrentApp().Preferences())
	if !nativeDialogs {
		showFyneOpen(w, settings, kinds, open)
		return
	}
	nativeOpen(w, T("file.open_title"), settings.LastFolder(), kinds, func(path string, err error) {
		switch {
		case err == nil && path == "":
			open(nil, nil)
			return
		case err == nil:
			rc, err := storage.Reader(storage.NewFileURI(path))
			if err == nil {
				settings.SetLastFolder(filepath.Dir(path))
			}
			open(rc, err)
			return
		case !errors.Is(err, errNoNativeDialog):
			fyne.LogError("native open dialog, using Fyne's", err)
		}
		showFyneOpen(w, settings, kinds, open)
	})
}

func showFyneOpen(w fyne.Window, settings Settings, kinds []fileKind, open func(fyne.URIReadCloser, error)) {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if rc != nil {
			rememberFolder(settings, rc.URI())
		}
		open(rc, err)
	}, w)
	prepareFyneDialog(d, settings, kinds)
	d.Show()
	d.Resize(fyne.NewSize(700, 500)) // after Show: Fyne 2.8's Resize of a dialog not yet shown dereferences nil
}

// prepareFyneDialog filters Fyne's dialog to the kinds and starts it in the
// last folder used; the caller gives it room for long file names once shown.
func prepareFyneDialog(d *dialog.FileDialog, settings Settings, kinds []fileKind) {
	exts := make([]string, len(kinds))
	for i, k := range kinds {
		exts[i] = k.ext
	}
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	if dir := settings.LastFolder(); dir != "" {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
				d.SetLocation(l)
			}
		}
	}
}

func rememberFolder(settings Settings, u fyne.URI) {
	if u.Scheme() == "file" {
		settings.SetLastFolder(filepath.Dir(localPath(u)))
	}
}

// withExtension adds the first kind's extension to a path chosen without
// one of the kinds' (the Windows dialog leaves it to the program).
func withExtension(path string, kinds []fileKind) string {
	if len(kinds) == 0 {
		return path
	}
	ext := strings.ToLower(filepath.Ext(path))
	for _, k := range kinds {
		if ext == k.ext {
			return path
		}
	}
	return path + kinds[0].ext
}
