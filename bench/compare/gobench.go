package main

import (
	"fmt"
	"iter"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/goasyncio/asyncio"
)

// w2Tasks is the number of tasks switching in w2, whatever the scale.
const w2Tasks = 1000

// sizes are the iteration counts of one runtime's workloads.
type sizes struct {
	W1Rounds  int // sleep(0) rounds of each of the 2 tasks
	W2Rounds  int // sleep(0) rounds of each of the w2Tasks tasks
	W3Tasks   int // tasks created and awaited one at a time
	W4Tasks   int // tasks created, then awaited, per batch
	W4Batches int // batches per sample
	W5Tasks   int // sleeping tasks
}

var (
	goSizes     = sizes{W1Rounds: 500_000, W2Rounds: 1000, W3Tasks: 200_000, W4Tasks: 10_000, W4Batches: 10, W5Tasks: 100_000}
	pythonSizes = sizes{W1Rounds: 25_000, W2Rounds: 50, W3Tasks: 10_000, W4Tasks: 10_000, W4Batches: 1, W5Tasks: 20_000}
	microSizes  = sizes{W1Rounds: 10_000, W2Rounds: 20, W3Tasks: 10_000, W4Tasks: 10_000, W4Batches: 1, W5Tasks: 5000}
)

func (s sizes) scaled(f float64) sizes {
	sc := func(n int) int { return max(1, int(float64(n)*f)) }
	return sizes{sc(s.W1Rounds), sc(s.W2Rounds), sc(s.W3Tasks), sc(s.W4Tasks), sc(s.W4Batches), sc(s.W5Tasks)}
}

func (s sizes) String() string {
	return fmt.Sprintf("w1 %s switches, w2 %s, w3 %s tasks, w4 %s × %s tasks, w5 %s tasks",
		count(2*s.W1Rounds), count(w2Tasks*s.W2Rounds), count(s.W3Tasks),
		count(s.W4Batches), count(s.W4Tasks), count(s.W5Tasks))
}

// column is one runtime's results: the median of each workload's samples.
type column struct {
	Name    string
	Version string
	NA      string             // why the whole column is missing
	Median  map[string]float64 // by workload key; a missing key prints n/a
	Errors  []string           // workloads that failed
}

func newColumn(name string) column {
	return column{Name: name, Median: map[string]float64{}}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func perOp(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / float64(n) }

// measurer runs one workload once and returns its figure.
type measurer func(s sizes) (float64, error)

type goWorkload struct {
	key                     string
	ours, floor, goroutines measurer
}

var goWorkloads = []goWorkload{
	{"w1",
		func(s sizes) (float64, error) { return oursSwitch(2, s.W1Rounds) },
		func(s sizes) (float64, error) { return pullSwitch(2, s.W1Rounds), nil },
		func(s sizes) (float64, error) { return chanSwitch(2, s.W1Rounds), nil }},
	{"w2",
		func(s sizes) (float64, error) { return oursSwitch(w2Tasks, s.W2Rounds) },
		func(s sizes) (float64, error) { return pullSwitch(w2Tasks, s.W2Rounds), nil },
		func(s sizes) (float64, error) { return chanSwitch(w2Tasks, s.W2Rounds), nil }},
	{"w3",
		func(s sizes) (float64, error) { return oursCreate(s.W3Tasks) },
		func(s sizes) (float64, error) { return pullCreate(s.W3Tasks), nil },
		func(s sizes) (float64, error) { return goCreate(s.W3Tasks), nil }},
	{"w4",
		func(s sizes) (float64, error) { return oursBatch(s.W4Tasks, s.W4Batches) },
		func(s sizes) (float64, error) { return pullBatch(s.W4Tasks, s.W4Batches), nil },
		func(s sizes) (float64, error) { return goBatch(s.W4Tasks, s.W4Batches), nil }},
	{"w5",
		func(s sizes) (float64, error) { return memoryInChild("ours", s.W5Tasks) },
		func(s sizes) (float64, error) { return memoryInChild("pull", s.W5Tasks) },
		func(s sizes) (float64, error) { return memoryInChild("goroutines", s.W5Tasks) }},
}

// measureGo runs the in-process workloads: for each, a small warm-up, then
// reps rounds of the three columns in turn, so that drift of the machine
// touches them alike.
func measureGo(s sizes, reps int) (ours, floor, goroutines column) {
	ours = newColumn("this library")
	floor = newColumn("Go floor (iter.Pull)")
	goroutines = newColumn("Go goroutines")
	ours.Version, floor.Version, goroutines.Version = runtime.Version(), runtime.Version(), runtime.Version()
	cols := []*column{&ours, &floor, &goroutines}
	warm := s.scaled(0.1)
	for _, w := range goWorkloads {
		ms := []measurer{w.ours, w.floor, w.goroutines}
		samples := make([][]float64, len(ms))
		failed := make([]bool, len(ms))
		for i, m := range ms {
			if w.key == "w5" {
				continue // measured in fresh processes: nothing to warm
			}
			if _, err := m(warm); err != nil {
				failed[i] = true
				cols[i].Errors = append(cols[i].Errors, w.key+": "+err.Error())
			}
		}
		for range reps {
			for i, m := range ms {
				if failed[i] {
					continue
				}
				runtime.GC()
				v, err := m(s)
				if err != nil {
					failed[i] = true
					cols[i].Errors = append(cols[i].Errors, w.key+": "+err.Error())
					continue
				}
				samples[i] = append(samples[i], v)
			}
		}
		for i := range ms {
			if !failed[i] {
				cols[i].Median[w.key] = median(samples[i])
			}
		}
	}
	return ours, floor, goroutines
}

// --- this library ---

func nop(*asyncio.Ctx) error { return nil }

// oursSwitch: ns per switch among tasks tasks looping Sleep(ctx, 0). Every
// task first starts and parks; then each is resumed rounds times.
func oursSwitch(tasks, rounds int) (float64, error) {
	var elapsed time.Duration
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		ts := make([]*asyncio.Task, tasks)
		for i := range ts {
			ts[i] = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for range rounds {
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err := asyncio.Sleep(ctx, 0); err != nil { // start them all
			return err
		}
		start := time.Now()
		for _, t := range ts {
			if err := t.Await(ctx); err != nil {
				return err
			}
		}
		elapsed = time.Since(start)
		return nil
	})
	return perOp(elapsed, tasks*rounds), err
}

// oursCreate: ns per task created and awaited one at a time.
func oursCreate(n int) (float64, error) {
	var elapsed time.Duration
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		start := time.Now()
		for range n {
			if err := asyncio.CreateTask(ctx, nop).Await(ctx); err != nil {
				return err
			}
		}
		elapsed = time.Since(start)
		return nil
	})
	return perOp(elapsed, n), err
}

