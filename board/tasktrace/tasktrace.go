// Package tasktrace records how a loop schedules its tasks — when each task
// ran, for how long, why it stopped (the await it paused at) and who woke it
// — and exports the record as task lanes in a board waveform (VCD for
// GTKWave, WaveDrom) or as Chrome trace-event JSON, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open.
//
// A Recorder is an asyncio.Instrument: install it with asyncio.WithInstrument
// or Loop.AddInstrument. It runs on the loop's goroutine; read it there (from
// a task or callback) or after the loop has stopped.
//
// On the virtual clock a task's run takes no loop time: every step starts
// and ends at the same instant. The record keeps each step's real duration
// too (Step.Wall), which is what shows a task that blocks the loop there;
// WaveOptions.MinRun draws zero-time steps wide enough to see.
package tasktrace

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
)

// Kind is the kind of an Event.
type Kind uint8

// The kinds of events.
const (
	Created Kind = iota // the task was created
	Ready               // it became ready to run (Event.By woke it)
	Run                 // it started a step
	Stop                // it stopped at an await point (Event.Why)
	Exit                // it finished
	Idle                // the loop started waiting for work (Task is -1)
	Awake               // the loop stopped waiting (Task is -1)
)

var kindNames = [...]string{"created", "ready", "runs", "stops", "exits", "idle", "awake"}

// String returns the kind's name as the text trace writes it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one scheduling event.
type Event struct {
	At   time.Duration // the loop's time
	Wall time.Duration // real time since the recording started
	Kind Kind
	Task int    // index into Recorder.Tasks; -1 for the loop's own events
	By   int    // for Ready: the task that woke it, -1 for the loop (a timer, I/O, a callback)
	Why  string // for Stop: why it stopped ("sleeping until 1.000s", "waiting for an event", "ready", "done")
}

// TaskRecord describes one task of the recording.
type TaskRecord struct {
	Name    string
	Creator string // the task that created it, "" if none
	Created time.Duration
	Exited  time.Duration // when it finished, if Done
	Done    bool
	Steps   int           // how many times it ran
	Busy    time.Duration // the real time it ran in all
	Longest time.Duration // its longest step, in real time
}

// Step is one run of a task, from a resume to its next await point.
type Step struct {
	Task     int           // index into Recorder.Tasks
	At, End  time.Duration // the loop's time at its start and end (equal on the virtual clock)
	Wall     time.Duration // its real duration
	WallAt   time.Duration // its real start, since the recording started
	ReadyAt  time.Duration // when it became ready (the loop's time)
	WokenBy  int           // the task that made it ready, -1 for the loop
	Why      string        // why it stopped; "done" if it finished
	Finished bool          // the task ended in this step
}

// Options configure a Recorder.
type Options struct {
	// MaxEvents bounds the events kept; later ones are counted in Dropped.
	// Zero means 1<<20.
	MaxEvents int
}

// Recorder is an asyncio.Instrument that records a run. Its zero value is
// not ready: use New.
type Recorder struct {
	max     int
	events  []Event
	dropped int
	tasks   []TaskRecord
	index   map[*asyncio.Task]int
	start   time.Time
	loop    *asyncio.Loop
	run     time.Time // real start of the running step
	running int
}

// New returns a recorder.
func New(opts Options) *Recorder {
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = 1 << 20
	}
	return &Recorder{max: opts.MaxEvents, index: map[*asyncio.Task]int{}, start: time.Now(), running: -1}
}

var _ asyncio.Instrument = (*Recorder)(nil)

func (r *Recorder) add(e Event) {
	if len(r.events) >= r.max {
		r.dropped++
		return
	}
	e.Wall = time.Since(r.start)
	r.events = append(r.events, e)
}

func (r *Recorder) id(t *asyncio.Task) int {
	if t == nil {
		return -1
	}
	if i, ok := r.index[t]; ok {
		return i
	}
	// A task created before the recorder was installed.
	return r.newTask(t)
}

func (r *Recorder) newTask(t *asyncio.Task) int {
	r.loop = t.Loop()
	i := len(r.tasks)
	r.index[t] = i
	r.tasks = append(r.tasks, TaskRecord{Name: t.Name(), Creator: t.Info().Creator, Created: t.Loop().Time()})
	return i
}

// TaskCreated implements asyncio.Instrument.
func (r *Recorder) TaskCreated(t *asyncio.Task) {
	i := r.newTask(t)
	r.add(Event{At: t.Loop().Time(), Kind: Created, Task: i, By: -1})
}

// TaskScheduled implements asyncio.Instrument.
func (r *Recorder) TaskScheduled(t, by *asyncio.Task) {
	r.add(Event{At: t.Loop().Time(), Kind: Ready, Task: r.id(t), By: r.id(by)})
}

// BeforeTaskStep implements asyncio.Instrument.
func (r *Recorder) BeforeTaskStep(t *asyncio.Task) {
	r.running = r.id(t)
	r.add(Event{At: t.Loop().Time(), Kind: Run, Task: r.running, By: -1})
	r.run = time.Now()
}

