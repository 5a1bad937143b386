package board

import (
	"sync"

	"github.com/goasyncio/asyncio"
)

// Edges carries a pin's interrupts to one task: the interrupt callback
// counts the edge and sets an asyncio.ThreadSafeFlag, and the task waits on
// the flag. No task code ever runs on the goroutine that saw the edge. Make
// one with WatchEdges.
type Edges struct {
	pin  Pin
	flag asyncio.ThreadSafeFlag

	mu    sync.Mutex
	count int  // edges since the last Wait
	last  bool // the level read after the last edge
}

// WatchEdges sets pin's interrupt for the given edges and returns their
// watcher. It replaces any interrupt callback the pin had. It returns the
// pin's error if the interrupt cannot be set.
func WatchEdges(pin Pin, change PinChange) (*Edges, error) {
	e := &Edges{pin: pin}
	if err := pin.SetInterrupt(change, e.interrupt); err != nil {
		return nil, err
	}
	return e, nil
}

// interrupt is the pin's interrupt callback: it may run on any goroutine.
func (e *Edges) interrupt(p Pin) {
	level := p.Get()
	e.mu.Lock()
	e.count++
	e.last = level
	e.mu.Unlock()
	e.flag.Set()
}

// Wait pauses the calling task until at least one edge has come since the
// previous Wait (returning at once if one has), and returns how many came
// and the level read after the last of them. Edges that come while no task
// waits are counted, not lost. Only one task may wait at a time (others
// get asyncio.ErrFlagBusy). Wait returns asyncio.ErrCancelled if the task
// is cancelled while waiting; the edges are then kept for the next Wait.
func (e *Edges) Wait(ctx *asyncio.Ctx) (n int, level bool, err error) {
	for {
		e.mu.Lock()
		n, level = e.count, e.last
		e.count = 0
		e.mu.Unlock()
		if n > 0 {
			return n, level, nil
		}
		if err := e.flag.Wait(ctx); err != nil {
			return 0, false, err
		}
	}
}

// Stop removes the pin's interrupt callback. A task waiting in Wait keeps
// waiting (cancel it); edges counted before Stop are still returned.
func (e *Edges) Stop() error { return e.pin.SetInterrupt(0, nil) }
