package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/trainpay/trainpay/app"
)

// Every field the text rule checks has a name in both languages, so its
// message never shows "field.topic".
func TestTextRuleNamesEveryFieldInEachLanguage(t *testing.T) {
	for _, lang := range []string{"en", "pl"} {
		m := messages(t, lang)
		for _, f := range app.TextFields() {
			if m["field."+string(f)] == "" {
				t.Errorf("%s: no name for field %q", lang, f)
			}
		}
	}
}

// ErrorText names the refused field and its character in the reader's
// language.
func TestTextRuleMessageNamesTheField(t *testing.T) {
	a := app.Attendee{FirstName: "An\x00na", LastName: "Nowak", Email: "anna@example.com"}
	a.Normalize()
	err := a.Validate()
	SetLanguage("pl")
	defer SetLanguage("en")
	if got := ErrorText(err); !strings.Contains(got, "Pole „Imię” zawiera") || !strings.Contains(got, "U+0000") {
		t.Errorf("pl: %q", got)
	}
	SetLanguage("en")
	if got := ErrorText(err); !strings.Contains(got, "“First name” contains") || !strings.Contains(got, "U+0000") {
		t.Errorf("en: %q", got)
	}
}

// The schedule form shows the domain's text rule under the topic and the
// description, and keeps Schedule disabled; line breaks in the description
// are fine.
func TestScheduleFormShowsTheTextRuleUnderTopicAndDescription(t *testing.T) {
	e := newSessionsEnv(t, "pl", true, nil)
	f := e.form(nil)
	fillValid(e.w, f)
	typeFee(f, "100")
	if !f.revalidate() {
		t.Fatal("the valid form is refused")
	}
	test.Type(f.topic, "\a")
	if l := f.errs[sfTopic]; !l.Visible() || !strings.Contains(l.Text, "Pole „Temat” zawiera") || !strings.Contains(l.Text, "U+0007") {
		t.Errorf("topic: %q", l.Text)
	}
	if !f.save.Disabled() {
		t.Error("Schedule is enabled with a BEL in the topic")
	}
	f.topic.SetText("Excel dla księgowych")
	f.description.SetText("Pierwsza linia\r\n\tdruga linia")
	if !f.revalidate() || f.errs[sfDesc].Visible() {
		t.Errorf("a description with line breaks and a tab is refused: %q", f.errs[sfDesc].Text)
	}
	f.description.SetText("Pierwsza\u202elinia")
	if l := f.errs[sfDesc]; !l.Visible() || !strings.Contains(l.Text, "Pole „Opis”") || !strings.Contains(l.Text, "U+202E") {
		t.Errorf("description: %q", l.Text)
	}
	if !f.save.Disabled() {
		t.Error("Schedule is enabled with a right-to-left override in the description")
	}
}

// The registration form shows the domain's refusal of a name typed with a
// control character at once, naming the field, beside that field;
// Continue stays disabled.
func TestRegisterFormShowsTheTextRuleNamingTheField(t *testing.T) {
	e := newSessionsEnv(t, "en", true, nil)
	s := e.schedulePaid("Names", 10_00, 10)
	f := showRegisterDialog(e.deps, e.w, s, nil)
	test.Type(f.first, "An\x00na")
	test.Type(f.last, "Nowak")
	test.Type(f.email, "anna@example.com")
	if !f.next.Disabled() {
		t.Error("Continue is enabled with a NUL in the first name")
	}
	first := f.errs[string(app.FieldFirstName)]
	if !first.Visible() || !strings.Contains(first.Text, "“First name” contains a line break, tab or other control or invisible character (U+0000)") {
		t.Errorf("beside the first name %q", first.Text)
	}
	f.first.SetText("Anna")
	if f.next.Disabled() || first.Visible() {
		t.Errorf("once the name is fixed: Continue disabled %v, message %q", f.next.Disabled(), first.Text)
	}
}
