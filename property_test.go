package asyncio_test

// Property tests: rapid generates random programs of tasks that sleep, yield,
// set, clear and wait for events, take locks and semaphore units, put to and
// get from a queue, cancel each other and run code under WaitFor, Timeout and
// MoveOnAfter. Each program runs on the virtual clock while a model watches
// every await point and checks, exactly:
//
//   - one task at a time: no task code runs while another's does, and no task
//     body is entered twice;
//   - time: Sleep(d) returns nil exactly d later, ErrCancelled no later; the
//     timeouts fire no earlier than their deadline and never late;
//   - no lost wake-up: a task parked on an event that was Set, a lock or
//     semaphore that is free, a queue that has a value or room, is never left
//     behind: when the loop reports a deadlock, every task it names is stuck
//     according to the model, and it names exactly the tasks that are;
//   - FIFO where promised: waiters of an Event.Set resume in the order they
//     began to wait; Lock, Semaphore and Queue waiters are served in the order
//     they asked; no queued value is lost, duplicated or reordered;
//   - mutual exclusion: lock holders never overlap, semaphore holders never
//     exceed its value, the queue never holds more than its maxsize;
//   - every task finishes once the loop is closed, with the error the model
//     expects, and no goroutine is left behind;
//   - determinism: the same program gives the same trace twice.
//
// Failures found inside tasks are collected, not raised: a panic in a task
// would only become its *PanicError.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/goasyncio/asyncio"
)

// propertyPrograms is how many random programs a normal test run checks.
// -rapid.checks (or RAPID_CHECKS) overrides it; -short divides it by 5.
const propertyPrograms = 1000

// TestPropertyRandomPrograms runs random programs against the model.
func TestPropertyRandomPrograms(t *testing.T) {
	setRapidChecks(t, propertyPrograms)
	rapid.Check(t, func(t *rapid.T) {
		p := drawProgram(t)
		base := runtime.NumGoroutine()
		first := runProgram(p)
		if len(first.problems) > 0 {
			t.Fatalf("%s\n\nprogram:\n%s\ntrace:\n%s", strings.Join(first.problems, "\n"), p, strings.Join(first.trace, "\n"))
		}
		if n := settleGoroutines(base); n > base {
			t.Fatalf("%d goroutines left after the run (%d before)\nprogram:\n%s", n, base, p)
		}
		second := runProgram(p)
		if a, b := strings.Join(first.trace, "\n"), strings.Join(second.trace, "\n"); a != b {
			t.Fatalf("the same program gave two traces\nprogram:\n%s\nfirst:\n%s\nsecond:\n%s", p, a, b)
		}
	})
}

// setRapidChecks makes rapid.Check run n cases, and not write a fail file
// into testdata (the failure message gives the seed to reproduce it with
// -rapid.seed), unless the user chose otherwise with the flags or their
// environment variables. rapid reads its flags when Check starts, so setting
// them here is enough; the old values are put back afterwards.
func setRapidChecks(t *testing.T, n int) {
	setRapidFlag(t, "checks", strconv.Itoa(n))
	setRapidFlag(t, "nofailfile", "true")
}

