package asyncio_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

// drainQueue takes every value left in q without waiting.
func drainQueue[T any](q *asyncio.Queue[T]) []T {
	var out []T
	for {
		v, err := q.GetNowait()
		if err != nil {
			return out
		}
		out = append(out, v)
	}
}

func TestQueueProducerConsumer(t *testing.T) {
	var g syncTrace
	q := asyncio.NewQueue[int](2)
	runSync(t, func(ctx *asyncio.Ctx) error {
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for i := range 5 {
				if err := q.Put(ctx, i); err != nil {
					return err
				}
				g.add(ctx, "put %d len=%d full=%v", i, q.Len(), q.Full())
			}
			return nil
		})
		asyncio.Sleep(ctx, time.Second)
		for range 5 {
			v, err := q.Get(ctx)
			if err != nil {
				return err
			}
			g.add(ctx, "got %d", v)
			asyncio.Sleep(ctx, time.Second)
		}
		return nil
	})
	g.check(t,
		"0s put 0 len=1 full=false", "0s put 1 len=2 full=true",
		"1s got 0", "1s put 2 len=2 full=true",
		"2s got 1", "2s put 3 len=2 full=true",
		"3s got 2", "3s put 4 len=2 full=true",
		"4s got 3", "5s got 4")
}

func TestQueueNowaitAndSizes(t *testing.T) {
	q := asyncio.NewQueue[string](2)
	if q.MaxSize() != 2 || !q.Empty() || q.Full() || q.Len() != 0 {
		t.Fatalf("new queue: max %d empty %v full %v len %d", q.MaxSize(), q.Empty(), q.Full(), q.Len())
	}
	if _, err := q.GetNowait(); !errors.Is(err, asyncio.ErrQueueEmpty) {
		t.Errorf("GetNowait on empty: %v", err)
	}
	q.PutNowait("a")
	q.PutNowait("b")
	if err := q.PutNowait("c"); !errors.Is(err, asyncio.ErrQueueFull) {
		t.Errorf("PutNowait on full: %v", err)
	}
	if v, err := q.GetNowait(); v != "a" || err != nil {
		t.Errorf("GetNowait: %q %v", v, err)
	}
	for _, n := range []int{0, -5} {
		u := asyncio.NewQueue[int](n)
		for i := range 1000 {
			if err := u.PutNowait(i); err != nil {
				t.Fatalf("unbounded queue (maxsize %d): %v", n, err)
			}
		}
		if u.Full() || u.MaxSize() != 0 || u.Len() != 1000 {
			t.Errorf("unbounded queue: full %v max %d len %d", u.Full(), u.MaxSize(), u.Len())
		}
	}
	var zero asyncio.Queue[int] // unbounded FIFO
	for i := range 3 {
		zero.PutNowait(i)
	}
	if got := drainQueue(&zero); !slices.Equal(got, []int{0, 1, 2}) || zero.MaxSize() != 0 {
		t.Errorf("zero queue gave %v", got)
	}
}

