package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// configHomeEnv is the environment that puts the user's config folder (so
// storage.DefaultPath) under dir on every OS: os.UserConfigDir reads
// XDG_CONFIG_HOME or HOME on Linux, HOME on macOS and AppData on Windows.
// With dir "" the user has no config folder at all.
func configHomeEnv(dir string) []string {
	if dir == "" {
		return []string{"HOME=", "XDG_CONFIG_HOME=", "AppData="}
	}
	config := filepath.Join(dir, "config")
	return []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + config, "AppData=" + config}
}

// setConfigHome sets configHomeEnv(dir) for the test.
func setConfigHome(t *testing.T, dir string) {
	t.Helper()
	for _, kv := range configHomeEnv(dir) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}
