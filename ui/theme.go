package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// variantTheme is Fyne's default theme held to one variant, light or dark,
// whatever the operating system prefers. (Fyne's LightTheme and DarkTheme
// are deprecated in favour of exactly this: a theme that picks the variant.)
type variantTheme struct{ variant fyne.ThemeVariant }

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return theme.DefaultTheme().Color(n, t.variant)
}

func (t variantTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t variantTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t variantTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }

// applyTheme shows the app in the chosen theme (ThemeSystem, ThemeLight or
// ThemeDark) at once.
func applyTheme(a fyne.App, choice string) {
	switch choice {
	case ThemeLight:
		a.Settings().SetTheme(variantTheme{theme.VariantLight})
	case ThemeDark:
		a.Settings().SetTheme(variantTheme{theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}
