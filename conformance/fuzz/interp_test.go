package fuzz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
)

// This file interprets a program in Go, against the asyncio package's public
// API on its virtual clock, printing what the MicroPython program prints.
// Where Go must differ from MicroPython, it maps as the conformance twins do
// (docs/differences.md): an exception is an error, task.cancel()'s True and
// False are a nil error and ErrTaskDone, RuntimeError is ErrCancelSelf or
// ErrLockNotAcquired, gather(return_exceptions=True) is GatherErrors, and
// MicroPython's default exception handler (which writes to stderr) is a
// handler that prints nothing.
//
// While it runs, it checks the scheduler's invariants; a broken one is
// reported in result.broken.

// result is what a run of a program printed, and what went wrong beside.
type result struct {
	out      string
	broken   []string       // invariants that did not hold
	seen     map[string]int // situations met, for the coverage counts
	triggers map[trigger]int
}

// trigger is a situation in which the package is known to diverge from
// MicroPython (see known_test.go).
type trigger string

const (
	// Lock.Release succeeded while the lock was being handed to a waiter
	// (Locked() was false): MicroPython raises RuntimeError there.
	trigLockHandoff trigger = "Release during a Lock hand-off"
	// WaitForTask was given a task that had already finished.
	trigWaitForDone trigger = "WaitForTask on a finished task"
	// WaitFor or WaitForTask returned because the awaited task finished.
	trigWaitForResult trigger = "WaitFor returned the awaited task's outcome"
	// WaitFor or WaitForTask returned ErrTimeout.
	trigWaitForTimeout trigger = "WaitFor timed out"
	// WaitFor or WaitForTask was called with a timeout of 0.
	trigWaitForZero trigger = "WaitFor with a timeout of 0"
	// Cancel was forwarded along a chain of awaiting tasks to the task that
	// is running (the one calling Cancel).
	trigCancelRunning trigger = "Cancel forwarded to the running task"
	// WaitFor or WaitForTask returned ErrCancelled: the waiter was cancelled
	// from outside.
	trigWaitForCancelled trigger = "WaitFor cancelled from outside"
	// Gather or GatherErrors was given a task that had already failed
	// with an error other than a cancellation.
	trigGatherFailed trigger = "Gather of a task that had already failed"
)

// valueError is the twin of ValueError(label).
type valueError struct{ label string }

func (e *valueError) Error() string { return "ValueError:" + e.label }

// en is the twin of the programs' en(e): the Python name of an error.
func en(err error) string {
	var ve *valueError
	switch {
	case errors.As(err, &ve):
		return "ValueError:" + ve.label
	case errors.Is(err, asyncio.ErrCancelled):
		return "CancelledError"
	case errors.Is(err, asyncio.ErrTimeout):
		return "TimeoutError"
	case errors.Is(err, asyncio.ErrCancelSelf):
		return "RuntimeError:can't cancel self"
	case errors.Is(err, asyncio.ErrLockNotAcquired):
		return "RuntimeError:Lock not acquired"
	}
	return "GoError:" + strings.ReplaceAll(err.Error(), "\n", " ")
}

// pyName is the Python class name of an error.
func pyName(err error) string {
	name, _, _ := strings.Cut(en(err), ":")
	return name
}

// isException reports whether `except Exception` catches err: every error
// but a cancellation, which is a BaseException.
func isException(err error) bool { return !errors.Is(err, asyncio.ErrCancelled) }

// instance is one run of a task function.
type instance struct {
	j        int
	awaiting int // the task whose function it awaits (await, wait_for), or 0
	task     *asyncio.Task
	state    string // what it does now: new, running, sleeping, awaiting, waiting, done
	finished bool
}

type interp struct {
	p     *program
	loop  *asyncio.Loop
	lines []string
	quiet bool // the program is over: what Close makes tasks print is not the program's

	tasks []*asyncio.Task        // T[j]; tasks[0] is main
	typed []*asyncio.TaskOf[int] // T[j] for j > 0
	inst  map[*asyncio.Task]*instance
	byJ   map[int]*instance // each task function runs at most once
	E     []*asyncio.Event
	L     []*asyncio.Lock

	active   *instance // the task function running now
	broken   []string
	seen     map[string]int  // situations met, for the coverage test
	triggers map[trigger]int // each known-divergence trigger met, with the number of lines printed before it
}

// trip records that trigger tr happened now.
func (r *interp) trip(tr trigger) {
	if _, ok := r.triggers[tr]; !ok && !r.quiet {
		r.triggers[tr] = len(r.lines)
		r.seen["trigger: "+string(tr)]++
	}
}

func (r *interp) print(format string, args ...any) {
	if !r.quiet {
		r.lines = append(r.lines, fmt.Sprintf(format, args...))
	}
}

