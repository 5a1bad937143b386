package asyncio_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// recorder is an Instrument that writes one line per event.
type recorder struct {
	l     *asyncio.Loop
	lines []string
}

func (r *recorder) add(s string)                   { r.lines = append(r.lines, s) }
func (r *recorder) TaskCreated(t *asyncio.Task)    { r.add("created " + t.Name()) }
func (r *recorder) BeforeTaskStep(t *asyncio.Task) { r.add("step " + t.Name()) }
func (r *recorder) AfterTaskStep(t *asyncio.Task)  { r.add("paused " + t.Name()) }
func (r *recorder) TaskExited(t *asyncio.Task)     { r.add("exited " + t.Name()) }
func (r *recorder) BeforeIdle(time.Duration)       { r.add("idle") }
func (r *recorder) AfterIdle()                     { r.add("awake") }
func (r *recorder) TaskScheduled(t, by *asyncio.Task) {
	if by == nil {
		r.add("ready " + t.Name())
	} else {
		r.add("ready " + t.Name() + " by " + by.Name())
	}
}

// An instrument sees every task's life, each step, and who woke whom.
func TestInstrumentSeesTheSchedule(t *testing.T) {
	r := &recorder{}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var ev asyncio.Event
		w := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return ev.Wait(c) }, asyncio.Named("waiter"))
		asyncio.Sleep(ctx, 0)
		ev.Set()
		return w.Await(ctx)
	}, asyncio.VirtualClock(), asyncio.WithInstrument(r))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("events:\n%s", strings.Join(r.lines, "\n"))
	got := strings.Join(r.lines, "\n")
	for _, w := range []string{
		"created waiter\nready waiter",                 // created and queued by main's step
		"step main\nready waiter by main\npaused main", // main's Set woke the waiter
		"step waiter\npaused waiter\nexited waiter",    // the waiter returned
		"ready main", // ... and main, awaiting it, was woken
		"exited main",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("no %q in:\n%s", w, got)
		}
	}
}

// A task dump names each task, its state, what it waits for, its scopes and
// where it paused, and the tree of who created whom.
func TestDumpTasks(t *testing.T) {
	var dump bytes.Buffer
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var ev asyncio.Event
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return ev.Wait(c) }, asyncio.Named("listener"))
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			return asyncio.Timeout(c, 5*time.Second, func(c *asyncio.Ctx) error { return asyncio.Sleep(c, time.Hour) })
		}, asyncio.Named("sleeper"))
		asyncio.Sleep(ctx, 0)
		ctx.Loop().DumpTasks(&dump)
		ev.Set()
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	out := dump.String()
	for _, want := range []string{
		`3 tasks at 0.000s`,
		`task "main": running`,
		`task "listener": waiting (waiting for an event)`,
		`task "sleeper": sleeping until 3600.000s, in timeout at 5.000s`,
		`taskdump_test.go:`, // where the listener paused
		"created by:\n  main\n    listener\n    sleeper",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the dump:\n%s", want, out)
		}
	}
}

// Done callbacks run in order on the loop after the task finishes, one added
// to a finished task runs soon, a removed one never runs, and a callback does
// not retrieve the task's error.
func TestAddDoneCallback(t *testing.T) {
	var got []string
	var reported error
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().SetExceptionHandler(func(_ *asyncio.Loop, c asyncio.ExceptionContext) { reported = c.Err })
		boom := errors.New("boom")
		task := asyncio.CreateTask(ctx, func(*asyncio.Ctx) error { return boom })
		task.AddDoneCallback(func(t *asyncio.Task) { got = append(got, "first: "+t.Err().Error()) })
		remove := task.AddDoneCallback(func(*asyncio.Task) { got = append(got, "removed") })
		task.AddDoneCallback(func(*asyncio.Task) { got = append(got, "second") })
		remove()
		for range 3 {
			asyncio.Sleep(ctx, 0)
		}
		task.AddDoneCallback(func(*asyncio.Task) { got = append(got, "late") })
		asyncio.Sleep(ctx, 0)
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ", ") != "first: boom, second, late" {
		t.Errorf("callbacks ran: %q", got)
	}
	if reported == nil {
		t.Error("a done callback retrieved the error: the exception handler was not called")
	}
}
