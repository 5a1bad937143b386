package asyncio

import (
	"errors"
	"fmt"
)

// ErrGroupClosed is matched by the error of a task started in a TaskGroup
// that has finished or is shutting down: it never runs.
var ErrGroupClosed = errors.New("asyncio: task group is closed")

// TaskGroup runs tasks that belong to one scope (CPython's TaskGroup, Trio's
// nursery): see WithTaskGroup.
type TaskGroup struct {
	parent   *Task
	scope    cancelScope
	children []*Task
	running  int
	errs     []error
	failed   bool // a child failed
	aborting bool // shutting down: a task or the body failed, or the caller was cancelled
	inBody   bool
	injected bool // the group's cancel is on its way to the parent itself
	closed   bool
	orphaned bool // the body panicked: failures go to the exception handler
	done     watch
}

type groupWait struct{}

func (groupWait) remove(*Task)     {}
func (groupWait) describe() string { return "waiting for its task group" }

// WithTaskGroup runs body in the calling task with a new TaskGroup, whose Go
// method starts tasks that belong to it, and returns only when body and every
// task of the group have finished (CPython's async with TaskGroup()).
//
// When a task of the group fails (returns an error other than a
// cancellation), the group cancels its other tasks and the body (at the
// await point where it waits). When the calling task is cancelled, the group
// cancels all its tasks. WithTaskGroup returns the tasks' failures joined
// with errors.Join in the order they happened, then body's own error, as
// CPython orders its ExceptionGroup; nil when everything succeeded. A
// cancellation of the calling task from outside makes it return ErrCancelled
// when no task failed, and the failures alone (no ErrCancelled) when some
// did, as CPython does.
//
// body gets the group's Ctx: as a context.Context it is done once a task of
// the group has failed, once the calling task is cancelled, and once
// WithTaskGroup returns; the calling task's own Ctx is not touched.
func WithTaskGroup(ctx *Ctx, body func(ctx *Ctx, g *TaskGroup) error) error {
	cur, err := ctx.running()
	if err != nil {
		return err
	}
	if body == nil {
		return ErrNilFunc
	}
	g := &TaskGroup{parent: cur, inBody: true}
	g.done.fn = g.childDone
	cur.openScope(&g.scope, -1)
	completed := false
	defer func() {
		if !completed {
			// The body panicked or called runtime.Goexit: nobody will wait
			// for the group's tasks, so they are cancelled, and a failure of
			// theirs goes to the exception handler rather than nowhere.
			g.orphaned = true
			g.abort()
		}
		cur.closeScope(&g.scope)
	}()
	berr := g.runBody(body)
	completed = true
	// cancelled: a cancellation from outside reached the group.
	cancelled := g.scope.outer && cur.deliver == deliverNone // delivered inside the body
	if berr != nil {
		if errors.Is(berr, ErrCancelled) {
			cancelled = cancelled || !g.failed // not the group's own doing: from outside
		}
		g.abort()
	}
	for g.running > 0 {
		if err := cur.park(groupWait{}); err != nil && !g.aborting {
			cancelled = true
			g.abort()
		}
	}
	g.closed = true
	if cancelled && len(g.errs) == 0 {
		return ErrCancelled
	}
	if berr != nil && !errors.Is(berr, ErrCancelled) {
		g.errs = append(g.errs, berr)
	}
	return errors.Join(g.errs...)
}

// runBody runs the body; a cancellation the group sent to the calling task
// that was never delivered is withdrawn, unless one from outside came too.
func (g *TaskGroup) runBody(body func(*Ctx, *TaskGroup) error) error {
	defer func() {
		g.inBody = false
		if !g.scope.outer && g.injected && g.parent.deliver == deliverOnce {
			g.parent.deliver = deliverNone // ours, never delivered: it must not leak out
		}
	}()
	return body(&g.scope.ctx, g)
}

// Go starts fn as a task of the group and returns it. The task starts at the
// caller's next await point, like CreateTask. Go may be called from the body
// or from the group's tasks. A group that has finished, or that is shutting
// down (a task failed, the body failed or the calling task was cancelled),
// starts nothing: Go returns a task that is already done, whose Err matches
// ErrGroupClosed and says which (CPython raises RuntimeError there).
//
// Go panics with a message saying so when g was not made by WithTaskGroup
// (a nil or zero TaskGroup): there is no loop to start the task on.
func (g *TaskGroup) Go(fn func(*Ctx) error, opts ...TaskOption) *Task {
	if g == nil || g.parent == nil {
		panic("asyncio: TaskGroup.Go on a TaskGroup not made by WithTaskGroup")
	}
	l := g.parent.loop
	switch {
	case g.closed:
		return l.doneTask(&Task{}, fmt.Errorf("%w: it has finished", ErrGroupClosed), opts)
	case g.aborting:
		return l.doneTask(&Task{}, fmt.Errorf("%w: it is shutting down", ErrGroupClosed), opts)
	}
	t := l.newTask(inherit(g.parent), fn, opts)
	g.children = append(g.children, t)
	g.running++
	t.waiters.addWatch(&g.done)
	return t
}

// abort starts the group's shutdown: its tasks are cancelled, and Go starts
// no more.
func (g *TaskGroup) abort() {
	g.aborting = true
	g.cancel()
}

// Cancel cancels every unfinished task of the group; the body goes on. On a
// nil or zero TaskGroup it does nothing.
func (g *TaskGroup) Cancel() {
	if g != nil {
		g.cancel()
	}
}

func (g *TaskGroup) cancel() {
	for _, t := range g.children {
		if t.state != taskDone {
			t.Cancel()
		}
	}
}

func (g *TaskGroup) childDone(t *Task) {
	g.running--
	if t.err != nil && !errors.Is(t.err, ErrCancelled) {
		if g.orphaned {
			g.parent.loop.CallExceptionHandler(ExceptionContext{Message: "Task exception wasn't retrieved", Err: t.err, Task: t})
			return
		}
		g.errs = append(g.errs, fmt.Errorf("%v: %w", t, t.err))
		if !g.failed {
			g.failed = true
			g.abort()
			// The body's context is done; the body itself is cancelled only
			// while it runs.
			g.injected = g.scope.cancel(ctxCancelled, g.inBody && g.parent.state != taskDone)
		}
	}
	if g.running == 0 && !g.inBody && !g.orphaned && g.parent.blocker == waitQueue(groupWait{}) {
		g.parent.loop.wake(g.parent)
	}
}
