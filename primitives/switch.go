package primitives

import (
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// SwitchConfig sets a Switch's timing and wiring. The zero value is
// micropython-async's Switch: 50 ms polls, a switch to ground with a
// pull-up (closed reads low).
type SwitchConfig struct {
	Debounce   time.Duration // poll period; zero means DefaultDebounce
	ClosedHigh bool          // closed reads high (a switch to the supply with a pull-down)
}

// Switch debounces a switch by polling it and reports its closing and
// opening (micropython-async's Switch). Make it with NewSwitch, ask for what
// you want with OnClose, OnOpen, CloseEvent and OpenEvent, and run it with
// Start or Run. Its methods must be called on the loop's goroutine.
type Switch struct {
	in     board.Input
	cfg    SwitchConfig
	closed bool
	close  handler
	open   handler
}

// NewSwitch returns a Switch reading in; its state starts as read now, and
// nothing fires for it.
func NewSwitch(in board.Input, cfg SwitchConfig) *Switch {
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	s := &Switch{in: in, cfg: cfg}
	s.closed = s.Raw()
	return s
}

// OnClose sets the function called when the switch closes; nil removes it.
func (s *Switch) OnClose(fn func()) { s.close.fn = fn }

// OnOpen sets the function called when the switch opens; nil removes it.
func (s *Switch) OnOpen(fn func()) { s.open.fn = fn }

// CloseEvent returns the event set when the switch closes.
func (s *Switch) CloseEvent() *asyncio.Event { return s.close.event() }

// OpenEvent returns the event set when the switch opens.
func (s *Switch) OpenEvent() *asyncio.Event { return s.open.event() }

// Closed reports the debounced state: whether the last poll read the
// switch closed.
func (s *Switch) Closed() bool { return s.closed }

// Raw reports whether the switch reads closed now, bounce and all.
func (s *Switch) Raw() bool { return s.in.Get() == s.cfg.ClosedHigh }

// Start runs Run in a new task of ctx's loop, named "switch", and returns
// it; the task ends when cancelled, at the latest when the loop closes.
func (s *Switch) Start(ctx *asyncio.Ctx) *asyncio.Task {
	return asyncio.CreateTask(ctx, s.Run, asyncio.Named("switch"))
}

// Run polls the switch every Debounce from now on and fires OnClose or
// OnOpen (and sets the events) at each change it reads, until the task is
// cancelled; then it returns asyncio.ErrCancelled.
func (s *Switch) Run(ctx *asyncio.Ctx) error {
	for {
		if c := s.Raw(); c != s.closed {
			s.closed = c
			if c {
				s.close.fire()
			} else {
				s.open.fire()
			}
		}
		if err := asyncio.Sleep(ctx, s.cfg.Debounce); err != nil {
			return err
		}
	}
}
