package asyncio

import (
	"errors"
	"iter"
	"slices"
)

// Errors of Queue. Each is comparable with errors.Is.
var (
	// ErrQueueFull is returned by Queue.PutNowait when the queue is full
	// (CPython's QueueFull).
	ErrQueueFull = errors.New("asyncio: queue is full")
	// ErrQueueEmpty is returned by Queue.GetNowait when the queue is empty
	// (CPython's QueueEmpty).
	ErrQueueEmpty = errors.New("asyncio: queue is empty")
	// ErrTooManyTaskDone is returned by Queue.TaskDone when it is called more
	// times than items were put (CPython raises ValueError "task_done() called
	// too many times").
	ErrTooManyTaskDone = errors.New("asyncio: Queue.TaskDone called too many times")
	// ErrQueueShutDown is returned by Put and PutNowait once the queue is
	// shut down, and by Get and GetNowait once it is shut down and empty
	// (CPython 3.13's QueueShutDown). See Queue.Shutdown.
	ErrQueueShutDown = errors.New("asyncio: queue is shut down")
)

// Queue is a queue of values for tasks, CPython's asyncio.Queue: producers
// Put values, consumers Get them, waiting while the queue is full or empty.
// NewQueue makes a first-in first-out queue, NewLifoQueue a last-in
// first-out one and NewPriorityQueue one that gives the smallest value
// first; they share this type and its methods.
//
// Tasks waiting in Get are served in the order they began to wait, and so
// are tasks waiting in Put. A value put stays in the queue until the getter
// it wakes runs (so Len, Empty and Full count it, as CPython's qsize, empty
// and full do), and that getter then takes the value the queue's order gives
// at that moment: the oldest, the newest (LIFO) or the smallest (priority).
// Unlike CPython, the woken getter is sure to get a value: one is reserved
// for it (in a FIFO queue, the oldest, the one put for it), so a task
// arriving later takes only the values after the reserved ones (its Get
// waits, its GetNowait returns ErrQueueEmpty, while only reserved values are
// left, though Len is not 0),
// and the same holds for a slot a Get frees for a waiting putter. That keeps
// the FIFO service order that Go's channels have; CPython lets the newcomer
// take it and sends the woken task to the back of the line. A getter
// cancelled after it was woken passes its reservation on to the next waiting
// getter; a putter cancelled after a slot was handed to it passes the slot
// on and puts nothing. So a value is never lost, nor put twice.
//
// The zero Queue is an empty, unbounded FIFO queue, ready to use. A Queue's
// methods must be called on the loop's goroutine (from tasks or loop
// callbacks).
type Queue[T any] struct {
	maxsize    int
	store      queueStore[T] // nil in the zero Queue until first used
	getters    queueGetters
	putters    queuePutters
	got        handoffs[struct{}] // values reserved for woken getters, until they resume
	slots      handoffs[struct{}] // slots handed to putters, until they resume
	unfinished int                // values put and not yet marked done
	joiners    queueJoiners
	shut       queueShut
}

// queueShut is a queue's shutdown state.
type queueShut uint8

const (
	queueOpen queueShut = iota
	queueShutDown
	queueShutImmediate
)

type queueGetters struct{ fifo }

func (*queueGetters) describe() string { return "waiting for a queue item" }

type queuePutters struct{ fifo }

func (*queuePutters) describe() string { return "waiting for queue space" }

type queueJoiners struct{ fifo }

func (*queueJoiners) describe() string { return "waiting for queue tasks to be done" }

// NewQueue returns an empty first-in first-out queue that holds at most
// maxsize values; a maxsize of zero or less makes it unbounded.
func NewQueue[T any](maxsize int) *Queue[T] {
	return &Queue[T]{maxsize: max(maxsize, 0), store: &fifoStore[T]{}}
}

// NewLifoQueue returns an empty last-in first-out queue (a stack) that holds
// at most maxsize values; a maxsize of zero or less makes it unbounded.
// CPython's asyncio.LifoQueue.
func NewLifoQueue[T any](maxsize int) *Queue[T] {
	return &Queue[T]{maxsize: max(maxsize, 0), store: &lifoStore[T]{}}
}

