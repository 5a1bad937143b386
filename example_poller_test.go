package asyncio_test

import (
	"fmt"
	"time"

	"github.com/goasyncio/asyncio"
)

// irqPoller is a Poller that waits for "interrupts" on a channel as well as
// for the loop's wake-ups and timers. An interrupt is handed to the loop from
// inside Poll, on the loop's goroutine, so its handler may set an Event or
// call Loop.CallSoon directly. A real one would wait in epoll or on a GPIO
// line's file descriptor instead (package stream installs an epoll Poller).
type irqPoller struct {
	irq   chan int
	wake  chan struct{}
	onIRQ func(n int) // runs on the loop
}

func newIRQPoller() *irqPoller {
	return &irqPoller{irq: make(chan int), wake: make(chan struct{}, 1)}
}

func (p *irqPoller) Poll(timeout time.Duration) {
	var timer <-chan time.Time
	switch {
	case timeout == 0: // a busy loop asks what is ready now
		select {
		case n := <-p.irq:
			p.onIRQ(n)
		case <-p.wake:
		default:
		}
		return
	case timeout > 0:
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	select {
	case n := <-p.irq:
		p.onIRQ(n)
	case <-p.wake:
	case <-timer:
	}
}

func (p *irqPoller) Wake() {
	select {
	case p.wake <- struct{}{}:
	default: // a wake-up is already on its way
	}
}

// A loop waits in a Poller of one's own when no task is ready: here three
// interrupts from another goroutine reach a task through it.
func ExampleLoop_SetPoller() {
	p := newIRQPoller()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		loop.SetPoller(p)
		var (
			ready asyncio.Event
			got   []int
		)
		p.onIRQ = func(n int) {
			fmt.Println("interrupt", n, "handled on the loop")
			got = append(got, n)
			ready.Set()
		}
		// The loop does not know the poller's source: while the task
		// waits for it, KeepAlive says that the wait is not a deadlock.
		release := loop.KeepAlive()
		defer release()
		go func() {
			for n := 1; n <= 3; n++ {
				p.irq <- n
			}
		}()
		for len(got) < 3 {
			ready.Clear()
			if err := ready.Wait(ctx); err != nil {
				return err
			}
		}
		fmt.Println("the task saw", got)
		return nil
	})
	fmt.Println("err:", err)
	// Output:
	// interrupt 1 handled on the loop
	// interrupt 2 handled on the loop
	// interrupt 3 handled on the loop
	// the task saw [1 2 3]
	// err: <nil>
}
