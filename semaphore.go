package asyncio

import (
	"errors"
	"slices"
	"strconv"
)

// ErrSemaphoreReleased is returned by BoundedSemaphore.Release when the
// release would raise the semaphore's value above the value it was made with
// (CPython raises ValueError "BoundedSemaphore released too many times").
var ErrSemaphoreReleased = errors.New("asyncio: BoundedSemaphore released too many times")

// Semaphore is a counting semaphore for tasks, CPython's asyncio.Semaphore.
// It holds a number of units: Acquire takes one, waiting while there is
// none, and Release gives one back. Release hands its unit straight to the
// task that has waited longest, so waiters get units in the order they
// asked (FIFO) and a task arriving later cannot take a unit before them.
//
// The zero Semaphore has no unit: Acquire waits until some task calls
// Release. NewSemaphore sets the initial value. Lock, Semaphore,
// BoundedSemaphore and Condition share the methods Acquire(*Ctx) error,
// Release() error and Locked() bool. A Semaphore's methods must be called on
// the loop's goroutine (from tasks or loop callbacks).
type Semaphore struct {
	value   int // free units
	waiters semaphoreWaiters
	handed  handoffs[struct{}] // woken waiters given a unit, until they resume
}

type semaphoreWaiters struct{ fifo }

func (*semaphoreWaiters) describe() string { return "waiting for a semaphore" }

// NewSemaphore returns a semaphore holding value units. It panics if value
// is negative.
func NewSemaphore(value int) *Semaphore {
	if value < 0 {
		panic("asyncio: NewSemaphore: negative value " + strconv.Itoa(value))
	}
	return &Semaphore{value: value}
}

// Acquire takes a unit, pausing the task until one is free; it returns at
// once, without pausing, when one is free already. It returns ErrCancelled
// if the task is cancelled while waiting, and ErrNotInTask when ctx is not
// the running task's. A task that returns an error holds no unit: if a unit
// had just been handed to it, it passes the unit on to the next waiter.
func (s *Semaphore) Acquire(ctx *Ctx) error {
	t, err := ctx.running()
	if err != nil {
		return err
	}
	if !s.Locked() {
		s.value--
		return nil
	}
	s.waiters.push(t)
	err = t.park(&s.waiters)
	if _, ok := s.handed.take(t); ok && err != nil {
		s.release() // cancelled after Release picked it: pass the unit on
	} else if err == nil && s.value > 0 {
		s.wakeNext() // units freed while it was on its way (CPython does the same)
	}
	return err
}

// Release gives a unit back: it hands it to the task that has waited
// longest, if any, or adds it to the free units. It never fails and returns
// nil; it returns an error only so that Semaphore, BoundedSemaphore and Lock
// can be used alike.
func (s *Semaphore) Release() error {
	s.release()
	return nil
}

func (s *Semaphore) release() {
	s.value++
	s.wakeNext()
}

// wakeNext hands a free unit to the longest waiting task, if any.
func (s *Semaphore) wakeNext() {
	if t := s.waiters.pop(); t != nil {
		s.value--
		s.handed.add(t, struct{}{})
		t.loop.wake(t)
	}
}

// Locked reports whether Acquire would wait: no unit is free, or tasks are
// waiting or have been handed a unit and not yet resumed (CPython's rule: a
// newcomer queues behind them even when units are free).
func (s *Semaphore) Locked() bool { return s.value == 0 || s.waiters.len() > 0 || s.handed.len() > 0 }

// BoundedSemaphore is a Semaphore that refuses to be released more times
// than it was acquired, CPython's asyncio.BoundedSemaphore: its value never
// rises above the value it was made with. Waiters get units in FIFO order,
// as with Semaphore.
//
// The zero BoundedSemaphore has value and bound 0, which makes it useless:
// make one with NewBoundedSemaphore. Its methods must be called on the
// loop's goroutine.
type BoundedSemaphore struct {
	sem   Semaphore
	bound int
}

// NewBoundedSemaphore returns a bounded semaphore holding value units, which
// is also its bound. It panics if value is negative.
func NewBoundedSemaphore(value int) *BoundedSemaphore {
	if value < 0 {
		panic("asyncio: NewBoundedSemaphore: negative value " + strconv.Itoa(value))
	}
	return &BoundedSemaphore{sem: Semaphore{value: value}, bound: value}
}

// Acquire takes a unit, pausing the task until one is free, as
// Semaphore.Acquire does. It returns ErrCancelled if the task is cancelled
// while waiting, and then holds no unit.
func (b *BoundedSemaphore) Acquire(ctx *Ctx) error { return b.sem.Acquire(ctx) }

// Release gives a unit back and hands it to the longest waiting task, if
// any. It returns ErrSemaphoreReleased, and changes nothing, if every unit
// is free already (the semaphore was released more times than acquired). A
// unit handed to a waiter that has not resumed yet is not held by anyone
// yet, so it cannot be released again: the waiter takes it, or passes it on
// if it is cancelled first.
func (b *BoundedSemaphore) Release() error {
	// Units held are bound - value - the units in hand-off.
	if b.sem.value+b.sem.handed.len() >= b.bound {
		return ErrSemaphoreReleased
	}
	b.sem.release()
	return nil
}

// Locked reports whether Acquire would wait: no unit is free.
func (b *BoundedSemaphore) Locked() bool { return b.sem.Locked() }

// handoffs records what a primitive handed to tasks it woke (a unit, a
// slot, an item, a notification) until each resumes and takes it. A task
// that resumes cancelled instead passes what it was handed on, so that
// nothing is lost to a cancellation that arrives after the wake-up. Woken
// tasks resume in the order they were woken, so the record looked up is
// nearly always the first.
type handoffs[V any] struct {
	list []handoff[V]
	head int // list[:head] are taken
}

type handoff[V any] struct {
	t *Task
	v V
}

// len returns the number of hand-offs whose task has not resumed yet.
func (h *handoffs[V]) len() int { return len(h.list) - h.head }

func (h *handoffs[V]) add(t *Task, v V) {
	if h.head > 0 && len(h.list) == cap(h.list) {
		n := copy(h.list, h.list[h.head:])
		clear(h.list[n:])
		h.list, h.head = h.list[:n], 0
	}
	h.list = append(h.list, handoff[V]{t, v})
}

// take removes t's record and returns what it was handed; ok is false if
// nothing was handed to t.
func (h *handoffs[V]) take(t *Task) (v V, ok bool) {
	for i := h.head; i < len(h.list); i++ {
		if h.list[i].t != t {
			continue
		}
		v = h.list[i].v
		if i == h.head {
			h.list[i] = handoff[V]{}
			h.head++
		} else {
			h.list = slices.Delete(h.list, i, i+1)
		}
		if h.head == len(h.list) {
			h.list, h.head = h.list[:0], 0
		}
		return v, true
	}
	return v, false
}
