package asyncio

import (
	"slices"
)

// fifo is a first-in first-out queue of parked tasks.
type fifo struct{ tasks []*Task }

func (q *fifo) push(t *Task) { q.tasks = append(q.tasks, t) }

// remove implements waitQueue: a cancelled task leaves the queue.
func (q *fifo) remove(t *Task) {
	if i := slices.Index(q.tasks, t); i >= 0 {
		q.tasks = slices.Delete(q.tasks, i, i+1)
	}
}

// pop removes and returns the first task, or nil.
func (q *fifo) pop() *Task {
	if len(q.tasks) == 0 {
		return nil
	}
	t := q.tasks[0]
	q.tasks[0] = nil
	q.tasks = q.tasks[1:]
	return t
}

func (q *fifo) len() int { return len(q.tasks) }

// wakeAll makes every queued task ready, in the order they queued.
func (q *fifo) wakeAll() {
	for _, t := range q.tasks {
		t.loop.wake(t)
	}
	clear(q.tasks)
	q.tasks = q.tasks[:0]
}