func setRapidFlag(t *testing.T, name, value string) {
	f := flag.Lookup("rapid." + name)
	if f == nil {
		return
	}
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid."+name })
	if _, env := os.LookupEnv("RAPID_" + strings.ToUpper(name)); explicit || env {
		return
	}
	old := f.Value.String()
	if err := f.Value.Set(value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
}

// settleGoroutines waits briefly for goroutines that are ending to be gone
// and returns how many are left, at most base if all went.
func settleGoroutines(base int) int {
	n := runtime.NumGoroutine()
	for i := 0; n > base && i < 200; i++ {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// ---- programs ----

type opKind uint8

const (
	opSleep   opKind = iota // Sleep(ms); 0 is a yield
	opSet                   // events[idx].Set
	opClear                 // events[idx].Clear
	opWait                  // events[idx].Wait
	opLock                  // locks[idx].Acquire, body, Release
	opSem                   // sem.Acquire, body, Release
	opPut                   // queue.Put(a new value)
	opGet                   // queue.Get
	opCancel                // tasks[idx].Cancel
	opWaitFor               // WaitFor(ms, body) (WaitForTask if viaTask)
	opTimeout               // Timeout(ms, body)
	opMoveOn                // MoveOnAfter(ms, body)
)

type step struct {
	kind    opKind
	ms      int
	idx     int
	viaTask bool
	body    []step
}

type program struct {
	kinds    []opKind // the steps it may use, with repeats for weight
	tasks    [][]step
	events   int
	locks    int
	semValue int
	queueMax int // 0: unbounded
	rescueAt int // ms at which a helper task sets every event, -1 for none
}

// features are groups of steps a program may use. Each program uses a random
// subset of them ("swarm testing"): a program that only puts, gets and
// cancels reaches the queue's corner cases far more often than one that
// also does everything else.
var features = [][]opKind{
	{opSet, opClear, opWait, opWait},
	{opLock, opLock},
	{opSem},
	{opPut, opGet},
	{opCancel},
	{opWaitFor},
	{opTimeout, opMoveOn},
}

// nested reports whether a step has a body.
func nested(k opKind) bool {
	return k == opLock || k == opSem || k == opWaitFor || k == opTimeout || k == opMoveOn
}

// Few distinct durations, so that deadlines often coincide.
var durations = []int{0, 1, 2, 5, 10, 20, 50}

func drawProgram(t *rapid.T) *program {
	p := &program{
		events:   rapid.IntRange(1, 3).Draw(t, "events"),
		locks:    rapid.IntRange(1, 2).Draw(t, "locks"),
		semValue: rapid.IntRange(1, 3).Draw(t, "semValue"),
		queueMax: rapid.IntRange(0, 3).Draw(t, "queueMax"),
		rescueAt: -1,
	}
	if rapid.IntRange(0, 3).Draw(t, "rescue") > 0 {
		p.rescueAt = rapid.IntRange(0, 200).Draw(t, "rescueAt")
	}
	p.kinds = []opKind{opSleep, opSleep}
	for _, f := range features {
		if rapid.Bool().Draw(t, "feature") {
			p.kinds = append(p.kinds, f...)
		}
	}
	n := rapid.IntRange(1, 8).Draw(t, "tasks")
	for range n {
		p.tasks = append(p.tasks, drawSteps(t, p, n, 0, nil, false))
	}
	return p
}

// drawSteps draws a task's steps; depth counts enclosing bodies. A body
// does not take again a lock or the semaphore that encloses it: that
// deadlock is certain, and would make most programs end in it.
func drawSteps(t *rapid.T, p *program, tasks, depth int, locks []int, sem bool) []step {
	kinds := p.kinds
	if depth >= 2 {
		kinds = slices.DeleteFunc(slices.Clone(kinds), nested)
	}
	var steps []step
	for range rapid.IntRange(0, []int{6, 3, 2}[depth]).Draw(t, "steps") {
		s := step{kind: rapid.SampledFrom(kinds).Draw(t, "kind")}
		switch s.kind {
		case opSleep:
			s.ms = rapid.SampledFrom(durations).Draw(t, "ms")
		case opSet, opClear, opWait:
			s.idx = rapid.IntRange(0, p.events-1).Draw(t, "event")
		case opLock:
			s.idx = rapid.IntRange(0, p.locks-1).Draw(t, "lock")
			if slices.Contains(locks, s.idx) {
				continue
			}
		case opSem:
			if sem {
				continue
			}
		case opCancel:
			s.idx = rapid.IntRange(0, tasks-1).Draw(t, "target")
		case opWaitFor:
			s.viaTask = rapid.Bool().Draw(t, "viaTask")
			fallthrough
		case opTimeout, opMoveOn:
			s.ms = rapid.SampledFrom(durations).Draw(t, "ms")
		}
		switch s.kind {
		case opLock:
			s.body = drawSteps(t, p, tasks, depth+1, append(slices.Clip(locks), s.idx), sem)
		case opSem:
			s.body = drawSteps(t, p, tasks, depth+1, locks, true)
		case opWaitFor, opTimeout, opMoveOn:
			s.body = drawSteps(t, p, tasks, depth+1, locks, sem)
		}
		steps = append(steps, s)
	}
	return steps
}

func (p *program) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "events=%d locks=%d sem=%d queue=%d rescueAt=%d\n", p.events, p.locks, p.semValue, p.queueMax, p.rescueAt)
	for i, steps := range p.tasks {
		fmt.Fprintf(&b, "t%d:", i)
		writeSteps(&b, steps)
		b.WriteString("\n")
	}
	return b.String()
}

func (p *program) GoString() string { return p.String() }

func writeSteps(b *strings.Builder, steps []step) {
	for _, s := range steps {
		b.WriteString(" ")
		switch s.kind {
		case opSleep:
			fmt.Fprintf(b, "sleep(%d)", s.ms)
		case opSet:
			fmt.Fprintf(b, "set(e%d)", s.idx)
		case opClear:
			fmt.Fprintf(b, "clear(e%d)", s.idx)
		case opWait:
			fmt.Fprintf(b, "wait(e%d)", s.idx)
		case opPut:
			b.WriteString("put")
		case opGet:
			b.WriteString("get")
		case opCancel:
			fmt.Fprintf(b, "cancel(t%d)", s.idx)
		default:
			name := map[opKind]string{opLock: "lock", opSem: "sem", opWaitFor: "waitfor", opTimeout: "timeout", opMoveOn: "moveon"}[s.kind]
			switch s.kind {
			case opLock:
				name += strconv.Itoa(s.idx)
			case opWaitFor:
				if s.viaTask {
					name += "task"
				}
				fallthrough
			case opTimeout, opMoveOn:
				name += "(" + strconv.Itoa(s.ms) + ")"
			}
			b.WriteString(name + " {")
			writeSteps(b, s.body)
			b.WriteString(" }")
		}
	}
}

// ---- the model ----

// actor is the model of one task running steps.
type actor struct {
	name      string
	task      *asyncio.Task
	started   bool
	returned  bool
	err       error
	waiting   *waitInfo // the await the task is paused in, nil while it runs
	cancelReq bool      // a Cancel on it returned nil
}

// waitInfo is what a paused task waits for.
type waitInfo struct {
	what   string // as the loop describes it in a deadlock report
	kind   opKind
	idx    int
	cohort *cohort // Event wait: the Set that woke it
	rank   int     // its place among the waiters that Set woke
}

// cohort is the waiters one Event.Set woke: they must resume in order.
type cohort struct{ last int }

// acq records one Acquire, Put or Get, for the FIFO checks at the end.
type acq struct {
	who       *actor
	call, ret int  // sequence numbers
	paused    bool // another task ran before it returned
	ok        bool
	val       int // Get: the value received
}

type result struct {
	trace    []string
	problems []string
}

type sim struct {
	p        *program
	loop     *asyncio.Loop
	trace    []string
	problems []string

	closing bool   // Close is cancelling every task
	seq     int    // sequence number of the last recorded call or return
	resumes int    // times a task began or resumed running
	running *actor // the task whose code runs now
	main    *actor
	top     []*actor // the program's tasks, t0...
	actors  []*actor // every task running steps, in creation order

	events     []*asyncio.Event
	eventSet   []bool
	eventWaits [][]*waitInfo // tasks waiting on each event since its last Set

	locks      []*asyncio.Lock
	lockHolder []*actor
	lockLog    [][]*acq

	sem     *asyncio.Semaphore
	semHeld int
	semLog  []*acq

	queue      *asyncio.Queue[int]
	nextVal    int
	puts       []int // values put, in the order the Puts succeeded
	putIndex   map[int]int
	got        map[int]bool
	getters    int // tasks inside Get
	failedGets int
	getLog     []*acq
	putLog     []*acq
}

func (s *sim) fail(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf("%v: ", s.loop.Time())+fmt.Sprintf(format, args...))
}

