package tui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/goasyncio/asyncio/view"
)

// fakeSession is a Session that records the commands it gets.
type fakeSession struct {
	mu    sync.Mutex
	st    view.State
	now   time.Duration
	calls []string
	fail  error // returned by every command if set
	subs  []chan view.Update
}

func (f *fakeSession) State() view.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.st
	st.Parts = slices.Clone(st.Parts)
	st.Console = slices.Clone(st.Console)
	st.Changes = slices.Clone(st.Changes)
	return st
}

func (f *fakeSession) Now() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeSession) Subscribe(buffer int) (<-chan view.Update, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan view.Update, buffer)
	f.subs = append(f.subs, ch)
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.subs = slices.DeleteFunc(f.subs, func(c chan view.Update) bool { return c == ch })
			close(ch)
		})
	}
}

func (f *fakeSession) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

func (f *fakeSession) call(format string, a ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, a...))
	return f.fail
}

func (f *fakeSession) button(name string) error {
	for _, p := range f.st.Parts {
		if p.Name == name {
			if p.Kind != "button" {
				return fmt.Errorf("%w: %s", view.ErrNotInput, name)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: %s", view.ErrNoPart, name)
}

func (f *fakeSession) Press(name string) error {
	if err := f.call("press %s", name); err != nil {
		return err
	}
	return f.button(name)
}

func (f *fakeSession) Release(name string) error {
	if err := f.call("release %s", name); err != nil {
		return err
	}
	return f.button(name)
}

func (f *fakeSession) Drive(name string, v int) error { return f.call("drive %s %d", name, v) }
func (f *fakeSession) Input(line string) error        { return f.call("input %q", line) }
func (f *fakeSession) SetSpeed(speed float64) error {
	f.set(func(st *view.State) { st.Speed = speed })
	return f.call("speed %v", speed)
}
func (f *fakeSession) Pause() error   { return f.call("pause") }
func (f *fakeSession) Resume() error  { return f.call("resume") }
func (f *fakeSession) Step() error    { return f.call("step") }
func (f *fakeSession) Restart() error { return f.call("restart") }
func (f *fakeSession) Where() error   { return f.call("where") }
func (f *fakeSession) takeCalls() (calls []string) {
	f.mu.Lock()
	calls, f.calls = f.calls, nil
	f.mu.Unlock()
	return
}
func (f *fakeSession) set(change func(st *view.State)) { f.mu.Lock(); change(&f.st); f.mu.Unlock() }

// labState is the blink lab's board, paused at 1.25 s.
func labState() view.State {
	ms := time.Millisecond
	return view.State{
		Board: "lab", Run: 1, Time: 1250 * ms, Speed: 1, Paused: true, Running: true,
		Parts: []view.PartState{
			{Name: "red", Kind: "led", Colour: "red", ActiveLow: true, Level: 1, Brightness: 0},
			{Name: "green", Kind: "led", Colour: "green", ActiveLow: true, Level: 0, Brightness: 100},
			{Name: "dimmer", Kind: "pwm-led", Colour: "blue", Width: 7, Level: 42, Brightness: 42},
			{Name: "button", Kind: "button", ActiveLow: true, Level: 1},
			{Name: "pin", Kind: "pin", Level: 0},
		},
		Console: []view.ConsoleLine{
			{Stream: view.System, Text: "started"},
			{Stream: view.Stdout, Text: "0.000 red on"},
			{Stream: view.Stderr, Text: "oops"},
			{Stream: view.Stdin, Text: "typed"},
		},
		Changes: []view.Change{
			{At: 0, Name: "red", Value: 0},
			{At: 0, Name: "green", Value: 0},
			{At: 250 * ms, Name: "green", Value: 1},
			{At: 500 * ms, Name: "green", Value: 0},
			{At: 750 * ms, Name: "green", Value: 1},
			{At: 1000 * ms, Name: "red", Value: 1},
			{At: 1000 * ms, Name: "green", Value: 0},
			{At: 0, Name: "dimmer", Value: 0},
		},
	}
}

func newFake(st view.State) *fakeSession { return &fakeSession{st: st, now: st.Time} }

func newTestModel(t *testing.T, f *fakeSession, w, h int) *model {
	t.Helper()
	m := newModel(f, config{width: w, height: h})
	t.Cleanup(m.unsubscribe)
	return m
}

// screen returns the model's view as plain text lines.
func screen(m *model) []string {
	return strings.Split(ansi.Strip(m.View().Content), "\n")
}

// key makes the message of a key press: a character, or a key's name.
func key(s string) tea.KeyPressMsg {
	switch s {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)
	if len(r) != 1 {
		panic("key " + s)
	}
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

// typeKeys sends each key to the model and returns the last command.
func typeKeys(m *model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = m.Update(key(k))
	}
	return cmd
}

// line returns the first line of the screen that contains s.
func line(t *testing.T, lines []string, s string) string {
	t.Helper()
	for _, l := range lines {
		if strings.Contains(l, s) {
			return l
		}
	}
	t.Fatalf("no line with %q on the screen:\n%s", s, strings.Join(lines, "\n"))
	return ""
}

func TestViewShowsTheBoard(t *testing.T) {
	m := newTestModel(t, newFake(labState()), 80, 24)
	lines := screen(m)
	if len(lines) != 24 {
		t.Errorf("%d lines, want 24:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d is %d wide: %q", i, w, l)
		}
	}
	head := lines[0]
	for _, want := range []string{"board lab", "run 1", "1.250 s", "speed ×1", "paused"} {
		if !strings.Contains(head, want) {
			t.Errorf("header %q lacks %q", head, want)
		}
	}
	for _, want := range []string{"○  red", "●  green", "dimmer 42%", "[1] button up", "[2] pin    0"} {
		line(t, lines, want)
	}
	for _, want := range []string{"# started", "  0.000 red on", "! oops", "> typed", "space pause", "q quit"} {
		line(t, lines, want)
	}
	if strings.Contains(head, "stepping") {
		t.Errorf("header %q says stepping with no step under way", head)
	}
	st := labState()
	st.Stepping = true
	if head := screen(newTestModel(t, newFake(st), 80, 24))[0]; !strings.Contains(head, "paused, stepping") {
		t.Errorf("header %q, with a step under way, lacks %q", head, "paused, stepping")
	}
}

func TestTimingDiagram(t *testing.T) {
	m := newTestModel(t, newFake(labState()), 80, 24)
	lines := screen(m)
	// 50 ms a column; the last column ends at 1.25 s. Green's 250 ms
	// stretches are five columns each; it was lit (level 0) from 0.
	green := line(t, lines, "green")
	wave := strings.TrimRight(green[strings.Index(green, "on")+len("on   "):], " ")
	if want := "▁▁▁▁▁▔▔▔▔▔▁▁▁▁▁▔▔▔▔▔▁▁▁▁▁▁"; wave != want {
		t.Errorf("green's wave is %q, want %q", wave, want)
	}
	red := line(t, lines, "red ")
	if !strings.HasSuffix(strings.TrimRight(red, " "), "off  ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▔▔▔▔▔▔") {
		t.Errorf("red's row is %q", red)
	}
	dimmer := line(t, lines, "dimmer")
	if !strings.HasSuffix(strings.TrimRight(dimmer, " "), "42%  │0────────────────────────") {
		t.Errorf("dimmer's row is %q", dimmer)
	}
	// The axis labels round times under their columns.
	axisLine := lines[slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "╵") })]
	col := ansi.StringWidth(green[:strings.Index(green, "▁")])
	if got := string([]rune(axisLine)[col:]); !strings.HasPrefix(got, "╵0s       ╵0.5s     ╵1s       ╵1.5s") {
		t.Errorf("axis from column %d is %q", col, got)
	}
	// A PWM LED's duty, each value after its edge where it fits.
	f := newFake(labState())
	f.set(func(st *view.State) {
		st.Changes = append(st.Changes,
			view.Change{At: 500 * time.Millisecond, Name: "dimmer", Value: 42},
			view.Change{At: time.Second, Name: "dimmer", Value: 100},
			view.Change{At: 1200 * time.Millisecond, Name: "dimmer", Value: 7})
	})
	dimmer = line(t, screen(newTestModel(t, f, 80, 24)), "dimmer")
	if want := "42%  │0────────│42───────│100│7"; strings.TrimRight(dimmer, " ") != " ●  dimmer "+want {
		t.Errorf("dimmer's row is %q, want it to end %q", dimmer, want)
	}
	// Zooming in shows 20 ms a column.
	typeKeys(m, "[")
	line(t, screen(m), "timing, 20 ms a column")
	typeKeys(m, "]", "]")
	line(t, screen(m), "timing, 100 ms a column")
}

