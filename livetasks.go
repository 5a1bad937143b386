package asyncio

// taskList is an intrusive doubly linked list of the loop's unfinished tasks,
// in creation order: Close cancels them and deadlock reports name them.
type taskList struct {
	head, tail *Task
	n          int
}

func (l *taskList) add(t *Task) {
	t.prevLive, t.nextLive = l.tail, nil
	if l.tail == nil {
		l.head = t
	} else {
		l.tail.nextLive = t
	}
	l.tail = t
	l.n++
}

func (l *taskList) remove(t *Task) {
	if t.prevLive == nil {
		l.head = t.nextLive
	} else {
		t.prevLive.nextLive = t.nextLive
	}
	if t.nextLive == nil {
		l.tail = t.prevLive
	} else {
		t.nextLive.prevLive = t.prevLive
	}
	t.prevLive, t.nextLive = nil, nil
	l.n--
}
