package asyncio

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrSlowTask is matched by the error that DebugSlowTasks reports.
var ErrSlowTask = errors.New("asyncio: task ran too long without yielding")

// DebugSlowTasks makes the loop measure, on the real clock, how long each
// task runs between two await points: the most common bug of cooperative
// code is a blocking call that starves every other task. A run longer than
// threshold is reported twice:
//
//   - while it is still running, by a watchdog, to standard error: the
//     task's name, how long it has run so far, the await point it resumed
//     from, and the stack of its goroutine, which shows where it is stuck
//     (DebugSlowTasksFunc sends this report to a function instead). It
//     cannot go to the exception handler, which runs on the loop's
//     goroutine, blocked by the task;
//   - once the task yields or returns, to the exception handler, in an
//     error matching ErrSlowTask that names the task, the time it ran and
//     the await point it resumed from (or its start).
//
// It costs a few clock reads, a timer reset and a stack walk per task
// switch: for development, not production. Off, it costs nothing. The
// watchdog is a timer armed for each run of a task; a goroutine exists
// only while a report is being made, and never outlives that run.
func DebugSlowTasks(threshold time.Duration) Option {
	return DebugSlowTasksFunc(threshold, nil)
}

// DebugSlowTasksFunc is DebugSlowTasks with the watchdog's report, made
// while the slow task still runs, sent to report instead of standard error;
// a nil report means standard error. report is called on the watchdog's
// goroutine, not the loop's, while the loop is blocked by the task: it must
// not use the loop or its tasks. The loop's run of the task ends only after
// report has returned.
func DebugSlowTasksFunc(threshold time.Duration, report func(SlowTask)) Option {
	return func(l *Loop) {
		l.slow = threshold
		l.slowDebug = &slowDebug{
			report:    report,
			resumedAt: map[*Task]string{},
			gids:      map[*Task]uint64{},
			fired:     make(chan struct{}, 1),
		}
	}
}

// SlowTask is the watchdog's report on a task that has run longer than the
// DebugSlowTasks threshold without yielding, made while it still runs.
type SlowTask struct {
	Name      string        // the task's name
	Running   time.Duration // how long it has run since it last resumed
	ResumedAt string        // the await point it last resumed from, or "its start"
	Stack     string        // its goroutine's stack, as runtime.Stack prints it
}

// String is the report as DebugSlowTasks writes it to standard error.
func (s SlowTask) String() string {
	return fmt.Sprintf("asyncio: task %q has run for %v without yielding (resumed at %s); it is at:\n%s",
		s.Name, s.Running.Round(time.Microsecond), s.ResumedAt, s.Stack)
}

// slowDebug is the loop's DebugSlowTasks state.
type slowDebug struct {
	report    func(SlowTask)
	resumedAt map[*Task]string // where each task last paused
	gids      map[*Task]uint64 // the goroutine of each task's coroutine, once known

	// The watchdog: timer fires fire, on a goroutine of its own, if the run
	// of a task lasts longer than the threshold.
	timer *time.Timer
	fired chan struct{} // fire has returned
	mu    sync.Mutex    // guards the fields below, read by fire
	run   SlowTask      // the running task's name and resume point
	start time.Time
	gid   uint64 // its goroutine, 0 if not known yet
	loop  uint64 // if gid is 0: the loop's goroutine, which created it
}

// stepTimed is step's body when DebugSlowTasks is on.
func (l *Loop) stepTimed(t *Task) bool {
	d := l.slowDebug
	where, ok := d.resumedAt[t]
	if !ok {
		where = "its start"
	}
	d.arm(l, t, where)
	start := time.Now()
	_, running := t.next()
	elapsed := time.Since(start)
	d.disarm()
	if elapsed > l.slow {
		l.CallExceptionHandler(ExceptionContext{
			Message: "Task ran too long without yielding",
			Err:     fmt.Errorf("%w: %v ran %v, resumed at %s", ErrSlowTask, t, elapsed.Round(time.Microsecond), where),
			Task:    t,
		})
	}
	if !running {
		delete(d.resumedAt, t)
		delete(d.gids, t)
	}
	return running
}

// arm sets the watchdog for a run of t.
func (d *slowDebug) arm(l *Loop, t *Task, where string) {
	gid := d.gids[t]
	var loop uint64
	if gid == 0 {
		// t's coroutine has not paused yet, so it was created on this
		// goroutine by this loop's step, just now.
		loop = goroutineID()
	}
	d.mu.Lock()
	d.run = SlowTask{Name: t.Name(), ResumedAt: where}
	d.start, d.gid, d.loop = time.Now(), gid, loop
	d.mu.Unlock()
	if d.timer == nil {
		d.timer = time.AfterFunc(l.slow, d.fire)
	} else {
		d.timer.Reset(l.slow)
	}
}

// disarm stops the watchdog at the end of a run, waiting for a report in
// progress to end.
func (d *slowDebug) disarm() {
	if !d.timer.Stop() {
		<-d.fired // fire was started: wait until it returns
	}
}

// fire is the watchdog's report, on the timer's goroutine.
func (d *slowDebug) fire() {
	defer func() { d.fired <- struct{}{} }()
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.run
	s.Running = time.Since(d.start)
	s.Stack = goroutineStack(d.gid, d.loop)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "asyncio: DebugSlowTasks report function panicked: %v\n", r)
		}
	}()
	if d.report != nil {
		d.report(s)
	} else {
		fmt.Fprintln(os.Stderr, s)
	}
}

// goroutineStack returns the stack of goroutine gid or, if gid is 0, of
// the running coroutine created by iter.Pull on goroutine creator: the
// coroutines of the other tasks are parked ("[coroutine]").
func goroutineStack(gid, creator uint64) string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	created := "\ncreated by iter.Pull[...] in goroutine " + strconv.FormatUint(creator, 10) + "\n"
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		id, state, ok := parseGoroutineHeader(header)
		if !ok {
			continue
		}
		if gid != 0 && id == gid || gid == 0 && !strings.HasPrefix(state, "coroutine") && strings.Contains(g, created) {
			return g
		}
	}
	return "(the task's goroutine was not found)"
}

// parseGoroutineHeader parses "goroutine 12 [running]:".
func parseGoroutineHeader(h string) (id uint64, state string, ok bool) {
	rest, found := strings.CutPrefix(h, "goroutine ")
	if !found {
		return 0, "", false
	}
	num, rest, found := strings.Cut(rest, " [")
	if !found {
		return 0, "", false
	}
	id, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, "", false
	}
	state, _, _ = strings.Cut(rest, "]")
	return id, state, true
}

// goroutineID returns the calling goroutine's id, from its stack header.
func goroutineID() uint64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	id, _, _ := parseGoroutineHeader(string(buf[:n]))
	return id
}

// noteAwait records where the running task pauses, the first caller outside
// this package, and the first time, its goroutine.
func (l *Loop) noteAwait(t *Task) {
	d := l.slowDebug
	if _, ok := d.gids[t]; !ok {
		d.gids[t] = goroutineID()
	}
	pcs := make([]uintptr, 16)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "github.com/goasyncio/asyncio.") {
			d.resumedAt[t] = fmt.Sprintf("%s (%s:%d)", f.Function, f.File, f.Line)
			return
		}
		if !more {
			return
		}
	}
}
