package conformance

import (
	"github.com/goasyncio/asyncio"
)

// Twins of the CPython scenarios about Queue, LifoQueue and PriorityQueue.

func init() {
	addCPyTwins(map[string]twin{
		"queue_roundtrip":               queueRoundtrip,
		"queue_getter_item_stays":       queueGetterItemStays,
		"queue_putter_slot_stays":       queuePutterSlotStays,
		"queue_lifo_waiting_getter":     queueLifoWaitingGetter,
		"queue_priority_waiting_getter": queuePriorityWaitingGetter,
		"queue_join_task_done":          queueJoinTaskDone,
		"queue_cancel_waiters":          queueCancelWaiters,
		"queue_waiters_fifo":            queueWaitersFifo,
	})
}

func intLess(a, b int) bool { return a < b }

func queueRoundtrip(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		queues := []struct {
			name string
			q    *asyncio.Queue[int]
		}{
			{"Queue", asyncio.NewQueue[int](3)},
			{"LifoQueue", asyncio.NewLifoQueue[int](3)},
			{"PriorityQueue", asyncio.NewPriorityQueue(3, intLess)},
		}
		for _, e := range queues {
			q := e.q
			p.print(e.name, "maxsize", q.MaxSize(), "empty", q.Empty(), "full", q.Full())
			for _, v := range []int{2, 3, 1} {
				if err := q.Put(ctx, v); err != nil {
					return err
				}
			}
			p.print("qsize", q.Len(), "empty", q.Empty(), "full", q.Full())
			if err := q.PutNowait(4); err != nil {
				p.print(cpyName(err))
			}
			a, err := q.Get(ctx)
			if err != nil {
				return err
			}
			b, _ := q.GetNowait()
			c, _ := q.GetNowait()
			p.print("got", pyList{a, b, c}, "empty", q.Empty())
			if _, err := q.GetNowait(); err != nil {
				p.print(cpyName(err))
			}
		}
		q := asyncio.NewQueue[int](0)
		for v := range 100 {
			q.PutNowait(v)
		}
		p.print("unbounded maxsize", q.MaxSize(), "qsize", q.Len(), "full", q.Full())
		return nil
	})
}

func queueGetterItemStays(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		q := asyncio.NewQueue[int](0)
		g := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			p.print("g", "waits")
			v, err := q.Get(ctx)
			if err != nil {
				return err
			}
			p.print("g", "got", v)
			return nil
		})
		asyncio.Sleep(ctx, 0)
		q.PutNowait(1)
		p.print("qsize", q.Len(), "empty", q.Empty())
		if v, err := q.GetNowait(); err != nil {
			p.print(cpyName(err))
		} else {
			p.print("main takes", v)
		}
		p.print("qsize", q.Len(), "empty", q.Empty())
		asyncio.Sleep(ctx, 0)
		p.print("getter still waiting:", !g.Done())
		q.PutNowait(2)
		if err := g.Await(ctx); err != nil {
			return err
		}
		p.print("qsize", q.Len(), "empty", q.Empty())
		return nil
	})
}

func queuePutterSlotStays(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		q := asyncio.NewQueue[string](1)
		q.PutNowait("a")
		pt := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			p.print("putter waits with", "b")
			if err := q.Put(ctx, "b"); err != nil {
				return err
			}
			p.print("putter put", "b")
			return nil
		})
		asyncio.Sleep(ctx, 0)
		p.print("full", q.Full())
		v, _ := q.GetNowait()
		p.print("main takes", v)
		p.print("qsize", q.Len(), "full", q.Full())
		if err := q.PutNowait("c"); err != nil {
			p.print(cpyName(err))
		} else {
			p.print("main put c; qsize", q.Len(), "full", q.Full())
		}
		asyncio.Sleep(ctx, 0)
		p.print("putter still waiting:", !pt.Done())
		v, err := q.GetNowait()
		if err != nil {
			p.print(cpyName(err))
		} else {
			p.print("main takes", v)
		}
		if err := pt.Await(ctx); err != nil {
			return err
		}
		v, err = q.GetNowait()
		if err != nil {
			p.print(cpyName(err))
		} else {
			p.print("then main takes", v, "qsize", q.Len())
		}
		return nil
	})
}

// waitingGetter is the twin of the LIFO and priority scenarios: a getter
// waits, three values are put, and the getter gets one of them.
func waitingGetter(p *py, q *asyncio.Queue[int], vals ...int) error {
	return run(func(ctx *asyncio.Ctx) error {
		g := asyncio.CreateTaskOf(ctx, q.Get)
		asyncio.Sleep(ctx, 0)
		for _, v := range vals {
			q.PutNowait(v)
		}
		p.print("qsize", q.Len())
		v, err := g.Await(ctx)
		if err != nil {
			return err
		}
		p.print("getter got", v)
		left := pyList{}
		for range q.Len() {
			v, _ := q.GetNowait()
			left = append(left, v)
		}
		p.print("left", left)
		return nil
	})
}

