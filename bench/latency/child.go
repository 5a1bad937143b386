package main

import (
	"encoding/json"
	"github.com/goasyncio/asyncio/internal/cputime"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goasyncio/asyncio"
)

// result is what a child prints: latencies in µs, or idle CPU.
type result struct {
	P50, P99, P999, Max float64 // µs
	N                   int     // samples
	CPUms               float64 // idle: CPU ms per 10 s
}

// summarize turns samples (ns) into percentiles in µs.
func summarize(s []int64) result {
	if len(s) == 0 {
		return result{}
	}
	slices.Sort(s)
	at := func(q float64) float64 {
		i := min(int(q*float64(len(s))), len(s)-1)
		return float64(s[i]) / 1e3
	}
	return result{P50: at(0.5), P99: at(0.99), P999: at(0.999), Max: float64(s[len(s)-1]) / 1e3, N: len(s)}
}

func emit(r result) { json.NewEncoder(os.Stdout).Encode(r) }

const (
	period   = time.Millisecond      // the periodic task's
	bgPeriod = 10 * time.Millisecond // each background task's
	idleTask = time.Second           // each idle task's sleep
	idleN    = 100
)

// runChild runs one measurement in this process: impl is "library",
// "slack" (the library with the loop's thread at 1 ns timer slack) or
// "goroutines"; scenario is periodic, interrupt or idle.
func runChild(impl, scenario string, n int, dur time.Duration) {
	if impl == "slack" {
		runtime.LockOSThread() // the loop and its tasks stay on this thread
		setSlack(1)
	}
	switch impl + "/" + scenario {
	case "library/periodic", "slack/periodic":
		emit(summarize(libPeriodic(n, dur, false)))
	case "library/periodic-held", "slack/periodic-held":
		emit(summarize(libPeriodic(n, dur, true)))
	case "goroutines/periodic":
		emit(summarize(goPeriodic(n, dur)))
	case "floor/periodic":
		runtime.LockOSThread()
		setSlack(1)
		emit(summarize(floorPeriodic(dur)))
	case "library/interrupt", "slack/interrupt":
		emit(summarize(libInterrupt(n, dur)))
	case "goroutines/interrupt":
		emit(summarize(goInterrupt(n, dur)))
	case "library/idle", "slack/idle":
		emit(result{CPUms: libIdle(dur)})
	case "goroutines/idle":
		emit(result{CPUms: goIdle(dur)})
	default:
		panic("unknown child " + impl + "/" + scenario)
	}
}

// background starts n tasks that each wake every 10 ms, their first
// wake-ups spread over one period.
func background(ctx *asyncio.Ctx, n int) {
	for i := range n {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, bgPeriod*time.Duration(i)/time.Duration(n)); err != nil {
				return err
			}
			for {
				if err := asyncio.Sleep(ctx, bgPeriod); err != nil {
					return err
				}
			}
		})
	}
}

func goBackground(n int, stop <-chan struct{}, wg *sync.WaitGroup) {
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(bgPeriod * time.Duration(i) / time.Duration(n))
			for {
				select {
				case <-stop:
					return
				default:
				}
				time.Sleep(bgPeriod)
			}
		}()
	}
}

// libPeriodic: a task wakes every millisecond at absolute deadlines;
// lateness = wake − deadline. With irq, another task waits on a
// ThreadSafeFlag meanwhile (never set), as a program waiting for a button
// does: the loop's timed waits then take the path that lets an interrupt in
// fast (see the library's idle_linux.go).
func libPeriodic(n int, dur time.Duration, irq bool) []int64 {
	var lat []int64
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		background(ctx, n)
		if irq {
			var flag asyncio.ThreadSafeFlag
			waiter := asyncio.CreateTask(ctx, flag.Wait)
			defer waiter.Cancel()
		}
		asyncio.Sleep(ctx, 50*time.Millisecond) // let the background settle
		start := time.Now()
		for k := 1; time.Duration(k)*period <= dur; k++ {
			next := start.Add(time.Duration(k) * period)
			if err := asyncio.Sleep(ctx, time.Until(next)); err != nil {
				return err
			}
			lat = append(lat, int64(time.Since(next)))
		}
		return nil
	})
	return lat
}

