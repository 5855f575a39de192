package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/ui/uitest"
)

// keyboard is uitest.Keys, the desktop driver's key path, with the keys
// that need the screens of this package (tabToLabel, openSection).
type keyboard struct{ uitest.Keys }

func newKeyboard(t *testing.T, w fyne.Window) *keyboard { return &keyboard{uitest.NewKeys(t, w)} }
