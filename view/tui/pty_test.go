//go:build linux || darwin || freebsd

package tui_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/view"
	"github.com/goasyncio/asyncio/view/tui"
)

const (
	blinkPkg  = "github.com/goasyncio/asyncio/examples/blink"
	buttonPkg = "github.com/goasyncio/asyncio/examples/button"
)

// waitLimit bounds every wait for the screen: a bound on a broken run, not
// a timing assertion (what the tests check comes from the stepped clock).
const waitLimit = time.Minute

// terminal is a pseudo-terminal with a terminal emulator on its far side:
// the view runs on the pty as it would in a terminal, and the test types
// into the emulator and reads its screen as a person would.
type terminal struct {
	t    *testing.T
	emu  *vt.Emulator // reads and writes of its screen under mu
	ptmx *os.File     // the terminal's side
	tty  *os.File     // the program's side
	wg   sync.WaitGroup

	mu  sync.Mutex
	raw bytes.Buffer // everything the view wrote, under mu
}

// newTerminal opens a pty of w columns and h rows with an emulator on it.
func newTerminal(t *testing.T, w, h int) *terminal {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("skipped: no pseudo-terminal: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)}); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, emu: vt.NewEmulator(w, h), ptmx: ptmx, tty: tty}
	term.wg.Add(2)
	go func() { // the screen: what the view writes
		defer term.wg.Done()
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				term.mu.Lock()
				term.raw.Write(buf[:n])
				// Answers to the view's queries go to the emulator's
				// input, which the other goroutine reads without mu.
				term.emu.Write(buf[:n])
				term.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { // the keyboard, and the emulator's answers to queries
		defer term.wg.Done()
		io.Copy(ptmx, term.emu)
	}()
	t.Cleanup(term.close)
	return term
}

// close ends the terminal and its goroutines.
func (term *terminal) close() {
	term.tty.Close()
	term.ptmx.Close()
	// Ending the emulator's input pipe ends the copy from it.
	if c, ok := term.emu.InputPipe().(io.Closer); ok {
		c.Close()
	}
	term.wg.Wait()
}

// typeText types s on the keyboard. It only writes to the emulator's input
// pipe, so it needs no lock.
func (term *terminal) typeText(s string) { term.emu.SendText(s) }

// screen returns the screen's text.
func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.emu.String()
}

// restored reports whether the terminal is back on its main screen with
// the cursor shown.
func (term *terminal) restored() bool {
	term.mu.Lock()
	defer term.mu.Unlock()
	return !term.emu.IsAltScreen() && !term.emu.CursorHidden()
}

// waitScreen waits until ok holds for the screen's lines and returns them.
func (term *terminal) waitScreen(what string, ok func(lines []string) bool) []string {
	term.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		lines := strings.Split(term.screen(), "\n")
		if ok(lines) {
			return lines
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("waiting for %s; the screen:\n%s", what, term.screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawOutput returns what the view wrote.
func (term *terminal) rawOutput() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.raw.String()
}

// runView runs tui.Run on the terminal and returns a function that waits
// for it to return.
func runView(t *testing.T, ctx context.Context, term *terminal, s *view.Session) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- tui.Run(ctx, s, tui.WithInput(term.tty), tui.WithOutput(term.tty),
			tui.WithProgramOptions(tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	}()
	ended := false
	wait := func() error {
		t.Helper()
		select {
		case err := <-done:
			ended = true
			return err
		case <-time.After(waitLimit):
			t.Fatalf("the view did not end; the screen:\n%s", term.screen())
			return nil
		}
	}
	t.Cleanup(func() {
		if !ended {
			term.typeText("q")
			<-done
		}
	})
	return wait
}

// settle zooms the diagram out and waits for it. Keys are read in order,
// so once the view has handled it no earlier input (the terminal's answers
// to the view's queries) is still on its way: Bubble Tea's input reader
// blocks for good if input arrives as the program ends.
func settle(term *terminal) {
	term.t.Helper()
	term.typeText("]")
	term.waitScreen("the zoom", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), "timing, 100 ms a column")
	})
}

// startSession starts a Session of the program, closed when the test ends.
func startSession(t *testing.T, cfg view.Config) *view.Session {
	t.Helper()
	s, err := view.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// row returns the screen's row of a part: its lamp or key, its name, its
// value, and its wave.
type partRow struct{ lamp, name, value, wave string }

func findRow(lines []string, name string) (partRow, bool) {
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) >= 3 && f[1] == name {
			r := partRow{lamp: f[0], name: f[1], value: f[2]}
			if len(f) >= 4 {
				r.wave = f[3]
			}
			return r, true
		}
	}
	return partRow{}, false
}

