package view

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

// Session is a program running on the virtual board, and what its viewers
// show. Its methods are safe for concurrent use.
type Session struct {
	cfg Config
	ln  net.Listener

	mu      sync.Mutex
	st      State
	base    map[string]int // each part's level before the oldest kept change
	clockAt time.Time      // when st.Time was last heard, for Now
	shown   time.Duration  // the latest time Now returned in this run
	subs    map[*subscriber]struct{}
	closed  bool
	begun   bool // the first run has been started (see Config.WaitForViewer)
	tooMany bool // the run's board has more than wire.MaxParts parts
	// tooManyTasks: the run's board has more than wire.MaxTasks unfinished
	// tasks; the others are not listed.
	tooManyTasks bool
	// greeting holds the connections that have not said hello yet, at
	// most maxGreeting of them; Close closes them.
	greeting map[net.Conn]struct{}

	run *child // the current run, nil after Close
	// starting is the secret of the run being started, "" when none is;
	// started is closed once it is s.run (or failed to start). A board
	// may say hello before startRun has made its run s.run.
	starting string
	started  chan struct{}
	runDone  sync.WaitGroup
}

// child is one run of the program.
type child struct {
	token  string // the run's secret, which its board's Hello must carry
	cmd    *exec.Cmd
	stdin  *os.File      // the write end of its standard input, which has deadlines
	inMu   chan struct{} // holds a token while a line goes to stdin, so lines keep their order
	stdout *output
	stderr *output
	asked  int64 // Steps sent to its board (under Session.mu)

	connMu sync.Mutex
	conn   net.Conn // the board's connection, nil until it connects
	enc    *wire.Encoder
	exited chan struct{} // closed when the program has exited and its output is read
	read   chan struct{} // closed when the board's connection has been read to its end
}

// Start starts cfg.Program and returns its Session. It returns an error if
// the program cannot be started; once started, how the program ends is
// reported in the State and as an UpdateExit.
func Start(cfg Config) (*Session, error) {
	if len(cfg.Program) == 0 {
		return nil, errors.New("view: Config.Program is empty")
	}
	if cfg.Speed == 0 {
		cfg.Speed = 1
	}
	if err := checkSpeed(cfg.Speed); err != nil {
		return nil, fmt.Errorf("view: Config.Speed: %w", err)
	}
	if cfg.History <= 0 {
		cfg.History = 20000
	}
	if cfg.TaskHistory <= 0 {
		cfg.TaskHistory = 5000
	}
	if cfg.ConsoleLines <= 0 {
		cfg.ConsoleLines = 1000
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("view: listening for the board: %w", err)
	}
	s := &Session{cfg: cfg, ln: ln, subs: map[*subscriber]struct{}{}, base: map[string]int{}, greeting: map[net.Conn]struct{}{}}
	s.st.Speed, s.st.Paused = cfg.Speed, cfg.Paused
	s.runDone.Add(1)
	go s.accept()
	if cfg.WaitForViewer {
		s.console(System, "waiting for a viewer: the program starts when one connects")
		return s, nil
	}
	s.begun = true
	if err := s.startRun(); err != nil {
		ln.Close()
		s.runDone.Wait()
		return nil, err
	}
	return s, nil
}

// Begin starts the program if the Session waits for a viewer
// (Config.WaitForViewer) and has not started it yet; a viewer calls it when
// it connects. Otherwise it does nothing. It returns ErrClosed after Close,
// and an error if the program cannot be started.
func (s *Session) Begin() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if s.begun {
		s.mu.Unlock()
		return nil
	}
	s.begun = true
	s.mu.Unlock()
	if err := s.startRun(); err != nil {
		s.console(System, err.Error())
		return err
	}
	return nil
}

