package uitest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/gateway/sandbox"
	"github.com/trainpay/trainpay/storage"
)

// SchedulePaid stores a paid session on topic, starting in ten days, for
// two hours, at feeMinor with room for capacity; attendees may cancel up
// to 48 hours before for a full refund.
func SchedulePaid(t testing.TB, sessions *app.SessionService, topic string, feeMinor int64, capacity int) app.Session {
	t.Helper()
	s, err := sessions.Schedule(context.Background(), app.Session{
		Topic: topic, StartsAt: time.Now().Add(240 * time.Hour),
		DurationMinutes: 120, Type: app.SessionPaid, FeeMinor: feeMinor, MaxRegistrations: capacity,
		AttendeesMayCancel: true, CancelHoursBefore: 48, RefundPercent: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// PercentCode makes code a 20 % code for every session, valid for 30 days.
func PercentCode(t testing.TB, promo *app.PromoService, code string) {
	t.Helper()
	if _, err := promo.CreateCode(context.Background(), app.PromoCode{
		Code: code, Kind: app.DiscountPercent,
		PercentBP: 2000, AllSessions: true, ValidUntil: time.Now().Add(30 * 24 * time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
}

// EnableInvoices turns payment by PayPal invoice on, as the administrator
// does on the Payment methods page, keeping the other settings.
func EnableInvoices(t testing.TB, db app.PaymentSettingsStore) app.PaymentSettingsStore {
	t.Helper()
	ctx := context.Background()
	s, err := db.PaymentSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.PayPalInvoices = true
	if err := db.SavePaymentSettings(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// Journal is every payment in db's journal.
func Journal(t testing.TB, db *storage.DB) []app.Payment {
	t.Helper()
	rows, _, err := db.Payments(context.Background(), app.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Charges counts the charges in the sandbox's ledger.
func Charges(sb *sandbox.Sandbox) int {
	n := 0
	for _, e := range sb.Ledger() {
		if e.Charged() {
			n++
		}
	}
	return n
}

// Plain is s with the no-break spaces CLDR puts in amounts as plain ones.
func Plain(s string) string { return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s) }

// HasText says whether one of all, with plain spaces, contains want.
func HasText(all []string, want string) bool {
	for _, s := range all {
		if strings.Contains(Plain(s), want) {
			return true
		}
	}
	return false
}

// Main runs a screens' test binary away from the user's files and in
// English: HOME and XDG_CONFIG_HOME are a temporary folder, never the
// user's real config (each test may set its own; this guards any test that
// forgets), LANG is en_US.UTF-8 and the other locale variables are unset.
// run runs the tests (m.Run, or what wraps it); Main exits with its code.
func Main(prefix string, run func() int) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		panic(err)
	}
	os.Setenv("HOME", dir)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	// The English walks expect English; a Polish test sets its own.
	os.Setenv("LANG", "en_US.UTF-8")
	os.Unsetenv("LC_ALL")
	os.Unsetenv("LC_MESSAGES")
	os.Unsetenv("LANGUAGE")
	code := run()
	os.RemoveAll(dir)
	os.Exit(code)
}
