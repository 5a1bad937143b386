package asyncio

// timer is one pending wake-up: a sleeping task or a callback. It is armed
// while seq is non-zero; disarming only clears seq and leaves the heap entry
// behind, to be skipped when it surfaces (cheaper than keeping heap indexes in
// every task, which would touch a cold task on every sift step).
type timer struct {
	seq  uint64 // sequence number of the live heap entry, 0 when disarmed
	when int64  // its deadline, for task dumps
	task *Task  // task to make ready, or
	fn   func() // callback to run on the loop
}

// timerEntry is a heap slot. The key is inline so that sifting compares
// without following pointers.
type timerEntry struct {
	when int64 // deadline, loop nanoseconds
	seq  uint64
	t    *timer
}

func (a *timerEntry) before(b *timerEntry) bool {
	return a.when < b.when || (a.when == b.when && a.seq < b.seq)
}

// timerHeap is a binary min-heap ordered by deadline, then by insertion
// order, so equal deadlines fire first-in first-out.
type timerHeap struct {
	entries []timerEntry
	seq     uint64 // last sequence number handed out
	stale   int    // entries whose timer was disarmed
}

// arm schedules t at when. t must be disarmed.
func (h *timerHeap) arm(t *timer, when int64) {
	h.seq++
	t.seq, t.when = h.seq, when
	h.entries = append(h.entries, timerEntry{when, h.seq, t})
	h.up(len(h.entries) - 1)
}

// disarm cancels t's pending wake-up, if any.
func (h *timerHeap) disarm(t *timer) {
	if t.seq == 0 {
		return
	}
	t.seq = 0
	h.stale++
	if h.stale > 64 && h.stale > len(h.entries)/2 {
		h.compact()
	}
}

// peek drops stale entries from the top and returns the earliest live
// deadline.
func (h *timerHeap) peek() (when int64, ok bool) {
	for len(h.entries) > 0 {
		e := &h.entries[0]
		if e.seq == e.t.seq {
			return e.when, true
		}
		h.pop()
		h.stale--
	}
	return 0, false
}

// popDue removes and returns the earliest live timer whose deadline is at or
// before now, or nil.
func (h *timerHeap) popDue(now int64) *timer {
	when, ok := h.peek()
	if !ok || when > now {
		return nil
	}
	t := h.pop()
	t.seq = 0
	return t
}

func (h *timerHeap) pop() *timer {
	es := h.entries
	t := es[0].t
	n := len(es) - 1
	es[0] = es[n]
	es[n] = timerEntry{}
	h.entries = es[:n]
	if n > 0 {
		h.down(0)
	}
	return t
}

func (h *timerHeap) up(i int) {
	es := h.entries
	e := es[i]
	for i > 0 {
		p := (i - 1) / 2
		if !e.before(&es[p]) {
			break
		}
		es[i] = es[p]
		i = p
	}
	es[i] = e
}

func (h *timerHeap) down(i int) {
	es := h.entries
	n := len(es)
	e := es[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && es[c+1].before(&es[c]) {
			c++
		}
		if !es[c].before(&e) {
			break
		}
		es[i] = es[c]
		i = c
	}
	es[i] = e
}

// compact drops every stale entry and restores the heap order.
func (h *timerHeap) compact() {
	live := h.entries[:0]
	for _, e := range h.entries {
		if e.seq == e.t.seq {
			live = append(live, e)
		}
	}
	clear(h.entries[len(live):])
	h.entries = live
	h.stale = 0
	for i := len(live)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *timerHeap) len() int { return len(h.entries) - h.stale }
