package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// RadioGroup is Fyne's radio group (its fields and methods: Options,
// Selected, OnChanged, Horizontal, Required, SetSelected, Disable…) drawn
// with items of this package, on which the keyboard works as on the other
// widgets here:
//
//   - Tab reaches every item, as on Fyne's group; Space picks the focused
//     item (and, unless Required, clears it when it is already picked);
//   - the arrow keys move the choice: Down and Right pick the next item,
//     Up and Left the previous one, and the focus goes with the choice;
//   - Escape cancels the top-most dialog and Enter or Return runs its
//     default button (see DialogKey);
//   - the focused item has the focus ring (see focusRing).
//
// Fyne's items are of an unexported type whose TypedKey does nothing and
// cannot be replaced, so the items are drawn here; the group itself, its
// state and its change handling, stay Fyne's.
type RadioGroup struct {
	widget.RadioGroup
	rend *radioGroupRenderer // the items, once drawn
}

// NewRadioGroup makes a radio group of options that calls changed with the
// option picked ("" when cleared).
func NewRadioGroup(options []string, changed func(string)) *RadioGroup {
	r := &RadioGroup{}
	r.Options = options
	r.OnChanged = changed
	r.ExtendBaseWidget(r)
	return r
}

// selectedIndex is the index of the first option that is Selected, or -1.
func (r *RadioGroup) selectedIndex() int {
	if r.Selected == "" {
		return -1
	}
	for i, o := range r.Options {
		if o == r.Selected {
			return i
		}
	}
	return -1
}

// pick is a tap or Space on the item at index i: it picks the item, or
// clears the choice when the item is picked already and the group is not
// Required (as Fyne's group does).
func (r *RadioGroup) pick(i int) {
	if r.Disabled() || i < 0 || i >= len(r.Options) {
		return
	}
	if r.selectedIndex() == i {
		if r.Required {
			return
		}
		r.SetSelected("")
		return
	}
	r.SetSelected(r.Options[i])
}

// MinSize is the renderer's (Fyne's MinSize would bind the inner group).
func (r *RadioGroup) MinSize() fyne.Size {
	r.ExtendBaseWidget(r)
	return r.BaseWidget.MinSize()
}

// CreateRenderer lays out this package's items.
func (r *RadioGroup) CreateRenderer() fyne.WidgetRenderer {
	r.ExtendBaseWidget(r)
	rr := &radioGroupRenderer{group: r}
	rr.update()
	r.rend = rr
	return rr
}

// items are the group's items, in the order of its options (none before
// the group is drawn).
func (r *RadioGroup) items() []*radioItem {
	if r.rend == nil {
		return nil
	}
	return r.rend.items
}

type radioGroupRenderer struct {
	group *RadioGroup
	items []*radioItem
}

func (rr *radioGroupRenderer) Destroy() {}

func (rr *radioGroupRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(rr.items))
	for i, it := range rr.items {
		objs[i] = it
	}
	return objs
}

func (rr *radioGroupRenderer) MinSize() fyne.Size {
	var w, h float32
	for _, it := range rr.items {
		m := it.MinSize()
		w, h = fyne.Max(w, m.Width), fyne.Max(h, m.Height)
	}
	n := float32(len(rr.items))
	if rr.group.Horizontal {
		return fyne.NewSize(w*n, h)
	}
	return fyne.NewSize(w, h*n)
}

func (rr *radioGroupRenderer) Layout(size fyne.Size) {
	n := float32(max(len(rr.items), 1))
	itemSize := fyne.NewSize(size.Width, rr.MinSize().Height/n)
	if rr.group.Horizontal {
		itemSize = fyne.NewSize(rr.MinSize().Width/n, size.Height)
	}
	var x, y float32
	for _, it := range rr.items {
		it.Resize(itemSize)
		it.Move(fyne.NewPos(x, y))
		if rr.group.Horizontal {
			x += itemSize.Width
		} else {
			y += itemSize.Height
		}
	}
}

