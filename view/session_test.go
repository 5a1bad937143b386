package view_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/internal/wire"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

const (
	blinkPkg  = "github.com/goasyncio/asyncio/examples/blink"
	buttonPkg = "github.com/goasyncio/asyncio/examples/button"
)

// start starts a Session of the program and closes it when the test ends.
func start(t *testing.T, cfg view.Config) *view.Session {
	t.Helper()
	s, err := view.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func lit(st view.State) string {
	var b strings.Builder
	for _, p := range st.Parts {
		if p.Kind == "led" {
			b.WriteString(p.Name)
			b.WriteString(map[bool]string{true: "=on ", false: "=off "}[p.Lit()])
		}
	}
	return strings.TrimSpace(b.String())
}

func TestSteppingTheBlinkLab(t *testing.T) {
	// -virtual: the lab's loop runs on the virtual clock from its start,
	// so its times are the lab's own, 0.250 and not 0.252.
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, blinkPkg), "-virtual"}, Paused: true})
	st := viewtest.WaitState(t, s, "both LEDs lit at 0", func(st view.State) bool {
		return lit(st) == "red=on green=on" && viewtest.Part(st, "button").Kind == "button"
	})
	if st.Board != "lab" || st.Time != 0 || !st.Paused || !st.Running || st.Run != 1 {
		t.Fatalf("at the start: board %q time %v paused %v running %v run %d", st.Board, st.Time, st.Paused, st.Running, st.Run)
	}
	if p := viewtest.Part(st, "red"); p.Colour != "red" || !p.ActiveLow || p.Level != 0 || p.Brightness != 100 {
		t.Errorf("red: %+v", p)
	}
	// Each step is the lab's next deadline, with the lab's changes.
	for _, want := range []struct {
		at  time.Duration
		lit string
	}{
		{250 * time.Millisecond, "red=on green=off"},
		{500 * time.Millisecond, "red=on green=on"},
		{750 * time.Millisecond, "red=on green=off"},
		{time.Second, "red=off green=on"},
	} {
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		st = viewtest.WaitState(t, s, want.lit+" at "+want.at.String(), func(st view.State) bool { return st.Time == want.at && lit(st) == want.lit })
	}
	viewtest.WaitState(t, s, "the lab's output in the console", func(st view.State) bool {
		return strings.Contains(consoleText(st), "out: 1.000 red off\n")
	})
	if got := s.Now(); got != time.Second {
		t.Errorf("Now on a paused clock = %v, want 1s", got)
	}
	var vcd bytes.Buffer
	if err := s.WriteVCD(&vcd); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"$scope module lab $end", " red ", " green ", " button ", "#250000000"} {
		if !strings.Contains(vcd.String(), want) {
			t.Errorf("the VCD lacks %q:\n%s", want, vcd.String())
		}
	}
	// Fast, the lab runs to its end.
	if err := s.SetSpeed(1000); err != nil {
		t.Fatal(err)
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	st = viewtest.WaitState(t, s, "the end of the run", func(st view.State) bool { return !st.Running })
	if st.Exit != "exited with status 0" || st.Time != 10*time.Second {
		t.Errorf("ended %q at %v, want status 0 at 10s", st.Exit, st.Time)
	}
	if last := st.Changes[len(st.Changes)-1]; last.At != 9750*time.Millisecond {
		t.Errorf("the last change is %+v, want one at 9.75s", last)
	}
	if err := s.Press("button"); !errors.Is(err, view.ErrNotRunning) {
		t.Errorf("Press after the end: %v", err)
	}
	// Restart keeps the pace and starts afresh.
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	st = viewtest.WaitState(t, s, "the second run", func(st view.State) bool { return st.Run == 2 && lit(st) == "red=on green=on" })
	if !st.Paused || st.Speed != 1000 || st.Time != 0 {
		t.Errorf("second run: paused %v speed %v time %v", st.Paused, st.Speed, st.Time)
	}
	// Both LEDs started out (high, active-low), the button released (high).
	if b := st.Base; b["red"] != 1 || b["green"] != 1 || b["button"] != 1 || len(b) != 3 {
		t.Errorf("second run: base levels %v", b)
	}
}

func consoleText(st view.State) string {
	var b strings.Builder
	for _, l := range st.Console {
		b.WriteString(l.Stream + ": " + l.Text + "\n")
	}
	return b.String()
}

