package asyncio

import (
	"fmt"
	"os"
)

// ExceptionContext describes an error that no task retrieved.
type ExceptionContext struct {
	Message string // "Task exception wasn't retrieved", as in MicroPython
	Err     error  // the error
	Task    *Task  // the task it ended, nil for a callback
}

// ExceptionHandler is called on the loop's goroutine with each error that no
// one retrieved: a task that failed or panicked and that no task awaited.
type ExceptionHandler func(l *Loop, c ExceptionContext)

// SetExceptionHandler sets the loop's exception handler; nil restores the
// default, DefaultExceptionHandler.
func (l *Loop) SetExceptionHandler(h ExceptionHandler) { l.handler = h }

// ExceptionHandler returns the handler set by SetExceptionHandler, or nil.
func (l *Loop) ExceptionHandler() ExceptionHandler { return l.handler }

// CallExceptionHandler calls the loop's exception handler, or the default
// one. A panic in the handler is printed and the loop goes on.
func (l *Loop) CallExceptionHandler(c ExceptionContext) {
	h := l.handler
	if h == nil {
		h = DefaultExceptionHandler
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "asyncio: exception handler panicked: %v\n", r)
			DefaultExceptionHandler(l, c)
		}
	}()
	h(l, c)
}

// DefaultExceptionHandler prints the context to standard error, as
// MicroPython's default handler does.
func DefaultExceptionHandler(l *Loop, c ExceptionContext) {
	if c.Task != nil {
		fmt.Fprintf(os.Stderr, "%s\nfuture: %v\n%v\n", c.Message, c.Task, c.Err)
	} else {
		fmt.Fprintf(os.Stderr, "%s\n%v\n", c.Message, c.Err)
	}
}
