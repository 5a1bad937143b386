package fuzz

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// coveragePrograms is how many generated programs TestCoverage counts over.
const coveragePrograms = 1000

// features names what a step does in more detail than its kind, so that
// the coverage count sees each form: wait_for on a task or a coroutine,
// in seconds or milliseconds, gather with and without return_exceptions, each
// except clause of a try, and each exception handler.
func features(s *step) []string {
	f := []string{"kind " + s.kind.String()}
	switch s.kind {
	case kWaitFor:
		f = append(f, pick(s.coro, "wait_for coroutine", "wait_for task"), pick(s.ms, "wait_for_ms", "wait_for seconds"))
		if s.n == 0 {
			f = append(f, "wait_for timeout 0")
		}
	case kGather:
		f = append(f, pick(s.ret, "gather return_exceptions", "gather raises"))
		if slices.Contains(s.coros, true) {
			f = append(f, "gather coroutine")
		}
		if slices.Contains(s.coros, false) {
			f = append(f, "gather task")
		}
	case kTry:
		c := [...]string{"try/finally", "except CancelledError", "except Exception"}[s.tryCatch]
		if s.tryCatch != catchNone {
			c += pick(s.reraise, " re-raise", " go on")
		}
		f = append(f, c)
		if slices.ContainsFunc(s.final, func(x step) bool { return x.kind <= kSleepMs || x.kind == kAwait }) {
			f = append(f, "finally that awaits")
		}
	case kHandler:
		f = append(f, "handler "+[...]string{"None", "hA", "hB"}[s.n])
	}
	if s.catch {
		f = append(f, "step catches Exception")
	}
	return f
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// wanted lists what the generated programs must contain and what their runs
// must meet, each at least the given number of times in coveragePrograms
// programs. Lower a number only with a reason: this is what keeps the
// generator's coverage from shrinking unnoticed.
var wanted = map[string]int{
	"kind sleep0": 200, "kind sleep_ms": 200, "kind create": 500, "kind await": 100, "kind cancel": 300,
	"kind wait_for": 200, "kind gather": 100, "kind event.set": 50, "kind event.clear": 20, "kind event.wait": 50,
	"kind lock.acquire": 50, "kind lock.release": 50, "kind raise": 50, "kind try": 100, "kind exception handler": 50,
	"wait_for coroutine": 50, "wait_for task": 50, "wait_for_ms": 50, "wait_for seconds": 50, "wait_for timeout 0": 20,
	"gather return_exceptions": 30, "gather raises": 30, "gather coroutine": 30, "gather task": 30,
	"try/finally": 20, "except CancelledError re-raise": 10, "except CancelledError go on": 10,
	"except Exception re-raise": 10, "except Exception go on": 10, "finally that awaits": 20,
	"handler None": 10, "handler hA": 10, "handler hB": 10, "step catches Exception": 50,

	// Met while the programs run in Go: the target of each cancel, what
	// each try caught, how wait_for ended, deadlocks, double releases.
	"cancel new": 20, "cancel sleeping": 20, "cancel awaiting": 20, "cancel waiting": 1, "cancel self": 20,
	"cancel done": 20, "cancel none": 10, "await new": 20, "await done": 20, "await sleeping": 10,
	"caught CancelledError": 10, "caught ValueError": 2, "wait_for error TimeoutError": 20,
	"wait_for error CancelledError": 10, "wait_for error ValueError": 10, "deadlock": 20, "release unlocked": 20,
}

// TestCoverage counts the step kinds and forms the generator draws, and the
// situations the programs meet in Go, over coveragePrograms programs, and
// fails when one falls below its floor in wanted.
func TestCoverage(t *testing.T) {
	counts := map[string]int{}
	for i := range coveragePrograms {
		p := programs.Example(i)
		p.walk(func(_ int, s *step) {
			for _, f := range features(s) {
				counts[f]++
			}
		})
		for k, v := range interpret(p).seen {
			counts[k] += v
		}
	}
	var missing []string
	for name, floor := range wanted {
		if counts[name] < floor {
			missing = append(missing, name)
			t.Errorf("%q: %d in %d programs, want at least %d", name, counts[name], coveragePrograms, floor)
		}
	}
	for k := range numKinds {
		if _, ok := wanted["kind "+k.String()]; !ok {
			t.Errorf("step kind %v has no floor in wanted", k)
		}
	}
	if testing.Verbose() || len(missing) > 0 {
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString("\n  ")
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(strconv.Itoa(counts[k]))
		}
		t.Logf("in %d programs:%s", coveragePrograms, b.String())
	}
}
