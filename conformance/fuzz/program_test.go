package fuzz

import (
	"fmt"
	"slices"
	"strings"

	"pgregory.net/rapid"
)

// This file is the description of a program: tasks made of steps, and the
// rapid generator that draws them.

// kind is what a step does.
type kind uint8

const (
	kSleep0      kind = iota // await asyncio.sleep(0)
	kSleepMs                 // await asyncio.sleep_ms(n)
	kCreate                  // T[j] = asyncio.create_task(tj())
	kAwait                   // await T[j]
	kCancel                  // T[j].cancel()
	kWaitFor                 // await asyncio.wait_for(T[j] or tj(), n/1000), or wait_for_ms
	kGather                  // await asyncio.gather(T[j] or tj(), ..., return_exceptions=...)
	kEventSet                // E[k].set()
	kEventClear              // E[k].clear()
	kEventWait               // await E[k].wait()
	kLockAcquire             // await L[k].acquire()
	kLockRelease             // L[k].release(), which may raise RuntimeError
	kRaise                   // raise ValueError(label)
	kTry                     // try: body except ...: ... finally: final
	kHandler                 // set_exception_handler(hA, hB or None)
	numKinds
)

var kindNames = [numKinds]string{
	kSleep0: "sleep0", kSleepMs: "sleep_ms", kCreate: "create", kAwait: "await", kCancel: "cancel",
	kWaitFor: "wait_for", kGather: "gather", kEventSet: "event.set", kEventClear: "event.clear",
	kEventWait: "event.wait", kLockAcquire: "lock.acquire", kLockRelease: "lock.release",
	kRaise: "raise", kTry: "try", kHandler: "exception handler",
}

func (k kind) String() string { return kindNames[k] }

// catchKind is what the except clause of a try step catches.
type catchKind uint8

const (
	catchNone      catchKind = iota // try/finally only
	catchCancelled                  // except asyncio.CancelledError
	catchException                  // except Exception (not CancelledError)
)

// step is one step of a task. Which fields count depends on kind.
type step struct {
	kind  kind
	label string // "t1.3": task 1, its third step (numbered in pre-order); every line printed says it

	task  int    // create, await, cancel, wait_for: the target task's index
	coro  bool   // wait_for: a fresh coroutine of task's function instead of the task T[task]
	tasks []int  // gather: the targets
	coros []bool // gather: which targets are fresh coroutines
	n     int    // sleep_ms and wait_for: milliseconds; handler: 0 for None, 1 for hA, 2 for hB
	k     int    // the Event or Lock
	ms    bool   // wait_for: wait_for_ms(aw, n) rather than wait_for(aw, n/1000)
	ret   bool   // gather: return_exceptions=True
	catch bool   // await, wait_for, gather: the step catches Exception and prints it

	tryCatch catchKind // try: its except clause
	reraise  bool      // try: the except clause re-raises
	body     []step    // try: the body
	final    []step    // try: the finally clause
}

// program is a whole asyncio program. Task 0 is main; task j > 0 runs when
// the one step that names it runs: a step that creates it (T[j] =
// create_task(tj())) or that passes a fresh coroutine tj() to wait_for or
// gather. So every task function runs at most once. Tasks await only tasks
// with a higher index, so no task can await itself, and a task that is
// gathered is never awaited otherwise (MicroPython raises "can't wait" or
// "can't gather" there; Go allows both).
type program struct {
	tasks  [][]step
	events int
	locks  int
}

// walk calls fn for every step, nested ones included.
func (p *program) walk(fn func(task int, s *step)) {
	var rec func(task int, ss []step)
	rec = func(task int, ss []step) {
		for i := range ss {
			fn(task, &ss[i])
			rec(task, ss[i].body)
			rec(task, ss[i].final)
		}
	}
	for j, ss := range p.tasks {
		rec(j, ss)
	}
}

// number labels every step "t<task>.<n>", n counting steps in pre-order.
func (p *program) number() {
	count := make([]int, len(p.tasks))
	p.walk(func(task int, s *step) {
		count[task]++
		s.label = fmt.Sprintf("t%d.%d", task, count[task])
	})
}

// size is the number of steps, nested ones included.
func (p *program) size() int {
	n := 0
	p.walk(func(int, *step) { n++ })
	return n
}

// gen draws a program, keeping the rules of program's doc. Task indexes are
// handed out as steps create tasks, so a new task always has a higher index
// than its creator, and bodies are drawn in index order.
type gen struct {
	t        *rapid.T
	events   int
	locks    int
	next     int    // tasks handed out so far
	coro     []bool // task j runs as a fresh coroutine passed to wait_for or gather, not as T[j]
	awaited  []bool // awaited or wait_for'd through T[j]
	gathered []bool // gathered through T[j]
}

