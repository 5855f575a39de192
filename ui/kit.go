package ui

import (
	"fyne.io/fyne/v2"

	"github.com/trainpay/trainpay/ui/uikit"
)

// The presentation helpers this package shares with its screen packages
// (ui/checkout) live in uikit; these are the names the screens here use.

// options are the choices of a select box or radio group (uikit.Options).
type options[T comparable] = uikit.Options[T]

// newOptions lists values, each shown as label(value).
func newOptions[T comparable](label func(T) string, values ...T) *options[T] {
	return uikit.NewOptions(label, values...)
}

// showIn shows a hidden container and lays it out again (uikit.ShowIn).
func showIn(c *fyne.Container, layout interface{ Refresh() }) { uikit.ShowIn(c, layout) }

func setEnabled(b fyne.Disableable, on bool) { uikit.SetEnabled(b, on) }
