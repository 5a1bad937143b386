package asyncio_test

import (
	"errors"
	"io"
	"os"
	"runtime"
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
		!strings.Contains(msg, "TestDebugSlowTasks") || !strings.Contains(msg, "debug_test.go:19") {
		t.Fatalf("report: %v", msg)
	}
}

// TestDebugSlowTasksWatchdog: a task that blocks is reported while it is
// still blocked, with its name, how long it has run and its goroutine's
// stack, which shows where it is stuck; once it yields, the exception
// handler gets the report after the fact as before. The task waits for the
// report itself, so the test shows that the report comes first.
func TestDebugSlowTasksWatchdog(t *testing.T) {
	for _, first := range []bool{false, true} {
		t.Run(map[bool]string{false: "after an await", true: "from its start"}[first], func(t *testing.T) {
			var h handlerLog
			reports := make(chan asyncio.SlowTask, 10)
			report := func(s asyncio.SlowTask) { reports <- s }
			err := asyncio.Run(func(ctx *asyncio.Ctx) error {
				blocker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
					if !first {
						asyncio.SleepMs(ctx, 10)
					}
					waitForReport(t, reports)
					return nil
				}, asyncio.Named("blocker"))
				return blocker.Await(ctx)
			}, asyncio.VirtualClock(), asyncio.DebugSlowTasksFunc(20*time.Millisecond, report), asyncio.WithExceptionHandler(h.handle))
			if err != nil {
				t.Fatal(err)
			}
			if len(h.got) != 1 || !errors.Is(h.got[0].Err, asyncio.ErrSlowTask) {
				t.Errorf("exception handler got %+v, want the report after the fact", h.got)
			}
		})
	}
}

// waitForReport blocks, as a task stuck in a blocking call would, until the
// watchdog reports it, and checks the report.
func waitForReport(t *testing.T, reports chan asyncio.SlowTask) {
	select {
	case s := <-reports:
		if s.Name != "blocker" || s.Running < 20*time.Millisecond {
			t.Errorf("report: %q after %v", s.Name, s.Running)
		}
		// The stack is this goroutine's: it shows this function and its
		// caller, the task.
		if !strings.Contains(s.Stack, "asyncio_test.waitForReport") || !strings.Contains(s.Stack, "TestDebugSlowTasksWatchdog") ||
			!strings.HasPrefix(s.Stack, "goroutine ") {
			t.Errorf("report's stack:\n%s", s.Stack)
		}
		if !strings.Contains(s.String(), `task "blocker" has run for`) {
			t.Errorf("report: %s", s)
		}
	case <-time.After(10 * time.Second):
		t.Error("no report from the watchdog while the task was blocked")
	}
}

// TestDebugSlowTasksWatchdogStderr: without a report function the
// watchdog writes to standard error.
func TestDebugSlowTasksWatchdogStderr(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("os.Pipe is not implemented on js/wasm")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = stderr }()
	err = asyncio.Run(func(ctx *asyncio.Ctx) error {
		time.Sleep(100 * time.Millisecond) // a blocking call
		return nil
	}, asyncio.DebugSlowTasks(10*time.Millisecond), asyncio.WithExceptionHandler(func(*asyncio.Loop, asyncio.ExceptionContext) {}))
	os.Stderr = stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `asyncio: task "main" has run for`) || !strings.Contains(string(out), "time.Sleep") {
		t.Errorf("standard error: %s", out)
	}
}

// TestDebugSlowTasksQuiet: fast tasks are not reported.
func TestDebugSlowTasksQuiet(t *testing.T) {
	reported := 0
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		for range 100 {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, 0) })
		}
		return asyncio.Sleep(ctx, 0)
	}, asyncio.DebugSlowTasksFunc(time.Second, func(asyncio.SlowTask) { reported++ }))
	if err != nil || reported != 0 {
		t.Fatalf("run: %v, %d reports", err, reported)
	}
}
