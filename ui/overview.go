package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
)

// buildOverview is the first section: the site at a glance and, for each
// e-commerce feature, whether hosts can use it or whom to contact.
func (m *MainWindow) buildOverview() fyne.CanvasObject {
	site := m.site
	details := widget.NewForm(
		widget.NewFormItem(T("site.name"), widget.NewLabel(site.Name)),
		widget.NewFormItem(T("site.country"), widget.NewLabel(countryName(site.Country))),
		widget.NewFormItem(T("site.currency"), widget.NewLabel(site.Currency)),
		widget.NewFormItem(T("site.time_zone"), widget.NewLabel(site.TimeZone)),
		widget.NewFormItem(T("site.mode"), widget.NewLabel(T("mode."+string(site.Mode)))),
	)
	features := container.NewVBox()
	m.deps.run(func() {
		states, err := m.deps.Site.Features(context.Background())
		fyne.Do(func() {
			if err != nil {
				features.Add(widget.NewLabel(ErrorText(err)))
				return
			}
			for _, st := range states {
				name := widget.NewLabelWithStyle(T("feature."+string(st.Feature)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
				status := widget.NewLabel(T("overview.available"))
				status.Importance = widget.SuccessImportance
				if err := app.FeatureAvailability(st); err != nil {
					status.SetText(ErrorText(err))
					status.Importance = widget.WarningImportance
				}
				status.Wrapping = fyne.TextWrapWord
				features.Add(container.NewVBox(name, status))
			}
			features.Refresh()
		})
	})
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(site.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		details, widget.NewSeparator(),
		widget.NewLabelWithStyle(T("overview.features"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		features,
	)))
}