// goldenTrace reads a lab's golden trace: for each time, in order, the
// LEDs that changed and how.
func goldenTrace(t *testing.T, path string) (times []string, at map[string][][2]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	at = map[string][][2]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var when, led, state string
		if _, err := fmt.Sscan(sc.Text(), &when, &led, &state); err != nil {
			t.Fatalf("%s: %q: %v", path, sc.Text(), err)
		}
		if _, ok := at[when]; !ok {
			times = append(times, when)
		}
		at[when] = append(at[when], [2]string{led, state})
	}
	return times, at
}

func needPty(t *testing.T) {
	t.Helper()
	testenv.SkipIfEmulated(t, "runs a program in a pseudo-terminal")
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("skipped: no processes")
	}
}

// TestBlinkLabInATerminal steps the blink lab in the view and checks that
// the screen shows the clock and LEDs of the lab's golden trace.
func TestBlinkLabInATerminal(t *testing.T) {
	needPty(t)
	bin := testenv.BuildProgram(t, blinkPkg)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := startSession(t, view.Config{Program: []string{bin, "-virtual"}, Paused: true})
	term := newTerminal(t, 80, 24)
	wait := runView(t, ctx, term, s)

	times, changes := goldenTrace(t, "../../examples/blink/testdata/blink.golden")
	leds := map[string]string{}
	check := func(when string) {
		t.Helper()
		for _, c := range changes[when] {
			leds[c[0]] = c[1]
		}
		lines := term.waitScreen(fmt.Sprintf("%s s with %v", when, leds), func(lines []string) bool {
			if !strings.Contains(lines[0], when+" s") || !strings.Contains(lines[0], "paused") {
				return false
			}
			for name, state := range leds {
				r, ok := findRow(lines, name)
				want := map[string]string{"on": "●", "off": "○"}[state]
				if !ok || r.value != state || r.lamp != want {
					return false
				}
			}
			return true
		})
		if strings.Contains(strings.Join(lines, "\n"), "not running") {
			t.Errorf("an error at %s:\n%s", when, strings.Join(lines, "\n"))
		}
	}
	check(times[0]) // 0.000: both lit
	if times[0] != "0.000" || times[1] != "0.250" {
		t.Fatalf("the golden trace starts %v", times[:2])
	}
	for _, when := range times[1:9] { // 0.250 to 2.000, a step each
		term.typeText(".")
		check(when)
	}
	// The timing diagram: 50 ms a column from 0. Green (active-low, lit at
	// level 0) changed every 250 ms; red went out at 1 s and lit at 2 s.
	lines := strings.Split(term.screen(), "\n")
	green, _ := findRow(lines, "green")
	if want := strings.Repeat("▁▁▁▁▁▔▔▔▔▔", 4) + "▁"; green.wave != want {
		t.Errorf("green's wave %q, want %q\n%s", green.wave, want, term.screen())
	}
	red, _ := findRow(lines, "red")
	if want := strings.Repeat("▁", 20) + strings.Repeat("▔", 20) + "▁"; red.wave != want {
		t.Errorf("red's wave %q, want %q\n%s", red.wave, want, term.screen())
	}
	if !strings.Contains(term.screen(), "╵0s       ╵0.5s     ╵1s       ╵1.5s     ╵2s") {
		t.Errorf("no time axis:\n%s", term.screen())
	}
	// The lab's output is in the console.
	term.waitScreen("the console", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), "  2.000 green on")
	})

	// Faster, and running: the lab runs to its end.
	for range 3 {
		term.typeText("+")
	}
	term.waitScreen("speed ×10", func(lines []string) bool { return strings.Contains(lines[0], "speed ×10") })
	term.typeText(" ")
	term.waitScreen("the end of the run", func(lines []string) bool {
		return strings.Contains(lines[0], "10.000 s") && strings.Contains(lines[0], "exited with status 0")
	})

	term.typeText("q")
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkRestored(t, term)
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// checkRestored checks that the view left the terminal as it found it: the
// main screen and a visible cursor.
func checkRestored(t *testing.T, term *terminal) {
	t.Helper()
	// What the view wrote last may still be on its way through the pty.
	deadline := time.Now().Add(waitLimit)
	for !term.restored() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !term.restored() {
		t.Error("the terminal is left on the alternate screen or with the cursor hidden")
	}
	raw := term.rawOutput()
	if i, j := strings.LastIndex(raw, "\x1b[?1049h"), strings.LastIndex(raw, "\x1b[?1049l"); i < 0 || j < i {
		t.Errorf("the alternate screen was not left: enter at %d, leave at %d", i, j)
	}
}

