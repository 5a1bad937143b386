package asyncio

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync/atomic"
)

// Ctx is a running task's view of its loop: every function that may pause
// (Sleep, Task.Await, ...) takes the Ctx its task was started with.
//
// A Ctx is valid only inside its task, while that task runs. Every function
// of the package that takes a Ctx follows one rule when given any other: a
// nil or zero Ctx, the Ctx of a task that has finished or is not the one
// running (such as a task of another loop), or, in debug mode (see Debug),
// a Ctx used from another goroutine. The function does nothing and says so:
// a function that returns an error returns one matching ErrNotInTask (in
// debug mode from the wrong goroutine, ErrWrongGoroutine); CreateTask and
// CreateTaskOf, which return a task, return one that is already done and
// never runs, belongs to no loop, and whose Err is that error (Await on it
// returns the error at once, Cancel returns ErrTaskDone), as Loop.CreateTask
// does on a closed loop; CurrentTask returns nil. Only the methods a Ctx has
// as a context.Context (Deadline, Done, Err, Value) and TaskVar.Get, which
// any goroutine may call, answer for any Ctx: a Ctx of no task is done.
type Ctx struct {
	t *Task
	s *cancelScope // the scope the Ctx belongs to (see scope.go)
}

// Task returns the task this Ctx belongs to, nil for a nil or zero Ctx.
func (c *Ctx) Task() *Task {
	if c == nil {
		return nil
	}
	return c.t
}

// Loop returns the loop the task runs on, nil for a nil or zero Ctx.
func (c *Ctx) Loop() *Loop {
	if c == nil || c.t == nil {
		return nil
	}
	return c.t.loop
}

// running returns the task if c is the Ctx of the task running now.
func (c *Ctx) running() (*Task, error) {
	// c.t.loop is set whenever c.t is: a Ctx is made with its task. debug
	// is read first: it is set when the loop is made, while current is the
	// loop's to write, and in debug mode another goroutine must not read
	// it before runningSlow has checked the goroutine.
	if c != nil && c.t != nil && !c.t.loop.debug && c.t.loop.current == c.t {
		return c.t, nil
	}
	return c.runningSlow()
}

// runningSlow is running's answer for a wrong Ctx, and for debug mode,
// where the goroutine is checked before the loop's state is read, which
// another goroutine would race on.
func (c *Ctx) runningSlow() (*Task, error) {
	if c == nil || c.t == nil || c.t.loop == nil {
		return nil, ErrNotInTask
	}
	if err := c.t.loop.checkGoroutine("a task's Ctx"); err != nil {
		return nil, err
	}
	if c.t.loop.current != c.t {
		return nil, ErrNotInTask
	}
	return c.t, nil
}

type taskState uint8

const (
	taskNew     taskState = iota // created, its function not yet called
	taskStarted                  // running, ready, or parked
	taskDone
)

// waitQueue is where a parked task waits; cancelling the task removes it.
type waitQueue interface {
	remove(t *Task)
	describe() string // what a task parked here waits for, for deadlock reports
}

// awaiters are what waits for a task to finish: tasks parked in Await, and
// watches (Gather, Wait, TaskGroup), told in the order they were added.
type awaiters struct{ list []awaiter }

type awaiter struct {
	t *Task  // a parked task to wake, or
	w *watch // a watch to tell
}

// watch is a function called on the loop when a watched task finishes.
type watch struct {
	fn      func(t *Task)
	observe bool // a done callback: it does not retrieve the task's error
}

func (a *awaiters) push(t *Task)      { a.list = append(a.list, awaiter{t: t}) }
func (a *awaiters) addWatch(w *watch) { a.list = append(a.list, awaiter{w: w}) }
func (a *awaiters) remove(t *Task)    { a.delete(awaiter{t: t}) }
func (a *awaiters) removeWatch(w *watch) {
	a.delete(awaiter{w: w})
}

func (a *awaiters) delete(x awaiter) {
	if i := slices.Index(a.list, x); i >= 0 {
		a.list = slices.Delete(a.list, i, i+1)
	}
}

func (*awaiters) describe() string { return "awaiting" }

// retrieve reports whether someone in the list takes the task's result: a
// parked task or a watch other than a done callback.
func (a *awaiters) retrieve() bool {
	for _, x := range a.list {
		if x.t != nil || !x.w.observe {
			return true
		}
	}
	return false
}

