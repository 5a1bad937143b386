// Package tui shows a program's virtual board in a terminal: its LEDs lit in
// their colours, its buttons and input pins with the keys that work them, a
// timing diagram that scrolls with the program's clock, the serial console
// with a line to type into, and the clock with its speed.
//
// Run takes over the terminal (the alternate screen) until q or Ctrl-C, and
// puts it back as it was. The keys:
//
//	1..9         press the n-th input (buttons first, then pins); see below
//	space        pause or resume the clock
//	.            step: with the clock paused, jump to its next deadline
//	+ -          speed up or slow down: 0.1, 0.25, 0.5, 1, 2, 5, 10, 100
//	[ ]          zoom the timing diagram in or out
//	r            restart the program
//	i, Tab       type a line to the program's standard input: Enter sends
//	             it, Esc goes back to the keys above
//	q, Ctrl-C    quit
//
// Terminals do not say when a key is let go, so a button key holds: the
// first press of 1 presses button 1 and keeps it down, for as long as you
// like; the next press of 1 releases it. A click is 1 twice. An input pin's
// key flips the level the pin is driven to. In a terminal that reports key
// releases (the kitty keyboard protocol), a button is down exactly while its
// key is held instead.
//
// The timing diagram shows each part's level as the program's pins have
// it, as a VCD file would: an active-low LED is lit while its row is low.
// A PWM LED's row shows its duty in percent.
//
// A command the program cannot obey (a part that is not there, a program
// that is not running) is shown on the status line in red.
package tui

import (
	"context"
	"errors"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/goasyncio/asyncio/view"
)

// Option changes how Run shows a Session.
type Option func(*config)

type config struct {
	in       io.Reader
	out      io.Writer
	width    int // the screen's size before the terminal tells it (tests)
	height   int
	programs []tea.ProgramOption
}

// WithInput makes Run read keys from r instead of the terminal on standard
// input. If r is a terminal, Run puts it in raw mode while it runs.
func WithInput(r io.Reader) Option { return func(c *config) { c.in = r } }

// WithOutput makes Run draw on w instead of standard output.
func WithOutput(w io.Writer) Option { return func(c *config) { c.out = w } }

// WithProgramOptions passes options on to the Bubble Tea program that Run
// starts, e.g. tea.WithEnvironment or tea.WithColorProfile.
func WithProgramOptions(opts ...tea.ProgramOption) Option {
	return func(c *config) { c.programs = append(c.programs, opts...) }
}

// Run shows s in the terminal and takes the keys listed in the package
// documentation until q or Ctrl-C is pressed, ctx is done, or s is closed.
// It restores the terminal before it returns. It does not close s; the
// program keeps running until s is closed.
//
// Run returns nil after q or Ctrl-C or when s is closed, and ctx's error
// when ctx is done first.
func Run(ctx context.Context, s *view.Session, opts ...Option) error {
	if s == nil {
		return errors.New("tui: no session")
	}
	return run(ctx, s, opts...)
}

// run is Run for anything that acts as a Session.
func run(ctx context.Context, s session, opts ...Option) error {
	var c config
	for _, o := range opts {
		o(&c)
	}
	m := newModel(s, c)
	defer m.unsubscribe()
	var popts []tea.ProgramOption
	if c.in != nil {
		popts = append(popts, tea.WithInput(c.in))
	}
	if c.out != nil {
		popts = append(popts, tea.WithOutput(c.out))
	}
	popts = append(popts, c.programs...)
	p := tea.NewProgram(m, popts...)
	// When ctx is done the program quits as it does for q, which waits for
	// its input reader to stop before it restores the terminal.
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
			p.Quit()
		case <-stop:
		}
	}()
	_, err := p.Run()
	close(stop)
	<-watched
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// session is what the model needs of a *view.Session.
type session interface {
	State() view.State
	Now() time.Duration
	Subscribe(buffer int) (<-chan view.Update, func())
	Press(name string) error
	Release(name string) error
	Drive(name string, v int) error
	Input(line string) error
	SetSpeed(speed float64) error
	Pause() error
	Resume() error
	Step() error
	Restart() error
	Where() error
}

var _ session = (*view.Session)(nil)