// maxTasks bounds the tasks of a program, main included.
const maxTasks = 6

// weights of the step kinds, in kind order.
var weights = [numKinds]int{
	kSleep0: 2, kSleepMs: 4, kCreate: 9, kAwait: 6, kCancel: 6, kWaitFor: 6, kGather: 5,
	kEventSet: 3, kEventClear: 1, kEventWait: 3, kLockAcquire: 3, kLockRelease: 3,
	kRaise: 2, kTry: 4, kHandler: 1,
}

var programs = rapid.Custom(func(t *rapid.T) *program {
	g := &gen{t: t, next: 1, coro: make([]bool, maxTasks), awaited: make([]bool, maxTasks), gathered: make([]bool, maxTasks)}
	g.events = rapid.IntRange(0, 2).Draw(t, "events")
	g.locks = rapid.IntRange(0, 2).Draw(t, "locks")
	p := &program{events: g.events, locks: g.locks}
	for i := 0; i < g.next; i++ {
		lo, hi := 0, 5
		if i == 0 {
			lo, hi = 1, 8
		}
		p.tasks = append(p.tasks, g.steps(i, 0, lo, hi))
	}
	p.number()
	return p
})

func (g *gen) steps(i, depth, lo, hi int) []step {
	n := rapid.IntRange(lo, hi).Draw(g.t, "steps")
	ss := make([]step, 0, n)
	for range n {
		ss = append(ss, g.step(i, depth))
	}
	return ss
}

// candidates returns the tasks j > i handed out so far for which ok(j).
func (g *gen) candidates(i int, ok func(j int) bool) []int {
	var c []int
	for j := i + 1; j < g.next; j++ {
		if ok(j) {
			c = append(c, j)
		}
	}
	return c
}

// fresh hands out the next task index.
func (g *gen) fresh(coro bool) int {
	j := g.next
	g.next++
	g.coro[j] = coro
	return j
}

func (g *gen) awaitable(j int) bool  { return !g.coro[j] && !g.gathered[j] }
func (g *gen) gatherable(j int) bool { return !g.coro[j] && !g.awaited[j] && !g.gathered[j] }

// available reports whether task i can take a step of kind k now.
func (g *gen) available(i, depth int, k kind) bool {
	room := g.next < maxTasks
	switch k {
	case kCreate:
		return room
	case kAwait:
		return len(g.candidates(i, g.awaitable)) > 0
	case kWaitFor:
		return room || len(g.candidates(i, g.awaitable)) > 0
	case kGather:
		return room || len(g.candidates(i, g.gatherable)) > 0
	case kEventSet, kEventClear, kEventWait:
		return g.events > 0
	case kLockAcquire, kLockRelease:
		return g.locks > 0
	case kTry:
		return depth < 2
	}
	return true
}

func (g *gen) step(i, depth int) step {
	var ok [numKinds]bool
	total := 0
	for k := range numKinds {
		if ok[k] = g.available(i, depth, k); ok[k] {
			total += weights[k]
		}
	}
	w := rapid.IntRange(0, total-1).Draw(g.t, "kind")
	k := kind(0)
	for ; !ok[k] || w >= weights[k]; k++ {
		if ok[k] {
			w -= weights[k]
		}
	}
	s := step{kind: k}
	switch k {
	case kSleepMs:
		s.n = rapid.SampledFrom([]int{0, 1, 2, 3, 5}).Draw(g.t, "ms")
	case kCreate:
		s.task = g.fresh(false)
	case kAwait:
		s.task = rapid.SampledFrom(g.candidates(i, g.awaitable)).Draw(g.t, "await")
		g.awaited[s.task] = true
		s.catch = rapid.Bool().Draw(g.t, "catch")
	case kCancel:
		// A task that a step creates, or main; itself only now and then.
		var c []int
		for j := 0; j < g.next; j++ {
			if j != i && !g.coro[j] {
				c = append(c, j)
			}
		}
		if len(c) == 0 || rapid.IntRange(0, 5).Draw(g.t, "self") == 0 {
			c = append(c, i)
		}
		s.task = rapid.SampledFrom(c).Draw(g.t, "cancel")
	case kWaitFor:
		c := g.candidates(i, g.awaitable)
		s.coro = len(c) == 0 || g.next < maxTasks && rapid.Bool().Draw(g.t, "coro")
		if s.coro {
			s.task = g.fresh(true)
		} else {
			s.task = rapid.SampledFrom(c).Draw(g.t, "wait_for")
			g.awaited[s.task] = true
		}
		s.n = rapid.SampledFrom([]int{0, 1, 2, 3, 5, 10}).Draw(g.t, "timeout")
		s.ms = rapid.Bool().Draw(g.t, "ms")
		s.catch = rapid.Bool().Draw(g.t, "catch")
	case kGather:
		m := rapid.IntRange(1, 3).Draw(g.t, "gather")
		for range m {
			c := g.candidates(i, g.gatherable)
			coro := len(c) == 0 || g.next < maxTasks && rapid.Bool().Draw(g.t, "coro")
			if coro && g.next == maxTasks {
				break
			}
			var j int
			if coro {
				j = g.fresh(true)
			} else {
				j = rapid.SampledFrom(c).Draw(g.t, "target")
				g.gathered[j] = true
			}
			s.tasks = append(s.tasks, j)
			s.coros = append(s.coros, coro)
		}
		s.ret = rapid.Bool().Draw(g.t, "return_exceptions")
		s.catch = rapid.Bool().Draw(g.t, "catch")
	case kEventSet, kEventClear, kEventWait:
		s.k = rapid.IntRange(0, g.events-1).Draw(g.t, "event")
	case kLockAcquire, kLockRelease:
		s.k = rapid.IntRange(0, g.locks-1).Draw(g.t, "lock")
	case kTry:
		s.body = g.steps(i, depth+1, 0, 3)
		s.tryCatch = catchKind(rapid.IntRange(0, 2).Draw(g.t, "catch"))
		s.reraise = rapid.Bool().Draw(g.t, "reraise")
		s.final = g.steps(i, depth+1, 0, 2)
	case kHandler:
		s.n = rapid.IntRange(0, 2).Draw(g.t, "handler")
	}
	return s
}