func (s *sim) log(a *actor, format string, args ...any) {
	s.trace = append(s.trace, fmt.Sprintf("%v %s: ", s.loop.Time(), a.name)+fmt.Sprintf(format, args...))
}

func (s *sim) tick() int { s.seq++; return s.seq }

func (s *sim) newActor(name string) *actor {
	a := &actor{name: name}
	s.actors = append(s.actors, a)
	return a
}

// pause is called just before a's await point, and returns the count of
// resumptions so far; resume just after it returns.
func (s *sim) pause(a *actor, w *waitInfo) int {
	if s.running != a {
		s.fail("%s reaches an await point while %s is the running task", a.name, nameOf(s.running))
	}
	s.running, a.waiting = nil, w
	return s.resumes
}

func (s *sim) resume(ctx *asyncio.Ctx, a *actor) {
	if s.running != nil {
		s.fail("%s runs while %s runs too", a.name, s.running.name)
	}
	if cur := asyncio.CurrentTask(ctx); cur != a.task {
		s.fail("%s runs but CurrentTask is %v", a.name, cur)
	}
	s.running, a.waiting = a, nil
	s.resumes++
}

func nameOf(a *actor) string {
	if a == nil {
		return "no task"
	}
	return a.name
}

// body returns the function of a task that runs steps as a.
func (s *sim) body(a *actor, steps []step) func(*asyncio.Ctx) error {
	return func(ctx *asyncio.Ctx) error {
		if a.started {
			s.fail("%s started twice", a.name)
		}
		a.started = true
		a.task = asyncio.CurrentTask(ctx)
		a.name = a.task.Name()
		s.resume(ctx, a)
		s.log(a, "start")
		err := s.exec(ctx, a, steps)
		if s.running != a {
			s.fail("%s returns while %s is the running task", a.name, nameOf(s.running))
		}
		s.running = nil
		a.returned, a.err = true, err
		s.log(a, "return %v", err)
		return err
	}
}

// exec runs steps until one fails: errors propagate like exceptions, except
// timeouts, which the step catches.
func (s *sim) exec(ctx *asyncio.Ctx, a *actor, steps []step) error {
	for _, st := range steps {
		if err := s.do(ctx, a, st); err != nil {
			if !errors.Is(err, asyncio.ErrCancelled) {
				s.fail("%s: unexpected error %v", a.name, err)
			}
			return err
		}
	}
	return nil
}

