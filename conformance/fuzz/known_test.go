package fuzz

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// divergence is a known difference between the package and MicroPython: a
// bug in the package's core, to be fixed there. A program whose outputs
// differ is explained by a divergence when the Go interpreter met the
// divergence's trigger at or before the first line where the outputs part.
// Fixing the core means deleting the entry: TestKnownDivergences fails once
// its minimal program prints the same in both.
type divergence struct {
	name    string
	why     string
	trigger trigger
	minimal *program // the smallest program the fuzzer found that shows it
}

// strict lists known divergences that must not explain a difference, so
// that the fuzzer shrinks a program that shows one ("all" for every one).
var strict = flag.String("fuzz.strict", "", "comma-separated names of known divergences to treat as failures, or all")

// find names a known divergence to look for: the test fails on a program it
// explains and no other explains first, and rapid shrinks that program to
// a minimal one, the entry's minimal program.
var find = flag.String("fuzz.find", "", "name of a known divergence whose minimal program to look for")

// pure reports whether d is the first known divergence met in c, before
// any other's trigger, and explains c's difference.
func pure(d *divergence, c comparison) bool {
	first := commonPrefix(lines(c.mp.Out), lines(c.goOut.out))
	at, ok := c.goOut.triggers[d.trigger]
	if !ok || at > first {
		return false
	}
	for tr, other := range c.goOut.triggers {
		if tr != d.trigger && other < at {
			return false
		}
	}
	return true
}

// explain returns the known divergence that accounts for c's difference, or nil.
func explain(p *program, c comparison) *divergence {
	first := commonPrefix(lines(c.mp.Out), lines(c.goOut.out))
	for _, d := range knownDivergences {
		if *strict == "all" || strings.Contains(","+*strict+",", ","+d.name+",") {
			continue
		}
		if at, ok := c.goOut.triggers[d.trigger]; ok && at <= first {
			return d
		}
	}
	return nil
}

