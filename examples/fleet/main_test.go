package main

import (
	"io"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// TestVirtualFleet: 200 devices for ten virtual minutes, a reading every
// 10 s each and a command a second, all obeyed and answered.
func TestVirtualFleet(t *testing.T) {
	c := config{n: 200, period: 10 * time.Second, duration: 10 * time.Minute, virtual: true, commands: time.Second, connects: 50}
	r, err := asyncio.RunOf(func(ctx *asyncio.Ctx) (report, error) { return run(ctx, c, io.Discard) }, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if r.Elapsed != c.duration || r.Readings != 200*60 {
		t.Errorf("ran %v with %d readings, want %v and %d", r.Elapsed, r.Readings, c.duration, 200*60)
	}
	if r.Commands < 590 || r.Obeyed != r.Commands || r.States != r.Obeyed || r.Drops != 0 {
		t.Errorf("report %+v", r)
	}
}
