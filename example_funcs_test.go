package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goasyncio/asyncio"
)

func ExampleLock() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		var lock asyncio.Lock
		for _, name := range []string{"a", "b"} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
				defer lock.Release()
				fmt.Println(name, "has the lock")
				return asyncio.SleepMs(ctx, 10) // others queue meanwhile
			})
		}
		return asyncio.SleepMs(ctx, 50)
	}, asyncio.VirtualClock())
	// Output:
	// a has the lock
	// b has the lock
}

func ExampleWaitFor() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		err := asyncio.WaitFor(ctx, 100*time.Millisecond, func(ctx *asyncio.Ctx) error {
			return asyncio.Sleep(ctx, time.Second) // too slow
		})
		fmt.Println(err, errors.Is(err, context.DeadlineExceeded))
		return nil
	}, asyncio.VirtualClock())
	// Output: asyncio: timeout: context deadline exceeded true
}

func ExampleWaitForMs() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		err := asyncio.WaitForMs(ctx, 100, func(ctx *asyncio.Ctx) error {
			return asyncio.SleepMs(ctx, 20) // in time
		})
		fmt.Println(err)
		return nil
	}, asyncio.VirtualClock())
	// Output: <nil>
}

func ExampleWaitForOf() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		v, err := asyncio.WaitForOf(ctx, time.Second, func(ctx *asyncio.Ctx) (string, error) {
			asyncio.SleepMs(ctx, 10)
			return "reading: 21.5 C", nil
		})
		fmt.Println(v, err)
		return nil
	}, asyncio.VirtualClock())
	// Output: reading: 21.5 C <nil>
}

func ExampleWaitForTask() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		sensor := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, time.Hour); err != nil {
				fmt.Println("sensor task cancelled")
				return err
			}
			return nil
		})
		err := asyncio.WaitForTask(ctx, 50*time.Millisecond, sensor)
		fmt.Println(err, "at", ctx.Loop().Time())
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// sensor task cancelled
	// asyncio: timeout: context deadline exceeded at 50ms
}

func ExampleGather() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		a := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, 20) })
		b := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, 10) })
		err := asyncio.Gather(ctx, a, b)
		fmt.Println(err, "at", ctx.Loop().Time())
		return nil
	}, asyncio.VirtualClock())
	// Output: <nil> at 20ms
}

func ExampleGatherErrors() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		ok := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return nil })
		bad := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return errors.New("no sensor") })
		errs, err := asyncio.GatherErrors(ctx, ok, bad)
		fmt.Println(errs, err)
		return nil
	})
	// Output: [<nil> no sensor] <nil>
}

func ExampleGatherOf() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		read := func(v int) *asyncio.TaskOf[int] {
			return asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) {
				asyncio.SleepMs(ctx, 10*v)
				return v * v, nil
			})
		}
		values, err := asyncio.GatherOf(ctx, read(3), read(1), read(2))
		fmt.Println(values, err)
		return nil
	}, asyncio.VirtualClock())
	// Output: [9 1 4] <nil>
}

func ExampleShield() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		save := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			asyncio.SleepMs(ctx, 100)
			fmt.Println("settings saved")
			return nil
		})
		impatient := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.Shield(ctx, save)
		})
		asyncio.SleepMs(ctx, 10)
		impatient.Cancel()
		fmt.Println("impatient:", impatient.Await(ctx))
		return save.Await(ctx)
	}, asyncio.VirtualClock())
	// Output:
	// impatient: asyncio: task cancelled: context canceled
	// settings saved
}

func ExampleTimeout() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		err := asyncio.Timeout(ctx, 50*time.Millisecond, func(ctx *asyncio.Ctx) error {
			for i := 0; ; i++ {
				if err := asyncio.SleepMs(ctx, 20); err != nil {
					return err
				}
				fmt.Println("step", i)
			}
		})
		fmt.Println(err)
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// step 0
	// step 1
	// asyncio: timeout: context deadline exceeded
}

func ExampleTimeoutAt() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		err := asyncio.TimeoutAt(ctx, 2*time.Second, func(ctx *asyncio.Ctx) error {
			return asyncio.Sleep(ctx, time.Minute)
		})
		fmt.Println(err, "at", ctx.Loop().Time())
		return nil
	}, asyncio.VirtualClock())
	// Output: asyncio: timeout: context deadline exceeded at 2s
}

