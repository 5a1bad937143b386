package tui

import (
	"errors"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/goasyncio/asyncio/view"
)

// speeds are the clock speeds that + and - step through.
var speeds = []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 100}

// scales are the timing diagram's times per column that [ and ] step
// through.
var scales = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second,
}

const (
	defaultScale  = 5 // 50 ms a column
	defaultFrame  = 50 * time.Millisecond
	defaultWidth  = 80
	defaultHeight = 24
	updateBuffer  = 256
	// minRefresh is the least time between two copies of the Session's
	// state: a fast program's burst of changes is drawn once.
	minRefresh = 30 * time.Millisecond
	maxInput   = 4096 // runes in the input line
)

// Messages of the model's own.
type (
	// updateMsg says the Session changed; State has it all.
	updateMsg struct{}
	// closedMsg says the Session's updates ended: it was closed.
	closedMsg struct{}
	// frameMsg redraws the timing diagram while the clock runs.
	frameMsg struct{ gen int }
	// doneMsg carries the result of a command that ran in the background.
	doneMsg struct {
		what string
		err  error
	}
)

// model is the Bubble Tea model of the board.
type model struct {
	s       session
	updates <-chan view.Update
	cancel  func()
	once    sync.Once

	st        view.State
	changes   map[string][]view.Change // st.Changes by part, oldest first
	lanes     map[int64]*taskLane      // st.TaskChanges by task (tasks.go)
	refreshed time.Time                // when st was copied

	width, height int
	framing       bool // a frameMsg is on its way
	frameGen      int
	scale         int // index in scales

	typing bool   // keys go to the input line
	input  []rune // the input line
	status string // the last command's error, or a note
	isErr  bool

	momentary bool            // the terminal reports key releases
	held      map[string]bool // buttons this view holds down
	driven    map[string]int  // levels this view drives input pins to
	run       int             // st.Run when held and driven were set
	quitting  bool
}

func newModel(s session, c config) *model {
	m := &model{
		s:      s,
		width:  defaultWidth,
		height: defaultHeight,
		scale:  defaultScale,
		held:   map[string]bool{},
		driven: map[string]int{},
	}
	if c.width > 0 && c.height > 0 {
		m.width, m.height = c.width, c.height
	}
	m.updates, m.cancel = s.Subscribe(updateBuffer)
	m.refresh()
	return m
}

// unsubscribe stops the Session's updates; the goroutine waiting for the
// next one then ends.
func (m *model) unsubscribe() { m.once.Do(m.cancel) }

// Init starts waiting for the Session's updates and, if the clock runs,
// the frames that scroll the diagram.
func (m *model) Init() tea.Cmd {
	return tea.Batch(m.wait(), m.startFrames())
}

// wait returns a command that waits for the next update, no sooner than
// minRefresh after the last copy of the state, and then takes every other
// one already queued, so that a burst is drawn once.
func (m *model) wait() tea.Cmd {
	ch := m.updates
	next := m.refreshed.Add(minRefresh)
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return closedMsg{}
		}
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return closedMsg{}
				}
			default:
				return updateMsg{}
			}
		}
	}
}

// refresh takes a fresh copy of the Session's state.
func (m *model) refresh() {
	m.st = m.s.State()
	m.refreshed = time.Now()
	m.changes = make(map[string][]view.Change, len(m.st.Parts))
	for _, c := range m.st.Changes {
		m.changes[c.Name] = append(m.changes[c.Name], c)
	}
	m.indexTasks()
	if m.st.Run != m.run {
		// A new run starts with every button up and no pin driven.
		m.run = m.st.Run
		clear(m.held)
		clear(m.driven)
	}
}

// animating reports whether the clock moves on its own.
func (m *model) animating() bool { return m.st.Running && !m.st.Paused }

// startFrames returns the command for the next frame if the clock runs and
// none is on its way.
func (m *model) startFrames() tea.Cmd {
	if !m.animating() || m.framing {
		return nil
	}
	m.framing = true
	m.frameGen++
	gen := m.frameGen
	return tea.Tick(defaultFrame, func(time.Time) tea.Msg { return frameMsg{gen} })
}

// Update handles a message.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if msg.Width > 0 && msg.Height > 0 {
			m.width, m.height = msg.Width, msg.Height
		}
	case updateMsg:
		if m.quitting {
			return m, nil
		}
		m.refresh()
		return m, tea.Batch(m.wait(), m.startFrames())
	case closedMsg:
		m.quitting = true
		return m, tea.Quit
	case frameMsg:
		if msg.gen != m.frameGen {
			return m, nil
		}
		m.framing = false
		return m, m.startFrames()
	case doneMsg:
		m.report(msg.what, msg.err)
	case tea.KeyboardEnhancementsMsg:
		m.momentary = msg.SupportsEventTypes()
	case tea.PasteMsg:
		if m.typing {
			m.typeText(msg.Content)
		}
	case tea.KeyPressMsg:
		return m, m.key(tea.Key(msg))
	case tea.KeyReleaseMsg:
		if m.momentary && !m.typing {
			m.releaseKey(tea.Key(msg))
		}
	}
	return m, nil
}

// quit stops the updates and ends the program.
func (m *model) quit() tea.Cmd {
	m.quitting = true
	m.unsubscribe()
	return tea.Quit
}

