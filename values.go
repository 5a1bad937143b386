package asyncio

import "context"

// A task's values: what Ctx.Value answers. Each task has its own list of
// TaskVar settings, copied (one pointer) from the task that creates it, as
// CPython's contextvars copy the context at create_task; behind them is the
// parent context.Context the loop, or Submit, was given.

// valueNode is one TaskVar setting; a task's settings are an immutable list,
// so a child shares its creator's list until either sets a var.
type valueNode struct {
	key  any
	val  any
	next *valueNode
}

// TaskVar is a task-local variable (CPython's contextvars.ContextVar): each
// task sees the value it set last, or the value its creator had when it
// created the task, or the var's default. Setting it in a task never changes
// it for the task's creator or for tasks created before. Its value is also
// what the task's Ctx, as a context.Context, answers to Value(v), so Go code
// handed the Ctx (a logger, a tracer) sees it.
type TaskVar[T any] struct {
	name string
	def  T
}

// NewTaskVar returns a task-local variable with a name (for printing) and a
// default value.
func NewTaskVar[T any](name string, def T) *TaskVar[T] { return &TaskVar[T]{name: name, def: def} }

// String returns the var's name.
func (v *TaskVar[T]) String() string { return "TaskVar " + v.name }

// Get returns the var's value in the task ctx belongs to, or the default.
// Any goroutine may call it with a Ctx: a task's settings never change
// under a reader, since Set makes a new list.
func (v *TaskVar[T]) Get(ctx *Ctx) T {
	if ctx != nil && ctx.t != nil {
		for n := ctx.t.vals.Load(); n != nil; n = n.next {
			if n.key == v {
				return n.val.(T)
			}
		}
	}
	return v.def
}

// Set sets the var's value in the running task ctx belongs to; it returns
// ErrNotInTask when ctx is not the running task's.
func (v *TaskVar[T]) Set(ctx *Ctx, val T) error {
	t, err := ctx.running()
	if err != nil {
		return err
	}
	t.vals.Store(&valueNode{key: v, val: val, next: t.vals.Load()})
	return nil
}

// WithContext makes parent the loop's parent context (Run's, for Run and
// RunOf): every task's Ctx answers Value with parent's values after its own
// TaskVars, so a request ID, a logger or a trace span set on the context a
// program starts with reaches its tasks and the Go code they call. When
// parent is done, the task Run started (main) is cancelled, and its clean-up
// runs, as with Task.Cancel.
func WithContext(parent context.Context) Option { return func(l *Loop) { l.parent = parent } }

// value answers Ctx.Value for task t.
func (t *Task) value(key any) any {
	for n := t.vals.Load(); n != nil; n = n.next {
		if n.key == key {
			return n.val
		}
	}
	if t.parent != nil {
		return t.parent.Value(key)
	}
	return nil
}
