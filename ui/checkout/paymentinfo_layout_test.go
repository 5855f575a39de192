package checkout

import (
	"testing"

	"fyne.io/fyne/v2"
)

// TestPaymentInformationLaysOutTheMethodsItReads: the payment methods come
// after the page is shown (Load reads them off the UI thread); the page is
// laid out again for them, so the total and the message below the methods
// are drawn below the methods' choices, not over them.
func TestPaymentInformationLaysOutTheMethodsItReads(t *testing.T) {
	pe := newPayEnv(t, nil)
	e := newSessionsEnvOn(t, pe, nil)
	s := e.schedulePaid("Layout", 200_00, 10)
	p, _ := e.paymentInfo(s, "Ewa", "Lis", "ewa@example.com")
	if len(p.methods.Options) != 2 {
		t.Fatalf("methods %q", p.methods.Options)
	}
	d := fyne.CurrentApp().Driver()
	methodsBottom := d.AbsolutePositionForObject(p.methods).Y + p.methods.Size().Height
	if p.methods.Size().Height < p.methods.MinSize().Height {
		t.Errorf("the methods have %v of the %v they need", p.methods.Size().Height, p.methods.MinSize().Height)
	}
	if top := d.AbsolutePositionForObject(p.total).Y; top < methodsBottom {
		t.Errorf("the total is drawn at %v, over the methods (down to %v)", top, methodsBottom)
	}
}