func (s *sim) do(ctx *asyncio.Ctx, a *actor, st step) error {
	now := s.loop.Time
	d := time.Duration(st.ms) * time.Millisecond
	switch st.kind {
	case opSleep:
		start := now()
		s.pause(a, &waitInfo{what: "sleeping"})
		err := asyncio.Sleep(ctx, d)
		s.resume(ctx, a)
		end := now()
		s.log(a, "sleep(%d) = %v", st.ms, err)
		switch {
		case err == nil && end != start+d:
			s.fail("%s: Sleep(%v) from %v returned at %v", a.name, d, start, end)
		case err != nil && end > start+d:
			s.fail("%s: Sleep(%v) from %v cancelled late, at %v", a.name, d, start, end)
		}
		return err

	case opSet:
		s.checkEvent(st.idx)
		s.log(a, "set(e%d)", st.idx)
		// Every task waiting now is woken, and must resume in order.
		c := &cohort{last: -1}
		for i, w := range s.eventWaits[st.idx] {
			w.cohort, w.rank = c, i
		}
		s.eventWaits[st.idx] = nil
		s.eventSet[st.idx] = true
		s.events[st.idx].Set()
		return nil

	case opClear:
		s.checkEvent(st.idx)
		s.log(a, "clear(e%d)", st.idx)
		s.eventSet[st.idx] = false
		s.events[st.idx].Clear()
		return nil

	case opWait:
		s.checkEvent(st.idx)
		set := s.eventSet[st.idx]
		w := &waitInfo{what: "waiting for an event", kind: opWait, idx: st.idx}
		if !set {
			s.eventWaits[st.idx] = append(s.eventWaits[st.idx], w)
		}
		before := s.pause(a, w)
		err := s.events[st.idx].Wait(ctx)
		s.resume(ctx, a)
		paused := s.resumes != before+1
		s.eventWaits[st.idx] = slices.DeleteFunc(s.eventWaits[st.idx], func(x *waitInfo) bool { return x == w })
		s.log(a, "wait(e%d) = %v", st.idx, err)
		switch {
		case set && (err != nil || paused):
			s.fail("%s: Wait on a set event paused or failed: %v", a.name, err)
		case err == nil && !set && w.cohort == nil:
			s.fail("%s: Wait returned but the event was not set", a.name)
		case err == nil && !set:
			if w.rank < w.cohort.last {
				s.fail("%s: woken by Set as waiter %d but resumed after waiter %d", a.name, w.rank, w.cohort.last)
			}
			w.cohort.last = w.rank
		}
		return err

	case opLock:
		l := s.locks[st.idx]
		held := s.lockHolder[st.idx] != nil
		if held && !l.Locked() {
			s.fail("lock%d held by %s but not Locked", st.idx, s.lockHolder[st.idx].name)
		}
		r := &acq{who: a, call: s.tick()}
		before := s.pause(a, &waitInfo{what: "waiting for a lock", kind: opLock, idx: st.idx})
		err := l.Acquire(ctx)
		s.resume(ctx, a)
		r.ret, r.paused, r.ok = s.tick(), s.resumes != before+1, err == nil
		s.lockLog[st.idx] = append(s.lockLog[st.idx], r)
		s.log(a, "acquire(l%d) = %v", st.idx, err)
		if err != nil {
			return err
		}
		if h := s.lockHolder[st.idx]; h != nil {
			s.fail("%s acquired lock%d, held by %s", a.name, st.idx, h.name)
		}
		s.lockHolder[st.idx] = a
		berr := s.exec(ctx, a, st.body)
		if s.lockHolder[st.idx] != a {
			s.fail("%s releases lock%d held by %s", a.name, st.idx, nameOf(s.lockHolder[st.idx]))
		}
		s.lockHolder[st.idx] = nil
		s.log(a, "release(l%d)", st.idx)
		if err := l.Release(); err != nil {
			s.fail("%s: Release: %v", a.name, err)
		}
		return berr

	case opSem:
		full := s.semHeld == s.p.semValue
		if full && !s.sem.Locked() {
			s.fail("semaphore fully held but not Locked")
		}
		r := &acq{who: a, call: s.tick()}
		before := s.pause(a, &waitInfo{what: "waiting for a semaphore", kind: opSem})
		err := s.sem.Acquire(ctx)
		s.resume(ctx, a)
		r.ret, r.paused, r.ok = s.tick(), s.resumes != before+1, err == nil
		s.semLog = append(s.semLog, r)
		s.log(a, "acquire(sem) = %v", err)
		if err != nil {
			return err
		}
		if s.semHeld >= s.p.semValue {
			s.fail("%s acquired the semaphore, already held %d times", a.name, s.semHeld)
		}
		s.semHeld++
		berr := s.exec(ctx, a, st.body)
		s.semHeld--
		s.log(a, "release(sem)")
		s.sem.Release()
		return berr

	case opPut:
		s.nextVal++
		v := s.nextVal
		full := s.p.queueMax > 0 && s.stored() >= s.p.queueMax
		r := &acq{who: a, call: s.tick(), val: v}
		before := s.pause(a, &waitInfo{what: "waiting for queue space", kind: opPut})
		err := s.queue.Put(ctx, v)
		s.resume(ctx, a)
		r.ret, r.paused, r.ok = s.tick(), s.resumes != before+1, err == nil
		s.putLog = append(s.putLog, r)
		s.log(a, "put(%d) = %v", v, err)
		if err == nil {
			if full && !r.paused {
				s.fail("%s: Put into a full queue did not wait", a.name)
			}
			s.putIndex[v] = len(s.puts)
			s.puts = append(s.puts, v)
			if s.p.queueMax > 0 && s.stored() > s.p.queueMax {
				s.fail("queue of %d holds %d values", s.p.queueMax, s.stored())
			}
		}
		s.checkQueueLen()
		return err

	case opGet:
		empty := s.stored() == 0
		r := &acq{who: a, call: s.tick()}
		s.getters++
		before := s.pause(a, &waitInfo{what: "waiting for a queue item", kind: opGet})
		v, err := s.queue.Get(ctx)
		s.resume(ctx, a)
		s.getters--
		r.ret, r.paused, r.ok, r.val = s.tick(), s.resumes != before+1, err == nil, v
		s.getLog = append(s.getLog, r)
		s.log(a, "get = %d, %v", v, err)
		if err != nil {
			s.failedGets++
			return err
		}
		i, wasPut := s.putIndex[v]
		switch {
		case !wasPut:
			s.fail("%s got %d, which was never put", a.name, v)
		case s.got[v]:
			s.fail("%s got %d a second time", a.name, v)
		case empty && !r.paused:
			s.fail("%s: Get on an empty queue did not wait", a.name)
		case !r.paused:
			// It took the queue's head: every older value not yet
			// got must be handed to another task still inside Get.
			older := 0
			for _, u := range s.puts[:i] {
				if !s.got[u] {
					older++
				}
			}
			if older > s.getters {
				s.fail("%s got %d at once, but %d older values were in the queue", a.name, v, older)
			}
		}
		s.got[v] = true
		s.checkQueueLen()
		return nil

	case opCancel:
		target := s.top[st.idx]
		err := target.task.Cancel()
		s.log(a, "cancel(%s) = %v", target.name, err)
		switch {
		case target.task == asyncio.CurrentTask(ctx):
			if !errors.Is(err, asyncio.ErrCancelSelf) {
				s.fail("%s cancelled itself: %v", a.name, err)
			}
		case err == nil:
			if target.returned {
				s.fail("%s cancelled %s, which had returned", a.name, target.name)
			}
			target.cancelReq = true
		case errors.Is(err, asyncio.ErrTaskDone):
			if !target.task.Done() || (target.started && !target.returned) {
				s.fail("Cancel of %s: ErrTaskDone, but it runs", target.name)
			}
		default:
			s.fail("%s: Cancel: %v", a.name, err)
		}
		return nil

	case opWaitFor:
		inner := s.newActor("(waitfor)")
		fn := s.body(inner, st.body)
		start := now()
		w := &waitInfo{what: "waiting with a timeout", kind: opWaitFor}
		var err error
		if st.viaTask {
			inner.task = asyncio.CreateTask(ctx, fn)
			s.pause(a, w)
			err = asyncio.WaitForTask(ctx, d, inner.task)
		} else {
			s.pause(a, w)
			err = asyncio.WaitFor(ctx, d, fn)
		}
		s.resume(ctx, a)
		end := now()
		s.log(a, "waitfor(%d) = %v", st.ms, err)
		switch {
		case errors.Is(err, asyncio.ErrCancelled):
			return err
		case err == nil:
			if end > start+d {
				s.fail("%s: WaitFor(%v) from %v succeeded late, at %v", a.name, d, start, end)
			}
			if !inner.returned || inner.err != nil {
				s.fail("%s: WaitFor returned nil, but its task did not", a.name)
			}
		case errors.Is(err, asyncio.ErrTimeout):
			if end < start+d {
				s.fail("%s: WaitFor(%v) from %v timed out early, at %v", a.name, d, start, end)
			}
			if inner.started && !inner.returned {
				s.fail("%s: WaitFor timed out before its task finished", a.name)
			}
			err = nil
		}
		return err

	case opTimeout:
		start := now()
		err := asyncio.Timeout(ctx, d, func(ctx *asyncio.Ctx) error { return s.exec(ctx, a, st.body) })
		end := now()
		s.log(a, "timeout(%d) = %v", st.ms, err)
		switch {
		case errors.Is(err, asyncio.ErrTimeout) && end < start+d:
			s.fail("%s: Timeout(%v) from %v expired early, at %v", a.name, d, start, end)
		case !errors.Is(err, asyncio.ErrTimeout) && end > start+d:
			s.fail("%s: Timeout(%v) from %v not expired at %v", a.name, d, start, end)
		}
		if errors.Is(err, asyncio.ErrCancelled) {
			return err // a cancellation from elsewhere, perhaps with the timeout
		}
		if errors.Is(err, asyncio.ErrTimeout) {
			return nil // caught
		}
		return err

	case opMoveOn:
		start := now()
		expired, err := asyncio.MoveOnAfter(ctx, d, func(ctx *asyncio.Ctx) error { return s.exec(ctx, a, st.body) })
		end := now()
		s.log(a, "moveon(%d) = %v, %v", st.ms, expired, err)
		switch {
		case expired && end < start+d:
			s.fail("%s: MoveOnAfter(%v) from %v expired early, at %v", a.name, d, start, end)
		case !expired && end > start+d:
			s.fail("%s: MoveOnAfter(%v) from %v not expired at %v", a.name, d, start, end)
		}
		return err
	}
	panic("unknown step")
}

