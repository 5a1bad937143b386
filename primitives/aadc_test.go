package primitives_test

import (
	"errors"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/primitives"
)

// ramp is an analog input that rises by step every 10 ms of the loop's clock.
type ramp struct {
	l    *asyncio.Loop
	step uint16
}

func (r *ramp) Get() uint16 { return uint16(r.l.Time()/(10*time.Millisecond)) * r.step }

// AADC returns the first reading outside the window, at the poll that sees
// it; with Inside, the first one inside; WaitChange once the reading moved.
func TestAADC(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		a := primitives.NewAADC(&ramp{l: l, step: 100})
		v, err := a.Wait(ctx, 0, 1000)
		if v != 1100 || err != nil || l.Time() != 110*time.Millisecond {
			t.Errorf("Wait(0, 1000) = %d, %v at %v; want 1100 at 110ms", v, err, l.Time())
		}
		a.Inside = true
		if v, err := a.Wait(ctx, 1000, 2000); v != 1100 || err != nil || l.Time() != 110*time.Millisecond {
			t.Errorf("Inside, already inside: %d, %v at %v", v, err, l.Time())
		}
		if v, err := a.Wait(ctx, 3000, 3050); v != 3000 || l.Time() != 300*time.Millisecond {
			t.Errorf("Inside Wait(3000, 3050) = %d, %v at %v", v, err, l.Time())
		}
		a.Inside = false
		if v, err := a.WaitChange(ctx, 250); v != 3300 || err != nil || l.Time() != 330*time.Millisecond {
			t.Errorf("WaitChange(250) = %d, %v at %v; want 3300 at 330ms", v, err, l.Time())
		}
		if _, err := a.Wait(ctx, 5, 4); !errors.Is(err, primitives.ErrBadWindow) {
			t.Errorf("bad window: %v", err)
		}
		// Cancelled while it waits.
		task := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			_, err := primitives.NewAADC(&ramp{l: l}).Wait(c, 0, 10)
			return err
		})
		asyncio.Sleep(ctx, 50*time.Millisecond)
		task.Cancel()
		if err := task.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("cancelled Wait: %v", err)
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}
