package fuzz

import (
	"flag"
	"strings"
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
// MicroPython that the fuzzer has found and that are not fixed yet.
var knownDivergences = []*divergence{
	{
		name:    "cancel-forwarded-to-running",
		why:     "a cancel forwarded along an await chain to the task that is running is delivered at that task's next await point; in MicroPython it is lost (the task's next await overwrites it), though cancel() returns True",
		trigger: trigCancelRunning,
	},
	{
		name:    "wait_for-zero-timeout",
		why:     "WaitFor with a timeout of 0 arms a timer, which fires a scheduling round after the tasks ready now; MicroPython's wait_for sleeps 0, a plain yield, so its timeout comes first and the awaited task is cancelled where WaitFor returns its result",
		trigger: trigWaitForZero,
	},
	{
		name:    "lock-release-handoff",
		why:     "Lock.Release succeeds while the lock is being handed to a waiter that has not resumed yet; MicroPython raises RuntimeError(\"Lock not acquired\")",
		trigger: trigLockHandoff,
	},
	{
		name:    "wait_for-done-task",
		why:     "WaitForTask on a task that has already finished returns at once; MicroPython's wait_for starts its runner task and sleeps, so other ready tasks run first",
		trigger: trigWaitForDone,
	},
	{
		name:    "wait_for-result-early",
		why:     "WaitFor returns as soon as the awaited task finishes; MicroPython's wait_for is woken through its runner task, a scheduling round later, so tasks ready meanwhile run first",
		trigger: trigWaitForResult,
	},
	{
		name:    "wait_for-timeout-early",
		why:     "on a timeout, WaitFor returns as soon as the cancelled task finishes; MicroPython's wait_for awaits its runner task, which finishes a scheduling round later",
		trigger: trigWaitForTimeout,
	},
}