func TestButtonKeysHold(t *testing.T) {
	f := newFake(labState())
	m := newTestModel(t, f, 80, 24)
	typeKeys(m, "1")
	f.set(func(st *view.State) { st.Parts[3].Pressed, st.Parts[3].Level = true, 0 })
	m.Update(updateMsg{})
	line(t, screen(m), "[1] button down")
	typeKeys(m, "1", "2", "2")
	if got, want := f.takeCalls(), []string{"press button", "release button", "drive pin 1", "drive pin 0"}; !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

func TestButtonKeysFollowKeyReleases(t *testing.T) {
	f := newFake(labState())
	m := newTestModel(t, f, 80, 24)
	m.Update(tea.KeyboardEnhancementsMsg{Flags: ansi.KittyReportEventTypes})
	typeKeys(m, "1")
	m.Update(tea.KeyPressMsg{Code: '1', Text: "1", IsRepeat: true})
	m.Update(tea.KeyReleaseMsg{Code: '1', Text: "1"})
	typeKeys(m, "1")
	m.Update(tea.KeyReleaseMsg{Code: '1', Text: "1"})
	if got, want := f.takeCalls(), []string{"press button", "release button", "press button", "release button"}; !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

func TestClockKeys(t *testing.T) {
	f := newFake(labState())
	m := newTestModel(t, f, 80, 24)
	typeKeys(m, "space", ".", "+", "+", "-")
	f.set(func(st *view.State) { st.Paused = false })
	m.Update(updateMsg{})
	typeKeys(m, "space")
	if got, want := f.takeCalls(), []string{"resume", "step", "speed 2", "speed 5", "speed 2", "pause"}; !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	for range 10 {
		typeKeys(m, "-")
	}
	if got := f.takeCalls(); !slices.Equal(got, []string{"speed 1", "speed 0.5", "speed 0.25", "speed 0.1"}) {
		t.Errorf("slowing down: %q", got)
	}
	line(t, screen(m), "speed ×0.1 is the limit")

	cmd := typeKeys(m, "r")
	line(t, screen(m), "restarting")
	if cmd == nil {
		t.Fatal("r gave no command")
	}
	m.Update(cmd())
	if got := f.takeCalls(); !slices.Equal(got, []string{"restart"}) {
		t.Errorf("r: %q", got)
	}
	if slices.ContainsFunc(screen(m), func(l string) bool { return strings.Contains(l, "restarting") }) {
		t.Error("the restart note stays after the restart")
	}
}

func TestCommandErrorsAreShown(t *testing.T) {
	f := newFake(labState())
	m := newTestModel(t, f, 80, 24)
	typeKeys(m, "3")
	line(t, screen(m), "no input on key 3")

	f.set(func(st *view.State) { st.Parts = st.Parts[:3] })
	m.Update(updateMsg{})
	typeKeys(m, "1")
	line(t, screen(m), "no input on key 1")

	f.set(func(st *view.State) { *st = labState() })
	m.Update(updateMsg{})
	f.fail = fmt.Errorf("%w: the program exited", view.ErrNotRunning)
	typeKeys(m, "1")
	line(t, screen(m), "press button: view: the program is not running: the program exited")
	// The next key clears it.
	f.fail = nil
	typeKeys(m, ".")
	if slices.ContainsFunc(screen(m), func(l string) bool { return strings.Contains(l, "not running") }) {
		t.Error("the error stays after a good command")
	}
}

func TestInputLine(t *testing.T) {
	f := newFake(labState())
	m := newTestModel(t, f, 80, 24)
	typeKeys(m, "i", "h", "i", "space", "q", "x", "backspace", "1")
	lines := screen(m)
	line(t, lines, "> hi q1")
	line(t, lines, "Enter send")
	v := m.View()
	if v.Cursor == nil || v.Cursor.X != len("> hi q1") || !strings.HasPrefix(lines[v.Cursor.Y], "> hi q1") {
		t.Errorf("cursor %+v", v.Cursor)
	}
	typeKeys(m, "enter")
	m.Update(tea.PasteMsg{Content: "pasted\nline"})
	typeKeys(m, "enter", "esc", "tab", "esc")
	if m.View().Cursor != nil {
		t.Error("a cursor after Esc")
	}
	if got, want := f.takeCalls(), []string{`input "hi q1"`, `input "pastedline"`}; !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	f.fail = view.ErrClosed
	typeKeys(m, "i", "enter")
	line(t, screen(m), "input: view: session closed")
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		f := newFake(labState())
		m := newTestModel(t, f, 80, 24)
		if k == "ctrl+c" {
			typeKeys(m, "i")
		}
		cmd := typeKeys(m, k)
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s does not quit", k)
		}
		if n := f.subscribers(); n != 0 {
			t.Errorf("%s: %d subscribers left", k, n)
		}
	}
}

