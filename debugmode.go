package asyncio

import (
	"fmt"
	"os"
	"sync/atomic"
)

// Debug turns on the loop's debug mode (CPython's asyncio debug mode does
// the same for threads): every call that must be made on the loop's
// goroutine checks that it is, and a call from another goroutine fails with
// an error matching ErrWrongGoroutine instead of racing with the loop. It
// catches a goroutine started by a task that then uses the task's Ctx
// (Sleep, CreateTask), Task.Cancel, Event.Set and the loop's methods called
// from another goroutine or from a task of another loop while this loop
// runs, and Close called while it runs. Calls that return an error return
// it; CreateTask returns a task already done with it (the rule for a Ctx
// that is not the running task's, see Ctx); the others (Loop.CreateTask,
// Event.Set, CallLater) panic with it.
//
// Each check reads the calling goroutine's identity, about a microsecond, so
// debug mode is for development and tests. Setting the environment variable
// ASYNCIO_DEBUG=1 turns it on for every loop. The checks that cost nothing
// are always on: a Ctx used when its task is not the one running, a task
// awaiting another loop's task or itself, a closed loop.
func Debug() Option { return func(l *Loop) { l.debug = true } }

// debugFromEnv reports whether ASYNCIO_DEBUG asks for debug mode; it is read
// by each new loop.
func debugFromEnv() bool { return os.Getenv("ASYNCIO_DEBUG") == "1" }

// debugState is what debug mode records: which goroutine runs the loop and
// which runs its current task. Other goroutines read it.
type debugState struct {
	loopG atomic.Uint64    // the goroutine in Run..., 0 when the loop is not running
	taskG atomic.Uint64    // the goroutine of the task running now, 0 between tasks
	goids map[*Task]uint64 // each started task's goroutine; the loop's goroutine only
}

// checkGoroutine returns an error matching ErrWrongGoroutine when, in debug
// mode, op is called while the loop runs from a goroutine other than the
// loop's or its running task's.
func (l *Loop) checkGoroutine(op string) error {
	if l == nil || !l.debug {
		return nil
	}
	loopG := l.dbg.loopG.Load()
	if loopG == 0 {
		return nil // not running: whoever sets it up or closes it may
	}
	g := goroutineID()
	if g == loopG || g == l.dbg.taskG.Load() {
		return nil
	}
	return fmt.Errorf("%w: %s called on goroutine %d while the loop runs on goroutine %d", ErrWrongGoroutine, op, g, loopG)
}

// debugEnter and debugLeave record the goroutine that runs the loop.
func (l *Loop) debugEnter() {
	if l.debug {
		if l.dbg.goids == nil {
			l.dbg.goids = map[*Task]uint64{}
		}
		l.dbg.loopG.Store(goroutineID())
	}
}

func (l *Loop) debugLeave() {
	if l.debug {
		l.dbg.loopG.Store(0)
	}
}

// stepDebug is step's body in debug mode: it records the goroutine of the
// task it resumes (known once the task has run) for checkGoroutine.
func (l *Loop) stepDebug(t *Task) bool {
	l.dbg.taskG.Store(l.dbg.goids[t])
	var running bool
	if l.slow > 0 {
		running = l.stepTimed(t)
	} else {
		_, running = t.next()
	}
	l.dbg.taskG.Store(0)
	if !running || t.exiting != exitNone {
		delete(l.dbg.goids, t)
	}
	return running
}

// debugStart records, in debug mode, the goroutine of a task's coroutine
// when it first runs.
func (t *Task) debugStart() {
	if t.loop.debug {
		g := goroutineID()
		t.loop.dbg.goids[t] = g
		t.loop.dbg.taskG.Store(g)
	}
}
