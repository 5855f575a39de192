//go:build unix

package app_test

import (
	"os"
	"syscall"
)

// killSelf ends this process at once, the way kill -9 does: no deferred
// call, no flush, no exit code of its own choosing.
func killSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
}

// diedOfKillSelf tells whether a child process ended through killSelf.
func diedOfKillSelf(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