func TestButtonLabPressAndInput(t *testing.T) {
	bin := testenv.BuildProgram(t, buttonPkg)
	for _, how := range []string{"press", "enter"} {
		t.Run(how, func(t *testing.T) {
			s := start(t, view.Config{Program: []string{bin, "-virtual"}})
			viewtest.WaitState(t, s, "the button", func(st view.State) bool { return viewtest.Part(st, "button").Kind == "button" })
			switch how {
			case "press":
				if err := s.Press("button"); err != nil {
					t.Fatal(err)
				}
				viewtest.WaitState(t, s, "the button held", func(st view.State) bool { return viewtest.Part(st, "button").Pressed })
			case "enter":
				if err := s.Input("x"); err != nil {
					t.Fatal(err)
				}
			}
			st := viewtest.WaitState(t, s, "red lit", func(st view.State) bool { return viewtest.Part(st, "red").Lit() })
			if how == "enter" && !strings.Contains(consoleText(st), "in: x\n") {
				t.Errorf("the typed line is not in the console:\n%s", consoleText(st))
			}
		})
	}
}

func TestBadCommandsAreRefused(t *testing.T) {
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, buttonPkg)}, Paused: true})
	viewtest.WaitState(t, s, "the parts", func(st view.State) bool { return viewtest.Part(st, "button").Kind == "button" })
	if err := s.Press("nose"); !errors.Is(err, view.ErrNoPart) || !strings.Contains(err.Error(), "nose") {
		t.Errorf("Press(nose) = %v", err)
	}
	if err := s.Press("red"); !errors.Is(err, view.ErrNotInput) {
		t.Errorf("Press(red) = %v", err)
	}
	if err := s.Drive("button", 1); !errors.Is(err, view.ErrNotInput) {
		t.Errorf("Drive(button) = %v", err)
	}
	if err := s.Drive("button", 7); err == nil {
		t.Error("Drive with level 7 accepted")
	}
	if err := s.SetSpeed(-2); !errors.Is(err, asyncio.ErrBadSpeed) {
		t.Errorf("SetSpeed(-2) = %v", err)
	}
	if st := s.State(); st.Speed != 1 || !st.Running {
		t.Errorf("after bad commands: speed %v running %v", st.Speed, st.Running)
	}
	s.Close()
	if err := s.Step(); !errors.Is(err, view.ErrClosed) {
		t.Errorf("Step after Close = %v", err)
	}
	if err := s.Input("x"); !errors.Is(err, view.ErrClosed) {
		t.Errorf("Input after Close = %v", err)
	}
	if _, ok := <-func() <-chan view.Update { u, _ := s.Subscribe(1); return u }(); ok {
		t.Error("Subscribe after Close gave an open channel")
	}
}

func TestStartFailsForAMissingProgram(t *testing.T) {
	_, err := view.Start(view.Config{Program: []string{"/no/such/program"}})
	if err == nil || !strings.Contains(err.Error(), "/no/such/program") {
		t.Errorf("Start of a missing program = %v", err)
	}
	if _, err := view.Start(view.Config{}); err == nil {
		t.Error("Start with no program succeeded")
	}
}

// TestImpostorCannotTakeTheBoard: another process on this machine that
// finds the Session's port, and connects before the program's board does,
// is refused, whatever it says; the program's board, which carries the
// run's secret, is shown.
func TestImpostorCannotTakeTheBoard(t *testing.T) {
	testenv.SkipIfNoCommand(t, "sh")
	prog := testenv.BuildProgram(t, buttonPkg)
	// The program waits a little, so that the impostor is first.
	s := start(t, view.Config{Program: []string{"sh", "-c", `sleep 0.5; exec "$0" -virtual`, prog}, Paused: true})
	addr := view.BoardAddr(s)

	impostor := func(hello string) net.Conn {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprintf(conn, "%s\n", hello)
		for i := range 3 {
			fmt.Fprintf(conn, `{"t":"part","name":"IMPOSTOR%d","kind":"led","value":1}`+"\n", i)
		}
		return conn
	}
	impostor(`{"t":"hello","board":"IMPOSTOR","value":1}`)
	impostor(`{"t":"hello","board":"IMPOSTOR","value":1,"token":"00000000000000000000000000000000"}`)
	impostor(`{"t":"part","name":"IMPOSTOR","kind":"led","value":1}`)

	st := viewtest.WaitState(t, s, "the lab's board", func(st view.State) bool {
		return st.Board == "lab" && viewtest.Part(st, "button").Kind == "button"
	})
	for _, p := range st.Parts {
		if strings.Contains(p.Name, "IMPOSTOR") {
			t.Errorf("the impostor's part %q is shown", p.Name)
		}
	}
	st = viewtest.WaitState(t, s, "three refusals in the console", func(st view.State) bool {
		return strings.Count(consoleText(st), "refused a connection") == 3
	})
	for _, want := range []string{"wrong secret", `"part", not a hello`} {
		if !strings.Contains(consoleText(st), want) {
			t.Errorf("the console does not say %q:\n%s", want, consoleText(st))
		}
	}
	// The press goes to the real board.
	if err := s.Press("button"); err != nil {
		t.Fatal(err)
	}
	viewtest.WaitState(t, s, "the button pressed", func(st view.State) bool { return viewtest.Part(st, "button").Pressed })
}

