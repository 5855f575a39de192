package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// appTheme is Fyne's default theme, held to one variant (light or dark)
// when the person chose one and following the operating system otherwise,
// with a focus colour that can be seen. (Fyne's LightTheme and DarkTheme
// are deprecated in favour of a theme that picks the variant.)
//
// Fyne's own focus colour is its primary blue at a sixth of its strength,
// about as faint as its hover colour: a focused button or check box looks
// hardly different from one the pointer is over, and a keyboard user cannot
// see where the keys go. Here it is the primary colour at 40%, so that a
// focused drop-down, check box, radio item or list row is plainly tinted;
// the keyboard's buttons, fields and drop-downs (ui/widgets) also draw a
// ring of the primary colour around themselves while focused.
type appTheme struct {
	variant fyne.ThemeVariant
	fixed   bool // variant, else the system's
}

// focusAlpha is the focus colour's opacity (of 255).
const focusAlpha = 0x66

func (t appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.fixed {
		v = t.variant
	}
	if n == theme.ColorNameFocus {
		r, g, b, _ := theme.DefaultTheme().Color(theme.ColorNamePrimary, v).RGBA()
		return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: focusAlpha}
	}
	return theme.DefaultTheme().Color(n, v)
}

func (t appTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t appTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }

// applyTheme shows the app in the chosen theme (ThemeSystem, ThemeLight or
// ThemeDark) at once.
func applyTheme(a fyne.App, choice string) {
	switch choice {
	case ThemeLight:
		a.Settings().SetTheme(appTheme{variant: theme.VariantLight, fixed: true})
	case ThemeDark:
		a.Settings().SetTheme(appTheme{variant: theme.VariantDark, fixed: true})
	default:
		a.Settings().SetTheme(appTheme{})
	}
}
