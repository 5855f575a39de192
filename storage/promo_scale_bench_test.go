package storage_test

// Promotional codes list at 100,000 codes: the first page and a
// search, each next to the same SQL through database/sql.

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/internal/benchcmp"
)

// The codes page's SQL, word for word as storage.PromoCodePage builds it
// (:now, and :search when searching).
const (
	rawPromoLive = `(r.state = 'reserved' AND (r.expires_at > :now OR EXISTS (SELECT 1 FROM payment p
	WHERE p.purpose = 'registration' AND p.reference = 'registration:' || r.registration_id
	  AND p.kind = 'sale' AND p.state IN ('pending', 'unknown', 'needs-review'))))`
	rawPromoColumns = `c.id, c.code, c.kind, c.percent_bp, c.fixed_minor, c.currency, c.use_limit,
	c.per_attendee_limit, c.valid_from, c.valid_until, c.disabled, c.all_sessions, c.created_at,
	(SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND r.state = 'used'),
	(SELECT count(*) FROM promo_redemption r WHERE r.code_id = c.id AND ` + rawPromoLive + `)`
)

func rawPromoPage(cond string) string {
	return `
		SELECT ` + rawPromoColumns + `
		FROM (SELECT p.id FROM promo_code p` + cond + ` ORDER BY p.id DESC LIMIT :limit OFFSET :offset) page
		JOIN promo_code c ON c.id = page.id
		ORDER BY c.id DESC`
}

// rawPromoCodes runs the count, the page and, for the page's codes limited
// to chosen sessions, their links, as raw bytes; it returns the page's rows.
func rawPromoCodes(b *testing.B, db *sql.DB, cond string, args ...any) (rows, total int) {
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.QueryRow(`SELECT count(*) FROM promo_code p`+cond, args...).Scan(&total); err != nil {
		b.Fatal(err)
	}
	r, err := tx.Query(rawPromoPage(cond), append(args, sql.Named("limit", 100), sql.Named("offset", 0))...)
	if err != nil {
		b.Fatal(err)
	}
	raw := make([]sql.RawBytes, 15)
	dest := make([]any, len(raw))
	for i := range raw {
		dest[i] = &raw[i]
	}
	var chosen []string
	for r.Next() {
		if err := r.Scan(dest...); err != nil {
			b.Fatal(err)
		}
		if string(raw[11]) == "0" {
			chosen = append(chosen, string(raw[0]))
		}
		rows++
	}
	r.Close()
	if len(chosen) > 0 {
		rawRows(b, db, `SELECT code_id, session_id FROM promo_code_session
		WHERE code_id IN (`+strings.Join(chosen, ",")+`) ORDER BY code_id, session_id`)
	}
	return rows, total
}

func BenchmarkScalePromoCodesFirstPage(b *testing.B) {
	db := scaleDatabase(b)
	ctx := context.Background()
	now := time.Now()
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			codes, total, err := db.PromoCodePage(ctx, app.PromoCodeFilter{Limit: 100}, now)
			if err != nil || len(codes) != 100 || total != fullSizes.Codes {
				b.Fatal(len(codes), total, err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			if n, total := rawPromoCodes(b, db.Read(), "", sql.Named("now", nowText(now))); n != 100 || total != fullSizes.Codes {
				b.Fatal(n, total)
			}
		}
	})
}

// promoSearchTerm is two letters from the middle of the oldest code, in
// lower case as a person types them: a few hundred matches.
func promoSearchTerm(b *testing.B, db *sql.DB) string {
	var code string
	if err := db.QueryRow(`SELECT code FROM promo_code ORDER BY id LIMIT 1`).Scan(&code); err != nil {
		b.Fatal(err)
	}
	return strings.ToLower(code[len(code)-4 : len(code)-2])
}

func BenchmarkScalePromoCodesSearch(b *testing.B) {
	db := scaleDatabase(b)
	ctx := context.Background()
	now := time.Now()
	term := promoSearchTerm(b, db.Read())
	var want int
	db.Read().QueryRow(`SELECT count(*) FROM promo_code WHERE code LIKE ?`, "%"+term+"%").Scan(&want)
	b.Logf("search %q: %s matches", term, strconv.Itoa(want))
	benchcmp.Pair(b, 1.5, func(b *testing.B) {
		for b.Loop() {
			codes, total, err := db.PromoCodePage(ctx, app.PromoCodeFilter{Search: term, Limit: 100}, now)
			if err != nil || len(codes) != min(want, 100) || total != want || want == 0 {
				b.Fatal(len(codes), total, want, err)
			}
		}
	}, func(b *testing.B) {
		for b.Loop() {
			n, total := rawPromoCodes(b, db.Read(), ` WHERE p.code LIKE :search ESCAPE '\'`,
				sql.Named("now", nowText(now)), sql.Named("search", "%"+term+"%"))
			if n != min(want, 100) || total != want {
				b.Fatal(n, total)
			}
		}
	})
}
