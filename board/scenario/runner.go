package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/board/wave"
)

// RecentChanges is how many level changes of the parts involved a failure
// shows.
const RecentChanges = 6

// Failure is why a step failed: what it expected against what it got, and
// the last level changes of the parts involved.
type Failure struct {
	Expected string
	Got      string
	Recent   []string // e.g. "9.000 red 1 (off)"
}

// Error gives the failed step and what was expected against what happened.
func (f *Failure) Error() string {
	return fmt.Sprintf("expected %s, got %s", f.Expected, f.Got)
}

// Status is how a step ended.
type Status string

// The statuses of a step.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped" // after a failed step
)

// Result is how one step went.
type Result struct {
	Step       Step
	Status     Status
	Start, End time.Duration // the loop's times when the step began and ended
	Note       string        // for a pass: what was measured, e.g. "after 20ms"
	Failure    *Failure      // for a failure
}

// Report is the outcome of a scenario's run.
type Report struct {
	Scenario *Scenario
	Results  []Result
	// Ended is true if the program ended (its loop closed) during the
	// scenario, at EndedAt; the board stood still from then on.
	Ended   bool
	EndedAt time.Duration
	Err     error // a problem outside the steps: a part the board lacks
}

// Passed reports whether every step passed.
func (r *Report) Passed() bool {
	if r.Err != nil {
		return false
	}
	for _, res := range r.Results {
		if res.Status != Passed {
			return false
		}
	}
	return true
}

