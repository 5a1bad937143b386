package asyncio

import (
	"errors"
	"fmt"
)

// ErrGroupClosed is the error of a task started in a TaskGroup that has
// already finished.
var ErrGroupClosed = errors.New("asyncio: task group is closed")

// TaskGroup runs tasks that belong to one scope (CPython's TaskGroup, Trio's
// nursery): see WithTaskGroup.
type TaskGroup struct {
	parent   *Task
	children []*Task
	running  int
	errs     []error
	failed   bool // a child failed, so the group is cancelling
	inBody   bool
	injected bool // the group cancelled the parent during the body
	closed   bool
	done     watch
}

type groupWait struct{}

func (groupWait) remove(*Task)     {}
func (groupWait) describe() string { return "waiting for its task group" }

// WithTaskGroup runs body in the calling task with a new TaskGroup, whose Go
// method starts tasks that belong to it, and returns only when body and every
// task of the group have finished.
//
// When a task of the group fails (returns an error other than a
// cancellation), the group cancels its other tasks and the body (at the
// await point where it waits). When the calling task is cancelled, the group
// cancels all its tasks. WithTaskGroup returns every failure joined with
// errors.Join, body's first, in the order they happened; a cancellation of
// the calling task from outside makes it include ErrCancelled. It returns nil
// when everything succeeded.
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
	outside, berr := g.runBody(ctx, body)
	cancelled := outside && !g.parent.cancelled // delivered inside the body
	switch {
	case berr == nil:
	case errors.Is(berr, ErrCancelled):
		cancelled = cancelled || !g.failed // not the group's own doing: from outside
		g.cancel()
	default:
		g.errs = append([]error{berr}, g.errs...)
		g.cancel()
	}
	for g.running > 0 {
		if err := cur.park(groupWait{}); err != nil {
			cancelled = true
			g.cancel()
		}
	}
	g.closed = true
	if cancelled {
		g.errs = append(g.errs, ErrCancelled)
	}
	return errors.Join(g.errs...)
}

// runBody runs the body; it reports whether the calling task was also
// cancelled from outside while the body ran (see scope for the counting).
func (g *TaskGroup) runBody(ctx *Ctx, body func(*Ctx, *TaskGroup) error) (outside bool, err error) {
	before := g.parent.cancels
	defer func() {
		g.inBody = false
		if g.injected {
			g.parent.cancels-- // ours is handled here: outer scopes must not count it
		}
		outside = g.parent.cancels-before > 0
		if !outside && g.injected && g.parent.cancelled {
			g.parent.cancelled = false // ours, never delivered: it must not leak out
		}
	}()
	return false, body(ctx, g)
}

// Go starts fn as a task of the group and returns it. The task starts at the
// caller's next await point, like CreateTask. If the group is already
// cancelling, the task is cancelled before it starts; if the group has
// finished, the task fails with ErrGroupClosed. Go may be called from the
// body or from the group's tasks.
func (g *TaskGroup) Go(fn func(*Ctx) error, opts ...TaskOption) *Task {
	l := g.parent.loop
	if g.closed {
		return l.newTask(&Task{}, func(*Ctx) error { return ErrGroupClosed }, opts)
	}
	t := l.newTask(&Task{}, fn, opts)
	g.children = append(g.children, t)
	g.running++
	t.waiters.addWatch(&g.done)
	if g.failed {
		t.Cancel()
	}
	return t
}

// Cancel cancels every unfinished task of the group; the body goes on.
func (g *TaskGroup) Cancel() { g.cancel() }

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
		g.errs = append(g.errs, fmt.Errorf("%v: %w", t, t.err))
		if !g.failed {
			g.failed = true
			g.cancel()
			if g.inBody && !g.parent.cancelled && g.parent.state != taskDone {
				g.parent.Cancel()
				g.injected = g.parent.cancelled
			}
		}
	}
	if g.running == 0 && !g.inBody && g.parent.blocker != nil {
		g.parent.loop.wake(g.parent)
	}
}
