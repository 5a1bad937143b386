package asyncio_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// A plain Shutdown: the waiting producer and later puts fail at once, the
// consumer drains what is left and then gets ErrQueueShutDown, and Join
// returns once every value taken is done.
func TestQueueShutdown(t *testing.T) {
	var g syncTrace
	q := asyncio.NewQueue[int](2)
	runSync(t, func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for i := 0; ; i++ {
				if err := q.Put(ctx, i); err != nil {
					g.add(ctx, "put %d: %v", i, err)
					return nil
				}
			}
		})
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := q.Join(ctx)
			g.add(ctx, "joined: %v", err)
			return nil
		})
		asyncio.Sleep(ctx, time.Second)
		q.Shutdown(false) // the producer waits to put 2
		if err := q.PutNowait(9); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Errorf("PutNowait after Shutdown: %v", err)
		}
		if err := q.Put(ctx, 9); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Errorf("Put after Shutdown: %v", err)
		}
		asyncio.Sleep(ctx, 0)
		for {
			v, err := q.Get(ctx)
			g.add(ctx, "got %d %v", v, err)
			if err != nil {
				break
			}
			asyncio.Sleep(ctx, time.Second)
			q.TaskDone()
		}
		if _, err := q.GetNowait(); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Errorf("GetNowait on an empty shut-down queue: %v", err)
		}
		q.Shutdown(false) // again: nothing changes
		asyncio.Sleep(ctx, 0)
		return nil
	})
	g.check(t,
		"1s put 2: asyncio: queue is shut down",
		"1s got 0 <nil>", "2s got 1 <nil>", "3s got 0 asyncio: queue is shut down", "3s joined: <nil>")
}

// A getter waiting on an empty queue is woken by a plain Shutdown with
// ErrQueueShutDown; so is one arriving later.
func TestQueueShutdownWakesGetters(t *testing.T) {
	var g syncTrace
	q := asyncio.NewQueue[string](0)
	runSync(t, func(ctx *asyncio.Ctx) error {
		var ws []*asyncio.Task
		for _, name := range []string{"g1", "g2"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				v, err := q.Get(ctx)
				g.add(ctx, "%s: %q %v", name, v, err)
				return nil
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		q.PutNowait("x") // handed to g1 before the shutdown: it keeps it
		q.Shutdown(false)
		asyncio.Gather(ctx, ws...)
		_, err := q.Get(ctx)
		g.add(ctx, "later: %v", err)
		return nil
	})
	g.check(t, `1s g1: "x" <nil>`, `1s g2: "" asyncio: queue is shut down`, "1s later: asyncio: queue is shut down")
}

// An immediate Shutdown drops the values left, counting them as done, and
// wakes every waiter; Join still waits for the value being worked on.
func TestQueueShutdownImmediate(t *testing.T) {
	var g syncTrace
	q := asyncio.NewQueue[int](3)
	runSync(t, func(ctx *asyncio.Ctx) error {
		for i := range 3 {
			q.PutNowait(i)
		}
		putter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for i := 3; ; i++ {
				err := q.Put(ctx, i)
				g.add(ctx, "put %d: %v", i, err)
				if err != nil {
					return nil
				}
			}
		})
		joiner := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := q.Join(ctx)
			g.add(ctx, "joined: %v", err)
			return nil
		})
		worker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			v, err := q.Get(ctx) // 0, at once; 3 takes the freed slot, 4 waits
			g.add(ctx, "worker got %d %v", v, err)
			asyncio.Sleep(ctx, 2*time.Second)
			g.add(ctx, "worker done")
			return q.TaskDone()
		})
		asyncio.Sleep(ctx, time.Second)
		if q.Len() != 3 {
			t.Errorf("Len %d before the shutdown, want 3", q.Len())
		}
		q.Shutdown(true)
		if q.Len() != 0 || !q.Empty() {
			t.Errorf("Len %d after an immediate shutdown", q.Len())
		}
		_, err := q.Get(ctx)
		g.add(ctx, "get: %v", err)
		if err := asyncio.Gather(ctx, putter, joiner, worker); err != nil {
			return err
		}
		if err := q.TaskDone(); !errors.Is(err, asyncio.ErrTooManyTaskDone) {
			t.Errorf("TaskDone for a dropped value: %v", err)
		}
		return nil
	})
	g.check(t,
		"0s worker got 0 <nil>", "0s put 3: <nil>",
		"1s get: asyncio: queue is shut down",
		"1s put 4: asyncio: queue is shut down",
		"2s worker done", "2s joined: <nil>")
}

// With nothing being worked on, an immediate Shutdown lets Join return at
// once; getters waiting on an empty queue get ErrQueueShutDown.
func TestQueueShutdownImmediateJoin(t *testing.T) {
	var g syncTrace
	full, empty := asyncio.NewQueue[int](0), asyncio.NewQueue[int](0)
	runSync(t, func(ctx *asyncio.Ctx) error {
		full.PutNowait(8)
		full.PutNowait(9)
		getter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			_, err := empty.Get(ctx)
			g.add(ctx, "get: %v", err)
			return nil
		})
		joiner := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := full.Join(ctx)
			g.add(ctx, "joined: %v", err)
			return nil
		})
		asyncio.Sleep(ctx, time.Second)
		full.Shutdown(true)
		empty.Shutdown(true)
		return asyncio.Gather(ctx, getter, joiner)
	})
	g.check(t, "1s joined: <nil>", "1s get: asyncio: queue is shut down")
}