// goPeriodic: the same with a goroutine sleeping to each deadline (a
// runtime timer, as time.Ticker's).
func goPeriodic(n int, dur time.Duration) []int64 {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	goBackground(n, stop, &wg)
	time.Sleep(50 * time.Millisecond)
	var lat []int64
	start := time.Now()
	for k := 1; time.Duration(k)*period <= dur; k++ {
		next := start.Add(time.Duration(k) * period)
		time.Sleep(time.Until(next))
		lat = append(lat, int64(time.Since(next)))
	}
	close(stop)
	wg.Wait()
	return lat
}

// interrupter calls fire about every millisecond (0.5–1.5 ms apart) from
// its own goroutine until stop, recording when in *t0 first.
func interrupter(t0 *atomic.Int64, base time.Time, stop <-chan struct{}, fire func()) {
	r := rand.New(rand.NewPCG(1, 2))
	for {
		time.Sleep(500*time.Microsecond + time.Duration(r.IntN(1000))*time.Microsecond)
		select {
		case <-stop:
			return
		default:
		}
		t0.Store(int64(time.Since(base)))
		fire()
	}
}

// libInterrupt: another goroutine sets a ThreadSafeFlag; latency = the
// waiting task running − the Set.
func libInterrupt(n int, dur time.Duration) []int64 {
	var lat []int64
	var flag asyncio.ThreadSafeFlag
	var t0 atomic.Int64
	base := time.Now()
	stop := make(chan struct{})
	done := make(chan struct{})
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		background(ctx, n)
		asyncio.Sleep(ctx, 50*time.Millisecond)
		go func() { defer close(done); interrupter(&t0, base, stop, flag.Set) }()
		end := time.Now().Add(dur)
		for time.Now().Before(end) {
			if err := flag.Wait(ctx); err != nil {
				return err
			}
			lat = append(lat, int64(time.Since(base))-t0.Load())
		}
		close(stop)
		<-done
		return nil
	})
	return lat
}

// goInterrupt: the same with a goroutine receiving on a channel.
func goInterrupt(n int, dur time.Duration) []int64 {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	goBackground(n, stop, &wg)
	time.Sleep(50 * time.Millisecond)
	var t0 atomic.Int64
	base := time.Now()
	ch := make(chan struct{}, 1)
	istop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		interrupter(&t0, base, istop, func() {
			select {
			case ch <- struct{}{}:
			default:
			}
		})
	}()
	var lat []int64
	for end := time.Now().Add(dur); time.Now().Before(end); {
		<-ch
		lat = append(lat, int64(time.Since(base))-t0.Load())
	}
	close(istop)
	<-done
	close(stop)
	wg.Wait()
	return lat
}

// libIdle: 100 tasks sleeping 1 s each (wake-ups spread over the second);
// the CPU time of the process over dur, per 10 s.
func libIdle(dur time.Duration) float64 {
	var cpu time.Duration
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		for i := range idleN {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				asyncio.Sleep(ctx, idleTask*time.Duration(i)/idleN)
				for {
					if err := asyncio.Sleep(ctx, idleTask); err != nil {
						return err
					}
				}
			})
		}
		asyncio.Sleep(ctx, 100*time.Millisecond)
		c0 := cputime.Process()
		asyncio.Sleep(ctx, dur)
		cpu = cputime.Process() - c0
		return nil
	})
	return float64(cpu) / 1e6 * float64(10*time.Second) / float64(dur)
}

func goIdle(dur time.Duration) float64 {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range idleN {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTimer(idleTask * time.Duration(i) / idleN)
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					t.Reset(idleTask)
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	c0 := cputime.Process()
	time.Sleep(dur)
	cpu := cputime.Process() - c0
	close(stop)
	wg.Wait()
	return float64(cpu) / 1e6 * float64(10*time.Second) / float64(dur)
}
