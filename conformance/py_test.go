package conformance

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
)

// This file lets a Go twin print what its Python scenario prints: print's
// spacing and Python's spelling of values, and the Python name of each
// error.

// py is a twin's standard output.
type py struct{ w io.Writer }

// print writes its arguments as Python's print does: each converted with
// str, separated by spaces, ending with a newline.
func (p *py) print(args ...any) {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = str(a)
	}
	fmt.Fprintln(p.w, strings.Join(parts, " "))
}

// pyList is a Python list; str of it gives the repr of each item.
type pyList []any

// str converts v as Python's str() does for the values twins print.
func str(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(v)
	case float64:
		return pyFloat(v)
	case time.Duration: // seconds, as a scenario passes them
		return pyFloat(v.Seconds())
	case pyList:
		items := make([]string, len(v))
		for i, x := range v {
			items[i] = repr(x)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case error:
		_, msg := exception(v)
		return msg
	}
	return fmt.Sprint(v)
}

// repr converts v as Python's repr() does: strings in quotes, exceptions as
// their constructor call.
func repr(v any) string {
	switch v := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
	case error:
		name, _ := exception(v)
		var pe *pyError
		if errors.As(v, &pe) {
			return name + argsRepr(pe.args)
		}
		if _, msg := exception(v); msg != "" {
			return name + argsRepr([]any{msg})
		}
		return name + "()"
	}
	return str(v)
}

// argsRepr is MicroPython's repr of an exception's arguments: a tuple, so a
// single argument keeps its trailing comma (CPython drops it).
func argsRepr(args []any) string {
	items := make([]string, len(args))
	for i, a := range args {
		items[i] = repr(a)
	}
	if len(items) == 1 {
		return "(" + items[0] + ",)"
	}
	return "(" + strings.Join(items, ", ") + ")"
}

func pyFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e16 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// pyError is an error that stands for a Python exception a scenario raises,
// such as ValueError("bad", 4).
type pyError struct {
	name string
	args []any
}

func (e *pyError) Error() string {
	switch len(e.args) {
	case 0:
		return ""
	case 1:
		return str(e.args[0])
	}
	return argsRepr(e.args)
}

// valueError is the twin of raising ValueError(args...).
func valueError(args ...any) error { return &pyError{name: "ValueError", args: args} }

// exception maps an error to the Python exception a scenario prints for it:
// its class name and its str().
func exception(err error) (name, msg string) {
	var pe *pyError
	switch {
	case err == nil:
		return "None", ""
	case errors.As(err, &pe):
		return pe.name, pe.Error()
	case errors.Is(err, asyncio.ErrCancelled):
		return "CancelledError", ""
	case errors.Is(err, asyncio.ErrTimeout):
		return "TimeoutError", ""
	case errors.Is(err, asyncio.ErrCancelSelf):
		return "RuntimeError", "can't cancel self"
	case errors.Is(err, asyncio.ErrLockNotAcquired):
		return "RuntimeError", "Lock not acquired"
	}
	return "Exception", err.Error()
}

// is reports whether err is the Python exception name, as `except name:`
// would catch it.
func is(err error, name string) bool {
	if err == nil {
		return false
	}
	n, _ := exception(err)
	return n == name
}

// cancel is the twin of task.cancel(), which returns True when it cancels,
// False when the task is done, and raises RuntimeError for the running
// task: the Go error becomes that bool, or is returned.
func cancel(t *asyncio.Task) (bool, error) {
	switch err := t.Cancel(); {
	case err == nil:
		return true, nil
	case errors.Is(err, asyncio.ErrTaskDone):
		return false, nil
	default:
		return false, err
	}
}

// yields is the twin of `for _ in range(n): await asyncio.sleep(0)`.
func yields(ctx *asyncio.Ctx, n int) error {
	for range n {
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
	}
	return nil
}

// sec is a time in seconds as scenarios write it (asyncio.sleep(0.05)).
func sec(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// dur is a time in seconds given as Python writes it, an int or a float.
func dur(s any) time.Duration {
	switch s := s.(type) {
	case int:
		return time.Duration(s) * time.Second
	case float64:
		return sec(s)
	}
	panic(fmt.Sprintf("dur: %T", s))
}

// twin is the Go twin of a scenario: it prints to p what the scenario
// prints, and returns an error only if something went wrong that the
// scenario does not expect.
type twin func(p *py) error

// twins maps each scenario's name to its twin; the twins_*_test.go files
// fill it.
var twins = map[string]twin{}

func addTwins(m map[string]twin) {
	for name, fn := range m {
		if _, dup := twins[name]; dup {
			panic("two twins for " + name)
		}
		twins[name] = fn
	}
}

// run is the twin of asyncio.run(main()): main on a loop with the virtual
// clock, so the twins' sleeps take no time.
func run(main func(ctx *asyncio.Ctx) error) error {
	return asyncio.Run(main, asyncio.VirtualClock())
}
