package ui

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/trainpay/trainpay/ui/widgets"
)

// credit is a library or font TrainPay ships, with its licence.
type credit struct{ name, licence string }

// credits are the main libraries and the fonts in TrainPay, with their
// licences (as their LICENSE files say); go.mod lists every module.
var credits = []credit{
	{"Fyne (fyne.io/fyne/v2)", "BSD-3-Clause"},
	{"SQLite", "Public domain"},
	{"go-sqlite3 (github.com/mattn/go-sqlite3)", "MIT"},
	{"goose (github.com/pressly/goose)", "MIT"},
	{"currency (github.com/bojanz/currency)", "MIT"},
	{"fpdf (github.com/go-pdf/fpdf)", "MIT"},
	{"paypal (github.com/plutov/paypal)", "MIT"},
	{"go-mail (github.com/wneessen/go-mail)", "MIT"},
	{"go-keyring (github.com/zalando/go-keyring)", "MIT"},
	{"dialog (github.com/sqweek/dialog)", "ISC"},
	{"pflag (github.com/spf13/pflag)", "BSD-3-Clause"},
	{"Go, golang.org/x/crypto, golang.org/x/text", "BSD-3-Clause"},
	{"Noto Sans", "SIL Open Font License 1.1"},
	{"DejaVu Sans, DejaVu Sans Mono", "Bitstream Vera Fonts licence"},
}

// versionText is "Version 0.1.0 (build 1)" from the app's metadata, which
// comes from FyneApp.toml.
func versionText(meta fyne.AppMetadata) string {
	if meta.Version == "" {
		return T("about.version_unknown")
	}
	return T("about.version", map[string]any{"Version": meta.Version, "Build": meta.Build})
}

// aboutContent is what About TrainPay shows: name, version, what it is,
// the licences and the project's link.
func aboutContent(meta fyne.AppMetadata, icon fyne.Resource) fyne.CanvasObject {
	name := meta.Name
	if name == "" {
		name = T("app.title")
	}
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head := container.NewVBox(title, widget.NewLabel(versionText(meta)))
	var top fyne.CanvasObject = head
	if icon != nil {
		img := canvas.NewImageFromResource(icon)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(64, 64))
		top = container.NewBorder(nil, nil, img, nil, head)
	}
	about := widget.NewLabel(T("about.description"))
	about.Wrapping = fyne.TextWrapWord
	lines := make([]string, len(credits))
	for i, c := range credits {
		lines[i] = c.name + " — " + c.licence
	}
	licences := widget.NewLabel(strings.Join(lines, "\n"))
	u, _ := url.Parse(projectURL)
	link := widget.NewHyperlink(strings.TrimPrefix(projectURL, "https://"), u)
	return container.NewVBox(top, about, link, widget.NewSeparator(),
		widget.NewLabelWithStyle(T("about.licences"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		licences)
}

// ShowAbout shows About TrainPay over the main window.
func (m *MainWindow) ShowAbout() {
	content := container.NewVScroll(aboutContent(m.app.Metadata(), m.app.Icon()))
	content.SetMinSize(fyne.NewSize(520, 440))
	widgets.ShowCustom(T("about.title"), T("pay.close"), content, m.win)
}
