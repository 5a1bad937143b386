// Package tinygo runs board programs on microcontrollers with TinyGo: it
// adapts TinyGo's machine package (pins, PWM) to the board package's
// interfaces, so that a program written against board.Pin, board.LED,
// board.Button and the primitives builds for a board with
//
//	tinygo flash -target=pico ./yourprogram
//
// Everything but this comment is behind the tinygo build tag: with the
// standard Go toolchain the package is empty, so that the module builds
// everywhere.
//
// Interrupts: TinyGo calls a pin's interrupt handler in interrupt context,
// where code may neither block nor allocate, while the board package's
// callbacks hand edges to the loop through asyncio.ThreadSafeFlag, which
// locks and allocates. So a Pin's TinyGo handler only sets an atomic flag,
// and one goroutine of this package polls the flags every PollInterval and
// calls the board callbacks from there, outside interrupt context. Several
// edges of one pin within one PollInterval reach the callback as one call.
//
// This adapter has not been built with TinyGo nor run on hardware: TinyGo
// cannot be installed where it was written. A test type-checks it against
// a stub of the machine API as TinyGo documents it (testdata/machine).
package tinygo
