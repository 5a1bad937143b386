package board_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
)

// Helpers of the package's tests, whatever they are built with.

var update = flag.Bool("update", false, "rewrite the golden files")

// run runs fn as a task on loop until it returns.
func run(t *testing.T, loop *asyncio.Loop, fn func(*asyncio.Ctx) error) {
	t.Helper()
	if err := loop.RunUntilComplete(loop.CreateTask(fn)); err != nil {
		t.Fatal(err)
	}
}

// newI2CBoard makes a simulated board with an I2C bus, on a virtual
// loop closed when the test ends.
func newI2CBoard(t *testing.T) (*asyncio.Loop, *board.Sim, *board.SimI2C) {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	t.Cleanup(func() { loop.Close() })
	sim := board.NewSim(loop)
	return loop, sim, sim.AddI2C("i2c0")
}

// golden compares got with the file at path, or writes it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(path+".got", got, 0o644)
		t.Errorf("%s differs from the golden file; wrote %s.got", path, path)
	}
}
