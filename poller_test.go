package asyncio_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// chanPoller is a Poller over a channel that records the timeouts it got.
type chanPoller struct {
	wake     chan struct{}
	mu       sync.Mutex
	timeouts []time.Duration
	onPoll   func()        // runs at the start of each Poll, on the loop
	blocked  chan struct{} // gets a token when Poll waits without a limit
}

func newChanPoller() *chanPoller {
	return &chanPoller{wake: make(chan struct{}, 1), blocked: make(chan struct{}, 1)}
}

func (p *chanPoller) Poll(timeout time.Duration) {
	p.mu.Lock()
	p.timeouts = append(p.timeouts, timeout)
	p.mu.Unlock()
	if p.onPoll != nil {
		p.onPoll()
	}
	switch {
	case timeout < 0:
		select {
		case p.blocked <- struct{}{}:
		default:
		}
		<-p.wake
	case timeout == 0:
		select {
		case <-p.wake:
		default:
		}
	default:
		select {
		case <-p.wake:
		case <-time.After(timeout):
		}
	}
}

func (p *chanPoller) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func TestPollerCarriesWakeUps(t *testing.T) {
	p := newChanPoller()
	loop := asyncio.NewLoop()
	loop.SetPoller(p)
	if loop.Poller() != p {
		t.Fatal("Poller does not return the poller set")
	}
	var got []string
	main := loop.CreateTask(func(ctx *asyncio.Ctx) error {
		flag := &asyncio.ThreadSafeFlag{}
		go func() {
			// Once the loop waits for it: a set before that (a slow
			// emulator) would find the loop busy and never let it wait.
			// (Bounded, so that a loop that never waits is reported.)
			select {
			case <-p.blocked:
			case <-time.After(10 * time.Second):
			}
			flag.Set()
		}()
		if err := flag.Wait(ctx); err != nil {
			return err
		}
		got = append(got, "flag")
		// Long enough that a slow platform (js/wasm) still reaches its idle
		// wait before the timer is due.
		if err := asyncio.Sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
		got = append(got, "slept")
		return nil
	})
	if err := loop.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if err := loop.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"flag", "slept"}) {
		t.Errorf("got %v", got)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(p.timeouts, -1) {
		t.Errorf("the loop never waited without a limit in the poller: %v", p.timeouts)
	}
	if !slices.ContainsFunc(p.timeouts, func(d time.Duration) bool { return d > 0 && d <= 20*time.Millisecond }) {
		t.Errorf("the loop never waited for its timer in the poller: %v", p.timeouts)
	}
}

func TestPollerCanReadyTasksAndIsPolledWhenBusy(t *testing.T) {
	p := newChanPoller()
	ev := &asyncio.Event{}
	p.onPoll = func() { ev.Set() } // I/O "ready" on the first poll
	spins := 0
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().SetPoller(p)
		// A task that never stops yielding keeps the loop busy: the poller
		// must still be asked, with a zero timeout.
		spinner := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				spins++
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
		})
		err := ev.Wait(ctx)
		spinner.Cancel()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.timeouts) == 0 || p.timeouts[0] != 0 {
		t.Errorf("a busy loop polled with %v, want 0 first", p.timeouts)
	}
}
