package fuzz

import (
	"flag"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/internal/testenv"
)

// wording maps the two messages CPython words differently from MicroPython
// (docs/differences.md, lock_basic and exception_handler) to MicroPython's.
var wording = strings.NewReplacer(
	"RuntimeError:Lock is not acquired.", "RuntimeError:Lock not acquired",
	"Task exception was never retrieved", "Task exception wasn't retrieved",
)

var cpythonPrograms = flag.Int("fuzz.cpython", 500, "how many generated programs TestCPythonAgreement runs")

// TestCPythonAgreement runs generated programs in MicroPython and in
// CPython 3.11 (sleep_ms and wait_for_ms shimmed, on a virtual clock: see
// cpython_driver.py) and counts how many print the same, so that the
// CPython column of docs/differences.md can be read against random programs
// too. It fails only when CPython cannot run a program: the count is a
// measurement, not a requirement.
func TestCPythonAgreement(t *testing.T) {
	testenv.SkipIfEmulated(t, "runs MicroPython under Node and CPython")
	micropython().skipOrFail(t)
	cpython().skipOrFail(t)
	same, worded, asGo, runs := 0, 0, 0, 0
	shown := 0
	for i := range *cpythonPrograms {
		p := programs.Example(i)
		p.trim()
		src := p.python()
		mp, err := micropython().run(src)
		if err != nil {
			t.Fatal(err)
		}
		if mp.Err != "" {
			continue // MicroPython crashed: see mpCrash
		}
		cp, err := cpython().run(src)
		if err != nil {
			t.Fatal(err)
		}
		if cp.Err != "" {
			t.Fatalf("CPython could not run the program: %s\n%s", cp.Err, src)
		}
		runs++
		d, ok := diff(lines(mp.Out), lines(cp.Out))
		if ok {
			same++
		}
		if ok || wording.Replace(cp.Out) == mp.Out {
			worded++
		} else if testing.Verbose() && shown < 3 {
			shown++
			t.Logf("CPython differs (- MicroPython, + CPython):\n%s", d)
		}
		if cp.Out == interpret(p).out {
			asGo++
		}
	}
	pct := func(n int) float64 { return 100 * float64(n) / float64(max(runs, 1)) }
	t.Logf("CPython 3.11 printed the same as MicroPython for %d of %d programs (%.0f%%); %d (%.0f%%) once the two messages "+
		"worded differently are mapped; the same as the Go package for %d", same, runs, pct(same), worded, pct(worded), asGo)
}
