package main

import (
	"os"
	"os/exec"
	"syscall"
)

// On Windows, Ctrl-C reaches a console program as a console control event,
// which Go delivers as os.Interrupt (CTRL_C_EVENT and CTRL_BREAK_EVENT
// alike); os.Process.Signal cannot send it. Another program can send only
// CTRL_BREAK_EVENT, and only to a process group: the child gets its own.
var generateConsoleCtrlEvent = syscall.NewLazyDLL("kernel32.dll").NewProc("GenerateConsoleCtrlEvent")

// interruptible prepares cmd to be interrupted by interrupt.
func interruptible(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// interrupt sends the child's process group Ctrl-Break.
func interrupt(p *os.Process) error {
	if ok, _, err := generateConsoleCtrlEvent.Call(syscall.CTRL_BREAK_EVENT, uintptr(p.Pid)); ok == 0 {
		return err
	}
	return nil
}
