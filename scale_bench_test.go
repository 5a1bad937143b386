package asyncio_test

import (
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// The benchmarks in this file wait for 100,000 tasks in the ways that were
// once quadratic. Each reports ns/task; compare it with the yardstick,
// BenchmarkScaleGather100k, which waits for the same tasks with Gather.
const scaleN = 100_000

// benchScale calls wait with scaleN new tasks, b.N times, and reports the
// time per task. Task i sleeps i µs on the virtual clock, so the tasks finish
// one at a time, each in its own turn of the loop: every finish wakes the
// waiting task.
func benchScale(b *testing.B, wait func(ctx *asyncio.Ctx, tasks []*asyncio.Task) error) {
	benchScaleRun(b, func(ctx *asyncio.Ctx) error {
		tasks := make([]*asyncio.Task, scaleN)
		for i := range tasks {
			d := time.Duration(i) * time.Microsecond
			tasks[i] = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, d) })
		}
		return wait(ctx, tasks)
	})
}

// benchScaleRun runs round b.N times in a task and reports the time per
// scaleN tasks.
func benchScaleRun(b *testing.B, round func(ctx *asyncio.Ctx) error) {
	if testing.Short() {
		b.Skip("-short: 100,000 tasks")
	}
	b.ReportAllocs()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		b.ResetTimer()
		for range b.N {
			if err := round(ctx); err != nil {
				return err
			}
		}
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*scaleN), "ns/task")
}

func BenchmarkScaleGather100k(b *testing.B) {
	benchScale(b, func(ctx *asyncio.Ctx, tasks []*asyncio.Task) error { return asyncio.Gather(ctx, tasks...) })
}

func BenchmarkScaleAsCompleted100k(b *testing.B) {
	benchScale(b, func(ctx *asyncio.Ctx, tasks []*asyncio.Task) error {
		n := 0
		for _, err := range asyncio.AsCompleted(ctx, tasks...) {
			if err != nil {
				return err
			}
			n++
		}
		if n != len(tasks) {
			b.Fatalf("AsCompleted yielded %d tasks of %d", n, len(tasks))
		}
		return nil
	})
}

func BenchmarkScaleWaitAll100k(b *testing.B) {
	benchScale(b, func(ctx *asyncio.Ctx, tasks []*asyncio.Task) error {
		done, _, err := asyncio.Wait(ctx, asyncio.AllCompleted, tasks...)
		if len(done) != len(tasks) {
			b.Fatalf("Wait: %d done of %d", len(done), len(tasks))
		}
		return err
	})
}

// BenchmarkScaleAwaitChain100k builds a chain of 100,000 tasks from the
// bottom up: each task awaits the one created before it, and the first
// sleeps. Each Await checks that it does not close a cycle. Once the first
// task is done, the chain unwinds one task a turn.
func BenchmarkScaleAwaitChain100k(b *testing.B) {
	benchScaleRun(b, func(ctx *asyncio.Ctx) error {
		return awaitChain(ctx, scaleN, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Millisecond) }).Await(ctx)
	})
}

// awaitChain creates n tasks, each awaiting the one before it, and returns
// the last; the first runs bottom. The chain forms from the bottom up, as
// the tasks start in the order they were created.
func awaitChain(ctx *asyncio.Ctx, n int, bottom func(*asyncio.Ctx) error) *asyncio.Task {
	prev := asyncio.CreateTask(ctx, bottom)
	for range n - 1 {
		below := prev
		prev = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return below.Await(ctx) })
	}
	return prev
}