// finished wakes the parked tasks and tells the watches that t is done.
func (a *awaiters) finished(t *Task) {
	list := a.list
	a.list = nil
	for _, x := range list {
		if x.t != nil {
			x.t.awaiting = nil // a later cancel is its own, not t's
			x.t.loop.wake(x.t)
		} else {
			x.w.fn(t)
		}
	}
}

// Task is a function scheduled to run on a loop, concurrently with the other
// tasks of that loop. Only one task of a loop runs at a time: it runs until
// it pauses at an await point (Sleep, Await, ...), and then the loop runs the
// next ready task.
type Task struct {
	// The fields a task switch touches come first, to share a cache line:
	// its Ctx too, which every await point reads.
	ctx            Ctx // the task's own: its root scope's
	loop           *Loop
	next           func() (struct{}, bool) // resumes the coroutine
	yield          func(struct{}) bool     // pauses it; used from inside
	state          taskState
	deliver        uint8        // a cancellation to deliver at await points: deliverNone, Once, Always
	shutdownAwaits uint8        // await points passed since Close cancelled it
	retrieved      bool         // its result was or will be seen by someone
	exiting        taskExit     // how the coroutine ended other than by returning
	id             uint32       // for the default name
	scope          *cancelScope // the innermost open scope, &root outside any

	blocker  waitQueue // where the task is parked, nil when ready or running
	timer    timer     // its sleep wake-up
	awaiting *Task     // the task it awaits, to forward cancellation
	waiters  awaiters  // tasks awaiting this one
	fn       func(*Ctx) error
	name     string
	err      error // the task's result once done

	prevLive, nextLive *Task
	stop               func()                    // ends the coroutine; kept for a task that called runtime.Goexit
	vals               atomic.Pointer[valueNode] // its TaskVar settings, copied from its creator
	parent             context.Context           // whose values come after its own; nil for none
	createdBy          *Task                     // the task that created it, for task dumps; its own createdBy is dropped when it ends
	root               cancelScope
}

// taskExit says how a task's coroutine ended when its function did not
// return.
type taskExit uint8

const (
	exitNone     taskExit = iota
	exitUnwound           // unwound by Close after ignoring its cancellation
	exitGoexit            // its function called runtime.Goexit
	exitPanicked          // its function panicked (maybe during a Goexit)
)

// TaskOption configures a task at creation.
type TaskOption func(*Task)

// Named gives a task a name, shown in errors, deadlock reports and the
// exception handler. Unnamed tasks are called "task-N".
func Named(name string) TaskOption { return func(t *Task) { t.name = name } }

// CreateTask schedules fn to run as a new task on ctx's loop and returns it.
// The task starts at the creating task's next await point, not inside this
// call (MicroPython's order). A nil fn gives a task that fails with
// ErrNilFunc. Given a Ctx that is not the running task's, it returns a task
// that is already done and never runs, its Err saying why (see Ctx); before
// the loop runs, use Loop.CreateTask.
func CreateTask(ctx *Ctx, fn func(*Ctx) error, opts ...TaskOption) *Task {
	cur, err := ctx.running()
	if err != nil {
		return strayTask(&Task{}, "CreateTask", err, opts)
	}
	return cur.loop.newTask(inherit(cur), fn, opts)
}

// TaskOf is a Task whose function returns a value of type T.
type TaskOf[T any] struct {
	Task
	value T
}

// CreateTaskOf is CreateTask for a function that returns a value; the value
// comes back from the task's Await. Given a Ctx that is not the running
// task's, it returns a task that is already done, as CreateTask does.
func CreateTaskOf[T any](ctx *Ctx, fn func(*Ctx) (T, error), opts ...TaskOption) *TaskOf[T] {
	cur, err := ctx.running()
	if err != nil {
		tt := &TaskOf[T]{}
		strayTask(&tt.Task, "CreateTaskOf", err, opts)
		return tt
	}
	return newTaskOfFrom(cur, cur.loop, fn, opts)
}

// strayTask makes t a task created with a Ctx that is not the running
// task's: done from the start with err, and of no loop, since touching the
// Ctx's loop from here could race with the goroutine that runs it.
func strayTask(t *Task, fn string, err error, opts []TaskOption) *Task {
	for _, o := range opts {
		o(t)
	}
	t.state, t.retrieved = taskDone, true
	t.err = fmt.Errorf("asyncio: %s: %w", fn, err)
	return t
}

// inherit returns a new task that starts with its creator's values.
func inherit(creator *Task) *Task {
	t := &Task{}
	t.inheritFrom(creator)
	return t
}

