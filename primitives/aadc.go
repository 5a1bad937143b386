package primitives

import (
	"errors"
	"time"

	"github.com/goasyncio/asyncio"
)

// Analog is an analog input: TinyGo's machine.ADC shape, Get returning a
// reading scaled to 16 bits (0 to 65535), as the board's ADC channels do.
type Analog interface {
	Get() uint16
}

// AADC pauses a task until an analog reading leaves (or, with Inside,
// enters) a window (Hinch's AADC). It polls its input every Period on the
// loop's clock, so it works on the virtual clock as on a device, and it
// starts no task of its own: the task that calls Wait does the polling.
// Its settings are its own.
type AADC struct {
	in     Analog
	Period time.Duration // how often Wait reads the input; 0 means 10 ms
	Inside bool          // Wait returns when the reading is inside the window, not outside
}

// ErrBadWindow is returned by AADC.Wait when lower is above upper.
var ErrBadWindow = errors.New("primitives: AADC window has lower above upper")

// ErrInsideChange is returned by AADC.WaitChange on an AADC set to wait for
// a reading inside its window: a change is a reading leaving it.
var ErrInsideChange = errors.New("primitives: AADC.WaitChange needs Inside false")

// NewAADC returns an AADC reading in.
func NewAADC(in Analog) *AADC { return &AADC{in: in} }

// Read returns the current reading.
func (a *AADC) Read() uint16 { return a.in.Get() }

// Wait pauses the task until the reading is outside [lower, upper] (inside
// it with Inside set) and returns that reading. A reading that already
// qualifies returns at once. It returns ErrCancelled if the task is
// cancelled while waiting, and ErrBadWindow for lower above upper.
func (a *AADC) Wait(ctx *asyncio.Ctx, lower, upper uint16) (uint16, error) {
	if lower > upper {
		return 0, ErrBadWindow
	}
	period := a.Period
	if period <= 0 {
		period = 10 * time.Millisecond
	}
	for {
		v := a.in.Get()
		if (lower <= v && v <= upper) == a.Inside {
			return v, nil
		}
		if err := asyncio.Sleep(ctx, period); err != nil {
			return 0, err
		}
	}
}

// WaitChange is Wait with a window of delta either side of the current
// reading (Hinch's aadc(delta)): it returns once the reading has moved by
// more than delta.
func (a *AADC) WaitChange(ctx *asyncio.Ctx, delta uint16) (uint16, error) {
	if a.Inside {
		return 0, ErrInsideChange
	}
	r := a.in.Get()
	lower, upper := uint16(0), uint16(65535)
	if r > delta {
		lower = r - delta
	}
	if r < 65535-delta {
		upper = r + delta
	}
	return a.Wait(ctx, lower, upper)
}
