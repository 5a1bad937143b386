package asyncio_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// syncTrace collects lines stamped with the loop's time, for the tests of
// the synchronisation primitives.
type syncTrace struct{ lines []string }

func (g *syncTrace) add(ctx *asyncio.Ctx, format string, args ...any) {
	g.lines = append(g.lines, fmt.Sprintf("%v ", ctx.Loop().Time())+fmt.Sprintf(format, args...))
}

func (g *syncTrace) check(t *testing.T, want ...string) {
	t.Helper()
	if got := strings.Join(g.lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// runSync runs main on a virtual clock and fails the test on an error.
func runSync(t *testing.T, main func(ctx *asyncio.Ctx) error) {
	t.Helper()
	if err := asyncio.Run(main, asyncio.VirtualClock()); err != nil {
		t.Fatal(err)
	}
}

// wantSyncDeadlock runs main and checks that the run ends in a deadlock whose
// report contains each of want.
func wantSyncDeadlock(t *testing.T, main func(ctx *asyncio.Ctx) error, want ...string) {
	t.Helper()
	err := asyncio.Run(main, asyncio.VirtualClock())
	if !errors.Is(err, asyncio.ErrDeadlock) {
		t.Fatalf("Run returned %v, want a deadlock", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("deadlock report %q does not mention %q", err, w)
		}
	}
}

func wantSyncPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Errorf("%s did not panic", what)
		} else if s := fmt.Sprint(r); !strings.HasPrefix(s, "asyncio: ") {
			t.Errorf("%s panicked with %q, want an asyncio: message", what, s)
		}
	}()
	fn()
}

// semaphoreLike is what Lock, Semaphore, BoundedSemaphore and Condition
// have in common.
type semaphoreLike interface {
	Acquire(*asyncio.Ctx) error
	Release() error
	Locked() bool
}

var (
	_ semaphoreLike = (*asyncio.Lock)(nil)
	_ semaphoreLike = (*asyncio.Semaphore)(nil)
	_ semaphoreLike = (*asyncio.BoundedSemaphore)(nil)
	_ semaphoreLike = (*asyncio.Condition)(nil)
)

func TestSemaphoreBasic(t *testing.T) {
	var g syncTrace
	s := asyncio.NewSemaphore(2)
	runSync(t, func(ctx *asyncio.Ctx) error {
		for i := range 3 {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if err := s.Acquire(ctx); err != nil {
					return err
				}
				g.add(ctx, "worker %d in", i)
				asyncio.Sleep(ctx, time.Second)
				g.add(ctx, "worker %d out", i)
				return s.Release()
			})
		}
		asyncio.Sleep(ctx, 0)
		g.add(ctx, "locked=%v", s.Locked())
		asyncio.Sleep(ctx, 3*time.Second)
		g.add(ctx, "locked=%v", s.Locked())
		return nil
	})
	g.check(t,
		"0s worker 0 in", "0s worker 1 in", "0s locked=true",
		"1s worker 0 out", "1s worker 1 out", "1s worker 2 in",
		"2s worker 2 out", "3s locked=false")
}

func TestSemaphoreZeroValue(t *testing.T) {
	var g syncTrace
	var s asyncio.Semaphore
	runSync(t, func(ctx *asyncio.Ctx) error {
		if !s.Locked() {
			t.Error("zero semaphore is not locked")
		}
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			asyncio.Sleep(ctx, time.Second)
			g.add(ctx, "release")
			return s.Release()
		})
		err := s.Acquire(ctx)
		g.add(ctx, "acquired: %v", err)
		return err
	})
	g.check(t, "1s release", "1s acquired: <nil>")
}