// FormatTime formats a time of the loop's clock as seconds with three
// decimals, or nine when it is not a whole millisecond.
func FormatTime(d time.Duration) string {
	if d%time.Millisecond != 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "." + fmt.Sprintf("%09d", int64(d%time.Second))
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// pending is a step that waits: for cond to hold (if cond is set), at most
// until deadline.
type pending struct {
	cond     func() bool
	deadline time.Duration
	timer    *asyncio.Handle
	finish   func(met bool)
}

// Runner plays a scenario on a simulated board, on the board's loop.
type Runner struct {
	sc      *Scenario
	sim     *board.Sim
	loop    *asyncio.Loop
	console *Console
	done    func(*Report)

	report   Report
	i        int
	started  bool
	finished bool
	ended    bool
	cursor   time.Duration // the time once the program has ended
	pend     *pending

	changes []wave.Change
	cur     map[string]int
	from    int           // the index in changes where the step began
	start   time.Duration // when the step began
	input   time.Duration // the time of the last input step
	inputAt int           // the index in changes then; -1 before any input
	serial  int           // console lines before this are used up
}

// Start plays sc on sim once the program has started (it must be called on
// the loop's goroutine, or before the loop runs): at the time it is called,
// after the tasks that are ready then, and those they start at once, have
// run up to their first wait. console, which may be nil for
// a scenario without serial steps, is the program's console. done is
// called, on the loop's goroutine, with the report once the last step has
// run, or once the loop has closed: when the program ends first, the rest
// of the scenario runs on the board as it was left, and time-driven steps
// see nothing change. Steps after a failed one are skipped.
func Start(sc *Scenario, sim *board.Sim, console *Console, done func(*Report)) *Runner {
	r := &Runner{sc: sc, sim: sim, loop: sim.Loop(), console: console, done: done, cur: map[string]int{}, inputAt: -1}
	r.report.Scenario = sc
	for _, s := range sim.Waveform().Signals {
		r.cur[s.Name] = s.Init
	}
	for _, c := range sim.Levels() {
		r.cur[c.Signal] = c.Value
	}
	sim.OnLevel(r.onLevel)
	if console != nil {
		console.onLine = func(Line) { r.check() }
	}
	r.loop.OnClose(r.closed)
	// The scenario begins once the program has started: after the tasks
	// ready now, and those they start at once, have had their first turn
	// (a timer due now fires after the tasks ready when it is found due).
	err := r.loop.CallSoon(func() {
		r.loop.CallSoon(func() { r.loop.CallLater(0, r.begin) })
	})
	if err != nil {
		r.closed()
	}
	return r
}

func (r *Runner) now() time.Duration {
	if r.ended {
		return r.cursor
	}
	return r.loop.Time()
}

func (r *Runner) onLevel(c wave.Change) {
	if r.finished {
		return
	}
	r.changes = append(r.changes, c)
	r.cur[c.Signal] = c.Value
	r.check()
}

// check resolves the pending wait if its condition now holds; the scenario
// goes on at the loop's next turn, not inside the program's call.
func (r *Runner) check() {
	p := r.pend
	if r.finished || p == nil || p.cond == nil || !p.cond() {
		return
	}
	r.pend = nil
	if p.timer != nil {
		p.timer.Cancel()
	}
	if r.ended {
		p.finish(true)
		r.run()
		return
	}
	r.loop.CallSoon(func() {
		p.finish(true)
		r.run()
	})
}

// closed runs when the loop closes: the rest runs on the board as it is.
func (r *Runner) closed() {
	if r.finished {
		return
	}
	r.report.Ended, r.report.EndedAt = true, r.loop.Time()
	r.ended, r.cursor = true, r.loop.Time()
	if !r.started {
		r.begin()
		return
	}
	if p := r.pend; p != nil {
		r.pend = nil
		met := p.cond != nil && p.cond()
		if !met {
			r.cursor = max(r.cursor, p.deadline)
		}
		p.finish(met)
	}
	r.run()
}

func (r *Runner) begin() {
	if r.started {
		return
	}
	r.started = true
	// Parts added since Start (a board a program fills after NewSim).
	for _, s := range r.sim.Waveform().Signals {
		if _, ok := r.cur[s.Name]; !ok {
			r.cur[s.Name] = s.Init
		}
	}
	if err := r.checkParts(); err != nil {
		r.report.Err = err
		r.end()
		return
	}
	r.run()
}

// checkParts checks that the board has every part the steps name, of the
// right kind.
func (r *Runner) checkParts() error {
	var errs []error
	for _, st := range r.sc.Steps {
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("line %d: step %d (%s): %s", st.Line, st.Index, st.Kind, fmt.Sprintf(format, a...)))
		}
		switch st.Kind {
		case Press, Release, Hold:
			if r.sim.SimButton(st.Part) == nil {
				bad("the board has no button %q (its parts: %s)", st.Part, strings.Join(r.sim.Parts(), ", "))
			}
		case SetPin:
			if r.sim.SimPin(st.Part) == nil {
				bad("the board has no input pin or button %q (its parts: %s)", st.Part, strings.Join(r.sim.Parts(), ", "))
			}
		case Type, WaitSerial, ExpectSerial:
			if r.console == nil {
				bad("this run has no serial console")
			}
		case Delay:
		case ExpectNoChange:
			for _, p := range st.Parts {
				if !r.has(p) {
					bad("the board has no part %q (its parts: %s)", p, strings.Join(r.sim.Parts(), ", "))
				}
			}
		default:
			if st.LED {
				if _, err := r.sim.LED(st.Part); err != nil {
					bad("the board has no LED %q (its parts: %s)", st.Part, strings.Join(r.sim.Parts(), ", "))
				}
			} else if !r.has(st.Part) {
				bad("the board has no part %q (its parts: %s)", st.Part, strings.Join(r.sim.Parts(), ", "))
			}
		}
	}
	return errors.Join(errs...)
}

func (r *Runner) has(name string) bool {
	_, ok := r.cur[name]
	return ok
}

// lit reports whether an LED with pin value v is lit.
func (r *Runner) lit(name string, v int) bool {
	if l := r.sim.SimPWMLED(name); l != nil {
		if l.Polarity() == board.ActiveLow {
			return v < 100
		}
		return v > 0
	}
	if l := r.sim.SimLED(name); l != nil {
		return (v == 1) != (l.Polarity() == board.ActiveLow)
	}
	return v == 1
}

// value is what the step looks at: 1 lit and 0 out for an LED, the level
// for a pin.
func (r *Runner) value(st Step, v int) int {
	if st.LED {
		if r.lit(st.Part, v) {
			return 1
		}
		return 0
	}
	return v
}

func (r *Runner) want(st Step) int {
	if st.LED {
		if st.On {
			return 1
		}
		return 0
	}
	return st.Level
}

func (r *Runner) describe(st Step, v int) string {
	if st.LED {
		if v == 1 {
			return "on"
		}
		return "off"
	}
	return strconv.Itoa(v)
}

// run plays steps until one waits or none is left.
func (r *Runner) run() {
	for !r.finished && r.pend == nil && r.i < len(r.sc.Steps) {
		r.from, r.start = len(r.changes), r.now()
		r.exec(r.sc.Steps[r.i])
	}
	if !r.finished && r.pend == nil && r.i >= len(r.sc.Steps) {
		r.end()
	}
}

