// Command preemptive shows the contrast Lecture 14 opens with, "Preemptive
// vs Cooperative", on the lab board: the same small program twice, once with
// goroutines (Go's preemptive threads, the lecture's _thread) and once with
// tasks (asyncio's cooperative multitasking).
//
// Part 1, shared state without locks. Two workers share a count and the
// pattern of the two LEDs. Each step of a worker adds one to the count and
// toggles both LEDs together, so the LEDs should always agree. Worker 2
// makes one step more a round than worker 1, so each round toggles the LEDs
// an odd number of times: without a lost update they change once a round,
// together. With tasks the count is exact and no worker ever sees the LEDs
// apart; with goroutines steps are lost, the LEDs are seen apart, they end
// rounds out of step, and go run -race reports the data race.
//
// Part 2, the cooperative version's own trap. Worker 1 blinks green every
// 250 ms; at 1 s worker 2 lights red and calls time.Sleep, a blocking call,
// where asyncio.Sleep was meant, then puts red out. A task that blocks
// blocks the loop: green freezes until it returns. A goroutine that blocks
// blocks only itself: green keeps blinking.
//
// It prints what it saw: a line per round, the LED changes (time in seconds,
// LED, on or off, as examples/blink), and a summary per version. The tasks'
// output is the same on every run on the virtual clock; the goroutines'
// varies, as races do.
//
// The virtual clock does not move while a task runs, however long it takes,
// so with -virtual the tasks' freeze shows in the count of green changes and
// not in the times; in real time (without -virtual) the times show it too.
// Goroutines run outside the loop and in real time: on the virtual clock,
// the changes they make carry the time the clock stood at.
//
// Usage:
//
//	go run ./examples/preemptive                       # both versions, in real time
//	go run ./examples/preemptive -virtual              # on the virtual clock
//	go run -race ./examples/preemptive -with goroutines   # the race detector reports the goroutines' race
//	go run -race ./examples/preemptive -with tasks        # and nothing for the tasks
//	go run ./examples/preemptive -with tasks -debug    # asyncio.DebugSlowTasks reports the task that blocks, with its stack
//	go run ./cmd/board preemptive                      # on the virtual board
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// shared is what the two workers of part 1 share, with no lock.
type shared struct {
	count      int
	red, green bool // the LED pattern: toggled together, so they should agree
}

// step is one step of a worker, the same code for a goroutine and a task:
// it adds one to the count and toggles both LEDs, and reports whether the
// LEDs then disagree. It reads the state first and writes it back, as code
// that computes a new state from the old one does.
//
// The call to runtime.Gosched in the middle asks Go's scheduler to run
// another goroutine there. A preemptive scheduler may switch at any
// instruction (and on two CPUs the other worker runs at the same time
// anyway); Gosched makes a switch come at a bad moment in every step, so that
// the lab shows at once what otherwise happens now and then. For a task it
// changes nothing: its goroutine pauses, but the loop runs another task only
// at an await, and step has none.
func (s *shared) step() (apart bool) {
	n, red, green := s.count, s.red, s.green
	s.red = !red
	runtime.Gosched()
	s.green = !green
	s.count = n + 1
	return s.red != s.green
}

// config is what the command line sets.
type config struct {
	rounds  int           // part 1: rounds
	steps   int           // part 1: worker 1's steps a round; worker 2 makes one more
	blockAt time.Duration // part 2: when worker 2 makes its blocking call
	block   time.Duration // part 2: how long the blocking call blocks
	period  time.Duration // part 2: worker 1's blink period
}

// slowTask is the -debug threshold: a task that runs longer than this
// without yielding is reported.
const slowTask = 100 * time.Millisecond

// roundGap is the time between two rounds of part 1.
const roundGap = 500 * time.Millisecond

// version is one way to run the workers: with tasks or with goroutines.
type version struct {
	name string
	// round runs one round of part 1 on s: worker 1 makes steps[0] steps,
	// worker 2 steps[1]. It returns how many times the workers saw the LEDs
	// apart.
	round func(ctx *asyncio.Ctx, s *shared, steps [2]int) (int, error)
	// trap runs part 2 on b and returns how many times green changed while
	// worker 2 was in its blocking call.
	trap func(ctx *asyncio.Ctx, b *board.Lab, c config) (int, error)
}

var (
	tasks      = version{"tasks (cooperative)", tasksRound, tasksTrap}
	goroutines = version{"goroutines (preemptive)", goroutinesRound, goroutinesTrap}
)

// tasksRound runs a round with two tasks, each yielding after every step,
// as goroutinesRound's goroutines do.
func tasksRound(ctx *asyncio.Ctx, s *shared, steps [2]int) (int, error) {
	var seen [2]int
	workers := make([]*asyncio.Task, 2)
	for w := range workers {
		workers[w] = asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for range steps[w] {
				if s.step() {
					seen[w]++
				}
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
			}
			return nil
		}, asyncio.Named(fmt.Sprintf("worker %d", w+1)))
	}
	err := asyncio.Gather(ctx, workers...)
	return seen[0] + seen[1], err
}