// Getters are served in the order they began to wait, and a value handed to
// a getter is not available to anyone else.
func TestQueueGettersFIFO(t *testing.T) {
	var g syncTrace
	q := asyncio.NewQueue[string](1)
	runSync(t, func(ctx *asyncio.Ctx) error {
		var ws []*asyncio.Task
		for _, name := range []string{"g1", "g2", "g3"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				v, err := q.Get(ctx)
				g.add(ctx, "%s: %s %v", name, v, err)
				return err
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		q.PutNowait("x")
		if _, err := q.GetNowait(); !errors.Is(err, asyncio.ErrQueueEmpty) {
			t.Errorf("GetNowait took a value handed to a getter: %v", err)
		}
		if err := q.PutNowait("over"); !errors.Is(err, asyncio.ErrQueueFull) {
			t.Errorf("the value handed to g1 does not keep its slot: %v", err)
		}
		q.Put(ctx, "y") // waits until g1 resumes
		q.Put(ctx, "z")
		for _, w := range ws {
			w.Await(ctx)
		}
		return nil
	})
	g.check(t, "1s g1: x <nil>", "1s g2: y <nil>", "1s g3: z <nil>")
}

// Putters are served in the order they began to wait, and a slot freed for
// a putter is not taken by a later one.
func TestQueuePuttersFIFO(t *testing.T) {
	q := asyncio.NewQueue[string](1)
	runSync(t, func(ctx *asyncio.Ctx) error {
		q.PutNowait("x")
		var ws []*asyncio.Task
		for _, name := range []string{"p1", "p2", "p3"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				return q.Put(ctx, name)
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		var got []string
		for range 4 {
			v, _ := q.Get(ctx)
			if err := q.PutNowait("late"); !errors.Is(err, asyncio.ErrQueueFull) && len(got) < 3 {
				t.Errorf("PutNowait took a slot freed for a waiting putter: %v", err)
			}
			got = append(got, v)
			asyncio.Sleep(ctx, 0)
		}
		for _, w := range ws {
			if err := w.Await(ctx); err != nil {
				return err
			}
		}
		got = append(got, drainQueue(q)...)
		if want := []string{"x", "p1", "p2", "p3", "late"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		return nil
	})
}

func TestQueueCancelWaiters(t *testing.T) {
	q := asyncio.NewQueue[int](1)
	runSync(t, func(ctx *asyncio.Ctx) error {
		getter := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return q.Get(ctx) })
		asyncio.Sleep(ctx, time.Second)
		getter.Cancel()
		if _, err := getter.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("cancelled getter: %v", err)
		}
		q.PutNowait(1) // stays in the queue: the cancelled getter is gone
		putter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return q.Put(ctx, 2) })
		asyncio.Sleep(ctx, time.Second)
		putter.Cancel()
		if err := putter.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("cancelled putter: %v", err)
		}
		if got := drainQueue(q); !slices.Equal(got, []int{1}) {
			t.Errorf("queue holds %v, want [1]", got)
		}
		return nil
	})
}

// A getter a value was handed to, cancelled before it resumes, passes the
// value to the next getter.
func TestQueueHandOffThenCancelGetter(t *testing.T) {
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
		q.PutNowait("x") // to g1...
		ws[0].Cancel()   // ...cancelled before it resumes
		ws[1].Await(ctx)
		g.add(ctx, "left: %v", drainQueue(q))
		return nil
	})
	g.check(t, `1s g1: "" asyncio: task cancelled: context canceled`, `1s g2: "x" <nil>`, "1s left: []")
}

// With no other getter, the value goes back to the queue as its oldest
// value, keeping its slot.
func TestQueueHandOffThenCancelGetterPutBack(t *testing.T) {
	for _, kind := range []string{"fifo", "lifo", "priority"} {
		t.Run(kind, func(t *testing.T) {
			var q *asyncio.Queue[int]
			switch kind {
			case "fifo":
				q = asyncio.NewQueue[int](3)
			case "lifo":
				q = asyncio.NewLifoQueue[int](3)
			default:
				q = asyncio.NewPriorityQueue(3, func(a, b int) bool { return a/10 < b/10 })
			}
			runSync(t, func(ctx *asyncio.Ctx) error {
				getter := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return q.Get(ctx) })
				asyncio.Sleep(ctx, time.Second)
				q.PutNowait(1) // handed to the getter
				q.PutNowait(2)
				q.PutNowait(3)
				if err := q.PutNowait(4); !errors.Is(err, asyncio.ErrQueueFull) {
					t.Errorf("4th value in a queue of 3: %v", err)
				}
				getter.Cancel()
				getter.Await(ctx)
				if q.Len() != 3 || !q.Full() {
					t.Errorf("len %d full %v after the put-back", q.Len(), q.Full())
				}
				// As if 1 had never been handed out.
				want := map[string][]int{"fifo": {1, 2, 3}, "lifo": {3, 2, 1}, "priority": {1, 2, 3}}[kind]
				if got := drainQueue(q); !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
				return nil
			})
		})
	}
}

// A putter a slot was handed to, cancelled before it resumes, puts nothing
// and passes the slot to the next putter.
func TestQueueHandOffThenCancelPutter(t *testing.T) {
	q := asyncio.NewQueue[string](1)
	runSync(t, func(ctx *asyncio.Ctx) error {
		q.PutNowait("x")
		var ws []*asyncio.Task
		for _, name := range []string{"p1", "p2"} {
			ws = append(ws, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return q.Put(ctx, name) }))
		}
		asyncio.Sleep(ctx, time.Second)
		if v, _ := q.GetNowait(); v != "x" { // frees the slot for p1...
			t.Errorf("got %q", v)
		}
		ws[0].Cancel() // ...cancelled before it resumes
		if err := ws[0].Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("p1: %v", err)
		}
		if err := ws[1].Await(ctx); err != nil {
			t.Errorf("p2: %v", err)
		}
		if got := drainQueue(q); !slices.Equal(got, []string{"p2"}) {
			t.Errorf("queue holds %v, want [p2]", got)
		}
		// Three values were put (x, p2): two TaskDone calls, not three.
		q.TaskDone()
		q.TaskDone()
		if err := q.TaskDone(); !errors.Is(err, asyncio.ErrTooManyTaskDone) {
			t.Errorf("third TaskDone: %v", err)
		}
		return nil
	})
}

