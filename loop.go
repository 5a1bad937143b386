package asyncio

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Loop is an event loop: it runs its tasks one at a time on the goroutine
// that runs it, and sleeps when none is ready. Tasks of one loop therefore
// share plain variables without locks. The zero Loop is ready to use, on the
// real clock; NewLoop sets options.
//
// A Loop's methods must be called from the goroutine that runs it (from its
// tasks and callbacks) or while it is not running, except CallSoonThreadsafe,
// KeepAlive and Stop, which any goroutine may call.
type Loop struct {
	ready   runQueue
	timers  timerHeap
	current *Task    // the running task, nil between tasks
	live    taskList // unfinished tasks, in creation order
	ids     uint32

	clock  clock                     // real, virtual or paced: see clock.go
	rounds roundWatcher              // the clock, if it watches rounds; else nil
	wall   atomic.Pointer[realClock] // the clock if it is real, for Ctx.Deadline on any goroutine

	handler   ExceptionHandler
	parent    context.Context // WithContext: values for the tasks; done cancels Run's main
	interrupt bool            // CancelOnInterrupt
	mode      runMode
	until     *Task // the task RunUntilComplete waits for
	halt      bool  // set when the current run must return

	// Shared with other goroutines.
	mu      sync.Mutex
	ctxMu   sync.Mutex     // guards the Done channels of the tasks' contexts
	threads sync.WaitGroup // goroutines started by ToThread
	// ToThread calls whose result the loop has not taken yet: a virtual
	// clock does not jump while one runs, since its result is work to come.
	threadsBusy atomic.Int32

	instruments  []Instrument  // WithInstrument, AddInstrument
	instrumented bool          // debug, slow or instruments: steps take the instrumented path
	debug        bool          // Debug: goroutine checks
	dbg          debugState    // Debug: who runs the loop and its task
	slow         time.Duration // DebugSlowTasks threshold, 0 when off
	slowDebug    *slowDebug    // DebugSlowTasks state, nil when off
	posted       []func()
	postedSpare  []func() // posted's other buffer, so posting allocates nothing in steady state
	urgent       bool     // posted work runs: the tasks it wakes go first
	woken        []*Task  // the tasks it woke
	hasPosted    atomic.Bool
	stopReq      atomic.Bool
	holds        atomic.Int64
	wakeup       chan struct{}
	closedCh     chan struct{} // closed by Close, for Submit
	closed       bool
	inited       atomic.Bool
	idleTimer    *time.Timer
	idleWait     idleWait // the default idle wait where the OS has a precise one
	poller       atomic.Pointer[pollerBox]
	onClose      []func() // guarded by mu
	unwound      []error  // tasks Close had to unwind
	blocks       int      // times the loop blocked for lack of work: tests check it never polls
}

type runMode uint8

const (
	notRunning runMode = iota
	runningUntil
	runningForever
	draining // Close: until every task is done
)

// Option configures a loop made by NewLoop or Run.
type Option func(*Loop)

// WithExceptionHandler sets the loop's exception handler (see
// Loop.SetExceptionHandler).
func WithExceptionHandler(h ExceptionHandler) Option { return func(l *Loop) { l.handler = h } }

// NewLoop returns a new loop with the given options.
func NewLoop(opts ...Option) *Loop {
	l := &Loop{}
	l.debug = debugFromEnv()
	for _, o := range opts {
		o(l)
	}
	l.hooked()
	l.init()
	return l
}

func (l *Loop) init() {
	if l.inited.Load() {
		return // every wake-up from another goroutine asks: no lock then
	}
	l.mu.Lock()
	if !l.inited.Load() {
		if l.clock == nil {
			l.setClock(&realClock{start: time.Now()})
		}
		l.wakeup = make(chan struct{}, 1)
		l.closedCh = make(chan struct{})
		l.inited.Store(true)
	}
	l.mu.Unlock()
}

// deadline returns now+d, clamped so that a huge d cannot wrap around.
func (l *Loop) deadline(d time.Duration) int64 {
	now := l.now()
	if d > 0 && int64(d) > math.MaxInt64-now {
		return math.MaxInt64
	}
	return now + max(int64(d), 0)
}

// CreateTask schedules fn as a new task of the loop, to start when the loop
// runs. Inside a task use the package function CreateTask. On a closed loop
// the task is returned already done, its Err matching ErrLoopClosed.
func (l *Loop) CreateTask(fn func(*Ctx) error, opts ...TaskOption) *Task {
	l.init()
	if err := l.checkGoroutine("Loop.CreateTask"); err != nil {
		panic(err.Error())
	}
	return l.newTask(&Task{}, fn, opts)
}

