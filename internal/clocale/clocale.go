// Package clocale, imported for its side effect by the trainpay command,
// makes a C or POSIX locale with an encoding ("C.UTF-8", the default of
// many containers and CI machines) mean English to Fyne.
//
// That locale names no language, but Fyne reads "C" from it as a language
// tag and logs an error on every start, from its lang package's init. This
// package's init runs first: it has no imports but the standard library's
// os and strings, and Go initialises a package as soon as its imports are
// (ordering ready packages by import path), while Fyne's lang waits for
// golang.org/x/text, which sorts after this module. It sets LANGUAGE=en,
// which the locale lookup reads for messages only, so the character set of
// keyboard input is untouched. TestLocaleCMeansEnglish runs the binary to
// check it.
package clocale

import (
	"os"
	"strings"
)

func init() {
	if Applies(os.Getenv) {
		os.Setenv("LANGUAGE", "en")
	}
}

// Applies reports whether the messages locale is C or POSIX with an
// encoding and no LANGUAGE is set. A bare "C" needs nothing: Fyne already
// reads it as no locale.
func Applies(getenv func(string) string) bool {
	if getenv("LANGUAGE") != "" {
		return false
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			base, _, withEncoding := strings.Cut(v, ".")
			return withEncoding && (base == "C" || base == "POSIX")
		}
	}
	return false
}