// oursBatch: ns per task when n tasks are created, then awaited.
func oursBatch(n, batches int) (float64, error) {
	var elapsed time.Duration
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		ts := make([]*asyncio.Task, n)
		start := time.Now()
		for range batches {
			for i := range ts {
				ts[i] = asyncio.CreateTask(ctx, nop)
			}
			for _, t := range ts {
				if err := t.Await(ctx); err != nil {
					return err
				}
			}
		}
		elapsed = time.Since(start)
		return nil
	})
	return perOp(elapsed, n*batches), err
}

// inUse returns the heap and stack memory in use after a collection.
func inUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}

// oursMemory: bytes per task sleeping an hour; they are then cancelled.
func oursMemory(n int) (float64, error) {
	var perTask float64
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		before := inUse()
		ts := make([]*asyncio.Task, n)
		for i := range ts {
			ts[i] = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
		}
		if err := asyncio.Sleep(ctx, 0); err != nil { // they all start and sleep
			return err
		}
		perTask = float64(inUse()-before) / float64(n)
		for _, t := range ts {
			if err := t.Cancel(); err != nil {
				return err
			}
		}
		for _, t := range ts {
			if err := t.Await(ctx); err != nil && !t.Cancelled() {
				return err
			}
		}
		return nil
	})
	return perTask, err
}

// --- bare iter.Pull ---

func pullSwitch(tasks, rounds int) float64 {
	next := make([]func() (struct{}, bool), tasks)
	stop := make([]func(), tasks)
	for i := range next {
		next[i], stop[i] = iter.Pull(func(yield func(struct{}) bool) {
			for yield(struct{}{}) {
			}
		})
		next[i]() // start it
	}
	start := time.Now()
	for range rounds {
		for _, f := range next {
			f()
		}
	}
	elapsed := time.Since(start)
	for _, f := range stop {
		f()
	}
	return perOp(elapsed, tasks*rounds)
}

func empty(func(struct{}) bool) {}

func pullCreate(n int) float64 {
	start := time.Now()
	for range n {
		next, _ := iter.Pull(empty)
		next()
	}
	return perOp(time.Since(start), n)
}

// pullBatch, like the library, records n functions first and makes each a
// coroutine when it is run: n live coroutines at once would cost far more.
func pullBatch(n, batches int) float64 {
	fns := make([]iter.Seq[struct{}], n)
	start := time.Now()
	for range batches {
		for i := range fns {
			fns[i] = empty
		}
		for _, fn := range fns {
			next, _ := iter.Pull(fn)
			next()
		}
	}
	return perOp(time.Since(start), n*batches)
}

func pullMemory(n int) float64 {
	next := make([]func() (struct{}, bool), n)
	stop := make([]func(), n)
	before := inUse()
	for i := range next {
		next[i], stop[i] = iter.Pull(func(yield func(struct{}) bool) { yield(struct{}{}) })
		next[i]()
	}
	perTask := float64(inUse()-before) / float64(n)
	for _, f := range stop {
		f()
	}
	return perTask
}

// --- goroutines ---

// chanSwitch: a hub hands a baton to each task's goroutine on its own
// channel and takes it back on a shared one.
func chanSwitch(tasks, rounds int) float64 {
	wake := make([]chan struct{}, tasks)
	back := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(tasks)
	for i := range wake {
		wake[i] = make(chan struct{})
		go func() {
			defer wg.Done()
			for range wake[i] {
				back <- struct{}{}
			}
		}()
	}
	for _, c := range wake { // start them
		c <- struct{}{}
		<-back
	}
	start := time.Now()
	for range rounds {
		for _, c := range wake {
			c <- struct{}{}
			<-back
		}
	}
	elapsed := time.Since(start)
	for _, c := range wake {
		close(c)
	}
	wg.Wait()
	return perOp(elapsed, tasks*rounds)
}

func goCreate(n int) float64 {
	done := make(chan struct{})
	start := time.Now()
	for range n {
		go func() { done <- struct{}{} }()
		<-done
	}
	return perOp(time.Since(start), n)
}

func goBatch(n, batches int) float64 {
	var wg sync.WaitGroup
	start := time.Now()
	for range batches {
		wg.Add(n)
		for range n {
			go wg.Done()
		}
		wg.Wait()
	}
	return perOp(time.Since(start), n*batches)
}

func goMemory(n int) float64 {
	release := make(chan struct{})
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	before := inUse()
	for range n {
		go func() {
			started.Done()
			<-release
			done.Done()
		}()
	}
	started.Wait()
	perTask := float64(inUse()-before) / float64(n)
	close(release)
	done.Wait()
	return perTask
}
