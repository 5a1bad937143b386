package asyncio

import "time"

// WaitFor runs fn as a new task and waits for it for at most d (MicroPython's
// wait_for). It returns fn's error if fn finishes in time. If the time is up
// first, it cancels the task, waits for it to finish its clean-up, and
// returns ErrTimeout, even if the task caught the cancellation and returned
// normally (MicroPython's behaviour; CPython 3.11 returns the result then).
// If the calling task is cancelled while it waits, the inner task is
// cancelled too and WaitFor returns ErrCancelled at once.
//
// WaitFor takes the turns MicroPython's wait_for takes, which waits for the
// task through a runner task: it returns one turn after the task finished,
// never in the same turn, and at least two turns after it was called (see
// waitForRunner).
func WaitFor(ctx *Ctx, d time.Duration, fn func(*Ctx) error) error {
	cur, err := ctx.running()
	if err != nil {
		return err
	}
	return WaitForTask(ctx, d, cur.loop.newTask(inherit(cur), fn, nil))
}

// WaitForMs is WaitFor with a timeout in milliseconds (MicroPython's
// wait_for_ms).
func WaitForMs(ctx *Ctx, ms int, fn func(*Ctx) error) error {
	return WaitFor(ctx, msDuration(ms), fn)
}

// WaitForOf is WaitFor for a function that returns a value.
func WaitForOf[T any](ctx *Ctx, d time.Duration, fn func(*Ctx) (T, error)) (T, error) {
	cur, err := ctx.running()
	if err != nil {
		var zero T
		return zero, err
	}
	t := newTaskOfFrom(cur, cur.loop, fn, nil)
	err = WaitForTask(ctx, d, &t.Task)
	return t.value, err
}

// WaitForTask is WaitFor for a task that already exists. A task that has
// already finished is waited for like any other: its result comes back two
// turns later (MicroPython and CPython let the other tasks run meanwhile).
func WaitForTask(ctx *Ctx, d time.Duration, t *Task) error {
	cur, err := ctx.running()
	if err != nil {
		return err
	}
	if err := cur.checkAwait(t); err != nil {
		return err
	}
	l := cur.loop
	r := &waitForRunner{waiter: cur, t: t, waiting: true}
	r.watch.fn = r.taskDone
	l.ready.pushItem(runItem{fn: r.start}) // queued as create_task queues it
	if d <= 0 {
		err = cur.yieldNow() // MicroPython sleeps 0: a turn, not a timer
	} else {
		l.timers.arm(&cur.timer, l.deadline(d))
		err = cur.park(waitForWait{l})
	}
	r.waiting = false
	switch {
	case err != nil: // cancelled from outside, even if the result was in
		r.cancel()
		return err
	case r.finished:
		return t.err
	}
	// The time is up: cancel the work and wait for the runner to end.
	r.cancel()
	if r.state != runnerDone {
		r.awaitedBy = cur
		if r.state == runnerAwaiting {
			cur.awaiting = t // a cancel of the waiter goes on to the work
		}
		err := cur.park(&r.awaiters)
		cur.awaiting, r.awaitedBy = nil, nil
		if err != nil {
			return err // cancelled again while waiting for the clean-up
		}
	}
	return ErrTimeout
}

// waitForRunner is MicroPython's wait_for runner task without a coroutine:
// two steps on the run queue, at the turns the runner would take. Its first
// step awaits the work; once the work has finished, its second step tells the
// waiter, if it still waits, and wakes it. The waiter therefore resumes one
// turn after the work ends, and a work already finished still takes the
// runner's turn. Cancelled before its first step, the runner ends without
// touching the work (as MicroPython's does, whose try block has not begun).
type waitForRunner struct {
	waiter    *Task
	t         *Task // the work
	state     runnerState
	cancelled bool // cancelled before its first step
	waiting   bool // the waiter has not resumed from its wait yet
	finished  bool // the runner told the waiter that the work finished
	awaitedBy *Task
	awaiters  runnerWaiters
	watch     watch
}

type runnerState uint8

const (
	runnerQueued   runnerState = iota // its first step is on the run queue
	runnerAwaiting                    // waiting for the work to finish
	runnerResuming                    // the work finished; its second step is on the run queue
	runnerDone
)

// waitForWait is where a task waits in WaitFor: on its own timer.
type waitForWait struct{ l *Loop }

func (w waitForWait) remove(t *Task) { w.l.timers.disarm(&t.timer) }
func (waitForWait) describe() string { return "waiting with a timeout" }

// runnerWaiters is where the waiter waits for the runner after a timeout.
type runnerWaiters struct{}

func (*runnerWaiters) remove(*Task)     {}
func (*runnerWaiters) describe() string { return "waiting for a timed-out task's clean-up" }

func (r *waitForRunner) start() {
	switch {
	case r.cancelled:
		r.end()
	case r.t.state == taskDone:
		r.t.retrieved = true
		r.report()
	default:
		r.state = runnerAwaiting
		r.t.waiters.addWatch(&r.watch)
	}
}

// taskDone is the runner's watch on the work: the runner becomes ready.
func (r *waitForRunner) taskDone(*Task) {
	r.state = runnerResuming
	r.waiter.loop.ready.pushItem(runItem{fn: r.report})
}

// report is the runner's last step: a waiter still waiting gets the result.
func (r *waitForRunner) report() {
	if r.waiting {
		r.finished = true
		w := r.waiter
		if w.blocker != nil {
			w.blocker.remove(w)
			w.loop.wake(w)
		}
	}
	r.end()
}

func (r *waitForRunner) end() {
	r.state = runnerDone
	if w := r.awaitedBy; w != nil && w.blocker == waitQueue(&r.awaiters) {
		w.loop.wake(w)
	}
}

// cancel is runner_task.cancel(): before its first step it never starts;
// while it awaits the work, the work is cancelled.
func (r *waitForRunner) cancel() {
	switch r.state {
	case runnerQueued:
		r.cancelled = true
	case runnerAwaiting:
		r.t.Cancel()
	}
}