// TestButtonLabInATerminal presses the button lab's button with its key
// and sees the red LED light; it types a line to the program, restarts it,
// and sees the errors of commands the program cannot obey.
func TestButtonLabInATerminal(t *testing.T) {
	needPty(t)
	bin := testenv.BuildProgram(t, buttonPkg)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := startSession(t, view.Config{Program: []string{bin, "-virtual"}, Paused: true})
	term := newTerminal(t, 80, 24)
	wait := runView(t, ctx, term, s)

	row := func(lines []string, name string) partRow { r, _ := findRow(lines, name); return r }
	term.waitScreen("the button up and red out", func(lines []string) bool {
		return row(lines, "button").lamp == "[1]" && row(lines, "button").value == "up" &&
			row(lines, "red").value == "off" && row(lines, "red").lamp == "○"
	})
	term.typeText("1")
	term.waitScreen("the button down", func(lines []string) bool { return row(lines, "button").value == "down" })
	term.typeText(".") // the poll at 20 ms sees the press
	lines := term.waitScreen("red lit at 0.020", func(lines []string) bool {
		return strings.Contains(lines[0], "0.020 s") && row(lines, "red").value == "on" && row(lines, "red").lamp == "●"
	})
	if w := row(lines, "button").wave; w != "▁" {
		t.Errorf("the button's wave is %q, want ▁ (pressed at 0 on the paused clock)", w)
	}
	term.typeText("1")
	term.waitScreen("the button up again", func(lines []string) bool { return row(lines, "button").value == "up" })

	// A key with no input on it.
	term.typeText("7")
	term.waitScreen("the error line", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), "no input on key 7")
	})

	// A line typed to the program shows in its console.
	term.typeText("ihello")
	term.waitScreen("the input line", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), "> hello")
	})
	term.typeText("\r")
	term.waitScreen("the line in the console", func(lines []string) bool {
		for _, l := range lines {
			if strings.TrimSpace(l) == "> hello" {
				return true
			}
		}
		return false
	})
	term.typeText("\x1b")
	term.waitScreen("the keys back", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), "space pause")
	})

	// Run to the end, fast: the button can no longer be pressed.
	term.typeText("+++++ ")
	term.waitScreen("the end of the run", func(lines []string) bool {
		return strings.Contains(lines[0], "exited with status 0")
	})
	term.typeText("1")
	term.waitScreen("the error", func(lines []string) bool {
		return strings.Contains(strings.Join(lines, "\n"), "press button: view: the program is not running")
	})
	if st := s.State(); !errors.Is(s.Press("button"), view.ErrNotRunning) || st.Running {
		t.Errorf("the session: running %v", st.Running)
	}

	// Restart: a second run, with the button up and red out.
	term.typeText(" r")
	term.waitScreen("the second run", func(lines []string) bool {
		return strings.Contains(lines[0], "run 2") && row(lines, "red").value == "off" && row(lines, "button").value == "up"
	})

	term.typeText("\x03") // Ctrl-C
	if err := wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkRestored(t, term)
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestRunEndsWithItsContext checks that Run returns when its context is
// done, with the terminal restored.
func TestRunEndsWithItsContext(t *testing.T) {
	needPty(t)
	bin := testenv.BuildProgram(t, blinkPkg)
	s := startSession(t, view.Config{Program: []string{bin, "-virtual"}, Paused: true})
	term := newTerminal(t, 80, 24)
	ctx, cancel := context.WithCancel(context.Background())
	wait := runView(t, ctx, term, s)
	term.waitScreen("the board", func(lines []string) bool { return strings.Contains(lines[0], "board lab") })
	settle(term)
	cancel()
	if err := wait(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	checkRestored(t, term)
}

// TestRunEndsWhenTheSessionCloses checks that Run returns nil when its
// Session is closed under it.
func TestRunEndsWhenTheSessionCloses(t *testing.T) {
	needPty(t)
	bin := testenv.BuildProgram(t, blinkPkg)
	s := startSession(t, view.Config{Program: []string{bin, "-virtual"}, Paused: true})
	term := newTerminal(t, 80, 24)
	wait := runView(t, context.Background(), term, s)
	term.waitScreen("the board", func(lines []string) bool { return strings.Contains(lines[0], "board lab") })
	settle(term)
	s.Close()
	if err := wait(); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	checkRestored(t, term)
}
