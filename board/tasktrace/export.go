package tasktrace

import (
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/goasyncio/asyncio/board/wave"
)

// The values of a task lane in a waveform: a 2-bit vector, unknown (x)
// before the task is created and after it has finished.
const (
	LaneWaiting = 0 // sleeping or waiting for something
	LaneReady   = 1 // ready, waiting for its turn
	LaneRunning = 2 // running
)

// LaneLabels names the lane values, for WaveDrom.
var LaneLabels = []string{"waiting", "ready", "running"}

// WaveOptions say how task lanes are drawn.
type WaveOptions struct {
	// MinRun is the least width of a run in the lanes: on the virtual
	// clock, where a run takes no time, a positive MinRun draws each run
	// MinRun wide, the runs of one instant one after another (so they are
	// shifted from the pins' edges by up to a few MinRun). Zero draws runs
	// as long as they took on the loop's clock.
	MinRun time.Duration
	// Prefix is put before each task's name to make its signal name;
	// empty means "task ".
	Prefix string
}

// LaneName returns the signal name of task i's lane.
func (r *Recorder) LaneName(i int, opts WaveOptions) string {
	p := opts.Prefix
	if p == "" {
		p = "task "
	}
	name := p + r.TaskName(i)
	for j := 0; j < i; j++ { // two tasks of the same name get distinct lanes
		if r.TaskName(j) == r.TaskName(i) {
			return name + " #" + strconv.Itoa(i+1)
		}
	}
	return name
}

// AddLanes adds one lane per task to w (after its signals), built from the
// recording: running, ready or waiting. The result is sorted by time, so w
// may be a board's waveform (board.Sim.Waveform) recorded on the same
// loop: GTKWave then shows the tasks beside the pins.
func (r *Recorder) AddLanes(w *wave.Waveform, opts WaveOptions) *wave.Waveform {
	out := *w
	out.Signals = slices.Clone(w.Signals)
	out.Changes = slices.Clone(w.Changes)
	names := make([]string, len(r.tasks))
	last := make([]time.Duration, len(r.tasks)) // per lane: no change before this
	for i := range r.tasks {
		names[i] = r.LaneName(i, opts)
		out.Signals = append(out.Signals, wave.Signal{Name: names[i], Kind: wave.Vector, Width: 2, Init: wave.Unknown, Labels: LaneLabels})
	}
	val := make([]int, len(r.tasks))
	for i := range val {
		val[i] = wave.Unknown
	}
	set := func(i int, at time.Duration, v int) {
		at = max(at, last[i])
		if v == val[i] && at > 0 {
			return
		}
		val[i] = v
		last[i] = at
		out.Changes = append(out.Changes, wave.Change{At: at, Signal: names[i], Value: v})
	}
	var cursor time.Duration // when the last drawn run ended
	for _, e := range r.events {
		if e.Task < 0 {
			continue
		}
		switch e.Kind {
		case Created:
			set(e.Task, e.At, LaneWaiting)
		case Ready:
			set(e.Task, e.At, LaneReady)
		case Run:
			start := max(e.At, cursor)
			set(e.Task, start, LaneRunning)
			cursor = start
		case Stop:
			end := max(e.At, cursor)
			if opts.MinRun > 0 && end < last[e.Task]+opts.MinRun {
				end = last[e.Task] + opts.MinRun
			}
			v := LaneWaiting
			switch e.Why {
			case "ready":
				v = LaneReady
			case "done":
				v = wave.Unknown
			}
			set(e.Task, end, v)
			cursor = end
		case Exit:
			set(e.Task, e.At, wave.Unknown)
		}
	}
	if n := len(out.Changes); n > 0 {
		out.End = max(out.End, cursor)
	}
	return out.Sorted()
}

// Waveform returns the task lanes alone as a waveform.
func (r *Recorder) Waveform(opts WaveOptions) *wave.Waveform {
	return r.AddLanes(&wave.Waveform{Scope: "tasks", End: r.now()}, opts)
}

// chromeEvent is one event of the Trace Event Format (the JSON that
// chrome://tracing and Perfetto read).
type chromeEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`            // µs
	Dur  *float64       `json:"dur,omitempty"` // µs, for "X"
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s,omitempty"` // scope of an instant event
	Args map[string]any `json:"args,omitempty"`
}

// ChromeTrace is the JSON object WriteChromeTrace writes.
type ChromeTrace struct {
	TraceEvents     []chromeEvent `json:"traceEvents"`
	DisplayTimeUnit string        `json:"displayTimeUnit"`
}

// WriteChromeTrace writes the recording as Chrome trace-event JSON (the
// JSON object format), which Perfetto (ui.perfetto.dev) and
// chrome://tracing open: one thread per task (tid = its index + 1, named
// after the task), each run a complete ("X") event named after the task
// with args saying why it stopped, who woke it and since when it was ready;
// each wake-up an instant ("i") event; the loop's idle waits as "idle"
// events on thread 0, named "loop". Times are the loop's, in microseconds;
// a run's duration is its real duration (on the virtual clock, where a run
// takes no loop time, this is what shows a task that blocks).
func (r *Recorder) WriteChromeTrace(w io.Writer) error {
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	tr := ChromeTrace{DisplayTimeUnit: "ms"}
	ev := func(e chromeEvent) { tr.TraceEvents = append(tr.TraceEvents, e) }
	ev(chromeEvent{Name: "process_name", Ph: "M", Pid: 1, Args: map[string]any{"name": "asyncio loop"}})
	ev(chromeEvent{Name: "thread_name", Ph: "M", Pid: 1, Tid: 0, Args: map[string]any{"name": "loop"}})
	for i := range r.tasks {
		ev(chromeEvent{Name: "thread_name", Ph: "M", Pid: 1, Tid: i + 1, Args: map[string]any{"name": r.TaskName(i)}})
		ev(chromeEvent{Name: "thread_sort_index", Ph: "M", Pid: 1, Tid: i + 1, Args: map[string]any{"sort_index": i + 1}})
	}
	for _, s := range r.Steps() {
		d := s.End - s.At
		if d <= 0 {
			d = s.Wall
		}
		dur := us(d)
		args := map[string]any{"stopped": s.Why, "ready_at_s": s.ReadyAt.Seconds(), "woken_by": r.TaskName(s.WokenBy), "real_us": us(s.Wall)}
		ev(chromeEvent{Name: r.TaskName(s.Task), Cat: "task", Ph: "X", Ts: us(s.At), Dur: &dur, Pid: 1, Tid: s.Task + 1, Args: args})
	}
	var idleAt time.Duration
	idle := false
	for _, e := range r.events {
		switch e.Kind {
		case Ready:
			ev(chromeEvent{Name: "ready", Cat: "wake", Ph: "i", S: "t", Ts: us(e.At), Pid: 1, Tid: e.Task + 1, Args: map[string]any{"woken_by": r.TaskName(e.By)}})
		case Idle:
			idleAt, idle = e.At, true
		case Awake:
			if idle {
				dur := us(e.At - idleAt)
				ev(chromeEvent{Name: "idle", Cat: "loop", Ph: "X", Ts: us(idleAt), Dur: &dur, Pid: 1, Tid: 0})
				idle = false
			}
		}
	}
	enc := json.NewEncoder(w)
	return enc.Encode(tr)
}
