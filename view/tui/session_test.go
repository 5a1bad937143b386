package tui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/viewtest"
)

// catchUp brings the model up to date with the Session, as the update it is
// waiting for would.
func catchUp(m *model) { m.Update(updateMsg{}) }

// TestKeysReachASession sends the model the keys a person would press and
// checks what the button lab's Session does and what the model then shows.
func TestKeysReachASession(t *testing.T) {
	bin := testenv.BuildProgram(t, "github.com/goasyncio/asyncio/examples/button")
	s, err := view.Start(view.Config{Program: []string{bin, "-virtual"}, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	viewtest.WaitState(t, s, "the button", func(st view.State) bool { return viewtest.Part(st, "button").Kind == "button" })
	m := newModel(s, config{width: 80, height: 24})
	defer m.unsubscribe()
	line(t, screen(m), "[1] button up")

	typeKeys(m, "1")
	viewtest.WaitState(t, s, "the button held", func(st view.State) bool { return viewtest.Part(st, "button").Pressed })
	typeKeys(m, ".")
	viewtest.WaitState(t, s, "red lit at 20 ms", func(st view.State) bool {
		return st.Time == 20*time.Millisecond && viewtest.Part(st, "red").Lit()
	})
	catchUp(m)
	lines := screen(m)
	line(t, lines, "[1] button down")
	line(t, lines, "●  red    on")
	if !strings.Contains(lines[0], "0.020 s") {
		t.Errorf("header %q", lines[0])
	}

	typeKeys(m, "1", "+", "+")
	viewtest.WaitState(t, s, "the button up at speed 5", func(st view.State) bool {
		return !viewtest.Part(st, "button").Pressed && st.Speed == 5
	})
	typeKeys(m, "i", "x", "y", "enter", "esc")
	viewtest.WaitState(t, s, "the line in the console", func(st view.State) bool {
		return len(st.Console) > 0 && st.Console[len(st.Console)-1] == view.ConsoleLine{Stream: view.Stdin, Text: "xy"}
	})
	catchUp(m)
	line(t, screen(m), "> xy")

	// A part that is not an input: the Session refuses, the view says why.
	m.st.Parts = append(m.st.Parts, view.PartState{Name: "red", Kind: "pin"})
	typeKeys(m, "2")
	line(t, screen(m), "drive red: view: part is not an input")

	typeKeys(m, "space")
	viewtest.WaitState(t, s, "the clock running", func(st view.State) bool { return !st.Paused })
	catchUp(m)
	if cmd := m.startFrames(); cmd != nil || !m.framing {
		t.Error("no frames while the clock runs")
	}
	typeKeys(m, "space")
	viewtest.WaitState(t, s, "the clock paused", func(st view.State) bool { return st.Paused })

	cmd := typeKeys(m, "r")
	msg := cmd()
	if d, ok := msg.(doneMsg); !ok || d.err != nil {
		t.Fatalf("restart: %#v", msg)
	}
	m.Update(msg)
	viewtest.WaitState(t, s, "the second run", func(st view.State) bool { return st.Run == 2 && viewtest.Part(st, "button").Kind == "button" })
	catchUp(m)
	line(t, screen(m), "run 2")
	if len(m.held) != 0 {
		t.Errorf("buttons held after a restart: %v", m.held)
	}

	if _, ok := typeKeys(m, "q")().(tea.QuitMsg); !ok {
		t.Error("q does not quit")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestClockNeverGoesBackOnTheScreen: the time the terminal shows, which
// moves on between the board's readings while the clock runs, never goes
// backwards while the program runs: not when the clock pauses behind what
// was shown, nor on a step, a resume or a change of speed.
func TestClockNeverGoesBackOnTheScreen(t *testing.T) {
	bin := testenv.BuildProgram(t, "github.com/goasyncio/asyncio/examples/blink")
	s, err := view.Start(view.Config{Program: []string{bin, "-virtual"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	viewtest.WaitState(t, s, "the clock running", func(st view.State) bool { return st.Time > 0 })
	m := newModel(s, config{width: 80, height: 24})
	defer m.unsubscribe()
	clockRE := regexp.MustCompile(`│ (\d+\.\d{3}) s  │`)
	var last float64
	lastHeader := ""
	// watch reads the screen's clock for a while, as frames would.
	watch := func(what string) {
		t.Helper()
		for range 8 {
			catchUp(m)
			header := screen(m)[0]
			c := clockRE.FindStringSubmatch(header)
			if c == nil {
				t.Fatalf("%s: no clock in the header %q", what, header)
			}
			secs, _ := strconv.ParseFloat(c[1], 64)
			if secs < last {
				t.Fatalf("%s: the clock went back from %q to %q", what, lastHeader, header)
			}
			last, lastHeader = secs, header
			time.Sleep(2 * time.Millisecond)
		}
	}
	paused := func(want bool) {
		t.Helper()
		viewtest.WaitState(t, s, fmt.Sprintf("paused %v", want), func(st view.State) bool { return st.Paused == want })
	}
	for range 3 {
		watch("running")
		typeKeys(m, "space")
		paused(true)
		watch("on pausing")
		typeKeys(m, ".")
		watch("on a step")
		typeKeys(m, "space")
		paused(false)
		watch("on resuming")
		typeKeys(m, "+")
		watch("faster")
		typeKeys(m, "-")
		watch("slower")
	}
	if st := s.State(); !st.Running {
		t.Fatalf("the lab ended during the test (at %v): the test ran too long to see its clock run", st.Time)
	}
	if last == 0 {
		t.Error("the clock never moved")
	}
}
