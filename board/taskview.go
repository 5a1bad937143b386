//go:build !tinygo

package board

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/wire"
)

// taskView is the asyncio.Instrument that sends the viewer each change of a
// task's state (wire.Task): it is installed only while a viewer is
// attached, so that a board without one adds nothing to a task's step. It
// runs on the loop's goroutine.
type taskView struct {
	v       *viewer
	ids     map[*asyncio.Task]int64
	next    int64
	running *asyncio.Task // the task whose step runs, nil between steps
	runFrom time.Time     // the real start of its step
	dropped int           // changes not queued because the viewer fell behind
	limited int           // changes not sent because they came too fast (allow)
	tokens  float64       // changes that may be sent now (allow)
	refill  time.Time     // when tokens was last topped up
	timer   *time.Timer   // runs catchUp later; guarded by v.mu
	// held is a task whose step ended with it ready, and that run's real
	// duration: it may have yielded, or returned (TaskExited comes after
	// AfterTaskStep), so the change waits for the next event to say which.
	held     *asyncio.Task
	heldWall time.Duration
}

var _ asyncio.Instrument = (*taskView)(nil)

// watchTasks installs the instrument, and sends the tasks there already.
// It runs on the loop's goroutine or before the loop runs.
func (v *viewer) watchTasks() {
	tv := &taskView{v: v, ids: map[*asyncio.Task]int64{}, runFrom: time.Now()}
	for _, t := range v.loop.Tasks() {
		state, text := tv.state(t)
		if state == wire.TaskRunning {
			tv.running = t
			// The instrument sees the steps from the next on: what this
			// one stops at is told once it has.
			v.loop.CallSoon(func() {
				if tv.running == t {
					tv.AfterTaskStep(t)
				}
			})
		}
		tv.send(t, state, text, 0)
	}
	v.loop.AddInstrument(tv)
	v.tasks = tv
}

// unwatchTasks removes the instrument; it runs on the loop's goroutine.
func (v *viewer) unwatchTasks() {
	if v.tasks != nil {
		v.loop.RemoveInstrument(v.tasks)
		v.tasks.stop()
		v.tasks = nil
	}
}

// id returns t's number, giving it one if it has none yet.
func (tv *taskView) id(t *asyncio.Task) (int64, bool) {
	if id, ok := tv.ids[t]; ok {
		return id, false
	}
	id := tv.next
	tv.next++
	tv.ids[t] = id
	return id, true
}

// state describes what t is doing now: its wire state and what it waits for.
func (tv *taskView) state(t *asyncio.Task) (state, text string) {
	in := t.Info()
	switch in.State {
	case asyncio.TaskNew:
		state = wire.TaskNew
	case asyncio.TaskReady:
		state = wire.TaskReady
	case asyncio.TaskRunning:
		state = wire.TaskRunning
	case asyncio.TaskSleeping:
		state, text = wire.TaskSleeping, fmt.Sprintf("sleeping until %.3fs", in.Until.Seconds())
	case asyncio.TaskDone:
		state = wire.TaskDone
	default:
		state, text = wire.TaskWaiting, in.WaitsFor
	}
	if in.Awaiting != nil && state == wire.TaskWaiting {
		text = "awaiting " + in.Awaiting.Name()
	}
	if in.Cancelled && state != wire.TaskDone {
		text += " (cancelled)"
	}
	return state, text
}

// send queues a change of t's state. A viewer that falls behind by
// maxQueue messages loses changes; once it has caught up by half, it is
// told how many and gets every task's state afresh.
//
// Tasks that change faster than taskRate times a second of real time (a
// task that yields in a loop) are not sent each change either: the changes
// beyond are counted, and the viewer is told how many, with every task's
// state afresh, once the rate allows, or catchUpAfter later.
func (tv *taskView) send(t *asyncio.Task, state, text string, wall time.Duration) {
	if !tv.allow() {
		tv.limited++
		tv.later()
		return
	}
	v := tv.v
	v.mu.Lock()
	full := len(v.queue) >= maxQueue
	v.mu.Unlock()
	if full {
		tv.dropped++
		tv.later()
		return
	}
	if tv.dropped > 0 || tv.limited > 0 {
		tv.catchUp(t)
	}
	tv.message(t, state, text, wall)
}

// How fast task changes may go to the viewer: taskRate a second of real
// time on average, taskBurst at once. Tests lower them.
var (
	taskRate  = 5000.0
	taskBurst = 5000.0
)

// catchUpAfter is how soon after changes were not sent the viewer gets
// every task's state afresh, if no change has brought it sooner.
const catchUpAfter = 100 * time.Millisecond

// allow takes a token for a change, if there is one.
func (tv *taskView) allow() bool {
	now := time.Now()
	if tv.refill.IsZero() {
		tv.tokens = taskBurst
	} else {
		tv.tokens = min(taskBurst, tv.tokens+now.Sub(tv.refill).Seconds()*taskRate)
	}
	tv.refill = now
	if tv.tokens >= 1 {
		tv.tokens--
		return true
	}
	return false
}