// startRun starts a run of the program, with the clock as the Session has
// it. It is called with s.mu not held.
func (s *Session) startRun() error {
	cmd := exec.Command(s.cfg.Program[0], s.cfg.Program[1:]...)
	cmd.Dir = s.cfg.Dir
	cmd.Env = append(os.Environ(), s.cfg.Env...)
	s.mu.Lock()
	speed, paused := s.st.Speed, s.st.Paused
	s.mu.Unlock()
	token := wire.NewToken()
	cmd.Env = append(cmd.Env,
		wire.EnvAddr+"="+wire.FormatAddr(token, s.ln.Addr().String()),
		wire.EnvSpeed+"="+strconv.FormatFloat(speed, 'g', -1, 64),
		wire.EnvPaused+"="+map[bool]string{true: "1", false: "0"}[paused],
	)
	// Our own pipe for its input, so that a write can have a deadline.
	inR, inW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	cmd.Stdin = inR
	// And for its output, so that a finished step can take what it printed
	// (see output).
	stdout, outW, err := newOutput(s, Stdout)
	if err != nil {
		inR.Close()
		inW.Close()
		return fmt.Errorf("view: %w", err)
	}
	stderr, errW, err := newOutput(s, Stderr)
	if err != nil {
		inR.Close()
		inW.Close()
		stdout.close()
		outW.Close()
		return fmt.Errorf("view: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	ownGroup(cmd)
	started := make(chan struct{})
	s.mu.Lock()
	s.starting, s.started = token, started
	s.mu.Unlock()
	err = cmd.Start()
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		inW.Close()
		stdout.close()
		stderr.close()
		s.mu.Lock()
		s.starting = ""
		s.mu.Unlock()
		close(started)
		return fmt.Errorf("view: starting %s: %w", s.cfg.Program[0], err)
	}
	if beforeRun != nil {
		beforeRun()
	}
	c := &child{token: token, cmd: cmd, stdin: inW, inMu: make(chan struct{}, 1), stdout: stdout, stderr: stderr, exited: make(chan struct{}), read: make(chan struct{})}
	s.mu.Lock()
	s.run = c
	s.st.Run++
	s.st.Running, s.st.Exit = true, ""
	s.st.Parts, s.st.Changes, s.st.Time, s.st.Board = nil, nil, 0, ""
	s.st.Steps, s.st.Stepping = 0, false
	s.st.Tasks, s.st.TaskChanges, s.tooManyTasks = nil, nil, false
	s.base, s.clockAt, s.tooMany, s.shown = map[string]int{}, time.Time{}, false, 0
	s.publish(Update{Type: UpdateReset})
	s.consoleLocked(System, "started "+strings.Join(s.cfg.Program, " "))
	s.starting = ""
	close(started)
	s.mu.Unlock()
	go stdout.read()
	go stderr.read()
	s.runDone.Add(1)
	go s.wait(c)
	return nil
}

// beforeRun, if set (by tests), runs after a run's program has started and
// before the Session makes it its run.
var beforeRun func()

// outputDelay is how long a run's output may stay open after the program
// has exited (held by a process it started) before the Session stops
// reading it.
const outputDelay = 2 * time.Second

// maxConsoleLine is the longest console line; a longer one is cut into
// lines of this length.
const maxConsoleLine = 64 << 10

// lineWriter turns a run's output into console lines.
type lineWriter struct {
	s      *Session
	stream string
	buf    []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf = append(w.buf, p...)
			for len(w.buf) >= maxConsoleLine {
				w.s.console(w.stream, string(w.buf[:maxConsoleLine]))
				w.buf = append(w.buf[:0], w.buf[maxConsoleLine:]...)
			}
			break
		}
		w.buf = append(w.buf, p[:i]...)
		w.s.console(w.stream, strings.TrimSuffix(string(w.buf), "\r"))
		w.buf = w.buf[:0]
		p = p[i+1:]
	}
	return n, nil
}

// flush adds what is left of a last line without a newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.s.console(w.stream, string(w.buf))
		w.buf = nil
	}
}

// wait waits for the run's end, its output read into the console, and
// reports it.
func (s *Session) wait(c *child) {
	defer s.runDone.Done()
	err := c.cmd.Wait()
	c.stdin.Close()
	// Its output to the end, unless a process it started keeps it open:
	// that does not keep the run from ending.
	held := time.After(outputDelay)
	for _, o := range []*output{c.stdout, c.stderr} {
		select {
		case <-o.done:
		case <-held:
			s.console(System, "the program's output was still open after it exited (a process it started?); no longer reading it")
			c.stdout.close()
			c.stderr.close()
			<-o.done
		}
	}
	c.stdout.close()
	c.stderr.close()
	// What the board sent before the program ended comes before its end:
	// read the connection to its end, unless something else keeps it open.
	c.connMu.Lock()
	conn := c.conn
	c.connMu.Unlock()
	if conn != nil {
		select {
		case <-c.read:
		case <-time.After(2 * time.Second):
			conn.Close()
			<-c.read
		}
	}
	how := "exited with status 0"
	if err != nil {
		how = err.Error()
		if ee, ok := err.(*exec.ExitError); ok && ee.Exited() {
			how = fmt.Sprintf("exited with status %d", ee.ExitCode())
		}
	}
	s.mu.Lock()
	if s.run == c {
		s.st.Running, s.st.Exit = false, how
		s.publishClock() // a step under way ends with the run
		s.consoleLocked(System, "program "+how)
		s.publish(Update{Type: UpdateExit, Text: how})
	}
	s.mu.Unlock()
	close(c.exited)
}

