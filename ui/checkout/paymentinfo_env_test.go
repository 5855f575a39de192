package checkout

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/testsite"
	"github.com/trainpay/trainpay/ui/uitest"
)

// sessionsEnv is payEnv with paid sessions enabled and the session service
// behind the Payment Information page (promo, when not nil, redeems the
// codes).
type sessionsEnv struct {
	*payEnv
	sessions *app.SessionService
	promo    *app.PromoService // when the env made one
}

func newSessionsEnvOn(t *testing.T, pe *payEnv, promo app.PromoRedeemer, features ...app.Feature) *sessionsEnv {
	t.Helper()
	admin := testsite.Unlock(t, pe.site)
	testsite.Enable(t, pe.site, admin, append([]app.Feature{app.FeaturePaidSessions}, features...)...)
	svc := app.NewSessionService(pe.db, pe.db, pe.site, pe.pay.Service, promo)
	pe.svc.Sessions = svc
	pe.svc.Methods = &app.MerchantService{Sites: pe.db, Settings: pe.db}
	return &sessionsEnv{payEnv: pe, sessions: svc}
}

func (e *sessionsEnv) schedulePaid(topic string, feeMinor int64, capacity int) app.Session {
	return uitest.SchedulePaid(e.t, e.sessions, topic, feeMinor, capacity)
}

// paymentInfo registers an attendee for s, as the registration page does,
// and shows the registration's Payment Information page in the window with
// the methods loaded; confirmed records onConfirmed's registrations.
func (e *sessionsEnv) paymentInfo(s app.Session, first, last, email string) (*PaymentInfo, *[]app.Registration) {
	e.t.Helper()
	site, err := e.site.Site(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	reg, err := e.sessions.Register(context.Background(), s.ID, app.Attendee{
		FirstName: first, LastName: last, Email: email, Company: "Acme", Country: site.Country, Language: "en",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if reg.Status != app.RegPendingPayment {
		e.t.Fatalf("registration %+v is not waiting for payment", reg)
	}
	var confirmed []app.Registration
	p := NewPaymentInfo(e.svc, e.w, s, reg, func(r app.Registration) { confirmed = append(confirmed, r) })
	e.w.SetContent(container.NewVBox(p.Content(), p.PayButton()))
	e.w.Resize(fyne.NewSize(800, 900))
	p.Load()
	return p, &confirmed
}