// inheritFrom gives t, not yet made, its creator's values (as CPython's
// create_task copies the context) and remembers the creator for task dumps.
func (t *Task) inheritFrom(creator *Task) {
	t.parent, t.createdBy = creator.parent, creator
	t.vals.Store(creator.vals.Load())
}

func newTaskOf[T any](l *Loop, fn func(*Ctx) (T, error), opts []TaskOption) *TaskOf[T] {
	return newTaskOfFrom(nil, l, fn, opts)
}

// newTaskOfFrom makes a TaskOf on l; creator, if not nil, passes its values on.
func newTaskOfFrom[T any](creator *Task, l *Loop, fn func(*Ctx) (T, error), opts []TaskOption) *TaskOf[T] {
	tt := &TaskOf[T]{}
	if creator != nil {
		tt.inheritFrom(creator)
	}
	var body func(*Ctx) error
	if fn != nil {
		body = func(ctx *Ctx) error {
			v, err := fn(ctx)
			tt.value = v
			return err
		}
	}
	l.newTask(&tt.Task, body, opts)
	return tt
}

// CurrentTask returns the task running now, the one ctx belongs to, or nil
// when ctx is not the Ctx of the running task.
func CurrentTask(ctx *Ctx) *Task {
	t, _ := ctx.running()
	return t
}

// InTask returns nil if ctx is the Ctx of the task running now, and
// otherwise the error a blocking call such as Sleep returns: ErrNotInTask
// for a nil or zero Ctx, a finished task's, or one of a task that is not
// running; in debug mode (see Debug), one matching ErrWrongGoroutine for a
// call from a goroutine other than the loop's. Outside debug mode a call
// from another goroutine while the task runs is not caught. Packages that
// build blocking calls on the loop, as stream and mqtt do, check with it
// first, before they change anything.
func InTask(ctx *Ctx) error {
	_, err := ctx.running()
	return err
}

// creator returns the name of the task that created t, "" if none did.
func (t *Task) creator() string {
	if t.createdBy == nil {
		return ""
	}
	return t.createdBy.Name()
}

// Name returns the task's name.
func (t *Task) Name() string {
	if t.name == "" {
		t.name = "task-" + strconv.FormatUint(uint64(t.id), 10)
	}
	return t.name
}

// String returns the task's name in quotes, prefixed by "task".
func (t *Task) String() string { return "task " + strconv.Quote(t.Name()) }

// Loop returns the loop the task belongs to.
func (t *Task) Loop() *Loop { return t.loop }

// Context returns the task's Ctx as a context.Context: it is done once the
// task is cancelled or has returned, so it can stop Go code that works for
// the task. Any goroutine may use it.
func (t *Task) Context() context.Context {
	if t == nil {
		return (*Ctx)(nil)
	}
	return &t.ctx
}

// Done reports whether the task has finished.
func (t *Task) Done() bool { return t.state == taskDone }

// Err returns the task's error once it is done (nil for success), and nil
// while it still runs.
func (t *Task) Err() error { return t.err }

// Cancelled reports whether the task finished with a cancellation error.
func (t *Task) Cancelled() bool { return t.state == taskDone && errors.Is(t.err, ErrCancelled) }

// Cancel asks the task to stop, with MicroPython's semantics:
//
//   - a task that has not started yet finishes with ErrCancelled without its
//     function ever being called;
//   - a task paused at an await point (sleeping, waiting) is made ready at
//     once, and that await point returns ErrCancelled;
//   - a task that is awaiting another task passes the cancellation on: the
//     innermost awaited task is cancelled instead, and the awaiter gets
//     whatever that task ends with;
//   - a task that is ready but has not resumed yet gets ErrCancelled from the
//     await point it resumes at.
//
// The cancellation is delivered once. A task that ignores the ErrCancelled
// and goes on is not cancelled again: its later awaits behave normally and
// its result is whatever it returns, as in MicroPython. Its own Ctx, as a
// context.Context, stays done. (Shutdown differs: once Loop.Close, or the end
// of Run, has cancelled a task, every later await point of that task returns
// ErrCancelled; see Loop.Close.)
//
// Cancel returns nil when the request was made, ErrTaskDone when the task had
// already finished, ErrCancelSelf when called on the running task, and
// ErrZeroTask on a Task that was not made by the loop. It must be called on
// the loop's goroutine (from a task or loop callback).
func (t *Task) Cancel() error {
	if t == nil || t.loop == nil {
		if t != nil && t.state == taskDone {
			return ErrTaskDone // made with a stray Ctx (see Ctx)
		}
		return ErrZeroTask
	}
	if err := t.loop.checkGoroutine("Task.Cancel"); err != nil {
		return err
	}
	if t.state == taskDone {
		return ErrTaskDone
	}
	if t == t.loop.current {
		return ErrCancelSelf
	}
	t.loop.cancel(t.innermostAwaited())
	return nil
}

