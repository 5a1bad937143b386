package asyncio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// strayCtxs returns a Ctx of each kind the Ctx rule covers, for use inside
// a task of another loop (or of the same loop, for the finished task's):
// nil, zero, that of a finished task, and that of a parked task of another
// loop that is not running. The returned function closes that other loop.
func strayCtxs(t *testing.T, ctx *asyncio.Ctx) (map[string]*asyncio.Ctx, func()) {
	t.Helper()
	var finished *asyncio.Ctx
	done := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { finished = c; return nil })
	if err := done.Await(ctx); err != nil {
		t.Fatal(err)
	}
	other := asyncio.NewLoop(asyncio.VirtualClock())
	var foreign *asyncio.Ctx
	other.CreateTask(func(c *asyncio.Ctx) error {
		foreign = c
		c.Loop().Stop()
		return asyncio.Sleep(c, time.Hour)
	})
	if err := other.RunForever(); err != nil {
		t.Fatal(err)
	}
	return map[string]*asyncio.Ctx{
		"nil":           nil,
		"zero":          {},
		"finished task": finished,
		"other loop":    foreign,
	}, func() { other.Close() }
}

// TestStrayCtxRule: every function that takes a Ctx, given one that is not
// the running task's, does nothing and returns an error matching
// ErrNotInTask (see Ctx).
func TestStrayCtxRule(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		cs, closeOther := strayCtxs(t, ctx)
		defer closeOther()
		target := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return asyncio.Sleep(c, time.Hour) })
		targetOf := asyncio.CreateTaskOf(ctx, func(c *asyncio.Ctx) (int, error) { return 1, asyncio.Sleep(c, time.Hour) })
		ran := false
		body := func(*asyncio.Ctx) error { ran = true; return nil }
		ev := &asyncio.Event{}
		ev.Set()
		q := asyncio.NewQueue[int](1)
		var lock asyncio.Lock
		cond := asyncio.NewCondition(&lock)
		v := asyncio.NewTaskVar("v", 0)
		for kind, c := range cs {
			calls := map[string]func() error{
				"Sleep":        func() error { return asyncio.Sleep(c, 0) },
				"Sleep(1s)":    func() error { return asyncio.Sleep(c, time.Second) },
				"SleepMs":      func() error { return asyncio.SleepMs(c, 1) },
				"Task.Await":   func() error { return target.Await(c) },
				"TaskOf.Await": func() error { _, err := targetOf.Await(c); return err },
				"Gather":       func() error { return asyncio.Gather(c, target) },
				"GatherErrors": func() error { _, err := asyncio.GatherErrors(c, target); return err },
				"GatherOf":     func() error { _, err := asyncio.GatherOf(c, targetOf); return err },
				"Shield":       func() error { return asyncio.Shield(c, target) },
				"Wait":         func() error { _, _, err := asyncio.Wait(c, asyncio.AllCompleted, target); return err },
				"WithTaskGroup": func() error {
					return asyncio.WithTaskGroup(c, func(c *asyncio.Ctx, _ *asyncio.TaskGroup) error { return body(c) })
				},
				"Timeout":     func() error { return asyncio.Timeout(c, time.Second, body) },
				"TimeoutAt":   func() error { return asyncio.TimeoutAt(c, time.Second, body) },
				"MoveOnAfter": func() error { _, err := asyncio.MoveOnAfter(c, time.Second, body); return err },
				"MoveOnAt":    func() error { _, err := asyncio.MoveOnAt(c, time.Second, body); return err },
				"WaitFor":     func() error { return asyncio.WaitFor(c, time.Second, body) },
				"WaitForMs":   func() error { return asyncio.WaitForMs(c, 1000, body) },
				"WaitForOf": func() error {
					_, err := asyncio.WaitForOf(c, time.Second, func(c *asyncio.Ctx) (int, error) { return 0, body(c) })
					return err
				},
				"WaitForTask": func() error { return asyncio.WaitForTask(c, time.Second, target) },
				"ToThread":    func() error { return asyncio.ToThread(c, func(context.Context) error { ran = true; return nil }) },
				"ToThreadOf": func() error {
					_, err := asyncio.ToThreadOf(c, func(context.Context) (int, error) { ran = true; return 0, nil })
					return err
				},
				"Event.Wait":               func() error { return ev.Wait(c) },
				"ThreadSafeFlag.Wait":      func() error { return (&asyncio.ThreadSafeFlag{}).Wait(c) },
				"Lock.Acquire":             func() error { return lock.Acquire(c) },
				"Semaphore.Acquire":        func() error { return asyncio.NewSemaphore(1).Acquire(c) },
				"BoundedSemaphore.Acquire": func() error { return asyncio.NewBoundedSemaphore(1).Acquire(c) },
				"Condition.Acquire":        func() error { return cond.Acquire(c) },
				"Condition.Wait":           func() error { return cond.Wait(c) },
				"Condition.WaitFor":        func() error { return cond.WaitFor(c, func() bool { return true }) },
				"Barrier.Wait":             func() error { _, err := asyncio.NewBarrier(1).Wait(c); return err },
				"Queue.Put":                func() error { return q.Put(c, 1) },
				"Queue.Get":                func() error { _, err := q.Get(c); return err },
				"Queue.Join":               func() error { return q.Join(c) },
				"Queue.All": func() error {
					for _, err := range q.All(c) {
						return err
					}
					return errors.New("Queue.All yielded nothing")
				},
				"AsCompleted": func() error {
					for _, err := range asyncio.AsCompleted(c, target) {
						return err
					}
					return errors.New("AsCompleted yielded nothing")
				},
				"TaskVar.Set": func() error { return v.Set(c, 1) },
			}
			for name, call := range calls {
				if err := call(); !errors.Is(err, asyncio.ErrNotInTask) {
					t.Errorf("%s with a Ctx of %s: %v, want ErrNotInTask", name, kind, err)
				}
			}
			if ran {
				t.Errorf("a function ran with a Ctx of %s", kind)
				ran = false
			}
			if lock.Locked() || q.Len() != 0 || !ev.IsSet() {
				t.Errorf("a call with a Ctx of %s changed a primitive: locked %v, queue %d", kind, lock.Locked(), q.Len())
			}
			if got := asyncio.CurrentTask(c); got != nil {
				t.Errorf("CurrentTask with a Ctx of %s: %v, want nil", kind, got)
			}
		}
		target.Cancel()
		targetOf.Cancel()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCreateTaskWithStrayCtx: CreateTask and CreateTaskOf given a Ctx that