func queueLifoWaitingGetter(p *py) error {
	return waitingGetter(p, asyncio.NewLifoQueue[int](0), 1, 2, 3)
}

func queuePriorityWaitingGetter(p *py) error {
	return waitingGetter(p, asyncio.NewPriorityQueue(0, intLess), 3, 1, 2)
}

func queueJoinTaskDone(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		q := asyncio.NewQueue[int](0)
		worker := func(name string) func(*asyncio.Ctx) error {
			return func(ctx *asyncio.Ctx) error {
				for {
					v, err := q.Get(ctx)
					if err != nil {
						return err
					}
					if err := yields(ctx, v); err != nil {
						return err
					}
					p.print(name, "done with", v)
					q.TaskDone()
				}
			}
		}
		if err := q.Join(ctx); err != nil {
			return err
		}
		p.print("join on a new queue returns at once")
		for _, v := range []int{1, 2, 3} {
			q.PutNowait(v)
		}
		ws := []*asyncio.Task{asyncio.CreateTask(ctx, worker("w0")), asyncio.CreateTask(ctx, worker("w1"))}
		if err := q.Join(ctx); err != nil {
			return err
		}
		p.print("joined; qsize", q.Len())
		for _, w := range ws {
			w.Cancel()
		}
		errs, err := asyncio.GatherErrors(ctx, ws...)
		if err != nil {
			return err
		}
		res := pyList{}
		for _, e := range errs {
			res = append(res, cpyName(e))
		}
		p.print("workers:", res)
		if err := q.TaskDone(); err != nil {
			p.print(cpyName(err))
		}
		return nil
	})
}

func queueCancelWaiters(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		q := asyncio.NewQueue[string](1)
		g1 := asyncio.CreateTaskOf(ctx, q.Get)
		g2 := asyncio.CreateTaskOf(ctx, q.Get)
		asyncio.Sleep(ctx, 0)
		g1.Cancel()
		asyncio.Sleep(ctx, 0)
		p.print("g1 cancelled", g1.Cancelled())
		q.PutNowait("x")
		v, err := g2.Await(ctx)
		if err != nil {
			return err
		}
		p.print("g2 got", v, "qsize", q.Len())
		g3 := asyncio.CreateTaskOf(ctx, q.Get)
		g4 := asyncio.CreateTaskOf(ctx, q.Get)
		asyncio.Sleep(ctx, 0)
		q.PutNowait("y")
		g3.Cancel()
		v, err = g4.Await(ctx)
		if err != nil {
			return err
		}
		p.print("g4 got", v, "g3 cancelled", g3.Cancelled(), "qsize", q.Len())
		q.PutNowait("z")
		pt := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return q.Put(ctx, "w") })
		asyncio.Sleep(ctx, 0)
		pt.Cancel()
		asyncio.Sleep(ctx, 0)
		p.print("putter cancelled", pt.Cancelled(), "qsize", q.Len())
		v, _ = q.GetNowait()
		p.print("main takes", v, "empty", q.Empty())
		return nil
	})
}

func queueWaitersFifo(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		q := asyncio.NewQueue[string](1)
		var gs []*asyncio.Task
		for i := range 3 {
			name := "g" + str(i)
			gs = append(gs, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				v, err := q.Get(ctx)
				if err != nil {
					return err
				}
				p.print(name, "got", v)
				return nil
			}))
		}
		asyncio.Sleep(ctx, 0)
		for _, v := range []string{"a", "b", "c"} {
			if err := q.Put(ctx, v); err != nil {
				return err
			}
			p.print("main put", v)
		}
		if err := asyncio.Gather(ctx, gs...); err != nil {
			return err
		}
		q.PutNowait("x")
		var ps []*asyncio.Task
		for _, v := range []string{"1", "2", "3"} {
			ps = append(ps, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if err := q.Put(ctx, v); err != nil {
					return err
				}
				p.print("put", v)
				return nil
			}))
		}
		asyncio.Sleep(ctx, 0)
		for range 4 {
			v, err := q.Get(ctx)
			if err != nil {
				return err
			}
			p.print("main got", v)
		}
		if err := asyncio.Gather(ctx, ps...); err != nil {
			return err
		}
		p.print("qsize", q.Len())
		return nil
	})
}
