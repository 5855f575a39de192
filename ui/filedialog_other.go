//go:build !windows && !darwin

package ui

// Linux and the BSDs use Fyne's own file dialog: a native one would mean
// linking GTK (or talking to a desktop portal that not every desktop runs).

func nativeSave(title, dir, suggested string, kinds []fileKind) (string, error) {
	return "", errNoNativeDialog
}

func nativeOpen(title, dir string, kinds []fileKind) (string, error) {
	return "", errNoNativeDialog
}
