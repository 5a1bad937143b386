package asyncio

import "time"

// Instrument observes a loop's scheduling (Trio's Instrument): tools such as
// a trace recorder or a task monitor install one with WithInstrument or
// Loop.AddInstrument, and the loop calls it on its own goroutine at each
// event. Its methods must return quickly and must not pause (they run inside
// the scheduler); they may read the tasks they are given. With no
// instrument installed the loop pays one branch per step.
type Instrument interface {
	// TaskCreated is called when t is created, before it first runs.
	TaskCreated(t *Task)
	// TaskScheduled is called when t becomes ready to run; by is the task
	// that made it ready (it set an event, released a lock, finished, ...),
	// or nil when the loop did (a timer, I/O, a cancellation from a callback).
	TaskScheduled(t, by *Task)
	// BeforeTaskStep and AfterTaskStep are called around each run of t,
	// from a resume to its next await point (or its end).
	BeforeTaskStep(t *Task)
	AfterTaskStep(t *Task)
	// TaskExited is called when t has finished.
	TaskExited(t *Task)
	// BeforeIdle is called when the loop is about to wait for work, with the
	// longest it will wait (-1 for no limit); AfterIdle when it resumes.
	// A virtual clock's jump is no wait.
	BeforeIdle(timeout time.Duration)
	AfterIdle()
}

// WithInstrument installs an instrument on the loop made by NewLoop or Run.
func WithInstrument(i Instrument) Option {
	return func(l *Loop) { l.AddInstrument(i) }
}

// AddInstrument installs i; it sees the events from now on. It must be
// called on the loop's goroutine or while the loop is not running.
func (l *Loop) AddInstrument(i Instrument) {
	if i != nil {
		l.instruments = append(l.instruments, i)
		l.hooked()
	}
}

// RemoveInstrument removes i, if installed.
func (l *Loop) RemoveInstrument(i Instrument) {
	for k, x := range l.instruments {
		if x == i {
			l.instruments = append(l.instruments[:k:k], l.instruments[k+1:]...)
			break
		}
	}
	l.hooked()
}

// hooked recomputes whether a task step takes the instrumented path.
func (l *Loop) hooked() { l.instrumented = l.debug || l.slow > 0 || len(l.instruments) > 0 }

// stepInstrumented is step's body when debug mode, DebugSlowTasks or an
// instrument is on.
func (l *Loop) stepInstrumented(t *Task) (running bool) {
	for _, i := range l.instruments {
		i.BeforeTaskStep(t)
	}
	switch {
	case l.debug:
		running = l.stepDebug(t)
	case l.slow > 0:
		running = l.stepTimed(t)
	default:
		_, running = t.next()
	}
	l.current = nil // so that t.Info() in AfterTaskStep says why it stopped
	for _, i := range l.instruments {
		i.AfterTaskStep(t)
	}
	return running
}

func (l *Loop) noteCreated(t *Task) {
	for _, i := range l.instruments {
		i.TaskCreated(t)
	}
}

func (l *Loop) noteScheduled(t *Task) {
	for _, i := range l.instruments {
		i.TaskScheduled(t, l.current)
	}
}

func (l *Loop) noteExited(t *Task) {
	for _, i := range l.instruments {
		i.TaskExited(t)
	}
}
