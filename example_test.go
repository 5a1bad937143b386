package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goasyncio/asyncio"
)

// The lecture's blink lab with two counters for LEDs, on the virtual clock:
// main sleeps 10 s while two tasks toggle at 1 s and 0.25 s.
func Example() {
	toggles := map[string]int{}
	blink := func(name string, period time.Duration) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			for {
				toggles[name]++
				if err := asyncio.Sleep(ctx, period); err != nil {
					return err // cancelled when main returns
				}
			}
		}
	}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, blink("red", time.Second))
		asyncio.CreateTask(ctx, blink("green", 250*time.Millisecond))
		return asyncio.Sleep(ctx, 10*time.Second)
	}, asyncio.VirtualClock())
	fmt.Println(toggles["red"], toggles["green"], err)
	// Output: 10 40 <nil>
}

func ExampleRun() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		fmt.Println("hello from the main task")
		return nil
	})
	fmt.Println("Run returned", err)
	// Output:
	// hello from the main task
	// Run returned <nil>
}

func ExampleRunOf() {
	answer, err := asyncio.RunOf(func(ctx *asyncio.Ctx) (int, error) {
		asyncio.SleepMs(ctx, 100)
		return 42, nil
	}, asyncio.VirtualClock())
	fmt.Println(answer, err)
	// Output: 42 <nil>
}

func ExampleCreateTask() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			fmt.Println("task runs")
			return errors.New("task failed")
		}, asyncio.Named("worker"))
		fmt.Println("created", t.Name(), "- it starts at main's next await")
		fmt.Println("await:", t.Await(ctx))
		return nil
	})
	// Output:
	// created worker - it starts at main's next await
	// task runs
	// await: task failed
}

func ExampleCreateTaskOf() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		square := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) {
			return 12 * 12, nil
		})
		v, err := square.Await(ctx)
		fmt.Println(v, err)
		return nil
	})
	// Output: 144 <nil>
}

func ExampleCurrentTask() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		fmt.Println(asyncio.CurrentTask(ctx).Name())
		return asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			fmt.Println(asyncio.CurrentTask(ctx).Name())
			return nil
		}, asyncio.Named("child")).Await(ctx)
	})
	// Output:
	// main
	// child
}

// A package built on the loop checks its caller's Ctx with InTask before
// it changes anything, and gives back the error a blocking call would.
func ExampleInTask() {
	var sent []string
	send := func(ctx *asyncio.Ctx, msg string) error {
		if err := asyncio.InTask(ctx); err != nil {
			return err
		}
		sent = append(sent, msg)
		return nil
	}
	fmt.Println(send(nil, "lost"))
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		fmt.Println(send(ctx, "hello"))
		// Another goroutine with the task's Ctx: caught in debug mode.
		err := asyncio.ToThread(ctx, func(context.Context) error { return send(ctx, "stray") })
		fmt.Println(errors.Is(err, asyncio.ErrWrongGoroutine))
		return nil
	}, asyncio.Debug())
	fmt.Println(sent)
	// Output:
	// asyncio: not called from the running task
	// <nil>
	// true
	// [hello]
}

func ExampleSleep() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		for _, name := range []string{"a", "b"} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for i := range 2 {
					fmt.Println(name, i)
					asyncio.Sleep(ctx, 0) // let the other task run
				}
				return nil
			})
		}
		asyncio.Sleep(ctx, 1500*time.Millisecond)
		fmt.Println("main woke at", ctx.Loop().Time())
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// a 0
	// b 0
	// a 1
	// b 1
	// main woke at 1.5s
}

func ExampleSleepMs() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.SleepMs(ctx, 20)
		fmt.Println(ctx.Loop().Time())
		return nil
	}, asyncio.VirtualClock())
	// Output: 20ms
}

func ExampleTask_Cancel() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		sleeper := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := asyncio.Sleep(ctx, time.Hour)
			fmt.Println("sleeper:", err)
			return err
		})
		asyncio.SleepMs(ctx, 100)
		fmt.Println("cancel:", sleeper.Cancel())
		err := sleeper.Await(ctx)
		fmt.Println("cancelled:", errors.Is(err, asyncio.ErrCancelled), "at", ctx.Loop().Time())
		fmt.Println("again:", sleeper.Cancel())
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// cancel: <nil>
	// sleeper: asyncio: task cancelled: context canceled
	// cancelled: true at 100ms
	// again: asyncio: task already done
}

func ExampleLoop() {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	loop.CreateTask(func(ctx *asyncio.Ctx) error {
		for i := 1; ; i++ {
			if err := asyncio.SleepMs(ctx, 100); err != nil {
				return err
			}
			fmt.Println("tick", i)
			if i == 3 {
				ctx.Loop().Stop()
			}
		}
	})
	fmt.Println("RunForever:", loop.RunForever())
	fmt.Println("Close:", loop.Close()) // cancels the ticker
	// Output:
	// tick 1
	// tick 2
	// tick 3
	// RunForever: <nil>
	// Close: <nil>
}

func ExampleLoop_SetExceptionHandler() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().SetExceptionHandler(func(l *asyncio.Loop, c asyncio.ExceptionContext) {
			fmt.Printf("%s: %v: %v\n", c.Message, c.Task, c.Err)
		})
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return errors.New("sensor unplugged")
		}, asyncio.Named("sensor"))
		return asyncio.SleepMs(ctx, 10) // nobody awaits the sensor task
	}, asyncio.VirtualClock())
	// Output: Task exception wasn't retrieved: task "sensor": sensor unplugged
}

func ExampleLoop_CallSoonThreadsafe() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		loop := ctx.Loop()
		var done asyncio.Event
		release := loop.KeepAlive() // a goroutine will post: no deadlock meanwhile
		go func() {
			loop.CallSoonThreadsafe(func() {
				fmt.Println("posted from a goroutine")
				done.Set()
				release()
			})
		}()
		return done.Wait(ctx)
	})
	// Output: posted from a goroutine
}

func ExampleEvent() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		var ready asyncio.Event
		for _, name := range []string{"first", "second"} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				ready.Wait(ctx)
				fmt.Println(name, "woke")
				return nil
			})
		}
		asyncio.SleepMs(ctx, 10)
		ready.Set()
		return asyncio.SleepMs(ctx, 10)
	}, asyncio.VirtualClock())
	// Output:
	// first woke
	// second woke
}

func ExampleThreadSafeFlag() {
	var irq asyncio.ThreadSafeFlag
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		go irq.Set() // an interrupt handler stand-in
		if err := irq.Wait(ctx); err != nil {
			return err
		}
		fmt.Println("interrupt handled")
		return nil
	})
	// Output: interrupt handled
}

func ExampleVirtualClock() {
	start := time.Now()
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		return asyncio.Sleep(ctx, 24*time.Hour)
	}, asyncio.VirtualClock())
	fmt.Println("a day passed in under a second:", time.Since(start) < time.Second)
	// Output: a day passed in under a second: true
}
