package stream

import (
	"context"
	"sync"
	"time"

	"github.com/goasyncio/asyncio"
)

// A registry ties the streams and servers of one loop to that loop's end.
//
// The core gives a library no hook into Loop.Close, and Close only waits
// for the goroutines that ToThread started. So each loop that has open
// streams or servers has a keeper task and a watcher goroutine:
//
//   - Loop.Close cancels the keeper like every task. Its context is done at
//     once, even if the keeper never got to run, and the watcher, waiting
//     on that context, closes every transport and listener of the loop,
//     which ends every blocked Read, Write and Accept.
//   - The keeper, if it had started, then calls ToThread with a function
//     that waits until every goroutine of the registry (the watcher
//     included) has ended. During Close that ToThread returns at once, but
//     Close waits for its goroutine, so Close returns only when the
//     streams' goroutines are gone.
//
// The keeper ends by itself, and the registry with it, when the loop has no
// open stream or server left, so that it never appears in a deadlock report
// of a loop that has none, and RunForever can still return when idle.
type registry struct {
	loop   *asyncio.Loop
	ev     asyncio.Event // loop side: set when members becomes empty
	keeper *asyncio.Task
	raws   int // loop side: open streams over plain sockets

	mu           sync.Mutex
	members      map[member]struct{}
	closing      bool    // the loop is closing: no new member, no new goroutine
	goroutines   int     // tracked goroutines alive, the watcher included
	poller       *poller // the loop's epoll, made on first use (Linux)
	pollerFailed bool
	others       int           // of which goroutines of transports other than network connections
	changed      chan struct{} // a goroutine ended
}

// member is what the registry closes when the loop closes. Any goroutine
// may call shutdown, more than once.
type member interface{ shutdown() }

func (t *transport) shutdown() { t.hardClose() }

// registries maps each loop that has open streams to its registry.
var registries sync.Map // *asyncio.Loop → *registry

// closedRegistry is the registry of loops that are closed: it takes no
// member and starts no goroutine.
var closedRegistry = &registry{closing: true}

// registryOf returns l's registry, making it (with its keeper and watcher)
// if l has none. It runs on l's goroutine or while l is not running.
func registryOf(l *asyncio.Loop) *registry {
	if r, ok := registries.Load(l); ok {
		return r.(*registry)
	}
	// A closed loop refuses posted work: this is the one way to tell.
	if err := l.CallSoonThreadsafe(func() {}); err != nil {
		return closedRegistry
	}
	r := &registry{loop: l, members: map[member]struct{}{}, changed: make(chan struct{}, 1)}
	r.keeper = l.CreateTask(r.keep, asyncio.Named("stream: closer"))
	done := r.keeper.Context().Done()
	r.goroutines++ // the watcher
	go r.watch(done)
	registries.Store(l, r)
	return r
}

// keep is the keeper task.
func (r *registry) keep(ctx *asyncio.Ctx) error {
	for {
		r.mu.Lock()
		empty := len(r.members) == 0
		r.mu.Unlock()
		if empty {
			registries.CompareAndDelete(r.loop, r)
			return nil // the watcher ends too, having nothing to close
		}
		r.ev.Clear()
		if err := r.ev.Wait(ctx); err != nil {
			break
		}
	}
	// Cancelled, which only Loop.Close does (no one else holds this
	// task): the watcher is closing everything; have Close wait for the
	// goroutines.
	registries.CompareAndDelete(r.loop, r)
	asyncio.ToThread(ctx, func(context.Context) error {
		r.waitGoroutines()
		return nil
	})
	return nil
}

// watch is the watcher goroutine: once the keeper is cancelled (or has
// returned), it closes every member.
func (r *registry) watch(done <-chan struct{}) {
	defer r.goDone(true)
	<-done
	r.mu.Lock()
	r.closing = true
	ms := make([]member, 0, len(r.members))
	for m := range r.members {
		ms = append(ms, m)
	}
	p := r.poller
	r.mu.Unlock()
	for _, m := range ms {
		m.shutdown()
	}
	if p != nil {
		p.shutdown()
	}
}

// untrackedGrace is how long the loop's end waits for the goroutines of
// transports that are not network connections: their Close should end a
// pending Read, but nothing guarantees it.
const untrackedGrace = time.Second

// waitGoroutines waits until every tracked goroutine has ended, giving
// those of transports other than network connections untrackedGrace.
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

// pollThreshold is how many plain TCP (or Unix) streams a loop reads with a
// goroutine each before it reads the next ones on the loop with epoll
// (Linux; see poll_linux.go). A goroutine per connection gives the lowest
// latency when few connections are open: the poller adds an epoll_wait on
// the way of every request. With many open, the poller wins: it hands
// readiness over in batches, saves the read(2) that returns EAGAIN and a
// goroutine wake-up per request, and a goroutine per connection. Measured
// with bench/echo: the poller is about 18% slower with one connection and
// 12% faster with 100 or 1000.
var pollThreshold = 16

// countRaw adds d to the count of open streams over plain sockets and
// returns it; it runs on the loop.
func (r *registry) countRaw(d int) int {
	r.raws += d
	return r.raws
}

// add registers m; it reports false if the loop is closing. Loop.Close
// cancels the keeper first thing, so its context tells, on the loop, before
// the watcher has run: nothing registers after the watcher's snapshot.
func (r *registry) add(m member) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing || (r.keeper != nil && r.keeper.Context().Err() != nil) {
		return false
	}
	r.members[m] = struct{}{}
	return true
}

// remove unregisters m; it runs on the loop.
func (r *registry) remove(m member) {
	r.mu.Lock()
	if r.members == nil {
		r.mu.Unlock()
		return
	}
	delete(r.members, m)
	empty := len(r.members) == 0
	r.mu.Unlock()
	if empty {
		r.ev.Set()
	}
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