func (s *sim) checkEvent(i int) {
	if s.events[i].IsSet() != s.eventSet[i] {
		s.fail("event %d: IsSet %v, model %v", i, s.events[i].IsSet(), s.eventSet[i])
	}
}

// stored is how many values were put and not yet got: in the queue, or
// handed to a getter that has not resumed.
func (s *sim) stored() int { return len(s.puts) - len(s.got) }

func (s *sim) checkQueueLen() {
	if n := s.queue.Len(); n > s.stored() {
		s.fail("queue Len %d, but only %d values were put and not got", n, s.stored())
	}
}

// stuck reports whether the model says w can never be satisfied as things
// stand: what a deadlocked task may wait for.
func (s *sim) stuck(w *waitInfo) bool {
	switch w.kind {
	case opWait:
		return !s.eventSet[w.idx] && w.cohort == nil
	case opLock:
		return s.lockHolder[w.idx] != nil
	case opSem:
		return s.semHeld == s.p.semValue
	case opGet:
		return s.stored() == 0
	case opPut:
		return s.p.queueMax > 0 && s.stored() >= s.p.queueMax
	}
	return false
}

// runMain is the program's main task: it starts the tasks, awaits them all,
// then empties the queue.
func (s *sim) runMain(ctx *asyncio.Ctx) error {
	s.main.task = asyncio.CurrentTask(ctx)
	s.resume(ctx, s.main)
	var tasks []*asyncio.Task
	for i, steps := range s.p.tasks {
		a := s.newActor("t" + strconv.Itoa(i))
		a.task = asyncio.CreateTask(ctx, s.body(a, steps), asyncio.Named(a.name))
		s.top = append(s.top, a)
		tasks = append(tasks, a.task)
	}
	if s.p.rescueAt >= 0 {
		steps := []step{{kind: opSleep, ms: s.p.rescueAt}}
		for e := range s.p.events {
			steps = append(steps, step{kind: opSet, idx: e})
		}
		a := s.newActor("rescue")
		a.task = asyncio.CreateTask(ctx, s.body(a, steps), asyncio.Named(a.name))
		tasks = append(tasks, a.task)
	}
	s.pause(s.main, &waitInfo{what: "gathering"})
	errs, err := asyncio.GatherErrors(ctx, tasks...)
	s.resume(ctx, s.main)
	defer func() { s.running = nil }()
	s.log(s.main, "gather = %v, %v", errs, err)
	if err != nil {
		if !s.closing { // Close cancels main after a deadlock
			s.fail("GatherErrors: %v", err)
		}
		return err
	}
	for i, a := range s.actors[:len(tasks)] {
		if errs[i] != a.task.Err() {
			s.fail("GatherErrors gave %v for %s, whose Err is %v", errs[i], a.name, a.task.Err())
		}
		switch {
		case !a.started:
			if !a.cancelReq || !errors.Is(errs[i], asyncio.ErrCancelled) {
				s.fail("%s never started, ended with %v", a.name, errs[i])
			}
		case errs[i] != a.err:
			s.fail("%s returned %v, but its task ended with %v", a.name, a.err, errs[i])
		case errors.Is(a.err, asyncio.ErrCancelled) && !a.cancelReq:
			s.fail("%s was cancelled, but nobody cancelled it", a.name)
		}
	}
	// What is left in the queue comes out in the order it was put.
	var want, got []int
	for _, v := range s.puts {
		if !s.got[v] {
			want = append(want, v)
		}
	}
	for {
		v, err := s.queue.GetNowait()
		if err != nil {
			break
		}
		got = append(got, v)
		s.got[v] = true
	}
	if !slices.Equal(got, want) {
		s.fail("left in the queue: %v, want %v", got, want)
	}
	return nil
}