// Waiters get units in the order they asked, and a unit handed to a waiter
// is not taken by a task that asks later.
func TestSemaphoreFIFO(t *testing.T) {
	var g syncTrace
	s := asyncio.NewSemaphore(0)
	runSync(t, func(ctx *asyncio.Ctx) error {
		for _, name := range []string{"a", "b", "c"} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				err := s.Acquire(ctx)
				g.add(ctx, "%s: %v", name, err)
				return err
			})
		}
		asyncio.Sleep(ctx, time.Second) // all three wait
		s.Release()
		if !s.Locked() {
			t.Error("a unit handed to a waiter still counts as free")
		}
		late := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := s.Acquire(ctx) // must queue behind b and c
			g.add(ctx, "late: %v", err)
			return err
		})
		asyncio.Sleep(ctx, time.Second)
		for range 3 {
			s.Release()
			asyncio.Sleep(ctx, time.Second)
		}
		return late.Await(ctx)
	})
	g.check(t, "1s a: <nil>", "2s b: <nil>", "3s c: <nil>", "4s late: <nil>")
}

func TestSemaphoreCancelWaiter(t *testing.T) {
	var g syncTrace
	s := asyncio.NewSemaphore(1)
	runSync(t, func(ctx *asyncio.Ctx) error {
		s.Acquire(ctx)
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := s.Acquire(ctx)
			g.add(ctx, "waiter: %v", err)
			return err
		})
		asyncio.Sleep(ctx, time.Second)
		w.Cancel()
		asyncio.Sleep(ctx, time.Second)
		s.Release()
		g.add(ctx, "after release locked=%v", s.Locked())
		if err := s.Acquire(ctx); err != nil { // the unit is free: no wait
			return err
		}
		g.add(ctx, "main acquired again")
		return nil
	})
	g.check(t, "1s waiter: asyncio: task cancelled: context canceled",
		"2s after release locked=false", "2s main acquired again")
}

// A waiter that Release picked but that is cancelled before it resumes
// passes the unit to the next waiter.
func TestSemaphoreHandOffThenCancel(t *testing.T) {
	for _, bounded := range []bool{false, true} {
		t.Run(fmt.Sprint("bounded=", bounded), func(t *testing.T) {
			var g syncTrace
			var s semaphoreLike = asyncio.NewSemaphore(1)
			if bounded {
				s = asyncio.NewBoundedSemaphore(1)
			}
			runSync(t, func(ctx *asyncio.Ctx) error {
				s.Acquire(ctx)
				var ws []*asyncio.Task
				for _, name := range []string{"a", "b"} {
					ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
						err := s.Acquire(ctx)
						g.add(ctx, "%s: %v", name, err)
						if err == nil {
							asyncio.Sleep(ctx, time.Second)
							s.Release()
						}
						return err
					}))
				}
				asyncio.Sleep(ctx, time.Second)
				s.Release()    // hands the unit to a...
				ws[0].Cancel() // ...which is cancelled before it resumes
				ws[1].Await(ctx)
				g.add(ctx, "locked=%v", s.Locked())
				if bounded {
					if err := s.Release(); !errors.Is(err, asyncio.ErrSemaphoreReleased) {
						t.Errorf("extra release: %v", err)
					}
				}
				return nil
			})
			g.check(t, "1s a: asyncio: task cancelled: context canceled", "1s b: <nil>", "2s locked=false")
		})
	}
}

func TestBoundedSemaphore(t *testing.T) {
	s := asyncio.NewBoundedSemaphore(2)
	runSync(t, func(ctx *asyncio.Ctx) error {
		if err := s.Release(); !errors.Is(err, asyncio.ErrSemaphoreReleased) {
			t.Errorf("release of a full bounded semaphore: %v", err)
		}
		s.Acquire(ctx)
		s.Acquire(ctx)
		if !s.Locked() {
			t.Error("not locked after two acquires")
		}
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := s.Acquire(ctx); err != nil {
				return err
			}
			asyncio.Sleep(ctx, time.Second)
			return s.Release()
		})
		asyncio.Sleep(ctx, 0)
		// Main gives back its two units; the first goes to w.
		if err := s.Release(); err != nil {
			t.Errorf("release 1: %v", err)
		}
		if err := s.Release(); err != nil {
			t.Errorf("release 2: %v", err)
		}
		if err := w.Await(ctx); err != nil {
			t.Errorf("w: %v", err)
		}
		if err := s.Release(); !errors.Is(err, asyncio.ErrSemaphoreReleased) {
			t.Errorf("release after all units are back: %v", err)
		}
		return nil
	})
	var zero asyncio.BoundedSemaphore
	if err := zero.Release(); !errors.Is(err, asyncio.ErrSemaphoreReleased) {
		t.Errorf("zero BoundedSemaphore release: %v", err)
	}
}

