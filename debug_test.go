package asyncio_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

func TestDebugSlowTasks(t *testing.T) {
	var h handlerLog
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			asyncio.SleepMs(ctx, 10)
			time.Sleep(30 * time.Millisecond) // a blocking call: the bug to find
			return nil
		}, asyncio.Named("blocker"))
		return asyncio.SleepMs(ctx, 100)
	}, asyncio.VirtualClock(), asyncio.DebugSlowTasks(20*time.Millisecond), asyncio.WithExceptionHandler(h.handle))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 1 {
		t.Fatalf("reports: %+v", h.got)
	}
	msg := h.got[0].Err.Error()
	if !errors.Is(h.got[0].Err, asyncio.ErrSlowTask) || h.got[0].Task.Name() != "blocker" ||
		!strings.Contains(msg, "TestDebugSlowTasks") || !strings.Contains(msg, "debug_test.go:16") {
		t.Fatalf("report: %v", msg)
	}
}
