package conformance

import (
	"slices"
	"strings"
	"testing"
)

// micropythonTests are MicroPython's own asyncio tests (tests/extmod/
// asyncio_*.py at v1.27.0). The scenarios check what each one checks, in
// their own words, and name it in their header; the few that check nothing
// this package has say why here.
var micropythonTests = map[string]string{
	"asyncio_as_uasyncio.py":             "not applicable: the module is also importable as uasyncio; Go has one import path",
	"asyncio_await_return.py":            "",
	"asyncio_basic.py":                   "",
	"asyncio_basic2.py":                  "",
	"asyncio_cancel_fair.py":             "",
	"asyncio_cancel_fair2.py":            "",
	"asyncio_cancel_self.py":             "",
	"asyncio_cancel_task.py":             "",
	"asyncio_cancel_wait_on_finished.py": "",
	"asyncio_current_task.py":            "",
	"asyncio_event.py":                   "",
	"asyncio_event_fair.py":              "",
	"asyncio_event_queue.py":             "not applicable: it sets an Event from micropython.schedule, which MicroPython documents as unsafe; in Go another goroutine must use Loop.CallSoonThreadsafe or a ThreadSafeFlag (threadsafeflag)",
	"asyncio_exception.py":               "",
	"asyncio_fair.py":                    "",
	"asyncio_gather.py":                  "",
	"asyncio_gather_finished_early.py":   "",
	"asyncio_gather_notimpl.py":          "not applicable: it checks MicroPython's RuntimeError when a gathered task is awaited or an awaited task gathered; Go allows both (docs/differences.md)",
	"asyncio_get_event_loop.py":          "",
	"asyncio_heaplock.py":                "",
	"asyncio_iterator_event.py":          "not applicable: an async iterator fed from micropython.schedule; Go has no async for, and the Event part is asyncio_event_queue's",
	"asyncio_lock.py":                    "",
	"asyncio_lock_cancel.py":             "",
	"asyncio_loop_stop.py":               "",
	"asyncio_micropython.py":             "",
	"asyncio_new_event_loop.py":          "",
	"asyncio_set_exception_handler.py":   "",
	"asyncio_task_done.py":               "",
	"asyncio_threadsafeflag.py":          "",
	"asyncio_wait_for.py":                "",
	"asyncio_wait_for_fwd.py":            "",
	"asyncio_wait_for_linked_task.py":    "",
	"asyncio_wait_task.py":               "",
}

// TestCoverage checks that every MicroPython asyncio test is covered by a
// scenario or says why not, and that scenarios name only those tests.
func TestCoverage(t *testing.T) {
	covered := map[string][]string{}
	for _, s := range loadScenarios(t) {
		for _, name := range strings.Split(s.mpTests, ",") {
			name = strings.TrimSpace(name)
			if _, ok := micropythonTests[name]; !ok {
				t.Errorf("%s names %q, which is not one of MicroPython's asyncio tests", s.path, name)
			}
			covered[name] = append(covered[name], s.name)
		}
	}
	for name, why := range micropythonTests {
		switch {
		case why == "" && len(covered[name]) == 0:
			t.Errorf("no scenario covers MicroPython's %s: write one, or say in micropythonTests why not", name)
		case why != "" && len(covered[name]) > 0:
			t.Errorf("MicroPython's %s is said not to apply, but %v name it", name, covered[name])
		}
	}
	names := make([]string, 0, len(covered))
	for name := range covered {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Logf("%s: %s", name, strings.Join(covered[name], ", "))
	}
}
