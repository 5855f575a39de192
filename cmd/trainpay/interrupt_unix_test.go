//go:build unix

package main

import (
	"os"
	"os/exec"
)

// interruptible prepares cmd to be interrupted by interrupt.
func interruptible(cmd *exec.Cmd) {}

// interrupt sends the child what Ctrl-C in its terminal sends: SIGINT.
func interrupt(p *os.Process) error {
	return p.Signal(os.Interrupt)
}