// AfterTaskStep implements asyncio.Instrument.
func (r *Recorder) AfterTaskStep(t *asyncio.Task) {
	d := time.Since(r.run)
	i := r.id(t)
	tr := &r.tasks[i]
	tr.Steps++
	tr.Busy += d
	tr.Longest = max(tr.Longest, d)
	in := t.Info()
	why := in.WaitsFor
	switch in.State {
	case asyncio.TaskSleeping:
		why = "sleeping until " + fmtTime(in.Until)
	case asyncio.TaskReady:
		why = "ready"
	case asyncio.TaskDone:
		why = "done"
	}
	if in.Awaiting != nil {
		why = "awaiting " + in.Awaiting.String()
	}
	r.add(Event{At: t.Loop().Time(), Kind: Stop, Task: i, By: -1, Why: why})
	r.running = -1
}

// TaskExited implements asyncio.Instrument.
func (r *Recorder) TaskExited(t *asyncio.Task) {
	i := r.id(t)
	r.tasks[i].Done, r.tasks[i].Exited = true, t.Loop().Time()
	if n := len(r.events); n > 0 && r.events[n-1].Kind == Stop && r.events[n-1].Task == i {
		r.events[n-1].Why = "done" // it stopped by returning
	}
	r.add(Event{At: t.Loop().Time(), Kind: Exit, Task: i, By: -1})
}

// BeforeIdle implements asyncio.Instrument.
func (r *Recorder) BeforeIdle(timeout time.Duration) {
	r.add(Event{At: r.now(), Kind: Idle, Task: -1, By: -1})
}

// AfterIdle implements asyncio.Instrument.
func (r *Recorder) AfterIdle() { r.add(Event{At: r.now(), Kind: Awake, Task: -1, By: -1}) }

func (r *Recorder) now() time.Duration {
	if r.loop == nil {
		return 0
	}
	return r.loop.Time()
}

// Events returns the recorded events, in order. The slice is the
// recorder's: do not modify it.
func (r *Recorder) Events() []Event { return r.events }

// Dropped returns how many events did not fit in Options.MaxEvents.
func (r *Recorder) Dropped() int { return r.dropped }

// Tasks returns the recorded tasks, in creation order (an Event's Task
// indexes it). The slice is the recorder's: do not modify it.
func (r *Recorder) Tasks() []TaskRecord { return r.tasks }

// TaskName returns the name of task i, or "loop" for -1.
func (r *Recorder) TaskName(i int) string {
	if i < 0 || i >= len(r.tasks) {
		return "loop"
	}
	return r.tasks[i].Name
}

// Steps returns every run of every task, in order.
func (r *Recorder) Steps() []Step {
	type pending struct {
		readyAt time.Duration
		by      int
	}
	ready := make([]pending, len(r.tasks))
	var steps []Step
	for _, e := range r.events {
		switch e.Kind {
		case Ready:
			ready[e.Task] = pending{e.At, e.By}
		case Run:
			p := ready[e.Task]
			steps = append(steps, Step{Task: e.Task, At: e.At, WallAt: e.Wall, ReadyAt: p.readyAt, WokenBy: p.by})
		case Stop:
			if n := len(steps); n > 0 && steps[n-1].Task == e.Task {
				s := &steps[n-1]
				s.End, s.Why, s.Wall = e.At, e.Why, e.Wall-s.WallAt
			}
		case Exit:
			if n := len(steps); n > 0 && steps[n-1].Task == e.Task && steps[n-1].Why != "" {
				steps[n-1].Why, steps[n-1].Finished = "done", true
			}
		}
	}
	return steps
}

// WriteText writes the trace as text, one event a line: the loop's time in
// seconds, the task, what happened and why. Real durations are left out, so
// a run on the virtual clock gives the same text every time (a golden
// file). The loop's idle periods are left out too.
func (r *Recorder) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, e := range r.events {
		if e.Task < 0 {
			continue
		}
		fmt.Fprintf(&b, "%s %s %s", fmtTime(e.At), quoteName(r.TaskName(e.Task)), e.Kind)
		switch e.Kind {
		case Ready:
			if e.By >= 0 {
				b.WriteString(" (woken by " + quoteName(r.TaskName(e.By)) + ")")
			}
		case Stop:
			b.WriteString(": " + e.Why)
		case Created:
			if c := r.tasks[e.Task].Creator; c != "" {
				b.WriteString(" by " + quoteName(c))
			}
		}
		b.WriteByte('\n')
	}
	if r.dropped > 0 {
		fmt.Fprintf(&b, "(%d events dropped)\n", r.dropped)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary writes one line per task: its steps, its real busy time and its
// longest step, longest first — where a task that blocks the loop shows.
func (r *Recorder) Summary(w io.Writer) error {
	order := make([]int, len(r.tasks))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return r.tasks[order[a]].Longest > r.tasks[order[b]].Longest })
	for _, i := range order {
		t := r.tasks[i]
		if _, err := fmt.Fprintf(w, "%s: %d steps, busy %v, longest step %v\n", quoteName(t.Name), t.Steps,
			t.Busy.Round(time.Microsecond), t.Longest.Round(time.Microsecond)); err != nil {
			return err
		}
	}
	return nil
}

func quoteName(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\"") {
		return s
	}
	return strconv.Quote(s)
}

func fmtTime(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }
