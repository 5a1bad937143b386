package asyncio_test

// Tests of time arithmetic at its limits. They run on every architecture and
// matter most on 32-bit ones (GOARCH=arm, where int is 32 bits): a
// millisecond count must not be truncated to an int, a deadline must not wrap
// at 2^31 or 2^32 milliseconds (where 32-bit tick counters wrap; MicroPython's
// ticks wrap at 2^30), and a huge sleep must clamp to the end of time instead
// of wrapping into the past.

import (
	"cmp"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
)

const (
	day = 24 * time.Hour
	// endOfTime is where every clamped deadline lands.
	endOfTime = time.Duration(math.MaxInt64)
	// maxMs is the largest millisecond count that converts to a Duration
	// without clamping.
	maxMs = int64(math.MaxInt64 / int64(time.Millisecond))
)

// runVirtual runs main on a fresh loop on the virtual clock and fails the
// test on error.
func runVirtual(t *testing.T, main func(ctx *asyncio.Ctx) error) {
	t.Helper()
	if err := asyncio.Run(main, asyncio.VirtualClock()); err != nil {
		t.Fatal(err)
	}
}

// intMs returns ms as an int, and false when int cannot hold it (on 32-bit
// architectures).
func intMs(ms int64) (int, bool) {
	if ms > math.MaxInt || ms < math.MinInt {
		return 0, false
	}
	return int(ms), true
}

func TestArchSleepMsLimits(t *testing.T) {
	t.Logf("int is %d bits", strconv.IntSize)
	for _, c := range []struct {
		ms   int64
		want time.Duration
	}{
		{1, time.Millisecond},
		{1 << 30, (1 << 30) * time.Millisecond},
		{math.MaxInt32 - 1, (math.MaxInt32 - 1) * time.Millisecond},
		{math.MaxInt32, math.MaxInt32 * time.Millisecond}, // 24.8 days
		// Below: only where int is 64 bits.
		{math.MaxInt32 + 1, (math.MaxInt32 + 1) * time.Millisecond},
		{1 << 32, (1 << 32) * time.Millisecond}, // 49.7 days
		{1<<32 + 1, (1<<32 + 1) * time.Millisecond},
		{1 << 40, (1 << 40) * time.Millisecond}, // 34.8 years
		{maxMs, time.Duration(maxMs) * time.Millisecond},
		{maxMs + 1, endOfTime},
		{math.MaxInt64, endOfTime},
	} {
		ms, ok := intMs(c.ms)
		if !ok {
			continue
		}
		t.Run(strconv.FormatInt(c.ms, 10), func(t *testing.T) {
			runVirtual(t, func(ctx *asyncio.Ctx) error {
				if err := asyncio.SleepMs(ctx, ms); err != nil {
					return err
				}
				if got := ctx.Loop().Time(); got != c.want {
					t.Errorf("SleepMs(%d) woke at %d ns, want %d ns", ms, got, c.want)
				}
				return nil
			})
		})
	}
	t.Run("MaxInt", func(t *testing.T) {
		maxInt := int64(math.MaxInt)
		want := time.Duration(maxInt) * time.Millisecond
		if strconv.IntSize == 64 {
			want = endOfTime
		}
		runVirtual(t, func(ctx *asyncio.Ctx) error {
			if err := asyncio.SleepMs(ctx, math.MaxInt); err != nil {
				return err
			}
			if got := ctx.Loop().Time(); got != want {
				t.Errorf("SleepMs(MaxInt) woke at %d ns, want %d ns", got, want)
			}
			return nil
		})
	})
}

// TestArchSleepMsNegative checks that every negative millisecond count sleeps
// 0, including those whose product with time.Millisecond overflows int64.
func TestArchSleepMsNegative(t *testing.T) {
	for _, v := range []int64{-1, math.MinInt32, math.MinInt32 - 1,
		-maxMs, -maxMs - 1, -maxMs - 224_192, math.MinInt64 / 1000, math.MinInt64 + 1, math.MinInt64} {
		ms, ok := intMs(v)
		if !ok {
			continue
		}
		t.Run(strconv.FormatInt(v, 10), func(t *testing.T) {
			runVirtual(t, func(ctx *asyncio.Ctx) error {
				// A long sleeper keeps the clock honest: if the negative
				// sleep wrapped into a long one, the clock would jump.
				long := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, 365*day) })
				if err := asyncio.SleepMs(ctx, ms); err != nil {
					return err
				}
				if got := ctx.Loop().Time(); got != 0 {
					t.Errorf("SleepMs(%d) woke at %v, want 0", ms, got)
				}
				err := asyncio.WaitForMs(ctx, ms, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
				if !errors.Is(err, asyncio.ErrTimeout) {
					t.Errorf("WaitForMs(%d) = %v, want ErrTimeout", ms, err)
				}
				if got := ctx.Loop().Time(); got != 0 {
					t.Errorf("WaitForMs(%d) timed out at %v, want 0", ms, got)
				}
				long.Cancel()
				return nil
			})
		})
	}
	t.Run("MinInt", func(t *testing.T) {
		runVirtual(t, func(ctx *asyncio.Ctx) error {
			if err := asyncio.SleepMs(ctx, math.MinInt); err != nil {
				return err
			}
			if err := asyncio.Sleep(ctx, math.MinInt64); err != nil {
				return err
			}
			if got := ctx.Loop().Time(); got != 0 {
				t.Errorf("woke at %v, want 0", got)
			}
			return nil
		})
	})
}

// TestArchWaitForMsLimits checks that a timeout past 2^31 ms is not
// truncated: a task that takes longer than 2^31 ms finishes within a timeout
// of 2^32 ms, and one of MaxInt32 ms expires on time.
func TestArchWaitForMsLimits(t *testing.T) {
	runVirtual(t, func(ctx *asyncio.Ctx) error {
		took := (math.MaxInt32 + 1) * time.Millisecond
		err := asyncio.WaitForMs(ctx, math.MaxInt32, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, took) })
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("WaitForMs(MaxInt32) = %v, want ErrTimeout", err)
		}
		if got, want := ctx.Loop().Time(), math.MaxInt32*time.Millisecond; got != want {
			t.Errorf("timed out at %v, want %v", got, want)
		}
		if ms, ok := intMs(1 << 32); ok {
			start := ctx.Loop().Time()
			err := asyncio.WaitForMs(ctx, ms, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, took) })
			if err != nil {
				t.Errorf("WaitForMs(2^32) = %v, want nil", err)
			}
			if got := ctx.Loop().Time() - start; got != took {
				t.Errorf("finished after %v, want %v", got, took)
			}
		}
		return nil
	})
}

// TestArchLongSleepsAreExact runs three periodic tasks of a day, a week and
// 30 days for three years of virtual time: each wake-up is exactly on its
// multiple of the period, with no drift.
func TestArchLongSleepsAreExact(t *testing.T) {
	const span = 3 * 365 * day
	periods := []time.Duration{day, 7 * day, 30 * day}
	wakes := make([]int, len(periods))
	runVirtual(t, func(ctx *asyncio.Ctx) error {
		for i, p := range periods {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for k := time.Duration(1); ; k++ {
					if err := asyncio.Sleep(ctx, p); err != nil {
						return nil // cancelled at the end
					}
					if got := ctx.Loop().Time(); got != k*p {
						t.Errorf("period %v: wake-up %d at %v, want %v", p, k, got, k*p)
						return nil
					}
					wakes[i]++
				}
			})
		}
		if err := asyncio.Sleep(ctx, span); err != nil {
			return err
		}
		if got := ctx.Loop().Time(); got != span {
			t.Errorf("main woke at %v, want %v", got, span)
		}
		// Ten more years in one sleep.
		return asyncio.Sleep(ctx, 10*365*day)
	})
	for i, p := range periods {
		// Main's last wake-up was armed before the others due at the same
		// instant, so main ends the run first and that instant's wake-ups
		// do not count.
		if want := int((span + 10*365*day - 1) / p); wakes[i] != want {
			t.Errorf("period %v: %d wake-ups, want %d", p, wakes[i], want)
		}
	}
}

