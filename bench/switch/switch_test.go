package switchbench

import (
	"fmt"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/goasyncio/asyncio"
)

// tally records which task ran. It is only touched by the task that runs, so
// the race detector sees each mechanism's hand-off as the synchronisation it
// must be.
type tally struct {
	counts []int // resumes per task
	last   int   // the task that ran last, -1 at first
	bad    int   // resumes out of round-robin order
}

func newTally(n int) *tally { return &tally{counts: make([]int, n), last: -1} }

func (t *tally) ran(i int) {
	if (t.last+1)%len(t.counts) != i {
		t.bad++
	}
	t.last = i
	t.counts[i]++
}

// hub owns n tasks and resumes them in turn.
type hub interface {
	// run makes k switches: it resumes the tasks round robin, carrying on
	// from where the previous call stopped, and each yields back.
	run(k int)
	// close ends every task and waits for them.
	close()
}

type mechanism struct {
	name   string
	newHub func(n int, tl *tally) hub
}

var mechanisms = []mechanism{
	{"IterPull", newPullHub},
	{"Chan", newChanHub},
	{"Cond", newCondHub},
	{"Gosched", newGoschedHub},
}

// pullHub: each task is an iter.Pull coroutine.
type pullHub struct {
	next []func() (struct{}, bool)
	stop []func()
	cur  int
}

func newPullHub(n int, tl *tally) hub {
	h := &pullHub{next: make([]func() (struct{}, bool), n), stop: make([]func(), n)}
	for i := range n {
		h.next[i], h.stop[i] = iter.Pull(func(yield func(struct{}) bool) {
			for {
				tl.ran(i)
				if !yield(struct{}{}) {
					return
				}
			}
		})
	}
	return h
}

func (h *pullHub) run(k int) {
	next, j := h.next, h.cur
	for ; k > 0; k-- {
		next[j]()
		if j++; j == len(next) {
			j = 0
		}
	}
	h.cur = j
}

func (h *pullHub) close() {
	for _, stop := range h.stop {
		stop()
	}
}

// chanHub: each task is a goroutine waiting on its own channel; it hands the
// baton back on a channel shared by all (only one task holds it at a time).
type chanHub struct {
	wake []chan struct{}
	back chan struct{}
	cur  int
	wg   sync.WaitGroup
}

func newChanHub(n int, tl *tally) hub {
	h := &chanHub{wake: make([]chan struct{}, n), back: make(chan struct{})}
	h.wg.Add(n)
	for i := range n {
		h.wake[i] = make(chan struct{})
		go func() {
			defer h.wg.Done()
			for range h.wake[i] {
				tl.ran(i)
				h.back <- struct{}{}
			}
		}()
	}
	return h
}

func (h *chanHub) run(k int) {
	wake, back, j := h.wake, h.back, h.cur
	for ; k > 0; k-- {
		wake[j] <- struct{}{}
		<-back
		if j++; j == len(wake) {
			j = 0
		}
	}
	h.cur = j
}

func (h *chanHub) close() {
	for _, c := range h.wake {
		close(c)
	}
	h.wg.Wait()
}

// condHub: each task is a goroutine with its own sync.Cond, shared by exactly
// two parties (the hub and that task), so Signal always wakes the other.
type condTask struct {
	mu        sync.Mutex
	c         sync.Cond
	run, quit bool
}

type condHub struct {
	tasks []*condTask
	cur   int
	wg    sync.WaitGroup
}

func newCondHub(n int, tl *tally) hub {
	h := &condHub{tasks: make([]*condTask, n)}
	h.wg.Add(n)
	for i := range n {
		t := &condTask{}
		t.c.L = &t.mu
		h.tasks[i] = t
		go func() {
			defer h.wg.Done()
			t.mu.Lock()
			defer t.mu.Unlock()
			for {
				for !t.run && !t.quit {
					t.c.Wait()
				}
				if t.quit {
					return
				}
				tl.ran(i)
				t.run = false
				t.c.Signal()
			}
		}()
	}
	return h
}

func (h *condHub) run(k int) {
	tasks, j := h.tasks, h.cur
	for ; k > 0; k-- {
		t := tasks[j]
		t.mu.Lock()
		t.run = true
		t.c.Signal()
		for t.run {
			t.c.Wait()
		}
		t.mu.Unlock()
		if j++; j == len(tasks) {
			j = 0
		}
	}
	h.cur = j
}

func (h *condHub) close() {
	for _, t := range h.tasks {
		t.mu.Lock()
		t.quit = true
		t.c.Signal()
		t.mu.Unlock()
	}
	h.wg.Wait()
}

// goschedHub: GOMAXPROCS=1; the hub and the tasks poll a shared turn number
// and call runtime.Gosched until it names them. Tasks that are not resumed
// keep polling, so one switch costs a pass over every goroutine.
type goschedHub struct {
	turn  atomic.Int64
	n     int
	cur   int
	procs int // GOMAXPROCS to restore
	wg    sync.WaitGroup
}