// A value handed to a getter that is cancelled before it resumes is dropped
// if an immediate Shutdown came in between, and counts as done.
func TestQueueShutdownImmediateHandOffCancelled(t *testing.T) {
	q := asyncio.NewQueue[int](0)
	runSync(t, func(ctx *asyncio.Ctx) error {
		getter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { _, err := q.Get(ctx); return err })
		asyncio.Sleep(ctx, time.Second)
		q.PutNowait(1) // handed to the getter
		q.PutNowait(2) // stored
		q.Shutdown(true)
		getter.Cancel()
		if err := getter.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("getter: %v", err)
		}
		if q.Len() != 0 {
			t.Errorf("Len %d, want 0", q.Len())
		}
		if err := q.Join(ctx); err != nil { // nothing unfinished
			return err
		}
		if ctx.Loop().Time() != time.Second {
			t.Errorf("Join waited")
		}
		return nil
	})
}

// A putter handed a slot just before a Shutdown puts nothing.
func TestQueueShutdownPutterHandedSlot(t *testing.T) {
	q := asyncio.NewQueue[string](1)
	runSync(t, func(ctx *asyncio.Ctx) error {
		q.PutNowait("x")
		putter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return q.Put(ctx, "y") })
		asyncio.Sleep(ctx, time.Second)
		q.GetNowait() // hands the slot to the putter
		q.Shutdown(false)
		if err := putter.Await(ctx); !errors.Is(err, asyncio.ErrQueueShutDown) {
			t.Errorf("putter: %v", err)
		}
		if q.Len() != 0 || q.Full() {
			t.Errorf("Len %d, Full %v", q.Len(), q.Full())
		}
		return nil
	})
}

// All ranges over the values until the queue is shut down and drained, for
// every kind of queue, each in its order.
func TestQueueAll(t *testing.T) {
	for _, kind := range []string{"fifo", "lifo", "priority"} {
		t.Run(kind, func(t *testing.T) {
			var q *asyncio.Queue[int]
			switch kind {
			case "fifo":
				q = asyncio.NewQueue[int](0)
			case "lifo":
				q = asyncio.NewLifoQueue[int](0)
			default:
				q = asyncio.NewPriorityQueue(0, func(a, b int) bool { return a < b })
			}
			var g syncTrace
			runSync(t, func(ctx *asyncio.Ctx) error {
				for _, v := range []int{3, 1, 2} {
					q.PutNowait(v)
				}
				asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
					asyncio.Sleep(ctx, time.Second)
					q.PutNowait(5)
					q.Shutdown(false)
					return nil
				})
				for v, err := range q.All(ctx) {
					if err != nil {
						return err
					}
					g.add(ctx, "%d", v)
					q.TaskDone()
				}
				g.add(ctx, "end")
				return q.Join(ctx)
			})
			want := map[string][]string{
				"fifo":     {"0s 3", "0s 1", "0s 2", "1s 5", "1s end"},
				"lifo":     {"0s 2", "0s 1", "0s 3", "1s 5", "1s end"},
				"priority": {"0s 1", "0s 2", "0s 3", "1s 5", "1s end"},
			}[kind]
			g.check(t, want...)
		})
	}
}

// All yields the cancellation and stops; a break stops it too.
func TestQueueAllCancelAndBreak(t *testing.T) {
	q := asyncio.NewQueue[int](0)
	var errs []error
	var got []int
	runSync(t, func(ctx *asyncio.Ctx) error {
		q.PutNowait(1)
		q.PutNowait(2)
		for v := range q.All(ctx) {
			got = append(got, v)
			break
		}
		consumer := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for v, err := range q.All(ctx) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				got = append(got, v)
			}
			return nil
		})
		asyncio.Sleep(ctx, time.Second)
		consumer.Cancel()
		return consumer.Await(ctx)
	})
	if !slices.Equal(got, []int{1, 2}) || len(errs) != 1 || !errors.Is(errs[0], asyncio.ErrCancelled) {
		t.Errorf("got %v, errors %v", got, errs)
	}
}

// A zero Queue can be shut down.
func TestQueueShutdownZero(t *testing.T) {
	var q asyncio.Queue[int]
	q.Shutdown(false)
	if err := q.PutNowait(1); !errors.Is(err, asyncio.ErrQueueShutDown) {
		t.Errorf("PutNowait: %v", err)
	}
	if _, err := q.GetNowait(); !errors.Is(err, asyncio.ErrQueueShutDown) {
		t.Errorf("GetNowait: %v", err)
	}
}

// Shutdown ends a producer and its consumers as closing a channel does:
// the consumers range over the queue until it is drained.
func ExampleQueue_Shutdown() {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		q := asyncio.NewQueue[string](1)
		consumer := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for job, err := range q.All(ctx) {
				if err != nil {
					return err
				}
				asyncio.Sleep(ctx, time.Second)
				fmt.Println(ctx.Loop().Time(), "did", job)
				q.TaskDone()
			}
			fmt.Println(ctx.Loop().Time(), "no more jobs")
			return nil
		})
		for _, job := range []string{"a", "b", "c"} {
			if err := q.Put(ctx, job); err != nil {
				return err
			}
		}
		q.Shutdown(false)
		fmt.Println(ctx.Loop().Time(), "shut down; put:", q.PutNowait("d"))
		if err := q.Join(ctx); err != nil {
			return err
		}
		fmt.Println(ctx.Loop().Time(), "all done")
		return consumer.Await(ctx)
	}, asyncio.VirtualClock())
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1s did a
	// 1s shut down; put: asyncio: queue is shut down
	// 2s did b
	// 3s did c
	// 3s no more jobs
	// 3s all done
}
