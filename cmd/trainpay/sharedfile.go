package main

import (
	"github.com/gofrs/flock"
)

// holdFile tells this TrainPay's use of a database file to any other
// TrainPay on this computer, and says whether one already uses it: an
// exclusive lock on a file beside it (the database's own path plus
// ".lock"; gofrs/flock: flock(2) on Unix, LockFileEx on Windows), taken
// without waiting. The first process holds it until it ends; a second one
// cannot take it and says so (ui: the "open in another window" banner).
// Two processes on one file are safe — the database's rules refuse a
// second charge, and each window shows the other's changes — but a
// person should know the other window is there.
//
// A lock file that cannot be made (a read-only folder) is taken as no
// other process: the warning is a courtesy, never a refusal.
func holdFile(path string) (shared bool, release func()) {
	lock := flock.New(path + ".lock")
	held, err := lock.TryLock()
	if err != nil {
		return false, func() {}
	}
	if !held {
		return true, func() {}
	}
	return false, func() { _ = lock.Unlock() }
}