func ExampleMoveOnAfter() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		expired, err := asyncio.MoveOnAfter(ctx, time.Second, func(ctx *asyncio.Ctx) error {
			var pressed asyncio.Event
			return pressed.Wait(ctx) // nobody presses
		})
		fmt.Println("gave up:", expired, err)
		return nil
	}, asyncio.VirtualClock())
	// Output: gave up: true <nil>
}

func ExampleMoveOnAt() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		expired, err := asyncio.MoveOnAt(ctx, time.Second, func(ctx *asyncio.Ctx) error {
			return asyncio.SleepMs(ctx, 10)
		})
		fmt.Println(expired, err)
		return nil
	}, asyncio.VirtualClock())
	// Output: false <nil>
}

func ExampleWithTaskGroup() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		err := asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(func(ctx *asyncio.Ctx) error {
				if err := asyncio.Sleep(ctx, time.Hour); err != nil {
					fmt.Println("blinker stopped")
					return err
				}
				return nil
			})
			g.Go(func(ctx *asyncio.Ctx) error {
				asyncio.SleepMs(ctx, 10)
				return errors.New("sensor failed")
			}, asyncio.Named("sensor"))
			return nil
		})
		fmt.Println(err)
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// blinker stopped
	// task "sensor": sensor failed
}

func ExampleTaskGroup_Cancel() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		err := asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
			asyncio.SleepMs(ctx, 10)
			g.Cancel() // stop the workers; cancellations are not failures
			return nil
		})
		fmt.Println(err)
		return nil
	}, asyncio.VirtualClock())
	// Output: <nil>
}

func ExampleWait() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		fast := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, 10) }, asyncio.Named("fast"))
		slow := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, 90) }, asyncio.Named("slow"))
		done, pending, _ := asyncio.Wait(ctx, asyncio.FirstCompleted, fast, slow)
		fmt.Println(done, pending)
		return nil
	}, asyncio.VirtualClock())
	// Output: [task "fast"] [task "slow"]
}

func ExampleAsCompleted() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		var tasks []*asyncio.Task
		for _, ms := range []int{30, 10, 20} {
			tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				return asyncio.SleepMs(ctx, ms)
			}, asyncio.Named(fmt.Sprint(ms, "ms"))))
		}
		for t, err := range asyncio.AsCompleted(ctx, tasks...) {
			fmt.Println(t.Name(), err)
		}
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// 10ms <nil>
	// 20ms <nil>
	// 30ms <nil>
}

func ExampleToThread() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		return asyncio.ToThread(ctx, func(context.Context) error {
			time.Sleep(time.Millisecond) // blocking code runs off the loop
			fmt.Println("blocking work done")
			return nil
		})
	})
	// Output: blocking work done
}

func ExampleToThreadOf() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		n, err := asyncio.ToThreadOf(ctx, func(context.Context) (int, error) {
			return len("read from a slow device"), nil
		})
		fmt.Println(n, err)
		return nil
	})
	// Output: 23 <nil>
}

func ExampleSubmit() {
	loop := asyncio.NewLoop()
	release := loop.KeepAlive() // work will come from another goroutine
	go func() {
		v, err := asyncio.Submit(context.Background(), loop, func(ctx *asyncio.Ctx) (string, error) {
			return "ran on the loop", nil
		})
		fmt.Println(v, err)
		release()
		loop.Stop()
	}()
	loop.RunForever()
	loop.Close()
	// Output: ran on the loop <nil>
}

func ExampleTask_Context() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		worker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			// Any Go API that takes a context gets the task's Ctx.
			return asyncio.ToThread(ctx, func(c context.Context) error {
				<-c.Done()
				return c.Err()
			})
		})
		asyncio.SleepMs(ctx, 10)
		goCtx := worker.Context()
		worker.Cancel()
		<-goCtx.Done()
		fmt.Println(goCtx.Err())
		return nil
	})
	// Output: asyncio: task cancelled: context canceled
}

func ExampleDebugSlowTasks() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		ctx.Loop().SetExceptionHandler(func(_ *asyncio.Loop, c asyncio.ExceptionContext) {
			fmt.Println(c.Message+":", c.Task, errors.Is(c.Err, asyncio.ErrSlowTask))
		})
		time.Sleep(20 * time.Millisecond) // blocks the loop: reported
		return nil
	}, asyncio.DebugSlowTasks(10*time.Millisecond))
	// Output: Task ran too long without yielding: task "main" true
}