// String describes the program in one line a step, for failure reports.
func (p *program) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "program: %d tasks, %d events, %d locks\n", len(p.tasks), p.events, p.locks)
	p.walk(func(task int, s *step) {
		fmt.Fprintf(&b, "  %s %v\n", s.label, s.kind)
	})
	return b.String()
}

// GoString writes the program as a Go composite literal, zero fields left
// out, so that a minimal program can be pasted into known_test.go.
func (p *program) GoString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "&program{events: %d, locks: %d, tasks: [][]step{\n", p.events, p.locks)
	for j, ss := range p.tasks {
		fmt.Fprintf(&b, "\t/* t%d */ %s,\n", j, stepsGo(ss))
	}
	b.WriteString("}}")
	return b.String()
}

var kindGo = [numKinds]string{
	kSleep0: "kSleep0", kSleepMs: "kSleepMs", kCreate: "kCreate", kAwait: "kAwait", kCancel: "kCancel",
	kWaitFor: "kWaitFor", kGather: "kGather", kEventSet: "kEventSet", kEventClear: "kEventClear",
	kEventWait: "kEventWait", kLockAcquire: "kLockAcquire", kLockRelease: "kLockRelease",
	kRaise: "kRaise", kTry: "kTry", kHandler: "kHandler",
}

func stepsGo(ss []step) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		f := []string{kindGo[s.kind]}
		add := func(cond bool, format string, args ...any) {
			if cond {
				f = append(f, fmt.Sprintf(format, args...))
			}
		}
		add(s.task != 0, "task: %d", s.task)
		add(s.coro, "coro: true")
		add(len(s.tasks) > 0, "tasks: %#v, coros: %#v", s.tasks, s.coros)
		add(s.n != 0, "n: %d", s.n)
		add(s.k != 0, "k: %d", s.k)
		add(s.ms, "ms: true")
		add(s.ret, "ret: true")
		add(s.catch, "catch: true")
		add(s.tryCatch != catchNone, "tryCatch: %d", s.tryCatch)
		add(s.reraise, "reraise: true")
		add(len(s.body) > 0, "body: %s", stepsGo(s.body))
		add(len(s.final) > 0, "final: %s", stepsGo(s.final))
		f[0] = "kind: " + f[0]
		parts[i] = "{" + strings.Join(f, ", ") + "}"
	}
	return "[]step{" + strings.Join(parts, ", ") + "}"
}

// trim drops what a shrunk program no longer uses: trailing tasks that have
// no steps and that no step names, and unused events and locks.
func (p *program) trim() {
	for {
		last := len(p.tasks) - 1
		if last == 0 || len(p.tasks[last]) > 0 {
			break
		}
		named := false
		p.walk(func(_ int, s *step) {
			uses := s.kind == kCreate || s.kind == kAwait || s.kind == kCancel || s.kind == kWaitFor
			named = named || uses && s.task == last || slices.Contains(s.tasks, last)
		})
		if named {
			break
		}
		p.tasks = p.tasks[:last]
	}
	events, locks := 0, 0
	p.walk(func(_ int, s *step) {
		switch s.kind {
		case kEventSet, kEventClear, kEventWait:
			events = max(events, s.k+1)
		case kLockAcquire, kLockRelease:
			locks = max(locks, s.k+1)
		}
	})
	p.events, p.locks = events, locks
}