func (l *Loop) newTask(t *Task, fn func(*Ctx) error, opts []TaskOption) *Task {
	l.initTask(t, opts)
	t.fn = fn
	if l.closed {
		// Nothing will ever run it: it is born failed.
		return l.doneTask(t, fmt.Errorf("%w: %v created after Close", ErrLoopClosed, t), nil)
	}
	l.live.add(t)
	l.ready.push(t)
	if len(l.instruments) > 0 {
		l.noteCreated(t)
		l.noteScheduled(t)
	}
	if l.mode == draining {
		t.deliver = deliverAlways // created during shutdown: it never starts
		t.root.cancel(ctxCancelled, false)
	}
	return t
}

// initTask makes t a task of l, not yet queued: its id, its own scope and
// Ctx, its options.
func (l *Loop) initTask(t *Task, opts []TaskOption) {
	l.ids++
	t.id, t.loop = l.ids, l
	if t.parent == nil {
		t.parent = l.parent
	}
	t.ctx = Ctx{t: t, s: &t.root}
	t.root.ctx = t.ctx
	t.scope = &t.root
	t.root.when.Store(-1)
	t.timer.task = t
	for _, o := range opts {
		o(t)
	}
}

// doneTask makes t (initialised here if it is not yet) a task that never
// runs and failed with err; the caller hands it to whoever asked for the
// task, so it is not reported to the exception handler.
func (l *Loop) doneTask(t *Task, err error, opts []TaskOption) *Task {
	if t.loop == nil {
		l.initTask(t, opts)
	}
	t.state, t.fn, t.err, t.retrieved = taskDone, nil, err, true
	t.root.end(ctxEnded)
	return t
}

// RunUntilComplete runs the loop until t finishes and returns t's error. The
// caller counts as t's awaiter, so t's error does not go to the exception
// handler. Other tasks are left as they are: run the loop again or Close it.
// It returns a *DeadlockError if t can never finish.
func (l *Loop) RunUntilComplete(t *Task) error {
	if t.loop != l {
		return fmt.Errorf("%w: %v", ErrOtherLoop, t)
	}
	t.retrieved = true
	if err := l.run(runningUntil, t); err != nil {
		return err
	}
	if t.state != taskDone {
		return fmt.Errorf("%w before %v finished", ErrLoopStopped, t)
	}
	return t.err
}

// RunForever runs the loop until Stop is called. Like MicroPython's, it also
// returns, with nil, when no task is left and nothing can add one (no timer,
// no KeepAlive held); and with a *DeadlockError when tasks are left that
// nothing can ever wake.
func (l *Loop) RunForever() error {
	return l.run(runningForever, nil)
}

// Stop makes RunForever return after the tasks that are ready now have had
// their turn; RunUntilComplete then returns ErrLoopStopped. A Stop made while
// the loop is not running is kept for its next run, which then runs one pass
// and returns (CPython's rule), so `go l.RunForever(); l.Stop()` always ends.
// Any goroutine may call it; on a nil Loop it does nothing.
func (l *Loop) Stop() {
	if l == nil {
		return
	}
	l.stopReq.Store(true)
	l.signal()
}

func (l *Loop) run(mode runMode, until *Task) error {
	l.init()
	if l.closed {
		return ErrLoopClosed
	}
	if l.mode != notRunning {
		return ErrLoopRunning
	}
	l.mode, l.until, l.halt = mode, until, until != nil && until.state == taskDone
	l.debugEnter()
	defer func() {
		l.debugLeave()
		l.mode, l.until = notRunning, nil
	}()
	return l.loop()
}

// loop is the scheduler, the whole run loop: run the work other goroutines
// posted, wait while nothing is ready (idle: for as long as the loop's clock
// says), fire due timers, and run every ready task once, in order.
func (l *Loop) loop() error {
	defer l.endIdle()
	for !l.halt {
		if l.hasPosted.Load() {
			l.runPosted()
		}
		idled := l.ready.len() == 0
		if idled {
			if done, err := l.idle(); done || err != nil {
				return err
			}
		} else if b := l.poller.Load(); b != nil {
			b.p.Poll(0) // busy tasks must not starve the I/O the poller watches
		}
		if l.rounds != nil {
			l.rounds.round(idled, &l.timers) // a paced clock's time flows while tasks spin
		}
		if l.timers.len() > 0 {
			now := l.clock.now()
			for t := l.timers.popDue(now); t != nil; t = l.timers.popDue(now) {
				l.fire(t)
			}
		}
		for n := l.ready.len(); n > 0 && !l.halt; n-- {
			if l.hasPosted.Load() {
				n += l.runPosted() // an interrupt's task runs next
			}
			it := l.ready.pop()
			switch t := it.t; {
			case t == nil:
				l.callback(it.fn)
			case t.state == taskStarted && !l.instrumented:
				// step's common case written out, one return fewer after
				// the switch back (see Task.yieldNow).
				l.current = t
				_, running := t.next()
				l.current = nil
				if !running || t.exiting != exitNone {
					l.finish(t)
				}
			default:
				l.step(t)
			}
		}
		if l.stopReq.Load() && l.mode != draining {
			l.stopReq.Store(false) // after one pass, even if Stop came before the run
			return nil
		}
	}
	return nil
}

