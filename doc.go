// Package asyncio is MicroPython's asyncio (uasyncio) for Go: a cooperative
// scheduler for embedded and I/O-bound programs.
//
// A Loop runs tasks, one at a time, on the goroutine that runs it. A task is
// a function that takes a *Ctx; it runs until it reaches an await point
// (Sleep, Task.Await, Event.Wait, ...), where it pauses and the loop runs the
// next ready task. Because only one task of a loop runs at any moment, and
// each switch is a synchronisation point for the race detector, tasks share
// plain variables without locks.
//
//	// blink mirrors the lecture's `async def blink(period, led)`.
//	func blink(ctx *asyncio.Ctx, period time.Duration, led board.LED) error {
//		for {
//			led.Toggle()
//			if err := asyncio.Sleep(ctx, period); err != nil {
//				return err // cancelled
//			}
//		}
//	}
//
//	asyncio.Run(func(ctx *asyncio.Ctx) error {
//		b := board.NewLab(ctx.Loop())
//		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, time.Second, b.Red) })
//		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return blink(ctx, 250*time.Millisecond, b.Green) })
//		return asyncio.Sleep(ctx, 10*time.Second)
//	})
//
// # Synchronisation and composition
//
// Event, Lock and ThreadSafeFlag are MicroPython's; Semaphore,
// BoundedSemaphore, Condition, Barrier and the queues (NewQueue,
// NewPriorityQueue, NewLifoQueue) are CPython's. WaitFor, Gather, Wait and
// AsCompleted compose tasks; Timeout, MoveOnAfter and WithTaskGroup scope
// them, as Trio does; Shield protects one from its awaiter's cancellation.
// ToThread, Submit and Task.Context bridge to ordinary Go code.
//
// # Order
//
// Ready tasks run first-in first-out. A new task starts at its creator's
// next await point. Sleep(ctx, 0) lets every other ready task run once.
// Wake-ups due at the same time run in the order they were scheduled.
//
// # Cancellation
//
// Task.Cancel makes the task's current (or next) await point return
// ErrCancelled, which matches context.Canceled with errors.Is. The outcomes
// follow MicroPython; Task.Cancel lists them. When Run's main returns, the
// remaining tasks are cancelled and run until they finish (Loop.Close).
//
// # Errors
//
// A task's error goes to whoever awaits it. A task that panics fails with a
// *PanicError. An error that nobody awaits, other than a cancellation, goes to
// the loop's exception handler, which prints it by default; the loop goes on.
// When no task can ever run again, the loop returns a *DeadlockError naming
// the blocked tasks instead of hanging. A function given a Ctx that is not
// the running task's returns ErrNotInTask (one rule for all; see Ctx).
//
// # Time
//
// A loop reads a monotonic clock, or with the VirtualClock option a virtual
// one that jumps to the next deadline whenever no task is ready, so that
// tests of time-driven code run at once and give the same result every run;
// PacedClock runs that virtual clock against real time, for people to watch.
// While every task waits, the loop sleeps until the earliest deadline, with
// no polling: on Linux in a futex with a nanosecond timeout (about 0.1 ms
// late at the median, where a runtime timer is about 0.6 ms late),
// elsewhere on one runtime timer.
//
// # Other goroutines
//
// Other goroutines hand work to a loop with Loop.CallSoonThreadsafe or set a
// ThreadSafeFlag; Loop.KeepAlive tells an idle loop to wait for them rather
// than report a deadlock. The loop runs posted work before its next task
// step, and the tasks it wakes go to the front of the run queue: an
// interrupt's task runs next. Nothing else of a loop or its tasks may be
// touched from another goroutine.
package asyncio