func (r *interp) breakf(format string, args ...any) {
	if len(r.broken) < 10 {
		r.broken = append(r.broken, fmt.Sprintf(format, args...))
	}
}

// interpret runs p on a new loop on the virtual clock.
func interpret(p *program) result {
	r := &interp{p: p, inst: map[*asyncio.Task]*instance{}, byJ: map[int]*instance{}, seen: map[string]int{}, triggers: map[trigger]int{}}
	r.loop = asyncio.NewLoop(asyncio.VirtualClock())
	r.loop.SetExceptionHandler(r.handler("A"))
	r.tasks = make([]*asyncio.Task, len(p.tasks))
	r.typed = make([]*asyncio.TaskOf[int], len(p.tasks))
	for range p.events {
		r.E = append(r.E, &asyncio.Event{})
	}
	for range p.locks {
		r.L = append(r.L, &asyncio.Lock{})
	}
	fn := r.fn(0)
	main := r.loop.CreateTask(func(ctx *asyncio.Ctx) error { _, err := fn(ctx); return err }, asyncio.Named("t0"))
	r.tasks[0] = main
	r.inst[main] = &instance{j: 0, task: main, state: "new"}

	err := r.loop.RunUntilComplete(main)
	if main.Done() {
		err = r.loop.RunForever()
	}
	var dl *asyncio.DeadlockError
	switch {
	case errors.As(err, &dl):
		r.seen["deadlock"]++
	case err != nil:
		r.breakf("the loop returned %v", err)
	}
	r.final(dl)
	r.quiet = true
	if err := r.loop.Close(); err != nil && !errors.Is(err, asyncio.ErrIgnoredCancel) {
		r.breakf("Close returned %v", err)
	}
	for t, in := range r.inst {
		if !t.Done() {
			r.breakf("t%d is not done after Close", in.j)
		}
	}
	out := strings.Join(r.lines, "\n")
	if out != "" {
		out += "\n"
	}
	return result{out: out, broken: r.broken, seen: r.seen, triggers: r.triggers}
}

// final prints the program's last line, as _fin() does, and checks that
// every task has finished or is named by the deadlock report.
func (r *interp) final(dl *asyncio.DeadlockError) {
	var pending []any
	for j, t := range r.tasks {
		if t != nil && !t.Done() {
			pending = append(pending, fmt.Sprintf("t%d", j))
		}
	}
	var events, locks []any
	for _, e := range r.E {
		events = append(events, e.IsSet())
	}
	for _, l := range r.L {
		locks = append(locks, l.Locked())
	}
	r.print("end: %s %s %s", pyList(pending), pyList(events), pyList(locks))

	unfinished := 0
	for t, in := range r.inst {
		if !t.Done() {
			unfinished++
			if dl == nil || !slices.ContainsFunc(dl.Blocked, func(b string) bool { return strings.HasPrefix(b, t.String()+" ") }) {
				r.breakf("t%d (%s) neither finished nor is reported by the deadlock detector", in.j, in.state)
			}
		}
	}
	if dl != nil && len(dl.Blocked) < unfinished {
		r.breakf("the deadlock report names %d tasks, %d are unfinished: %v", len(dl.Blocked), unfinished, dl.Blocked)
	}
}

