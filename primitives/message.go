package primitives

import (
	"iter"
	"sync"

	"github.com/goasyncio/asyncio"
)

// Message is an event that carries a value (micropython-async's Message):
// Set stores a value and sets the message, and every task waiting in Wait
// goes on and reads it with Value. Unlike asyncio.Event, Set and Clear may
// be called from any goroutine (an interrupt handler, a ToThread function,
// a driver's goroutine), and Value and IsSet read it from any goroutine
// too; the tasks waiting are woken on the loop's goroutine. As Event, and
// unlike ThreadSafeFlag, a Message stays set until cleared, any number of
// tasks may wait on it, and each waiting task goes on at one Set.
//
// Make it with NewMessage. While a task waits on a Message, the loop does
// not report a deadlock when nothing else can run, since another goroutine
// may still set it (as with ThreadSafeFlag).
type Message[T any] struct {
	loop  *asyncio.Loop
	mu    sync.Mutex
	set   bool
	value T
	pulse asyncio.Event // set and cleared on the loop at each Set
}

// NewMessage returns a clear Message whose waiters run on loop.
func NewMessage[T any](loop *asyncio.Loop) *Message[T] { return &Message[T]{loop: loop} }

// Set stores v and sets the message, then wakes the waiting tasks: at once
// if they have not begun waiting yet (they find it set), otherwise through
// Loop.CallSoonThreadsafe, so they go on at the loop's next turn even when
// Set is called by a task. A Set on a set message replaces the value. Any
// goroutine may call it; once the loop is closed it only stores v.
func (m *Message[T]) Set(v T) {
	m.mu.Lock()
	m.set, m.value = true, v
	m.mu.Unlock()
	m.loop.CallSoonThreadsafe(m.wake)
}

// wake runs on the loop after a Set.
func (m *Message[T]) wake() {
	m.pulse.Set()
	m.pulse.Clear()
}

// Clear clears the message; its value stays. Any goroutine may call it.
func (m *Message[T]) Clear() {
	m.mu.Lock()
	m.set = false
	m.mu.Unlock()
}

// IsSet reports whether the message is set. Any goroutine may call it.
func (m *Message[T]) IsSet() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.set
}

// Value returns the value of the last Set, the zero T before the first.
// Any goroutine may call it.
func (m *Message[T]) Value() T {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.value
}

// Wait pauses the task until the message is set, returning at once if it
// is set already. It returns asyncio.ErrCancelled if the task is
// cancelled first, and then the message is left as it is.
func (m *Message[T]) Wait(ctx *asyncio.Ctx) error {
	for !m.IsSet() {
		release := m.loop.KeepAlive()
		err := m.pulse.Wait(ctx)
		release()
		if err != nil {
			return err
		}
	}
	return nil
}

// Receive waits as Wait and returns the message's value then.
func (m *Message[T]) Receive(ctx *asyncio.Ctx) (T, error) {
	if err := m.Wait(ctx); err != nil {
		var zero T
		return zero, err
	}
	return m.Value(), nil
}

// All returns an iterator over the values the message is set with: each
// step waits for the message to be set, clears it and yields its value
// (micropython-async's async for over a Message). Sets that come faster
// than the loop of the range takes them are merged: the last value wins.
// If the task is cancelled while waiting, the iterator yields the zero T
// with asyncio.ErrCancelled and stops. It must be used in the task that
// ctx belongs to.
func (m *Message[T]) All(ctx *asyncio.Ctx) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			if err := m.Wait(ctx); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			m.mu.Lock()
			m.set = false
			v := m.value
			m.mu.Unlock()
			if !yield(v, nil) {
				return
			}
		}
	}
}