func (rr *radioGroupRenderer) Refresh() {
	n := len(rr.items)
	rr.update()
	if len(rr.items) != n {
		rr.Layout(rr.group.Size())
	}
	for _, it := range rr.items {
		it.Refresh()
	}
	canvas.Refresh(rr.group)
}

// update makes one item per option and sets each item's label, choice and
// state from the group.
func (rr *radioGroupRenderer) update() {
	g := rr.group
	for i := len(rr.items); i < len(g.Options); i++ {
		rr.items = append(rr.items, newRadioItem(g, i))
	}
	rr.items = rr.items[:len(g.Options)]
	sel := g.selectedIndex()
	for i, it := range rr.items {
		it.Label = g.Options[i]
		it.Selected = i == sel
		if g.Disabled() {
			it.Disable()
		} else {
			it.Enable()
		}
	}
}

// radioItem is one option of a RadioGroup: a focusable widget with the
// keys of RadioGroup.
type radioItem struct {
	widget.DisableableWidget
	Label    string
	Selected bool

	group    *RadioGroup
	index    int
	hasFocus bool
	hovered  bool
}

var (
	_ fyne.Focusable    = (*radioItem)(nil)
	_ fyne.Tappable     = (*radioItem)(nil)
	_ desktop.Hoverable = (*radioItem)(nil)
)

func newRadioItem(g *RadioGroup, i int) *radioItem {
	it := &radioItem{group: g, index: i}
	it.ExtendBaseWidget(it)
	return it
}

