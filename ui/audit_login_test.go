package ui

import (
	"testing"

	"github.com/trainpay/trainpay/app"
)

// An audit line names the login that made the change, in English and in
// Polish; an entry written before logins were recorded names none.
func TestAuditLineNamesTheLoginThatMadeTheChange(t *testing.T) {
	e := app.AuditEntry{Actor: app.ActorAdministrator, Action: "site.mode", Old: "production", New: "test", Login: "anna.nowak"}
	SetLanguage("en")
	t.Cleanup(func() { SetLanguage("en") })
	if got, want := AuditLogin(e), "user anna.nowak"; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	old := e
	old.Login = ""
	if got := AuditLogin(old); got != "" {
		t.Errorf("en without a login: %q, want none", got)
	}
	SetLanguage("pl")
	if got, want := AuditLogin(e), "użytkownik anna.nowak"; got != want {
		t.Errorf("pl: %q, want %q", got, want)
	}
}