// is not the running task's return a task that is already done, never runs
// and belongs to no loop; awaiting it returns its error at once.
func TestCreateTaskWithStrayCtx(t *testing.T) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		cs, closeOther := strayCtxs(t, ctx)
		defer closeOther()
		for kind, c := range cs {
			ran := false
			tasks := []*asyncio.Task{
				asyncio.CreateTask(c, func(*asyncio.Ctx) error { ran = true; return nil }, asyncio.Named("stray")),
				&asyncio.CreateTaskOf(c, func(*asyncio.Ctx) (int, error) { ran = true; return 1, nil }, asyncio.Named("stray")).Task,
			}
			for _, st := range tasks {
				if !st.Done() || !errors.Is(st.Err(), asyncio.ErrNotInTask) || st.Loop() != nil || st.Name() != "stray" {
					t.Errorf("task created with a Ctx of %s: done %v, err %v, loop %v, name %q", kind, st.Done(), st.Err(), st.Loop(), st.Name())
				}
				if err := st.Await(ctx); !errors.Is(err, asyncio.ErrNotInTask) {
					t.Errorf("awaiting a task created with a Ctx of %s: %v", kind, err)
				}
				if err := st.Cancel(); !errors.Is(err, asyncio.ErrTaskDone) {
					t.Errorf("cancelling a task created with a Ctx of %s: %v, want ErrTaskDone", kind, err)
				}
				if err := asyncio.Gather(ctx, st); !errors.Is(err, asyncio.ErrNotInTask) {
					t.Errorf("gathering a task created with a Ctx of %s: %v", kind, err)
				}
			}
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
			if ran {
				t.Errorf("a task created with a Ctx of %s ran", kind)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestZeroCtxAccessors: a nil or zero Ctx has no task and no loop, and as a
// context.Context it is done.
func TestZeroCtxAccessors(t *testing.T) {
	for _, c := range []*asyncio.Ctx{nil, {}} {
		if c.Task() != nil || c.Loop() != nil || c.Scope() != nil {
			t.Errorf("Ctx %v: task %v, loop %v, scope %v", c, c.Task(), c.Loop(), c.Scope())
		}
		if c.Err() == nil {
			t.Errorf("Ctx %v: Err nil, want done", c)
		}
		if _, ok := c.Deadline(); ok {
			t.Errorf("Ctx %v has a deadline", c)
		}
	}
}
