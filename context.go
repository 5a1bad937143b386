package asyncio

import (
	"context"
	"time"
)

// A task's Ctx is also a context.Context, so that cancelling a task reaches
// the Go code it calls (a request, a query, a goroutine started with
// ToThread). Other goroutines may read it, so its state is atomic.

const (
	ctxCancelled uint32 = 1 << iota // Cancel was called on the task
	ctxFinished                     // the task has returned
	ctxWatched                      // someone called Done or Err: close the channel
)

// Ctx implements context.Context.
var _ context.Context = (*Ctx)(nil)

// Deadline returns no deadline: a task's time limits are scopes of the
// loop's clock (Timeout), which may be virtual.
func (c *Ctx) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done returns a channel that is closed when the task is cancelled (when
// Cancel is called on it, whether or not the task then stops) or has
// returned. Any goroutine may call it.
func (c *Ctx) Done() <-chan struct{} {
	t := c.t
	l := t.loop
	l.ctxMu.Lock()
	defer l.ctxMu.Unlock()
	old := t.ctxState.Or(ctxWatched)
	if t.ctxDone == nil {
		t.ctxDone = make(chan struct{})
		if old&(ctxCancelled|ctxFinished) != 0 {
			close(t.ctxDone)
		}
	}
	return t.ctxDone
}

// Err returns nil until Done is closed, then ErrCancelled if the task was
// cancelled (it matches context.Canceled), or context.Canceled if it
// returned. Any goroutine may call it.
func (c *Ctx) Err() error {
	s := c.t.ctxState.Load()
	switch {
	case s&ctxCancelled != 0:
		return ErrCancelled
	case s&ctxFinished != 0:
		return context.Canceled
	}
	return nil
}

// Value returns nil: a Ctx carries no values.
func (c *Ctx) Value(key any) any { return nil }

// endContext marks the task's context cancelled or finished and closes
// its Done channel if someone holds it.
func (t *Task) endContext(bit uint32) {
	if old := t.ctxState.Or(bit); old&ctxWatched != 0 && old&(ctxCancelled|ctxFinished) == 0 {
		l := t.loop
		l.ctxMu.Lock()
		if t.ctxDone != nil {
			close(t.ctxDone)
		}
		l.ctxMu.Unlock()
	}
}