// innermostAwaited follows the chain of tasks awaiting each other from t to
// the last one that is not done.
func (t *Task) innermostAwaited() *Task {
	for t.awaiting != nil && t.awaiting.state != taskDone {
		t = t.awaiting
	}
	return t
}

// Await pauses the calling task until t finishes and returns t's error. If t
// is already done it returns at once without pausing. If the awaiting task is
// cancelled meanwhile, the cancellation goes to t (see Cancel), and Await
// returns what t ends with.
func (t *Task) Await(ctx *Ctx) error {
	cur, err := ctx.running()
	if err != nil {
		return err
	}
	if err := cur.checkAwait(t); err != nil {
		return err
	}
	if t.state == taskDone {
		t.retrieved = true
	} else {
		t.waiters.push(cur)
		cur.awaiting = t
		err := cur.park(&t.waiters)
		cur.awaiting = nil
		if err != nil {
			return err
		}
	}
	return t.err
}

func (cur *Task) checkAwait(t *Task) error {
	switch {
	case t == nil:
		return errors.New("asyncio: Await on a nil task")
	case t.loop == nil && t.state != taskDone: // done: made with a stray Ctx
		return ErrZeroTask
	case t.loop != nil && t.loop != cur.loop:
		return fmt.Errorf("%w: %v awaited from %v", ErrOtherLoop, t, cur)
	}
	if cycle, _ := awaitCycle(cur, t); cycle {
		return fmt.Errorf("%w: %v awaits %v, which waits for it", ErrAwaitSelf, cur, t)
	}
	return nil
}

// awaitCycle reports whether t waits for cur, the running task, through a
// chain of Awaits (or is cur), so that cur awaiting t would never end. It
// searches from both ends at once, one step each in turn: up the chain of
// tasks that t awaits, and breadth-first through the tasks that await cur.
// So it costs O(min(chain, awaiters)) steps; a task awaited by no other, as
// each is when a chain is built bottom up, costs O(1). steps is for tests.
//
// Both sides follow a link x -> y only while x is parked in y.Await: a task
// woken by a cancellation, still on its way out of Await, waits for nothing.
func awaitCycle(cur, t *Task) (cycle bool, steps int) {
	up := t
	var below []*Task // tasks known to await cur, not yet searched
	node, i := cur, 0 // searching node.waiters.list from i
	for {
		steps++
		if up == cur {
			return true, steps
		}
		if up = up.awaitingParked(); up == nil {
			return false, steps // t's chain ends without reaching cur
		}
		for node != nil && i == len(node.waiters.list) {
			node, i = nil, 0
			if len(below) > 0 {
				node, below = below[0], below[1:]
			}
		}
		if node == nil {
			return false, steps // no task that awaits cur is t
		}
		x := node.waiters.list[i].t
		i++
		if x != nil && x.awaitingParked() == node {
			if x == t {
				return true, steps
			}
			below = append(below, x)
		}
	}
}

// awaitingParked returns the task t is parked awaiting, or nil.
func (t *Task) awaitingParked() *Task {
	if a := t.awaiting; a != nil && t.blocker == waitQueue(&a.waiters) {
		return a
	}
	return nil
}

// Await waits for the task like Task.Await and returns its value and error.
func (t *TaskOf[T]) Await(ctx *Ctx) (T, error) {
	err := t.Task.Await(ctx)
	return t.value, err
}

// Result returns the task's value and error once it is done.
func (t *TaskOf[T]) Result() (T, error) { return t.value, t.err }

// park pauses the running task until the loop makes it ready again, with q
// recording where it waits. It returns ErrCancelled if the task was
// cancelled, whether before parking or while parked.
func (t *Task) park(q waitQueue) error {
	if t.exiting != exitNone || t.deliver != deliverNone {
		return t.parkCancelled(q)
	}
	t.blocker = q
	if t.loop.slow > 0 {
		t.loop.noteAwait(t)
	}
	t.yield(struct{}{}) // here, not in a helper: see yieldNow
	return t.resumed()
}

