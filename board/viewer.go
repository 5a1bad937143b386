//go:build !tinygo

package board

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board/wave"
	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

// clockEvery is how often a running clock's time goes to the viewer.
const clockEvery = 50 * time.Millisecond

// maxQueue is how many messages may queue for a slow viewer (the writer
// holds one more batch of at most as many); tests make it
// smaller, with viewerSendBuffer, to fall behind quickly.
var (
	maxQueue         = 1 << 16
	viewerSendBuffer = 0 // the socket's send buffer; 0 leaves the system's
)

// viewerTaken is set once a board of the process is shown on a viewer, or
// has tried the viewer ASYNCIO_BOARD_VIEW names: a viewer shows one board.
var (
	viewerMu    sync.Mutex
	viewerTaken bool
)

// takeViewer reports whether no board of the process has taken the viewer
// yet, and takes it.
func takeViewer() bool {
	viewerMu.Lock()
	defer viewerMu.Unlock()
	taken := viewerTaken
	viewerTaken = true
	return !taken
}

// dialTimeout bounds the connection to the viewer; the loop does not wait
// for it, but its clock stands still until then.
const dialTimeout = 5 * time.Second

// AttachViewer shows the board on the viewer at link, a value of the form
// of ASYNCIO_BOARD_VIEW: "secret@host:port", the run's secret and a
// loopback address (any address if ASYNCIO_BOARD_VIEW_REMOTE=1). From then
// on the loop's clock is a virtual clock paced by the viewer (see "The
// viewer link" in the package documentation), held still until the
// connection is made; the connection is made on a goroutine, so
// AttachViewer does not wait for it, and a viewer that cannot be reached is
// reported on standard error and lets the clock go. The board's parts so
// far, and those added later, are shown. It must be called on the loop's
// goroutine or while the loop is not running.
//
// NewSim calls it for the first board of a process when
// ASYNCIO_BOARD_VIEW is set, as cmd/board and package view set it; a
// program calls it itself to show a board that NewSim did not attach. It
// returns an error for a malformed link or a refused address, and if a
// board of the process is already shown on a viewer (or has tried the one
// ASYNCIO_BOARD_VIEW names): a viewer shows one board.
func (s *Sim) AttachViewer(link string) error {
	token, addr, err := wire.ParseAddr(link, os.Getenv(wire.EnvRemote) == "1")
	if err != nil {
		return fmt.Errorf("board: AttachViewer: %w", err)
	}
	if s.loop.Closing() {
		return fmt.Errorf("board: AttachViewer: %w", asyncio.ErrLoopClosed)
	}
	if !takeViewer() {
		return errors.New("board: AttachViewer: a board of this process is already shown on a viewer")
	}
	s.viewer = newViewer(s, addr, token)
	return nil
}

// attachEnvViewer attaches s to the viewer ASYNCIO_BOARD_VIEW names, if
// the variable is set and no board of the process has taken the viewer;
// a value it refuses is reported on standard error, and the program runs
// as it would without a viewer.
func (s *Sim) attachEnvViewer() {
	val := os.Getenv(wire.EnvAddr)
	if val == "" || !takeViewer() {
		return
	}
	token, addr, err := wire.ParseAddr(val, os.Getenv(wire.EnvRemote) == "1")
	if err != nil {
		fmt.Fprintf(os.Stderr, "board: %s: %v; running without a viewer\n", wire.EnvAddr, err)
		return
	}
	s.viewer = newViewer(s, addr, token)
}

// viewer is a simulated board's connection to its viewer. The loop's
// goroutine queues messages; a writer goroutine sends them, so a slow
// viewer never blocks the loop; a reader goroutine hands the viewer's
// commands to the loop. A goroutine connects first, while the loop goes on
// with its clock held still.
type viewer struct {
	sim     *Sim
	loop    *asyncio.Loop
	pace    *asyncio.Pace
	token   string
	paused  bool   // the clock starts paused (wire.EnvPaused)
	release func() // the loop's KeepAlive: presses may come at any time
	cancel  context.CancelFunc
	// pending is how many Steps are under way (see step), stepFrom the
	// time of the last change counted, stepStop the timer that ends them
	// after wire.MaxStepSpan, nil when none is. Loop side.
	pending  int
	stepFrom time.Duration
	stepStop *asyncio.Handle
	// asked counts the Steps the viewer sent (loop side); stepsDone those
	// finished, as the writer reports them in each Clock.
	asked     int64
	stepsDone atomic.Int64
	// tasks sends the changes of the tasks' states (taskview.go); nil once
	// the viewer could not be reached. Loop side.
	tasks *taskView

	mu      sync.Mutex
	conn    net.Conn // nil until connected
	queue   []wire.Message
	dropped int // level changes not queued because the viewer fell behind
	closing bool
	kick    chan struct{}
	done    sync.WaitGroup
}

