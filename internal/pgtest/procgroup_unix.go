//go:build !windows

package pgtest

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts c in a process group of its own, out of reach of
// the terminal's Ctrl-C to the tests.
func ownProcessGroup(c *exec.Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