func (r *Runner) end() {
	r.finished = true
	for ; r.i < len(r.sc.Steps); r.i++ {
		r.report.Results = append(r.report.Results, Result{Step: r.sc.Steps[r.i], Status: Skipped, Start: r.now(), End: r.now()})
	}
	if r.done != nil {
		r.done(&r.report)
	}
}

func (r *Runner) pass(note string) {
	st := r.sc.Steps[r.i]
	r.report.Results = append(r.report.Results, Result{Step: st, Status: Passed, Start: r.start, End: r.now(), Note: note})
	r.i++
}

func (r *Runner) fail(expected, got string) {
	st := r.sc.Steps[r.i]
	f := &Failure{Expected: expected, Got: got, Recent: r.recent(st)}
	r.report.Results = append(r.report.Results, Result{Step: st, Status: Failed, Start: r.start, End: r.now(), Failure: f})
	r.i++
	r.end()
}

// recent lists the last level changes of the parts the step involves.
func (r *Runner) recent(st Step) []string {
	parts := st.Parts
	if st.Part != "" {
		parts = []string{st.Part}
	}
	involved := func(name string) bool {
		if len(parts) == 0 {
			return true
		}
		for _, p := range parts {
			if p == name {
				return true
			}
		}
		return false
	}
	var out []string
	for i := len(r.changes) - 1; i >= 0 && len(out) < RecentChanges; i-- {
		c := r.changes[i]
		if !involved(c.Signal) {
			continue
		}
		s := fmt.Sprintf("%s %s %d", FormatTime(c.At), c.Signal, c.Value)
		if _, err := r.sim.LED(c.Signal); err == nil {
			s += map[bool]string{true: " (on)", false: " (off)"}[r.lit(c.Signal, c.Value)]
		}
		out = append(out, s)
	}
	if len(out) == 0 && len(parts) > 0 {
		out = append(out, "(no change of "+strings.Join(parts, ", ")+" so far)")
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// wait makes the current step wait until cond holds (if cond is not nil)
// or d has passed, then calls finish.
func (r *Runner) wait(d time.Duration, cond func() bool, finish func(met bool)) {
	if cond != nil && cond() {
		finish(true)
		return
	}
	deadline := r.now() + d
	if r.ended {
		r.cursor = deadline
		finish(false)
		return
	}
	p := &pending{cond: cond, deadline: deadline, finish: finish}
	r.pend = p
	p.timer = r.loop.CallAt(deadline, func() {
		if r.pend != p {
			return
		}
		r.pend = nil
		finish(false)
		r.run()
	})
}

func (r *Runner) afterEnd(what string) bool {
	if !r.ended {
		return false
	}
	r.fail(what, fmt.Sprintf("the program ended at %s", FormatTime(r.report.EndedAt)))
	return true
}

func (r *Runner) markInput() {
	r.input, r.inputAt = r.now(), len(r.changes)
}

func (r *Runner) exec(st Step) {
	switch st.Kind {
	case Press, Release:
		if r.afterEnd(fmt.Sprintf("to %s %s", st.Kind, st.Part)) {
			return
		}
		r.markInput()
		if st.Kind == Press {
			r.sim.SimButton(st.Part).Press()
		} else {
			r.sim.SimButton(st.Part).Release()
		}
		r.pass("")
	case Hold:
		if r.afterEnd("to press " + st.Part) {
			return
		}
		r.markInput()
		b := r.sim.SimButton(st.Part)
		b.Press()
		r.wait(st.For, nil, func(bool) {
			if !r.ended {
				b.Release()
			}
			r.pass("")
		})
	case SetPin:
		if r.afterEnd("to drive " + st.Part) {
			return
		}
		r.markInput()
		p := r.sim.SimPin(st.Part)
		if st.Level < 0 {
			p.Float()
		} else {
			p.Drive(st.Level == 1)
		}
		r.pass("")
	case Type:
		if r.afterEnd(fmt.Sprintf("to type %q", st.Text)) {
			return
		}
		r.markInput()
		r.console.Type(st.Text)
		r.pass("")
	case Delay:
		r.wait(st.For, nil, func(bool) { r.pass("") })
	case WaitPin, WaitLED:
		want := r.want(st)
		r.wait(st.Timeout, func() bool { return r.value(st, r.cur[st.Part]) == want }, func(met bool) {
			if met {
				r.pass(fmt.Sprintf("after %v", r.now()-r.start))
				return
			}
			got := fmt.Sprintf("%s still %s at %s", st.Part, r.describe(st, r.value(st, r.cur[st.Part])), FormatTime(r.now()))
			if r.ended {
				got += fmt.Sprintf(" (the program ended at %s)", FormatTime(r.report.EndedAt))
			}
			r.fail(fmt.Sprintf("%s %s within %v", st.Part, r.describe(st, want), st.Timeout), got)
		})
	case WaitSerial:
		r.wait(st.Timeout, func() bool { return r.findLine(st) }, func(met bool) {
			if met {
				r.pass(fmt.Sprintf("after %v", r.now()-r.start))
				return
			}
			r.fail(fmt.Sprintf("a line %s within %v", serialWant(st), st.Timeout), r.linesSince())
		})
	case ExpectPin, ExpectLED:
		want, got := r.want(st), r.value(st, r.cur[st.Part])
		if got == want {
			r.pass("")
			return
		}
		r.fail(fmt.Sprintf("%s %s", st.Part, r.describe(st, want)), fmt.Sprintf("%s %s", st.Part, r.describe(st, got)))
	case ExpectSerial:
		if r.findLine(st) {
			r.pass("")
			return
		}
		r.fail(fmt.Sprintf("a line %s", serialWant(st)), r.linesSince())
	case ExpectResponse:
		r.response(st)
	case ExpectNoChange:
		watched := func(name string) bool {
			if len(st.Parts) == 0 {
				return true
			}
			for _, p := range st.Parts {
				if p == name {
					return true
				}
			}
			return false
		}
		from := r.from
		var hit *wave.Change
		cond := func() bool {
			for i := from; i < len(r.changes); i++ {
				if watched(r.changes[i].Signal) {
					hit = &r.changes[i]
					return true
				}
			}
			return false
		}
		r.wait(st.For, cond, func(met bool) {
			if !met {
				r.pass("")
				return
			}
			got := fmt.Sprintf("%s changed to %d at %s", hit.Signal, hit.Value, FormatTime(hit.At))
			if _, err := r.sim.LED(hit.Signal); err == nil {
				got = fmt.Sprintf("%s turned %s at %s", hit.Signal, map[bool]string{true: "on", false: "off"}[r.lit(hit.Signal, hit.Value)], FormatTime(hit.At))
			}
			r.fail(fmt.Sprintf("no change for %v from %s", st.For, FormatTime(r.start)), got)
		})
	case ExpectPeriod:
		from, v0 := r.from, r.value(st, r.cur[st.Part])
		r.wait(st.For, nil, func(bool) { r.period(st, from, v0) })
	case ExpectDuty:
		from, v0 := r.from, r.value(st, r.cur[st.Part])
		r.wait(st.For, nil, func(bool) { r.duty(st, from, v0) })
	}
}

func serialWant(st Step) string {
	if st.Match != nil {
		return "matching /" + st.Match.String() + "/"
	}
	return strconv.Quote(st.Text)
}

// findLine looks for the step's line among those not yet used up, and uses
// up the lines to it.
func (r *Runner) findLine(st Step) bool {
	lines := r.console.lines
	for i := r.serial; i < len(lines); i++ {
		if st.Match != nil && st.Match.MatchString(lines[i].Text) || st.Match == nil && lines[i].Text == st.Text {
			r.serial = i + 1
			return true
		}
	}
	return false
}

func (r *Runner) linesSince() string {
	lines := r.console.lines[r.serial:]
	if len(lines) == 0 {
		return "no line since " + FormatTime(r.lastSerial())
	}
	if len(lines) > RecentChanges {
		lines = lines[len(lines)-RecentChanges:]
	}
	var b []string
	for _, l := range lines {
		b = append(b, fmt.Sprintf("%s %q", FormatTime(l.At), l.Text))
	}
	return "lines " + strings.Join(b, ", ")
}

func (r *Runner) lastSerial() time.Duration {
	if r.serial > 0 {
		return r.console.lines[r.serial-1].At
	}
	return 0
}

// response checks that the part reaches the wanted value within st.Within
// of the last input step.
func (r *Runner) response(st Step) {
	if r.inputAt < 0 {
		r.fail("an input step before it", "none")
		return
	}
	want := r.want(st)
	var at time.Duration
	found := func() bool {
		for i := r.inputAt; i < len(r.changes); i++ {
			c := r.changes[i]
			if c.Signal == st.Part && r.value(st, c.Value) == want {
				at = c.At
				return true
			}
		}
		return false
	}
	judge := func(met bool) {
		if met && at-r.input <= st.Within {
			r.pass(fmt.Sprintf("after %v", at-r.input))
			return
		}
		expected := fmt.Sprintf("%s %s within %v of the input at %s", st.Part, r.describe(st, want), st.Within, FormatTime(r.input))
		if met {
			r.fail(expected, fmt.Sprintf("after %v, at %s", at-r.input, FormatTime(at)))
			return
		}
		r.fail(expected, fmt.Sprintf("%s still %s at %s", st.Part, r.describe(st, r.value(st, r.cur[st.Part])), FormatTime(r.now())))
	}
	if found() {
		judge(true)
		return
	}
	left := r.input + st.Within - r.now()
	if left < 0 {
		judge(false)
		return
	}
	r.wait(left, found, judge)
}

// edges returns the times at which the step's part changed (to value 1
// only, if rising) from changes[from:], its values seen as the step sees
// them.
func (r *Runner) edges(st Step, from, v0 int, rising bool) []time.Duration {
	var ts []time.Duration
	v := v0
	for _, c := range r.changes[from:] {
		if c.Signal != st.Part {
			continue
		}
		nv := r.value(st, c.Value)
		if nv == v {
			continue
		}
		v = nv
		if !rising || nv == 1 {
			ts = append(ts, c.At)
		}
	}
	return ts
}

func (r *Runner) period(st Step, from, v0 int) {
	gap, what := st.Every, "toggle"
	if st.Period > 0 {
		gap, what = st.Period, "rising edge"
		if st.LED {
			what = "turn-on"
		}
	}
	end := r.now()
	ts := r.edges(st, from, v0, st.Period > 0)
	lo, hi := gap-st.Tolerance, gap+st.Tolerance
	expected := fmt.Sprintf("a %s every %v ± %v from %s to %s", what, gap, st.Tolerance, FormatTime(r.start), FormatTime(end))
	if len(ts) == 0 {
		r.fail(expected, fmt.Sprintf("no %s", what))
		return
	}
	if ts[0]-r.start > hi {
		r.fail(expected, fmt.Sprintf("the first %s at %s, %v after the start", what, FormatTime(ts[0]), ts[0]-r.start))
		return
	}
	var min, max time.Duration
	for i := 1; i < len(ts); i++ {
		d := ts[i] - ts[i-1]
		if i == 1 || d < min {
			min = d
		}
		if d > max {
			max = d
		}
		if d < lo || d > hi {
			r.fail(expected, fmt.Sprintf("%v between the %ss at %s and %s", d, what, FormatTime(ts[i-1]), FormatTime(ts[i])))
			return
		}
	}
	if last := ts[len(ts)-1]; end-last > hi {
		r.fail(expected, fmt.Sprintf("the last %s at %s, then none for %v", what, FormatTime(last), end-last))
		return
	}
	note := fmt.Sprintf("%d %ss", len(ts), what)
	if len(ts) > 1 {
		note += fmt.Sprintf(", %v to %v apart", min, max)
	}
	r.pass(note)
}

func (r *Runner) duty(st Step, from, v0 int) {
	end := r.now()
	var high time.Duration
	v, t := v0, r.start
	for _, c := range r.changes[from:] {
		if c.Signal != st.Part {
			continue
		}
		if v == 1 {
			high += c.At - t
		}
		v, t = r.value(st, c.Value), c.At
	}
	if v == 1 {
		high += end - t
	}
	span := end - r.start
	got := 100 * float64(high) / float64(span)
	what := "high"
	if st.LED {
		what = "lit"
	}
	if got < st.Duty-st.DutyTol || got > st.Duty+st.DutyTol {
		r.fail(fmt.Sprintf("%s %g%% ± %g of %v", what, st.Duty, st.DutyTol, span), fmt.Sprintf("%.2f%% (%v of %v)", got, high, span))
		return
	}
	r.pass(fmt.Sprintf("%.2f%% %s", got, what))
}