// step resumes t until its next await point.
func (l *Loop) step(t *Task) {
	if t.state != taskStarted && !l.startStep(t) {
		return
	}
	l.current = t
	var running bool
	if l.instrumented {
		running = l.stepInstrumented(t)
	} else {
		_, running = t.next()
	}
	l.current = nil
	if !running || t.exiting != exitNone {
		l.finish(t)
	}
}

// startStep is step's first look at a task that is not started: a new one
// gets its coroutine, unless it was cancelled first or has no function; a
// done one was queued to report an error nobody retrieved. It reports
// whether t is to be resumed.
func (l *Loop) startStep(t *Task) bool {
	if t.state == taskDone {
		if !t.retrieved {
			t.retrieved = true
			l.CallExceptionHandler(ExceptionContext{Message: "Task exception wasn't retrieved", Err: t.err, Task: t})
		}
		return false
	}
	if t.deliver != deliverNone || t.fn == nil {
		t.err = ErrCancelled
		if t.fn == nil {
			t.err = fmt.Errorf("%w: %v", ErrNilFunc, t)
		}
		l.finish(t)
		return false
	}
	t.state = taskStarted
	t.next, t.stop = iter.Pull(t.body)
	return true
}

// finish records that t returned: wake its awaiters, or queue a report of an
// error nobody awaited (MicroPython waits one turn before reporting, so a
// task may still await t meanwhile).
func (l *Loop) finish(t *Task) {
	if t.exiting != exitNone {
		endCoroutine(t.stop) // it called runtime.Goexit and waits in its body
	}
	t.state = taskDone
	t.fn, t.next, t.yield, t.stop = nil, nil, nil, nil
	t.createdBy = nil // its children still name it; a chain of finished creators is not kept
	l.live.remove(t)
	for s := t.scope; s != nil; s = s.parent {
		s.end(ctxEnded) // scopes left open by a Goexit included
	}
	t.scope = &t.root
	if len(l.instruments) > 0 {
		l.noteExited(t)
	}
	if len(t.waiters.list) > 0 {
		t.retrieved = t.retrieved || t.waiters.retrieve()
		if len(l.instruments) > 0 {
			prev := l.current
			l.current = t // instruments see the finished task as the waker
			t.waiters.finished(t)
			l.current = prev
		} else {
			t.waiters.finished(t)
		}
	}
	if !t.retrieved && t.err != nil && !errors.Is(t.err, ErrCancelled) {
		l.ready.push(t)
	}
	if t == l.until {
		l.halt = true
	}
}

// wake makes a parked task ready: at the back of the run queue, or, woken
// by work posted from another goroutine, at its front (see runPosted).
func (l *Loop) wake(t *Task) {
	t.blocker = nil
	if l.urgent {
		l.woken = append(l.woken, t)
	} else {
		l.ready.push(t)
	}
	if len(l.instruments) > 0 {
		l.noteScheduled(t)
	}
}

// remove implements waitQueue for sleeping tasks.
func (h *timerHeap) remove(t *Task) { h.disarm(&t.timer) }

func (h *timerHeap) describe() string { return "sleeping" }

// cancel cancels t's own scope, which delivers a cancellation to t (not
// running); see cancelScope.cancel.
func (l *Loop) cancel(t *Task) { t.root.cancel(ctxCancelled, true) }

// endCoroutine stops the coroutine of a task that called runtime.Goexit:
// its body waits in a deferred call and ends with a panic that iter.Pull
// hands back here, instead of the Goexit it would otherwise pass on to the
// loop's goroutine.
func endCoroutine(stop func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(goexitDone); !ok {
				panic(r)
			}
		}
	}()
	stop()
}

func (l *Loop) fire(t *timer) {
	if t.task != nil {
		l.wake(t.task)
		return
	}
	l.ready.pushItem(runItem{fn: t.fn})
}

