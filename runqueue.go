package asyncio

// runItem is a ready task or a due callback; callbacks share the run queue
// so that everything due at the same time runs in the order it was
// scheduled.
type runItem struct {
	t  *Task
	fn func()
}

// runQueue is the FIFO of ready work: a growable ring buffer, so push and
// pop are O(1) and steady state allocates nothing.
type runQueue struct {
	buf        []runItem
	head, size int
}

func (q *runQueue) len() int { return q.size }

func (q *runQueue) push(t *Task) { q.pushItem(runItem{t: t}) }

func (q *runQueue) pushItem(it runItem) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.size)&(len(q.buf)-1)] = it
	q.size++
}

// pushFront puts it before everything queued.
func (q *runQueue) pushFront(it runItem) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.head = (q.head - 1) & (len(q.buf) - 1)
	q.buf[q.head] = it
	q.size++
}

func (q *runQueue) pop() runItem {
	t := q.buf[q.head]
	q.buf[q.head] = runItem{}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.size--
	return t
}

func (q *runQueue) grow() {
	n := 2 * len(q.buf)
	if n == 0 {
		n = 16
	}
	buf := make([]runItem, n)
	for i := 0; i < q.size; i++ {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}
