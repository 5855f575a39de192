package ui

import "testing"

// A message shown beside a field or on a status line reads as a sentence;
// a value at its start (an address) is left as typed.
func TestSentence(t *testing.T) {
	for in, want := range map[string]string{
		"not an email address":                      "Not an email address.",
		"nie jest adresem e-mail":                   "Nie jest adresem e-mail.",
		"żaden plik":                                "Żaden plik.",
		"The port is a number from 1 to 65535.":     "The port is a number from 1 to 65535.",
		"a@example.com is already registered.":      "a@example.com is already registered.",
		"“jan(at)example” is not an email address.": "“jan(at)example” is not an email address.",
		"Line 2: not an email address":              "Line 2: not an email address.",
		"Are you sure?":                             "Are you sure?",
		"  padded  ":                                "Padded.",
		"":                                          "",
	} {
		if got := sentence(in); got != want {
			t.Errorf("sentence(%q) = %q, want %q", in, got, want)
		}
	}
}
