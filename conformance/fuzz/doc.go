// Package fuzz is a differential fuzzer for the asyncio package's scheduler:
// it generates small asyncio programs at random, runs each in real
// MicroPython and interprets it in Go against the package's public API, and
// checks that both print the same lines.
//
// A program is a Go value (see program_test.go): tasks, each a list of steps
// drawn from what MicroPython's asyncio offers — sleep(0), sleep_ms with
// equal deadlines, create, await and cancel a task, wait_for and wait_for_ms,
// gather with and without return_exceptions, Event, Lock, raising, catching
// CancelledError, try/finally clean-up that awaits, and the exception
// handler. The same value is emitted as a MicroPython program, run by one
// long-lived Node process on a virtual clock (fake-timers), and interpreted in
// Go on the package's virtual clock. pgregory.net/rapid generates the
// programs and shrinks a difference to a minimal program.
//
// Known divergences of the package from MicroPython are listed, each with its
// minimal program, in known_test.go; see ../README.md for how to run a soak.
// The package has no code of its own: everything is in its tests.
package fuzz