// goroutinesRound runs a round with two goroutines, each yielding after
// every step (runtime.Gosched, as tasksRound's tasks do with Sleep(ctx, 0)).
// The calling task waits for them in asyncio.ToThread, so the loop goes on
// meanwhile; they touch nothing of the loop's.
func goroutinesRound(ctx *asyncio.Ctx, s *shared, steps [2]int) (int, error) {
	var seen [2]int
	err := asyncio.ToThread(ctx, func(context.Context) error {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := range 2 {
			wg.Go(func() {
				<-start
				for range steps[w] {
					if s.step() {
						seen[w]++
					}
					runtime.Gosched()
				}
			})
		}
		close(start) // both at once
		wg.Wait()
		return nil
	})
	return seen[0] + seen[1], err
}

// tasksTrap runs part 2 with tasks: worker 2 blocks the loop.
func tasksTrap(ctx *asyncio.Ctx, b *board.Lab, c config) (int, error) {
	blinks, changes := 0, 0
	blinker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
		for {
			b.Green.Toggle()
			blinks++
			if err := asyncio.Sleep(ctx, c.period); err != nil {
				return err
			}
		}
	}, asyncio.Named("worker 1"))
	blocker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
		if err := asyncio.Sleep(ctx, c.blockAt); err != nil {
			return err
		}
		b.Red.On()
		before := blinks
		time.Sleep(c.block) // the trap: asyncio.Sleep(ctx, c.block) was meant
		changes = blinks - before
		b.Red.Off()
		return nil
	}, asyncio.Named("worker 2"))
	if err := asyncio.Sleep(ctx, c.blockAt+c.block+time.Second); err != nil {
		return 0, err
	}
	if err := blocker.Await(ctx); err != nil {
		return 0, err
	}
	blinker.Cancel()
	if err := blinker.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
		return 0, fmt.Errorf("worker 1: %v", err)
	}
	return changes, nil
}