// idle waits until a task is ready. It reports done when the run is over,
// and a *DeadlockError when nothing could ever make a task ready. How long
// it waits for the earliest deadline is the clock's answer (clock.sleep);
// a virtual clock may move to it only when nothing else can happen first.
func (l *Loop) idle() (done bool, err error) {
	for l.ready.len() == 0 {
		if l.hasPosted.Load() {
			l.runPosted()
			if b := l.poller.Load(); b != nil {
				b.p.Poll(0) // as a busy round does: the posted work may have started I/O
			}
			continue
		}
		if l.mode == draining {
			return true, nil // in shutdown no task can wait, so all are done
		}
		if l.stopReq.Load() {
			return false, nil // the loop returns at its next check
		}
		when, timed := l.timers.peek()
		if !timed && l.holds.Load() == 0 {
			if l.live.n == 0 && l.mode == runningForever {
				return true, nil
			}
			return true, l.deadlock()
		}
		if timed && l.clock.virtual() {
			if l.threadsBusy.Load() > 0 {
				l.wait(-1) // a ToThread's result is on its way: no jump before it
				continue
			}
			// The count falls as the loop runs a ToThread's result, so a
			// result not yet taken is posted work or on its way.
			if l.pollBeforeJump() {
				continue // ready I/O and posted work come before a jump in time
			}
		}
		d := l.clock.sleep(when, timed)
		if d == 0 {
			return false, nil // the clock is at the deadline
		}
		l.wait(d)
		l.clock.waited(when, timed)
	}
	return false, nil
}

// wait blocks until the loop is signalled or, if d >= 0, d has passed: in
// the Poller if one is set, else in the loop's futex (idle_linux.go) or on
// its timer and wake-up channel.
func (l *Loop) wait(d time.Duration) {
	l.blocks++
	if len(l.instruments) > 0 {
		for _, i := range l.instruments {
			i.BeforeIdle(d)
		}
		defer func() {
			for _, i := range l.instruments {
				i.AfterIdle()
			}
		}()
	}
	if b := l.poller.Load(); b != nil {
		b.p.Poll(d)
		return
	}
	if l.sleepIdle(d) {
		return
	}
	if d < 0 {
		<-l.wakeup
		return
	}
	if l.idleTimer == nil {
		l.idleTimer = time.NewTimer(d)
	} else {
		l.idleTimer.Reset(d)
	}
	select {
	case <-l.wakeup:
	case <-l.idleTimer.C:
	}
	l.idleTimer.Stop()
}

// pollBeforeJump looks, without waiting, for I/O that is ready and work
// posted by other goroutines, so that a virtual clock never jumps past them.
// It reports whether any was found.
func (l *Loop) pollBeforeJump() bool {
	if b := l.poller.Load(); b != nil {
		b.p.Poll(0)
	}
	return l.ready.len() > 0 || l.hasPosted.Load()
}

func (l *Loop) deadlock() error {
	e := &DeadlockError{}
	for t := l.live.head; t != nil; t = t.nextLive {
		what := "ready"
		if t.blocker != nil {
			what = t.blocker.describe()
		}
		if t.awaiting != nil {
			what += " " + t.awaiting.String()
		}
		e.Blocked = append(e.Blocked, t.String()+" ("+what+")")
	}
	return e
}

// signal wakes the loop if it is sleeping.
func (l *Loop) signal() {
	l.init()
	if b := l.poller.Load(); b != nil {
		b.p.Wake()
		return
	}
	if l.wakeIdle() {
		return
	}
	select {
	case l.wakeup <- struct{}{}:
	default:
	}
}

// runPosted runs the work other goroutines posted, at once, and puts the
// tasks it wakes at the front of the run queue, in the order it woke them:
// the loop looks for posted work before every task step (as MicroPython's
// polls for I/O before every step), so an interrupt's task (one woken by
// ThreadSafeFlag.Set or CallSoonThreadsafe) runs next instead of behind
// every task already ready. It returns how many tasks it put there.
func (l *Loop) runPosted() int {
	l.mu.Lock()
	fns := l.posted
	l.posted, l.postedSpare = l.postedSpare, nil
	l.hasPosted.Store(false)
	l.mu.Unlock()
	l.urgent = true
	for _, fn := range fns {
		l.callback(fn)
	}
	l.urgent = false
	clear(fns)
	l.mu.Lock()
	if l.postedSpare == nil && !l.closed {
		l.postedSpare = fns[:0]
	}
	l.mu.Unlock()
	n := len(l.woken)
	for i := n - 1; i >= 0; i-- {
		l.ready.pushFront(runItem{t: l.woken[i]})
		l.woken[i] = nil
	}
	l.woken = l.woken[:0]
	return n
}

// KeepAlive tells the loop that a goroutine outside it may still hand it work
// with CallSoonThreadsafe, so that an idle loop sleeps until then instead of
// reporting a deadlock. Call the returned function, once, when that is no
// longer so. Any goroutine may call it.
func (l *Loop) KeepAlive() (release func()) {
	l.hold()
	var once sync.Once
	return func() { once.Do(l.unhold) }
}

// hold and unhold are KeepAlive without its allocations, for waits inside
// the package (ThreadSafeFlag, ToThread), which release exactly once.
func (l *Loop) hold() { l.holds.Add(1) }

func (l *Loop) unhold() {
	l.holds.Add(-1)
	l.signal()
}
