package view

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

// send sends m to the current run's board. It returns ErrClosed after
// Close, and ErrNotRunning if the program has ended or its board has not
// connected yet.
func (s *Session) send(m wire.Message) error {
	s.mu.Lock()
	c, closed := s.run, s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return c.send(m)
}

// send sends m to run c's board, if c runs and its board has connected.
func (c *child) send(m wire.Message) error {
	if c == nil {
		return ErrNotRunning
	}
	select {
	case <-c.exited:
		return fmt.Errorf("%w: it has ended", ErrNotRunning)
	default:
	}
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if c.enc == nil {
		return fmt.Errorf("%w: its board has not connected", ErrNotRunning)
	}
	if err := c.enc.Encode(m); err != nil {
		return fmt.Errorf("%w: %v", ErrNotRunning, err)
	}
	return nil
}

// input checks that name is a part of one of the kinds and sends m.
func (s *Session) input(m wire.Message, kinds ...string) error {
	s.mu.Lock()
	i := s.part(m.Name)
	var kind string
	var output bool
	if i >= 0 {
		kind, output = s.st.Parts[i].Kind, s.st.Parts[i].Output
	}
	s.mu.Unlock()
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrNoPart, m.Name)
	}
	if output {
		return fmt.Errorf("%w: pin %q is an output", ErrNotInput, m.Name)
	}
	for _, k := range kinds {
		if kind == k {
			return s.send(m)
		}
	}
	return fmt.Errorf("%w: %q is a %s", ErrNotInput, m.Name, kind)
}

// Press presses the button named name, until Release.
func (s *Session) Press(name string) error {
	return s.input(wire.Message{Type: wire.Press, Name: name}, partkind.Button)
}

// Release releases the button named name.
func (s *Session) Release(name string) error {
	return s.input(wire.Message{Type: wire.Release, Name: name}, partkind.Button)
}

// Drive drives the input pin named name low (0) or high (1).
func (s *Session) Drive(name string, v int) error {
	if v != 0 && v != 1 {
		return fmt.Errorf("view: Drive %q: level %d, want 0 or 1", name, v)
	}
	return s.input(wire.Message{Type: wire.Drive, Name: name, Value: v}, partkind.Pin)
}

// Set turns the potentiometer named name to v (0 to 65535), or sets a
// sensor's reading: field "temperature" (m°C), "humidity" (hundredths of a
// percent) or "pressure" (Pa). The board refuses a value out of range.
func (s *Session) Set(name, field string, v int) error {
	return s.input(wire.Message{Type: wire.Set, Name: name, Field: field, Value: v}, partkind.Potentiometer, partkind.BME280)
}

// inputTimeout is how long Input waits for the program to take a line.
const inputTimeout = 2 * time.Second

// Input writes line, and a newline, to the program's standard input, and
// shows it in the console. If the program does not take it within two
// seconds (it does not read its input, and the pipe is full), Input gives
// up with an error matching ErrInputFull; what was not written is dropped.
func (s *Session) Input(line string) error {
	s.mu.Lock()
	c, closed := s.run, s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if c == nil {
		return fmt.Errorf("%w: it has not started", ErrNotRunning)
	}
	select {
	case <-c.exited:
		return fmt.Errorf("%w: it has ended", ErrNotRunning)
	default:
	}
	deadline := time.Now().Add(inputTimeout)
	t := time.NewTimer(inputTimeout)
	defer t.Stop()
	select {
	case c.inMu <- struct{}{}:
	case <-t.C:
		return fmt.Errorf("%w: earlier lines are still waiting", ErrInputFull)
	case <-c.exited:
		return fmt.Errorf("%w: it has ended", ErrNotRunning)
	}
	c.stdin.SetWriteDeadline(deadline)
	_, err := io.WriteString(c.stdin, line+"\n")
	<-c.inMu
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w: it has not read its input for %v", ErrInputFull, inputTimeout)
	}
	if err != nil {
		return fmt.Errorf("%w: writing to its input: %v", ErrNotRunning, err)
	}
	s.console(Stdin, line)
	return nil
}

// SetSpeed sets the clock's speed, 1 for real time. It returns an error
// matching asyncio.ErrBadSpeed for a speed outside wire.MinSpeed to
// wire.MaxSpeed (a thousandth to a thousand times real time).
func (s *Session) SetSpeed(speed float64) error {
	if err := checkSpeed(speed); err != nil {
		return err
	}
	return s.pace(wire.Message{Type: wire.Speed, Speed: speed}, func(st *State) { st.Speed = speed })
}