// NewPriorityQueue returns an empty priority queue that holds at most
// maxsize values (unbounded if maxsize is zero or less). Get returns the
// smallest value, by less, first; values that are equal (neither is less
// than the other) come out in the order they were put. CPython's
// asyncio.PriorityQueue. It panics if less is nil.
func NewPriorityQueue[T any](maxsize int, less func(a, b T) bool) *Queue[T] {
	if less == nil {
		panic("asyncio: NewPriorityQueue: nil less function")
	}
	return &Queue[T]{maxsize: max(maxsize, 0), store: &priorityStore[T]{less: less}}
}

func (q *Queue[T]) items() queueStore[T] {
	if q.store == nil {
		q.store = &fifoStore[T]{}
	}
	return q.store
}

// full reports whether a new Put must wait: the values stored and the
// hand-offs in progress fill every slot.
func (q *Queue[T]) full() bool {
	return q.maxsize > 0 && q.items().len()+q.slots.len() >= q.maxsize
}

// Put adds v to the queue, pausing the task while the queue is full; it
// returns at once, without pausing, when there is room. Waiting putters get
// room in the order they began to wait. Put returns ErrCancelled if the task
// is cancelled while waiting, and then v has not been added; ErrQueueShutDown,
// adding nothing, if the queue is shut down, before or while it waits;
// ErrNotInTask when ctx is not the running task's.
func (q *Queue[T]) Put(ctx *Ctx, v T) error {
	t, err := ctx.running()
	if err != nil {
		return err
	}
	if q.shut != queueOpen {
		return ErrQueueShutDown
	}
	if !q.full() {
		q.deliver(v)
		return nil
	}
	q.putters.push(t)
	err = t.park(&q.putters)
	_, ok := q.slots.take(t)
	switch {
	case err != nil:
		if ok {
			q.admit() // cancelled: the slot goes to the next putter
		}
		return err
	case q.shut != queueOpen:
		return ErrQueueShutDown // woken by Shutdown, or handed a slot just before it
	}
	q.deliver(v) // into the slot handed to t
	return nil
}

// PutNowait adds v to the queue without waiting. It returns ErrQueueFull,
// and adds nothing, if the queue is full (see Full), and ErrQueueShutDown if
// it is shut down.
func (q *Queue[T]) PutNowait(v T) error {
	if q.shut != queueOpen {
		return ErrQueueShutDown
	}
	if q.full() {
		return ErrQueueFull
	}
	q.deliver(v)
	return nil
}

// Get removes and returns the next value, pausing the task while the queue
// is empty; it returns at once, without pausing, when a value is there.
// Waiting getters get values in the order they began to wait. Get returns
// ErrCancelled if the task is cancelled while waiting, and then has taken no
// value (one handed to it just before is passed on); ErrQueueShutDown if the
// queue is shut down and empty, before or while it waits (see Shutdown);
// ErrNotInTask when ctx is not the running task's.
func (q *Queue[T]) Get(ctx *Ctx) (T, error) {
	var zero T
	t, err := ctx.running()
	if err != nil {
		return zero, err
	}
	if q.unreserved() > 0 { // no getter waits while values are free
		return q.take(q.got.len()), nil
	}
	if q.shut != queueOpen {
		return zero, ErrQueueShutDown
	}
	q.getters.push(t)
	err = t.park(&q.getters)
	_, ok := q.got.take(t)
	switch {
	case !ok && err == nil:
		return zero, ErrQueueShutDown // woken by Shutdown
	case !ok:
		return zero, err
	case err == nil:
		// The value is chosen now, as CPython's getter takes it when it
		// runs: the oldest, the newest (LIFO) or the smallest (priority).
		return q.take(0), nil
	}
	// Cancelled after a Put reserved a value for it: the reservation goes to
	// the next getter, or the value stays in the queue for anyone.
	switch g := q.getters.pop(); {
	case g != nil:
		q.got.add(g, struct{}{})
		g.loop.wake(g)
	case q.shut == queueShutImmediate:
		q.items().pop() // kept for it; dropped as the rest were
		if q.unfinished--; q.unfinished == 0 {
			q.joiners.wakeAll()
		}
	}
	return zero, err
}

// unreserved returns how many stored values are not reserved for a woken
// getter.
func (q *Queue[T]) unreserved() int { return q.items().len() - q.got.len() }

// GetNowait removes and returns the next value without waiting. It returns
// ErrQueueEmpty if the queue is empty, ErrQueueShutDown if it is empty and
// shut down.
func (q *Queue[T]) GetNowait() (T, error) {
	if q.unreserved() <= 0 {
		var zero T
		if q.shut != queueOpen {
			return zero, ErrQueueShutDown
		}
		return zero, ErrQueueEmpty
	}
	return q.take(q.got.len()), nil
}

