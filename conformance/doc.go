// Package conformance checks the asyncio package against MicroPython's
// asyncio, the implementation it follows.
//
// Each scenario is a small MicroPython asyncio program in scenarios/NAME.py
// that prints what happens, and a Go twin of it in this package's tests.
// TestConformance runs every .py in real MicroPython (the WebAssembly build
// from npm, under Node) and its twin on the virtual clock, and compares their
// output line by line. The few scenarios that build cannot run (asyncio.run
// itself, the loop API, ThreadSafeFlag) compare with the MicroPython output
// kept beside them in scenarios/NAME.exp. TestDifferencesDoc also runs each
// scenario under CPython 3.11 and keeps the table of where CPython differs
// in docs/differences.md up to date.
//
// See README.md in this directory for how to run the suite and add a
// scenario. The package has no code of its own: everything is in its tests.
package conformance
