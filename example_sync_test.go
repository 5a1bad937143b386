package asyncio_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/goasyncio/asyncio"
)

// At most two of five downloads run at once; the others wait their turn, in
// the order they asked.
func ExampleSemaphore() {
	sem := asyncio.NewSemaphore(2)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		var tasks []*asyncio.Task
		for i := range 5 {
			tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if err := sem.Acquire(ctx); err != nil {
					return err // cancelled while waiting: holds no unit
				}
				defer sem.Release()
				fmt.Printf("%v download %d starts\n", ctx.Loop().Time(), i)
				return asyncio.Sleep(ctx, time.Second)
			}))
		}
		for _, t := range tasks {
			t.Await(ctx)
		}
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// 0s download 0 starts
	// 0s download 1 starts
	// 1s download 2 starts
	// 1s download 3 starts
	// 2s download 4 starts
}

func ExampleBoundedSemaphore() {
	sem := asyncio.NewBoundedSemaphore(1)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		sem.Acquire(ctx)
		fmt.Println("locked:", sem.Locked())
		fmt.Println("release:", sem.Release())
		fmt.Println("release again:", sem.Release())
		return nil
	})
	// Output:
	// locked: true
	// release: <nil>
	// release again: asyncio: BoundedSemaphore released too many times
}

// A consumer waits, holding the condition's lock, until a producer has
// made enough items.
func ExampleCondition() {
	var cond asyncio.Condition // the zero Condition has a lock of its own
	items := 0
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		consumer := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := cond.Acquire(ctx); err != nil {
				return err
			}
			defer cond.Release() // held when WaitFor returns, even with an error
			if err := cond.WaitFor(ctx, func() bool { return items >= 3 }); err != nil {
				return err
			}
			fmt.Printf("%v consumer sees %d items\n", ctx.Loop().Time(), items)
			return nil
		})
		for range 3 {
			asyncio.Sleep(ctx, time.Second)
			cond.Acquire(ctx)
			items++
			cond.NotifyAll()
			cond.Release()
		}
		return consumer.Await(ctx)
	}, asyncio.VirtualClock())
	// Output: 3s consumer sees 3 items
}

func ExampleCondition_Wait() {
	cond := asyncio.NewCondition(nil)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		waiter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			cond.Acquire(ctx)
			defer cond.Release()
			err := cond.Wait(ctx)
			fmt.Println("wait:", err, "- lock held:", cond.Locked())
			return err
		})
		asyncio.Sleep(ctx, time.Second)
		waiter.Cancel() // Wait takes the lock back before it returns
		waiter.Await(ctx)
		fmt.Println("notify without the lock:", cond.Notify(1))
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// wait: asyncio: task cancelled: context canceled - lock held: true
	// notify without the lock: asyncio: Condition lock not acquired
}

// Three workers start a phase together once all have finished their set-up.
func ExampleBarrier() {
	b := asyncio.NewBarrier(3)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		var tasks []*asyncio.Task
		for i, setup := range []time.Duration{2 * time.Second, time.Second, 3 * time.Second} {
			tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				asyncio.Sleep(ctx, setup)
				index, err := b.Wait(ctx)
				if err != nil {
					return err
				}
				fmt.Printf("%v worker %d passes, arrival %d\n", ctx.Loop().Time(), i, index)
				return nil
			}))
		}
		for _, t := range tasks {
			t.Await(ctx)
		}
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// 3s worker 2 passes, arrival 2
	// 3s worker 1 passes, arrival 0
	// 3s worker 0 passes, arrival 1
}

// A party that cannot come aborts the barrier, so the others do not wait
// forever.
func ExampleBarrier_Abort() {
	b := asyncio.NewBarrier(2)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			_, err := b.Wait(ctx)
			fmt.Println("waiter:", err, errors.Is(err, asyncio.ErrBrokenBarrier))
			return nil
		})
		asyncio.Sleep(ctx, time.Second)
		b.Abort()
		w.Await(ctx)
		fmt.Println("broken:", b.Broken())
		b.Reset()
		fmt.Println("after reset:", b.Broken())
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// waiter: asyncio: barrier is broken true
	// broken: true
	// after reset: false
}