// key handles a key press.
func (m *model) key(k tea.Key) tea.Cmd {
	if k.String() == "ctrl+c" {
		return m.quit()
	}
	if m.typing {
		m.typeKey(k)
		return nil
	}
	if k.IsRepeat {
		return nil
	}
	m.status, m.isErr = "", false
	switch k.String() {
	case "q":
		return m.quit()
	case "space":
		if m.st.Paused {
			m.report("resume", m.s.Resume())
		} else {
			m.report("pause", m.s.Pause())
		}
	case ".":
		m.report("step", m.s.Step())
	case "+", "=":
		m.setSpeed(+1)
	case "-", "_":
		m.setSpeed(-1)
	case "[":
		m.scale = max(m.scale-1, 0)
	case "]":
		m.scale = min(m.scale+1, len(scales)-1)
	case "r":
		m.status = "restarting…"
		s := m.s
		return func() tea.Msg { return doneMsg{"restart", s.Restart()} }
	case "w":
		m.report("where", m.s.Where())
	case "i", "tab":
		m.typing = true
	default:
		if n := digit(k); n > 0 {
			m.pressKey(n)
		} else {
			m.turn(k.String())
		}
	}
	return m.startFrames()
}

// digit returns n for the key of digit n from 1 to 9, else 0.
func digit(k tea.Key) int {
	if k.Mod != 0 || len(k.Text) != 1 || k.Text[0] < '1' || k.Text[0] > '9' {
		return 0
	}
	return int(k.Text[0] - '0')
}

// inputs returns the parts that keys work: buttons, then input pins, each
// in the order the program added them.
func (m *model) inputs() []view.PartState {
	var in []view.PartState
	for _, kind := range []string{"button", "pin"} {
		for _, p := range m.st.Parts {
			if p.Kind == kind && !p.Output {
				in = append(in, p)
			}
		}
	}
	return in
}

// keyOf returns the key that works part p, or 0 if none does.
func (m *model) keyOf(name string) int {
	for i, p := range m.inputs() {
		if p.Name == name && i < 9 {
			return i + 1
		}
	}
	return 0
}

// pressKey handles the key of the n-th input: a button is pressed or
// released, a pin driven to the other level.
func (m *model) pressKey(n int) {
	in := m.inputs()
	if n > len(in) {
		m.report("key", errors.New("no input on key "+string(rune('0'+n))))
		return
	}
	p := in[n-1]
	switch p.Kind {
	case "button":
		if m.held[p.Name] && !m.momentary {
			m.release(p.Name)
			return
		}
		err := m.s.Press(p.Name)
		m.report("press "+p.Name, err)
		if err == nil {
			m.held[p.Name] = true
		}
	default:
		level, ok := m.driven[p.Name]
		if !ok {
			level = p.Level
		}
		level = 1 - level
		err := m.s.Drive(p.Name, level)
		m.report("drive "+p.Name, err)
		if err == nil {
			m.driven[p.Name] = level
		}
	}
}

// release releases a button this view holds down.
func (m *model) release(name string) {
	err := m.s.Release(name)
	m.report("release "+name, err)
	if err == nil || !m.st.Running {
		delete(m.held, name)
	}
}

// releaseKey handles the release of a key, which terminals that report
// releases send: the button of that key goes up.
func (m *model) releaseKey(k tea.Key) {
	n := digit(k)
	in := m.inputs()
	if n == 0 || n > len(in) || in[n-1].Kind != "button" {
		return
	}
	if name := in[n-1].Name; m.held[name] {
		m.release(name)
	}
}

// setSpeed moves the clock's speed one step up (dir > 0) or down.
func (m *model) setSpeed(dir int) {
	cur := m.st.Speed
	if cur <= 0 {
		cur = 1
	}
	next := cur
	if dir > 0 {
		for _, s := range speeds {
			if s > cur*1.0001 {
				next = s
				break
			}
		}
	} else {
		for i := len(speeds) - 1; i >= 0; i-- {
			if speeds[i] < cur*0.9999 {
				next = speeds[i]
				break
			}
		}
	}
	if next == cur {
		m.status = "speed " + formatSpeed(cur) + " is the limit"
		return
	}
	if err := m.s.SetSpeed(next); err != nil {
		m.report("speed", err)
		return
	}
	m.st.Speed = next // until the Session's update confirms it
}

// report shows err on the status line, or clears the line.
func (m *model) report(what string, err error) {
	if err == nil {
		if what == "restart" {
			m.status, m.isErr = "", false
		}
		return
	}
	m.status, m.isErr = what+": "+err.Error(), true
}

// typeKey handles a key while the input line has the keys.
func (m *model) typeKey(k tea.Key) {
	switch k.String() {
	case "esc":
		m.typing = false
	case "enter":
		line := string(m.input)
		m.input = m.input[:0]
		m.status, m.isErr = "", false
		m.report("input", m.s.Input(line))
	case "backspace", "ctrl+h":
		if len(m.input) > 0 {
			m.input = m.input[:len(m.input)-1]
		}
	case "ctrl+u":
		m.input = m.input[:0]
	case "ctrl+w":
		s := strings.TrimRight(string(m.input), " ")
		if i := strings.LastIndexByte(s, ' '); i >= 0 {
			m.input = []rune(s[:i+1])
		} else {
			m.input = m.input[:0]
		}
	case "space":
		m.typeText(" ")
	default:
		if k.Text != "" && k.Mod&^tea.ModShift == 0 {
			m.typeText(k.Text)
		}
	}
}

// typeText adds text to the input line, without its line breaks and
// control characters.
func (m *model) typeText(s string) {
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			continue
		}
		if len(m.input) >= maxInput {
			return
		}
		m.input = append(m.input, r)
	}
}