// TestSilentConnectionDoesNotHoldClose: a connection to the board's port
// that never says hello does not keep Close waiting.
func TestSilentConnectionDoesNotHoldClose(t *testing.T) {
	s, err := view.Start(view.Config{Program: []string{testenv.BuildProgram(t, buttonPkg), "-virtual"}, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", view.BoardAddr(s))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	viewtest.WaitState(t, s, "the lab's board", func(st view.State) bool { return st.Board == "lab" })
	begin := time.Now()
	s.Close()
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("Close took %v with a silent connection open", d)
	}
}

// TestStepGoesToTheNextChange: on a lab that polls its button every 50 ms,
// a step runs the clock past the polls to the next change of a level.
func TestStepGoesToTheNextChange(t *testing.T) {
	prog := testenv.BuildProgram(t, "github.com/goasyncio/asyncio/examples/traffic-light")
	s := start(t, view.Config{Program: []string{prog, "-virtual", "-for", "10m", "-press", ""}, Paused: true})
	st := viewtest.WaitState(t, s, "the crossing's parts", func(st view.State) bool { return len(st.Parts) >= 4 })
	// The button held from the start: amber comes after a second of polls
	// (the crossing's debounce and long-press timing), a few steps away.
	if err := s.Press("button"); err != nil {
		t.Fatal(err)
	}
	st = viewtest.WaitState(t, s, "the press", func(st view.State) bool { return len(st.Changes) >= 2 })
	// Each step ends at a change: the button's bounce, then the lights.
	before, green := len(st.Changes), lit(st)
	steps := 0
	for lit(st) == green {
		if steps++; steps > 30 {
			t.Fatalf("%d steps and the lights have not changed: %+v", steps, st.Changes)
		}
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		st = viewtest.WaitState(t, s, "a change after the step", func(st view.State) bool {
			return len(st.Changes) > before && st.Changes[len(st.Changes)-1].At == st.Time && st.Paused
		})
		before = len(st.Changes)
	}
	// Green goes out and amber lights at the same time: both arrive.
	st = viewtest.WaitState(t, s, "amber", func(st view.State) bool { return strings.Contains(lit(st), "amber=on") })
	if st.Time < time.Second || steps > 5 {
		t.Errorf("after %d steps: %s at %v, want amber after a second in a few steps", steps, lit(st), st.Time)
	}
}

// TestNowNeverGoesBackwards: the clock for display does not jump back when
// the clock is paused behind the estimate.
func TestNowNeverGoesBackwards(t *testing.T) {
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, blinkPkg), "-virtual"}})
	viewtest.WaitState(t, s, "the clock running", func(st view.State) bool { return st.Time > 0 })
	for range 5 {
		var last time.Duration
		for range 20 {
			last = max(last, s.Now())
			time.Sleep(3 * time.Millisecond)
		}
		if err := s.Pause(); err != nil {
			t.Fatal(err)
		}
		for range 20 {
			if now := s.Now(); now < last {
				t.Fatalf("Now went back from %v to %v on pausing", last, now)
			}
			time.Sleep(time.Millisecond)
		}
		if err := s.Resume(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFinishedStepHasItsOutput: when the board says its steps have
// finished, the console already has what the program printed before it
// said so, though the two come on different channels. The board here
// prints more than a pipe holds, then says one step has finished.
func TestFinishedStepHasItsOutput(t *testing.T) {
	var b strings.Builder
	const n = 3000
	for i := range n {
		fmt.Fprintf(&b, "print line %d of what the step printed, long enough to fill the pipe\n", i)
	}
	wire.NewEncoder(&b).Encode(wire.Message{Type: wire.Clock, At: 1e9, Speed: 1, Paused: true, Steps: 1})
	file := t.TempDir() + "/lines"
	if err := os.WriteFile(file, []byte(b.String()), 0o666); err != nil {
		t.Fatal(err)
	}
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, fakeBoardPkg), file}})
	st := viewtest.WaitState(t, s, "the step finished", func(st view.State) bool { return st.Steps == 1 })
	last := fmt.Sprintf("line %d of", n-1)
	if !strings.Contains(consoleText(st), "out: "+last) {
		tail := st.Console[max(0, len(st.Console)-2):]
		t.Errorf("the step has finished, and the console ends with %+v, want %q…", tail, last)
	}
	if st.Stepping || st.Time != time.Second {
		t.Errorf("stepping %v at %v, want a finished step at 1s", st.Stepping, st.Time)
	}
}

