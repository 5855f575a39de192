package widgets

import (
	"sync"

	"fyne.io/fyne/v2"
)

// The keyboard in TrainPay's screens and dialogs.
//
// Fyne's desktop driver hands a key press to the focused widget only (its
// TypedKey), or to the canvas's OnTypedKey when nothing is focused; plain
// Escape and Enter are never shortcuts, and Fyne's dialogs take neither.
// So the widgets of this package take them themselves:
//
//   - Escape cancels the top-most dialog shown with this package's
//     constructors on the widget's canvas (as its cancel button, or by
//     hiding it); with no such dialog on top it goes to the canvas's
//     OnTypedKey, so a window's own Escape (Preferences closes) still works.
//   - Enter or Return in a single-line Entry or a SelectEntry without its
//     own OnSubmitted, on a Check, a Select or a RadioGroup's item runs the
//     dialog's default button (the HighImportance one), when it is enabled.
//     On a Button it presses that button, as Space does; on a List whose
//     rows open something it opens the highlighted row.
//   - With nothing focused, the canvas's OnTypedKey does both.
//
// A dialog is registered on its canvas when shown and dropped when hidden;
// the registry is per canvas, so Preferences' window and the main window
// each have their own top-most dialog.

// canvasKeys is what one canvas knows of the dialogs shown on it.
type canvasKeys struct {
	shown []*Dialog // in the order shown
}

var registry = struct {
	sync.Mutex
	canvases map[fyne.Canvas]*canvasKeys
}{canvases: map[fyne.Canvas]*canvasKeys{}}

// register notes d as shown on c and, the first time, puts the
// nothing-focused handling in front of c's OnTypedKey.
func register(c fyne.Canvas, d *Dialog) {
	registry.Lock()
	ck := registry.canvases[c]
	install := ck == nil
	if install {
		ck = &canvasKeys{}
		registry.canvases[c] = ck
	}
	live := ck.shown[:0]
	for _, s := range ck.shown {
		if s != d && onCanvas(c, s.popup) {
			live = append(live, s)
		}
	}
	ck.shown = append(live, d)
	registry.Unlock()

	if install {
		prev := c.OnTypedKey()
		c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
			if dialogKey(c, ev, true) {
				return
			}
			if prev != nil {
				prev(ev)
			}
		})
	}
}

// unregister drops d from c's shown dialogs.
func unregister(c fyne.Canvas, d *Dialog) {
	registry.Lock()
	defer registry.Unlock()
	ck := registry.canvases[c]
	if ck == nil {
		return
	}
	for i, s := range ck.shown {
		if s == d {
			ck.shown = append(ck.shown[:i], ck.shown[i+1:]...)
			return
		}
	}
}

// onCanvas says whether the pop-up o is still among c's overlays (a test
// may remove an overlay without hiding its dialog).
func onCanvas(c fyne.Canvas, o fyne.CanvasObject) bool {
	for _, ov := range c.Overlays().List() {
		if ov == o {
			return true
		}
	}
	return false
}

// TopDialog is the dialog of this package on top of c: the one whose
// pop-up is c's top overlay, or nil when no such dialog is on top (nothing
// is shown, or something else, such as a file dialog or a menu, is above).
func TopDialog(c fyne.Canvas) *Dialog {
	top := c.Overlays().Top()
	if top == nil {
		return nil
	}
	registry.Lock()
	defer registry.Unlock()
	ck := registry.canvases[c]
	if ck == nil {
		return nil
	}
	for i := len(ck.shown) - 1; i >= 0; i-- {
		if ck.shown[i].popup == top {
			return ck.shown[i]
		}
	}
	return nil
}

// dialogKey does what Escape (and, with enter, Enter or Return) does to
// the top-most dialog of c; false when the key is not one of those or
// there is no dialog of ours on top.
func dialogKey(c fyne.Canvas, ev *fyne.KeyEvent, enter bool) bool {
	switch ev.Name {
	case fyne.KeyEscape:
		if d := TopDialog(c); d != nil {
			d.Cancel()
			return true
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if !enter {
			return false
		}
		if d := TopDialog(c); d != nil {
			d.Submit()
			return true
		}
	}
	return false
}

// focusedCanvas is the registered canvas whose focused object is w: keys
// reach only the focused object, so that is w's canvas.
func focusedCanvas(w fyne.Focusable) fyne.Canvas {
	registry.Lock()
	cs := make([]fyne.Canvas, 0, len(registry.canvases))
	for c := range registry.canvases {
		cs = append(cs, c)
	}
	registry.Unlock()
	for _, c := range cs {
		if c.Focused() == w {
			return c
		}
	}
	if app := fyne.CurrentApp(); app != nil {
		if o, ok := w.(fyne.CanvasObject); ok {
			if c := app.Driver().CanvasForObject(o); c != nil && c.Focused() == w {
				return c
			}
		}
	}
	return nil
}

// DialogKey is the key handling that this package's widgets share, for a
// focusable widget of another package to call first from its TypedKey:
// Escape cancels the top-most dialog of w's canvas (or, with none, goes to
// the canvas's OnTypedKey); with submit, Enter and Return run the dialog's
// default button. It says whether it took the key.
func DialogKey(w fyne.Focusable, ev *fyne.KeyEvent, submit bool) bool {
	if ev.Name != fyne.KeyEscape && (!submit || (ev.Name != fyne.KeyReturn && ev.Name != fyne.KeyEnter)) {
		return false
	}
	c := focusedCanvas(w)
	if c == nil {
		return false
	}
	if dialogKey(c, ev, submit) {
		return true
	}
	if ev.Name == fyne.KeyEscape {
		if f := c.OnTypedKey(); f != nil {
			f(ev)
			return true
		}
	}
	return false
}
