package view_test

import (
	"testing"
	"time"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

// TestBoardQuickerThanTheSession: a program's board that says hello before
// the Session has taken the run as its own (it has just started the
// program) is taken all the same, not dropped.
func TestBoardQuickerThanTheSession(t *testing.T) {
	bin := testenv.BuildProgram(t, blinkPkg)
	defer view.SetBeforeRun(func() { time.Sleep(500 * time.Millisecond) })()
	s := start(t, view.Config{Program: []string{bin, "-virtual"}, Paused: true})
	st := viewtest.WaitState(t, s, "the board", func(st view.State) bool { return st.Board == "lab" && len(st.Parts) == 3 })
	if st.Run != 1 || !st.Running {
		t.Errorf("run %d, running %v", st.Run, st.Running)
	}
}