// Tapped picks the item and gives it the focus, as Fyne's item does.
func (it *radioItem) Tapped(*fyne.PointEvent) {
	if it.Disabled() {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(it); c != nil && !it.hasFocus {
		c.Focus(it)
	}
	it.group.pick(it.index)
}

// TypedKey: Escape, Enter and Return as DialogKey; the arrows move the
// choice and the focus with it.
func (it *radioItem) TypedKey(ev *fyne.KeyEvent) {
	if DialogKey(it, ev, true) {
		return
	}
	switch ev.Name {
	case fyne.KeyDown, fyne.KeyRight:
		it.move(1)
	case fyne.KeyUp, fyne.KeyLeft:
		it.move(-1)
	}
}

// move picks the item step places from this one (wrapping round, as radio
// buttons do) and focuses it.
func (it *radioItem) move(step int) {
	g := it.group
	n := len(g.Options)
	if it.Disabled() || n == 0 {
		return
	}
	i := ((it.index+step)%n + n) % n
	items := g.items()
	if i < len(items) {
		if c := fyne.CurrentApp().Driver().CanvasForObject(it); c != nil {
			c.Focus(items[i])
		}
	}
	if g.selectedIndex() != i {
		g.SetSelected(g.Options[i])
	}
}

// TypedRune picks the item on Space, but not on the space of a Space that
// pressed a button (see spaceConsumed).
func (it *radioItem) TypedRune(r rune) {
	if spaceConsumed(it, r) {
		return
	}
	if r == ' ' && !it.Disabled() {
		it.group.pick(it.index)
	}
}

// FocusGained shows the focus ring.
func (it *radioItem) FocusGained() {
	it.hasFocus = true
	it.Refresh()
}

// FocusLost hides the focus ring.
func (it *radioItem) FocusLost() {
	it.hasFocus = false
	it.Refresh()
}

// MouseIn, MouseMoved and MouseOut show the pointer over the item.
func (it *radioItem) MouseIn(*desktop.MouseEvent) {
	if !it.Disabled() {
		it.hovered = true
		it.Refresh()
	}
}

func (it *radioItem) MouseMoved(*desktop.MouseEvent) {}

func (it *radioItem) MouseOut() {
	if it.hovered {
		it.hovered = false
		it.Refresh()
	}
}

// CreateRenderer draws the item as Fyne draws its own (the radio icon,
// the focus or hover disc, the label), with the focus ring.
func (it *radioItem) CreateRenderer() fyne.WidgetRenderer {
	r := &radioItemRenderer{item: it, label: &canvas.Text{Alignment: fyne.TextAlignLeading}}
	r.update()
	ring := newFocusRing(it, r, func() bool { return it.hasFocus })
	ring.around = func(size fyne.Size) fyne.Size {
		return fyne.NewSize(fyne.Min(size.Width, r.MinSize().Width), size.Height)
	}
	return ring
}

type radioItemRenderer struct {
	item      *radioItem
	indicator canvas.Circle
	icon      canvas.Image
	over      canvas.Image
	label     *canvas.Text
}

func (r *radioItemRenderer) Destroy() {}

func (r *radioItemRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{&r.indicator, &r.icon, &r.over, r.label}
}

func (r *radioItemRenderer) Layout(size fyne.Size) {
	th := theme.CurrentForWidget(r.item)
	inner := th.Size(theme.SizeNameInnerPadding)
	border := th.Size(theme.SizeNameInputBorder)
	iconSize := th.Size(theme.SizeNameInlineIcon)

	disc := fyne.NewSquareSize(iconSize + inner)
	r.indicator.Resize(disc)
	r.indicator.Move(fyne.NewPos(border, (size.Height-disc.Height)/2))
	r.label.Resize(size)
	r.label.Move(fyne.NewPos(disc.Width+th.Size(theme.SizeNamePadding), 0))
	pos := fyne.NewPos(inner/2+border, (size.Height-iconSize)/2)
	for _, im := range []*canvas.Image{&r.icon, &r.over} {
		im.Resize(fyne.NewSquareSize(iconSize))
		im.Move(pos)
	}
}

func (r *radioItemRenderer) MinSize() fyne.Size {
	th := theme.CurrentForWidget(r.item)
	pad := th.Size(theme.SizeNameInnerPadding) * 2
	return r.label.MinSize().AddWidthHeight(pad+th.Size(theme.SizeNameInlineIcon)+th.Size(theme.SizeNamePadding), pad)
}

func (r *radioItemRenderer) Refresh() {
	r.update()
	canvas.Refresh(r.item)
}

func (r *radioItemRenderer) update() {
	it := r.item
	th := theme.CurrentForWidget(it)
	v := fyne.CurrentApp().Settings().ThemeVariant()

	r.label.Text = it.Label
	r.label.TextSize = th.Size(theme.SizeNameText)
	r.label.Color = th.Color(theme.ColorNameForeground, v)
	if it.Disabled() {
		r.label.Color = th.Color(theme.ColorNameDisabled, v)
	}
	r.label.Refresh()

	out := theme.NewThemedResource(th.Icon(theme.IconNameRadioButton))
	out.ColorName = theme.ColorNameInputBorder
	in := theme.NewThemedResource(th.Icon(theme.IconNameRadioButtonFill))
	in.ColorName = theme.ColorNameInputBackground
	if it.Selected {
		in.ColorName, out.ColorName = theme.ColorNamePrimary, theme.ColorNameForeground
	}
	if it.Disabled() {
		in.ColorName = theme.ColorNameBackground
		if it.Selected {
			in.ColorName = theme.ColorNameDisabled
		}
		out.ColorName = theme.ColorNameDisabled
	}
	r.icon.Resource, r.over.Resource = in, out
	r.icon.Refresh()
	r.over.Refresh()

	switch {
	case it.Disabled():
		r.indicator.FillColor = color.Transparent
	case it.hasFocus:
		r.indicator.FillColor = th.Color(theme.ColorNameFocus, v)
	case it.hovered:
		r.indicator.FillColor = th.Color(theme.ColorNameHover, v)
	default:
		r.indicator.FillColor = color.Transparent
	}
	r.indicator.Refresh()
}
