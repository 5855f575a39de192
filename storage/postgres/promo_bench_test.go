package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/pgtest"
	"github.com/trainpay/trainpay/storage/postgres"
)

// promoBenchCodes is the campaign size the codes list must stay fast at.
const promoBenchCodes = 100_000

// The codes list on the organisation database at 100,000 codes: the first
// page with its total, a page by key, and searches of 2 and 4 characters
// (the trigram index answers 3 or more; 2 scan the codes).
func BenchmarkPromoCodePageAt100k(b *testing.B) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.DB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// Random codes, a thousand at a time (GeneratePromoCodes' batch),
	// none repeated.
	seen := map[string]bool{}
	var texts []string
	for len(texts) < promoBenchCodes {
		batch, err := app.GeneratePromoCodes(1000, 10)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range batch {
			if !seen[t] && len(texts) < promoBenchCodes {
				seen[t] = true
				texts = append(texts, t)
			}
		}
	}
	now := time.Now().UTC()
	codes := make([]app.PromoCode, len(texts))
	for i, t := range texts {
		codes[i] = app.PromoCode{
			Code: t, Kind: app.DiscountPercent, PercentBP: 1000, UseLimit: 1, PerAttendeeLimit: 1,
			AllSessions: true, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(30 * 24 * time.Hour), CreatedAt: now,
		}
	}
	start := time.Now()
	if err := db.CreatePromoCodes(ctx, codes); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d codes stored in %v", len(codes), time.Since(start))
	if _, err := db.Pool().Exec(ctx, `ANALYZE promo_code`); err != nil {
		b.Fatal(err)
	}
	middle := texts[len(texts)/2]
	for _, bc := range []struct {
		name string
		f    app.PromoCodeFilter
	}{
		{"FirstPage", app.PromoCodeFilter{Limit: 100}},
		{"PageByKey", app.PromoCodeFilter{Limit: 100, AfterID: codes[len(codes)/2].ID, NoTotal: true}},
		{"Search2", app.PromoCodeFilter{Limit: 100, Search: strings.ToLower(middle[4:6])}},
		{"Search4", app.PromoCodeFilter{Limit: 100, Search: strings.ToLower(middle[3:7])}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var n, total int
			for b.Loop() {
				page, t, err := db.PromoCodePage(ctx, bc.f, now)
				if err != nil || len(page) == 0 {
					b.Fatal(len(page), err)
				}
				n, total = len(page), t
			}
			b.ReportMetric(float64(total), "matches")
			b.ReportMetric(float64(n), "rows")
		})
	}
}