// TestArchDeadlineOrderAcrossWraps arms hundreds of timers, sleeping tasks and
// callbacks, whose deadlines straddle 2^30, 2^31, 2^32 and 2^33 ms, armed
// from just before each of those instants. Each must fire exactly at its
// deadline, in deadline order, and those due at the same instant in the
// order they were armed.
func TestArchDeadlineOrderAcrossWraps(t *testing.T) {
	boundaries := []int64{1 << 30, 1 << 31, 1 << 32, 1 << 33} // ms
	rng := rand.New(rand.NewPCG(1, 2))
	for _, b := range boundaries {
		t.Run(fmt.Sprintf("2^%d ms", bitLen(b)-1), func(t *testing.T) {
			type fired struct {
				id int
				at time.Duration
			}
			type armed struct {
				id       int
				deadline time.Duration
			}
			var got []fired
			var want []armed
			runVirtual(t, func(ctx *asyncio.Ctx) error {
				l := ctx.Loop()
				// Arm from 50 ms before the boundary.
				if err := asyncio.Sleep(ctx, time.Duration(b-50)*time.Millisecond); err != nil {
					return err
				}
				var tasks []*asyncio.Task
				var last time.Duration
				for id := range 400 {
					var d time.Duration
					switch id % 4 {
					case 0: // within 100 ms: straddles this boundary
						d = time.Duration(1+rng.IntN(100)) * time.Millisecond
					case 1: // the same, with sub-millisecond parts
						d = time.Duration(1 + rng.Int64N(int64(100*time.Millisecond)))
					case 2: // straddles the next boundaries
						d = time.Duration(b+rng.Int64N(2*b)) * time.Millisecond
					case 3: // a few fixed instants shared by many timers
						d = time.Duration([]int64{49, 50, 51, b}[rng.IntN(4)]) * time.Millisecond
					}
					deadline := l.Time() + d
					last = max(last, deadline)
					want = append(want, armed{id, deadline})
					if id%3 == 0 {
						l.CallLater(d, func() { got = append(got, fired{id, l.Time()}) })
						continue
					}
					ms := int64(d / time.Millisecond)
					useMs := d%time.Millisecond == 0 && ms <= math.MaxInt
					tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
						var err error
						if useMs {
							err = asyncio.SleepMs(ctx, int(ms))
						} else {
							err = asyncio.Sleep(ctx, d)
						}
						got = append(got, fired{id, ctx.Loop().Time()})
						return err
					}))
				}
				// The tasks arm their sleeps when they start: all at this
				// instant, in creation order, after the callbacks. Let them
				// start, then wait for all of them, and until an hour after
				// the last callback.
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
				for _, tk := range tasks {
					if err := tk.Await(ctx); err != nil {
						return err
					}
				}
				return asyncio.Sleep(ctx, last-l.Time()+time.Hour)
			})
			// Callbacks were armed when CallLater was called, tasks' sleeps
			// when the tasks started: callbacks first, then tasks, each in id
			// order. Timers due at the same instant fire in arming order.
			slices.SortStableFunc(want, func(x, y armed) int {
				xcb, ycb := x.id%3 == 0, y.id%3 == 0
				switch {
				case x.deadline != y.deadline:
					return cmp.Compare(x.deadline, y.deadline)
				case xcb && !ycb:
					return -1
				case ycb && !xcb:
					return 1
				}
				return x.id - y.id
			})
			if len(got) != len(want) {
				t.Fatalf("%d timers fired, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].id != want[i].id || got[i].at != want[i].deadline {
					t.Fatalf("firing %d: timer %d at %d ns, want timer %d at %d ns",
						i, got[i].id, got[i].at, want[i].id, want[i].deadline)
				}
			}
		})
	}
}

func bitLen(x int64) int {
	n := 0
	for ; x > 0; x >>= 1 {
		n++
	}
	return n
}

// TestArchHugeSleepClamps checks that a sleep or callback too long to
// represent is clamped to the end of time: it neither wraps into the past
// nor hides a sooner deadline.
func TestArchHugeSleepClamps(t *testing.T) {
	var order []string
	ran := false
	runVirtual(t, func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		if err := asyncio.Sleep(ctx, day); err != nil {
			return err
		}
		huge := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, endOfTime) })
		hugeMs := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.SleepMs(ctx, math.MaxInt) })
		h := l.CallLater(endOfTime, func() { ran = true })
		hour := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
		if err := hour.Await(ctx); err != nil {
			return err
		}
		if got := l.Time(); got != day+time.Hour {
			t.Errorf("the hour's sleeper woke at %v, want %v", got, day+time.Hour)
		}
		if huge.Done() || ran {
			t.Errorf("a clamped deadline fired early: huge sleep done=%v, callback ran=%v", huge.Done(), ran)
		}
		if strconv.IntSize == 64 && hugeMs.Done() {
			t.Error("SleepMs(MaxInt) fired early")
		}
		h.Cancel()
		huge.Cancel()
		if err := huge.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("huge sleep = %v, want ErrCancelled", err)
		}
		hugeMs.Cancel()
		hugeMs.Await(ctx)

		// Go to the end of time, and try to sleep past it: every deadline
		// clamps to the end, so the sleeps end at once, in the order they
		// were armed, and the clock never goes back.
		if err := asyncio.Sleep(ctx, endOfTime); err != nil {
			return err
		}
		if got := l.Time(); got != endOfTime {
			t.Fatalf("woke at %v, want the end of time", got)
		}
		var tasks []*asyncio.Task
		for _, d := range []time.Duration{3 * time.Hour, time.Nanosecond, time.Hour, endOfTime} {
			name := d.String()
			tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				err := asyncio.Sleep(ctx, d)
				order = append(order, name)
				return err
			}))
		}
		l.CallLater(time.Second, func() { order = append(order, "callback") })
		for _, tk := range tasks {
			if err := tk.Await(ctx); err != nil {
				return err
			}
		}
		if err := asyncio.SleepMs(ctx, math.MaxInt); err != nil {
			return err
		}
		if got := l.Time(); got != endOfTime {
			t.Errorf("after sleeping past the end of time the clock reads %d, want %d", got, endOfTime)
		}
		return nil
	})
	want := []string{"callback", "3h0m0s", "1ns", "1h0m0s", endOfTime.String()}
	if !slices.Equal(order, want) {
		t.Errorf("at the end of time: order %q, want %q", order, want)
	}
	if ran {
		t.Error("a cancelled callback at the end of time ran")
	}
}

