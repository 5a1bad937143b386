package conformance

import (
	"errors"
	"slices"
	"strings"

	"github.com/goasyncio/asyncio"
)

// Printing helpers for the CPython twins. The scenarios print an exception
// as show(e) does: its class name, then ": " and its str() when that is not
// empty; an exception group as its class name and its members in brackets.

// cpyName is the CPython exception class a scenario catches for err.
func cpyName(err error) string {
	switch {
	case errors.Is(err, asyncio.ErrQueueEmpty):
		return "QueueEmpty"
	case errors.Is(err, asyncio.ErrQueueFull):
		return "QueueFull"
	case errors.Is(err, asyncio.ErrBrokenBarrier):
		return "BrokenBarrierError"
	case errors.Is(err, asyncio.ErrTooManyTaskDone), errors.Is(err, asyncio.ErrSemaphoreReleased):
		return "ValueError"
	case errors.Is(err, asyncio.ErrGroupClosed), errors.Is(err, asyncio.ErrConditionNotLocked):
		return "RuntimeError"
	}
	name, _ := exception(err)
	return name
}

// show is the twin of the scenarios' show(e).
func show(err error) string {
	if g, ok := err.(interface{ Unwrap() []error }); ok {
		parts := []string{}
		for _, e := range g.Unwrap() {
			parts = append(parts, show(e))
		}
		return "ExceptionGroup [" + strings.Join(parts, ", ") + "]"
	}
	name := cpyName(err)
	var pe *pyError
	if errors.As(err, &pe) && pe.Error() != "" {
		return name + ": " + pe.Error()
	}
	return name
}

// names is the list of the tasks' names, as the scenarios print
// sorted(t.get_name() for t in tasks).
func names(tasks []*asyncio.Task) pyList {
	ns := make([]string, len(tasks))
	for i, t := range tasks {
		ns[i] = t.Name()
	}
	slices.Sort(ns)
	l := pyList{}
	for _, n := range ns {
		l = append(l, n)
	}
	return l
}