func runProgram(p *program) result {
	s := &sim{
		p:          p,
		eventSet:   make([]bool, p.events),
		eventWaits: make([][]*waitInfo, p.events),
		lockHolder: make([]*actor, p.locks),
		lockLog:    make([][]*acq, p.locks),
		sem:        asyncio.NewSemaphore(p.semValue),
		queue:      asyncio.NewQueue[int](p.queueMax),
		putIndex:   map[int]int{},
		got:        map[int]bool{},
		main:       &actor{name: "main"},
	}
	for range p.events {
		s.events = append(s.events, &asyncio.Event{})
	}
	for range p.locks {
		s.locks = append(s.locks, &asyncio.Lock{})
	}
	s.loop = asyncio.NewLoop(asyncio.VirtualClock(), asyncio.WithExceptionHandler(func(_ *asyncio.Loop, c asyncio.ExceptionContext) {
		s.fail("exception handler called: %s: %v", c.Message, c.Err)
	}))
	mainTask := s.loop.CreateTask(s.runMain, asyncio.Named("main"))
	err := s.loop.RunUntilComplete(mainTask)
	s.trace = append(s.trace, fmt.Sprintf("%v run = %v", s.loop.Time(), err))

	var dl *asyncio.DeadlockError
	switch {
	case err == nil:
		s.checkPrimitives()
	case errors.As(err, &dl) && errors.Is(err, asyncio.ErrDeadlock):
		s.checkPrimitives()
		s.checkDeadlock(dl)
	default:
		s.fail("run: %v", err)
	}
	s.closing = true
	if err := s.loop.Close(); err != nil {
		s.fail("Close: %v", err)
	}
	if !mainTask.Done() {
		s.fail("main not done after Close")
	}
	for _, a := range s.actors {
		if a.started && !a.returned || a.task != nil && !a.task.Done() {
			s.fail("%s not finished after Close", a.name)
		}
	}
	if s.running != nil {
		s.fail("%s still running after Close", s.running.name)
	}
	for i, log := range s.lockLog {
		s.checkFIFO(fmt.Sprintf("lock%d", i), log, true)
	}
	s.checkFIFO("semaphore", s.semLog, false)
	s.checkFIFO("queue Put", s.putLog, false)
	s.checkFIFO("queue Get", s.getLog, false)
	if s.failedGets == 0 {
		s.checkGetValues()
	}
	return result{trace: s.trace, problems: s.problems}
}

