package primitives

import (
	"errors"

	"github.com/goasyncio/asyncio"
)

// Waitable is anything a task can wait for: micropython-async's event-like
// object (ELO). *asyncio.Event, *asyncio.ThreadSafeFlag, *Delay, *Message,
// *WaitAny and *WaitAll are Waitables, and so is any type of yours with
// such a Wait method. Wait pauses the task until the thing happens and
// returns nil then, or an error, asyncio.ErrCancelled when the task is
// cancelled first.
type Waitable interface {
	Wait(ctx *asyncio.Ctx) error
}

// ErrNothingToWait is returned by WaitAny.Wait and WaitAll.Wait when they
// were made with no Waitable: a WaitAny of nothing could never return.
var ErrNothingToWait = errors.New("primitives: WaitAny or WaitAll of no Waitable")

// setter is a Waitable that can say it would not pause (asyncio.Event,
// Message).
type setter interface{ IsSet() bool }

// clearer is a Waitable that can be cleared.
type clearer interface{ Clear() }

// WaitAny waits for the first of several Waitables (micropython-async's
// WaitAny): an event, a timer, a message, another WaitAny or a WaitAll, so
// that WaitAnys and WaitAlls nest. It is itself a Waitable. Make it with
// NewWaitAny; its methods must be called on the loop's goroutine.
type WaitAny struct {
	elos []Waitable
	trig Waitable
}

// NewWaitAny returns a WaitAny over elos.
func NewWaitAny(elos ...Waitable) *WaitAny { return &WaitAny{elos: elos} }

// Wait pauses the task until one of the Waitables is set, and returns nil;
// Which then tells which. If one reports being set already (an
// asyncio.Event or a Message that IsSet), the first such returns at once
// without pausing. Otherwise each Waitable is waited for by a task of its
// own, in a task group: when the first returns, the others are cancelled
// and waited for, so no task is left behind. Waitables that consume what
// they wait for (a ThreadSafeFlag clears itself) may be consumed by more
// than one of those tasks if they are set at the same moment; Which names
// the first.
//
// If the calling task is cancelled, the tasks are cancelled too and Wait
// returns an error matching asyncio.ErrCancelled. If a Waitable's Wait
// fails (asyncio.ErrFlagBusy, ...), the others are cancelled and Wait
// returns that error. With no Waitable it returns ErrNothingToWait.
func (w *WaitAny) Wait(ctx *asyncio.Ctx) error {
	if len(w.elos) == 0 {
		return ErrNothingToWait
	}
	for _, e := range w.elos {
		if s, ok := e.(setter); ok && s.IsSet() {
			w.trig = e
			return nil
		}
	}
	var first Waitable
	err := asyncio.WithTaskGroup(ctx, func(_ *asyncio.Ctx, g *asyncio.TaskGroup) error {
		for _, e := range w.elos {
			g.Go(func(ctx *asyncio.Ctx) error {
				err := e.Wait(ctx)
				if err == nil && first == nil {
					first = e
					g.Cancel()
				}
				return err
			}, asyncio.Named("waitany"))
		}
		return nil
	})
	if first != nil {
		w.trig = first
	}
	if err != nil {
		return err
	}
	return nil
}

// Which returns the Waitable that ended the last Wait, nil before the
// first (micropython-async's WaitAny.event()).
func (w *WaitAny) Which() Waitable { return w.trig }

// Clear clears every Waitable that has a Clear method.
func (w *WaitAny) Clear() { clearAll(w.elos) }

func clearAll(elos []Waitable) {
	for _, e := range elos {
		if c, ok := e.(clearer); ok {
			c.Clear()
		}
	}
}

// WaitAll waits for every one of several Waitables (micropython-async's
// WaitAll); it is itself a Waitable, so WaitAnys and WaitAlls nest. Make it
// with NewWaitAll; its methods must be called on the loop's goroutine.
type WaitAll struct {
	elos []Waitable
}

// NewWaitAll returns a WaitAll over elos.
func NewWaitAll(elos ...Waitable) *WaitAll { return &WaitAll{elos: elos} }

// Wait pauses the task until every Waitable has been set, each since this
// Wait began or already set then (one set and cleared again in between
// counts). If every one reports being set already (IsSet), it returns at
// once without pausing. Otherwise each is waited for by a task of its own,
// in a task group, and Wait returns when all have returned.
//
// If the calling task is cancelled, the tasks are cancelled too and Wait
// returns an error matching asyncio.ErrCancelled. If a Waitable's Wait
// fails, the others are cancelled and Wait returns that error. With no
// Waitable it returns ErrNothingToWait.
func (w *WaitAll) Wait(ctx *asyncio.Ctx) error {
	if len(w.elos) == 0 {
		return ErrNothingToWait
	}
	all := true
	for _, e := range w.elos {
		if s, ok := e.(setter); !ok || !s.IsSet() {
			all = false
			break
		}
	}
	if all {
		return nil
	}
	return asyncio.WithTaskGroup(ctx, func(_ *asyncio.Ctx, g *asyncio.TaskGroup) error {
		for _, e := range w.elos {
			g.Go(e.Wait, asyncio.Named("waitall"))
		}
		return nil
	})
}

// Clear clears every Waitable that has a Clear method.
func (w *WaitAll) Clear() { clearAll(w.elos) }