func newViewer(s *Sim, addr, token string) *viewer {
	pace := asyncio.NewPace(1)
	if sp := os.Getenv(wire.EnvSpeed); sp != "" {
		f, err := strconv.ParseFloat(sp, 64)
		if err == nil && !(f >= wire.MinSpeed && f <= wire.MaxSpeed) {
			err = fmt.Errorf("want %v to %v", wire.MinSpeed, wire.MaxSpeed)
		}
		if err == nil {
			err = pace.SetSpeed(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "board: %s=%q: %v; using 1\n", wire.EnvSpeed, sp, err)
		}
	}
	v := &viewer{sim: s, loop: s.loop, pace: pace, token: token, kick: make(chan struct{}, 1)}
	v.paused = os.Getenv(wire.EnvPaused) == "1"
	pace.Pause() // until connected
	pace.OnRest(v.rested)
	s.loop.SetPace(pace)
	v.release = s.loop.KeepAlive()
	v.hello()
	for _, name := range s.order {
		v.part(name)
	}
	v.watchTasks()
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel = cancel
	v.done.Add(1)
	go v.connect(ctx, addr)
	s.loop.OnClose(v.close)
	return v
}

// connect dials the viewer and starts the writer and the reader; if that
// fails, the program runs on without a viewer, its clock let go.
func (v *viewer) connect(ctx context.Context, addr string) {
	defer v.done.Done()
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "board: cannot reach the viewer at %s: %v; running without it\n", addr, err)
		}
		v.mu.Lock()
		v.closing, v.queue = true, nil
		v.mu.Unlock()
		v.loop.CallSoonThreadsafe(v.unwatchTasks) // no step pays for a viewer that is not there
		v.pace.Resume()
		v.release()
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok && viewerSendBuffer > 0 {
		tc.SetWriteBuffer(viewerSendBuffer)
	}
	v.mu.Lock()
	v.conn = conn
	closing := v.closing
	v.mu.Unlock()
	if closing {
		// close ran while the dial ended: it saw no connection to bound.
		conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	}
	if !v.paused {
		v.pace.Resume()
	}
	v.done.Add(2)
	go v.write()
	go v.read()
}

// send queues m for the viewer. Any goroutine may call it.
func (v *viewer) send(m wire.Message) {
	v.mu.Lock()
	if !v.closing {
		v.queue = append(v.queue, m)
	}
	v.mu.Unlock()
	v.nudge()
}

// nudge wakes the writer.
func (v *viewer) nudge() {
	select {
	case v.kick <- struct{}{}:
	default:
	}
}

// hello sends the board's name; a viewer takes a second Hello as a rename.
func (v *viewer) hello() {
	v.send(wire.Message{Type: wire.Hello, Board: v.sim.name, Value: wire.Version, Token: v.token})
}

// level sends a change of a part's level.
//
// A viewer that falls behind by maxQueue messages loses level changes
// rather than let the program's memory grow; once it has caught up by half,
// it is told how many it lost and gets every part's level afresh.
func (v *viewer) level(c wave.Change) {
	v.stepped()
	v.mu.Lock()
	n, lost := len(v.queue), 0
	if n >= maxQueue {
		v.dropped++
		v.mu.Unlock()
		return
	}
	if v.dropped > 0 && n < maxQueue/2 {
		lost, v.dropped = v.dropped, 0
	}
	v.mu.Unlock()
	if lost > 0 {
		v.send(wire.Message{Type: wire.Error, Text: fmt.Sprintf("board: the viewer fell behind; %d level changes were not sent", lost)})
		for _, name := range v.sim.order {
			v.part(name)
		}
	}
	v.send(wire.Message{Type: wire.Level, Name: c.Signal, At: int64(c.At), Value: c.Value})
}