func TestSemaphoreBadInput(t *testing.T) {
	wantSyncPanic(t, "NewSemaphore(-1)", func() { asyncio.NewSemaphore(-1) })
	wantSyncPanic(t, "NewBoundedSemaphore(-1)", func() { asyncio.NewBoundedSemaphore(-1) })
	s := asyncio.NewSemaphore(1)
	if err := s.Acquire(nil); !errors.Is(err, asyncio.ErrNotInTask) {
		t.Errorf("Acquire(nil): %v", err)
	}
	if s.Locked() {
		t.Error("a failed Acquire took a unit")
	}
}

func TestSemaphoreDeadlock(t *testing.T) {
	s := asyncio.NewSemaphore(0)
	wantSyncDeadlock(t, func(ctx *asyncio.Ctx) error {
		return s.Acquire(ctx)
	}, `task "main" (waiting for a semaphore)`)
}

// Tasks waiting for a unit when Run's main returns are cancelled and end.
func TestSemaphoreShutdown(t *testing.T) {
	s := asyncio.NewSemaphore(0)
	var errs []error
	runSync(t, func(ctx *asyncio.Ctx) error {
		for range 3 {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				err := s.Acquire(ctx)
				errs = append(errs, err)
				return err
			})
		}
		asyncio.Sleep(ctx, 0)
		s.Release() // handed to the first waiter, which has not resumed
		return nil
	})
	if len(errs) != 3 {
		t.Fatalf("%d waiters ended, want 3", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("waiter ended with %v", err)
		}
	}
	if s.Locked() {
		t.Error("the unit handed to a cancelled waiter was lost")
	}
}

// Many tasks acquire, hold and release a semaphore while others cancel them
// at random: the number of holders never exceeds the value, and in the end
// every unit is back.
func TestSemaphoreRandomCancels(t *testing.T) {
	const units, workers = 3, 40
	r := rand.New(rand.NewPCG(3, 4))
	s := asyncio.NewBoundedSemaphore(units)
	holders, maxHolders := 0, 0
	runSync(t, func(ctx *asyncio.Ctx) error {
		var tasks []*asyncio.Task
		for range workers {
			hold := time.Duration(r.IntN(5)) * time.Millisecond
			tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for range 5 {
					if err := s.Acquire(ctx); err != nil {
						continue
					}
					holders++
					maxHolders = max(maxHolders, holders)
					asyncio.Sleep(ctx, hold)
					holders--
					if err := s.Release(); err != nil {
						return err
					}
				}
				return nil
			}))
		}
		for range 200 {
			asyncio.Sleep(ctx, time.Duration(r.IntN(3))*time.Millisecond)
			tasks[r.IntN(workers)].Cancel()
		}
		for _, task := range tasks {
			if err := task.Await(ctx); err != nil && !errors.Is(err, asyncio.ErrCancelled) {
				return err
			}
		}
		return nil
	})
	if maxHolders > units || maxHolders == 0 {
		t.Errorf("max holders %d, semaphore of %d", maxHolders, units)
	}
	if holders != 0 || s.Locked() {
		t.Errorf("holders %d, locked %v at the end", holders, s.Locked())
	}
	for range units {
		if err := s.Release(); err == nil {
			t.Fatal("a unit was lost: the semaphore accepts an extra release")
		}
	}
}