// pyList formats a list as Python's print does.
func pyList(items []any) string {
	s := make([]string, len(items))
	for i, x := range items {
		switch x := x.(type) {
		case string:
			s[i] = "'" + x + "'"
		case bool:
			s[i] = pyBool(x)
		default:
			s[i] = fmt.Sprint(x)
		}
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func (r *interp) handler(name string) asyncio.ExceptionHandler {
	return func(l *asyncio.Loop, c asyncio.ExceptionContext) {
		var pe *asyncio.PanicError
		if errors.As(c.Err, &pe) {
			r.breakf("a task panicked: %v", pe)
		}
		if name != "" {
			r.print("handler %s: %s %s", name, c.Message, en(c.Err))
		}
	}
}

// fn returns task j's function.
func (r *interp) fn(j int) func(*asyncio.Ctx) (int, error) {
	return func(ctx *asyncio.Ctx) (int, error) {
		t := asyncio.CurrentTask(ctx)
		in := r.inst[t]
		if in == nil { // made by WaitForOf
			in = &instance{j: j, task: t}
			r.inst[t] = in
		}
		r.byJ[j] = in
		if r.active != nil {
			r.breakf("t%d starts while t%d runs", j, r.active.j)
		}
		r.active, in.state = in, "running"
		r.print("t%d start", j)
		err := r.steps(ctx, in, r.p.tasks[j])
		if err != nil {
			r.print("t%d exits %s", j, en(err))
		} else {
			r.print("t%d end", j)
		}
		if r.active != in {
			r.breakf("t%d ends while another task is marked running", j)
		}
		r.active, in.state, in.finished = nil, "done", true
		if err != nil {
			return 0, err
		}
		return j, nil
	}
}

// pause runs an await point of the running task in: it checks that no task
// runs while it is paused and that it is resumed only while unfinished.
func (r *interp) pause(ctx *asyncio.Ctx, in *instance, state string, await func() error) error {
	if r.active != in {
		r.breakf("t%d awaits while another task is marked running", in.j)
	}
	r.active, in.state = nil, state
	err := await()
	if r.active != nil {
		r.breakf("t%d resumed while t%d runs", in.j, r.active.j)
	}
	if in.finished || in.task.Done() {
		r.breakf("t%d resumed after it finished", in.j)
	}
	if asyncio.CurrentTask(ctx) != in.task {
		r.breakf("t%d resumed, but CurrentTask is another task", in.j)
	}
	r.active, in.state = in, "running"
	return err
}

func (r *interp) steps(ctx *asyncio.Ctx, in *instance, ss []step) error {
	for i := range ss {
		if err := r.step(ctx, in, &ss[i]); err != nil {
			return err
		}
	}
	return nil
}

// create makes a task running task j's function.
func (r *interp) create(ctx *asyncio.Ctx, j int) *asyncio.TaskOf[int] {
	t := asyncio.CreateTaskOf(ctx, r.fn(j), asyncio.Named(fmt.Sprintf("t%d", j)))
	r.inst[&t.Task] = &instance{j: j, task: &t.Task, state: "new"}
	return t
}

// caught handles the error of an awaiting step: printed and dropped when the
// step catches Exception and err is one, returned otherwise.
func (r *interp) caught(s *step, what string, err error) error {
	if s.catch && isException(err) {
		r.print("%s %s ! %s", s.label, what, en(err))
		return nil
	}
	return err
}

func (r *interp) step(ctx *asyncio.Ctx, in *instance, s *step) error {
	switch s.kind {
	case kSleep0:
		if err := r.pause(ctx, in, "sleeping", func() error { return asyncio.Sleep(ctx, 0) }); err != nil {
			return err
		}
		r.print("%s sleep0", s.label)
	case kSleepMs:
		if err := r.pause(ctx, in, "sleeping", func() error { return asyncio.SleepMs(ctx, s.n) }); err != nil {
			return err
		}
		r.print("%s slept %d", s.label, s.n)
	case kCreate:
		t := r.create(ctx, s.task)
		r.tasks[s.task], r.typed[s.task] = &t.Task, t
		r.print("%s create t%d", s.label, s.task)
	case kAwait:
		what := fmt.Sprintf("await t%d", s.task)
		t := r.typed[s.task]
		if t == nil {
			r.print("%s %s: none", s.label, what)
			return nil
		}
		r.seen["await "+r.stateOf(t.Task.Done(), &t.Task)]++
		var v int
		in.awaiting = s.task
		err := r.pause(ctx, in, "awaiting", func() (err error) { v, err = t.Await(ctx); return err })
		in.awaiting = 0
		if err != nil {
			return r.caught(s, what, err)
		}
		r.print("%s %s -> %d", s.label, what, v)
	case kCancel:
		t := r.tasks[s.task]
		if t == nil {
			r.print("%s cancel t%d: none", s.label, s.task)
			r.seen["cancel none"]++
			return nil
		}
		state := r.stateOf(t.Done(), t)
		if t == in.task {
			state = "self"
		}
		r.seen["cancel "+state]++
		for x, hops := r.inst[t], 0; x != nil && x.awaiting != 0 && hops < maxTasks; hops++ {
			if x = r.byJ[x.awaiting]; x == in {
				r.trip(trigCancelRunning)
			}
		}
		switch err := t.Cancel(); {
		case err == nil:
			r.print("%s cancel t%d True", s.label, s.task)
		case errors.Is(err, asyncio.ErrTaskDone):
			r.print("%s cancel t%d False", s.label, s.task)
		default:
			r.print("%s cancel t%d %s", s.label, s.task, en(err))
		}
	case kWaitFor:
		d := time.Duration(s.n) * time.Millisecond
		var v int
		var err error
		what := fmt.Sprintf("wait_for t%d", s.task)
		if d == 0 {
			r.trip(trigWaitForZero)
		}
		in.awaiting = s.task
		defer func() { in.awaiting = 0 }()
		if s.coro {
			what += "()"
			err = r.pause(ctx, in, "awaiting", func() (err error) {
				v, err = asyncio.WaitForOf(ctx, d, r.fn(s.task))
				return err
			})
		} else {
			t := r.typed[s.task]
			if t == nil {
				r.print("%s %s: none", s.label, what)
				return nil
			}
			r.seen["wait_for "+r.stateOf(t.Task.Done(), &t.Task)]++
			if t.Task.Done() {
				r.trip(trigWaitForDone)
			}
			err = r.pause(ctx, in, "awaiting", func() error { return asyncio.WaitForTask(ctx, d, &t.Task) })
			v, _ = t.Result()
		}
		switch {
		case errors.Is(err, asyncio.ErrTimeout):
			r.trip(trigWaitForTimeout)
		case errors.Is(err, asyncio.ErrCancelled) && !in.task.Done():
			r.trip(trigWaitForCancelled)
			r.trip(trigWaitForResult)
		default: // the awaited task's outcome
			r.trip(trigWaitForResult)
		}
		if err != nil {
			r.seen["wait_for error "+pyName(err)]++
			return r.caught(s, what, err)
		}
		r.print("%s %s -> %d", s.label, what, v)
	case kGather:
		var names []string
		none := false
		for i, j := range s.tasks {
			if s.coros[i] {
				names = append(names, fmt.Sprintf("t%d()", j))
			} else {
				names = append(names, fmt.Sprintf("t%d", j))
				none = none || r.typed[j] == nil
			}
		}
		what := "gather " + strings.Join(names, " ")
		if none {
			r.print("%s %s: none", s.label, what)
			return nil
		}
		typed := make([]*asyncio.TaskOf[int], len(s.tasks))
		plain := make([]*asyncio.Task, len(s.tasks))
		for i, j := range s.tasks {
			if s.coros[i] {
				typed[i] = r.create(ctx, j)
			} else {
				typed[i] = r.typed[j]
			}
			plain[i] = &typed[i].Task
			if err := plain[i].Err(); plain[i].Done() && err != nil && isException(err) {
				r.trip(trigGatherFailed)
			}
		}
		var errs []error
		err := r.pause(ctx, in, "awaiting", func() (err error) {
			if s.ret {
				errs, err = asyncio.GatherErrors(ctx, plain...)
			} else {
				err = asyncio.Gather(ctx, plain...)
			}
			return err
		})
		if err != nil {
			return r.caught(s, what, err)
		}
		items := make([]any, len(typed))
		for i, t := range typed {
			if errs != nil && errs[i] != nil {
				items[i] = en(errs[i])
			} else {
				items[i], _ = t.Result()
			}
		}
		r.print("%s %s -> %s", s.label, what, pyList(items))
	case kEventSet:
		r.E[s.k].Set()
		r.print("%s set e%d", s.label, s.k)
	case kEventClear:
		r.E[s.k].Clear()
		r.print("%s clear e%d", s.label, s.k)
	case kEventWait:
		if err := r.pause(ctx, in, "waiting", func() error { return r.E[s.k].Wait(ctx) }); err != nil {
			return err
		}
		r.print("%s waited e%d True", s.label, s.k)
	case kLockAcquire:
		if err := r.pause(ctx, in, "waiting", func() error { return r.L[s.k].Acquire(ctx) }); err != nil {
			return err
		}
		r.print("%s acquired l%d True", s.label, s.k)
	case kLockRelease:
		locked := r.L[s.k].Locked()
		err := r.L[s.k].Release()
		if err == nil && !locked {
			r.trip(trigLockHandoff)
		}
		if err != nil {
			r.print("%s release l%d %s", s.label, s.k, en(err))
			r.seen["release unlocked"]++
			return nil
		}
		r.print("%s released l%d %s", s.label, s.k, pyBool(r.L[s.k].Locked()))
	case kRaise:
		r.print("%s raise", s.label)
		return &valueError{s.label}
	case kTry:
		err := r.steps(ctx, in, s.body)
		if err != nil {
			catch := s.tryCatch == catchCancelled && errors.Is(err, asyncio.ErrCancelled) ||
				s.tryCatch == catchException && isException(err)
			if catch {
				r.seen["caught "+pyName(err)]++
				if s.tryCatch == catchCancelled {
					r.print("%s caught CancelledError", s.label)
				} else {
					r.print("%s caught %s", s.label, en(err))
				}
				if !s.reraise {
					err = nil
				}
			}
		}
		r.print("%s finally", s.label)
		if ferr := r.steps(ctx, in, s.final); ferr != nil {
			err = ferr
		}
		return err
	case kHandler:
		names := [...]string{"", "A", "B"}
		r.loop.SetExceptionHandler(r.handler(names[s.n]))
		r.print("%s handler %s", s.label, [...]string{"None", "hA", "hB"}[s.n])
	default:
		panic(fmt.Sprintf("interpret: step kind %v", s.kind))
	}
	return nil
}

// stateOf names what task t is doing, for the coverage counts.
func (r *interp) stateOf(done bool, t *asyncio.Task) string {
	if done {
		return "done"
	}
	if in := r.inst[t]; in != nil {
		return in.state
	}
	return "unknown"
}
