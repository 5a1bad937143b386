package stream_test

import (
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/stream"
)

// On the virtual clock, a jump in time never skips I/O that is ready: an echo
// server beside a task that sleeps an hour at a time answers each request at
// once, in virtual time, instead of after the sleeper has run out.
func TestVirtualClockJumpPollsIO(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		srv, err := stream.StartServer(ctx, func(ctx *asyncio.Ctx, s *stream.Stream) error {
			for {
				line, err := s.ReadLine(ctx)
				if err != nil || len(line) == 0 {
					return err
				}
				s.Write(line)
			}
		}, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer srv.Close()
		ticker := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			for range 1000 {
				if err := asyncio.Sleep(c, time.Hour); err != nil {
					return err
				}
			}
			return nil
		})
		c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
		if err != nil {
			return err
		}
		defer c.Close()
		l := ctx.Loop()
		if l.Time() >= time.Hour {
			t.Fatalf("connecting took %v of virtual time", l.Time())
		}
		// Loopback delivery may lag the write by a moment (on a loaded
		// machine), and I/O that is not ready yet is not skipped by a jump:
		// so most, not all, round trips must take no virtual time. Without
		// the poll before a jump, every one took an hour.
		late := 0
		for range 20 {
			start := l.Time()
			c.WriteString("ping\n")
			if _, err := c.ReadLine(ctx); err != nil {
				return err
			}
			if l.Time()-start >= time.Hour {
				late++
			}
		}
		if late > 5 {
			t.Errorf("%d of 20 round trips took an hour of virtual time: the clock jumped past ready I/O", late)
		}
		ticker.Cancel()
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}
