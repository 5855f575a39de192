package clocale

import "testing"

func TestApplies(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LC_ALL": "POSIX.utf8", "LANG": "pl_PL.UTF-8"}, true},
		{map[string]string{"LC_MESSAGES": "C.UTF-8"}, true},
		{map[string]string{"LANG": "C"}, false}, // read as no locale already
		{map[string]string{"LANG": "pl_PL.UTF-8"}, false},
		{map[string]string{"LC_ALL": "en_GB.UTF-8", "LANG": "C.UTF-8"}, false}, // LC_ALL decides
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "pl"}, false},
		{map[string]string{}, false},
	} {
		if got := Applies(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %v, want %v", c.env, got, c.want)
		}
	}
}