// TestArchCallAtPastRunsNow checks that a callback at a negative time (before
// the loop's start) runs at once and does not move the clock back.
func TestArchCallAtPastRunsNow(t *testing.T) {
	runVirtual(t, func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		if err := asyncio.Sleep(ctx, 50*day); err != nil {
			return err
		}
		var at time.Duration = -1
		l.CallAt(math.MinInt64, func() { at = l.Time() })
		if err := asyncio.Sleep(ctx, time.Nanosecond); err != nil {
			return err
		}
		if at != 50*day {
			t.Errorf("callback at MinInt64 ran at %v, want %v", at, 50*day)
		}
		if got := l.Time(); got != 50*day+time.Nanosecond {
			t.Errorf("clock reads %v, want %v", got, 50*day+time.Nanosecond)
		}
		return nil
	})
}

// TestArchHugeSleepRealClock arms a sleep to the end of time on the real
// clock, so that the loop blocks on a runtime timer of about 292 years. The
// timer must not fire at once (it would if its deadline wrapped): the task
// sleeps until another goroutine has the loop cancel it.
func TestArchHugeSleepRealClock(t *testing.T) {
	const wait = 20 * time.Millisecond
	var wg sync.WaitGroup
	defer wg.Wait()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		huge := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, endOfTime) })
		start := time.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(wait)
			l.CallSoonThreadsafe(func() { huge.Cancel() })
		}()
		if err := huge.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("huge sleep = %v, want ErrCancelled", err)
		}
		if el := time.Since(start); el < wait {
			t.Errorf("huge sleep ended after %v, before the cancel at %v", el, wait)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestArchSteadyStateAllocatesNothing checks that, once the loop's queues and
// heap have grown, a task switch and a timed sleep allocate nothing, counted
// over the whole process while the other tasks run too.
func TestArchSteadyStateAllocatesNothing(t *testing.T) {
	if testenv.RaceEnabled {
		t.Skip("skipped under -race: the race detector allocates")
	}
	t.Setenv("ASYNCIO_DEBUG", "") // debug mode reads goroutine stacks
	const others = 100
	for _, c := range []struct {
		name string
		d    time.Duration
	}{{"switch", 0}, {"sleep", time.Millisecond}} {
		t.Run(c.name, func(t *testing.T) {
			var allocs float64
			runVirtual(t, func(ctx *asyncio.Ctx) error {
				for i := range others {
					asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
						for {
							if err := asyncio.Sleep(ctx, c.d*time.Duration(1+i%7)); err != nil {
								return nil
							}
						}
					})
				}
				for range 10 { // warm up: every task started, queues grown
					asyncio.Sleep(ctx, c.d)
				}
				allocs = testing.AllocsPerRun(1000, func() { asyncio.Sleep(ctx, c.d) })
				return nil
			})
			if allocs != 0 {
				t.Errorf("%v allocations per %s of the main task among %d others, want 0", allocs, c.name, others)
			}
		})
	}
}

// TestArchCoreImportsAreListed keeps the core portable to TinyGo: every
// package the root package imports must be listed, in backquotes, in
// docs/tinygo.md, which says how TinyGo handles it. A new import means
// checking it against TinyGo and documenting it there.
func TestArchCoreImportsAreListed(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("docs", "tinygo.md"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !seen[path] && !strings.Contains(string(doc), "`"+path+"`") {
				t.Errorf("%s imports %q, which docs/tinygo.md does not list: check how TinyGo handles it and add it there", name, path)
			}
			seen[path] = true
		}
	}
	if len(seen) == 0 {
		t.Fatal("found no imports: the test does not run in the root package's directory")
	}
}
