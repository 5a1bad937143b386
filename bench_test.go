package asyncio_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// benchSwitch measures one task switch (a task resumed until its next
// Sleep(0)) among n tasks.
func benchSwitch(b *testing.B, n int) {
	b.ReportAllocs()
	rounds := b.N/n + 1
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		tasks := make([]*asyncio.Task, n)
		for i := range tasks {
			tasks[i] = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for range rounds {
					asyncio.Sleep(ctx, 0)
				}
				return nil
			})
		}
		asyncio.Sleep(ctx, 0) // all start; the next rounds are steady state
		b.ResetTimer()
		for _, t := range tasks {
			t.Await(ctx)
		}
		b.StopTimer()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*rounds), "ns/switch")
}

func BenchmarkSwitch2(b *testing.B)    { benchSwitch(b, 2) }
func BenchmarkSwitch1000(b *testing.B) { benchSwitch(b, 1000) }

// BenchmarkCreateFinish creates a task and awaits it, one at a time.
func BenchmarkCreateFinish(b *testing.B) {
	b.ReportAllocs()
	nop := func(*asyncio.Ctx) error { return nil }
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		b.ResetTimer()
		for range b.N {
			asyncio.CreateTask(ctx, nop).Await(ctx)
		}
		return nil
	})
}

// BenchmarkGather100k creates 100,000 tasks, then awaits them all. The tasks
// return at once, so the runtime reuses each finished coroutine's goroutine
// and stack for the next.
func BenchmarkGather100k(b *testing.B) { benchGather(b, func(*asyncio.Ctx) error { return nil }) }

// BenchmarkGather100kAlive is BenchmarkGather100k with tasks that pause once,
// so that all 100,000 coroutines are alive at the same time: each needs a
// fresh goroutine stack from the runtime.
func BenchmarkGather100kAlive(b *testing.B) {
	benchGather(b, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, 0) })
}

func benchGather(b *testing.B, nop func(*asyncio.Ctx) error) {
	const n = 100_000
	b.ReportAllocs()
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		tasks := make([]*asyncio.Task, n)
		b.ResetTimer()
		for range b.N {
			for i := range tasks {
				tasks[i] = asyncio.CreateTask(ctx, nop)
			}
			for _, t := range tasks {
				t.Await(ctx)
			}
		}
		return nil
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
}

// BenchmarkSleep measures one timed sleep: arm the timer, park, pop it on the
// virtual clock, resume; with 1000 tasks sleeping at once.
func BenchmarkSleep(b *testing.B) {
	const n = 1000
	b.ReportAllocs()
	rounds := b.N/n + 1
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		for i := range n {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for range rounds {
					asyncio.Sleep(ctx, time.Duration(1+i%7)*time.Millisecond)
				}
				return nil
			})
		}
		asyncio.Sleep(ctx, 0)
		b.ResetTimer()
		return asyncio.Sleep(ctx, time.Hour*24*365)
	}, asyncio.VirtualClock())
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*rounds), "ns/sleep")
}

// BenchmarkSleepingTasks1M parks one million tasks in Sleep and reports the
// memory each costs. Run it with -benchtime=1x.
func BenchmarkSleepingTasks1M(b *testing.B) {
	if testing.Short() {
		b.Skip("-short: a million tasks need about 3 GiB")
	}
	const n = 1_000_000
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		asyncio.Run(func(ctx *asyncio.Ctx) error {
			for range n {
				asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
			}
			asyncio.Sleep(ctx, time.Millisecond) // every task starts and sleeps
			runtime.GC()
			runtime.ReadMemStats(&after)
			return nil
		}, asyncio.VirtualClock())
		used := (after.HeapInuse + after.StackInuse) - (before.HeapInuse + before.StackInuse)
		b.ReportMetric(float64(used)/n, "bytes/task")
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/n, "heap-bytes/task")
		b.ReportMetric(float64(after.StackInuse-before.StackInuse)/n, "stack-bytes/task")
		b.ReportMetric(float64(after.Sys)/(1<<30), "GiB-sys")
	}
}
