package asyncio_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
)

// A keep-alive: each message moves the deadline on, so the scope only
// times out once the messages stop.
func ExampleScope_Reschedule() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		err := asyncio.Timeout(ctx, time.Second, func(ctx *asyncio.Ctx) error {
			for i := range 3 {
				asyncio.Sleep(ctx, 800*time.Millisecond) // a message arrives
				ctx.Scope().Reschedule(l.Time() + time.Second)
				fmt.Printf("%v: message %d, deadline %v\n", l.Time(), i, must(ctx.Scope().When()))
			}
			return asyncio.Sleep(ctx, time.Hour) // no more messages
		})
		fmt.Printf("%v: %v\n", l.Time(), err)
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 800ms: message 0, deadline 1.8s
	// 1.6s: message 1, deadline 2.6s
	// 2.4s: message 2, deadline 3.4s
	// 3.4s: asyncio: timeout: context deadline exceeded
}

func must(d time.Duration, ok bool) time.Duration {
	if !ok {
		panic("no deadline")
	}
	return d
}

// A task-local value: a child task starts with its creator's, and setting it
// in the child does not change the creator's.
func ExampleTaskVar() {
	user := asyncio.NewTaskVar("user", "nobody")
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		user.Set(ctx, "ada")
		child := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			fmt.Println("child starts with", user.Get(ctx))
			user.Set(ctx, "grace")
			fmt.Println("child now has", user.Get(ctx))
			return nil
		})
		child.Await(ctx)
		fmt.Println("main still has", user.Get(ctx))
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// child starts with ada
	// child now has grace
	// main still has ada
}

type requestID struct{}

// The context a program starts with reaches every task: its values through
// ctx.Value, its cancellation as a cancel of main.
func ExampleWithContext() {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), requestID{}, "req-7"))
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		fmt.Println("request", ctx.Value(requestID{}))
		cancel()                                  // as a server shutting down would
		err := asyncio.Sleep(ctx, 10*time.Second) // cancelled long before
		fmt.Println("main:", err)
		return err
	}, asyncio.WithContext(parent))
	fmt.Println("Run:", err)
	// Output:
	// request req-7
	// main: asyncio: task cancelled: context canceled
	// Run: asyncio: task cancelled: context canceled
}

// Ctrl-C cancels main, whose clean-up runs; a second Ctrl-C would end the
// program at once.
func ExampleCancelOnInterrupt() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		defer fmt.Println("clean-up runs")
		// Stands for work that runs until Ctrl-C; here it ends by itself.
		return asyncio.Sleep(ctx, time.Millisecond)
	}, asyncio.CancelOnInterrupt())
	fmt.Println("Run:", err)
	// Output:
	// clean-up runs
	// Run: <nil>
}

// Debug mode catches a goroutine, started by a task, that uses the task's
// Ctx: the call fails instead of racing with the loop.
func ExampleDebug() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		done := make(chan error)
		go func() { done <- asyncio.Sleep(ctx, time.Millisecond) }()
		err := <-done
		fmt.Println(strings.SplitN(err.Error(), ":", 3)[:2])
		return nil
	}, asyncio.Debug())
	if err != nil {
		fmt.Println(err)
	}
	// Output: [asyncio  called from the wrong goroutine]
}

// A done callback runs on the loop after the task ends.
func ExampleTask_AddDoneCallback() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Second) }, asyncio.Named("job"))
		t.AddDoneCallback(func(t *asyncio.Task) { fmt.Println(t.Name(), "done at", ctx.Loop().Time()) })
		return t.Await(ctx)
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output: job done at 1s
}

// A task dump, as a monitor prints it: each task, what it waits for, and
// who created whom.
func ExampleLoop_DumpTasks() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var ev asyncio.Event
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return ev.Wait(ctx) }, asyncio.Named("listener"))
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Minute) }, asyncio.Named("sleeper"))
		asyncio.Sleep(ctx, 0)
		var b strings.Builder
		ctx.Loop().DumpTasks(&b)
		for _, line := range strings.Split(b.String(), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "at ") { // file paths vary
				fmt.Println(line)
			}
		}
		ev.Set()
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	// Output:
	// 3 tasks at 0.000s:
	//   task "main": running
	//   task "listener": waiting (waiting for an event)
	//   task "sleeper": sleeping until 60.000s
	// created by:
	//   main
	//     listener
	//     sleeper
}

// counter is an Instrument that counts the steps of each task.
type counter struct{ steps map[string]int }

func (c *counter) TaskCreated(*asyncio.Task)        {}
func (c *counter) TaskScheduled(_, _ *asyncio.Task) {}
func (c *counter) BeforeTaskStep(t *asyncio.Task)   { c.steps[t.Name()]++ }
func (c *counter) AfterTaskStep(*asyncio.Task)      {}
func (c *counter) TaskExited(*asyncio.Task)         {}
func (c *counter) BeforeIdle(timeout time.Duration) {}
func (c *counter) AfterIdle()                       {}

// An instrument sees every step of every task.
func ExampleWithInstrument() {
	c := &counter{steps: map[string]int{}}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		for range 3 {
			asyncio.Sleep(ctx, 0)
		}
		return nil
	}, asyncio.WithInstrument(c), asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println("main ran", c.steps["main"], "times")
	// Output: main ran 4 times
}

// OnClose releases what a loop's tasks shared once they have all returned.
func ExampleLoop_OnClose() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().OnClose(func() { fmt.Println("released") })
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			defer fmt.Println("worker done")
			return asyncio.Sleep(ctx, time.Hour)
		})
		return asyncio.Sleep(ctx, time.Second)
	}, asyncio.VirtualClock())
	// Output:
	// worker done
	// released
}

// CallSoon queues a callback behind the work already ready, on the loop.
func ExampleLoop_CallSoon() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().CallSoon(func() { fmt.Println("callback") })
		fmt.Println("main goes on first")
		return asyncio.Sleep(ctx, 0)
	})
	// Output:
	// main goes on first
	// callback
}