func TestQueueJoin(t *testing.T) {
	var g syncTrace
	q := asyncio.NewQueue[int](0)
	runSync(t, func(ctx *asyncio.Ctx) error {
		if err := q.Join(ctx); err != nil { // nothing put: at once
			return err
		}
		if err := q.TaskDone(); !errors.Is(err, asyncio.ErrTooManyTaskDone) {
			t.Errorf("TaskDone on a new queue: %v", err)
		}
		for i := range 3 {
			q.PutNowait(i)
		}
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				v, err := q.Get(ctx)
				if err != nil {
					return err
				}
				asyncio.Sleep(ctx, time.Second)
				g.add(ctx, "done %d", v)
				q.TaskDone()
			}
		})
		err := q.Join(ctx)
		g.add(ctx, "joined: %v", err)
		return err
	})
	g.check(t, "1s done 0", "2s done 1", "3s done 2", "3s joined: <nil>")
}

func TestQueueLifo(t *testing.T) {
	q := asyncio.NewLifoQueue[int](0)
	for i := range 4 {
		q.PutNowait(i)
	}
	if got := drainQueue(q); !slices.Equal(got, []int{3, 2, 1, 0}) {
		t.Errorf("LIFO gave %v", got)
	}
}

func TestQueuePriorityStable(t *testing.T) {
	type job struct {
		prio int
		name string
	}
	q := asyncio.NewPriorityQueue(0, func(a, b job) bool { return a.prio < b.prio })
	r := rand.New(rand.NewPCG(5, 6))
	var want []job
	for i := range 200 {
		j := job{r.IntN(5), fmt.Sprint(i)}
		want = append(want, j)
		q.PutNowait(j)
		if i%7 == 0 { // interleave gets with puts
			k := 0 // the first of the smallest priority
			for j := range want {
				if want[j].prio < want[k].prio {
					k = j
				}
			}
			if got, _ := q.GetNowait(); got != want[k] {
				t.Fatalf("got %v, want %v", got, want[k])
			}
			want = slices.Delete(want, k, k+1)
		}
	}
	slices.SortStableFunc(want, func(a, b job) int { return a.prio - b.prio })
	if got := drainQueue(q); !slices.Equal(got, want) {
		t.Errorf("priority order:\n got %v\nwant %v", got, want)
	}
}

func TestQueueBadInput(t *testing.T) {
	wantSyncPanic(t, "NewPriorityQueue with nil less", func() { asyncio.NewPriorityQueue[int](0, nil) })
	q := asyncio.NewQueue[int](1)
	if err := q.Put(nil, 1); !errors.Is(err, asyncio.ErrNotInTask) {
		t.Errorf("Put(nil): %v", err)
	}
	if _, err := q.Get(nil); !errors.Is(err, asyncio.ErrNotInTask) {
		t.Errorf("Get(nil): %v", err)
	}
	if err := q.Join(nil); !errors.Is(err, asyncio.ErrNotInTask) {
		t.Errorf("Join(nil): %v", err)
	}
	if !q.Empty() {
		t.Error("a failed Put added a value")
	}
}

func TestQueueDeadlock(t *testing.T) {
	t.Run("get", func(t *testing.T) {
		q := asyncio.NewQueue[int](0)
		wantSyncDeadlock(t, func(ctx *asyncio.Ctx) error {
			_, err := q.Get(ctx)
			return err
		}, `task "main" (waiting for a queue item)`)
	})
	t.Run("put", func(t *testing.T) {
		q := asyncio.NewQueue[int](1)
		wantSyncDeadlock(t, func(ctx *asyncio.Ctx) error {
			q.Put(ctx, 1)
			return q.Put(ctx, 2)
		}, `task "main" (waiting for queue space)`)
	})
	t.Run("join", func(t *testing.T) {
		q := asyncio.NewQueue[int](0)
		wantSyncDeadlock(t, func(ctx *asyncio.Ctx) error {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				_, err := q.Get(ctx) // takes the value, never calls TaskDone
				if err != nil {
					return err
				}
				_, err = q.Get(ctx)
				return err
			}, asyncio.Named("consumer"))
			q.PutNowait(1)
			return q.Join(ctx)
		}, `task "main" (waiting for queue tasks to be done)`, `task "consumer" (waiting for a queue item)`)
	})
}