// TestStepEndsWithTheRun: a step under way when the program ends is not
// under way any more.
func TestStepEndsWithTheRun(t *testing.T) {
	file := t.TempDir() + "/lines"
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, fakeBoardPkg), file}})
	viewtest.WaitState(t, s, "the board", func(st view.State) bool { return st.Board == "fake" })
	if err := s.Step(); err != nil {
		t.Fatal(err)
	}
	if st := s.State(); !st.Stepping || st.Steps != 0 {
		t.Fatalf("after a step the board does not answer: stepping %v, %d steps", st.Stepping, st.Steps)
	}
	if err := s.Input("exit"); err != nil {
		t.Fatal(err)
	}
	st := viewtest.WaitState(t, s, "the end of the run", func(st view.State) bool { return !st.Running })
	if st.Stepping {
		t.Error("the run has ended, and the State says a step is under way")
	}
}

// TestStateSeqCountsItsUpdates: updates are numbered in order, and a State
// includes exactly the updates numbered up to its Seq, so that a subscriber
// that reads it knows which queued updates it already has.
func TestStateSeqCountsItsUpdates(t *testing.T) {
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "print line %d\n", i)
	}
	file := t.TempDir() + "/lines"
	if err := os.WriteFile(file, []byte(b.String()), 0o666); err != nil {
		t.Fatal(err)
	}
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, fakeBoardPkg), file}})
	updates, cancel := s.Subscribe(1000)
	defer cancel()
	st := viewtest.WaitState(t, s, "the output", func(st view.State) bool {
		return strings.Contains(consoleText(st), "out: sent\n")
	})
	if err := s.Input("after"); err != nil {
		t.Fatal(err)
	}
	var last uint64
	for seenAfter := false; !seenAfter; {
		u := <-updates
		if u.Seq <= last {
			t.Fatalf("update %+v after one numbered %d", u, last)
		}
		last = u.Seq
		if u.Type != view.UpdateConsole {
			continue
		}
		in := slices.Contains(st.Console, u.Console)
		if (u.Seq <= st.Seq) != in {
			t.Fatalf("console update %d %q: in the State (Seq %d) %v", u.Seq, u.Console.Text, st.Seq, in)
		}
		seenAfter = u.Console.Text == "after"
	}
}

// TestChattyProgramCostsLittle: a console that is full drops its oldest
// line for each new one without copying the whole console each time.
func TestChattyProgramCostsLittle(t *testing.T) {
	file := t.TempDir() + "/lines"
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	s := start(t, view.Config{Program: []string{testenv.BuildProgram(t, fakeBoardPkg), file}, ConsoleLines: 1000})
	viewtest.WaitState(t, s, "the board's output", func(st view.State) bool { return strings.Contains(consoleText(st), "out: sent\n") })
	for i := range 2000 {
		view.AddConsole(s, view.Stdout, fmt.Sprint("filling ", i))
	}
	allocs := testing.AllocsPerRun(2000, func() { view.AddConsole(s, view.Stdout, "line") })
	// A copy of the console per line would be an allocation each.
	if allocs > 0.1 {
		t.Errorf("%.2f allocations per console line on a full console", allocs)
	}
	st := s.State()
	if len(st.Console) != 1000 || st.Console[999].Text != "line" || st.Console[0].Text != "line" {
		t.Errorf("the console keeps %d lines, from %q to %q; want the last 1000", len(st.Console), st.Console[0].Text, st.Console[len(st.Console)-1].Text)
	}
}
