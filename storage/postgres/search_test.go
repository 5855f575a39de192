package postgres_test

import (
	"context"
	"testing"
	"unicode"

	"github.com/trainpay/trainpay/storage"
)

// trainpay_fold (migration 00014), which the registrations' search indexes
// are built on, folds text exactly as the app folds the search term
// (storage.Fold): every letter of the Latin, Greek and Cyrillic blocks, in
// both cases, and whole names.
func TestFoldInSQLIsTheAppsFold(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	samples := []string{
		"Łódź", "ZAŻÓŁĆ GĘŚLĄ JAŹŃ", "Zürich", "Ørsted", "Straße", "İstanbul", "Đorđe", "Ħamrun",
		"Crème Brûlée", "Ångström", "ﬁne", "Tiếng Việt", "Ελληνικά", "МОСКВА Ёлка", "TP-7KX2M9QA", "l.wozniak@example.pl",
		"e\u0301", "Å", "ǅemal", "ΣΊΣΥΦΟΣ",
		"MiXeD ASCII Case 123 ~!@#", "ISTANBUL", "Ω",
	}
	for _, tab := range []*unicode.RangeTable{unicode.Latin, unicode.Greek, unicode.Cyrillic} {
		for _, r16 := range tab.R16 {
			for c := rune(r16.Lo); c <= rune(r16.Hi); c += rune(r16.Stride) {
				samples = append(samples, string(c))
			}
		}
		for _, r32 := range tab.R32 {
			for c := rune(r32.Lo); c <= rune(r32.Hi); c += rune(r32.Stride) {
				samples = append(samples, string(c))
			}
		}
	}
	rows, err := db.Pool().Query(ctx, `SELECT s, trainpay_fold(s) FROM unnest($1::text[]) AS s`, samples)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, wrong := 0, 0
	for rows.Next() {
		var s, got string
		if err := rows.Scan(&s, &got); err != nil {
			t.Fatal(err)
		}
		n++
		if want := storage.Fold(s); got != want {
			wrong++
			t.Errorf("trainpay_fold(%q) = %q %U, storage.Fold %q %U", s, got, []rune(got), want, []rune(want))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(samples) {
		t.Fatalf("%d of %d folded", n, len(samples))
	}
	t.Logf("%d texts, %d folded differently", n, wrong)
}
