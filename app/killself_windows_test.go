package app_test

import (
	"os"
	"syscall"
)

// killedExitCode is the exit code killSelf gives the process, one that
// neither Go's runtime nor the testing package uses, so that the parent can
// tell the kill from an ordinary failure (exit 1) or a panic (exit 2).
const killedExitCode = 137 // 128 + SIGKILL, as a Unix shell reports a kill -9

// killSelf ends this process at once, as kill -9 does on Unix:
// TerminateProcess on itself runs no deferred call and flushes nothing.
// (os.Process.Kill is the same call, but with exit code 1.)
func killSelf() {
	self, err := syscall.GetCurrentProcess()
	if err == nil {
		err = syscall.TerminateProcess(self, killedExitCode)
	}
	panic(err) // TerminateProcess on itself does not return when it works
}

// diedOfKillSelf tells whether a child process ended through killSelf.
func diedOfKillSelf(ps *os.ProcessState) bool {
	return ps.ExitCode() == killedExitCode
}
