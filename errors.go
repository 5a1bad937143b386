package asyncio

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrCancelled is returned at a task's await point when the task is cancelled.
// It matches context.Canceled with errors.Is, so code that checks for a
// cancelled context recognises it too. It is MicroPython's CancelledError.
var ErrCancelled = fmt.Errorf("asyncio: task cancelled: %w", context.Canceled)

// Errors for calls that cannot be honoured. Each is comparable with errors.Is.
var (
	// ErrTaskDone is returned by Task.Cancel when the task had already finished
	// (MicroPython's cancel() returns False).
	ErrTaskDone = errors.New("asyncio: task already done")
	// ErrCancelSelf is returned by Task.Cancel when a task tries to cancel
	// itself (MicroPython raises RuntimeError "can't cancel self").
	ErrCancelSelf = errors.New("asyncio: a task can't cancel itself")
	// ErrNotInTask is returned by a function that must run inside a task (Sleep,
	// Await...) when it is given a nil or zero Ctx or the Ctx of a task that is
	// not the one running now; CreateTask's task is done with it. See Ctx.
	ErrNotInTask = errors.New("asyncio: not called from the running task")
	// ErrOtherLoop is returned when a task awaits a task of another loop.
	ErrOtherLoop = errors.New("asyncio: task belongs to another loop")
	// ErrAwaitSelf is returned when a task awaits itself, directly or through
	// a chain of tasks awaiting each other, which could never end.
	ErrAwaitSelf = errors.New("asyncio: a task can't await itself")
	// ErrNilFunc is the error of a task or Run given a nil function.
	ErrNilFunc = errors.New("asyncio: nil task function")
	// ErrLoopRunning is returned when a loop that is already running is run
	// again, or closed while it runs.
	ErrLoopRunning = errors.New("asyncio: loop is already running")
	// ErrLoopStopped is returned by RunUntilComplete when Stop ended the run
	// before the task finished.
	ErrLoopStopped = errors.New("asyncio: loop stopped")
	// ErrLoopClosed is returned when a closed loop is used.
	ErrLoopClosed = errors.New("asyncio: loop is closed")
	// ErrIgnoredCancel is matched by the error Loop.Close (and so Run)
	// returns for a task it had to unwind because it kept awaiting after its
	// cancellation.
	ErrIgnoredCancel = errors.New("asyncio: task ignored its cancellation and was unwound")
	// ErrZeroTask is returned when a Task that was not made by a loop (a
	// zero Task) is cancelled or awaited.
	ErrZeroTask = errors.New("asyncio: zero Task: not made by CreateTask or Loop.CreateTask")
	// ErrGoexit is matched by the error of a task whose function called
	// runtime.Goexit (as testing.T.FailNow does): the task ends, the loop
	// goes on.
	ErrGoexit = errors.New("asyncio: task called runtime.Goexit")
	// ErrWrongGoroutine is matched by the error of a call made from a
	// goroutine that may not make it: a loop's methods from outside the
	// loop while it runs, a task's Ctx from a goroutine the task started.
	// The loop checks it in debug mode (see Debug).
	ErrWrongGoroutine = errors.New("asyncio: called from the wrong goroutine")
	// ErrDeadlock is matched (with errors.Is) by a *DeadlockError.
	ErrDeadlock = errors.New("asyncio: deadlock")
)

// DeadlockError is returned by the loop when no task can ever run again:
// nothing is ready, no timer is pending and no goroutine holds the loop open
// (see Loop.KeepAlive), yet the awaited task has not finished.
type DeadlockError struct {
	// Blocked names the tasks that were still waiting, in creation order,
	// each with what it waits for.
	Blocked []string
}

// Error names the blocked tasks.
func (e *DeadlockError) Error() string {
	return "asyncio: deadlock: no task can run again; blocked: " + strings.Join(e.Blocked, ", ")
}

// Is reports whether target is ErrDeadlock.
func (e *DeadlockError) Is(target error) bool { return target == ErrDeadlock }

// PanicError is the error of a task whose function panicked.
type PanicError struct {
	Task  string // the task's name
	Value any    // the value passed to panic
	Stack []byte // the goroutine stack at the panic
}

// Error gives the task, the panic value and the stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("asyncio: task %q panicked: %v\n%s", e.Task, e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
