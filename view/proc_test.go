//go:build unix

package view_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

// grandchild starts a Session of a shell that starts a sleep which keeps
// the shell's output open, and returns the Session and the sleep's pid.
func grandchild(t *testing.T, script string) (*view.Session, int) {
	t.Helper()
	testenv.SkipIfNoCommand(t, "sh")
	testenv.SkipIfNoCommand(t, "sleep")
	s, err := view.Start(view.Config{Program: []string{"sh", "-c", script}})
	if err != nil {
		t.Fatal(err)
	}
	st := viewtest.WaitState(t, s, "the sleep's pid", func(st view.State) bool {
		for _, l := range st.Console {
			if l.Stream == view.Stdout {
				return true
			}
		}
		return false
	})
	var pid int
	for _, l := range st.Console {
		if l.Stream == view.Stdout {
			pid, err = strconv.Atoi(strings.TrimSpace(l.Text))
			if err != nil {
				t.Fatalf("pid %q: %v", l.Text, err)
			}
			break
		}
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return s, pid
}

// alive reports whether pid is a process that has not ended.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil // no /proc: a zombie counts
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// TestCloseKillsWhatTheProgramStarted: a process the program started, which
// holds its output open, neither keeps Close waiting nor outlives it.
func TestCloseKillsWhatTheProgramStarted(t *testing.T) {
	s, pid := grandchild(t, "sleep 300 & echo $!; wait")
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		syscall.Kill(pid, syscall.SIGKILL) // lets Close end
		<-closed
		t.Fatal("Close waited for the program's child")
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatal("the program's child outlived Close")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRestartKillsWhatTheProgramStarted: the same for Restart.
func TestRestartKillsWhatTheProgramStarted(t *testing.T) {
	s, pid := grandchild(t, "sleep 300 & echo $!; wait")
	defer s.Close()
	done := make(chan error, 1)
	go func() { done <- s.Restart() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		syscall.Kill(pid, syscall.SIGKILL)
		<-done
		t.Fatal("Restart waited for the program's child")
	}
	if alive(pid) {
		time.Sleep(100 * time.Millisecond)
		if alive(pid) {
			t.Error("the program's child outlived Restart")
		}
	}
}

// TestRunEndsThoughAChildHoldsItsOutput: a program that exits, leaving a
// process that holds its output, is reported ended after a bounded wait.
func TestRunEndsThoughAChildHoldsItsOutput(t *testing.T) {
	s, _ := grandchild(t, "sleep 300 & echo $!")
	defer s.Close()
	begin := time.Now()
	st := viewtest.WaitState(t, s, "the run's end", func(st view.State) bool { return !st.Running })
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("the end was reported after %v", d)
	}
	if st.Exit != "exited with status 0" {
		t.Errorf("exit %q", st.Exit)
	}
}