// checkPrimitives compares the primitives with the model once the loop has
// stopped, when no hand-off can be in flight.
func (s *sim) checkPrimitives() {
	for i, l := range s.locks {
		if l.Locked() != (s.lockHolder[i] != nil) {
			s.fail("lock%d: Locked %v, holder %s", i, l.Locked(), nameOf(s.lockHolder[i]))
		}
	}
	if s.sem.Locked() != (s.semHeld == s.p.semValue) {
		s.fail("semaphore: Locked %v, held %d of %d", s.sem.Locked(), s.semHeld, s.p.semValue)
	}
	if s.queue.Len() != s.stored() {
		s.fail("queue: Len %d, model %d", s.queue.Len(), s.stored())
	}
	for i := range s.events {
		s.checkEvent(i)
	}
}

// checkDeadlock checks that the loop reports exactly the tasks the model
// says are stuck, each with what it waits for.
func (s *sim) checkDeadlock(dl *asyncio.DeadlockError) {
	want := []string{`task "main" (gathering)`}
	for _, a := range s.actors {
		switch {
		case a.returned:
			continue
		case !a.started:
			if a.task != nil && !a.task.Done() {
				s.fail("deadlock, but %s never started", a.name)
			}
			continue
		case a.waiting == nil:
			s.fail("deadlock, but %s is not paused", a.name)
			continue
		case a.waiting.kind == opWaitFor:
			// Its timer fires, or its task's end wakes it; once the time
			// is up it waits for the cancelled task, which cannot wait.
			s.fail("deadlock, but %s is in WaitFor, which always ends", a.name)
			continue
		case !s.stuck(a.waiting):
			s.fail("lost wake-up: %s still %s, which the model says is available", a.name, a.waiting.what)
		}
		want = append(want, fmt.Sprintf("%v (%s)", a.task, a.waiting.what))
	}
	if !slices.Equal(dl.Blocked, want) {
		s.fail("deadlock report:\n  %s\nwant:\n  %s", strings.Join(dl.Blocked, "\n  "), strings.Join(want, "\n  "))
	}
}

// checkFIFO checks that the waiters that paused and then succeeded did so in
// the order they called. With strict (Lock), a call that succeeded at once
// must not have overtaken a waiter that later succeeded.
func (s *sim) checkFIFO(name string, log []*acq, strict bool) {
	var waited []*acq
	for _, r := range log {
		if r.ok && r.paused {
			waited = append(waited, r)
		}
	}
	for i := 1; i < len(waited); i++ {
		if waited[i].ret < waited[i-1].ret {
			s.fail("%s: %s waited after %s but was served first", name, waited[i].who.name, waited[i-1].who.name)
		}
	}
	if !strict {
		return
	}
	for _, r := range log {
		if !r.ok || r.paused {
			continue
		}
		for _, w := range waited {
			if w.call < r.call && r.call < w.ret {
				s.fail("%s: %s took it at once while %s waited", name, r.who.name, w.who.name)
			}
		}
	}
}

// checkGetValues checks, when no Get was cancelled (a cancelled getter may
// pass its value on to a later one), that a getter waiting when another
// called Get received an older value.
func (s *sim) checkGetValues() {
	for _, a := range s.getLog {
		for _, b := range s.getLog {
			if a.ok && b.ok && a.call < b.call && b.call < a.ret && s.putIndex[a.val] > s.putIndex[b.val] {
				s.fail("queue Get: %s waited before %s but got the newer value (%d, %d)", a.who.name, b.who.name, a.val, b.val)
			}
		}
	}
}

// TestPropertyRegression_TimeoutKeepsOthersCancel: a Timeout scope whose
// deadline passes while a cancellation from elsewhere is already pending
// (here WaitFor's, at the same instant) must not report that cancellation as
// its own timeout. It did: the scope returned ErrTimeout, the task carried
// on, and WaitFor waited for its clean-up forever (a deadlock).
func TestPropertyRegression_TimeoutKeepsOthersCancel(t *testing.T) {
	var never asyncio.Event
	var inner error
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		// WaitFor's timer is armed before the scope's, for the same
		// instant: it fires first and cancels the task, then the scope's
		// deadline passes before the task resumes.
		return asyncio.WaitFor(ctx, 2*time.Millisecond, func(ctx *asyncio.Ctx) error {
			inner = asyncio.Timeout(ctx, 2*time.Millisecond, never.Wait)
			if inner != nil && !errors.Is(inner, asyncio.ErrCancelled) {
				return never.Wait(ctx) // the cancellation was lost: this hangs
			}
			return inner
		})
	}, asyncio.VirtualClock())
	if !errors.Is(err, asyncio.ErrTimeout) || !errors.Is(inner, asyncio.ErrCancelled) {
		t.Errorf("WaitFor = %v, the Timeout inside it = %v; want ErrTimeout and ErrCancelled", err, inner)
	}
}

