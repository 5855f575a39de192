package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// The sessions screen's "cannot start" warning is about the session as it
// is now: paid by another desktop it goes (the change feed), and once the
// session is paid and started and the list read again it is not left
// behind.
func TestSessionsStartWarningFollowsTheSession(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		for _, paidElsewhere := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s paid elsewhere %v", language, paidElsewhere), func(t *testing.T) {
				pe := newPPUEnv(t)
				SetLanguage(language)
				pe.withSessions()
				x := pe.session(90)
				// Within the session's start window: only payment stands
				// between it and Start.
				pe.clock.setTo(x.StartsAt.Add(-10 * time.Minute))
				site := mustSite(t, pe.env)
				scr := newSessionsScreen(pe.deps, pe.w, site)
				pe.w.SetContent(scr.content)
				scr.reload()
				i, _, ok := findRow(scr.list, func(r app.SessionSummary) bool { return r.ID == x.ID })
				if !ok {
					t.Fatal("the session is not listed")
				}
				scr.list.Select(i)
				unpaid := T("error.payperuse.unpaid")
				if !strings.Contains(scr.startWhy.Text, unpaid) || !scr.start.Disabled() {
					t.Fatalf("unpaid: Start disabled %v, %q", scr.start.Disabled(), scr.startWhy.Text)
				}

				pay := func() {
					t.Helper()
					c, err := pe.svc.PrepareCharge(t.Context(), x.ID)
					if err != nil {
						t.Fatal(err)
					}
					chargeByCard(t, pe, c)
				}
				if paidElsewhere {
					// Paid on another desktop: the feed tells the screen.
					pay()
					scr.changed(app.ChangedPayments | app.ChangedSessions)
					if strings.Contains(scr.startWhy.Text, unpaid) || scr.start.Disabled() {
						t.Fatalf("paid elsewhere: Start disabled %v, %q", scr.start.Disabled(), scr.startWhy.Text)
					}
					return
				}
				// Paid and started in the estimate's dialog, which then has the
				// list read again.
				pay()
				if err := pe.deps.PayPerUse.Start(t.Context(), x.ID); err != nil {
					t.Fatal(err)
				}
				scr.reload()
				if scr.startWhy.Text != "" {
					t.Errorf("after paying and starting, with no session selected, the screen says %q", scr.startWhy.Text)
				}
			})
		}
	}
}