// part sends the description and level of the part named name.
func (v *viewer) part(name string) {
	m := wire.Message{Type: wire.Part, Name: name}
	switch p := v.sim.parts[name].(type) {
	case *SimLED:
		m.Kind, m.Colour, m.ActiveLow, m.Value = partkind.LED, p.Colour(), p.Polarity() == ActiveLow, p.Value()
	case *SimPWMLED:
		m.Kind, m.Colour, m.ActiveLow, m.Width, m.Value = partkind.PWMLED, p.Colour(), p.Polarity() == ActiveLow, 7, p.pinDuty(p.Duty())
	case *SimButton:
		m.Kind, m.ActiveLow, m.Value = partkind.Button, p.Polarity() == ActiveLow, p.Value()
	case *SimPin:
		m.Kind, m.Value, m.Output = partkind.Pin, b2i(p.Get()), p.Mode() == PinOutput
	case *SimI2C:
		m.Kind = partkind.I2C
	case *SimADC:
		m.Kind, m.Width, m.Value = partkind.Potentiometer, 16, int(p.value)
	case *SimBME280:
		m.Kind, m.Value = partkind.BME280, int(math.Round(p.temp*1000))
	case *SimSSD1306:
		m.Kind, m.Width, m.Height = partkind.SSD1306, SSD1306Width, SSD1306Height
		m.At = int64(v.loop.Time())
		v.send(m)
		v.frame(p)
		return
	case *SimSPI:
		m.Kind = partkind.SPI
	case *SimWS2812:
		m.Kind, m.Width, m.At = partkind.WS2812, p.Len(), int64(v.loop.Time())
		v.send(m)
		v.colours(p)
		return
	default:
		return
	}
	m.At = int64(v.loop.Time())
	v.send(m)
}

// frame sends a display's picture.
func (v *viewer) frame(d *SimSSD1306) {
	data := make([]byte, SSD1306Width*SSD1306Height/8)
	for y := range SSD1306Height {
		for x := range SSD1306Width {
			if d.Pixel(x, y) {
				data[(y*SSD1306Width+x)/8] |= 0x80 >> (x % 8)
			}
		}
	}
	v.send(wire.Message{Type: wire.Frame, Name: d.name, Width: SSD1306Width, Height: SSD1306Height, Data: wire.EncodePixels(data), At: int64(v.loop.Time())})
}

// colours sends an LED strip's colours. A change of them ends a step, as
// a change of a level does.
func (v *viewer) colours(d *SimWS2812) {
	v.stepped()
	data := make([]byte, 0, 3*len(d.shown))
	for _, c := range d.shown {
		data = append(data, c.R, c.G, c.B)
	}
	v.send(wire.Message{Type: wire.Colours, Name: d.name, Width: len(d.shown), Data: wire.EncodePixels(data), At: int64(v.loop.Time())})
}

// write sends the queued messages, and the clock while it runs.
func (v *viewer) write() {
	defer v.done.Done()
	w := bufio.NewWriter(v.conn)
	enc := wire.NewEncoder(w)
	tick := time.NewTicker(clockEvery)
	defer tick.Stop()
	var last wire.Message
	clock := func(steps int64) error {
		m := wire.Message{Type: wire.Clock, At: int64(v.pace.Time()), Speed: v.pace.Speed(), Paused: v.pace.Paused(), Steps: steps}
		if m == last {
			return nil
		}
		last = m
		return enc.Encode(m)
	}
	for {
		// The count before the batch: what a finished step queued is in
		// this batch or an earlier one, so it goes before the count.
		steps := v.stepsDone.Load()
		v.mu.Lock()
		batch, closing := v.queue, v.closing
		v.queue = nil
		v.mu.Unlock()
		var err error
		for _, m := range batch {
			if err = enc.Encode(m); err != nil {
				break
			}
		}
		if err == nil {
			err = clock(steps)
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil || closing {
			v.conn.Close() // ends read too
			return
		}
		select {
		case <-v.kick:
		case <-tick.C:
		}
	}
}

// read hands the viewer's commands to the loop until the connection ends.
func (v *viewer) read() {
	defer v.done.Done()
	defer v.release()
	defer v.loop.CallSoonThreadsafe(v.unwatchTasks) // the viewer has gone: steps pay for it no more
	dec := wire.NewDecoder(v.conn)
	for {
		m, err := dec.Decode()
		if errors.Is(err, wire.ErrMalformed) {
			v.refuse(err)
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				fmt.Fprintf(os.Stderr, "board: viewer connection: %v\n", err)
			}
			return
		}
		v.obey(m)
	}
}

// refuse tells the viewer, and standard error, what it sent that could not
// be obeyed.
func (v *viewer) refuse(err error) {
	fmt.Fprintf(os.Stderr, "board: from the viewer: %v\n", err)
	v.send(wire.Message{Type: wire.Error, Text: err.Error()})
}

func (v *viewer) obey(m wire.Message) {
	switch m.Type {
	case wire.Speed:
		if err := v.pace.SetSpeed(m.Speed); err != nil {
			v.refuse(err)
		}
	case wire.Pause:
		v.loop.CallSoonThreadsafe(v.stopStepping)
		v.pace.Pause()
	case wire.Resume:
		v.loop.CallSoonThreadsafe(func() {
			v.stopStepping()
			v.pace.Resume()
			v.finishSteps() // a running clock has no step under way
		})
	case wire.Step:
		v.loop.CallSoonThreadsafe(v.step)
	case wire.Where:
		v.loop.CallSoonThreadsafe(v.where)
	case wire.Press, wire.Release, wire.Drive, wire.Set:
		v.loop.CallSoonThreadsafe(func() {
			if err := v.input(m); err != nil {
				v.refuse(err)
			}
		})
	default:
		v.refuse(fmt.Errorf("%w: %q is not a command", wire.ErrMalformed, m.Type))
	}
	v.nudge() // the writer reports the clock's new state
}

