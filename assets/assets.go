// Package assets holds the files TrainPay embeds: the translations and the
// application icon.
package assets

import "embed"

// Translations holds translations/en.json and translations/pl.json, one
// go-i18n message file per UI language.
//
//go:embed translations/*.json
var Translations embed.FS

// Icon is the application icon (the same file FyneApp.toml names).
//
//go:embed icon.png
var Icon []byte