// helloTimeout is how long a connection to the Session's listener has to
// prove, with its first line, that it is the board of the current run.
const helloTimeout = 5 * time.Second

// maxGreeting is how many connections may wait to say hello at once; more
// are closed at once.
const maxGreeting = 8

// accept takes the board's connection of each run.
func (s *Session) accept() {
	defer s.runDone.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		if s.closed || len(s.greeting) >= maxGreeting {
			s.mu.Unlock()
			conn.Close()
			continue
		}
		s.greeting[conn] = struct{}{}
		s.mu.Unlock()
		s.runDone.Add(1)
		go s.greet(conn)
	}
}

// greet takes conn as the current run's board if its first line, within
// helloTimeout, is a Hello with the run's secret; it closes any other
// connection, and says so in the console.
func (s *Session) greet(conn net.Conn) {
	defer s.runDone.Done()
	refuse := func(why string) {
		conn.Close()
		s.console(System, fmt.Sprintf("refused a connection to the board's port from %v: %s", conn.RemoteAddr(), why))
	}
	conn.SetReadDeadline(time.Now().Add(helloTimeout))
	dec := wire.NewDecoder(conn)
	m, err := dec.Decode()
	s.mu.Lock()
	delete(s.greeting, conn)
	closed := s.closed
	s.mu.Unlock()
	if closed {
		conn.Close()
		return
	}
	if err != nil {
		refuse("it did not say hello with the run's secret: " + err.Error())
		return
	}
	s.mu.Lock()
	c := s.run
	if s.starting != "" && wire.TokenMatches(m.Token, s.starting) {
		// The board of the run being started was quicker than startRun.
		started := s.started
		s.mu.Unlock()
		<-started
		s.mu.Lock()
		c = s.run
	}
	s.mu.Unlock()
	switch {
	case c == nil:
		conn.Close()
		return
	case m.Type != wire.Hello:
		refuse(fmt.Sprintf("its first message is %q, not a hello with the run's secret", m.Type))
		return
	case !wire.TokenMatches(m.Token, c.token):
		refuse("wrong secret")
		return
	}
	conn.SetReadDeadline(time.Time{})
	c.connMu.Lock()
	if c.conn != nil {
		c.connMu.Unlock()
		refuse("the run's board is already connected")
		return
	}
	c.conn, c.enc = conn, wire.NewEncoder(conn)
	c.connMu.Unlock()
	s.apply(c, m)
	s.read(c, conn, dec)
}

// read applies what the board says.
func (s *Session) read(c *child, conn net.Conn, dec *wire.Decoder) {
	defer close(c.read)
	defer conn.Close()
	for {
		m, err := dec.Decode()
		if errors.Is(err, wire.ErrMalformed) {
			s.console(System, "from the board: "+err.Error())
			continue
		}
		if err != nil {
			return
		}
		s.mu.Lock()
		current := s.run == c
		s.mu.Unlock()
		if !current {
			return
		}
		s.apply(c, m)
	}
}

