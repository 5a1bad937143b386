package primitives

import (
	"errors"
	"iter"

	"github.com/goasyncio/asyncio"
)

// ErrOverwritten is returned by RingbufQueue.PutNowait when the queue was
// full: the value was put all the same, in place of the oldest, which is
// lost (micropython-async raises IndexError and overwrites).
var ErrOverwritten = errors.New("primitives: RingbufQueue full: oldest value overwritten")

// RingbufQueue is a fixed-size queue of values for tasks
// (micropython-async's RingbufQueue): its buffer is allocated once, PutNowait
// never waits and overwrites the oldest value when the queue is full, which
// is what a stream of readings wants when only the latest matter, and All
// ranges over it. Put, which waits for room, is there too.
//
// Make it with NewRingbufQueue. Its methods must be called on the loop's
// goroutine; to feed it from an interrupt handler or another goroutine, post
// the put: loop.CallSoonThreadsafe(func() { q.PutNowait(v) }) (and hold
// Loop.KeepAlive while that goroutine may still post, so that the loop does
// not report a deadlock meanwhile).
//
// Tasks waiting in Get are woken in the order they began to wait when a
// value comes, and the first to resume takes it; the others wait on. A task
// that calls Get while a value is there takes it at once.
type RingbufQueue[T any] struct {
	buf      []T
	head, n  int
	nonEmpty asyncio.Event // pulsed at each put
	nonFull  asyncio.Event // pulsed at each get
}

// NewRingbufQueue returns an empty queue that holds size values. It panics
// if size is less than 1. (micropython-async's buffer of N holds N-1.)
func NewRingbufQueue[T any](size int) *RingbufQueue[T] {
	if size < 1 {
		panic("primitives: NewRingbufQueue with a size less than 1")
	}
	return &RingbufQueue[T]{buf: make([]T, size)}
}

// Len returns the number of values in the queue.
func (q *RingbufQueue[T]) Len() int { return q.n }

// Cap returns the number of values the queue holds when full.
func (q *RingbufQueue[T]) Cap() int { return len(q.buf) }

// Empty reports whether the queue holds no value.
func (q *RingbufQueue[T]) Empty() bool { return q.n == 0 }

// Full reports whether the queue holds Cap values: a PutNowait would
// overwrite the oldest, a Put would wait.
func (q *RingbufQueue[T]) Full() bool { return q.n == len(q.buf) }

// PutNowait adds v without waiting. If the queue is full, v replaces the
// oldest value, which is lost, and PutNowait returns ErrOverwritten; v is in
// the queue either way. A task waiting in Get is woken.
func (q *RingbufQueue[T]) PutNowait(v T) error {
	var err error
	if q.n == len(q.buf) {
		q.buf[q.head] = v
		q.head = (q.head + 1) % len(q.buf)
		err = ErrOverwritten
	} else {
		q.buf[(q.head+q.n)%len(q.buf)] = v
		q.n++
	}
	q.nonEmpty.Set()
	q.nonEmpty.Clear()
	return err
}

// Put adds v, pausing the task while the queue is full. It returns
// asyncio.ErrCancelled, having added nothing, if the task is cancelled
// while waiting.
func (q *RingbufQueue[T]) Put(ctx *asyncio.Ctx, v T) error {
	for q.Full() {
		if err := q.nonFull.Wait(ctx); err != nil {
			return err
		}
	}
	q.PutNowait(v)
	return nil
}

// GetNowait removes and returns the oldest value without waiting; it
// returns asyncio.ErrQueueEmpty if there is none.
func (q *RingbufQueue[T]) GetNowait() (T, error) {
	var zero T
	if q.n == 0 {
		return zero, asyncio.ErrQueueEmpty
	}
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	q.nonFull.Set()
	q.nonFull.Clear()
	return v, nil
}

// Peek returns the oldest value without removing it; it returns
// asyncio.ErrQueueEmpty if there is none.
func (q *RingbufQueue[T]) Peek() (T, error) {
	if q.n == 0 {
		var zero T
		return zero, asyncio.ErrQueueEmpty
	}
	return q.buf[q.head], nil
}

// Get removes and returns the oldest value, pausing the task while the
// queue is empty. It returns asyncio.ErrCancelled, having taken nothing, if
// the task is cancelled while waiting.
func (q *RingbufQueue[T]) Get(ctx *asyncio.Ctx) (T, error) {
	for q.n == 0 {
		if err := q.nonEmpty.Wait(ctx); err != nil {
			var zero T
			return zero, err
		}
	}
	return q.GetNowait()
}

// All returns an iterator over the values as they come, oldest first,
// pausing the task while the queue is empty (micropython-async's async for
// over a RingbufQueue). It goes on until the range stops or the task is
// cancelled while waiting; then it yields the zero T with
// asyncio.ErrCancelled and stops. It must be used in the task that ctx
// belongs to.
func (q *RingbufQueue[T]) All(ctx *asyncio.Ctx) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, err := q.Get(ctx)
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}