// A producer and two consumers share a bounded queue; Join waits until
// every item has been processed.
func ExampleQueue() {
	q := asyncio.NewQueue[string](2)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		for _, name := range []string{"A", "B"} {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					job, err := q.Get(ctx)
					if err != nil {
						return err // cancelled when main returns
					}
					asyncio.Sleep(ctx, time.Second)
					fmt.Printf("%v %s did %s\n", ctx.Loop().Time(), name, job)
					q.TaskDone()
				}
			})
		}
		for _, job := range []string{"j1", "j2", "j3", "j4", "j5"} {
			if err := q.Put(ctx, job); err != nil { // waits while the queue is full
				return err
			}
		}
		fmt.Printf("%v all put\n", ctx.Loop().Time())
		return q.Join(ctx)
	}, asyncio.VirtualClock())
	// Output:
	// 1s A did j1
	// 1s B did j2
	// 1s all put
	// 2s A did j3
	// 2s B did j4
	// 3s A did j5
}

func ExampleQueue_GetNowait() {
	q := asyncio.NewQueue[int](1)
	fmt.Println(q.PutNowait(1))
	fmt.Println(q.PutNowait(2))
	fmt.Println(q.GetNowait())
	fmt.Println(q.GetNowait())
	// Output:
	// <nil>
	// asyncio: queue is full
	// 1 <nil>
	// 0 asyncio: queue is empty
}

func ExampleNewQueue() {
	q := asyncio.NewQueue[int](0) // unbounded
	for i := range 3 {
		q.PutNowait(i)
	}
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		for !q.Empty() {
			v, _ := q.Get(ctx)
			fmt.Print(v, " ")
		}
		fmt.Println("- max size", q.MaxSize())
		return nil
	})
	// Output: 0 1 2 - max size 0
}

func ExampleNewLifoQueue() {
	q := asyncio.NewLifoQueue[string](0)
	for _, s := range []string{"first", "second", "third"} {
		q.PutNowait(s)
	}
	for !q.Empty() {
		s, _ := q.GetNowait()
		fmt.Println(s)
	}
	// Output:
	// third
	// second
	// first
}

// Jobs come out by priority, lowest number first; jobs of equal priority
// in the order they were put.
func ExampleNewPriorityQueue() {
	type job struct {
		prio int
		name string
	}
	q := asyncio.NewPriorityQueue(0, func(a, b job) bool { return a.prio < b.prio })
	q.PutNowait(job{2, "write report"})
	q.PutNowait(job{1, "fix bug"})
	q.PutNowait(job{3, "lunch"})
	q.PutNowait(job{1, "answer mail"})
	for !q.Empty() {
		j, _ := q.GetNowait()
		fmt.Println(j.prio, j.name)
	}
	// Output:
	// 1 fix bug
	// 1 answer mail
	// 2 write report
	// 3 lunch
}

// A semaphore made with no unit counts signals: each Release lets one
// Acquire through.
func ExampleNewSemaphore() {
	ready := asyncio.NewSemaphore(0)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for i := range 2 {
				asyncio.Sleep(ctx, time.Second)
				fmt.Printf("%v signal %d\n", ctx.Loop().Time(), i)
				ready.Release()
			}
			return nil
		})
		for range 2 {
			if err := ready.Acquire(ctx); err != nil {
				return err
			}
			fmt.Printf("%v got it\n", ctx.Loop().Time())
		}
		return nil
	}, asyncio.VirtualClock())
	// Output:
	// 1s signal 0
	// 1s got it
	// 2s signal 1
	// 2s got it
}

// Two conditions on one lock: waiters for "not empty" and for "not full"
// of a one-slot buffer.
func ExampleNewCondition() {
	var lock asyncio.Lock
	notEmpty, notFull := asyncio.NewCondition(&lock), asyncio.NewCondition(&lock)
	var slot []int
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for i := range 3 {
				lock.Acquire(ctx)
				notFull.WaitFor(ctx, func() bool { return len(slot) == 0 })
				slot = append(slot, i)
				notEmpty.Notify(1)
				lock.Release()
			}
			return nil
		})
		for range 3 {
			lock.Acquire(ctx)
			if err := notEmpty.WaitFor(ctx, func() bool { return len(slot) > 0 }); err != nil {
				lock.Release()
				return err
			}
			fmt.Println("took", slot[0])
			slot = slot[:0]
			notFull.Notify(1)
			lock.Release()
		}
		return nil
	})
	// Output:
	// took 0
	// took 1
	// took 2
}

func ExampleNewBarrier() {
	b := asyncio.NewBarrier(2)
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		other := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			_, err := b.Wait(ctx)
			return err
		})
		asyncio.Sleep(ctx, 0)
		fmt.Printf("%d of %d waiting\n", b.NWaiting(), b.Parties())
		index, err := b.Wait(ctx) // the last party: returns at once
		fmt.Println("main's index:", index, err)
		return other.Await(ctx)
	})
	// Output:
	// 1 of 2 waiting
	// main's index: 1 <nil>
}
