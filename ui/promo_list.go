package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// promoCodePager is what the codes list reads.
type promoCodePager interface {
	CodePage(ctx context.Context, f app.PromoCodeFilter) ([]app.PromoCode, int, error)
}

// promoList is the codes list: searched, paged (widgets.PagedList), and the
// selection it gives the screen.
type promoList struct {
	scr *promoScreen
	svc promoCodePager

	search *widgets.Entry
	count  *widget.Label
	list   *widgets.PagedList[app.PromoCode, int64]
}

// buildList makes the search box, the count and the list.
func (s *promoList) buildList() fyne.CanvasObject {
	s.search = widgets.NewEntry()
	s.search.SetPlaceHolder(T("promo.search"))
	s.search.OnChanged = func(string) { s.onSearch() }
	s.count = widget.NewLabel("")
	s.list = widgets.NewPagedList(widgets.PagedListOptions[app.PromoCode, int64]{
		PageSize: promoPageSize, PagesKept: promoPagesKept, Fetch: s.fetchPage, Run: s.scr.deps.run,
		ID:      func(c app.PromoCode) int64 { return c.ID },
		Columns: []widgets.Column[app.PromoCode]{{Weight: 1, Text: s.codeLine}},
		OnLoaded: func(total int, _ bool, err error) {
			if err != nil {
				s.scr.failed(err)
			} else {
				s.count.SetText(T("promo.count", map[string]any{"Count": total}))
			}
		},
		OnSelected: func(c app.PromoCode) {
			s.scr.selected = c.ID
			s.scr.showDetail()
		},
		OnUnselected: func() { s.scr.showDetail() },
	})
	return container.NewBorder(container.NewBorder(nil, nil, nil, s.count, s.search), nil, nil, nil, s.list)
}

// codeLine is a code's row: code, discount, uses of the limit, last day.
func (s *promoList) codeLine(c app.PromoCode) string {
	key := "promo.code_line_unlimited"
	if c.UseLimit > 0 {
		key = "promo.code_line"
	}
	line := T(key, map[string]any{
		"Code": c.Code, "Discount": c.DiscountText(Language()),
		"Uses": c.Uses, "Limit": c.UseLimit, "Until": app.ExpiryText(c, s.scr.site.TimeZone, Language()),
	})
	if c.Disabled {
		line += " · " + T("promo.disabled")
	}
	return line
}

// onSearch starts the list over for the new search, after the search
// box's delay (searchDelay); the selected code's pane stays.
func (s *promoList) onSearch() {
	if s.list == nil {
		return
	}
	s.list.Restart(searchDelay)
	s.scr.showDetail()
}

// reload reads the list again (the count and the pages in sight, the
// selection kept by the code's id) and the selected code, all off the UI
// thread.
func (s *promoList) reload() {
	if s.list == nil {
		return
	}
	s.list.Reload()
	if _, ok := s.list.Selected(); !ok {
		s.scr.showDetail() // a code chosen before a search: its pane stays
	}
}

// fetchPage reads one page of codes (off the UI thread).
func (s *promoList) fetchPage(q widgets.PageQuery[app.PromoCode]) (widgets.Page[app.PromoCode], error) {
	f := app.PromoCodeFilter{Search: s.search.Text, Limit: q.Limit, Offset: q.Skip, NoTotal: !q.Count}
	if q.After != nil {
		f.AfterID = q.After.ID
	}
	rows, total, err := s.svc.CodePage(q.Ctx, f)
	return widgets.Page[app.PromoCode]{Rows: rows, Total: total}, err
}

func (s *promoList) length() int { return s.list.Length() }