// step lets a paused clock run to the next change of a level: it gives
// the pace wire.MaxStepDeadlines steps, and stepped takes back those left
// when a level changes at a later time than the step began, or when a
// timer wire.MaxStepSpan ahead fires. Steps asked for while one runs add
// up: each goes on to the next time at which a level changes. It runs on
// the loop, as level does, so that no step is given after the change.
func (v *viewer) step() {
	v.asked++
	if !v.pace.Paused() {
		v.finishSteps() // nothing to do
		return
	}
	if v.stepStop != nil && v.pace.Resting() {
		// The steps under way ran out of deadlines and have ended, and
		// restedLoop has not run yet: this one starts afresh.
		v.stopStepping()
	}
	v.pending++
	if v.stepStop != nil {
		return // one is under way
	}
	v.stepFrom = v.loop.Time()
	v.stepStop = v.loop.CallLater(wire.MaxStepSpan, v.stopStepping)
	for range wire.MaxStepDeadlines {
		v.pace.Step()
	}
}

// stepped notes a change of a level while a step runs; it runs on the
// loop. A change at a later time than the last one counted ends a step;
// the tasks due at that time still run, for the pace only loses the steps
// it has not taken.
func (v *viewer) stepped() {
	if v.stepStop == nil {
		return
	}
	now := v.loop.Time()
	if now <= v.stepFrom {
		return // the same time as a change already counted
	}
	v.stepFrom = now
	if v.pending--; v.pending > 0 {
		v.stepStop.Cancel()
		v.stepStop = v.loop.CallLater(wire.MaxStepSpan, v.stopStepping)
		return
	}
	v.stopStepping()
}

// rested is the pace's OnRest: the paused loop has come to rest. It runs
// on the loop, while the loop is idle, so it only posts restedLoop.
func (v *viewer) rested() { v.loop.CallSoonThreadsafe(v.restedLoop) }

// restedLoop ends the steps under way, if the clock is still at rest when it
// runs (no Step came in between): everything due at the time they stopped
// at has run, and what the program printed then has been written. The
// pace ran out of steps on its own only after wire.MaxStepDeadlines
// deadlines with no change.
func (v *viewer) restedLoop() {
	if !v.pace.Resting() {
		return // a Step or Resume came first: its own rest will follow
	}
	v.stopStepping()
	v.finishSteps()
}

// finishSteps reports every Step asked for as finished; it runs on the
// loop.
func (v *viewer) finishSteps() {
	if v.stepsDone.Load() != v.asked {
		v.stepsDone.Store(v.asked)
		v.nudge()
	}
}

// stopStepping ends the steps under way; it runs on the loop.
func (v *viewer) stopStepping() {
	if v.stepStop == nil {
		return
	}
	v.pending = 0
	v.stepStop.Cancel()
	v.stepStop = nil
	v.pace.Resume() // drops the steps left
	v.pace.Pause()
}

// input applies a press, release or drive; it runs on the loop.
func (v *viewer) input(m wire.Message) error {
	if m.Type == wire.Set {
		return v.sim.set(m.Name, m.Field, m.Value)
	}
	if m.Type == wire.Drive {
		p, ok := v.sim.parts[m.Name].(*SimPin)
		if !ok {
			return v.sim.missing(m.Name, "pin")
		}
		if p.Mode() == PinOutput {
			return fmt.Errorf("board: pin %q is an output; the viewer cannot drive it", m.Name)
		}
		p.Drive(m.Value == 1)
		return nil
	}
	b := v.sim.SimButton(m.Name)
	if b == nil {
		return v.sim.missing(m.Name, "button")
	}
	if m.Type == wire.Press {
		b.Press()
	} else {
		b.Release()
	}
	return nil
}

// close flushes what is queued and ends the connection; it runs when the
// loop closes.
func (v *viewer) close() {
	v.cancel() // a dial still under way gives up
	if v.tasks != nil {
		v.tasks.stop()
	}
	v.mu.Lock()
	v.closing = true
	conn := v.conn
	v.mu.Unlock()
	if conn != nil {
		// A viewer that stopped reading must not keep the program from ending.
		conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	}
	v.nudge()
	v.done.Wait()
}
