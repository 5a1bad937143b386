package asyncio

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// ErrSlowTask is matched by the error that DebugSlowTasks reports.
var ErrSlowTask = errors.New("asyncio: task ran too long without yielding")

// DebugSlowTasks makes the loop measure, on the real clock, how long each
// task runs between two await points, and report every run longer than
// threshold to the exception handler: the most common bug of cooperative
// code is a blocking call that starves every other task. The report names
// the task and the await point it resumed from (or its start), in an error
// matching ErrSlowTask. It costs two clock reads and a stack walk per task
// switch: for development, not production.
func DebugSlowTasks(threshold time.Duration) Option {
	return func(l *Loop) {
		l.slow = threshold
		l.resumedAt = map[*Task]string{}
	}
}

// stepTimed is step's body when DebugSlowTasks is on.
func (l *Loop) stepTimed(t *Task) bool {
	start := time.Now()
	_, running := t.next()
	if d := time.Since(start); d > l.slow {
		where, ok := l.resumedAt[t]
		if !ok {
			where = "its start"
		}
		l.CallExceptionHandler(ExceptionContext{
			Message: "Task ran too long without yielding",
			Err:     fmt.Errorf("%w: %v ran %v, resumed at %s", ErrSlowTask, t, d.Round(time.Microsecond), where),
			Task:    t,
		})
	}
	if !running {
		delete(l.resumedAt, t)
	}
	return running
}

// noteAwait records where the running task pauses: the first caller outside
// this package.
func (l *Loop) noteAwait(t *Task) {
	pcs := make([]uintptr, 16)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "github.com/goasyncio/asyncio.") {
			l.resumedAt[t] = fmt.Sprintf("%s (%s:%d)", f.Function, f.File, f.Line)
			return
		}
		if !more {
			return
		}
	}
}
