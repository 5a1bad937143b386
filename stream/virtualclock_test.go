package stream_test

import (
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/stream"
)

// On the virtual clock, a jump in time never skips I/O that is ready: an echo
// server beside a task that sleeps an hour at a time answers each request at
// once, in virtual time, instead of after the sleeper has run out.
func TestVirtualClockJumpPollsIO(t *testing.T) {
	// Loopback delivery is not always done by the time the sender's write
	// returns; under an emulator it can lag the poll before a jump.
	testenv.SkipIfEmulated(t, "loopback delivery can lag the poll before a jump under an emulator")
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
		for i := range 20 {
			start := l.Time()
			c.WriteString("ping\n")
			if _, err := c.ReadLine(ctx); err != nil {
				return err
			}
			if d := l.Time() - start; d >= time.Hour {
				t.Fatalf("round trip %d took %v of virtual time: the clock jumped past ready I/O", i, d)
			}
		}
		ticker.Cancel()
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}
