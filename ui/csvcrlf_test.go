package ui

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// endsLinesWithCRLF says data has lines and every "\n" follows a "\r".
func endsLinesWithCRLF(data []byte) bool {
	return bytes.Count(data, []byte("\n")) > 0 && bytes.Count(data, []byte("\n")) == bytes.Count(data, []byte("\r\n"))
}

// sessionCSV is what the Registrations window's Export writes for a
// session: the screens' export service, into memory.
func sessionCSV(t *testing.T, deps Deps, sessionID int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := deps.Export.Export(context.Background(), app.RegistrationExportFilter{SessionID: sessionID}, &buf, nil); err != nil {
		t.Fatalf("export session %d: %v", sessionID, err)
	}
	return buf.Bytes()
}

// The registrations export uses CRLF line ends.
func TestRegistrationsCSVUsesCRLF(t *testing.T) {
	e := newSessionsEnv(t, "en", false, nil)
	s, err := e.svc.Schedule(context.Background(), app.Session{
		Topic: "Free intro", StartsAt: time.Now().Add(240 * time.Hour),
		DurationMinutes: 60, Type: app.SessionFree, MaxRegistrations: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"a@example.com", "b@example.com"} {
		if _, err := e.svc.Register(context.Background(), s.ID, app.Attendee{FirstName: "A", LastName: "B", Email: email, Country: "PL", Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	data := sessionCSV(t, e.deps, s.ID)
	if bytes.Count(data, []byte("\r\n")) != 3 || !endsLinesWithCRLF(data) {
		t.Fatalf("%q", data)
	}
}
