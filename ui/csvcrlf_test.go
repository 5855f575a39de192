package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// endsLinesWithCRLF says data has lines and every "\n" follows a "\r".
func endsLinesWithCRLF(data []byte) bool {
	return bytes.Count(data, []byte("\n")) > 0 && bytes.Count(data, []byte("\n")) == bytes.Count(data, []byte("\r\n"))
}

// The CRLF wrapper gives the bytes encoding/csv's UseCRLF gives, fields
// with line breaks and quotes included, and changes nothing already CRLF.
func TestCRLFWriterMatchesEncodingCSV(t *testing.T) {
	records := [][]string{{"id", "name", "note"}, {"1", "Zażółć \"gęślą\"", "line one\nline two"},
		{"2", "a,b", "windows\r\nbreak"}, {"3", "", "lone\rreturn"}}
	write := func(w *csv.Writer) {
		if err := w.WriteAll(records); err != nil {
			t.Fatal(err)
		}
	}
	var want, got, twice bytes.Buffer
	std := csv.NewWriter(&want)
	std.UseCRLF = true
	write(std)
	write(csv.NewWriter(crlf(&got)))
	if got.String() != want.String() {
		t.Fatalf("got %q\nwant %q", got.String(), want.String())
	}
	again := csv.NewWriter(crlf(&twice))
	again.UseCRLF = true
	write(again)
	if twice.String() != want.String() {
		t.Fatalf("CRLF twice: %q", twice.String())
	}
}

// The registrations export uses CRLF line ends.
func TestRegistrationsCSVUsesCRLF(t *testing.T) {
	e := newSessionsEnv(t, "en", false, nil)
	s, err := e.svc.Schedule(context.Background(), app.Session{Topic: "Free intro", StartsAt: time.Now().Add(240 * time.Hour),
		DurationMinutes: 60, Type: app.SessionFree, MaxRegistrations: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"a@example.com", "b@example.com"} {
		if _, err := e.svc.Register(context.Background(), s.ID, app.Attendee{FirstName: "A", LastName: "B", Email: email, Country: "PL", Language: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	data, err := registrationsCSV(context.Background(), e.deps, s.ID)
	if err != nil || bytes.Count(data, []byte("\r\n")) != 3 || !endsLinesWithCRLF(data) {
		t.Fatalf("%v %q", err, data)
	}
}
