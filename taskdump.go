package asyncio

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Tasks returns the loop's unfinished tasks in creation order (CPython's
// all_tasks). It must be called on the loop's goroutine or while the loop is
// not running.
func (l *Loop) Tasks() []*Task {
	tasks := make([]*Task, 0, l.live.n)
	for t := l.live.head; t != nil; t = t.nextLive {
		tasks = append(tasks, t)
	}
	return tasks
}

// TaskState is what a task is doing, for task dumps.
type TaskState string

// The states of a task.
const (
	TaskNew      TaskState = "new"      // created, not started
	TaskReady    TaskState = "ready"    // waiting for its turn
	TaskRunning  TaskState = "running"  // running now
	TaskSleeping TaskState = "sleeping" // in Sleep, until its deadline
	TaskWaiting  TaskState = "waiting"  // for an event, a lock, a task, I/O, ...
	TaskDone     TaskState = "done"
)

// TaskInfo describes a task at one moment: see Task.Info.
type TaskInfo struct {
	Task      *Task
	State     TaskState
	WaitsFor  string        // what a waiting task waits for ("waiting for an event", ...)
	Until     time.Duration // a sleeping task's deadline on the loop's clock
	Awaiting  *Task         // the task it awaits, if any
	Cancelled bool          // a cancellation is on its way to it
	Scopes    []string      // its open scopes, innermost first ("timeout at 1.5s", "task group")
	Creator   string        // the task that created it ("" for one made outside a task)
}

// Info describes what the task is doing now. It must be called on the
// loop's goroutine.
func (t *Task) Info() TaskInfo {
	in := TaskInfo{Task: t, Awaiting: t.awaiting, Cancelled: t.deliver != deliverNone, Creator: t.creator()}
	switch {
	case t.state == taskDone:
		in.State = TaskDone
	case t.loop.current == t:
		in.State = TaskRunning
	case t.blocker == nil && t.state == taskNew:
		in.State = TaskNew
	case t.blocker == nil:
		in.State = TaskReady
	case t.blocker == waitQueue(&t.loop.timers):
		in.State, in.WaitsFor = TaskSleeping, "sleeping"
		in.Until = time.Duration(t.timer.when)
	default:
		in.State, in.WaitsFor = TaskWaiting, t.blocker.describe()
	}
	for s := t.scope; s != nil && s != &t.root; s = s.parent {
		switch {
		case s.handle != nil:
			if at, ok := s.handle.When(); ok {
				in.Scopes = append(in.Scopes, "timeout at "+fmtTime(at))
			} else {
				in.Scopes = append(in.Scopes, "timeout (no deadline)")
			}
		default:
			in.Scopes = append(in.Scopes, "task group")
		}
	}
	return in
}

// String gives the task's line of a dump: name, state, what it waits for.
func (in TaskInfo) String() string {
	var b strings.Builder
	b.WriteString(in.Task.String())
	b.WriteString(": ")
	b.WriteString(string(in.State))
	switch in.State {
	case TaskSleeping:
		b.WriteString(" until " + fmtTime(in.Until))
	case TaskWaiting:
		b.WriteString(" (" + in.WaitsFor + ")")
	}
	if in.Awaiting != nil {
		b.WriteString(", awaiting " + in.Awaiting.String())
	}
	if in.Cancelled {
		b.WriteString(", cancelled")
	}
	for _, s := range in.Scopes {
		b.WriteString(", in " + s)
	}
	return b.String()
}

func fmtTime(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + "s" }

