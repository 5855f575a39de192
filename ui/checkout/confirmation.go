package checkout

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/uikit"
)

// PaidLines are what a paid registration's confirmation says of the money:
// with a promotional code, the price before it, the code and what it took
// off; then what was paid (a code may have made it nothing).
func PaidLines(reg app.Registration) fyne.CanvasObject {
	box := container.NewVBox()
	if reg.PromoCode != "" && reg.DiscountMinor > 0 {
		box.Add(widget.NewLabel(uikit.T("register.price_before", map[string]any{
			"Amount": uikit.FormatMinor(reg.FeeMinor, reg.Currency),
		})))
		box.Add(widget.NewLabel(uikit.T("register.discount_line", map[string]any{
			"Code": reg.PromoCode, "Amount": uikit.FormatMinor(reg.DiscountMinor, reg.Currency),
		})))
	}
	paid := widget.NewLabel(uikit.T("register.paid_line", map[string]any{"Amount": uikit.FormatMinor(reg.TotalMinor, reg.Currency)}))
	paid.Wrapping = fyne.TextWrapWord
	box.Add(paid)
	return box
}