// catchUp tells the viewer how many changes it was not sent and sends
// every task's state afresh (but skip's, whose change comes next), once the
// viewer has caught up by half of maxQueue. It runs on the loop.
func (tv *taskView) catchUp(skip *asyncio.Task) {
	v := tv.v
	v.mu.Lock()
	n := len(v.queue)
	v.mu.Unlock()
	if tv.dropped > 0 && n >= maxQueue/2 {
		tv.later()
		return
	}
	if tv.dropped > 0 {
		v.send(wire.Message{Type: wire.Error, Text: fmt.Sprintf("board: the viewer fell behind; %d task changes were not sent", tv.dropped)})
	}
	if tv.limited > 0 {
		v.send(wire.Message{Type: wire.Error, Text: fmt.Sprintf("board: the tasks changed more than %g times a second; %d changes were not sent", taskRate, tv.limited)})
	}
	tv.dropped, tv.limited = 0, 0
	for other := range tv.ids {
		if other != skip {
			s, x := tv.state(other)
			tv.message(other, s, x, 0)
			tv.tokens-- // they count against the rate too
		}
	}
}

// later makes sure catchUp runs catchUpAfter from now if nothing else
// brings it sooner.
func (tv *taskView) later() {
	v := tv.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if tv.timer != nil {
		return
	}
	tv.timer = time.AfterFunc(catchUpAfter, func() {
		v.loop.CallSoonThreadsafe(func() {
			v.mu.Lock()
			tv.timer = nil
			v.mu.Unlock()
			if v.tasks == tv && (tv.dropped > 0 || tv.limited > 0) {
				tv.catchUp(nil)
			}
		})
	})
}

// stop stops the timer of later.
func (tv *taskView) stop() {
	tv.v.mu.Lock()
	if tv.timer != nil {
		tv.timer.Stop()
	}
	tv.v.mu.Unlock()
}

func (tv *taskView) message(t *asyncio.Task, state, text string, wall time.Duration) {
	tv.v.send(tv.change(t, state, text, wall))
}

// change is the message of a change of t's state.
func (tv *taskView) change(t *asyncio.Task, state, text string, wall time.Duration) wire.Message {
	id, _ := tv.id(t)
	if state == wire.TaskDone {
		delete(tv.ids, t)
	}
	return wire.Message{Type: wire.Task, ID: id, Name: clip(taskName(t), wire.MaxName), At: int64(tv.v.loop.Time()),
		State: state, Text: clip(text, wire.MaxTaskText), Wall: int64(min(max(wall, 0), time.Duration(wire.MaxTaskWall)))}
}

// where answers a wire.Where: a Task for each live task, with its await
// point. It runs on the loop's goroutine, between steps.
func (v *viewer) where() {
	tv := v.tasks
	if tv == nil {
		return
	}
	tv.flush()
	at := v.loop.AwaitPoints()
	for _, t := range v.loop.Tasks() {
		state, text := tv.state(t)
		m := tv.change(t, state, text, 0)
		m.Where = clip(at[t], wire.MaxTaskText)
		v.send(m)
	}
}

func taskName(t *asyncio.Task) string {
	if n := t.Name(); n != "" {
		return n
	}
	return "task"
}

// clip cuts s to at most n bytes, at a character's start.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// flush sends the held change, if any, as it was: the task is ready.
func (tv *taskView) flush() {
	if t := tv.held; t != nil {
		tv.held = nil
		if _, ok := tv.ids[t]; ok && !t.Done() {
			tv.send(t, wire.TaskReady, "", tv.heldWall)
		}
	}
}

// TaskCreated implements asyncio.Instrument.
func (tv *taskView) TaskCreated(t *asyncio.Task) {
	tv.flush()
	tv.send(t, wire.TaskNew, "", 0)
}

// TaskScheduled implements asyncio.Instrument.
func (tv *taskView) TaskScheduled(t, by *asyncio.Task) {
	if t == tv.held || t == tv.running {
		return // it yielded: the change at the step's end says so
	}
	tv.flush()
	if !t.Done() {
		tv.send(t, wire.TaskReady, "", 0)
	}
}

// BeforeTaskStep implements asyncio.Instrument.
func (tv *taskView) BeforeTaskStep(t *asyncio.Task) {
	tv.flush()
	tv.send(t, wire.TaskRunning, "", 0)
	tv.running, tv.runFrom = t, time.Now()
}

// AfterTaskStep implements asyncio.Instrument.
func (tv *taskView) AfterTaskStep(t *asyncio.Task) {
	wall := time.Since(tv.runFrom)
	tv.running = nil
	if _, ok := tv.ids[t]; !ok && t.Done() {
		return // TaskExited has said so
	}
	state, text := tv.state(t)
	if state == wire.TaskReady {
		tv.flush()
		tv.held, tv.heldWall = t, wall
		return
	}
	tv.send(t, state, text, wall)
}

// TaskExited implements asyncio.Instrument.
func (tv *taskView) TaskExited(t *asyncio.Task) {
	if _, ok := tv.ids[t]; ok {
		var wall time.Duration
		switch {
		case tv.held == t:
			wall, tv.held = tv.heldWall, nil
		case tv.running == t:
			wall = time.Since(tv.runFrom)
		default:
			tv.flush()
		}
		tv.send(t, wire.TaskDone, "", wall)
	}
}

// BeforeIdle implements asyncio.Instrument.
func (tv *taskView) BeforeIdle(time.Duration) { tv.flush() }

// AfterIdle implements asyncio.Instrument.
func (tv *taskView) AfterIdle() {}