// goroutinesTrap runs part 2 with goroutines: worker 2 blocks only itself.
// The goroutines hand their LED changes to the loop, which owns the board
// (loop.CallSoonThreadsafe); the calling task waits for them on an Event the
// last of them sets through the loop, after its LED changes.
func goroutinesTrap(ctx *asyncio.Ctx, b *board.Lab, c config) (int, error) {
	loop := ctx.Loop()
	var blinks atomic.Int64
	var changes int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() { // worker 1
		tick := time.NewTicker(c.period)
		defer tick.Stop()
		for {
			loop.CallSoonThreadsafe(b.Green.Toggle)
			blinks.Add(1)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	wg.Go(func() { // worker 2
		time.Sleep(c.blockAt)
		loop.CallSoonThreadsafe(b.Red.On)
		before := blinks.Load()
		time.Sleep(c.block) // blocks this goroutine only
		changes = blinks.Load() - before
		loop.CallSoonThreadsafe(b.Red.Off)
	})
	done := &asyncio.Event{}
	release := loop.KeepAlive()
	go func() {
		time.Sleep(c.blockAt + c.block + time.Second)
		close(stop)
		wg.Wait()
		loop.CallSoonThreadsafe(func() { done.Set(); release() })
	}()
	if err := done.Wait(ctx); err != nil {
		return 0, err
	}
	return int(changes), nil
}

// part1 runs the shared-state rounds with v and prints them.
func part1(ctx *asyncio.Ctx, out io.Writer, b *board.Lab, v version, c config) error {
	fmt.Fprintf(out, "-- %s --\n", v.name)
	s := &shared{}
	steps := [2]int{c.steps, c.steps + 1}
	want, apart, outOfStep := 0, 0, 0
	for r := range c.rounds {
		if r > 0 {
			if err := asyncio.Sleep(ctx, roundGap); err != nil {
				return err
			}
		}
		seen, err := v.round(ctx, s, steps)
		if err != nil {
			return err
		}
		want += steps[0] + steps[1]
		apart += seen
		fmt.Fprintf(out, "%.3f round %d: count %d of %d, %d lost; LEDs seen apart %s\n",
			ctx.Loop().Time().Seconds(), r+1, s.count, want, want-s.count, plural(seen, "time"))
		if s.red != s.green {
			outOfStep++
		}
		b.Red.Set(s.red)
		b.Green.Set(s.green)
	}
	fmt.Fprintf(out, "%s: count %d of %d, %d lost; LEDs seen apart %s, out of step after %d of %s\n",
		v.name, s.count, want, want-s.count, plural(apart, "time"), outOfStep, plural(c.rounds, "round"))
	b.Red.Off()
	b.Green.Off()
	return asyncio.Sleep(ctx, roundGap)
}

// part2 runs the trap with v and prints it.
func part2(ctx *asyncio.Ctx, out io.Writer, b *board.Lab, v version, c config) error {
	fmt.Fprintf(out, "-- %s --\n", v.name)
	changes, err := v.trap(ctx, b, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: green changed %s while worker 2 was blocked for %v; %s due\n",
		v.name, plural(changes, "time"), c.block, plural(int(c.block/c.period), "change"))
	b.Red.Off()
	b.Green.Off()
	return asyncio.Sleep(ctx, roundGap)
}

// lab runs the chosen parts with the chosen versions on the lecture's
// board, printing to out; virtual selects the virtual clock, debug the
// slow-task watchdog (asyncio.DebugSlowTasks), which reports to stderr.
func lab(out, stderr io.Writer, versions []version, parts []int, c config, virtual, debug bool) error {
	var opts []asyncio.Option
	if virtual {
		opts = append(opts, asyncio.VirtualClock())
	}
	if debug {
		// As asyncio.DebugSlowTasks and the default exception handler
		// report, to stderr rather than the process's standard error.
		opts = append(opts,
			asyncio.DebugSlowTasksFunc(slowTask, func(s asyncio.SlowTask) { fmt.Fprintln(stderr, s) }),
			asyncio.WithExceptionHandler(func(_ *asyncio.Loop, c asyncio.ExceptionContext) {
				fmt.Fprintf(stderr, "%s\nfuture: %v\n%v\n", c.Message, c.Task, c.Err)
			}))
	}
	return asyncio.Run(func(ctx *asyncio.Ctx) error {
		b := board.NewLab(ctx.Loop())
		b.OnChange(func(e board.LEDChange) { fmt.Fprintln(out, e) })
		for _, p := range parts {
			part := part1
			if p == 1 {
				fmt.Fprintf(out, "== Part 1: shared state without locks. %s; a round is %d steps of worker 1 and %d of worker 2, each adding 1 to the count and toggling both LEDs ==\n",
					plural(c.rounds, "round"), c.steps, c.steps+1)
			} else {
				part = part2
				fmt.Fprintf(out, "== Part 2: a worker that does not yield. Worker 1 blinks green every %v; at %v worker 2 lights red, calls time.Sleep(%v), a blocking call, then puts red out ==\n",
					c.period, c.blockAt, c.block)
			}
			for _, v := range versions {
				if err := part(ctx, out, b, v, c); err != nil {
					return err
				}
			}
		}
		return nil
	}, opts...)
}

// plural returns n and the noun, in the plural unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// run is the command: it parses args and runs the lab, and returns the exit
// code: 0 on success, 1 if the lab failed, 2 for bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preemptive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: preemptive [flags]\n\nThe same program with goroutines (preemptive) and with tasks (cooperative):\ntwo workers sharing state without locks, then a worker that blocks.\n\n")
		fs.PrintDefaults()
	}
	virtual := fs.Bool("virtual", false, "run on the virtual clock")
	with := fs.String("with", "both", "the versions to run: tasks, goroutines or both")
	part := fs.String("part", "both", "the parts to run: 1 (shared state), 2 (a worker that blocks) or both")
	debug := fs.Bool("debug", false, "report tasks that run over 100ms without yielding (asyncio.DebugSlowTasks), on standard error")
	c := config{blockAt: time.Second, period: 250 * time.Millisecond}
	fs.IntVar(&c.rounds, "rounds", 5, "part 1: the number of rounds")
	fs.IntVar(&c.steps, "steps", 1001, "part 1: worker 1's steps a round (worker 2 makes one more)")
	fs.DurationVar(&c.block, "block", 2*time.Second, "part 2: how long worker 2's blocking call blocks")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "preemptive: "+format+"\n", a...)
		fs.Usage()
		return 2
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	var versions []version
	switch *with {
	case "both":
		versions = []version{tasks, goroutines}
	case "tasks":
		versions = []version{tasks}
	case "goroutines":
		versions = []version{goroutines}
	default:
		return usage("-with %q: want tasks, goroutines or both", *with)
	}
	var parts []int
	switch *part {
	case "both":
		parts = []int{1, 2}
	case "1":
		parts = []int{1}
	case "2":
		parts = []int{2}
	default:
		return usage("-part %q: want 1, 2 or both", *part)
	}
	switch {
	case c.rounds < 1:
		return usage("-rounds %d: want at least 1", c.rounds)
	case c.steps < 1:
		return usage("-steps %d: want at least 1", c.steps)
	case c.block < 0:
		return usage("-block %v: want a duration of 0 or more", c.block)
	}
	if err := lab(stdout, stderr, versions, parts, c, *virtual, *debug); err != nil {
		fmt.Fprintln(stderr, "preemptive:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