// DumpTasks writes every unfinished task, one per line, with its state,
// what it waits for and where it paused (the file and line of its await
// point, read from its goroutine's stack), then the tree of which task
// created which (CPython's `asyncio ps` and `pstree`). It must be called on
// the loop's goroutine (from a task or callback) or while the loop is not
// running.
func (l *Loop) DumpTasks(w io.Writer) error {
	tasks := l.Tasks()
	where := pausedAt(tasks)
	fmt.Fprintf(w, "%d tasks at %s:\n", len(tasks), fmtTime(l.Time()))
	for _, t := range tasks {
		line := "  " + t.Info().String()
		if at := where[t]; at != "" {
			line += "\n      at " + at
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	children := map[string][]*Task{}
	for _, t := range tasks {
		children[t.creator()] = append(children[t.creator()], t)
	}
	fmt.Fprintln(w, "created by:")
	var tree func(parent string, depth int)
	seen := map[*Task]bool{}
	tree = func(parent string, depth int) {
		for _, t := range children[parent] {
			if seen[t] {
				continue
			}
			seen[t] = true
			fmt.Fprintf(w, "%s%s\n", strings.Repeat("  ", depth+1), t.Name())
			tree(t.Name(), depth+1)
		}
	}
	tree("", 0)
	for _, t := range tasks { // created by a task that has finished
		if !seen[t] {
			fmt.Fprintf(w, "  %s (creator %s has finished)\n", t.Name(), t.creator())
			seen[t] = true
			tree(t.Name(), 1)
		}
	}
	return nil
}

// AwaitPoints returns, for each unfinished task that has run, the function
// and file:line of the await point where it is paused, read from the
// goroutine stacks (a costly call: for tools, on request). It must be called
// on the loop's goroutine or while the loop is not running.
func (l *Loop) AwaitPoints() map[*Task]string { return pausedAt(l.Tasks()) }

// pausedAt finds each task's await point in the stacks of all goroutines: a
// task's coroutine has (*Task).body at its bottom, with the task's address
// as its first argument, and the first frame outside this package above the
// await is where the task paused.
func pausedAt(tasks []*Task) map[*Task]string {
	byAddr := make(map[string]*Task, len(tasks))
	for _, t := range tasks {
		if t.state == taskStarted {
			byAddr[fmt.Sprintf("%p", t)] = t
		}
	}
	out := map[*Task]string{}
	if len(byAddr) == 0 {
		return out
	}
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		i := bytes.Index(g, []byte(bodyFunc+"("))
		if i < 0 {
			continue
		}
		arg := g[i+len(bodyFunc)+1:]
		if j := bytes.IndexAny(arg, ",)"); j > 0 {
			arg = arg[:j]
		}
		t := byAddr[string(arg)]
		if t == nil {
			continue
		}
		lines := strings.Split(string(g), "\n")
		for k := 1; k+1 < len(lines); k += 2 {
			fn := lines[k]
			if strings.HasPrefix(fn, "github.com/goasyncio/asyncio.") || strings.HasPrefix(fn, "iter.") || strings.HasPrefix(fn, "runtime.") {
				continue
			}
			if p := strings.LastIndexByte(fn, '('); p > 0 {
				fn = fn[:p]
			}
			file := strings.TrimSpace(lines[k+1])
			if p := strings.LastIndex(file, " +0x"); p > 0 {
				file = file[:p]
			}
			out[t] = fn + " (" + file + ")"
			break
		}
	}
	return out
}

// AddDoneCallback arranges for fn to be called on the loop, outside any
// task, soon after the task finishes (CPython's add_done_callback): callbacks
// run in the order they were added, each as its own callback on the run
// queue, and one added to a task that is already done is scheduled at once.
// A panic in fn goes to the exception handler. A done callback does not
// count as retrieving the task's error: one that nobody awaited still
// reaches the exception handler. The returned function removes the callback
// if it has not been scheduled yet (Go cannot compare functions, so it
// stands for CPython's remove_done_callback). It must be called on the
// loop's goroutine. A task with no loop that will run it (one CreateTask
// returned for a Ctx that is not a running task's, or one made on a closed
// loop) is done from birth: fn is called at once.
func (t *Task) AddDoneCallback(fn func(*Task)) (remove func()) {
	if t == nil || fn == nil {
		return func() {}
	}
	l := t.loop
	if l == nil || l.closed {
		if t.state == taskDone {
			fn(t)
		}
		return func() {}
	}
	if t.state == taskDone {
		removed := false
		l.ready.pushItem(runItem{fn: func() {
			if !removed {
				fn(t)
			}
		}})
		return func() { removed = true }
	}
	w := &watch{observe: true}
	w.fn = func(t *Task) { l.ready.pushItem(runItem{fn: func() { fn(t) }}) }
	t.waiters.addWatch(w)
	return func() {
		if t.state != taskDone {
			t.waiters.removeWatch(w)
		}
	}
}
