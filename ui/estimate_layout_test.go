package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The estimate's buttons hold still while its notes come and go: paying
// (the status and the budget line change, Pay gives way to Refund), the
// start window opening and the session started move neither Change nor
// Start, so that the next click lands where the pointer is. In English
// and in Polish.
func TestEstimateButtonsHoldStillAsItsNotesChange(t *testing.T) {
	for _, language := range []string{"en", "pl"} {
		t.Run(language, func(t *testing.T) {
			pe := newPPUEnv(t)
			SetLanguage(language)
			pe.withSessions()
			s := pe.session(90)
			p := newEstimatePage(pe.deps, pe.w, s.ID, nil, nil)
			pe.w.SetContent(p.content)
			pe.w.Resize(fyne.NewSize(900, 700))
			fields := map[string]fyne.CanvasObject{"change": p.change, "start": p.start}
			settle(t, pe.w)
			before := positionsOf(fields)

			test.Tap(p.pay)
			if p.card == nil {
				t.Fatalf("no card dialog: %q", screenTexts(pe.w))
			}
			fillCard(pe.w, p.card, "4111111111111111", "123")
			test.Tap(p.card.Widgets().Pay)
			test.Tap(p.card.Widgets().Close)
			if p.pay.Visible() {
				t.Fatal("still unpaid")
			}
			stayed(t, pe.w, "paid, outside the start window", before, fields)

			pe.clock.setTo(s.StartsAt.Add(-15 * time.Minute))
			p.load()
			stayed(t, pe.w, "paid, in the start window", before, fields)

			test.Tap(p.start)
			stayed(t, pe.w, "started", before, fields)
		})
	}
}