// checkSpeed returns an error matching asyncio.ErrBadSpeed for a speed
// outside wire.MinSpeed to wire.MaxSpeed.
func checkSpeed(speed float64) error {
	if !(speed >= wire.MinSpeed && speed <= wire.MaxSpeed) {
		return fmt.Errorf("%w: speed %v, want %v to %v", asyncio.ErrBadSpeed, speed, wire.MinSpeed, wire.MaxSpeed)
	}
	return nil
}

// Pause stops the program's clock.
func (s *Session) Pause() error {
	return s.pace(wire.Message{Type: wire.Pause}, func(st *State) { st.Paused = true })
}

// Resume lets a paused clock run again.
func (s *Session) Resume() error {
	return s.pace(wire.Message{Type: wire.Resume}, func(st *State) { st.Paused = false })
}

// Step lets a paused clock run to the next change of a part's level: the
// clock jumps from deadline to deadline, running what is due at each, and
// pauses again after the deadline at which a level changed (or after
// wire.MaxStepSpan of the clock's time with no change). On a running clock
// it does nothing. Step returns once the step is asked for; the State says
// Stepping until the board has finished it, and then has what the step
// changed and printed (State.Steps). A step finishes when the program's
// loop comes to rest: tasks that keep it busy without sleeping (polling
// with Sleep(0)) hold it off until Resume. It returns ErrClosed after
// Close and an error matching ErrNotRunning if the program is not running.
func (s *Session) Step() error {
	s.mu.Lock()
	c, closed := s.run, s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if err := c.send(wire.Message{Type: wire.Step}); err != nil {
		return err
	}
	s.mu.Lock()
	if s.run == c {
		c.asked++
		s.publishClock()
	}
	s.mu.Unlock()
	return nil
}

// Where asks the board for each live task's await point, the function and
// file:line it paused at: the tasks' Where in the State, and an UpdateTask
// each, when the answer comes. It returns ErrNotRunning if the program
// does not run.
func (s *Session) Where() error { return s.send(wire.Message{Type: wire.Where}) }

// pace records a change of the clock's pace, which later runs keep, and
// sends it to the board if the program runs.
func (s *Session) pace(m wire.Message, apply func(*State)) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if apply != nil {
		apply(&s.st)
	}
	s.publishClock()
	running := s.st.Running
	s.mu.Unlock()
	if !running {
		return nil // the next run starts with it
	}
	return s.send(m)
}

// publishClock tells the subscribers of the clock as the State has it, with
// Stepping worked out afresh: the run goes on and its board has not
// finished every Step sent to it. s.mu is held.
func (s *Session) publishClock() {
	s.st.Stepping = s.st.Running && s.run != nil && s.run.asked > s.st.Steps
	s.publish(Update{Type: UpdateClock, Time: s.st.Time, Speed: s.st.Speed, Paused: s.st.Paused, Steps: s.st.Steps, Stepping: s.st.Stepping})
}

// Restart stops the program, if it runs, and starts it again; the clock
// keeps its speed and pause. Viewers get an UpdateReset.
func (s *Session) Restart() error {
	s.mu.Lock()
	c, closed := s.run, s.closed
	s.begun = true
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	stop(c)
	if err := s.startRun(); err != nil {
		s.console(System, err.Error())
		return err
	}
	return nil
}

// stop kills a run, and every process it started that stayed in its
// process group, and waits until it has exited.
func stop(c *child) {
	if c == nil {
		return
	}
	select {
	case <-c.exited:
		return
	default:
	}
	kill(c.cmd)
	<-c.exited
}

// WriteVCD writes the level history as a Value Change Dump: one signal per
// part, from the oldest change kept to the clock's time now.
func (s *Session) WriteVCD(w io.Writer) error {
	s.mu.Lock()
	wf := &wave.Waveform{Scope: s.st.Board, End: s.st.Time}
	if wf.Scope == "" {
		wf.Scope = "board"
	}
	for _, p := range s.st.Parts {
		sig := wave.Signal{Name: p.Name, Kind: wave.Bit, Init: s.base[p.Name]}
		if p.Width > 0 {
			sig.Kind, sig.Width = wave.Vector, p.Width
		}
		wf.Signals = append(wf.Signals, sig)
	}
	for _, c := range s.st.Changes {
		wf.Changes = append(wf.Changes, wave.Change{At: c.At, Signal: c.Name, Value: c.Value})
	}
	s.mu.Unlock()
	return wf.WriteVCD(w)
}

// Close stops the program and the Session: subscribers' channels are
// closed, and commands return ErrClosed. Closing a closed Session does
// nothing.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	c := s.run
	for conn := range s.greeting {
		conn.Close() // ends its greet
	}
	s.mu.Unlock()
	stop(c)
	s.ln.Close()
	s.runDone.Wait()
	s.mu.Lock()
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()
	for sub := range subs {
		sub.close()
	}
	return nil
}
