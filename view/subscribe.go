package view

import "sync"

// subscriber is one viewer's queue of updates. A viewer that falls behind
// by more than its buffer loses the queued updates and gets one
// UpdateReset instead, so a slow viewer never holds the Session up.
type subscriber struct {
	ch   chan Update
	mu   sync.Mutex
	done bool
}

// Subscribe returns a channel of the updates from now on, with room for
// buffer of them (at least 16), and a function that ends the subscription
// and closes the channel. Close closes it too. A subscriber that lets the
// channel fill up gets an UpdateReset when there is room again, and should
// then read State afresh. Updates made before that read may still be queued
// behind the reset: the State includes those up to its Seq, so a subscriber
// that applies updates to a copy of the State skips them. The same holds
// for the State read after subscribing.
func (s *Session) Subscribe(buffer int) (<-chan Update, func()) {
	sub := &subscriber{ch: make(chan Update, max(buffer, 16))}
	s.mu.Lock()
	if s.subs == nil {
		s.mu.Unlock()
		sub.close()
		return sub.ch, func() {}
	}
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	return sub.ch, func() {
		s.mu.Lock()
		delete(s.subs, sub) // a no-op on nil after Close
		s.mu.Unlock()
		sub.close()
	}
}

func (sub *subscriber) close() {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if !sub.done {
		sub.done = true
		close(sub.ch)
	}
}

// deliver queues u, or, if the queue is full, replaces what is queued with
// a reset.
func (sub *subscriber) deliver(u Update) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.done {
		return
	}
	select {
	case sub.ch <- u:
		return
	default:
	}
	for len(sub.ch) > 0 {
		select {
		case <-sub.ch:
		default:
		}
	}
	sub.ch <- Update{Type: UpdateReset, Run: u.Run, Seq: u.Seq}
}

// publish sends u, stamped with the run, to every subscriber. s.mu is
// held, so that updates reach every subscriber in the order the State
// changed, and a State read after an update includes it.
func (s *Session) publish(u Update) {
	s.st.Seq++
	u.Run, u.Seq = s.st.Run, s.st.Seq
	for sub := range s.subs {
		sub.deliver(u)
	}
}