const (
	hubTurn  = -1
	quitTurn = -2
)

func newGoschedHub(n int, tl *tally) hub {
	h := &goschedHub{n: n, procs: runtime.GOMAXPROCS(1)}
	h.turn.Store(hubTurn)
	h.wg.Add(n)
	for i := range n {
		go func() {
			defer h.wg.Done()
			for {
				switch h.turn.Load() {
				case int64(i):
					tl.ran(i)
					h.turn.Store(hubTurn)
				case quitTurn:
					return
				default:
					runtime.Gosched()
				}
			}
		}()
	}
	return h
}

func (h *goschedHub) run(k int) {
	j := h.cur
	for ; k > 0; k-- {
		h.turn.Store(int64(j))
		for h.turn.Load() != hubTurn {
			runtime.Gosched()
		}
		if j++; j == h.n {
			j = 0
		}
	}
	h.cur = j
}

func (h *goschedHub) close() {
	h.turn.Store(quitTurn)
	h.wg.Wait()
	runtime.GOMAXPROCS(h.procs)
}

// runLibrary runs n tasks of the asyncio package that between them make the
// given number of switches, each task resumed by the loop and yielding with
// Sleep(ctx, 0). Every task first starts and parks once; then timed (if not
// nil) is called and the counted switches follow.
func runLibrary(n, switches int, tl *tally, timed func()) error {
	return asyncio.Run(func(ctx *asyncio.Ctx) error {
		tasks := make([]*asyncio.Task, n)
		for i := range tasks {
			k := switches / n
			if i < switches%n {
				k++
			}
			tasks[i] = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if k == 0 {
					return nil
				}
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
				for r := 1; ; r++ {
					tl.ran(i) // one resume; the Sleep or the return yields back
					if r == k {
						return nil
					}
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return err
					}
				}
			})
		}
		// Let every task start and park at its first Sleep.
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		if timed != nil {
			timed()
		}
		for _, t := range tasks {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

var sizes = []int{2, 1000}

func BenchmarkSwitch(b *testing.B) {
	for _, m := range mechanisms {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/N=%d", m.name, n), func(b *testing.B) {
				h := m.newHub(n, newTally(n))
				defer h.close()
				h.run(n) // start every task and park it
				b.ReportAllocs()
				b.ResetTimer()
				h.run(b.N)
				b.StopTimer()
			})
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("Library/N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			if err := runLibrary(n, b.N, newTally(n), b.ResetTimer); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
		})
	}
}

func checkTally(t *testing.T, tl *tally, rounds int) {
	t.Helper()
	for i, c := range tl.counts {
		if c != rounds {
			t.Errorf("task %d resumed %d times, want %d", i, c, rounds)
		}
	}
	if tl.bad != 0 {
		t.Errorf("%d resumes out of round-robin order", tl.bad)
	}
}

func TestMechanisms(t *testing.T) {
	const rounds = 7
	for _, n := range []int{1, 2, 5} {
		for _, m := range mechanisms {
			t.Run(fmt.Sprintf("%s/N=%d", m.name, n), func(t *testing.T) {
				tl := newTally(n)
				h := m.newHub(n, tl)
				h.run(3) // the cursor must carry over between calls
				h.run(n*rounds - 3)
				h.close()
				checkTally(t, tl, rounds)
			})
		}
		t.Run(fmt.Sprintf("Library/N=%d", n), func(t *testing.T) {
			tl := newTally(n)
			timed := false
			if err := runLibrary(n, n*rounds, tl, func() { timed = true }); err != nil {
				t.Fatal(err)
			}
			if !timed {
				t.Error("timed callback not called")
			}
			checkTally(t, tl, rounds)
		})
	}
}

func TestLibraryUneven(t *testing.T) {
	// Switch counts that do not divide evenly, and fewer switches than tasks.
	for _, c := range []struct{ n, switches int }{{3, 10}, {5, 2}, {4, 0}} {
		tl := newTally(c.n)
		if err := runLibrary(c.n, c.switches, tl, nil); err != nil {
			t.Fatal(err)
		}
		total := 0
		for i, got := range tl.counts {
			want := c.switches / c.n
			if i < c.switches%c.n {
				want++
			}
			if got != want {
				t.Errorf("n=%d switches=%d: task %d resumed %d times, want %d", c.n, c.switches, i, got, want)
			}
			total += got
		}
		if total != c.switches {
			t.Errorf("n=%d: %d switches, want %d", c.n, total, c.switches)
		}
	}
}

func TestGoschedRestoresProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	h := newGoschedHub(2, newTally(2))
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS = %d during the hub, want 1", got)
	}
	h.run(4)
	h.close()
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS = %d after close, want %d", got, before)
	}
}
