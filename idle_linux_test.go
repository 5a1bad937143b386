//go:build linux && !tinygo

package asyncio

import (
	"math"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The default idle wait on Linux is the futex: no runtime timer is made,
// each sleep is one block (no polling), and a wake-up from another
// goroutine ends a wait that has no deadline.
func TestIdleFutexWaits(t *testing.T) {
	l := NewLoop()
	defer l.Close()
	const sleeps = 20
	main := l.CreateTask(func(ctx *Ctx) error {
		for range sleeps {
			if err := Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if l.idleTimer != nil {
		t.Fatal("the idle loop made a runtime timer")
	}
	// A futex wait may end early (the runtime's preemption signal
	// interrupts it): then the loop waits again. Polling would block far
	// more often than once a sleep. On a slow machine (an emulator) a
	// sleep's deadline may pass before the loop gets to wait, so some
	// sleeps need no block; a loop that spun instead of waiting would
	// block for none of them.
	if l.blocks < sleeps/2 || l.blocks > 2*sleeps {
		t.Fatalf("loop blocked %d times for %d sleeps", l.blocks, sleeps)
	}
	if w := l.idleWait.word.Load(); w != idleNone {
		t.Fatalf("futex word %d after the run, want %d", w, idleNone)
	}

	// Work posted from another goroutine wakes a loop that waits with no
	// deadline (held by KeepAlive).
	release := l.KeepAlive()
	ran := make(chan struct{})
	l.blocks = 0
	main = l.CreateTask(func(ctx *Ctx) error {
		done := &Event{}
		go func() {
			<-ran // the loop is about to wait, or waits
			l.CallSoonThreadsafe(done.Set)
		}()
		close(ran)
		return done.Wait(ctx)
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	release()
	if l.blocks > 2 {
		t.Fatalf("loop blocked %d times for one wake-up", l.blocks)
	}
}

// A wake-up that comes before the wait is not lost: the wait returns at
// once, and only that one.
func TestIdleFutexWakeBeforeWait(t *testing.T) {
	l := NewLoop()
	defer l.Close()
	l.wakeIdle()
	l.wakeIdle() // two wake-ups are one
	done := make(chan struct{})
	go func() {
		l.sleepIdle(-1)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second): // a hang guard, not a timing check
		t.Fatal("a wake-up made before the wait was lost")
	}
	if w := l.idleWait.word.Load(); w != idleNone {
		t.Fatalf("futex word %d, want %d", w, idleNone)
	}
	// The next wait sleeps until woken: in the futex with a deadline, on
	// the wakeup channel without one.
	for _, c := range []struct {
		d     time.Duration
		state uint32
	}{{time.Hour, idleSleeping}, {-1, idleParked}} {
		done = make(chan struct{})
		go func() {
			l.sleepIdle(c.d)
			close(done)
		}()
		for l.idleWait.word.Load() != c.state {
			time.Sleep(time.Millisecond)
		}
		select {
		case <-done:
			t.Fatalf("the wait (%v) returned with no wake-up", c.d)
		default:
		}
		l.wakeIdle()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("wakeIdle did not end the wait (%v)", c.d)
		}
		if w := l.idleWait.word.Load(); w != idleNone || len(l.wakeup) != 0 {
			t.Fatalf("after the wait (%v): futex word %d, %d tokens on the channel", c.d, w, len(l.wakeup))
		}
	}
}

// While something outside the loop holds it (here a KeepAlive), a timed
// wait parks the loop on its channel and the alarm goroutine keeps the
// deadline: the sleeps end, no runtime timer is made, and the alarm ends
// with the run.
func TestIdleAlarmWhileHeld(t *testing.T) {
	l := NewLoop()
	defer l.Close()
	release := l.KeepAlive()
	defer release()
	const sleeps = 20
	var alarmed bool
	main := l.CreateTask(func(ctx *Ctx) error {
		for range sleeps {
			start := time.Now()
			if err := Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			if since := time.Since(start); since < time.Millisecond {
				t.Errorf("a 1 ms sleep ended after %v", since)
			}
			alarmed = alarmed || l.idleWait.alarm != nil
		}
		return nil
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if !alarmed {
		t.Fatal("the held loop's timed waits did not start its alarm")
	}
	if l.idleWait.alarm != nil {
		t.Fatal("the alarm outlived the run")
	}
	if l.idleTimer != nil {
		t.Fatal("the idle loop made a runtime timer")
	}
	if l.blocks < sleeps/2 || l.blocks > 2*sleeps {
		t.Fatalf("loop blocked %d times for %d sleeps", l.blocks, sleeps)
	}

	// Released, the loop waits in the futex itself again, and the alarm of
	// a run stays stopped.
	release()
	main = l.CreateTask(func(ctx *Ctx) error { return Sleep(ctx, time.Millisecond) })
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if l.idleWait.alarm != nil {
		t.Fatal("an unheld loop started its alarm")
	}
}

// A deadline earlier than the one the alarm waits for cuts the alarm's wait
// short: a task that sleeps 10 ms, made by work posted while the loop waits
// for an hour, ends in time (a lost re-arm would hang for the hour).
func TestIdleAlarmEarlierDeadline(t *testing.T) {
	l := NewLoop()
	defer l.Close()
	release := l.KeepAlive()
	defer release()
	l.CreateTask(func(ctx *Ctx) error { return Sleep(ctx, time.Hour) })
	short := make(chan *Task, 1)
	waiting := make(chan struct{})
	go func() {
		<-waiting
		for l.idleWait.word.Load() != idleParked { // the loop waits for the hour
			time.Sleep(time.Millisecond)
		}
		l.CallSoonThreadsafe(func() {
			short <- l.CreateTask(func(ctx *Ctx) error {
				if err := Sleep(ctx, 10*time.Millisecond); err != nil {
					return err
				}
				l.Stop()
				return nil
			})
		})
	}()
	l.CallSoon(func() { close(waiting) })
	done := make(chan error, 1)
	go func() { done <- l.RunForever() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second): // a hang guard, not a timing check
		l.Stop()
		<-done
		t.Fatal("the earlier deadline did not cut the alarm's wait short")
	}
	if s := <-short; !s.Done() {
		t.Fatalf("the short task: %v", s)
	}
}

// A deadline too far to add to the alarm's clock (Sleep(Never) reaches the
// alarm as MaxInt64 less the loop's clock) stays at the end of time: it
// wrapped around to "now", and a held loop with only such a timer woke at
// once, over and over.
func TestIdleAlarmNeverDeadline(t *testing.T) {
	a := &alarm{base: time.Now().Add(-time.Millisecond)} // started 1 ms ago
	a.parked.Store(true)
	a.c = make(chan struct{}, 1)
	a.arm(time.Duration(math.MaxInt64 - int64(500*time.Microsecond)))
	if w := a.when.Load(); w != math.MaxInt64 {
		t.Fatalf("a deadline ~292 years away armed at %d ns", w)
	}
}

// A timed wait sets its thread's timer slack to 1 ns; release gives the
// thread its default back when the goroutine parks (a runtime thread left at
// 1 ns slows other goroutines' wake-ups), and the next wait sets it again,
// however short.
func TestFutexTimerSlack(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	slack := threadSlack
	def := slack()
	if def == 1 {
		t.Skip("this thread's default slack is 1 ns already")
	}
	var word atomic.Uint32
	var f futexTimer
	f.wait(&word, 1, time.Microsecond) // the word is 0: returns at once
	if s := slack(); s != 1 {
		t.Fatalf("slack %d ns during timed waits, want 1", s)
	}
	f.release()
	if s := slack(); s != def {
		t.Fatalf("slack %d ns after release, want the default %d", s, def)
	}
	f.wait(&word, 1, time.Microsecond)
	if s := slack(); s != 1 {
		t.Fatalf("slack %d ns in a short wait after a release, want 1", s)
	}
	f.release()
}

// threadSlack returns this thread's timer slack in ns.
func threadSlack() uintptr {
	r, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, 30, 0, 0) // PR_GET_TIMERSLACK
	return r
}

// A run gives back the slack its timed waits set on the thread that runs
// the loop: the caller's thread goes on at its default.
func TestRunGivesSlackBack(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	def := threadSlack()
	if def == 1 {
		t.Skip("this thread's default slack is 1 ns already")
	}
	l := NewLoop()
	defer l.Close()
	var during uintptr
	main := l.CreateTask(func(ctx *Ctx) error {
		if err := Sleep(ctx, 2*time.Millisecond); err != nil {
			return err
		}
		during = threadSlack() // the task runs on the loop's (locked) thread
		return nil
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if during != 1 {
		t.Fatalf("slack %d ns while the loop ran, want 1", during)
	}
	if s := threadSlack(); s != def {
		t.Fatalf("slack %d ns after the run, want the default %d", s, def)
	}
}
