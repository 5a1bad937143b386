package asyncio

// Event lets tasks wait until something has happened. The zero Event is
// clear and ready to use. Its methods must be called on the loop's goroutine
// (from tasks or loop callbacks); from other goroutines use ThreadSafeFlag.
type Event struct {
	set     bool
	waiters eventWaiters
}

type eventWaiters struct{ fifo }

func (*eventWaiters) describe() string { return "waiting for an event" }

// IsSet reports whether the event is set.
func (e *Event) IsSet() bool { return e.set }

// Set sets the event and makes every waiting task ready, in the order they
// began to wait.
func (e *Event) Set() {
	if len(e.waiters.tasks) > 0 {
		if err := e.waiters.tasks[0].loop.checkGoroutine("Event.Set"); err != nil {
			panic(err.Error())
		}
	}
	e.set = true
	e.waiters.wakeAll()
}

// Clear clears the event.
func (e *Event) Clear() { e.set = false }

// Wait pauses the task until the event is set, returning at once if it is
// set already. It returns ErrCancelled if the task is cancelled meanwhile.
func (e *Event) Wait(ctx *Ctx) error {
	t, err := ctx.running()
	if err != nil || e.set {
		return err
	}
	e.waiters.push(t)
	return t.park(&e.waiters)
}
