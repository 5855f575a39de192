package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A second TrainPay process on the same file is told that another one has
// it open; once the first is gone, the next one is not.
func TestSecondProcessOnTheSameFileIsToldSo(t *testing.T) {
	if os.Getenv("TRAINPAY_HOLD_FILE") != "" {
		db, err := openDatabase(context.Background(), os.Getenv("TRAINPAY_HOLD_FILE"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.close()
		os.Stdout.WriteString("HOLDING\n")
		buf := make([]byte, 1)
		os.Stdin.Read(buf) // until the parent closes our standard input
		return
	}
	path := filepath.Join(t.TempDir(), "trainpay.db")
	child := exec.Command(os.Args[0], "-test.run=^TestSecondProcessOnTheSameFileIsToldSo$")
	child.Env = append(os.Environ(), "TRAINPAY_HOLD_FILE="+path)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 64)
	n, _ := out.Read(line)
	if !strings.Contains(string(line[:n]), "HOLDING") {
		t.Fatalf("the first process says %q", line[:n])
	}

	second, err := openDatabase(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if !second.shared {
		t.Error("the second process was not told another one has the file open")
	}
	second.close()

	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- child.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the first process: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the first process did not end")
	}
	third, err := openDatabase(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer third.close()
	if third.shared {
		t.Error("told of another process after it ended")
	}
}