// apply applies a message of run c's board.
func (s *Session) apply(c *child, m wire.Message) {
	switch m.Type {
	case wire.Hello:
		s.mu.Lock()
		s.st.Board = m.Board
		s.publish(Update{Type: UpdateReset})
		s.mu.Unlock()
	case wire.Part:
		p := PartState{Name: m.Name, Kind: m.Kind, Colour: m.Colour, ActiveLow: m.ActiveLow, Output: m.Output, Width: m.Width, Height: m.Height}
		p.setLevel(m.Value)
		s.mu.Lock()
		i := s.part(m.Name)
		if i >= 0 && p.Kind == partkind.SSD1306 {
			p.Pixels = s.st.Parts[i].Pixels // a new description keeps the picture
		}
		if i >= 0 && p.Kind == partkind.WS2812 {
			p.Colours = s.st.Parts[i].Colours // and the colours
		}
		if i < 0 && len(s.st.Parts) >= wire.MaxParts {
			if !s.tooMany {
				s.tooMany = true
				s.consoleLocked(System, fmt.Sprintf("from the board: more than %d parts; the others are not shown", wire.MaxParts))
			}
			s.mu.Unlock()
			return
		}
		if i < 0 {
			s.st.Parts = append(s.st.Parts, p)
			s.base[m.Name] = m.Value // a part added late is drawn as if it had been there
		} else {
			s.st.Parts[i] = p
		}
		s.publish(Update{Type: UpdatePart, Part: p})
		s.mu.Unlock()
	case wire.Level:
		ch := Change{At: m.Time(), Name: m.Name, Value: m.Value}
		s.mu.Lock()
		i := s.part(m.Name)
		if i < 0 {
			s.mu.Unlock()
			s.console(System, fmt.Sprintf("from the board: a level of unknown part %q", m.Name))
			return
		}
		s.st.Parts[i].setLevel(m.Value)
		p := s.st.Parts[i]
		s.st.Changes = append(s.st.Changes, ch)
		if n := len(s.st.Changes) - s.cfg.History; n > 0 {
			for _, old := range s.st.Changes[:n] {
				s.base[old.Name] = old.Value
			}
			s.st.Changes = s.st.Changes[n:] // see consoleLocked
		}
		if ch.At > s.st.Time {
			s.st.Time, s.clockAt = ch.At, time.Now()
		}
		s.publish(Update{Type: UpdateLevel, Part: p, Change: ch})
		s.mu.Unlock()
	case wire.Clock:
		s.mu.Lock()
		more := m.Steps > s.st.Steps
		s.mu.Unlock()
		if more {
			// The program wrote what its steps printed before it said they
			// had finished: into the console with it, before the clock.
			c.stdout.drain()
			c.stderr.drain()
		}
		s.mu.Lock()
		s.st.Time, s.clockAt = m.Time(), time.Now()
		s.st.Speed, s.st.Paused = m.Speed, m.Paused
		s.st.Steps = max(s.st.Steps, m.Steps)
		s.publishClock()
		s.mu.Unlock()
	case wire.Frame:
		s.mu.Lock()
		i := s.part(m.Name)
		if i < 0 {
			s.mu.Unlock()
			s.console(System, fmt.Sprintf("from the board: a frame of unknown part %q", m.Name))
			return
		}
		s.st.Parts[i].Pixels, s.st.Parts[i].Width, s.st.Parts[i].Height = m.Data, m.Width, m.Height
		s.publish(Update{Type: UpdatePart, Part: s.st.Parts[i]})
		s.mu.Unlock()
	case wire.Colours:
		s.colours(m)
	case wire.Task:
		s.task(m)
	case wire.Error:
		s.console(System, "the board refused: "+m.Text)
	default:
		s.console(System, fmt.Sprintf("from the board: unexpected %q", m.Type))
	}
}

