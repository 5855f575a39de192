// Package checkout is where a person pays: the card dialog (with its card
// number widget), the PayPal Express Checkout dialog and a paid
// registration's Payment Information page, with its promotional code and
// the PayPal invoice. Package ui opens them from its screens; what they
// need of the domain is the few calls named in Services, never ui.Deps.
package checkout

import (
	"context"

	"github.com/trainpay/trainpay/app"
)

// Charger makes one payment attempt (app.PaymentService.Charge).
type Charger interface {
	Charge(ctx context.Context, req app.ChargeRequest) (app.Payment, error)
}

// Payments is what checkout needs of app.PaymentService: charging, and the
// card rules of the processor a card method goes to.
type Payments interface {
	Charger
	CardRules(ctx context.Context, m app.Method) (app.CardRules, error)
}

// Registrations is what the Payment Information page needs of
// app.SessionService: the promotional code's quote, the checkout that
// reserves it and renews the seat, the charge that renews the seat again
// before every attempt, and the registration as it is now.
type Registrations interface {
	PromoEnabled() bool
	QuotePromo(ctx context.Context, r app.Registration, code string) (app.PromoQuote, error)
	BeginCheckout(ctx context.Context, regID int64, quote *app.PromoQuote) (app.Checkout, error)
	AbandonCheckout(ctx context.Context, co app.Checkout) error
	ChargeRegistration(ctx context.Context, req app.ChargeRequest) (app.Payment, error)
	Registration(ctx context.Context, id int64) (app.Registration, error)
}

// Methods says which payment methods the site offers
// (app.MerchantService.OfferedMethods).
type Methods interface {
	OfferedMethods(ctx context.Context) ([]app.Method, error)
}

// Invoices is what the Payment Information page needs of
// app.InvoiceService: whether the PayPal invoice can be offered, and
// sending one.
type Invoices interface {
	Offered(ctx context.Context) bool
	Send(ctx context.Context, req app.SendRequest) (app.Invoice, error)
}

// Services are the domain's services as checkout uses them. The dialogs
// need Payments only; the Payment Information page needs Sessions too, and
// offers what Methods and Invoices allow (nil: no method, no invoice).
type Services struct {
	Payments Payments
	Sessions Registrations
	Methods  Methods
	Invoices Invoices
	// Go runs work off the UI thread; results come back through fyne.Do.
	// Nil means a new goroutine; headless tests run work inline.
	Go func(func())
}

func (s Services) run(f func()) {
	if s.Go != nil {
		s.Go(f)
		return
	}
	go f()
}

// CardRules asks the domain for the card rules of each card method in
// methods, for the card dialog (CardPayment.Rules). It reads the database:
// call it off the UI thread.
func CardRules(ctx context.Context, payments Payments, methods []app.Method) (map[app.Method]app.CardRules, error) {
	rules := map[app.Method]app.CardRules{}
	for _, m := range methods {
		if m != app.MethodCreditCard && m != app.MethodDebitCard {
			continue
		}
		r, err := payments.CardRules(ctx, m)
		if err != nil {
			return nil, err
		}
		rules[m] = r
	}
	return rules, nil
}