// TestPropertyRegression_WaitForKeepsCancelWhenTaskEnds: a task cancelled
// while it is ready to resume from WaitFor, because the awaited task has just
// finished, must get ErrCancelled (Task.Cancel: "a task that is ready but has
// not resumed yet gets ErrCancelled from the await point it resumes at").
// WaitFor returned the task's result instead and the cancellation was lost:
// a WaitFor around such a task then waits for its clean-up forever.
func TestPropertyRegression_WaitForKeepsCancelWhenTaskEnds(t *testing.T) {
	var got error
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		var quick *asyncio.Task
		// Run in this order: waiter parks in WaitForTask; quick returns
		// and so makes waiter ready; canceller cancels waiter.
		waiter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			got = asyncio.WaitForTask(ctx, time.Hour, quick)
			return got
		})
		quick = asyncio.CreateTask(ctx, func(*asyncio.Ctx) error { return nil })
		asyncio.CreateTask(ctx, func(*asyncio.Ctx) error { return waiter.Cancel() })
		waiter.Await(ctx)
		return nil
	}, asyncio.VirtualClock())
	if err != nil || !errors.Is(got, asyncio.ErrCancelled) {
		t.Errorf("Run = %v; WaitForTask in the cancelled task = %v, want ErrCancelled", err, got)
	}
}

// TestPropertyRegression_NestedWaitForEnds is what the random programs found
// from it: the outer WaitFor times out at the instant the inner one's task
// ends, the inner WaitFor loses the cancellation, its task goes on to wait
// for a lock that is never released, and the outer WaitFor never returns.
func TestPropertyRegression_NestedWaitForEnds(t *testing.T) {
	var held asyncio.Lock
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		held.Acquire(ctx) // never released
		return asyncio.WaitFor(ctx, 0, func(ctx *asyncio.Ctx) error {
			if err := asyncio.WaitFor(ctx, 0, func(*asyncio.Ctx) error { return nil }); err != nil {
				return err
			}
			return held.Acquire(ctx)
		})
	}, asyncio.VirtualClock())
	if !errors.Is(err, asyncio.ErrTimeout) {
		t.Errorf("outer WaitFor = %v, want ErrTimeout", err)
	}
}

// TestPropertyRegression_InnerScopeIsNotOutsideCancel: a timeout scope that
// expired and consumed its own cancellation inside another scope, or inside
// a task group's body, is not a cancellation "from elsewhere" for the
// enclosing one. The counted cancels took it for one: the outer Timeout
// returned ErrTimeout joined with ErrCancelled, MoveOnAfter returned
// ErrCancelled, and WithTaskGroup returned ErrCancelled though nobody
// cancelled the task.
func TestPropertyRegression_InnerScopeIsNotOutsideCancel(t *testing.T) {
	ms := time.Millisecond
	inner := func(ctx *asyncio.Ctx) error {
		if err := asyncio.Timeout(ctx, 0, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, ms) }); !errors.Is(err, asyncio.ErrTimeout) {
			return err
		}
		return asyncio.Sleep(ctx, time.Hour)
	}
	var timeout, moveOn, group error
	var expired bool
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		timeout = asyncio.Timeout(ctx, ms, inner)
		expired, moveOn = asyncio.MoveOnAfter(ctx, ms, inner)
		group = asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, _ *asyncio.TaskGroup) error {
			return asyncio.Timeout(ctx, 0, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, ms) })
		})
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if timeout != asyncio.ErrTimeout {
		t.Errorf("outer Timeout = %v, want ErrTimeout alone", timeout)
	}
	if !expired || moveOn != nil {
		t.Errorf("outer MoveOnAfter = %v, %v; want true, nil", expired, moveOn)
	}
	if !errors.Is(group, asyncio.ErrTimeout) || errors.Is(group, asyncio.ErrCancelled) {
		t.Errorf("WithTaskGroup = %v, want the body's ErrTimeout alone", group)
	}
}

// TestPropertyRegression_OnlyOwnDeadlineIsTimeout: "scopes nest: each one
// only reports its own deadline as a timeout". When a cancel from elsewhere
// coincides with an inner scope's deadline, the inner Timeout returns
// ErrTimeout joined with ErrCancelled; the outer scope, whose deadline is an
// hour away, passed that on, so its result matched ErrTimeout too.
func TestPropertyRegression_OnlyOwnDeadlineIsTimeout(t *testing.T) {
	ms := time.Millisecond
	var outer error
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		victim := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			outer = asyncio.Timeout(ctx, time.Hour, func(ctx *asyncio.Ctx) error {
				return asyncio.Timeout(ctx, 5*ms, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
			})
			return outer
		})
		asyncio.Sleep(ctx, 5*ms) // at the inner deadline
		victim.Cancel()
		victim.Await(ctx)
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(outer, asyncio.ErrCancelled) || errors.Is(outer, asyncio.ErrTimeout) {
		t.Errorf("outer Timeout(1h) after 5ms = %v; want ErrCancelled, not a timeout", outer)
	}
}