// All returns an iterator over the queue's values, as a for-range over a
// channel: each step Gets the next value, pausing the task while the queue
// is empty, and the iteration ends when the queue is shut down and empty
// (as a channel's range ends when it is closed and drained). If Get fails
// otherwise, the iterator yields the zero T with that error (ErrCancelled
// when the task is cancelled while waiting) and stops. Values taken count
// for Join as Get's do: call TaskDone for each when its work is done. The
// iterator must be used in the task that ctx belongs to.
func (q *Queue[T]) All(ctx *Ctx) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, err := q.Get(ctx)
			if errors.Is(err, ErrQueueShutDown) {
				return
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// Shutdown shuts the queue down, as CPython 3.13's Queue.shutdown: from now
// on Put and PutNowait return ErrQueueShutDown at once, and so do the tasks
// waiting in Put, which are woken and put nothing. Consumers drain the
// values left (Get, GetNowait, All), and once the queue is empty Get and
// GetNowait return ErrQueueShutDown, the tasks waiting in Get too, and All's
// iterations end. Join works as before: it returns once TaskDone has been
// called for every value put.
//
// With immediate true, the values left are dropped at once, counting as
// done for Join (so joiners are woken if no value taken is still being
// worked on), and every waiting getter gets ErrQueueShutDown. Values
// already handed to getters that have not resumed yet are theirs, and are
// not dropped. Calling TaskDone for a dropped value returns
// ErrTooManyTaskDone, as it raises ValueError in CPython.
//
// Shutting down a shut-down queue again does nothing, except that an
// immediate Shutdown after a plain one drops what is left. Shutdown does not
// pause; it may be called from a task or a loop callback.
func (q *Queue[T]) Shutdown(immediate bool) {
	for _, w := range [...]*fifo{&q.getters.fifo, &q.putters.fifo, &q.joiners.fifo} {
		if len(w.tasks) > 0 {
			if err := w.tasks[0].loop.checkGoroutine("Queue.Shutdown"); err != nil {
				panic(err.Error())
			}
			break
		}
	}
	if q.shut == queueOpen {
		q.shut = queueShutDown
	}
	if immediate {
		q.shut = queueShutImmediate
		for q.unreserved() > 0 {
			q.items().popAfter(q.got.len()) // the reserved values stay for their getters
			if q.unfinished > 0 {
				q.unfinished--
			}
		}
		if q.unfinished == 0 {
			q.joiners.wakeAll()
		}
	}
	// Getters wait only while nothing is stored: each gets ErrQueueShutDown.
	q.getters.wakeAll()
	q.putters.wakeAll()
}

// deliver adds v, for which there is room, and reserves a value for the
// getter that has waited longest, if any.
func (q *Queue[T]) deliver(v T) {
	q.unfinished++
	q.items().push(v)
	if g := q.getters.pop(); g != nil {
		q.got.add(g, struct{}{})
		g.loop.wake(g)
	}
}

// take removes the next stored value and gives its slot to a waiting putter.
func (q *Queue[T]) take(reserved int) T {
	v := q.items().popAfter(reserved)
	q.admit()
	return v
}

// admit hands the free slots to the putters that have waited longest.
func (q *Queue[T]) admit() {
	for q.putters.len() > 0 && !q.full() {
		p := q.putters.pop()
		q.slots.add(p, struct{}{})
		p.loop.wake(p)
	}
}

// Len returns the number of values in the queue (CPython's qsize), values
// reserved for woken getters that have not resumed yet included.
func (q *Queue[T]) Len() int { return q.items().len() }

// MaxSize returns the number of values the queue can hold, 0 if it is
// unbounded.
func (q *Queue[T]) MaxSize() int { return q.maxsize }

// Empty reports whether the queue holds no value: Get would wait.
func (q *Queue[T]) Empty() bool { return q.items().len() == 0 }

// Full reports whether Put would wait. It is always false for an unbounded
// queue. While values are being handed to getters, or slots to putters,
// that have not resumed yet, Full may report true though Len is less than
// MaxSize: those slots are taken.
func (q *Queue[T]) Full() bool { return q.full() }

// TaskDone tells the queue that the processing of a value taken from it is
// complete: each Put (or PutNowait) counts one unfinished task, and each
// TaskDone one less. When none is left, the tasks waiting in Join go on. It
// returns ErrTooManyTaskDone, and changes nothing, if it is called more
// times than values were put.
func (q *Queue[T]) TaskDone() error {
	if q.unfinished <= 0 {
		return ErrTooManyTaskDone
	}
	q.unfinished--
	if q.unfinished == 0 {
		q.joiners.wakeAll()
	}
	return nil
}

// Join pauses the task until every value put in the queue has been taken
// and marked done with TaskDone; it returns at once if that is so already.
// It returns ErrCancelled if the task is cancelled while waiting, and
// ErrNotInTask when ctx is not the running task's.
func (q *Queue[T]) Join(ctx *Ctx) error {
	t, err := ctx.running()
	if err != nil || q.unfinished == 0 {
		return err
	}
	q.joiners.push(t)
	return t.park(&q.joiners)
}

// queueStore holds a queue's values in the order they come out.
type queueStore[T any] interface {
	len() int
	push(v T)
	pop() T // the next value; the store is not empty
	// popAfter removes the next value but for the first n, which are
	// reserved for woken getters; only a FIFO store keeps them apart (a
	// LIFO or priority getter takes what is next when it runs).
	popAfter(n int) T
}

// fifoStore is first-in first-out: a slice whose head moves forward.
type fifoStore[T any] struct {
	items []T
	head  int
}

func (s *fifoStore[T]) len() int { return len(s.items) - s.head }

func (s *fifoStore[T]) push(v T) {
	if s.head > 0 && len(s.items) == cap(s.items) {
		n := copy(s.items, s.items[s.head:])
		clear(s.items[n:])
		s.items, s.head = s.items[:n], 0
	}
	s.items = append(s.items, v)
}

func (s *fifoStore[T]) pop() T {
	v := s.items[s.head]
	var zero T
	s.items[s.head] = zero
	s.head++
	if s.head == len(s.items) {
		s.items, s.head = s.items[:0], 0
	}
	return v
}

func (s *fifoStore[T]) popAfter(n int) T {
	if n == 0 {
		return s.pop()
	}
	i := s.head + n
	v := s.items[i]
	s.items = slices.Delete(s.items, i, i+1)
	return v
}

// lifoStore is last-in first-out: a stack.
type lifoStore[T any] struct{ items []T }

func (s *lifoStore[T]) len() int       { return len(s.items) }
func (s *lifoStore[T]) push(v T)       { s.items = append(s.items, v) }
func (s *lifoStore[T]) popAfter(int) T { return s.pop() }
func (s *lifoStore[T]) pop() T {
	n := len(s.items) - 1
	v := s.items[n]
	var zero T
	s.items[n] = zero
	s.items = s.items[:n]
	return v
}

// priorityStore is a binary min-heap ordered by less, then by a sequence
// number, so that equal values come out first-in first-out.
type priorityStore[T any] struct {
	heap []prioritized[T]
	less func(a, b T) bool
	seq  int64 // of the last value pushed
}

type prioritized[T any] struct {
	v   T
	seq int64
}

func (s *priorityStore[T]) len() int { return len(s.heap) }

func (s *priorityStore[T]) before(i, j int) bool {
	a, b := &s.heap[i], &s.heap[j]
	if s.less(a.v, b.v) {
		return true
	}
	return !s.less(b.v, a.v) && a.seq < b.seq
}

func (s *priorityStore[T]) push(v T) {
	s.seq++
	s.add(prioritized[T]{v, s.seq})
}

func (s *priorityStore[T]) popAfter(int) T { return s.pop() }

func (s *priorityStore[T]) add(e prioritized[T]) {
	s.heap = append(s.heap, e)
	for i := len(s.heap) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.before(i, p) {
			break
		}
		s.heap[i], s.heap[p] = s.heap[p], s.heap[i]
		i = p
	}
}

func (s *priorityStore[T]) pop() T {
	v := s.heap[0].v
	n := len(s.heap) - 1
	s.heap[0] = s.heap[n]
	s.heap[n] = prioritized[T]{}
	s.heap = s.heap[:n]
	for i := 0; ; {
		m := i
		if l := 2*i + 1; l < n && s.before(l, m) {
			m = l
		}
		if r := 2*i + 2; r < n && s.before(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s.heap[i], s.heap[m] = s.heap[m], s.heap[i]
		i = m
	}
	return v
}