// commonPrefix is the number of leading lines a and b share.
func commonPrefix(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// knownDivergences lists the divergences of the package's core from
// MicroPython that the fuzzer has found and that are not fixed yet, each
// with the smallest program that shows it (found by -fuzz.find=NAME, then
// trimmed by hand; TestKnownDivergences checks that each still shows its
// divergence, and only it).
var knownDivergences = []*divergence{
	{
		name:    "cancel-forwarded-to-running",
		why:     "a documented difference (docs/differences.md, scenario cancel_own_awaiter), not a bug: a cancel forwarded along an await chain to the task that is running (t1 cancels t0, which awaits t1) is delivered at that task's next await point; in MicroPython it is lost, since the task's next await overwrites it, though cancel() returns True",
		trigger: trigCancelRunning,
		minimal: &program{tasks: [][]step{
			/* t0 */ {{kind: kCreate, task: 1}, {kind: kAwait, task: 1}},
			/* t1 */ {{kind: kCancel}, {kind: kSleep0}},
		}},
	},
	{
		name: "wait_for-runner-after-outside-cancel",
		why: "a documented difference (docs/differences.md): when a wait_for is cancelled from outside after its work has finished but before its runner task ran, " +
			"MicroPython's runner still runs and, finding the task asleep elsewhere, cancels it again (here at the sleep in its finally block): " +
			"one cancel delivered twice; here a cancel is delivered once",
		trigger: trigWaitForCancelled,
		minimal: &program{tasks: [][]step{
			/* t0 */ {{kind: kCreate, task: 1}, {kind: kTry, body: []step{{kind: kWaitFor, task: 2, coro: true, n: 1}}, final: []step{{kind: kSleep0}}}},
			/* t1 */ {},
			/* t2 */ {{kind: kCreate, task: 3}, {kind: kSleep0}},
			/* t3 */ {{kind: kCancel}},
		}},
	},
}

// fixedDivergences are divergences the fuzzer found that the core has since
// fixed: each minimal program must print the same in MicroPython and Go
// (TestFixedDivergences), so that none can come back.
var fixedDivergences = []*divergence{
	{
		name:    "lock-release-handoff",
		why:     "Lock.Release succeeds while the lock is being handed to a waiter that has not resumed yet; MicroPython raises RuntimeError(\"Lock not acquired\")",
		trigger: trigLockHandoff,
		minimal: &program{locks: 1, tasks: [][]step{
			/* t0 */ {{kind: kLockAcquire}, {kind: kCreate, task: 1}, {kind: kSleep0}, {kind: kLockRelease}, {kind: kLockRelease}},
			/* t1 */ {{kind: kLockAcquire}},
		}},
	},
	{
		name:    "wait_for-done-task",
		why:     "WaitForTask on a task that has already finished returns at once; MicroPython's wait_for starts its runner task and sleeps, so the tasks ready now run first (here the exception handler's turn for the failed task)",
		trigger: trigWaitForDone,
		minimal: &program{tasks: [][]step{
			/* t0 */ {{kind: kCreate, task: 1}, {kind: kCreate, task: 2}},
			/* t1 */ {{kind: kSleep0}, {kind: kWaitFor, task: 2, n: 1}},
			/* t2 */ {{kind: kRaise}},
		}},
	},
	{
		name:    "wait_for-result-early",
		why:     "WaitFor returns as soon as the awaited task finishes; MicroPython's wait_for is woken through its runner task, a scheduling round later, so the tasks ready meanwhile run first",
		trigger: trigWaitForResult,
		minimal: &program{tasks: [][]step{
			/* t0 */ {{kind: kCreate, task: 1}, {kind: kWaitFor, task: 1, n: 1}},
			/* t1 */ {{kind: kSleep0}, {kind: kCreate, task: 2}},
			/* t2 */ {{kind: kSleep0}},
		}},
	},
	{
		name:    "wait_for-timeout-early",
		why:     "on a timeout, WaitFor returns ErrTimeout as soon as the cancelled task finishes; MicroPython's wait_for awaits its runner task, which finishes a scheduling round later, so the tasks ready meanwhile run first",
		trigger: trigWaitForTimeout,
		minimal: &program{tasks: [][]step{
			/* t0 */ {{kind: kCreate, task: 1}, {kind: kWaitFor, task: 2, coro: true, n: 1}},
			/* t1 */ {{kind: kSleepMs, n: 1}, {kind: kSleep0}, {kind: kSleep0}},
			/* t2 */ {{kind: kSleepMs, n: 1}},
		}},
	},
	{
		name:    "wait_for-zero-timeout",
		why:     "WaitFor with a timeout of 0 arms a timer, which fires a scheduling round after the tasks ready now; MicroPython's wait_for sleeps 0, a plain yield, so its timeout comes first: it cancels the awaited task and raises TimeoutError where WaitFor returns the task's result",
		trigger: trigWaitForZero,
		minimal: &program{tasks: [][]step{
			/* t0 */ {{kind: kCreate, task: 1}, {kind: kCreate, task: 2}},
			/* t1 */ {{kind: kSleep0}, {kind: kWaitFor, task: 3}},
			/* t2 */ {{kind: kCreate, task: 3}, {kind: kSleep0}},
			/* t3 */ {{kind: kSleep0}},
		}},
	},
	{
		name:    "gather-failed-task-retrieved",
		why:     "Gather and GatherErrors count a task that has already failed as retrieved, so its error never reaches the exception handler; MicroPython's gather leaves such a task as it is, and the handler still gets \"Task exception wasn't retrieved\" at the task's turn",
		trigger: trigGatherFailed,
		minimal: &program{tasks: [][]step{
			/* t0 */ {{kind: kCreate, task: 1}, {kind: kSleep0}, {kind: kGather, tasks: []int{1}, coros: []bool{false}}},
			/* t1 */ {{kind: kRaise}},
		}},
	},
}

// TestFixedDivergences runs the minimal program of each divergence the core
// has fixed: MicroPython and Go must print the same.
func TestFixedDivergences(t *testing.T) {
	testenv.SkipIfEmulated(t, "runs MicroPython under Node")
	micropython().skipOrFail(t)
	for _, d := range fixedDivergences {
		t.Run(d.name, func(t *testing.T) {
			p := d.minimal
			p.number()
			c := compare(p)
			diff, same := diff(lines(c.mp.Out), lines(c.goOut.out))
			switch {
			case c.mp.Err != "":
				t.Fatalf("MicroPython failed: %s", c.mp.Err)
			case len(c.goOut.broken) > 0:
				t.Fatalf("invariants broken in Go: %v", c.goOut.broken)
			case !same:
				t.Fatalf("%s is back: %s\n- MicroPython, + Go:\n%s\n%s", d.name, d.why, diff, c.report())
			}
		})
	}
}

// TestKnownDivergences runs each known divergence's minimal program: it must
// still print differently in MicroPython and Go, and the divergence must be
// the first one met. Once the core is fixed the outputs agree, and the test
// fails until the entry is deleted.
func TestKnownDivergences(t *testing.T) {
	testenv.SkipIfEmulated(t, "runs MicroPython under Node")
	micropython().skipOrFail(t)
	names := map[string]bool{}
	for _, d := range knownDivergences {
		t.Run(d.name, func(t *testing.T) {
			if names[d.name] {
				t.Fatalf("two entries named %s", d.name)
			}
			names[d.name] = true
			p := d.minimal
			p.number()
			c := compare(p)
			diff, same := diff(lines(c.mp.Out), lines(c.goOut.out))
			switch {
			case c.mp.Err != "":
				t.Fatalf("MicroPython failed: %s", c.mp.Err)
			case len(c.goOut.broken) > 0:
				t.Fatalf("invariants broken in Go: %v", c.goOut.broken)
			case same:
				t.Fatalf("the minimal program now prints the same in MicroPython and Go: the core is fixed, delete the entry %q from knownDivergences\n%s", d.name, c.report())
			case !pure(d, c):
				t.Fatalf("the minimal program's difference is not explained by %s first; triggers met: %v\n%s\n%s", d.name, c.goOut.triggers, diff, c.report())
			}
			t.Logf("%s: %s\n- MicroPython, + Go:\n%s", d.name, d.why, diff)
			checkFile(t, filepath.Join("testdata", "known", d.name+".py"), knownFile(d, c, diff))
		})
	}
}

var update = flag.Bool("update", false, "rewrite testdata/known/NAME.py from knownDivergences")

// knownFile is testdata/known/NAME.py: the minimal program as MicroPython
// runs it, headed by what the divergence is and both outputs, so that it can
// be run by hand with MicroPython's command line
// (node .../micropython.mjs NAME.py; its last lines then run main only up to
// its end, not until every task is done, as the fuzzer's runner does).
func knownFile(d *divergence, c comparison, diff string) []byte {
	var b bytes.Buffer
	b.WriteString("# Known divergence " + d.name + " (conformance/fuzz/known_test.go): " + d.why + ".\n")
	b.WriteString("# - MicroPython, + Go:\n")
	for _, l := range lines(diff) {
		b.WriteString("# " + l + "\n")
	}
	b.WriteString(c.src)
	return b.Bytes()
}

// checkFile fails t unless the file at path holds want; with -update it
// writes it.
func checkFile(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s is not up to date: run go test ./conformance/fuzz -run TestKnownDivergences -update", path)
	}
}