// colours applies an LED strip's colours.
func (s *Session) colours(m wire.Message) {
	px, _ := m.Pixels() // Check has decoded them
	cs := make([]string, 0, len(px)/3)
	for i := 0; i+2 < len(px); i += 3 {
		cs = append(cs, fmt.Sprintf("#%02x%02x%02x", px[i], px[i+1], px[i+2]))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.part(m.Name)
	if i < 0 {
		s.consoleLocked(System, fmt.Sprintf("from the board: colours of unknown part %q", m.Name))
		return
	}
	s.st.Parts[i].Colours, s.st.Parts[i].Width = cs, m.Width
	s.publish(Update{Type: UpdatePart, Part: s.st.Parts[i]})
}

// task applies a change of a task's state.
func (s *Session) task(m wire.Message) {
	ch := TaskChange{At: m.Time(), ID: m.ID, State: m.State, Text: m.Text, Wall: time.Duration(m.Wall)}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := -1
	for k := range s.st.Tasks {
		if s.st.Tasks[k].ID == m.ID {
			i = k
			break
		}
	}
	if i < 0 {
		if m.State == wire.TaskDone {
			return // finished before it was listed
		}
		if len(s.st.Tasks) >= wire.MaxTasks {
			// Forget the task that finished first, if any.
			k := slices.IndexFunc(s.st.Tasks, func(t TaskState) bool { return t.State == wire.TaskDone })
			if k < 0 {
				if !s.tooManyTasks {
					s.tooManyTasks = true
					s.consoleLocked(System, fmt.Sprintf("from the board: more than %d tasks; the others are not listed", wire.MaxTasks))
				}
				return
			}
			s.st.Tasks = slices.Delete(s.st.Tasks, k, k+1)
		}
		s.st.Tasks = append(s.st.Tasks, TaskState{ID: m.ID})
		i = len(s.st.Tasks) - 1
	}
	t := &s.st.Tasks[i]
	if m.Where != "" && t.State == m.State && t.Text == m.Text {
		// The answer to a Where: the task is where it was.
		t.Where = m.Where
		ts := *t
		s.publish(Update{Type: UpdateTask, Task: &ts})
		return
	}
	t.Where = m.Where
	if t.State == wire.TaskRunning && m.State != wire.TaskRunning {
		t.Longest = max(t.Longest, ch.Wall)
	}
	if m.State == wire.TaskRunning && t.State != wire.TaskRunning {
		t.Runs++
	}
	if t.State != m.State || t.Text != m.Text {
		t.Since = ch.At
	}
	t.Name, t.State, t.Text = m.Name, m.State, m.Text
	s.st.TaskChanges = append(s.st.TaskChanges, ch)
	if n := len(s.st.TaskChanges) - s.cfg.TaskHistory; n > 0 {
		// A quarter at a time, so that a busy board does not copy the
		// history at each change.
		n = max(n, s.cfg.TaskHistory/4)
		s.st.TaskChanges = append([]TaskChange(nil), s.st.TaskChanges[n:]...)
	}
	if ch.At > s.st.Time {
		s.st.Time, s.clockAt = ch.At, time.Now()
	}
	ts := *t
	s.publish(Update{Type: UpdateTask, Task: &ts, TaskChange: &ch})
}

// part returns the index of the part named name, or -1; s.mu is held.
func (s *Session) part(name string) int {
	for i := range s.st.Parts {
		if s.st.Parts[i].Name == name {
			return i
		}
	}
	return -1
}

func (p *PartState) setLevel(v int) {
	p.Level = v
	switch p.Kind {
	case partkind.LED:
		if (v != 0) != p.ActiveLow {
			p.Brightness = 100
		} else {
			p.Brightness = 0
		}
	case partkind.PWMLED:
		p.Brightness = v
		if p.ActiveLow {
			p.Brightness = 100 - v
		}
	case partkind.Button:
		p.Pressed = (v == 0) == p.ActiveLow
	}
}

// console adds a line to the console.
func (s *Session) console(stream, text string) {
	s.mu.Lock()
	s.consoleLocked(stream, text)
	s.mu.Unlock()
}

func (s *Session) consoleLocked(stream, text string) {
	l := ConsoleLine{Stream: stream, Text: text}
	s.st.Console = append(s.st.Console, l)
	if n := len(s.st.Console) - s.cfg.ConsoleLines; n > 0 {
		// Sliced, not copied: the next append that finds no room copies
		// the kept lines into an array twice their number, so a program
		// that prints without pause costs a copied line per line, not
		// the whole console per line.
		s.st.Console = s.st.Console[n:]
	}
	s.publish(Update{Type: UpdateConsole, Console: l})
}

// State returns a copy of what viewers show.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Parts = append([]PartState{}, st.Parts...)
	st.Console = append([]ConsoleLine{}, st.Console...)
	st.Changes = append([]Change{}, st.Changes...)
	st.Tasks = append([]TaskState{}, st.Tasks...)
	st.TaskChanges = append([]TaskChange{}, st.TaskChanges...)
	st.Base = make(map[string]int, len(s.base))
	for k, v := range s.base {
		st.Base[k] = v
	}
	return st
}

// Now returns the program's clock for display: the time last heard, moved
// on by the real time since at the clock's speed, unless it is paused or
// the program has ended. It runs ahead of the program's clock by at most a
// quarter of a second of real time, the longest the board is silent while
// its clock runs, and it never goes backwards while the program runs: when
// the clock pauses behind what was shown, Now stays where it was until the
// clock passes it. Once the program has ended, Now is its clock's last time.
func (s *Session) Now() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.st.Time
	if !s.st.Running {
		return now // the run's end, exactly
	}
	if !s.st.Paused && !s.clockAt.IsZero() {
		since := min(time.Since(s.clockAt), 250*time.Millisecond)
		now += time.Duration(float64(since) * s.st.Speed)
	}
	// The estimate may have run ahead of the clock the board then reports
	// (when it pauses, say): what was shown stands, and time never goes
	// backwards while the program runs.
	now = max(now, s.shown)
	s.shown = now
	return now
}
