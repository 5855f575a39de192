package pgtest

import "os/exec"

// ownProcessGroup does nothing on Windows, where the cluster this package
// starts (initdb, pg_ctl and a shell watchdog) is not run: tests there name
// a server with TRAINPAY_TEST_POSTGRES.
func ownProcessGroup(*exec.Cmd) {}