// Producers and consumers of a small queue are cancelled at random: every
// value whose Put succeeded is got exactly once (or left in the queue), and
// none whose Put failed ever comes out.
func TestQueueRandomCancels(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			q := asyncio.NewQueue[int](2)
			put := map[int]bool{}
			got := map[int]int{}
			runSync(t, func(ctx *asyncio.Ctx) error {
				var tasks []*asyncio.Task
				for p := range 6 {
					tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
						for i := range 30 {
							v := p*1000 + i
							if q.Put(ctx, v) == nil {
								put[v] = true
							}
							asyncio.Sleep(ctx, time.Duration(r.IntN(3))*time.Millisecond)
						}
						return nil
					}))
				}
				stop := false
				for range 6 {
					tasks = append(tasks, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
						for !stop {
							if v, err := q.Get(ctx); err == nil {
								got[v]++
							}
							asyncio.Sleep(ctx, time.Duration(r.IntN(3))*time.Millisecond)
						}
						return nil
					}))
				}
				for range 300 {
					asyncio.Sleep(ctx, time.Duration(r.IntN(2))*time.Millisecond)
					tasks[r.IntN(len(tasks))].Cancel()
				}
				for _, task := range tasks[:6] { // the producers
					task.Await(ctx)
				}
				stop = true
				for _, task := range tasks[6:] {
					task.Cancel()
					task.Await(ctx)
				}
				return nil
			})
			for _, v := range drainQueue(q) {
				got[v]++
			}
			for v, n := range got {
				if n != 1 || !put[v] {
					t.Errorf("value %d got %d times, put %v", v, n, put[v])
				}
			}
			if len(got) != len(put) {
				t.Errorf("%d values put, %d got", len(put), len(got))
			}
			if len(put) == 0 || len(put) == 180 {
				t.Errorf("%d of 180 puts succeeded: the cancellations missed", len(put))
			}
		})
	}
}

// A value stays in the queue until the woken getter runs (CPython's rule),
// reserved for it: GetNowait from another task takes the next one, not the
// oldest, which is the woken getter's; a getter cancelled before it runs
// leaves its value first in the queue.
func TestQueueValueStaysUntilTheGetterRuns(t *testing.T) {
	q := asyncio.NewQueue[int](0)
	runSync(t, func(ctx *asyncio.Ctx) error {
		getter := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return q.Get(ctx) })
		asyncio.Sleep(ctx, time.Second)
		for i := 1; i <= 4; i++ {
			q.PutNowait(i) // 1 is reserved for the getter
		}
		if q.Len() != 4 {
			t.Errorf("Len = %d with the getter not yet run, want 4", q.Len())
		}
		if v, err := q.GetNowait(); v != 2 || err != nil {
			t.Errorf("GetNowait = %v, %v; want 2: 1 is the waiting getter's", v, err)
		}
		getter.Cancel()
		getter.Await(ctx)
		if got := drainQueue(q); !slices.Equal(got, []int{1, 3, 4}) {
			t.Errorf("got %v, want [1 3 4]", got)
		}
		return nil
	})
}

// A getter already waiting on a LIFO or priority queue takes, when it runs,
// the newest or smallest value put before then, not the first one put.
func TestQueueWokenGetterTakesByOrderWhenItRuns(t *testing.T) {
	for _, c := range []struct {
		name string
		q    *asyncio.Queue[int]
		want int
	}{
		{"lifo", asyncio.NewLifoQueue[int](0), 3},
		{"priority", asyncio.NewPriorityQueue[int](0, func(a, b int) bool { return a < b }), 1},
	} {
		runSync(t, func(ctx *asyncio.Ctx) error {
			getter := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return c.q.Get(ctx) })
			asyncio.Sleep(ctx, 0)
			for _, v := range []int{2, 1, 3} {
				c.q.PutNowait(v)
			}
			if v, err := getter.Await(ctx); v != c.want || err != nil {
				t.Errorf("%s: the waiting getter got %v, %v; want %d", c.name, v, err, c.want)
			}
			return nil
		})
	}
}