func TestUpdatesAreWaitedFor(t *testing.T) {
	f := newFake(labState())
	m := newTestModel(t, f, 80, 24)
	wait := m.wait()
	f.set(func(st *view.State) { st.Time = 2 * time.Second; st.Exit = "exited with status 0"; st.Running = false })
	f.now = 2 * time.Second
	for _, ch := range f.subs {
		for range 3 {
			ch <- view.Update{Type: view.UpdateClock}
		}
	}
	msg := wait()
	if _, ok := msg.(updateMsg); !ok {
		t.Fatalf("wait gave %#v", msg)
	}
	if len(f.subs[0]) != 0 {
		t.Errorf("%d updates left queued after a burst", len(f.subs[0]))
	}
	m.Update(msg)
	head := screen(m)[0]
	if !strings.Contains(head, "2.000 s") || !strings.Contains(head, "exited with status 0") {
		t.Errorf("header %q", head)
	}
	m.unsubscribe()
	if _, ok := m.wait()().(closedMsg); !ok {
		t.Error("no closedMsg once the updates end")
	}
}

func TestWindowSizes(t *testing.T) {
	st := labState()
	for i := range 30 {
		st.Console = append(st.Console, view.ConsoleLine{Stream: view.Stdout, Text: fmt.Sprintf("line %d %s", i, strings.Repeat("x", 200))})
	}
	m := newTestModel(t, newFake(st), 80, 24)
	for _, size := range [][2]int{{120, 40}, {40, 12}, {20, 5}, {1, 1}, {200, 3}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		lines := screen(m)
		if len(lines) > size[1] {
			t.Errorf("%v: %d lines", size, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > size[0] {
				t.Errorf("%v: line %q too wide", size, l)
			}
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	lines := screen(m)
	if len(lines) != 40 {
		t.Errorf("%d lines at 120x40", len(lines))
	}
	line(t, lines, "line 29 xxx")
	if l := line(t, lines, "line 29"); ansi.StringWidth(l) != 120 || !strings.HasSuffix(l, "…") {
		t.Errorf("long console line %q", l)
	}
}

func TestNoPartsYet(t *testing.T) {
	m := newTestModel(t, newFake(view.State{}), 80, 24)
	lines := screen(m)
	line(t, lines, "(no parts yet)")
	line(t, lines, "starting")
	typeKeys(m, "1")
	line(t, screen(m), "no input on key 1")
}

func TestLEDColours(t *testing.T) {
	for _, c := range []struct {
		name       string
		brightness int
		want       string
	}{
		{"red", 100, "#ff2020"},
		{"#123456", 100, "#123456"},
		{"nonsense", 100, "#ffe020"},
		{"white", 0, "#494949"},
	} {
		r, g, b, _ := ledColour(c.name, c.brightness).RGBA()
		if got := fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8); got != c.want {
			t.Errorf("%s at %d%%: %s, want %s", c.name, c.brightness, got, c.want)
		}
	}
}

func TestHistoryStartsFromTheBaseLevels(t *testing.T) {
	f := newFake(labState())
	f.set(func(st *view.State) {
		// The history kept starts at 1 s, where the dimmer went to 100;
		// before that it was at its base level, 42.
		st.Changes = []view.Change{{At: time.Second, Name: "dimmer", Value: 100}}
		st.Base = map[string]int{"dimmer": 42}
	})
	dimmer := line(t, screen(newTestModel(t, f, 80, 24)), "dimmer")
	if !strings.Contains(dimmer, "│42─") || !strings.Contains(dimmer, "│100") {
		t.Errorf("dimmer's row is %q, want 42 until 1 s, then 100", dimmer)
	}
}

func TestOutputPinsHaveNoKey(t *testing.T) {
	f := newFake(labState())
	f.set(func(st *view.State) { st.Parts[4].Output = true })
	lines := screen(newTestModel(t, f, 80, 24))
	if pin := line(t, lines, " pin "); strings.Contains(pin, "[2]") {
		t.Errorf("an output pin has a key: %q", pin)
	}
	if button := line(t, lines, "button"); !strings.Contains(button, "[1]") {
		t.Errorf("the button lost its key: %q", button)
	}
}