// parkCancelled is park for a task that is unwinding or has a cancel
// waiting (forwarded through an await chain, or the shutdown).
func (t *Task) parkCancelled(q waitQueue) error {
	q.remove(t)
	if t.exiting != exitNone {
		return ErrCancelled // unwinding: its deferred calls may not wait
	}
	return t.yieldNow() // deliver the cancel after one turn, as at any await point
}

// yieldNow puts the running task at the back of the run queue and pauses it.
//
// Each await point (yieldNow, park, Sleep's Sleep(0)) calls the coroutine's
// yield itself rather than through a helper they share: when the task is
// resumed, the CPU's return-stack predictor still holds the loop's calls,
// so every return between the yield and the task's own code is
// mispredicted, a few nanoseconds each (docs/design.md, the task switch).
func (t *Task) yieldNow() error {
	if t.exiting != exitNone {
		return ErrCancelled // unwinding: its deferred calls may not wait
	}
	l := t.loop
	l.ready.push(t)
	if l.instrumented {
		l.noteYield(t)
	}
	t.yield(struct{}{})
	return t.resumed()
}

// noteYield tells the instruments and the slow-task watch that the running
// task yields.
func (l *Loop) noteYield(t *Task) {
	if len(l.instruments) > 0 {
		l.noteScheduled(t)
	}
	if l.slow > 0 {
		l.noteAwait(t)
	}
}

// resumed is what an await point returns once its task resumes: nil, or a
// cancellation waiting for it.
func (t *Task) resumed() error {
	if t.deliver == deliverNone {
		return nil
	}
	return t.deliverCancel()
}

// deliverCancel is resumed's rare case, kept out of line so that resumed
// is inlined into every await point.
//
//go:noinline
func (t *Task) deliverCancel() error {
	if t.deliver == deliverOnce {
		t.deliver = deliverNone
		return ErrCancelled
	}
	return t.shutdownAwait()
}

// shutdownAwait is every await point of a task once Close has cancelled it:
// it returns ErrCancelled, and after shutdownAwaits of them it ends the task
// with runtime.Goexit, which runs the task's deferred calls and which no
// recover can stop, so that Close always ends. Awaits in those deferred
// calls return ErrCancelled at once.
func (t *Task) shutdownAwait() error {
	if t.shutdownAwaits <= shutdownAwaits { // the await it was paused at, then 16 more
		t.shutdownAwaits++
		return ErrCancelled
	}
	t.loop.unwound = append(t.loop.unwound, fmt.Errorf("%w: %v", ErrIgnoredCancel, t))
	t.exiting = exitUnwound
	runtime.Goexit()
	return ErrCancelled
}

// body is the coroutine of a started task.
func (t *Task) body(yield func(struct{}) bool) {
	t.yield = yield
	t.debugStart()
	returned := false
	defer func() {
		r := recover()
		switch {
		case r != nil:
			t.err = &PanicError{Task: t.Name(), Value: r, Stack: debug.Stack()}
			// A panic recovered here may have been raised by a deferred
			// call during a runtime.Goexit, which recover does not stop:
			// returning would let the Goexit end the coroutine, and
			// iter.Pull would pass it on to the loop's goroutine. So the
			// coroutine is ended as after a Goexit.
			if t.exiting == exitNone {
				t.exiting = exitPanicked
			}
			yield(struct{}{})
			panic(goexitDone{})
		case !returned:
			// runtime.Goexit (t.FailNow in a test does it): it must not
			// reach the loop's goroutine, which iter.Pull would end too.
			// Hand control back to the loop as if the task paused; the loop
			// finishes the task and stops the coroutine, which ends here.
			if t.exiting == exitNone { // not Close's unwinding
				t.exiting = exitGoexit
				t.err = fmt.Errorf("%w: %v", ErrGoexit, t)
			} else {
				t.err = ErrCancelled
			}
			yield(struct{}{})
			panic(goexitDone{}) // turns the rest of the Goexit into a panic stop recovers
		}
	}()
	t.err = t.fn(&t.ctx)
	returned = true
}

// goexitDone ends the coroutine of a task that called runtime.Goexit; the
// loop recovers it. Its String says what it is, should it ever be seen.
type goexitDone struct{}

func (goexitDone) String() string {
	return "asyncio: internal: the end of a task that called runtime.Goexit"
}
