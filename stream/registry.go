package stream

import (
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/goasyncio/asyncio"
)

// A registry ties the streams and servers of one loop to that loop. It is
// made on the loop's first stream or server and lives until the loop
// closes. It holds the loop's poller (Linux: see epoll_linux.go), counts the
// goroutines of the streams that have some, and at the loop's end
// (Loop.OnClose: once every task has returned) closes every stream and
// server still open, which ends every blocked Read, Write and Accept, waits
// for those goroutines, and releases the poller. So Close returns only when
// nothing of the package is left running.
type registry struct {
	loop *asyncio.Loop
	ep   *epoller // the loop's poller; nil: streams read and write with goroutines

	// Protocols' deliveries, loop side (protocol.go).
	protoBuf   *[protoReadSize]byte // where Protocols' data is read (protoBuffer)
	batches    [][]*Transport       // deliveries due from polls, a batch per poll, oldest first
	batchOpen  bool                 // the last batch is the poll being dispatched
	spareBatch []*Transport         // a batch that ran, to reuse
	deliverAll func()               // r.deliverBatch, made once

	mu         sync.Mutex
	members    map[member]struct{}
	closing    bool          // the loop is closing: no new member, no new goroutine
	goroutines int           // tracked goroutines alive
	others     int           // of which goroutines of links other than network connections
	changed    chan struct{} // a goroutine ended
}

// pollable is what registers with the loop's epoll: a stream's socket, a
// server's listener. pollEvent runs on the loop with the events that came.
type pollable interface{ pollEvent(events uint32) }

// member is what the registry closes when the loop closes. Any goroutine
// may call shutdown, more than once.
type member interface{ shutdown() }

func (t *link) shutdown() { t.hardClose() }

// registries maps each loop that has a registry to it. Both are weak
// pointers: the loop holds its registry (through its OnClose function), and
// a loop that is dropped without being closed takes its registry and its
// entry here with it.
var registries sync.Map // weak.Pointer[asyncio.Loop] → weak.Pointer[registry]

// closedRegistry is the registry of loops that are closed: it takes no
// member and starts no goroutine.
var closedRegistry = &registry{closing: true}

// loopIO says whether a new loop's plain sockets are read and written on
// the loop, with its poller, where the system allows (tests turn it off to
// test the goroutines).
var loopIO = true

// registryOf returns l's registry, making it if l has none. It runs on l's
// goroutine or while l is not running.
func registryOf(l *asyncio.Loop) *registry {
	key := weak.Make(l)
	if v, ok := registries.Load(key); ok {
		if r := v.(weak.Pointer[registry]).Value(); r != nil {
			return r
		}
	}
	if l.Closing() {
		return closedRegistry
	}
	r := &registry{loop: l, members: map[member]struct{}{}, changed: make(chan struct{}, 1)}
	r.deliverAll = r.deliverBatch
	// Another poller set by the user stays: the streams then use goroutines.
	if loopIO && l.Poller() == nil {
		if ep := newEpoller(r); ep != nil {
			r.ep = ep
			l.SetPoller(ep)
		}
	}
	registries.Store(key, weak.Make(r))
	runtime.AddCleanup(l, func(k weak.Pointer[asyncio.Loop]) { registries.Delete(k) }, key)
	l.OnClose(r.close)
	return r
}

// close runs when the loop closes, after its last task returned: it closes
// every member, waits for the goroutines and releases the poller.
func (r *registry) close() {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	r.shutdownMembers()
	r.waitGoroutines()
	if p := r.ep; p != nil {
		p.letGo()
		if r.loop.Poller() == p {
			r.loop.SetPoller(nil)
		}
		p.close()
	}
	registries.Delete(weak.Make(r.loop))
}

// shutdownMembers closes every member, which ends their goroutines'
// blocked calls. The loop's poller calls it as soon as Close has begun
// (Linux), and close at the end.
func (r *registry) shutdownMembers() {
	r.mu.Lock()
	ms := make([]member, 0, len(r.members))
	for m := range r.members {
		ms = append(ms, m)
	}
	r.mu.Unlock()
	for _, m := range ms {
		m.shutdown()
	}
}

// isClosing reports whether the registry takes no more members.
func (r *registry) isClosing() bool {
	if r.loop != nil && r.loop.Closing() {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closing
}

// untrackedGrace is how long the loop's end waits for the goroutines of
// links that are not network connections: their Close should end a
// pending Read, but nothing guarantees it.
const untrackedGrace = time.Second

// waitGoroutines waits until every tracked goroutine has ended, giving
// those of links other than network connections untrackedGrace.
func (r *registry) waitGoroutines() {
	var grace <-chan time.Time
	for {
		r.mu.Lock()
		n, others := r.goroutines, r.others
		r.mu.Unlock()
		if n == 0 || (n == others && grace == nil && others > 0) {
			if n == 0 {
				return
			}
			t := time.NewTimer(untrackedGrace)
			defer t.Stop()
			grace = t.C
		}
		select {
		case <-r.changed:
		case <-grace:
			return
		}
	}
}

// add registers m; it reports false if the loop is closing (Loop.Close has
// begun: what registers now might be missed by close). It runs on the
// loop.
func (r *registry) add(m member) bool {
	if r.loop != nil && r.loop.Closing() {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return false
	}
	r.members[m] = struct{}{}
	return true
}

// remove unregisters m; it runs on the loop.
func (r *registry) remove(m member) {
	r.mu.Lock()
	delete(r.members, m)
	r.mu.Unlock()
}

// goStart counts a goroutine about to start; netConn says whether it works
// on a network connection or listener. It reports false, and the goroutine
// must not start, once the loop is closing: Close may have stopped counting.
func (r *registry) goStart(netConn bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return false
	}
	r.goroutines++
	if !netConn {
		r.others++
	}
	return true
}

func (r *registry) goDone(netConn bool) {
	r.mu.Lock()
	r.goroutines--
	if !netConn {
		r.others--
	}
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}
